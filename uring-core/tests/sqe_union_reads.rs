//! Issue 9, S2 closed: from outside `bare-uring-sys`, an SQE can only be built
//! whole (`zeroed()`, `Default`, a ring slot) and changed through the
//! setters, so every safe getter and the decoder read initialised bytes.
//! This walks every setter x every getter (and the decoder) on SQEs built
//! that way; under Miri an uninitialised read would be an error:
//! `cargo +nightly miri test -p bare-uring --test sqe_union_reads`.
//!
//! (A struct literal that sets one union member, the S2 program, no longer
//! compiles: the `__bindgen_anon_*` fields are private.)

use bare_uring::decode::{decode, decode128};
use bare_uring::sq::Sqe128;
use bare_uring::sys::io_uring_sqe;

/// Every getter of the public API, as integers.
fn read_all(s: &io_uring_sqe) -> Vec<u64> {
    let mut v = vec![
        s.off(),
        s.addr2(),
        s.cmd_op().into(),
        s.pad1().into(),
        s.addr(),
        s.splice_off_in(),
        s.level().into(),
        s.optname().into(),
        s.rw_flags() as u32 as u64,
        s.fsync_flags().into(),
        s.poll_events().into(),
        s.poll32_events().into(),
        s.sync_range_flags().into(),
        s.msg_flags().into(),
        s.timeout_flags().into(),
        s.accept_flags().into(),
        s.cancel_flags().into(),
        s.open_flags().into(),
        s.statx_flags().into(),
        s.fadvise_advice().into(),
        s.splice_flags().into(),
        s.rename_flags().into(),
        s.unlink_flags().into(),
        s.hardlink_flags().into(),
        s.xattr_flags().into(),
        s.msg_ring_flags().into(),
        s.uring_cmd_flags().into(),
        s.waitid_flags().into(),
        s.futex_flags().into(),
        s.install_fd_flags().into(),
        s.nop_flags().into(),
        s.pipe_flags().into(),
        s.buf_index().into(),
        s.buf_group().into(),
        s.splice_fd_in() as u32 as u64,
        s.file_index().into(),
        s.zcrx_ifq_idx().into(),
        s.optlen().into(),
        s.addr_len().into(),
        s.pad3()[0].into(),
        s.addr3(),
        s.pad2(),
        s.optval(),
    ];
    v.extend([
        s.opcode.into(),
        s.flags.into(),
        s.ioprio.into(),
        s.fd as u32 as u64,
        s.len.into(),
        s.user_data,
        s.personality.into(),
    ]);
    v
}

