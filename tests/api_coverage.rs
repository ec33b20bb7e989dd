//! Every function of liburing 2.15 has a counterpart in bare-uring.
//!
//! The list of names comes from the vendored sources, not from us: every
//! symbol that `vendor/liburing/src/liburing.map` exports (all versions)
//! and every non-prep `IOURINGINLINE` function of
//! `vendor/liburing/include/liburing.h`. Each must be in exactly one of
//! [`TABLE`] (liburing name → our path, checked to exist in
//! `uring-core/src`) or [`NOT_APPLICABLE`] (with the reason). The `io_uring_prep_*` helpers map by rule to
//! `prep::*` (their byte-exact coverage is `tests/prep_conformance.rs`).
//!
//! The same data renders the porter's lookup table:
//! `uring-core/src/liburing_api.md` (the crate docs' `liburing_api`
//! module, with links rustdoc checks) and `docs/LIBURING_API.md`. The test
//! fails when a committed copy differs from the rendering;
//! `bash scripts/liburing-api.sh` (`URING_WRITE_API_DOCS=1`) rewrites them.
//!
//! Also here: the pure comparisons with C liburing of what needs no kernel
//! (the version functions, the SQE/CQE shifts, `io_uring_memory_size*`).

// The C references (`liburing_c`, `uring_ref`) are linked through the
// root package's library.
extern crate uring;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use bare_uring::ring::{memory_size, memory_size_params, page_size, Params};
use bare_uring::sys::{
    io_uring_params, IORING_SETUP_CLAMP, IORING_SETUP_CQE32, IORING_SETUP_CQE_MIXED,
    IORING_SETUP_CQSIZE, IORING_SETUP_NO_SQARRAY, IORING_SETUP_SQE128, IORING_SETUP_SQE_MIXED,
};
use bare_uring::{cq, sq, version};

