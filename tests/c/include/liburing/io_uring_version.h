/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* OURS, not upstream: what liburing's configure would generate for 2.15. */
#ifndef LIBURING_VERSION_H
#define LIBURING_VERSION_H

#define IO_URING_VERSION_MAJOR 2
#define IO_URING_VERSION_MINOR 15

#endif
