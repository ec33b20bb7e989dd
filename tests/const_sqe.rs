//! SQEs built at compile time: the `const fn` prep helpers (every helper
//! whose arguments are plain integers) fill a `static` table, which must
//! equal, byte for byte, what C liburing 2.15 writes for the same calls
//! (the `ref_io_uring_prep_*` wrappers `build.rs` compiles from the vendored
//! liburing.h). A `const` block also checks a few SQEs against bytes spelled
//! out from the kernel header's layout, so a regression fails the build.
//!
//! Run: `cargo test --test const_sqe`

extern crate uring;

mod common;

use bare_uring::sys::{
    io_uring_sqe, IORING_ASYNC_CANCEL_ALL, IORING_FILE_INDEX_ALLOC, IORING_FSYNC_DATASYNC,
    IORING_MSG_RING_CQE_SKIP, IORING_OP_MSG_RING, IORING_OP_NOP, IORING_POLL_UPDATE_EVENTS,
    IORING_TIMEOUT_ABS, IOSQE_IO_LINK,
};
use bare_uring::{helpers, prep};

/// `POLLIN`, `SPLICE_F_MOVE`, `POSIX_FADV_DONTNEED`, `SHUT_WR`, `AF_INET`,
/// `SOCK_STREAM`: plain values, only carried into the SQE.
const POLLIN: u32 = 0x1;
const SPLICE_F_MOVE: u32 = 1;
const POSIX_FADV_DONTNEED: i32 = 4;
const SHUT_WR: i32 = 1;
const AF_INET: i32 = 2;
const SOCK_STREAM: i32 = 1;

/// One table row per call; the same calls are replayed through C below.
const N: usize = 38;

/// The table, filled entirely at compile time.
static TABLE: [io_uring_sqe; N] = {
    let mut t = [const { io_uring_sqe::zeroed() }; N];
    prep::nop(&mut t[0]);
    prep::fsync(&mut t[1], 3, IORING_FSYNC_DATASYNC);
    prep::close(&mut t[2], 5);
    prep::close_direct(&mut t[3], 7);
    prep::msg_ring(&mut t[4], 4, 42, 0xfeed, 0);
    prep::msg_ring_cqe_flags(&mut t[5], 4, 42, 0xfeed, 0, 1 << 16);
    prep::msg_ring_fd(&mut t[6], 4, 1, 2, 99, IORING_MSG_RING_CQE_SKIP);
    prep::msg_ring_fd_alloc(&mut t[7], 4, 1, 99, 0);
    prep::cancel64(&mut t[8], 0xdead_beef, IORING_ASYNC_CANCEL_ALL as i32);
    prep::cancel_fd(&mut t[9], 6, 0);
    prep::timeout_remove(&mut t[10], 77, IORING_TIMEOUT_ABS);
    prep::poll_add(&mut t[11], 8, POLLIN);
    prep::poll_multishot(&mut t[12], 8, POLLIN);
    prep::poll_remove(&mut t[13], 12);
    prep::poll_update(&mut t[14], 12, 13, POLLIN, IORING_POLL_UPDATE_EVENTS);
    prep::fallocate(&mut t[15], 3, 1, 4096, 1 << 20);
    prep::fadvise(&mut t[16], 3, 0, 4096, POSIX_FADV_DONTNEED);
    prep::fadvise64(&mut t[17], 3, 0, 1 << 40, POSIX_FADV_DONTNEED);
    prep::sync_file_range(&mut t[18], 3, 4096, 8192, 2);
    prep::ftruncate(&mut t[19], 3, 1 << 33);
    prep::splice(&mut t[20], 3, -1, 4, 16, 512, SPLICE_F_MOVE);
    prep::tee(&mut t[21], 3, 4, 512, 0);
    prep::listen(&mut t[22], 9, 128);
    prep::shutdown(&mut t[23], 9, SHUT_WR);
    prep::socket(&mut t[24], AF_INET, SOCK_STREAM, 0, 0);
    prep::socket_direct(&mut t[25], AF_INET, SOCK_STREAM, 0, 3, 0);
    prep::socket_direct_alloc(&mut t[26], AF_INET, SOCK_STREAM, 0, 0);
    prep::remove_buffers(&mut t[27], 8, 1);
    prep::read_multishot(&mut t[28], 3, 0, 0, 5);
    prep::send_bundle(&mut t[29], 9, 0, 0);
    prep::fixed_fd_install(&mut t[30], 2, 0);
    prep::uring_cmd(&mut t[31], 7, 3);
    prep::cmd_discard(&mut t[32], 3, 4096, 8192);
    prep::nop128(&mut t[33]);
    // The buffer-select companions (no liburing twin: checked against the
    // C helper plus the flags and group a C caller sets by hand).
    prep::recv_select(&mut t[34], 9, 100, 0, 3);
    prep::recv_multishot_select(&mut t[35], 9, 0, 3);
    prep::read_select(&mut t[36], 3, 4096, u64::MAX, 3);
    prep::send_bundle_select(&mut t[37], 9, 0, 0, 3);
    // The inline SQE helpers are const too: link the first two, tag all.
    helpers::sqe_set_flags(&mut t[0], IOSQE_IO_LINK as u32);
    let mut i = 0;
    while i < N {
        helpers::sqe_set_data64(&mut t[i], 1000 + i as u64);
        i += 1;
    }
    t
};

