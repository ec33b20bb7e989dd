//! liburing's inline helpers beyond `io_uring_prep_*` that touch SQEs, CQEs,
//! buffer rings or recvmsg buffers: each must have a Rust twin in bare-uring
//! and a byte-exact test against C (a `ref_io_uring_X` wrapper in
//! tests/c/*.c that a test in tests/*.rs calls). The prep helpers have their
//! own generated coverage (tests/prep_conformance.rs).

use std::fs;
use std::path::Path;

/// The non-prep helpers the conformance promise covers (liburing names).
const REQUIRED: &[&str] = &[
    "io_uring_sqe_set_data",
    "io_uring_sqe_set_data64",
    "io_uring_sqe_set_flags",
    "io_uring_sqe_set_buf_group",
    "io_uring_initialize_sqe",
    "io_uring_cqe_get_data",
    "io_uring_cqe_get_data64",
    "io_uring_buf_ring_init",
    "io_uring_buf_ring_add",
    "io_uring_buf_ring_advance",
    "io_uring_buf_ring_cq_advance",
    "io_uring_buf_ring_mask",
    "io_uring_buf_ring_available",
    "io_uring_recvmsg_validate",
    "io_uring_recvmsg_name",
    "io_uring_recvmsg_cmsg_firsthdr",
    "io_uring_recvmsg_cmsg_nexthdr",
    "io_uring_recvmsg_payload",
    "io_uring_recvmsg_payload_length",
];

fn read_tree(dir: &Path, ext: &str, out: &mut String) {
    for e in fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            read_tree(&p, ext, out);
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push_str(&fs::read_to_string(&p).unwrap());
        }
    }
}

#[test]
fn non_prep_helpers_have_twins_and_byte_exact_tests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let header = fs::read_to_string(root.join("vendor/liburing/include/liburing.h")).unwrap();
    let (mut core, mut c_refs, mut tests) = (String::new(), String::new(), String::new());
    read_tree(&root.join("uring-core/src"), "rs", &mut core);
    read_tree(&root.join("tests/c"), "c", &mut c_refs);
    for e in fs::read_dir(root.join("tests")).unwrap().flatten() {
        if e.path().extension().is_some_and(|x| x == "rs") {
            tests.push_str(&fs::read_to_string(e.path()).unwrap());
        }
    }
    let mut missing = Vec::new();
    for c in REQUIRED {
        assert!(
            header.contains(&format!("{c}(")),
            "{c} is no longer in liburing.h: update REQUIRED"
        );
        let rust = c.strip_prefix("io_uring_").unwrap();
        let twin = ["pub fn ", "pub unsafe fn ", "pub const fn "]
            .iter()
            .any(|p| {
                core.contains(&format!("{p}{rust}(")) || core.contains(&format!("{p}{rust}<"))
            });
        let wrapper = c_refs.contains(&format!("ref_{c}("));
        let used = tests.contains(&format!("ref_{c}("));
        println!("{c:<34} twin {twin:<5} C wrapper {wrapper:<5} tested {used}");
        if !(twin && wrapper && used) {
            missing.push(*c);
        }
    }
    assert!(
        missing.is_empty(),
        "helpers without a Rust twin or byte-exact test: {missing:?}"
    );
}
