/* Ours: values of the io_uring.h macros bare-uring-sys writes by hand
 * (uring-sys/src/consts.rs), as the C compiler evaluates them. */
#include "liburing.h"

struct uring_const { const char *name; unsigned long long value; };

static const struct uring_const consts[] = {
	{ "IOSQE_FIXED_FILE", IOSQE_FIXED_FILE },
	{ "IOSQE_IO_DRAIN", IOSQE_IO_DRAIN },
	{ "IOSQE_IO_LINK", IOSQE_IO_LINK },
	{ "IOSQE_IO_HARDLINK", IOSQE_IO_HARDLINK },
	{ "IOSQE_ASYNC", IOSQE_ASYNC },
	{ "IOSQE_BUFFER_SELECT", IOSQE_BUFFER_SELECT },
	{ "IOSQE_CQE_SKIP_SUCCESS", IOSQE_CQE_SKIP_SUCCESS },
	{ "IORING_FILE_INDEX_ALLOC", IORING_FILE_INDEX_ALLOC },
	{ "IORING_CQE_F_TSTAMP_HW", IORING_CQE_F_TSTAMP_HW },
	{ "IORING_ZCRX_AREA_MASK", IORING_ZCRX_AREA_MASK },
};

const struct uring_const *uring_hand_consts(unsigned long *n)
{
	*n = sizeof(consts) / sizeof(consts[0]);
	return consts;
}