/// liburing name → (bare-uring path below the crate root, kernel, note).
/// Kernel: the first Linux release the function does anything on (`-`:
/// it never enters the kernel).
const TABLE: &[(&str, &str, &str, &str)] = &[
    // Setup, mapping, teardown.
    ("io_uring_queue_init", "Ring::queue_init", "5.1", ""),
    (
        "io_uring_queue_init_params",
        "Ring::queue_init_params",
        "5.1",
        "",
    ),
    (
        "io_uring_queue_init_mem",
        "Ring::queue_init_mem",
        "6.5",
        "`unsafe`; safe: `Ring::queue_init_static`",
    ),
    (
        "io_uring_queue_mmap",
        "Ring::queue_mmap",
        "5.1",
        "`unsafe`: adopts a raw fd",
    ),
    (
        "io_uring_queue_exit",
        "Ring::queue_exit",
        "5.1",
        "also `Drop`",
    ),
    ("io_uring_ring_dontfork", "Ring::ring_dontfork", "5.1", ""),
    (
        "io_uring_memory_size",
        "ring::memory_size",
        "6.5",
        "never smaller than liburing's; at most a page more",
    ),
    (
        "io_uring_memory_size_params",
        "ring::memory_size_params",
        "6.5",
        "as `memory_size`",
    ),
    (
        "io_uring_mlock_size",
        "ring::mlock_size",
        "5.1",
        "0 from 5.12 (IORING_FEAT_NATIVE_WORKERS)",
    ),
    (
        "io_uring_mlock_size_params",
        "ring::mlock_size_params",
        "5.1",
        "as `mlock_size`",
    ),
    ("io_uring_set_iowait", "Ring::set_iowait", "6.15", ""),
    (
        "io_uring_close_ring_fd",
        "Ring::close_ring_fd",
        "5.18",
        "needs a registered ring fd",
    ),
    ("io_uring_enable_rings", "Ring::enable_rings", "5.10", ""),
    // Raw system calls.
    (
        "io_uring_setup",
        "syscall::io_uring_setup",
        "5.1",
        "`unsafe`",
    ),
    (
        "io_uring_enter",
        "syscall::io_uring_enter_sigmask",
        "5.1",
        "`unsafe`; 8-byte kernel sigset",
    ),
    (
        "io_uring_enter2",
        "syscall::io_uring_enter",
        "5.1",
        "`unsafe`; on a ring: `Ring::enter`",
    ),
    (
        "io_uring_register",
        "syscall::io_uring_register",
        "5.1",
        "`unsafe`; on a ring: `Ring::register_raw`",
    ),
    // Versions.
    (
        "io_uring_major_version",
        "version::major_version",
        "-",
        "the liburing API mirrored: 2",
    ),
    (
        "io_uring_minor_version",
        "version::minor_version",
        "-",
        "the liburing API mirrored: 15",
    ),
    (
        "io_uring_check_version",
        "version::check_version",
        "-",
        "`true` = too new, as liburing",
    ),
    // Submission.
    (
        "io_uring_get_sqe",
        "Ring::get_sqe",
        "5.1",
        "`unsafe`: the request boundary (Safety model)",
    ),
    (
        "_io_uring_get_sqe",
        "Ring::get_sqe",
        "5.1",
        "the body of `io_uring_get_sqe`",
    ),
    (
        "io_uring_get_sqe128",
        "Ring::get_sqe128",
        "5.19",
        "`unsafe`; SQE_MIXED: 6.18",
    ),
    (
        "io_uring_initialize_sqe",
        "sq::initialize_sqe",
        "-",
        "also `helpers::initialize_sqe`",
    ),
    ("io_uring_sqe_shift", "Ring::sqe_shift", "-", ""),
    (
        "io_uring_sqe_shift_from_flags",
        "sq::sqe_shift_from_flags",
        "-",
        "",
    ),
    (
        "io_uring_load_sq_head",
        "Ring::load_sq_head",
        "5.1",
        "always an acquire load",
    ),
    ("io_uring_sq_ready", "Ring::sq_ready", "5.1", ""),
    ("io_uring_sq_space_left", "Ring::sq_space_left", "5.1", ""),
    ("io_uring_sqring_wait", "Ring::sqring_wait", "5.10", ""),
    (
        "__io_uring_sqring_wait",
        "Ring::sqring_wait",
        "5.10",
        "the entering half; raw: `Ring::enter` with IORING_ENTER_SQ_WAIT",
    ),
    ("io_uring_submit", "Ring::submit", "5.1", ""),
    (
        "io_uring_submit_and_wait",
        "Ring::submit_and_wait",
        "5.1",
        "",
    ),
    (
        "io_uring_submit_and_wait_timeout",
        "Ring::submit_and_wait_timeout",
        "5.11",
        "EOPNOTSUPP before 5.11 with a timeout",
    ),
    (
        "io_uring_submit_and_wait_min_timeout",
        "Ring::submit_and_wait_min_timeout",
        "6.12",
        "",
    ),
    (
        "io_uring_submit_and_get_events",
        "Ring::submit_and_get_events",
        "5.1",
        "",
    ),
    ("io_uring_get_events", "Ring::get_events", "5.1", ""),
    // Completion.
    ("io_uring_peek_cqe", "Ring::peek_cqe", "5.1", ""),
    ("__io_uring_peek_cqe", "Ring::__peek_cqe", "-", ""),
    ("io_uring_wait_cqe", "Ring::wait_cqe", "5.1", ""),
    ("io_uring_wait_cqe_nr", "Ring::wait_cqe_nr", "5.1", ""),
    (
        "io_uring_wait_cqes",
        "Ring::wait_cqes",
        "5.1",
        "timeout: 5.11",
    ),
    (
        "io_uring_wait_cqe_timeout",
        "Ring::wait_cqe_timeout",
        "5.11",
        "EOPNOTSUPP before 5.11",
    ),
    (
        "io_uring_wait_cqes_min_timeout",
        "Ring::wait_cqes_min_timeout",
        "6.12",
        "",
    ),
    (
        "__io_uring_get_cqe",
        "Ring::__get_cqe",
        "5.1",
        "submits at most the published SQEs",
    ),
    ("io_uring_peek_batch_cqe", "Ring::peek_batch_cqe", "5.1", ""),
    (
        "io_uring_cqe_iter_init",
        "Ring::cqes",
        "5.1",
        "an `Iterator`; advances the head on drop",
    ),
    (
        "io_uring_cqe_iter_next",
        "cq::CqeIter::next",
        "5.1",
        "`Iterator::next`",
    ),
    ("io_uring_cq_advance", "Ring::cq_advance", "5.1", ""),
    ("io_uring_cqe_seen", "Ring::cqe_seen", "5.1", ""),
    (
        "io_uring_cqe_nr",
        "Ring::cqe_nr",
        "-",
        "IORING_CQE_F_32: 6.18",
    ),
    ("io_uring_cqe_shift", "Ring::cqe_shift", "-", ""),
    (
        "io_uring_cqe_shift_from_flags",
        "cq::cqe_shift_from_flags",
        "-",
        "",
    ),
    ("io_uring_cq_ready", "Ring::cq_ready", "5.1", ""),
    (
        "io_uring_cq_has_overflow",
        "Ring::cq_has_overflow",
        "5.5",
        "",
    ),
    (
        "io_uring_cq_eventfd_enabled",
        "Ring::cq_eventfd_enabled",
        "5.8",
        "",
    ),
    (
        "io_uring_cq_eventfd_toggle",
        "Ring::cq_eventfd_toggle",
        "5.8",
        "",
    ),
    // SQE and CQE fields.
    ("io_uring_sqe_set_data", "helpers::sqe_set_data", "-", ""),
    (
        "io_uring_sqe_set_data64",
        "helpers::sqe_set_data64",
        "-",
        "",
    ),
    ("io_uring_sqe_set_flags", "helpers::sqe_set_flags", "-", ""),
    (
        "io_uring_sqe_set_buf_group",
        "helpers::sqe_set_buf_group",
        "-",
        "",
    ),
    ("io_uring_cqe_get_data", "helpers::cqe_get_data", "-", ""),
    (
        "io_uring_cqe_get_data64",
        "helpers::cqe_get_data64",
        "-",
        "",
    ),
    // Probe.
    (
        "io_uring_get_probe",
        "probe::get_probe",
        "5.6",
        "returns a `Probe` value",
    ),
    (
        "io_uring_get_probe_ring",
        "Ring::get_probe_ring",
        "5.6",
        "returns a `Probe` value",
    ),
    (
        "io_uring_opcode_supported",
        "probe::Probe::opcode_supported",
        "5.6",
        "",
    ),
    (
        "io_uring_register_probe",
        "Ring::register_probe",
        "5.6",
        "`unsafe`; safe: `Ring::register_probe_into`",
    ),
    // Registered files and buffers.
    (
        "io_uring_register_files",
        "Ring::register_files",
        "5.1",
        "`unsafe`: raw fds",
    ),
    (
        "io_uring_register_files_tags",
        "Ring::register_files_tags",
        "5.13",
        "`unsafe`: raw fds, tag CQEs",
    ),
    (
        "io_uring_register_files_sparse",
        "Ring::register_files_sparse",
        "5.19",
        "",
    ),
    (
        "io_uring_register_files_update",
        "Ring::register_files_update",
        "5.5",
        "`unsafe`: raw fds",
    ),
    (
        "io_uring_register_files_update_tag",
        "Ring::register_files_update_tag",
        "5.13",
        "`unsafe`: raw fds, tag CQEs",
    ),
    (
        "io_uring_unregister_files",
        "Ring::unregister_files",
        "5.1",
        "`unsafe`: queued requests may still name a slot",
    ),
    (
        "io_uring_register_file_alloc_range",
        "Ring::register_file_alloc_range",
        "6.0",
        "",
    ),
    (
        "io_uring_register_buffers",
        "Ring::register_buffers",
        "5.1",
        "`unsafe`: memory lent",
    ),
    (
        "io_uring_register_buffers_tags",
        "Ring::register_buffers_tags",
        "5.13",
        "`unsafe`",
    ),
    (
        "io_uring_register_buffers_sparse",
        "Ring::register_buffers_sparse",
        "5.19",
        "",
    ),
    (
        "io_uring_register_buffers_update_tag",
        "Ring::register_buffers_update_tag",
        "5.13",
        "`unsafe`",
    ),
    (
        "io_uring_unregister_buffers",
        "Ring::unregister_buffers",
        "5.1",
        "`unsafe`: queued requests may still name a slot",
    ),
    (
        "io_uring_clone_buffers",
        "Ring::clone_buffers",
        "6.12",
        "`unsafe`",
    ),
    (
        "io_uring_clone_buffers_offset",
        "Ring::clone_buffers_offset",
        "6.13",
        "`unsafe`",
    ),
    (
        "__io_uring_clone_buffers",
        "Ring::__clone_buffers",
        "6.12",
        "`unsafe`",
    ),
    (
        "__io_uring_clone_buffers_offset",
        "Ring::__clone_buffers_offset",
        "6.13",
        "`unsafe`",
    ),
    // Provided buffer rings.
    (
        "io_uring_register_buf_ring",
        "Ring::register_buf_ring",
        "5.19",
        "`unsafe`; owned: `buf_ring::BufRing`",
    ),
    (
        "io_uring_unregister_buf_ring",
        "Ring::unregister_buf_ring",
        "5.19",
        "`unsafe`",
    ),
    (
        "io_uring_setup_buf_ring",
        "Ring::setup_buf_ring",
        "5.19",
        "owned: `buf_ring::BufRing::setup`",
    ),
    (
        "io_uring_free_buf_ring",
        "Ring::free_buf_ring",
        "5.19",
        "`unsafe`",
    ),
    ("io_uring_buf_ring_head", "Ring::buf_ring_head", "6.8", ""),
    ("io_uring_buf_ring_mask", "buf_ring::buf_ring_mask", "-", ""),
    (
        "io_uring_buf_ring_init",
        "buf_ring::buf_ring_init",
        "-",
        "`unsafe`: raw ring pointer",
    ),
    (
        "io_uring_buf_ring_add",
        "buf_ring::buf_ring_add",
        "-",
        "`unsafe`",
    ),
    (
        "io_uring_buf_ring_advance",
        "buf_ring::buf_ring_advance",
        "5.19",
        "`unsafe`",
    ),
    (
        "io_uring_buf_ring_cq_advance",
        "buf_ring::buf_ring_cq_advance",
        "5.19",
        "`unsafe`",
    ),
    (
        "__io_uring_buf_ring_cq_advance",
        "buf_ring::__buf_ring_cq_advance",
        "5.19",
        "`unsafe`",
    ),
    (
        "io_uring_buf_ring_available",
        "buf_ring::buf_ring_available",
        "6.8",
        "`unsafe`",
    ),
    // Other registrations.
    (
        "io_uring_register_eventfd",
        "Ring::register_eventfd",
        "5.2",
        "`unsafe`: raw fd",
    ),
    (
        "io_uring_register_eventfd_async",
        "Ring::register_eventfd_async",
        "5.6",
        "`unsafe`: raw fd",
    ),
    (
        "io_uring_unregister_eventfd",
        "Ring::unregister_eventfd",
        "5.2",
        "",
    ),
    (
        "io_uring_register_personality",
        "Ring::register_personality",
        "5.6",
        "",
    ),
    (
        "io_uring_unregister_personality",
        "Ring::unregister_personality",
        "5.6",
        "`unsafe`: a queued SQE may name the id",
    ),
    (
        "io_uring_register_restrictions",
        "Ring::register_restrictions",
        "5.10",
        "",
    ),
    (
        "io_uring_register_iowq_aff",
        "Ring::register_iowq_aff",
        "5.14",
        "a CPU mask as bytes",
    ),
    (
        "io_uring_unregister_iowq_aff",
        "Ring::unregister_iowq_aff",
        "5.14",
        "",
    ),
    (
        "io_uring_register_iowq_max_workers",
        "Ring::register_iowq_max_workers",
        "5.15",
        "",
    ),
    (
        "io_uring_register_ring_fd",
        "Ring::register_ring_fd",
        "5.18",
        "",
    ),
    (
        "io_uring_unregister_ring_fd",
        "Ring::unregister_ring_fd",
        "5.18",
        "",
    ),
    (
        "io_uring_register_sync_cancel",
        "Ring::register_sync_cancel",
        "6.0",
        "",
    ),
    (
        "io_uring_register_sync_msg",
        "register::register_sync_msg",
        "6.13",
        "`unsafe`: a CQE of the caller's choosing",
    ),
    // Resizing, regions, registered waits, query, zero-copy receive, BPF.
    (
        "io_uring_resize_rings",
        "Ring::resize_rings",
        "6.13",
        "needs IORING_SETUP_DEFER_TASKRUN; NO_MMAP rings: `EINVAL`",
    ),
    (
        "io_uring_register_region",
        "Ring::register_region",
        "6.13",
        "`unsafe`: the kernel keeps the memory",
    ),
    (
        "io_uring_register_wait_reg",
        "Ring::register_wait_reg",
        "-",
        "always `EINVAL`, as liburing 2.15's stub",
    ),
    (
        "io_uring_submit_and_wait_reg",
        "Ring::submit_and_wait_reg",
        "6.13",
        "split: `CompletionQueue::wait_reg`",
    ),
    (
        "io_uring_register_query",
        "register::register_query",
        "6.18",
        "`unsafe`: raw header chain; safe typed: `register::query`",
    ),
    (
        "io_uring_register_ifq",
        "Ring::register_ifq",
        "6.15",
        "`unsafe`: the device writes the area",
    ),
    (
        "io_uring_register_zcrx_ctrl",
        "Ring::register_zcrx_ctrl",
        "6.19",
        "",
    ),
    (
        "io_uring_register_bpf_filter",
        "Ring::register_bpf_filter",
        "7.0",
        "`unsafe`: the kernel follows `filter_ptr`",
    ),
    (
        "io_uring_register_bpf_filter_task",
        "register::register_bpf_filter_task",
        "7.0",
        "`unsafe`: the kernel follows `filter_ptr`",
    ),
    ("io_uring_register_napi", "Ring::register_napi", "6.9", ""),
    (
        "io_uring_unregister_napi",
        "Ring::unregister_napi",
        "6.9",
        "",
    ),
    (
        "io_uring_register_clock",
        "Ring::register_clock",
        "6.12",
        "",
    ),
    // Multishot recvmsg buffers.
    (
        "io_uring_recvmsg_validate",
        "recvmsg_out::recvmsg_validate",
        "-",
        "checked: `recvmsg_out::RecvMsgOut`",
    ),
    (
        "io_uring_recvmsg_name",
        "recvmsg_out::recvmsg_name",
        "-",
        "",
    ),
    (
        "io_uring_recvmsg_cmsg_firsthdr",
        "recvmsg_out::recvmsg_cmsg_firsthdr",
        "-",
        "`unsafe`",
    ),
    (
        "io_uring_recvmsg_cmsg_nexthdr",
        "recvmsg_out::recvmsg_cmsg_nexthdr",
        "-",
        "`unsafe`",
    ),
    (
        "io_uring_recvmsg_payload",
        "recvmsg_out::recvmsg_payload",
        "-",
        "",
    ),
    (
        "io_uring_recvmsg_payload_length",
        "recvmsg_out::recvmsg_payload_length",
        "-",
        "",
    ),
];

