/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Ours: the one input bindgen reads to generate uring-sys/src/bindings.rs.
 * It includes the vendored io_uring UAPI headers only (vendor/README.md);
 * their own includes of <linux/types.h>, <linux/fs.h> and
 * <linux/time_types.h> supply base typedefs, nothing io_uring-specific.
 * Regenerate with: cargo run -p uring-gen
 */
#include "vendor/liburing/include/liburing/io_uring.h"
#include "vendor/liburing/include/liburing/io_uring/query.h"
#include "vendor/liburing/include/liburing/io_uring/bpf_filter.h"
