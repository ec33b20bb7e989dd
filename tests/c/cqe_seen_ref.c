/*
 * What liburing's io_uring_cqe_seen() does when given a CQE of another
 * ring (tests/ring_basic.rs compares bare_uring's Ring::cqe_seen with it).
 * Ring A gets NOPs with user_data 1 and 2, ring B one with 9; B's CQE is
 * waited for, then passed to io_uring_cqe_seen() on A. Reports A's next
 * CQE's user_data, A's and B's ready counts after. Returns 0, or a
 * negative errno from setup.
 */
#include "liburing.h"

static int nop(struct io_uring *r, __u64 ud)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(r);

	if (!sqe)
		return -1;
	io_uring_prep_nop(sqe);
	sqe->user_data = ud;
	return io_uring_submit_and_wait(r, 1);
}

int ref_cqe_seen_foreign(unsigned long long *a_next, unsigned *a_ready,
			 unsigned *b_ready)
{
	struct io_uring a, b;
	struct io_uring_cqe *ca, *cb;
	int ret;

	ret = io_uring_queue_init(8, &a, 0);
	if (ret)
		return ret;
	ret = io_uring_queue_init(8, &b, 0);
	if (ret) {
		io_uring_queue_exit(&a);
		return ret;
	}
	nop(&a, 1);
	nop(&a, 2);
	nop(&b, 9);
	ret = io_uring_wait_cqe(&b, &cb);
	if (!ret) {
		io_uring_cqe_seen(&a, cb);
		*a_ready = io_uring_cq_ready(&a);
		*b_ready = io_uring_cq_ready(&b);
		ret = io_uring_peek_cqe(&a, &ca);
		*a_next = ret ? 0 : ca->user_data;
	}
	io_uring_queue_exit(&b);
	io_uring_queue_exit(&a);
	return ret;
}
