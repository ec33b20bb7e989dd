/* liburing's io_uring_get_sqe() initialisation, out of line, for
 * tests/get_sqe_conformance.rs (get_sqe + prep against liburing). */
#include "liburing.h"

void ref_io_uring_initialize_sqe(struct io_uring_sqe *sqe)
{
	io_uring_initialize_sqe(sqe);
}