/// Every setter, each with a value whose bytes are all non-zero.
type Setter = (&'static str, fn(&mut io_uring_sqe));
const SETTERS: &[Setter] = &[
    ("off", |s| s.set_off(0x1111_2222_3333_4444)),
    ("addr2", |s| s.set_addr2(0x1111_2222_3333_4444)),
    ("cmd_op", |s| s.set_cmd_op(0x5566_7788)),
    ("pad1", |s| s.set_pad1(0x5566_7788)),
    ("addr", |s| s.set_addr(0x1111_2222_3333_4444)),
    ("splice_off_in", |s| {
        s.set_splice_off_in(0x1111_2222_3333_4444)
    }),
    ("level", |s| s.set_level(0x5566_7788)),
    ("optname", |s| s.set_optname(0x5566_7788)),
    ("rw_flags", |s| s.set_rw_flags(0x1566_7788)),
    ("fsync_flags", |s| s.set_fsync_flags(0x5566_7788)),
    ("poll_events", |s| s.set_poll_events(0xbeef)),
    ("poll32_events", |s| s.set_poll32_events(0x5566_7788)),
    ("sync_range_flags", |s| s.set_sync_range_flags(0x5566_7788)),
    ("msg_flags", |s| s.set_msg_flags(0x5566_7788)),
    ("timeout_flags", |s| s.set_timeout_flags(0x5566_7788)),
    ("accept_flags", |s| s.set_accept_flags(0x5566_7788)),
    ("cancel_flags", |s| s.set_cancel_flags(0x5566_7788)),
    ("open_flags", |s| s.set_open_flags(0x5566_7788)),
    ("statx_flags", |s| s.set_statx_flags(0x5566_7788)),
    ("fadvise_advice", |s| s.set_fadvise_advice(0x5566_7788)),
    ("splice_flags", |s| s.set_splice_flags(0x5566_7788)),
    ("rename_flags", |s| s.set_rename_flags(0x5566_7788)),
    ("unlink_flags", |s| s.set_unlink_flags(0x5566_7788)),
    ("hardlink_flags", |s| s.set_hardlink_flags(0x5566_7788)),
    ("xattr_flags", |s| s.set_xattr_flags(0x5566_7788)),
    ("msg_ring_flags", |s| s.set_msg_ring_flags(0x5566_7788)),
    ("uring_cmd_flags", |s| s.set_uring_cmd_flags(0x5566_7788)),
    ("waitid_flags", |s| s.set_waitid_flags(0x5566_7788)),
    ("futex_flags", |s| s.set_futex_flags(0x5566_7788)),
    ("install_fd_flags", |s| s.set_install_fd_flags(0x5566_7788)),
    ("nop_flags", |s| s.set_nop_flags(0x5566_7788)),
    ("pipe_flags", |s| s.set_pipe_flags(0x5566_7788)),
    ("buf_index", |s| s.set_buf_index(0xbeef)),
    ("buf_group", |s| s.set_buf_group(0xbeef)),
    ("splice_fd_in", |s| s.set_splice_fd_in(0x1566_7788)),
    ("file_index", |s| s.set_file_index(0x5566_7788)),
    ("zcrx_ifq_idx", |s| s.set_zcrx_ifq_idx(0x5566_7788)),
    ("optlen", |s| s.set_optlen(0x5566_7788)),
    ("addr_len", |s| s.set_addr_len(0xbeef)),
    ("pad3", |s| s.set_pad3([0xbeef])),
    ("addr3", |s| s.set_addr3(0x1111_2222_3333_4444)),
    ("pad2", |s| s.set_pad2(0x1111_2222_3333_4444)),
    ("optval", |s| s.set_optval(0x1111_2222_3333_4444)),
];

/// Builds an SQE with `set` (from `zeroed()`, opcode 22) and reads
/// everything a safe caller can read of it: every getter, the decoder (64
/// and 128 bytes), the command area of a 128-byte SQE built the same way.
fn build_and_read(set: fn(&mut io_uring_sqe)) -> Vec<u64> {
    let mut s = io_uring_sqe::zeroed();
    s.opcode = 22; // any opcode: the decoder names fields by it
    set(&mut s);
    let all = read_all(&s);
    let text = decode(&s).to_string();
    assert!(decode(&s).fields().count() > 0);
    let mut big = Sqe128 {
        sqe: io_uring_sqe::default(),
        ext: [0x5a; 64],
    };
    big.sqe.opcode = 22;
    set(&mut big.sqe);
    assert_eq!(read_all(&big.sqe), all, "built the same, reads the same");
    assert!(big.cmd().contains(&0x5a));
    assert!(decode128(&big).to_string().len() > text.len());
    all
}

#[test]
fn every_setter_then_every_getter_and_the_decoder() {
    let zero = build_and_read(|_| {});
    assert!(zero
        .iter()
        .enumerate()
        .all(|(i, &x)| x == 0 || i == zero.len() - 7));
    for (name, set) in SETTERS {
        let all = build_and_read(*set);
        assert_ne!(all, zero, "{name} changed nothing");
    }
}

/// The S2 case: a 2-byte union member set, the 4-byte member over the
/// same bytes read. The other two bytes are the zeroes `zeroed()` wrote.
#[test]
fn narrow_member_set_wide_member_read() {
    fn widen(v: u16) -> u32 {
        let mut b = [0u8; 4];
        b[..2].copy_from_slice(&v.to_ne_bytes());
        u32::from_ne_bytes(b)
    }
    let mut s = io_uring_sqe::zeroed();
    s.set_poll_events(1);
    assert_eq!(s.poll32_events(), widen(1));
    assert_eq!(s.rw_flags() as u32, widen(1));
    let mut s = io_uring_sqe::zeroed();
    s.set_addr_len(0x1234);
    assert_eq!(s.file_index(), widen(0x1234));
    assert_eq!(s.splice_fd_in() as u32, widen(0x1234));
    // A wide write then a narrow one keeps the other bytes.
    let mut s = io_uring_sqe::zeroed();
    s.set_msg_flags(u32::MAX);
    s.set_poll_events(0);
    assert_eq!(s.msg_flags(), !widen(u16::MAX));
    println!("{}", decode(&s));
}