/// The 64 bytes of an SQE, at compile time or run time.
const fn bytes(sqe: &io_uring_sqe) -> [u8; 64] {
    // SAFETY: `io_uring_sqe` is 64 bytes of integers and unions of
    // integers (align 8 >= 1), every byte initialised (built from
    // `zeroed()`); the read stays inside `*sqe`.
    unsafe { *(sqe as *const io_uring_sqe).cast::<[u8; 64]>() }
}

/// Compile-time check: `const` evaluation fails the build on mismatch.
/// Expected bytes written from `struct io_uring_sqe` in io_uring.h:
/// opcode @0, flags @1, ioprio @2, fd @4, off @8, addr @16, len @24,
/// msg_ring_flags @28, user_data @32, file_index @44.
const _: () = {
    let nop = bytes(&TABLE[0]);
    let mut want = [0u8; 64];
    want[0] = IORING_OP_NOP as u8; // 0
    want[1] = 1 << 2; // IOSQE_IO_LINK (IOSQE_IO_LINK_BIT = 2)
    let fd = (-1i32).to_ne_bytes();
    want[4] = fd[0];
    want[5] = fd[1];
    want[6] = fd[2];
    want[7] = fd[3];
    let data = 1000u64.to_ne_bytes();
    let mut i = 0;
    while i < 8 {
        want[32 + i] = data[i];
        i += 1;
    }
    let mut i = 0;
    while i < 64 {
        assert!(nop[i] == want[i], "nop SQE bytes");
        i += 1;
    }

    // msg_ring_cqe_flags(fd 4, len 42, data 0xfeed, flags 0, cqe_flags 1<<16)
    let m = bytes(&TABLE[5]);
    assert!(m[0] == IORING_OP_MSG_RING as u8 && m[0] == 40);
    assert!(m[4] == 4 && m[5] == 0 && m[6] == 0 && m[7] == 0);
    let off = 0xfeedu64.to_ne_bytes();
    let mut k = 0;
    while k < 8 {
        assert!(m[8 + k] == off[k], "off = target user_data");
        assert!(m[16 + k] == 0, "addr = IORING_MSG_DATA (0)");
        k += 1;
    }
    let len = 42u32.to_ne_bytes();
    // IORING_MSG_RING_FLAGS_PASS is 1 << 1 in io_uring.h.
    let pass = 2u32.to_ne_bytes();
    let cqe_flags = (1u32 << 16).to_ne_bytes();
    let mut k = 0;
    while k < 4 {
        assert!(m[24 + k] == len[k], "len = target res");
        assert!(m[28 + k] == pass[k], "msg_ring_flags = FLAGS_PASS");
        assert!(m[44 + k] == cqe_flags[k], "file_index = target cqe flags");
        k += 1;
    }

    // msg_ring_fd_alloc: addr = IORING_MSG_SEND_FD (1), addr3 = source fd,
    // file_index = IORING_FILE_INDEX_ALLOC (~0U) unchanged.
    let f = bytes(&TABLE[7]);
    assert!(f[16] == 1, "addr = IORING_MSG_SEND_FD");
    assert!(f[48] == 1 && f[49] == 0, "addr3 = source fd 1");
    let alloc = IORING_FILE_INDEX_ALLOC.to_ne_bytes();
    assert!(f[44] == 0xff && alloc[0] == 0xff);
    assert!(f[45] == 0xff && f[46] == 0xff && f[47] == 0xff);
};

