/*
 * Non-inline wrappers around liburing's inline SQE/CQE helpers (vendored
 * liburing.h), so tests/sqe_helpers.rs can compare the bytes they write
 * and the values they return with bare_uring::helpers'.
 */
#include "liburing.h"

void ref_io_uring_sqe_set_data(struct io_uring_sqe *sqe, void *data)
{
	io_uring_sqe_set_data(sqe, data);
}

void ref_io_uring_sqe_set_data64(struct io_uring_sqe *sqe, __u64 data)
{
	io_uring_sqe_set_data64(sqe, data);
}

void ref_io_uring_sqe_set_flags(struct io_uring_sqe *sqe, unsigned flags)
{
	io_uring_sqe_set_flags(sqe, flags);
}

void ref_io_uring_sqe_set_buf_group(struct io_uring_sqe *sqe, int bgid)
{
	io_uring_sqe_set_buf_group(sqe, bgid);
}

void ref_io_uring_initialize_sqe(struct io_uring_sqe *sqe)
{
	io_uring_initialize_sqe(sqe);
}

void *ref_io_uring_cqe_get_data(const struct io_uring_cqe *cqe)
{
	return io_uring_cqe_get_data(cqe);
}

__u64 ref_io_uring_cqe_get_data64(const struct io_uring_cqe *cqe)
{
	return io_uring_cqe_get_data64(cqe);
}
