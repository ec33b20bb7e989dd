//! `bare_uring::recvmsg_out` against C liburing (`tests/c/recvmsg_ref.c`)
//! and against arbitrary bytes.
//!
//! (a) On well-formed buffers (built the way the kernel's `put_cmsg` and
//!     multishot recvmsg fill them), every helper returns the same offset as
//!     liburing's, and the safe view yields exactly the control messages
//!     written.
//! (b) On arbitrary bytes and arbitrary `msg_namelen`/`msg_controllen`/
//!     `cmsg_len` values, nothing panics and every returned pointer/slice
//!     lies inside the buffer.
//!
//! Run: `cargo test --test recvmsg_ref`

use std::ffi::c_void;
use std::ptr::{null_mut, NonNull};

use proptest::prelude::*;
// Links the root package, whose build.rs compiles tests/c/*.c.
use bare_uring::recvmsg_out::{
    recvmsg_cmsg_firsthdr, recvmsg_cmsg_nexthdr, recvmsg_name, recvmsg_payload,
    recvmsg_payload_length, recvmsg_validate, RecvMsgOut, MSG_CTRUNC, MSG_TRUNC,
};
use bare_uring::sys::{cmsghdr, io_uring_recvmsg_out, msghdr};
use uring as _;

mod common;
use common::msghdr_for;

extern "C" {
    fn ref_io_uring_recvmsg_validate(
        buf: *mut c_void,
        buf_len: i32,
        msgh: *mut msghdr,
    ) -> *mut io_uring_recvmsg_out;
    fn ref_io_uring_recvmsg_name(o: *mut io_uring_recvmsg_out) -> *mut c_void;
    fn ref_io_uring_recvmsg_cmsg_firsthdr(
        o: *mut io_uring_recvmsg_out,
        msgh: *mut msghdr,
    ) -> *mut cmsghdr;
    fn ref_io_uring_recvmsg_cmsg_nexthdr(
        o: *mut io_uring_recvmsg_out,
        msgh: *mut msghdr,
        cmsg: *mut cmsghdr,
    ) -> *mut cmsghdr;
    fn ref_io_uring_recvmsg_payload(o: *mut io_uring_recvmsg_out, msgh: *mut msghdr)
        -> *mut c_void;
    fn ref_io_uring_recvmsg_payload_length(
        o: *mut io_uring_recvmsg_out,
        buf_len: i32,
        msgh: *mut msghdr,
    ) -> u32;
}

const fn cmsg_align(n: usize) -> usize {
    (n + 7) & !7
}

/// One control message to write: level, type, data.
#[derive(Debug, Clone)]
struct Cm {
    level: i32,
    ty: i32,
    data: Vec<u8>,
}

/// A buffer as the kernel fills it, plus what was written (the "truth").
struct Built {
    /// 8-aligned backing store.
    mem: Vec<u64>,
    len: usize,
    msg_namelen: u32,
    msg_controllen: usize,
    /// Control messages written (data cut like `cmsg_len` when MSG_CTRUNC).
    whole: Vec<Cm>,
    payload: Vec<u8>,
}

impl Built {
    fn bytes(&mut self) -> &mut [u8] {
        // SAFETY: u64 storage viewed as bytes, within its length.
        unsafe { std::slice::from_raw_parts_mut(self.mem.as_mut_ptr().cast::<u8>(), self.len) }
    }
}

