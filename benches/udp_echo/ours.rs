//! The bare-uring server: `prep::recvmsg_multishot`, `RecvMsgOut` (the
//! safe twin of liburing's `io_uring_recvmsg_*` helpers), `prep::sendto`,
//! and the buffers either through `BufRing` (safe setup over never-freed
//! memory, `consume` / `data` / `recycle`, which track every buffer's
//! state) or, in the `raw` rows, through the 1:1 twins of liburing's
//! calls (`Ring::setup_buf_ring`, `buf_ring_add` + `buf_ring_advance`,
//! `cqe_bid`: liburing's work, `unsafe`). `default`: the one-object `Ring`
//! (`peek_cqe` + `cqe_seen` per CQE, `Ring::get_sqe` between them);
//! `best`: the ring fd registered and the split handles (`cq.cqes()`
//! while `sq.get_sqe()`).

use std::process::Child;
use std::ptr::NonNull;

use bare_uring::buf_ring::{buf_ring_add, buf_ring_advance, buf_ring_mask, cqe_bid, BufRing};
use bare_uring::cq::Cqe;
use bare_uring::recvmsg_out::RecvMsgOut;
use bare_uring::split::{CompletionQueue, SubmissionQueue};
use bare_uring::sys::{
    io_uring_buf_ring, io_uring_sqe, msghdr, IORING_CQE_F_MORE, IOSQE_BUFFER_SELECT,
};
use bare_uring::{prep, Errno, Ring};

use super::{BGID, BR_ENTRIES, BUF_LEN, CANCEL_UD, ECHOES, NAMELEN, PAYLOAD, RECV_UD};

/// Sets up, starts the client (`spawn`), serves `ECHOES` echoes through
/// the counted function (`raw`: the 1:1 buffer-ring twins instead of
/// `BufRing`), then ends the recvmsg. Returns the echoes served and the
/// client.
pub fn serve(
    flags: u32,
    best: bool,
    raw: bool,
    fd: i32,
    spawn: impl FnOnce() -> Child,
) -> (u32, Child) {
    let mut ring = Ring::queue_init(super::ENTRIES, flags).expect("Ring::queue_init");
    if best {
        ring.register_ring_fd().expect("register_ring_fd");
    }
    // Never freed (leaked, 16 KiB a run): BufRing::setup_static is safe,
    // and the raw ring's buffers can never dangle.
    let mem = Box::leak(vec![0u8; (BR_ENTRIES * BUF_LEN) as usize].into_boxed_slice());
    // Outlives the recvmsg: it is cancelled and its final CQE reaped below.
    let mut msg = msghdr {
        msg_namelen: NAMELEN,
        ..msghdr::zeroed()
    };
    if raw {
        let mut b = RawBufs::new(&ring, mem);
        let child = spawn();
        let n = if best {
            let (mut sq, mut cq, _) = ring.split();
            cg_echo_split_raw(&mut sq, &mut cq, &mut b, fd, &mut msg)
        } else {
            cg_echo_ring_raw(&mut ring, &mut b, fd, &mut msg)
        };
        stop(&mut ring);
        // SAFETY: from setup_buf_ring on this ring for BGID; the one
        // request that selected from it has ended (stop).
        unsafe { ring.free_buf_ring(b.br, BR_ENTRIES, BGID) }.expect("free_buf_ring");
        return (n, child);
    }
    let mut br = BufRing::setup_static(&ring, BR_ENTRIES, BGID, 0, mem, BUF_LEN)
        .expect("BufRing::setup_static");
    br.publish_all().expect("publish_all");
    let child = spawn();
    let n = if best {
        let (mut sq, mut cq, _) = ring.split();
        cg_echo_split(&mut sq, &mut cq, &mut br, fd, &mut msg)
    } else {
        cg_echo_ring(&mut ring, &mut br, fd, &mut msg)
    };
    stop(&mut ring);
    (n, child)
}

/// The buffers as the loop uses them: what a recvmsg CQE received, and
/// giving a buffer back once its send is done.
trait Bufs {
    /// The bytes of the recvmsg CQE `c` (`res` bytes of its buffer) and
    /// the buffer id; `None` when it carries no buffer.
    fn received(&mut self, c: &Cqe) -> Option<(&[u8], u16)>;
    /// Publishes buffer `bid` again, whole.
    fn give_back(&mut self, bid: u16);
}

impl Bufs for BufRing<'_> {
    #[inline(always)]
    fn received(&mut self, c: &Cqe) -> Option<(&[u8], u16)> {
        let got = self.consume(c.res, c.flags)?;
        // SAFETY: `c` is a real CQE of the one request that selects from
        // this group, passed to `consume` once, in CQ order; `got.bid` is
        // not pushed again before the send's CQE.
        Some((unsafe { self.data(&got) }, got.bid))
    }

    #[inline(always)]
    fn give_back(&mut self, bid: u16) {
        self.recycle(bid).expect("recycle");
    }
}

