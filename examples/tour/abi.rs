//! Section 2: the ABI this binary was built against — structure sizes and
//! alignments from the bindgen-generated `bare-uring-sys`. The tour builds from
//! the workspace's crates alone (no C compiler), so it does not compare them
//! with C here: `cargo test --test layout` does, field by field, against the
//! vendored headers compiled by the root package's `build.rs`.

use std::mem::{align_of, size_of};

use bare_uring::sys::*;

/// `(name, size, align)` of the structures the tour shows.
macro_rules! rust_layouts {
    ($($t:ident),* $(,)?) => {
        [$((stringify!($t), size_of::<$t>(), align_of::<$t>())),*]
    };
}

/// Prints section 2.
pub fn section() {
    println!(
        "\n== ABI (liburing 2.15 UAPI headers in vendor/, {})",
        std::env::consts::ARCH
    );
    let rows = rust_layouts!(
        io_uring_sqe,
        io_uring_cqe,
        io_uring_params,
        io_sqring_offsets,
        io_cqring_offsets,
        io_uring_probe,
        io_uring_probe_op,
        io_uring_buf,
        io_uring_buf_ring,
        io_uring_buf_reg,
        io_uring_recvmsg_out,
        io_uring_rsrc_register,
        io_uring_rsrc_update2,
        io_uring_getevents_arg,
        io_uring_sync_cancel_reg,
        io_uring_file_index_range,
        io_uring_restriction,
        io_uring_region_desc,
        io_uring_mem_region_reg,
        io_uring_napi,
    );
    let cells: Vec<String> = rows
        .iter()
        .map(|(name, size, align)| format!("{name:<26}{size:>4}/{align}"))
        .collect();
    for chunk in cells.chunks(3) {
        println!("  {}", chunk.join("    "));
    }
    println!(
        "  size/align in bytes, as compiled into this binary (size_of/align_of); IORING_OP_LAST = {IORING_OP_LAST}"
    );
    println!(
        "  (not compared with C here, to keep this build C-free: `cargo test --test layout` compares every field offset with C)"
    );
}
