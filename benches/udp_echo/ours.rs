//! The bare-uring server: `BufRing` (safe setup over never-freed memory,
//! `consume` / `data` / `recycle`), `prep::recvmsg_multishot`,
//! `RecvMsgOut` (the safe twin of liburing's `io_uring_recvmsg_*`
//! helpers), `prep::sendto`. `default`: the one-object `Ring`
//! (`peek_cqe` + `cqe_seen` per CQE, `Ring::get_sqe` between them);
//! `best`: the ring fd registered and the split handles (`cq.cqes()`
//! while `sq.get_sqe()`).

use std::process::Child;

use bare_uring::buf_ring::BufRing;
use bare_uring::cq::Cqe;
use bare_uring::recvmsg_out::RecvMsgOut;
use bare_uring::split::{CompletionQueue, SubmissionQueue};
use bare_uring::sys::{io_uring_sqe, msghdr, IORING_CQE_F_MORE, IOSQE_BUFFER_SELECT};
use bare_uring::{prep, Errno, Ring};

use super::{BGID, BR_ENTRIES, BUF_LEN, CANCEL_UD, ECHOES, NAMELEN, PAYLOAD, RECV_UD};

/// Sets up, starts the client (`spawn`), serves `ECHOES` echoes through
/// the counted function, then ends the recvmsg. Returns the echoes served
/// and the client.
pub fn serve(flags: u32, best: bool, fd: i32, spawn: impl FnOnce() -> Child) -> (u32, Child) {
    let mut ring = Ring::queue_init(super::ENTRIES, flags).expect("Ring::queue_init");
    if best {
        ring.register_ring_fd().expect("register_ring_fd");
    }
    // Never freed (leaked, 16 KiB a run): BufRing::setup_static is safe.
    let mem = Box::leak(vec![0u8; (BR_ENTRIES * BUF_LEN) as usize].into_boxed_slice());
    let mut br = BufRing::setup_static(&ring, BR_ENTRIES, BGID, 0, mem, BUF_LEN)
        .expect("BufRing::setup_static");
    br.publish_all().expect("publish_all");
    // Outlives the recvmsg: it is cancelled and its final CQE reaped below.
    let mut msg = msghdr {
        msg_namelen: NAMELEN,
        ..msghdr::zeroed()
    };
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
fn on_recv(br: &mut BufRing<'_>, msg: &msghdr, c: &Cqe) -> Option<Reply> {
    let Some(got) = br.consume(c.res, c.flags) else {
        assert!(Errno::ENOBUFS.is_res(c.res), "recvmsg: {}", c.res);
        return None;
    };
    // SAFETY: `c` is a real CQE of the one request that selects from this
    // group, passed to `consume` once, in CQ order; `got.bid` is not
    // pushed again before the send's CQE.
    let data = unsafe { br.data(&got) };
    let out = RecvMsgOut::new(data, msg).expect("recvmsg_validate");
    let payload = out.payload();
    Some(Reply {
        buf: payload.as_ptr(),
        len: payload.len(),
        name: out.name().as_ptr(),
        bid: got.bid,
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
fn on_sent(br: &mut BufRing<'_>, c: &Cqe) {
    assert_eq!(c.res, PAYLOAD as i32, "sendto");
    br.recycle(c.user_data as u16).expect("recycle");
}

/// The event loop, one-object `Ring` (`default`).
#[inline(never)]
pub fn cg_echo_ring(ring: &mut Ring, br: &mut BufRing<'_>, fd: i32, msg: &mut msghdr) -> u32 {
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

/// The event loop, split handles (`best`).
#[inline(never)]
pub fn cg_echo_split(
    sq: &mut SubmissionQueue<'_>,
    cq: &mut CompletionQueue<'_>,
    br: &mut BufRing<'_>,
    fd: i32,
    msg: &mut msghdr,
) -> u32 {
    // SAFETY: as in cg_echo_ring.
    arm(unsafe { sq.get_sqe() }.expect("SQ full"), fd, msg);
    let mut echoes = 0;
    while echoes < ECHOES {
        sq.submit_and_wait(1).expect("submit_and_wait");
        let mut rearm = false;
        for c in cq.cqes() {
            if c.user_data == RECV_UD {
                rearm |= c.flags & IORING_CQE_F_MORE == 0;
                if let Some(r) = on_recv(br, msg, &c) {
                    // SAFETY: as in cg_echo_ring.
                    send(unsafe { sq.get_sqe() }.expect("SQ full"), fd, &r);
                }
            } else {
                on_sent(br, &c);
                echoes += 1;
            }
        }
        if rearm {
            // SAFETY: as in cg_echo_ring.
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