/// A buffer ring driven by the 1:1 twins of liburing's calls.
struct RawBufs {
    br: NonNull<io_uring_buf_ring>,
    bufs: *mut u8,
}

impl RawBufs {
    /// Registers a ring for BGID and publishes every buffer of `mem`.
    fn new(ring: &Ring, mem: &'static mut [u8]) -> RawBufs {
        let br = ring
            .setup_buf_ring(BR_ENTRIES, BGID, 0)
            .expect("setup_buf_ring");
        let mut b = RawBufs {
            br,
            bufs: mem.as_mut_ptr(),
        };
        for bid in 0..BR_ENTRIES as u16 {
            b.add(bid, i32::from(bid));
        }
        // SAFETY: the entries just written hold buffers of `mem`, never freed.
        unsafe { buf_ring_advance(b.br.as_ptr(), BR_ENTRIES as i32) };
        b
    }

    #[inline(always)]
    fn buf(&self, bid: u16) -> *mut u8 {
        assert!(u32::from(bid) < BR_ENTRIES, "bid");
        self.bufs.wrapping_add(usize::from(bid) * BUF_LEN as usize)
    }

    #[inline(always)]
    fn add(&mut self, bid: u16, offset: i32) {
        // SAFETY: our ring of BR_ENTRIES entries, masked; buffer `bid` of
        // never-freed memory, BUF_LEN bytes.
        unsafe {
            buf_ring_add(
                self.br.as_ptr(),
                self.buf(bid).cast(),
                BUF_LEN,
                bid,
                buf_ring_mask(BR_ENTRIES),
                offset,
            )
        };
    }
}

impl Bufs for RawBufs {
    #[inline(always)]
    fn received(&mut self, c: &Cqe) -> Option<(&[u8], u16)> {
        let bid = cqe_bid(c.flags)?;
        let len = (c.res.max(0) as usize).min(BUF_LEN as usize);
        // SAFETY: inside buffer `bid`, which this CQE handed back to us
        // (the kernel is done writing it) and which is published again
        // only after the send's CQE.
        Some((
            unsafe { std::slice::from_raw_parts(self.buf(bid), len) },
            bid,
        ))
    }

    #[inline(always)]
    fn give_back(&mut self, bid: u16) {
        self.add(bid, 0);
        // SAFETY: the entry just written holds buffer `bid`.
        unsafe { buf_ring_advance(self.br.as_ptr(), 1) };
    }
}

/// Prepares the multishot recvmsg on `sqe`.
#[inline(always)]
fn arm(sqe: &mut io_uring_sqe, fd: i32, msg: *mut msghdr) {
    prep::recvmsg_multishot(sqe, fd, msg, 0);
    sqe.flags |= IOSQE_BUFFER_SELECT;
    sqe.set_buf_group(BGID);
    sqe.user_data = RECV_UD;
}

/// What a recvmsg CQE with a buffer asks to send: the payload and the
/// sender's address, both inside buffer `bid`, which stays the
/// application's (not published) until the send's CQE recycles it.
struct Reply {
    buf: *const u8,
    len: usize,
    name: *const u8,
    bid: u16,
}

/// Decodes a recvmsg CQE: `None` when it carries no buffer (the recvmsg
/// ended with ENOBUFS; any other error fails the bench).
#[inline(always)]
fn on_recv(b: &mut impl Bufs, msg: &msghdr, c: &Cqe) -> Option<Reply> {
    let Some((data, bid)) = b.received(c) else {
        assert!(Errno::ENOBUFS.is_res(c.res), "recvmsg: {}", c.res);
        return None;
    };
    let out = RecvMsgOut::new(data, msg).expect("recvmsg_validate");
    let payload = out.payload();
    Some(Reply {
        buf: payload.as_ptr(),
        len: payload.len(),
        name: out.name().as_ptr(),
        bid,
    })
}

/// Prepares the `sendto` of `r`.
#[inline(always)]
fn send(sqe: &mut io_uring_sqe, fd: i32, r: &Reply) {
    prep::sendto(sqe, fd, r.buf.cast(), r.len, 0, r.name.cast(), NAMELEN);
    sqe.user_data = u64::from(r.bid);
}

/// A send's CQE: the whole datagram went out; its buffer goes back.
#[inline(always)]
fn on_sent(b: &mut impl Bufs, c: &Cqe) {
    assert_eq!(c.res, PAYLOAD as i32, "sendto");
    b.give_back(c.user_data as u16);
}

