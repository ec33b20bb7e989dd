/*
 * Non-inline wrappers around liburing's io_uring_buf_ring_* inline helpers
 * (vendored liburing.h), so tests/buf_ring_ref.rs can compare the bytes
 * they write with bare_uring::buf_ring's.
 */
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "liburing.h"

int ref_io_uring_buf_ring_mask(__u32 ring_entries)
{
	return io_uring_buf_ring_mask(ring_entries);
}

void ref_io_uring_buf_ring_init(struct io_uring_buf_ring *br)
{
	io_uring_buf_ring_init(br);
}

void ref_io_uring_buf_ring_add(struct io_uring_buf_ring *br, void *addr,
			       unsigned int len, unsigned short bid, int mask,
			       int buf_offset)
{
	io_uring_buf_ring_add(br, addr, len, bid, mask, buf_offset);
}

void ref_io_uring_buf_ring_advance(struct io_uring_buf_ring *br, int count)
{
	io_uring_buf_ring_advance(br, count);
}

/*
 * The ring-level helpers take a struct io_uring. These wrappers build one
 * holding only what the helpers touch: cq.khead for io_uring_cq_advance()
 * (called by io_uring_buf_ring_cq_advance()) and ring_fd for
 * io_uring_buf_ring_head() (called by io_uring_buf_ring_available()).
 */
void ref___io_uring_buf_ring_cq_advance(unsigned *khead,
					struct io_uring_buf_ring *br,
					int cq_count, int buf_count)
{
	struct io_uring ring;

	memset(&ring, 0, sizeof(ring));
	ring.cq.khead = khead;
	__io_uring_buf_ring_cq_advance(&ring, br, cq_count, buf_count);
}

void ref_io_uring_buf_ring_cq_advance(unsigned *khead,
				      struct io_uring_buf_ring *br, int count)
{
	struct io_uring ring;

	memset(&ring, 0, sizeof(ring));
	ring.cq.khead = khead;
	io_uring_buf_ring_cq_advance(&ring, br, count);
}

int ref_io_uring_buf_ring_available(int ring_fd, struct io_uring_buf_ring *br,
				    unsigned short bgid)
{
	struct io_uring ring;

	memset(&ring, 0, sizeof(ring));
	ring.ring_fd = ring_fd;
	ring.enter_ring_fd = ring_fd;
	return io_uring_buf_ring_available(&ring, br, bgid);
}

/*
 * liburing's io_uring_buf_ring_head() is a library (not inline) function;
 * this harness does not link liburing, so here is the same
 * IORING_REGISTER_PBUF_STATUS call it makes.
 */
int io_uring_buf_ring_head(struct io_uring *ring, int buf_group, uint16_t *head)
{
	struct io_uring_buf_status buf_status;
	long ret;

	memset(&buf_status, 0, sizeof(buf_status));
	buf_status.buf_group = buf_group;
	ret = syscall(__NR_io_uring_register, ring->ring_fd,
		      IORING_REGISTER_PBUF_STATUS, &buf_status, 1);
	if (ret < 0)
		return -errno;
	*head = buf_status.head;
	return 0;
}
