/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The C liburing 2.15 side of benches/udp_echo: a UDP echo server doing the
 * same work as the Rust servers there (see benches/udp_echo/main.rs): one
 * multishot recvmsg (io_uring_prep_recvmsg_multishot + IOSQE_BUFFER_SELECT)
 * over a provided-buffer ring (io_uring_setup_buf_ring), each datagram
 * parsed with io_uring_recvmsg_validate/_payload/_payload_length/_name and
 * answered with io_uring_prep_sendto straight from the buffer, the buffer
 * given back (io_uring_buf_ring_add + _advance) once the send's CQE is in,
 * the recvmsg re-armed when its CQE lacks IORING_CQE_F_MORE. Compiled with
 * -O3 by build.rs and linked with liburing built from vendor/liburing/src.
 * cg_lu_echo is noinline so scripts/bench/callgrind.sh can count it alone.
 */
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <sys/socket.h>
#include "liburing.h"

#define NOINLINE __attribute__((noinline))

/* The Rust side's constants (benches/udp_echo/main.rs), as constants. */
#define ENTRIES 64u
#define BR_ENTRIES 64u
#define BGID 7
#define BUF_LEN 256u
#define NAMELEN 16u
#define PAYLOAD 64
#define ECHOES 2048u
#define RECV_UD (1ull << 16)

struct lu_echo {
	struct io_uring ring;
	struct io_uring_buf_ring *br;
	unsigned char *bufs;
	struct msghdr msg;
	int fd;
};

/* A ring (registered fd if asked), its buffer ring of BR_ENTRIES buffers
 * of BUF_LEN bytes, all published, for the socket `fd`. */
struct lu_echo *lu_echo_new(unsigned flags, int register_fd, int fd)
{
	struct lu_echo *e = calloc(1, sizeof(*e));
	int ret;

	if (!e || io_uring_queue_init(ENTRIES, &e->ring, flags) < 0)
		abort();
	if (register_fd && io_uring_register_ring_fd(&e->ring) != 1)
		abort();
	e->br = io_uring_setup_buf_ring(&e->ring, BR_ENTRIES, BGID, 0, &ret);
	e->bufs = malloc(BR_ENTRIES * BUF_LEN);
	if (!e->br || !e->bufs)
		abort();
	for (unsigned i = 0; i < BR_ENTRIES; i++)
		io_uring_buf_ring_add(e->br, e->bufs + i * BUF_LEN, BUF_LEN, i,
				      io_uring_buf_ring_mask(BR_ENTRIES), i);
	io_uring_buf_ring_advance(e->br, BR_ENTRIES);
	e->msg.msg_namelen = NAMELEN;
	e->fd = fd;
	return e;
}

static inline void arm(struct io_uring *ring, int fd, struct msghdr *msg)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe)
		abort();
	io_uring_prep_recvmsg_multishot(sqe, fd, msg, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	io_uring_sqe_set_data64(sqe, RECV_UD);
}

/* The event loop: serves ECHOES echoes, returns how many it served. */
NOINLINE unsigned cg_lu_echo(struct lu_echo *e)
{
	struct io_uring *ring = &e->ring;
	unsigned echoes = 0;

	arm(ring, e->fd, &e->msg);
	while (echoes < ECHOES) {
		struct io_uring_cqe *cqe;
		unsigned head, n = 0;
		int rearm = 0;

		if (io_uring_submit_and_wait(ring, 1) < 0)
			abort();
		io_uring_for_each_cqe(ring, head, cqe) {
			n++;
			if (cqe->user_data == RECV_UD) {
				if (!(cqe->flags & IORING_CQE_F_MORE))
					rearm = 1;
				if (!(cqe->flags & IORING_CQE_F_BUFFER)) {
					if (cqe->res != -ENOBUFS)
						abort();
					continue;
				}
				unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
				void *buf = e->bufs + bid * BUF_LEN;
				struct io_uring_recvmsg_out *o =
					io_uring_recvmsg_validate(buf, cqe->res, &e->msg);
				if (!o)
					abort();
				struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
				if (!sqe)
					abort();
				io_uring_prep_sendto(sqe, e->fd,
					io_uring_recvmsg_payload(o, &e->msg),
					io_uring_recvmsg_payload_length(o, cqe->res, &e->msg),
					0, io_uring_recvmsg_name(o), NAMELEN);
				io_uring_sqe_set_data64(sqe, bid);
			} else {
				unsigned bid = (unsigned) cqe->user_data;
				if (cqe->res != PAYLOAD)
					abort();
				io_uring_buf_ring_add(e->br, e->bufs + bid * BUF_LEN,
						      BUF_LEN, bid,
						      io_uring_buf_ring_mask(BR_ENTRIES), 0);
				io_uring_buf_ring_advance(e->br, 1);
				echoes++;
			}
		}
		io_uring_cq_advance(ring, n);
		if (rearm)
			arm(ring, e->fd, &e->msg);
	}
	return echoes;
}

/* Ends the multishot recvmsg (cancel, reap its final CQE and the cancel's),
 * then frees everything. */
void lu_echo_free(struct lu_echo *e)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&e->ring);
	int recv_done = 0, cancel_done = 0;

	if (!sqe)
		abort();
	io_uring_prep_cancel64(sqe, RECV_UD, 0);
	io_uring_sqe_set_data64(sqe, RECV_UD + 1);
	if (io_uring_submit(&e->ring) != 1)
		abort();
	while (!recv_done || !cancel_done) {
		struct io_uring_cqe *cqe;

		if (io_uring_wait_cqe(&e->ring, &cqe))
			abort();
		if (cqe->user_data == RECV_UD + 1)
			cancel_done = 1;
		else if (cqe->user_data == RECV_UD && !(cqe->flags & IORING_CQE_F_MORE))
			recv_done = 1;
		io_uring_cqe_seen(&e->ring, cqe);
	}
	io_uring_free_buf_ring(&e->ring, e->br, BR_ENTRIES, BGID);
	io_uring_queue_exit(&e->ring);
	free(e->bufs);
	free(e);
}
