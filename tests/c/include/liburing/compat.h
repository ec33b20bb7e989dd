/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * OURS, not upstream: the minimal stand-in for the compat.h that liburing's
 * configure generates. It targets this project's build hosts (glibc >= 2.36,
 * Linux UAPI headers >= 6.1), where every type configure might have to define
 * already exists in the system headers.
 */
#ifndef LIBURING_COMPAT_H
#define LIBURING_COMPAT_H

#include <linux/time_types.h>
/* time_types.h is included above; io_uring.h need not include it again. */
#define UAPI_LINUX_IO_URING_H_SKIP_LINUX_TIME_TYPES_H 1

#include <linux/openat2.h>	/* struct open_how */
#include <sys/stat.h>		/* struct statx (glibc >= 2.28) */
#include <linux/futex.h>	/* struct futex_waitv (UAPI >= 5.16) */
#include <linux/ioctl.h>

#ifndef BLOCK_URING_CMD_DISCARD
#define BLOCK_URING_CMD_DISCARD _IO(0x12, 0)
#endif

#endif
