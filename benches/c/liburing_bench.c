/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The C liburing 2.15 side of benches/vs_io_uring.rs: the same work as the
 * Rust functions of the same names, written the way liburing's man pages
 * show (io_uring_get_sqe + io_uring_prep_* + io_uring_sqe_set_data64,
 * io_uring_submit_and_wait, io_uring_for_each_cqe + io_uring_cq_advance,
 * io_uring_wait_cqe + io_uring_cqe_seen). Compiled with -O3 by build.rs and
 * linked with liburing built from vendor/liburing/src. Every cg_* function
 * is noinline so that scripts/bench/callgrind.sh can count it alone.
 */
#include <stdlib.h>
#include <stdint.h>
#include "liburing.h"

#define NOINLINE __attribute__((noinline))

/* The Rust side's constants, as constants here too. */
#define ENTRIES 256u
#define BLOCK 4096u
static const char PATH[] = "x";

/* best: register the ring fd (io_uring_register_ring_fd), as the Rust
 * rings of that configuration do. */
struct io_uring *lu_ring_new(unsigned entries, unsigned flags, int register_fd)
{
	struct io_uring *ring = calloc(1, sizeof(*ring));
	if (!ring || io_uring_queue_init(entries, ring, flags) < 0)
		abort();
	if (register_fd && io_uring_register_ring_fd(ring) != 1)
		abort();
	return ring;
}

void lu_ring_free(struct io_uring *ring)
{
	io_uring_queue_exit(ring);
	free(ring);
}

int lu_ring_fd(struct io_uring *ring)
{
	return ring->ring_fd;
}

unsigned lu_cq_ready(struct io_uring *ring)
{
	return io_uring_cq_ready(ring);
}

/* The fill loop, also inlined into the round trip. */
static inline void fill_nop(struct io_uring *ring, unsigned n, uint64_t base)
{
	for (unsigned i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
		if (!sqe)
			abort();
		io_uring_prep_nop(sqe);
		io_uring_sqe_set_data64(sqe, base + i);
	}
}

NOINLINE void cg_lu_fill_nop(struct io_uring *ring, uint64_t base)
{
	fill_nop(ring, ENTRIES, base);
}

NOINLINE void cg_lu_fill_mixed(struct io_uring *ring, void *buf)
{
	for (unsigned i = 0; i < ENTRIES / 4; i++) {
		uint64_t u = (uint64_t) i << 2;
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
		if (!sqe)
			abort();
		io_uring_prep_read(sqe, -1, buf, BLOCK, (u * BLOCK) % (1u << 20));
		io_uring_sqe_set_data64(sqe, u);
		sqe = io_uring_get_sqe(ring);
		if (!sqe)
			abort();
		io_uring_prep_send(sqe, -1, buf, BLOCK, 0);
		io_uring_sqe_set_data64(sqe, u + 1);
		sqe = io_uring_get_sqe(ring);
		if (!sqe)
			abort();
		io_uring_prep_msg_ring(sqe, -1, 0, u, 0);
		io_uring_sqe_set_data64(sqe, u + 2);
		sqe = io_uring_get_sqe(ring);
		if (!sqe)
			abort();
		io_uring_prep_openat(sqe, -1, PATH, 0, 0);
		io_uring_sqe_set_data64(sqe, u + 3);
	}
}

NOINLINE int cg_lu_submit(struct io_uring *ring)
{
	return io_uring_submit_and_wait(ring, ENTRIES);
}

/* Register-only sink: the CQE fields fold into one value returned. */
NOINLINE uint64_t cg_lu_reap(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;
	unsigned head, n = 0;
	uint64_t acc = 0;

	io_uring_for_each_cqe(ring, head, cqe) {
		acc += cqe->user_data ^ (uint64_t) (int64_t) cqe->res;
		n++;
	}
	io_uring_cq_advance(ring, n);
	return acc;
}

/* One hop: a MSG_RING from `from` to `to` (no CQE on `from` on success),
 * submitted, then waited for and consumed on `to`. */
NOINLINE uint64_t cg_lu_msg_hop(struct io_uring *from, struct io_uring *to,
				uint64_t data)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(from);
	struct io_uring_cqe *cqe;
	uint64_t got;

	if (!sqe)
		abort();
	io_uring_prep_msg_ring(sqe, to->ring_fd, 0, data, 0);
	sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
	if (io_uring_submit(from) != 1)
		abort();
	if (io_uring_wait_cqe(to, &cqe))
		abort();
	got = cqe->user_data;
	io_uring_cqe_seen(to, cqe);
	return got;
}

/* One hop on one ring: a MSG_RING to the ring itself, submitted with
 * io_uring_submit_and_wait(1), then waited for and consumed. */
NOINLINE uint64_t cg_lu_hop_one(struct io_uring *ring, uint64_t data)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct io_uring_cqe *cqe;
	uint64_t got;

	if (!sqe)
		abort();
	io_uring_prep_msg_ring(sqe, ring->ring_fd, 0, data, 0);
	sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
	if (io_uring_submit_and_wait(ring, 1) != 1)
		abort();
	if (io_uring_wait_cqe(ring, &cqe))
		abort();
	got = cqe->user_data;
	io_uring_cqe_seen(ring, cqe);
	return got;
}

/* A round trip of `n` NOPs: fill, submit_and_wait(n), reap all n. */
static inline uint64_t rt(struct io_uring *ring, unsigned n, uint64_t base)
{
	uint64_t acc = 0;
	unsigned got = 0;

	fill_nop(ring, n, base);
	io_uring_submit_and_wait(ring, n);
	while (got < n) {
		struct io_uring_cqe *cqe;
		unsigned head, k = 0;

		io_uring_for_each_cqe(ring, head, cqe) {
			acc += cqe->user_data;
			k++;
		}
		io_uring_cq_advance(ring, k);
		got += k;
		if (got < n)
			io_uring_submit_and_wait(ring, n - got);
	}
	return acc;
}

NOINLINE uint64_t cg_lu_rt1(struct io_uring *ring, uint64_t base)
{
	return rt(ring, 1, base);
}

NOINLINE uint64_t cg_lu_rt8(struct io_uring *ring, uint64_t base)
{
	return rt(ring, 8, base);
}

NOINLINE uint64_t cg_lu_rt32(struct io_uring *ring, uint64_t base)
{
	return rt(ring, 32, base);
}