mod c {
    extern "C" {
        pub fn ref_io_uring_prep_nop(sqe: *mut u8);
        pub fn ref_io_uring_prep_fsync(sqe: *mut u8, fd: i32, flags: u32);
        pub fn ref_io_uring_prep_close(sqe: *mut u8, fd: i32);
        pub fn ref_io_uring_prep_close_direct(sqe: *mut u8, file_index: u32);
        pub fn ref_io_uring_prep_msg_ring(sqe: *mut u8, fd: i32, len: u32, data: u64, flags: u32);
        pub fn ref_io_uring_prep_msg_ring_cqe_flags(
            sqe: *mut u8,
            fd: i32,
            len: u32,
            data: u64,
            flags: u32,
            cqe_flags: u32,
        );
        pub fn ref_io_uring_prep_msg_ring_fd(
            sqe: *mut u8,
            fd: i32,
            source_fd: i32,
            target_fd: i32,
            data: u64,
            flags: u32,
        );
        pub fn ref_io_uring_prep_msg_ring_fd_alloc(
            sqe: *mut u8,
            fd: i32,
            source_fd: i32,
            data: u64,
            flags: u32,
        );
        pub fn ref_io_uring_prep_cancel64(sqe: *mut u8, user_data: u64, flags: i32);
        pub fn ref_io_uring_prep_cancel_fd(sqe: *mut u8, fd: i32, flags: u32);
        pub fn ref_io_uring_prep_timeout_remove(sqe: *mut u8, user_data: u64, flags: u32);
        pub fn ref_io_uring_prep_poll_add(sqe: *mut u8, fd: i32, mask: u32);
        pub fn ref_io_uring_prep_poll_multishot(sqe: *mut u8, fd: i32, mask: u32);
        pub fn ref_io_uring_prep_poll_remove(sqe: *mut u8, user_data: u64);
        pub fn ref_io_uring_prep_poll_update(
            sqe: *mut u8,
            old: u64,
            new: u64,
            mask: u32,
            flags: u32,
        );
        pub fn ref_io_uring_prep_fallocate(sqe: *mut u8, fd: i32, mode: i32, off: u64, len: u64);
        pub fn ref_io_uring_prep_fadvise(sqe: *mut u8, fd: i32, off: u64, len: u32, advice: i32);
        pub fn ref_io_uring_prep_fadvise64(sqe: *mut u8, fd: i32, off: u64, len: i64, advice: i32);
        pub fn ref_io_uring_prep_sync_file_range(
            sqe: *mut u8,
            fd: i32,
            len: u32,
            off: u64,
            flags: i32,
        );
        pub fn ref_io_uring_prep_ftruncate(sqe: *mut u8, fd: i32, len: i64);
        pub fn ref_io_uring_prep_splice(
            sqe: *mut u8,
            fd_in: i32,
            off_in: i64,
            fd_out: i32,
            off_out: i64,
            nbytes: u32,
            flags: u32,
        );
        pub fn ref_io_uring_prep_tee(sqe: *mut u8, fd_in: i32, fd_out: i32, n: u32, flags: u32);
        pub fn ref_io_uring_prep_listen(sqe: *mut u8, fd: i32, backlog: i32);
        pub fn ref_io_uring_prep_shutdown(sqe: *mut u8, fd: i32, how: i32);
        pub fn ref_io_uring_prep_socket(sqe: *mut u8, d: i32, t: i32, p: i32, flags: u32);
        pub fn ref_io_uring_prep_socket_direct(
            sqe: *mut u8,
            d: i32,
            t: i32,
            p: i32,
            file_index: u32,
            flags: u32,
        );
        pub fn ref_io_uring_prep_socket_direct_alloc(
            sqe: *mut u8,
            d: i32,
            t: i32,
            p: i32,
            flags: u32,
        );
        pub fn ref_io_uring_prep_remove_buffers(sqe: *mut u8, nr: i32, bgid: i32);
        pub fn ref_io_uring_prep_read_multishot(
            sqe: *mut u8,
            fd: i32,
            nbytes: u32,
            off: u64,
            bgid: i32,
        );
        pub fn ref_io_uring_prep_send_bundle(sqe: *mut u8, fd: i32, len: usize, flags: i32);
        pub fn ref_io_uring_prep_fixed_fd_install(sqe: *mut u8, fd: i32, flags: u32);
        pub fn ref_io_uring_prep_uring_cmd(sqe: *mut u8, cmd_op: i32, fd: i32);
        pub fn ref_io_uring_prep_cmd_discard(sqe: *mut u8, fd: i32, off: u64, n: u64);
        pub fn ref_io_uring_prep_nop128(sqe: *mut u8);
        pub fn ref_io_uring_prep_recv(sqe: *mut u8, fd: i32, buf: usize, len: usize, flags: i32);
        pub fn ref_io_uring_prep_recv_multishot(
            sqe: *mut u8,
            fd: i32,
            buf: usize,
            len: usize,
            flags: i32,
        );
        pub fn ref_io_uring_prep_read(sqe: *mut u8, fd: i32, buf: usize, n: u32, off: u64);
        pub fn ref_io_uring_sqe_set_flags(sqe: *mut u8, flags: u32);
        pub fn ref_io_uring_sqe_set_buf_group(sqe: *mut u8, bgid: i32);
        pub fn ref_io_uring_sqe_set_data64(sqe: *mut u8, data: u64);
    }
}