/// Emulates io_uring's multishot recvmsg output (io_uring/net.c) and the
/// kernel's `put_cmsg()` (net/core/scm.c): each message takes
/// `CMSG_SPACE(datalen)` bytes, clipped to what is left, with `cmsg_len`
/// clipped too and MSG_CTRUNC set when cut.
#[allow(clippy::too_many_arguments)]
fn build(
    msg_namelen: u32,
    msg_controllen: usize,
    real_namelen: u32,
    name_bytes: &[u8],
    cms: &[Cm],
    payload: &[u8],
    payload_room: usize,
) -> Built {
    let copied = payload.len().min(payload_room);
    let len = 16 + msg_namelen as usize + msg_controllen + copied;
    let mut b = Built {
        mem: vec![0xa5a5_a5a5_a5a5_a5a5u64; len.div_ceil(8) + 1],
        len,
        msg_namelen,
        msg_controllen,
        whole: Vec::new(),
        payload: payload[..copied].to_vec(),
    };
    let mut flags = 0u32;
    let ctl_start = 16 + msg_namelen as usize;
    let mut used = 0usize;
    let mut whole = Vec::new();
    {
        let bytes = b.bytes();
        for c in cms {
            let left = msg_controllen - used;
            if left < 16 {
                flags |= MSG_CTRUNC;
                break;
            }
            let mut cmlen = 16 + c.data.len();
            if left < cmlen {
                flags |= MSG_CTRUNC;
                cmlen = left;
            }
            // Seen by the reader with its cut length, as the kernel reports it.
            whole.push(Cm {
                level: c.level,
                ty: c.ty,
                data: c.data[..cmlen - 16].to_vec(),
            });
            let at = ctl_start + used;
            bytes[at..at + 8].copy_from_slice(&cmlen.to_ne_bytes());
            bytes[at + 8..at + 12].copy_from_slice(&c.level.to_ne_bytes());
            bytes[at + 12..at + 16].copy_from_slice(&c.ty.to_ne_bytes());
            bytes[at + 16..at + cmlen].copy_from_slice(&c.data[..cmlen - 16]);
            used += cmsg_align(16 + c.data.len()).min(left);
        }
        let stored_name = (real_namelen as usize).min(msg_namelen as usize);
        for i in 0..stored_name {
            bytes[16 + i] = name_bytes.get(i).copied().unwrap_or(i as u8);
        }
        if copied < payload.len() {
            flags |= MSG_TRUNC;
        }
        let p = ctl_start + msg_controllen;
        bytes[p..p + copied].copy_from_slice(&payload[..copied]);
        bytes[0..4].copy_from_slice(&real_namelen.to_ne_bytes());
        bytes[4..8].copy_from_slice(&(used as u32).to_ne_bytes());
        bytes[8..12].copy_from_slice(&(payload.len() as u32).to_ne_bytes());
        bytes[12..16].copy_from_slice(&flags.to_ne_bytes());
    }
    b.whole = whole;
    b
}

fn cm() -> impl Strategy<Value = Cm> {
    (
        any::<i32>(),
        any::<i32>(),
        proptest::collection::vec(any::<u8>(), 0..40),
    )
        .prop_map(|(level, ty, data)| Cm { level, ty, data })
}

fn off(base: *const u8, p: *const c_void) -> isize {
    (p as isize).wrapping_sub(base as isize)
}

/// (a): offsets identical to liburing's; cmsgs identical to what was written.
fn check_well_formed(mut b: Built) -> Result<(), TestCaseError> {
    let len = b.len;
    let (whole, payload, msg_namelen) = (b.whole.clone(), b.payload.clone(), b.msg_namelen);
    let mut m = msghdr_for(b.msg_namelen, b.msg_controllen);
    let base = b.bytes().as_mut_ptr();
    let buf = base.cast::<c_void>();

    // SAFETY (all C calls below): the buffer is well-formed, so liburing stays inside it.
    let c_o = unsafe { ref_io_uring_recvmsg_validate(buf, len as i32, &mut m) };
    let r_o = recvmsg_validate(buf, len as i32, &m);
    prop_assert_eq!(r_o.map_or(null_mut(), NonNull::as_ptr), c_o);
    let o = c_o;
    prop_assert!(!o.is_null());

    prop_assert_eq!(recvmsg_name(o), unsafe { ref_io_uring_recvmsg_name(o) });
    prop_assert_eq!(recvmsg_payload(o, &m), unsafe {
        ref_io_uring_recvmsg_payload(o, &mut m)
    });
    prop_assert_eq!(recvmsg_payload_length(o, len as i32, &m), unsafe {
        ref_io_uring_recvmsg_payload_length(o, len as i32, &mut m)
    });

    // Walk the control messages in C and in Rust side by side.
    let mut c_chain = Vec::new();
    let mut c = unsafe { ref_io_uring_recvmsg_cmsg_firsthdr(o, &mut m) };
    // SAFETY: `o` was validated for `buf`/`len`; `base` is readable for `len`.
    let mut r = unsafe { recvmsg_cmsg_firsthdr(o, &m) };
    loop {
        prop_assert_eq!(
            r.map_or(-1, |p| off(base, p.as_ptr().cast())),
            if c.is_null() { -1 } else { off(base, c.cast()) },
            "cmsg #{} differs",
            c_chain.len()
        );
        let Some(p) = r else { break };
        c_chain.push(off(base, p.as_ptr().cast()));
        c = unsafe { ref_io_uring_recvmsg_cmsg_nexthdr(o, &mut m, c) };
        // SAFETY: `p` came from firsthdr/nexthdr for this buffer.
        r = unsafe { recvmsg_cmsg_nexthdr(o, &m, p.as_ptr()) };
    }

    // The safe view yields exactly the messages written whole, in order.
    let bytes: &[u8] = b.bytes();
    let v = RecvMsgOut::new(bytes, &m).expect("well-formed buffer accepted");
    let got: Vec<(i32, i32, Vec<u8>)> = v
        .cmsgs()
        .map(|c| (c.level, c.ty, c.data.to_vec()))
        .collect();
    let want: Vec<(i32, i32, Vec<u8>)> = whole
        .iter()
        .map(|c| (c.level, c.ty, c.data.clone()))
        .collect();
    prop_assert_eq!(&got, &want);
    // liburing's chain is the same list, minus a last message whose
    // alignment padding did not fit (liburing's nexthdr requires it).
    prop_assert!(c_chain.len() <= got.len() && got.len() <= c_chain.len() + 1);
    prop_assert_eq!(v.payload(), &payload[..]);
    prop_assert_eq!(v.payload_length() as usize, payload.len());
    prop_assert_eq!(v.is_truncated(), v.payloadlen() as usize > payload.len());
    let stored = (v.namelen() as usize).min(msg_namelen as usize);
    prop_assert_eq!(v.name().len(), stored);
    Ok(())
}

