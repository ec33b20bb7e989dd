/*
 * cat(1) through io_uring, with liburing: the C counterpart of
 * examples/nostd-cat for docs/SIZE.md. Same algorithm, same exit codes,
 * ring memory in a static array (io_uring_queue_init_mem, NO_MMAP).
 *
 * Exit codes: 0 ok, 2 usage, 3 ring setup, 4 open, 5 read, 6 write,
 * 7 io_uring_enter failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>

#define ENTRIES 8
#define BUF_LEN (64 * 1024)

static unsigned char ring_mem[64 * 1024] __attribute__((aligned(4096)));
static unsigned char buf[BUF_LEN];

/* Submit what is queued and wait for `want` CQEs; results by user_data 1, 2. */
static int run(struct io_uring *ring, unsigned want, int res[3])
{
	struct io_uring_cqe *cqe;
	int ret = io_uring_submit_and_wait(ring, want);

	if (ret < 0)
		return 7;
	while (want--) {
		if (io_uring_wait_cqe(ring, &cqe) < 0)
			return 7;
		if (cqe->user_data < 3)
			res[cqe->user_data] = cqe->res;
		io_uring_cqe_seen(ring, cqe);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct io_uring ring;
	struct io_uring_params p = { .flags = IORING_SETUP_NO_MMAP };
	struct io_uring_sqe *sqe;
	unsigned long long off = 0;
	int res[3], fd, e;

	if (argc != 2)
		return 2;
	if (io_uring_queue_init_mem(ENTRIES, &ring, &p, ring_mem, sizeof(ring_mem)) < 0)
		return 3;

	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, argv[1], O_RDONLY | O_CLOEXEC, 0);
	sqe->user_data = 0;
	if ((e = run(&ring, 1, res)))
		return e;
	if (res[0] < 0)
		return 4;
	fd = res[0];

	for (;;) {
		unsigned done;
		int r, w;

		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_read(sqe, fd, buf, BUF_LEN, off);
		sqe->flags |= IOSQE_IO_LINK;
		sqe->user_data = 1;
		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_write(sqe, 1, buf, BUF_LEN, -1ULL);
		sqe->user_data = 2;
		if ((e = run(&ring, 2, res)))
			return e;
		r = res[1];
		w = res[2];
		if (r < 0)
			return 5;
		if (r == 0)
			return 0;
		if (w == BUF_LEN) {
			off += BUF_LEN;
			continue;
		}
		/* A short read cancels the linked write; a write may be short. */
		if (w < 0 && w != -ECANCELED)
			return 6;
		done = w > 0 ? w : 0;
		while (done < (unsigned)r) {
			sqe = io_uring_get_sqe(&ring);
			io_uring_prep_write(sqe, 1, buf + done, r - done, -1ULL);
			sqe->user_data = 2;
			if ((e = run(&ring, 1, res)))
				return e;
			if (res[2] <= 0)
				return 6;
			done += res[2];
		}
		off += r;
	}
}