/// The event loop, one-object `Ring` (`default`), `BufRing`.
#[inline(never)]
fn cg_echo_ring(ring: &mut Ring, br: &mut BufRing<'_>, fd: i32, msg: &mut msghdr) -> u32 {
    echo_ring(ring, br, fd, msg)
}

/// As `cg_echo_ring`, with the 1:1 buffer-ring twins.
#[inline(never)]
fn cg_echo_ring_raw(ring: &mut Ring, b: &mut RawBufs, fd: i32, msg: &mut msghdr) -> u32 {
    echo_ring(ring, b, fd, msg)
}

/// The event loop, split handles (`best`), `BufRing`.
#[inline(never)]
fn cg_echo_split(
    sq: &mut SubmissionQueue<'_>,
    cq: &mut CompletionQueue<'_>,
    br: &mut BufRing<'_>,
    fd: i32,
    msg: &mut msghdr,
) -> u32 {
    echo_split(sq, cq, br, fd, msg)
}

/// As `cg_echo_split`, with the 1:1 buffer-ring twins.
#[inline(never)]
fn cg_echo_split_raw(
    sq: &mut SubmissionQueue<'_>,
    cq: &mut CompletionQueue<'_>,
    b: &mut RawBufs,
    fd: i32,
    msg: &mut msghdr,
) -> u32 {
    echo_split(sq, cq, b, fd, msg)
}

#[inline(always)]
fn echo_ring(ring: &mut Ring, br: &mut impl Bufs, fd: i32, msg: &mut msghdr) -> u32 {
    // SAFETY: `msg` and the group's buffers (never freed) outlive the
    // recvmsg, which `serve` cancels and reaps before `msg` goes.
    arm(unsafe { ring.get_sqe() }.expect("SQ full"), fd, msg);
    let mut echoes = 0;
    while echoes < ECHOES {
        ring.submit_and_wait(1).expect("submit_and_wait");
        let mut rearm = false;
        while let Ok(c) = ring.peek_cqe() {
            ring.cqe_seen(&c);
            if c.user_data == RECV_UD {
                rearm |= c.flags & IORING_CQE_F_MORE == 0;
                if let Some(r) = on_recv(br, msg, &c) {
                    // SAFETY: the send reads buffer `r.bid`, which is not
                    // published again before this send's CQE (`on_sent`),
                    // and is never freed.
                    send(unsafe { ring.get_sqe() }.expect("SQ full"), fd, &r);
                }
            } else {
                on_sent(br, &c);
                echoes += 1;
            }
        }
        if rearm {
            // SAFETY: as the first arm.
            arm(unsafe { ring.get_sqe() }.expect("SQ full"), fd, msg);
        }
    }
    echoes
}

#[inline(always)]
fn echo_split(
    sq: &mut SubmissionQueue<'_>,
    cq: &mut CompletionQueue<'_>,
    br: &mut impl Bufs,
    fd: i32,
    msg: &mut msghdr,
) -> u32 {
    // SAFETY: as in echo_ring.
    arm(unsafe { sq.get_sqe() }.expect("SQ full"), fd, msg);
    let mut echoes = 0;
    while echoes < ECHOES {
        sq.submit_and_wait(1).expect("submit_and_wait");
        let mut rearm = false;
        for c in cq.cqes() {
            if c.user_data == RECV_UD {
                rearm |= c.flags & IORING_CQE_F_MORE == 0;
                if let Some(r) = on_recv(br, msg, &c) {
                    // SAFETY: as in echo_ring.
                    send(unsafe { sq.get_sqe() }.expect("SQ full"), fd, &r);
                }
            } else {
                on_sent(br, &c);
                echoes += 1;
            }
        }
        if rearm {
            // SAFETY: as in echo_ring.
            arm(unsafe { sq.get_sqe() }.expect("SQ full"), fd, msg);
        }
    }
    echoes
}

/// Cancels the recvmsg and reaps its final CQE and the cancel's.
fn stop(ring: &mut Ring) {
    // SAFETY: a cancel points to no memory.
    let sqe = unsafe { ring.get_sqe() }.expect("SQ full");
    prep::cancel64(sqe, RECV_UD, 0);
    sqe.user_data = CANCEL_UD;
    ring.submit().expect("submit");
    let (mut recv_done, mut cancel_done) = (false, false);
    while !(recv_done && cancel_done) {
        let c = ring.wait_cqe().expect("wait_cqe");
        ring.cqe_seen(&c);
        cancel_done |= c.user_data == CANCEL_UD;
        recv_done |= c.user_data == RECV_UD && c.flags & IORING_CQE_F_MORE == 0;
    }
}
