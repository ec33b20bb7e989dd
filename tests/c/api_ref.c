/*
 * Non-inline wrappers around liburing's inline non-SQE helpers (vendored
 * liburing.h) and a few accessors of `struct io_uring`, so tests/api_live.rs
 * and tests/api_coverage.rs can compare bare-uring's counterparts with C
 * liburing (the library itself is linked from `liburing_c`, root build.rs).
 */
#include <stdlib.h>
#include "liburing.h"

unsigned ref_io_uring_sqe_shift_from_flags(unsigned flags)
{
	return io_uring_sqe_shift_from_flags(flags);
}

unsigned ref_io_uring_cqe_shift_from_flags(unsigned flags)
{
	return io_uring_cqe_shift_from_flags(flags);
}

unsigned ref_io_uring_sqe_shift(const struct io_uring *ring)
{
	return io_uring_sqe_shift(ring);
}

unsigned ref_io_uring_cqe_shift(const struct io_uring *ring)
{
	return io_uring_cqe_shift(ring);
}

unsigned ref_io_uring_load_sq_head(const struct io_uring *ring)
{
	return io_uring_load_sq_head(ring);
}

unsigned ref_io_uring_cq_ready(const struct io_uring *ring)
{
	return io_uring_cq_ready(ring);
}

/* 0 and the first CQE's user_data in *user_data (or ~0 if none), the count
 * of ready CQEs in *nr; or liburing's negative error. */
int ref___io_uring_peek_cqe(struct io_uring *ring, unsigned long long *user_data,
			    unsigned *nr)
{
	struct io_uring_cqe *cqe = NULL;
	int ret = __io_uring_peek_cqe(ring, &cqe, nr);

	*user_data = cqe ? cqe->user_data : ~0ULL;
	return ret;
}

/* __io_uring_get_cqe (exported by liburing) without a sigmask, returning
 * the CQE's user_data as above. */
int ref___io_uring_get_cqe(struct io_uring *ring, unsigned submit,
			   unsigned wait_nr, unsigned long long *user_data)
{
	struct io_uring_cqe *cqe = NULL;
	int ret = __io_uring_get_cqe(ring, &cqe, submit, wait_nr, NULL);

	*user_data = cqe ? cqe->user_data : ~0ULL;
	return ret;
}

/* A ring set up by C liburing (heap, so Rust needs no struct layout). */
struct io_uring *ref_ring_new(unsigned entries, unsigned flags, int *err)
{
	struct io_uring *ring = calloc(1, sizeof(*ring));

	*err = io_uring_queue_init(entries, ring, flags);
	if (*err) {
		free(ring);
		return NULL;
	}
	return ring;
}

void ref_ring_free(struct io_uring *ring)
{
	io_uring_queue_exit(ring);
	free(ring);
}

/* ring_fd and enter_ring_fd (the registered index once registered). */
void ref_ring_fds(const struct io_uring *ring, int *fd, int *enter_fd)
{
	*fd = ring->ring_fd;
	*enter_fd = ring->enter_ring_fd;
}

/* Queues `n` NOPs with user_data 1..n (liburing's get_sqe + prep). */
int ref_queue_nops(struct io_uring *ring, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

		if (!sqe)
			return -1;
		io_uring_prep_nop(sqe);
		io_uring_sqe_set_data64(sqe, i + 1);
	}
	return 0;
}
