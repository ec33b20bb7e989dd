/*
 * Non-inline wrappers around liburing's io_uring_recvmsg_* inline helpers
 * (vendored liburing.h), so tests/recvmsg_ref.rs can compare the offsets
 * they return with bare_uring::recvmsg_out's on well-formed buffers.
 */
#include "liburing.h"

struct io_uring_recvmsg_out *ref_io_uring_recvmsg_validate(void *buf,
							    int buf_len,
							    struct msghdr *msgh)
{
	return io_uring_recvmsg_validate(buf, buf_len, msgh);
}

void *ref_io_uring_recvmsg_name(struct io_uring_recvmsg_out *o)
{
	return io_uring_recvmsg_name(o);
}

struct cmsghdr *ref_io_uring_recvmsg_cmsg_firsthdr(struct io_uring_recvmsg_out *o,
						    struct msghdr *msgh)
{
	return io_uring_recvmsg_cmsg_firsthdr(o, msgh);
}

struct cmsghdr *ref_io_uring_recvmsg_cmsg_nexthdr(struct io_uring_recvmsg_out *o,
						   struct msghdr *msgh,
						   struct cmsghdr *cmsg)
{
	return io_uring_recvmsg_cmsg_nexthdr(o, msgh, cmsg);
}

void *ref_io_uring_recvmsg_payload(struct io_uring_recvmsg_out *o,
				   struct msghdr *msgh)
{
	return io_uring_recvmsg_payload(o, msgh);
}

unsigned int ref_io_uring_recvmsg_payload_length(struct io_uring_recvmsg_out *o,
						 int buf_len, struct msghdr *msgh)
{
	return io_uring_recvmsg_payload_length(o, buf_len, msgh);
}