/// What C writes for row `i`, into a zeroed 128-byte buffer (so `nop128`
/// and `uring_cmd` have their room); the first 64 bytes are compared.
fn c_row(i: usize) -> [u8; 64] {
    let mut buf = [0u64; 16];
    let s = buf.as_mut_ptr().cast::<u8>();
    /// `sqe->flags |= IOSQE_BUFFER_SELECT; sqe->buf_group = 3` in C: the
    /// flags are read back from the C-written bytes and set with C's setter.
    unsafe fn select(s: *mut u8) {
        // SAFETY: `s` is the 128-byte buffer of `c_row`.
        unsafe {
            let flags = u32::from(*s.add(1)) | (1 << 5);
            c::ref_io_uring_sqe_set_flags(s, flags);
            c::ref_io_uring_sqe_set_buf_group(s, 3);
        }
    }
    // SAFETY: each wrapper writes inside the 128-byte buffer; the pointer
    // arguments are 0 and never dereferenced.
    unsafe {
        match i {
            0 => c::ref_io_uring_prep_nop(s),
            1 => c::ref_io_uring_prep_fsync(s, 3, IORING_FSYNC_DATASYNC),
            2 => c::ref_io_uring_prep_close(s, 5),
            3 => c::ref_io_uring_prep_close_direct(s, 7),
            4 => c::ref_io_uring_prep_msg_ring(s, 4, 42, 0xfeed, 0),
            5 => c::ref_io_uring_prep_msg_ring_cqe_flags(s, 4, 42, 0xfeed, 0, 1 << 16),
            6 => c::ref_io_uring_prep_msg_ring_fd(s, 4, 1, 2, 99, IORING_MSG_RING_CQE_SKIP),
            7 => c::ref_io_uring_prep_msg_ring_fd_alloc(s, 4, 1, 99, 0),
            8 => c::ref_io_uring_prep_cancel64(s, 0xdead_beef, IORING_ASYNC_CANCEL_ALL as i32),
            9 => c::ref_io_uring_prep_cancel_fd(s, 6, 0),
            10 => c::ref_io_uring_prep_timeout_remove(s, 77, IORING_TIMEOUT_ABS),
            11 => c::ref_io_uring_prep_poll_add(s, 8, POLLIN),
            12 => c::ref_io_uring_prep_poll_multishot(s, 8, POLLIN),
            13 => c::ref_io_uring_prep_poll_remove(s, 12),
            14 => c::ref_io_uring_prep_poll_update(s, 12, 13, POLLIN, IORING_POLL_UPDATE_EVENTS),
            15 => c::ref_io_uring_prep_fallocate(s, 3, 1, 4096, 1 << 20),
            16 => c::ref_io_uring_prep_fadvise(s, 3, 0, 4096, POSIX_FADV_DONTNEED),
            17 => c::ref_io_uring_prep_fadvise64(s, 3, 0, 1 << 40, POSIX_FADV_DONTNEED),
            18 => c::ref_io_uring_prep_sync_file_range(s, 3, 4096, 8192, 2),
            19 => c::ref_io_uring_prep_ftruncate(s, 3, 1 << 33),
            20 => c::ref_io_uring_prep_splice(s, 3, -1, 4, 16, 512, SPLICE_F_MOVE),
            21 => c::ref_io_uring_prep_tee(s, 3, 4, 512, 0),
            22 => c::ref_io_uring_prep_listen(s, 9, 128),
            23 => c::ref_io_uring_prep_shutdown(s, 9, SHUT_WR),
            24 => c::ref_io_uring_prep_socket(s, AF_INET, SOCK_STREAM, 0, 0),
            25 => c::ref_io_uring_prep_socket_direct(s, AF_INET, SOCK_STREAM, 0, 3, 0),
            26 => c::ref_io_uring_prep_socket_direct_alloc(s, AF_INET, SOCK_STREAM, 0, 0),
            27 => c::ref_io_uring_prep_remove_buffers(s, 8, 1),
            28 => c::ref_io_uring_prep_read_multishot(s, 3, 0, 0, 5),
            29 => c::ref_io_uring_prep_send_bundle(s, 9, 0, 0),
            30 => c::ref_io_uring_prep_fixed_fd_install(s, 2, 0),
            31 => c::ref_io_uring_prep_uring_cmd(s, 7, 3),
            32 => c::ref_io_uring_prep_cmd_discard(s, 3, 4096, 8192),
            33 => c::ref_io_uring_prep_nop128(s),
            34 => {
                c::ref_io_uring_prep_recv(s, 9, 0, 100, 0);
                select(s);
            }
            35 => {
                c::ref_io_uring_prep_recv_multishot(s, 9, 0, 0, 0);
                select(s);
            }
            36 => {
                c::ref_io_uring_prep_read(s, 3, 0, 4096, u64::MAX);
                select(s);
            }
            37 => {
                c::ref_io_uring_prep_send_bundle(s, 9, 0, 0);
                select(s);
            }
            _ => unreachable!("row {i}"),
        }
        if i == 0 {
            c::ref_io_uring_sqe_set_flags(s, IOSQE_IO_LINK as u32);
        }
        c::ref_io_uring_sqe_set_data64(s, 1000 + i as u64);
    }
    let mut out = [0u8; 64];
    for (k, w) in buf[..8].iter().enumerate() {
        out[k * 8..k * 8 + 8].copy_from_slice(&w.to_ne_bytes());
    }
    out
}