/// liburing names with no counterpart, and why.
const NOT_APPLICABLE: &[(&str, &str)] = &[(
    "io_uring_free_probe",
    "nothing is allocated: `get_probe` returns a `Probe` value, freed like any other",
)];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Exported symbols of liburing.map → the version node that added them.
fn map_symbols() -> BTreeMap<String, String> {
    let text = fs::read_to_string(root().join("vendor/liburing/src/liburing.map")).unwrap();
    let mut out = BTreeMap::new();
    let mut node = String::new();
    for line in text.lines() {
        let l = line.trim();
        if let Some(n) = l.strip_suffix('{') {
            node = n.trim().trim_start_matches("LIBURING_").to_string();
        } else if let Some(sym) = l.strip_suffix(';') {
            let sym = sym.trim();
            if sym.contains("io_uring") && !sym.contains(' ') {
                out.insert(sym.to_string(), node.clone());
            }
        }
    }
    out
}

/// Every `IOURINGINLINE` function of liburing.h, in header order.
fn inline_functions() -> Vec<String> {
    let text = fs::read_to_string(root().join("vendor/liburing/include/liburing.h")).unwrap();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = Vec::new();
    for (i, _) in flat.match_indices("IOURINGINLINE") {
        let rest = &flat[i + "IOURINGINLINE".len()..];
        let Some(open) = rest.find('(') else { continue };
        let head = &rest[..open];
        // `#define IOURINGINLINE ...`, `#ifndef IOURINGINLINE`: not a fn.
        if head.contains(['#', ';', '{', '}']) {
            continue;
        }
        let name = head
            .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .next()
            .unwrap();
        if !name.is_empty() {
            out.push(name.to_string());
        }
    }
    out
}

