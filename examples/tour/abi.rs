//! Section 2: the ABI this binary was built against — structure sizes from
//! the bindgen-generated `uring-sys`, each compared with C's `sizeof` and
//! `_Alignof` from the vendored headers (the C table is compiled by the root
//! package's `build.rs`).

use std::ffi::{c_char, c_long, CStr};
use std::mem::{align_of, size_of};

use uring_core::sys::*;

/// One row of the C table built from `tests/layout_fields.txt`.
#[repr(C)]
struct CType {
    name: *const c_char,
    size: c_long,
    align: c_long,
}

extern "C" {
    /// In the `uring_ref` static library of the root package.
    fn uring_layout_types(n: *mut usize) -> *const CType;
}

/// `(name, size, align)` of the structures the tour shows.
macro_rules! rust_layouts {
    ($($t:ident),* $(,)?) => {
        [$((stringify!($t), size_of::<$t>(), align_of::<$t>())),*]
    };
}

/// C's `(size, align)` of struct `name`, if the C table has it.
fn c_layout(table: &[CType], name: &str) -> Option<(usize, usize)> {
    table.iter().find_map(|t| {
        // SAFETY: the C table holds NUL-terminated string literals.
        let n = unsafe { CStr::from_ptr(t.name) };
        (n.to_bytes() == name.as_bytes()).then_some((t.size as usize, t.align as usize))
    })
}

/// Prints section 2; returns the number of mismatches with C.
pub fn section() -> usize {
    println!(
        "\n== ABI (liburing 2.15 UAPI headers in vendor/, {})",
        std::env::consts::ARCH
    );
    let mut n = 0;
    // SAFETY: returns a pointer to a static array of `n` entries.
    let table = unsafe { std::slice::from_raw_parts(uring_layout_types(&mut n), n) };
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
    let mut bad = Vec::new();
    let mut cells = Vec::new();
    for (name, size, align) in rows {
        match c_layout(table, name) {
            Some(c) if c == (size, align) => {}
            Some((cs, ca)) => bad.push(format!(
                "{name}: Rust size {size} align {align}, C size {cs} align {ca}"
            )),
            None => bad.push(format!("{name}: not in the C table")),
        }
        cells.push(format!("{name:<26}{size:>4}"));
    }
    for chunk in cells.chunks(3) {
        println!("  {}", chunk.join("    "));
    }
    println!(
        "  sizes in bytes; {} of {} equal to C's sizeof and _Alignof of the same headers",
        rows.len() - bad.len(),
        rows.len()
    );
    println!(
        "  (tests/layout.rs compares every field offset of {} types with C; IORING_OP_LAST = {})",
        table.len(),
        IORING_OP_LAST
    );
    for b in &bad {
        println!("  MISMATCH: {b}");
    }
    bad.len()
}
