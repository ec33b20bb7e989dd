//! Every field offset and size of the io_uring ABI structs (and of the
//! hand-written Linux types in bare-uring-sys) compared with what the C compiler
//! computes from the vendored headers. Field list: tests/layout_fields.txt.

extern crate uring;

use std::ffi::{c_char, CStr};

macro_rules! field_size {
    ($t:ty, $($f:tt)+) => {{
        let u = core::mem::MaybeUninit::<$t>::uninit();
        let p = u.as_ptr();
        // SAFETY: addr_of! computes the field address without reading the
        // (uninitialised) value.
        #[allow(unused_unsafe)]
        let fp = unsafe { core::ptr::addr_of!((*p).$($f)+) };
        size_of_pointee(fp)
    }};
}

fn size_of_pointee<T>(_: *const T) -> usize {
    core::mem::size_of::<T>()
}

/// Offset and size of the bytes `set` changes in a zeroed `T` (for members
/// of anonymous unions, private to bare-uring-sys and reached only through their
/// accessors).
fn probe<T: Default>(set: impl Fn(&mut T)) -> (i64, i64) {
    let mut v = T::default();
    set(&mut v);
    // SAFETY: T is a plain C struct of integers, fully initialised (Default
    // zeroes it), so its bytes may be read.
    let bytes = unsafe {
        std::slice::from_raw_parts((&v as *const T).cast::<u8>(), std::mem::size_of::<T>())
    };
    let first = bytes
        .iter()
        .position(|&b| b != 0)
        .expect("setter wrote nothing");
    let last = bytes.iter().rposition(|&b| b != 0).unwrap();
    (first as i64, (last + 1 - first) as i64)
}

/// Offset of the address an accessor returns inside a `T`.
fn ptr_probe<T: Default>(get: impl Fn(&mut T) -> *mut u8) -> i64 {
    let mut v = T::default();
    let base = &mut v as *mut T as usize;
    (get(&mut v) as usize - base) as i64
}

include!(concat!(env!("OUT_DIR"), "/layout_rust.rs"));

#[repr(C)]
struct CField {
    strukt: *const c_char,
    member: *const c_char,
    offset: i64,
    size: i64,
}
#[repr(C)]
struct CType {
    name: *const c_char,
    size: i64,
    align: i64,
}
extern "C" {
    fn uring_layout_fields(n: *mut usize) -> *const CField;
    fn uring_layout_types(n: *mut usize) -> *const CType;
}

fn s(p: *const c_char) -> &'static str {
    // SAFETY: the C table holds NUL-terminated string literals.
    unsafe { CStr::from_ptr(p) }.to_str().unwrap()
}

#[test]
fn field_offsets_and_sizes_match_c() {
    let mut n = 0;
    // SAFETY: returns a pointer to a static array of n entries.
    let c = unsafe { std::slice::from_raw_parts(uring_layout_fields(&mut n), n) };
    let r = rust_fields();
    assert_eq!(c.len(), r.len());
    let mut bad = Vec::new();
    for (c, (st, m, off, size)) in c.iter().zip(r) {
        assert_eq!((s(c.strukt), s(c.member)), (st, m));
        if c.offset != off || c.size != size {
            bad.push(format!(
                "{st}.{m}: C offset {} size {}, Rust offset {off} size {size}",
                c.offset, c.size
            ));
        }
    }
    println!("{} fields compared with C", c.len());
    assert!(bad.is_empty(), "layout mismatches:\n{}", bad.join("\n"));
}

#[test]
fn struct_sizes_and_alignments_match_c() {
    let mut n = 0;
    // SAFETY: returns a pointer to a static array of n entries.
    let c = unsafe { std::slice::from_raw_parts(uring_layout_types(&mut n), n) };
    let r = rust_types();
    assert_eq!(c.len(), r.len());
    let mut bad = Vec::new();
    for (c, (st, size, align)) in c.iter().zip(r) {
        assert_eq!(s(c.name), st);
        if c.size != size || c.align != align {
            bad.push(format!(
                "{st}: C size {} align {}, Rust size {size} align {align}",
                c.size, c.align
            ));
        }
        println!("{st:<28} size {size:>4} align {align}");
    }
    assert!(bad.is_empty(), "layout mismatches:\n{}", bad.join("\n"));
}

#[repr(C)]
struct CConst {
    name: *const c_char,
    value: u64,
}
extern "C" {
    fn uring_hand_consts(n: *mut std::ffi::c_ulong) -> *const CConst;
}

#[test]
fn hand_written_constants_match_c() {
    let mut n = 0;
    // SAFETY: returns a pointer to a static array of n entries.
    let c = unsafe { std::slice::from_raw_parts(uring_hand_consts(&mut n), n as usize) };
    let r = bare_uring_sys::consts::HAND_WRITTEN;
    assert_eq!(c.len(), r.len());
    for (c, (name, value)) in c.iter().zip(r) {
        assert_eq!(s(c.name), *name);
        assert_eq!(c.value, *value, "{name}: C {:#x}, Rust {value:#x}", c.value);
    }
}