fn is_prep(name: &str) -> bool {
    name.starts_with("io_uring_prep_") || name.starts_with("__io_uring_prep_")
}

/// The prep helpers of liburing.h and their `prep::` name.
fn prep_rows() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = inline_functions()
        .into_iter()
        .filter(|n| is_prep(n))
        .map(|n| {
            let r = match n.strip_prefix("io_uring_prep_") {
                Some(r) => r.to_string(),
                None => format!("__{}", n.trim_start_matches("__io_uring_prep_")),
            };
            (n, format!("prep::{r}"))
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

// ---- does a path exist in uring-core/src?

/// One source file of uring-core: its module path (`ring`, `ring::layout`)
/// and text with `//` comments removed.
struct Src {
    module: String,
    text: String,
}

fn sources() -> Vec<Src> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<Src>) {
        let mut entries: Vec<_> = fs::read_dir(dir).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.path());
        for e in entries {
            let p = e.path();
            if p.is_dir() {
                walk(&p, base, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(base).unwrap().with_extension("");
                let mut parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
                    parts.pop();
                }
                let text = fs::read_to_string(&p)
                    .unwrap()
                    .lines()
                    .map(|l| match l.find("//") {
                        Some(i) => &l[..i],
                        None => l,
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                out.push(Src {
                    module: parts.join("::"),
                    text,
                });
            }
        }
    }
    let base = root().join("uring-core/src");
    let mut out = Vec::new();
    walk(&base, &base, &mut out);
    out
}

/// Whether `line` (trimmed) declares fn `name`, `pub` unless `any_vis`.
fn declares_fn(line: &str, name: &str, any_vis: bool) -> bool {
    let mut l = line.trim_start();
    match l.strip_prefix("pub ") {
        Some(rest) => l = rest,
        None if !any_vis => return false,
        None => {}
    }
    for q in ["const ", "unsafe ", "extern \"C\" "] {
        if let Some(rest) = l.strip_prefix(q) {
            l = rest;
        }
    }
    l.strip_prefix("fn ")
        .and_then(|r| r.strip_prefix(name))
        .is_some_and(|r| r.starts_with(['(', '<']))
}

/// Top-level `impl` blocks of `text` (at column 0): (self type, trait
/// impl?, body).
fn impl_blocks(text: &str) -> Vec<(String, bool, String)> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if !(line.starts_with("impl ") || line.starts_with("impl<")) {
            continue;
        }
        let mut header = line.to_string();
        while !header.contains('{') {
            match lines.next() {
                Some(l) => header.push_str(l),
                None => break,
            }
        }
        let header = header[..header.find('{').unwrap_or(header.len())].to_string();
        let (ty, is_trait) = match header.find(" for ") {
            Some(i) => (&header[i + 5..], true),
            None => {
                // Skip the impl's own generics: `impl<'a, C> Type<..>`.
                let mut depth = 0;
                let mut start = 4;
                for (i, c) in header.char_indices().skip(4) {
                    match c {
                        '<' => depth += 1,
                        '>' => depth -= 1,
                        ' ' if depth == 0 => {
                            start = i;
                            break;
                        }
                        _ => {}
                    }
                }
                (&header[start..], false)
            }
        };
        let ty = ty.trim();
        let ty = ty[..ty.find('<').unwrap_or(ty.len())].trim();
        let ty = ty.rsplit("::").next().unwrap().to_string();
        let mut body = String::new();
        for l in lines.by_ref() {
            if l == "}" {
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        out.push((ty, is_trait, body));
    }
    out
}

/// Whether `path` (`Ring::x`, `ring::memory_size`, `cq::CqeIter::next`,
/// `probe::Probe::opcode_supported`) names a fn in uring-core: a `pub fn`
/// at the top level of the module (or a `pub use` of it), or a fn of an
/// `impl` of the type (`pub` unless a trait impl) anywhere in the module.
fn path_exists(srcs: &[Src], path: &str) -> bool {
    let segs: Vec<&str> = path.split("::").collect();
    let ty = segs
        .iter()
        .position(|s| s.starts_with(|c: char| c.is_ascii_uppercase()));
    let module = segs[..ty.unwrap_or(segs.len() - 1)].join("::");
    let name = *segs.last().unwrap();
    let in_module = |s: &&Src| {
        module.is_empty() || s.module == module || s.module.starts_with(&format!("{module}::"))
    };
    match ty {
        Some(t) => {
            assert_eq!(t + 2, segs.len(), "{path}: expected [module::]Type::fn");
            srcs.iter().filter(in_module).any(|s| {
                impl_blocks(&s.text)
                    .iter()
                    .filter(|(ty, _, _)| ty == segs[t])
                    .any(|(_, is_trait, body)| {
                        body.lines().any(|l| declares_fn(l, name, *is_trait))
                    })
            })
        }
        None => srcs.iter().filter(in_module).any(|s| {
            s.text.lines().any(|l| {
                (!l.starts_with(' ') && declares_fn(l, name, false))
                    || (l.starts_with("pub use ")
                        && l.trim_end_matches(';')
                            .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                            .any(|w| w == name))
            })
        }),
    }
}

// ---- rendering

fn esc(s: &str) -> String {
    s.replace('|', "\\|")
}

/// `link`: rustdoc intra-doc links (`crate::...`), else plain code.
fn item(path: &str, link: bool) -> String {
    if link {
        format!("[`{path}`](crate::{path})")
    } else {
        format!("`{path}`")
    }
}

fn render(link: bool) -> String {
    let map = map_symbols();
    let mut s = String::new();
    s.push_str(
        "<!-- Generated by tests/api_coverage.rs (bash scripts/liburing-api.sh); do not edit. -->\n",
    );
    if !link {
        s.push_str("# liburing 2.15 → bare-uring\n\n");
    }
    s.push_str(
        "Every function liburing 2.15 exports (`src/liburing.map`) and every \
         inline function of `liburing.h`, with its counterpart in bare-uring \
         (paths from the crate root, `bare_uring::`). Names are liburing's \
         minus the `io_uring_` prefix: methods of `Ring` where liburing takes \
         `struct io_uring *`, free functions otherwise. *liburing*: the \
         library version that exported it (`inline`: a header function). \
         *Kernel*: the first Linux release where it does anything (`-`: it \
         never enters the kernel); each function's docs say what it returns \
         on older kernels. `tests/api_coverage.rs` checks that this list is \
         complete and that each path exists.\n\n",
    );
    s.push_str("| liburing | since | bare-uring | kernel | note |\n|---|---|---|---|---|\n");
    let mut rows: Vec<_> = TABLE.to_vec();
    rows.sort_by_key(|r| r.0.trim_start_matches('_'));
    for (c, path, kernel, note) in rows {
        let since = map.get(c).map_or("inline".to_string(), |v| v.clone());
        s.push_str(&format!(
            "| `{c}` | {since} | {} | {kernel} | {} |\n",
            item(path, link),
            esc(note)
        ));
    }
    s.push_str("\n## Not applicable\n\n| liburing | why |\n|---|---|\n");
    for (c, why) in NOT_APPLICABLE {
        s.push_str(&format!("| `{c}` | {} |\n", esc(why)));
    }
    s.push_str(
        "\n## Prep helpers\n\nEach `io_uring_prep_X` is `prep::X`, byte-exact \
         (`tests/prep_conformance.rs` compares every one with C); the opcode's \
         kernel version is in its docs.\n\n| liburing | bare-uring |\n|---|---|\n",
    );
    for (c, path) in prep_rows() {
        s.push_str(&format!("| `{c}` | {} |\n", item(&path, link)));
    }
    s
}

#[test]
fn every_liburing_function_has_a_counterpart() {
    let map = map_symbols();
    let inline = inline_functions();
    let mut required: BTreeSet<String> = map.keys().cloned().collect();
    required.extend(inline.iter().filter(|n| !is_prep(n)).cloned());
    println!(
        "liburing.map: {} symbols; liburing.h: {} inline functions ({} prep helpers)",
        map.len(),
        inline.len(),
        inline.iter().filter(|n| is_prep(n)).count()
    );
    assert!(
        map.len() > 80,
        "liburing.map parsed to only {} symbols",
        map.len()
    );
    assert!(
        inline.len() > 140,
        "liburing.h parsed to only {} inline fns",
        inline.len()
    );

    let mut listed: BTreeMap<&str, &str> = BTreeMap::new();
    let mut dup = Vec::new();
    let all = TABLE
        .iter()
        .map(|r| (r.0, "table"))
        .chain(NOT_APPLICABLE.iter().map(|r| (r.0, "not applicable")));
    for (c, list) in all {
        if let Some(prev) = listed.insert(c, list) {
            dup.push(format!("{c} ({prev} and {list})"));
        }
    }
    assert!(dup.is_empty(), "listed twice: {dup:?}");
    let missing: Vec<_> = required
        .iter()
        .filter(|c| !listed.contains_key(c.as_str()))
        .collect();
    let stale: Vec<_> = listed.keys().filter(|c| !required.contains(**c)).collect();
    assert!(
        missing.is_empty(),
        "{} liburing functions have no counterpart and no 'not applicable' entry: {missing:?}",
        missing.len()
    );
    assert!(
        stale.is_empty(),
        "listed but not in liburing 2.15: {stale:?}"
    );

    let srcs = sources();
    let absent: Vec<String> = TABLE
        .iter()
        .map(|r| (r.0, r.1))
        .chain(prep_rows().iter().map(|(c, p)| (c.as_str(), p.as_str())))
        .filter(|(_, p)| !path_exists(&srcs, p))
        .map(|(c, p)| format!("{c} -> {p}"))
        .collect();
    println!(
        "{} mapped, {} not applicable, {} prep helpers",
        TABLE.len(),
        NOT_APPLICABLE.len(),
        prep_rows().len()
    );
    assert!(
        absent.is_empty(),
        "paths not found in uring-core/src: {absent:?}"
    );
}

/// The checker itself: it must reject what does not exist.
#[test]
fn path_check_rejects_missing_items() {
    let srcs = sources();
    for p in [
        "Ring::queue_init",
        "ring::memory_size",
        "cq::CqeIter::next",
        "probe::Probe::opcode_supported",
        "helpers::initialize_sqe",
        "prep::__uring_cmd",
    ] {
        assert!(path_exists(&srcs, p), "{p} should exist");
    }
    for p in [
        "Ring::no_such_method",
        "ring::queue_init",
        "cq::Ring::sqe_shift",
        "probe::Probe::new_in",
        "Ring::enter_ctx",
        "sq::SqRing::head",
    ] {
        assert!(!path_exists(&srcs, p), "{p} should not exist");
    }
}

#[test]
fn committed_api_docs_are_current() {
    let write = std::env::var_os("URING_WRITE_API_DOCS").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (rel, link) in [
        ("uring-core/src/liburing_api.md", true),
        ("docs/LIBURING_API.md", false),
    ] {
        let path = root().join(rel);
        let want = render(link);
        if write {
            fs::write(&path, &want).unwrap();
            println!("wrote {rel}");
        } else if fs::read_to_string(&path).ok().as_deref() != Some(want.as_str()) {
            stale.push(rel);
        }
    }
    assert!(
        stale.is_empty(),
        "{stale:?} differ from the table in tests/api_coverage.rs: run `bash scripts/liburing-api.sh`"
    );
}

// ---- pure comparisons with C liburing

extern "C" {
    fn io_uring_major_version() -> i32;
    fn io_uring_minor_version() -> i32;
    fn io_uring_check_version(major: i32, minor: i32) -> bool;
    fn io_uring_memory_size(entries: u32, flags: u32) -> isize;
    fn io_uring_memory_size_params(entries: u32, p: *mut io_uring_params) -> isize;
    fn ref_io_uring_sqe_shift_from_flags(flags: u32) -> u32;
    fn ref_io_uring_cqe_shift_from_flags(flags: u32) -> u32;
}

#[test]
fn versions_match_liburing() {
    // SAFETY: plain C functions without arguments.
    let (maj, min) = unsafe { (io_uring_major_version(), io_uring_minor_version()) };
    assert_eq!(
        (version::major_version(), version::minor_version()),
        (maj, min)
    );
    for major in -1..=4 {
        for minor in -1..=20 {
            // SAFETY: a pure C function.
            let c = unsafe { io_uring_check_version(major, minor) };
            assert_eq!(version::check_version(major, minor), c, "{major}.{minor}");
        }
    }
    println!("liburing API {maj}.{min}; check_version agrees on 6 x 22 pairs");
}

#[test]
fn shifts_from_flags_match_liburing() {
    let mut flags: Vec<u32> = (0..32).map(|b| 1u32 << b).collect();
    flags.extend([0, u32::MAX, IORING_SETUP_SQE128 | IORING_SETUP_CQE32]);
    for f in flags {
        // SAFETY: pure C functions.
        let (s, c) = unsafe {
            (
                ref_io_uring_sqe_shift_from_flags(f),
                ref_io_uring_cqe_shift_from_flags(f),
            )
        };
        assert_eq!(sq::sqe_shift_from_flags(f), s, "sqe shift, flags {f:#x}");
        assert_eq!(cq::cqe_shift_from_flags(f), c, "cqe shift, flags {f:#x}");
    }
}

/// Ours against C's for one case: the same error, or a size no smaller
/// than C's and at most one page larger (ours bounds the kernel's ring
/// header at 320 bytes and doubles it with CQE32, as the kernel does;
/// liburing counts 64). Returns whether they are equal.
fn same_size(
    what: &str,
    ours: Result<usize, bare_uring::Errno>,
    c: isize,
    mixed_of_one: bool,
) -> bool {
    match ours {
        Ok(n) => {
            assert!(c >= 0, "{what}: ours {n}, liburing {c}");
            let c = c as usize;
            assert!(
                c <= n && n <= c + page_size(),
                "{what}: ours {n}, liburing {c}"
            );
            n == c
        }
        // The kernel refuses SQE_MIXED / CQE_MIXED rings of one entry
        // (its rings_size()); ours says so, liburing sizes them anyway.
        Err(bare_uring::Errno::EINVAL) if mixed_of_one => false,
        Err(e) => {
            assert_eq!(-(e.raw() as isize), c, "{what}: ours {e:?}");
            true
        }
    }
}

/// The entries and flags `io_uring_memory_size*` and
/// `io_uring_mlock_size*` are compared on.
fn size_cases() -> Vec<(u32, u32, u32)> {
    let mut v = Vec::new();
    let flags = [
        0,
        IORING_SETUP_SQE128,
        IORING_SETUP_CQE32,
        IORING_SETUP_SQE128 | IORING_SETUP_CQE32,
        IORING_SETUP_NO_SQARRAY,
        IORING_SETUP_CQE32 | IORING_SETUP_NO_SQARRAY,
        IORING_SETUP_CLAMP,
        IORING_SETUP_SQE_MIXED | IORING_SETUP_CQE_MIXED,
    ];
    for e in [
        0, 1, 2, 3, 8, 63, 64, 100, 128, 255, 256, 1000, 4096, 32768, 32769, 100_000,
    ] {
        for f in flags {
            v.push((e, f, 0));
        }
        for cq in [0, 1, 2, 1000, 65536, 65537, 1 << 20] {
            v.push((e, IORING_SETUP_CQSIZE, cq));
            v.push((e, IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP, cq));
        }
    }
    v
}

#[test]
fn memory_size_matches_liburing() {
    let (mut equal, mut total) = (0, 0);
    for (entries, flags, cq_entries) in size_cases() {
        let what = format!("entries {entries}, flags {flags:#x}, cq_entries {cq_entries}");
        let mixed = IORING_SETUP_SQE_MIXED | IORING_SETUP_CQE_MIXED;
        let mixed_of_one = entries == 1 && flags & mixed != 0;
        let mut p = Params::new().with_flags(flags);
        p.cq_entries = cq_entries;
        let mut cp: io_uring_params = p.0;
        // SAFETY: `cp` is a valid io_uring_params; C only reads it.
        let c = unsafe { io_uring_memory_size_params(entries, &mut cp) };
        equal += same_size(&what, memory_size_params(entries, &p), c, mixed_of_one) as usize;
        if cq_entries == 0 {
            // SAFETY: a pure C function.
            let c = unsafe { io_uring_memory_size(entries, flags) };
            equal += same_size(&what, memory_size(entries, flags), c, mixed_of_one) as usize;
            total += 1;
        }
        total += 1;
    }
    println!("{total} cases: {equal} equal to liburing, the rest at most a page larger");
    assert!(equal * 2 > total, "most sizes should agree exactly");
}