fn static_table_equals_liburing_bytes() {
    let mut checked = 0;
    for (i, sqe) in TABLE.iter().enumerate() {
        let ours = bytes(sqe);
        let theirs = c_row(i);
        assert_eq!(
            ours, theirs,
            "row {i} (opcode {}): Rust const table differs from liburing",
            sqe.opcode
        );
        // Every row wrote something beyond user_data: a row left zeroed
        // by a mistake in the table would not compare against anything.
        assert_ne!(&ours[..32], &[0u8; 32][..], "row {i} is empty");
        checked += 1;
    }
    println!("{checked} compile-time SQEs equal liburing 2.15's bytes");
    assert_eq!(checked, N);
}

/// Rows of the table, copied into the ring as they are, run on the kernel:
/// the linked NOP (row 0) completes with 0, then `poll_remove(12)` (row 13),
/// with no poll request tagged 12, with `-ENOENT`.
fn table_rows_run_on_the_kernel() {
    use bare_uring::{Errno, Ring};
    let mut ring = Ring::queue_init(4, 0).unwrap();
    for row in [0usize, 13] {
        // SAFETY: a NOP and a poll removal point to no memory.
        let sqe = unsafe { ring.get_sqe() }.expect("SQ has room");
        // SAFETY: both are whole, distinct 64-byte SQEs.
        unsafe { core::ptr::copy_nonoverlapping(&TABLE[row], sqe, 1) };
    }
    ring.submit_and_wait(2).unwrap();
    let a = ring.wait_cqe().unwrap();
    ring.cqe_seen(&a);
    let b = ring.wait_cqe().unwrap();
    ring.cqe_seen(&b);
    assert_eq!((a.user_data, a.res), (1000, 0));
    assert_eq!(b.user_data, 1013);
    assert!(Errno::ENOENT.is_res(b.res), "poll_remove res {}", b.res);
}

common::harness::main! {
    static_table_equals_liburing_bytes,
    table_rows_run_on_the_kernel,
}