/// Asserts `[p, p + n)` lies inside `[base, base + len)`.
fn inside(base: *const u8, len: usize, p: *const u8, n: usize) -> Result<(), TestCaseError> {
    let o = (p as usize).wrapping_sub(base as usize);
    prop_assert!(
        o <= len && n <= len - o,
        "range at offset {} (+{}) outside buffer of {}",
        o as isize,
        n,
        len
    );
    Ok(())
}

fn edge_u32() -> impl Strategy<Value = u32> {
    prop_oneof![
        Just(0u32),
        Just(1),
        Just(15),
        Just(16),
        Just(17),
        Just(u32::MAX),
        Just(u32::MAX - 15),
        Just(i32::MAX as u32),
        0u32..300,
        any::<u32>(),
    ]
}

fn edge_usize() -> impl Strategy<Value = usize> {
    prop_oneof![
        Just(0usize),
        Just(8),
        Just(15),
        Just(16),
        Just(24),
        Just(usize::MAX),
        Just(usize::MAX - 7),
        Just(usize::MAX - 63),
        Just(u32::MAX as usize),
        0usize..300,
        any::<usize>(),
    ]
}

/// (b): arbitrary bytes. The header fields and cmsg_len slots are
/// overwritten with edge values so the interesting paths are reached.
#[allow(clippy::too_many_arguments)]
fn check_arbitrary(
    mut bytes: Vec<u8>,
    shift: usize,
    msg_namelen: u32,
    msg_controllen: usize,
    hdr: [u32; 4],
    cmsg_lens: Vec<usize>,
    buf_len_delta: i32,
) -> Result<(), TestCaseError> {
    // Header (possibly at an unaligned address: `shift`).
    let shift = shift.min(bytes.len());
    {
        let b = &mut bytes[shift..];
        for (i, v) in hdr.iter().enumerate() {
            if let Some(s) = b.get_mut(i * 4..i * 4 + 4) {
                s.copy_from_slice(&v.to_ne_bytes());
            }
        }
        // Plant cmsg_len values every 8 bytes from the control area's start.
        let ctl = 16usize.saturating_add(msg_namelen as usize);
        for (k, l) in cmsg_lens.iter().enumerate() {
            let at = ctl.saturating_add(k * 8);
            if let Some(s) = b.get_mut(at..at.saturating_add(8)) {
                s.copy_from_slice(&l.to_ne_bytes());
            }
        }
    }
    let buf = &bytes[shift..];
    let len = buf.len();
    let base = buf.as_ptr();
    let m = msghdr_for(msg_namelen, msg_controllen);

    // Safe view: every slice inside `buf`.
    if let Some(v) = RecvMsgOut::new(buf, &m) {
        inside(base, len, v.name().as_ptr(), v.name().len())?;
        inside(base, len, v.control().as_ptr(), v.control().len())?;
        inside(base, len, v.payload().as_ptr(), v.payload().len())?;
        let mut n = 0;
        for c in v.cmsgs() {
            inside(base, len, c.data.as_ptr(), c.data.len())?;
            n += 1;
            prop_assert!(n <= len / 16 + 1, "cmsg iterator does not advance");
        }
        let _ = (v.header(), v.flags(), v.payloadlen(), v.payload_length());
    } else {
        prop_assert!(16 + msg_namelen as u128 + msg_controllen as u128 > len as u128);
    }

    // 1:1 API with buf_len = len (and a perturbed length for the pure ones).
    let ptr = base as *mut c_void;
    let bl = (len as i32).wrapping_add(buf_len_delta);
    if let Some(o) = recvmsg_validate(ptr, bl, &m) {
        prop_assert!(bl >= 0 && 16 + msg_namelen as u64 + msg_controllen as u64 <= bl as u64);
        let o = o.as_ptr();
        let pl = recvmsg_payload_length(o, bl, &m) as usize;
        if bl as usize <= len {
            inside(base, len, recvmsg_payload(o, &m).cast(), pl)?;
            // SAFETY: validated against `bl <= len` readable bytes.
            let mut c = unsafe { recvmsg_cmsg_firsthdr(o, &m) };
            let mut steps = 0;
            while let Some(p) = c {
                inside(base, bl as usize, p.as_ptr().cast(), 16)?;
                steps += 1;
                prop_assert!(steps <= len / 16 + 1, "nexthdr does not advance");
                // SAFETY: `p` came from firsthdr/nexthdr for this buffer.
                c = unsafe { recvmsg_cmsg_nexthdr(o, &m, p.as_ptr()) };
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn well_formed_matches_liburing(
        msg_namelen in prop_oneof![Just(0u32), Just(16), Just(28), Just(110), 0u32..130],
        msg_controllen in prop_oneof![Just(0usize), Just(16), Just(24), Just(64), 0usize..260],
        real_namelen in prop_oneof![Just(0u32), Just(16), Just(28), 0u32..200],
        name_bytes in proptest::collection::vec(any::<u8>(), 0..130),
        cms in proptest::collection::vec(cm(), 0..8),
        payload in proptest::collection::vec(any::<u8>(), 0..200),
        payload_room in 0usize..220,
    ) {
        let b = build(msg_namelen, msg_controllen, real_namelen, &name_bytes, &cms, &payload, payload_room);
        check_well_formed(b)?;
    }

    #[test]
    fn arbitrary_bytes_stay_in_bounds(
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
        shift in 0usize..8,
        msg_namelen in edge_u32(),
        msg_controllen in edge_usize(),
        hdr in [edge_u32(), edge_u32(), edge_u32(), edge_u32()],
        cmsg_lens in proptest::collection::vec(edge_usize(), 0..12),
        buf_len_delta in prop_oneof![Just(0i32), -20i32..20, Just(i32::MIN), Just(i32::MAX)],
    ) {
        check_arbitrary(bytes, shift, msg_namelen, msg_controllen, hdr, cmsg_lens, buf_len_delta)?;
    }

    /// validate/name/payload/payload_length only do arithmetic in C too,
    /// so they are compared with liburing on arbitrary lengths.
    #[test]
    fn arithmetic_helpers_match_liburing(
        buf_len in prop_oneof![Just(0i32), Just(-1), Just(i32::MIN), Just(i32::MAX), Just(16), any::<i32>(), 0i32..600],
        msg_namelen in edge_u32(),
        msg_controllen in edge_usize(),
    ) {
        let mut mem = [0u64; 2];
        let buf = mem.as_mut_ptr().cast::<c_void>();
        let mut m = msghdr_for(msg_namelen, msg_controllen);
        // SAFETY: these liburing helpers do not dereference anything.
        let c = unsafe { ref_io_uring_recvmsg_validate(buf, buf_len, &mut m) };
        prop_assert_eq!(recvmsg_validate(buf, buf_len, &m).map_or(null_mut(), NonNull::as_ptr), c);
        let o = buf.cast::<io_uring_recvmsg_out>();
        prop_assert_eq!(recvmsg_name(o), unsafe { ref_io_uring_recvmsg_name(o) });
        if c.is_null() {
            // Outside validated buffers C's pointer sums may wrap; only
            // compare payload offsets where they cannot.
            return Ok(());
        }
        prop_assert_eq!(recvmsg_payload(o, &m), unsafe { ref_io_uring_recvmsg_payload(o, &mut m) });
        prop_assert_eq!(
            recvmsg_payload_length(o, buf_len, &m),
            unsafe { ref_io_uring_recvmsg_payload_length(o, buf_len, &mut m) }
        );
    }
}

/// A concrete kernel-shaped buffer decoded by hand (values written here,
/// not taken from our output): sockaddr_in name, one IP_ORIGDSTADDR cmsg.
#[test]
fn ip_origdstaddr_example() {
    let sin = [2u8, 0, 0x1f, 0x90, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
    let cms = [Cm {
        level: 0,
        ty: 20,
        data: sin.to_vec(),
    }];
    let mut b = build(16, 32, 16, &sin, &cms, b"ping", 100);
    let len = b.len;
    let bytes = b.bytes();
    assert_eq!(len, 16 + 16 + 32 + 4);
    let v = RecvMsgOut::from_lens(bytes, 16, 32).unwrap();
    assert_eq!(v.name(), &sin);
    let c: Vec<_> = v.cmsgs().collect();
    assert_eq!(c.len(), 1);
    assert_eq!((c[0].level, c[0].ty, c[0].data), (0, 20, &sin[..]));
    assert_eq!(v.payload(), b"ping");
    assert!(!v.is_truncated());
}
