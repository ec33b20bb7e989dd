//! Multishot recvmsg buffers (`bare_uring::recvmsg_out`) from arbitrary
//! bytes and arbitrary msghdr lengths: the safe view and the liburing-style
//! pointer walk must stay inside the buffer (ASan checks every read).
#![no_main]

use bare_uring::recvmsg_out::{
    recvmsg_cmsg_firsthdr, recvmsg_cmsg_nexthdr, recvmsg_payload, recvmsg_payload_length,
    recvmsg_validate, RecvMsgOut,
};
use bare_uring::sys::msghdr;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 8 {
        return;
    }
    // Small lengths most of the time, any u32/usize now and then.
    let raw_name = u32::from_ne_bytes(data[0..4].try_into().unwrap());
    let raw_ctl = u32::from_ne_bytes(data[4..8].try_into().unwrap());
    let namelen = if raw_name & 0x8000_0000 != 0 {
        raw_name
    } else {
        raw_name % 64
    };
    let controllen = if raw_ctl & 0x8000_0000 != 0 {
        usize::MAX - (raw_ctl as usize & 0xff)
    } else {
        raw_ctl as usize % 256
    };
    // An exact-size copy, so ASan sees any read past the end.
    let mut buf = data[8..].to_vec();
    let len = buf.len();

    if let Some(o) = RecvMsgOut::from_lens(&buf, namelen, controllen) {
        let _ = (
            o.header(),
            o.namelen(),
            o.payloadlen(),
            o.flags(),
            o.is_truncated(),
        );
        assert!(o.name().len() <= namelen as usize);
        assert!(o.control().len() <= controllen);
        let mut total = 0usize;
        for c in o.cmsgs() {
            total += c.data.len();
            assert!(total <= controllen);
        }
        assert!(o.payload().len() <= len);
        let _ = o.payload_length();
    }

    // SAFETY: an all-zero msghdr is valid (null pointers, zero lengths).
    let mut msgh: msghdr = unsafe { core::mem::zeroed() };
    msgh.msg_namelen = namelen;
    msgh.msg_controllen = controllen;
    let base = buf.as_mut_ptr();
    let Some(o) = recvmsg_validate(base.cast(), len as i32, &msgh) else {
        return;
    };
    let o = o.as_ptr();
    let end = base as usize + len;
    let pay = recvmsg_payload(o, &msgh) as usize;
    let plen = recvmsg_payload_length(o, len as i32, &msgh) as usize;
    assert!(pay + plen <= end, "payload past the buffer");
    // SAFETY: `o` came from recvmsg_validate for `buf` of `len` bytes.
    let mut c = unsafe { recvmsg_cmsg_firsthdr(o, &msgh) };
    let mut steps = 0;
    while let Some(p) = c {
        let at = p.as_ptr() as usize;
        assert!(
            at >= base as usize && at + 16 <= end,
            "cmsghdr outside the buffer"
        );
        // SAFETY: in bounds (asserted just above); unaligned read.
        let _ = unsafe { p.as_ptr().read_unaligned() };
        steps += 1;
        assert!(steps <= len / 16 + 1, "cmsg walk does not advance");
        // SAFETY: as for firsthdr; `p` came from firsthdr/nexthdr.
        c = unsafe { recvmsg_cmsg_nexthdr(o, &msgh, p.as_ptr()) };
    }
});
