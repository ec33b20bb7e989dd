//! The io-uring and rustix-uring servers, one text for both crates (the
//! same API; rustix-uring is io-uring's code over rustix): `IoUring::split`
//! (as their echo examples do, to push SQEs while reading CQEs; in `best`
//! the submitter registers the ring fd where the crate can),
//! `opcode::RecvMsgMulti`, `types::RecvMsgOut::parse`, `opcode::Send`
//! with `dest_addr` (a sendto), and a buffer ring the bench allocates
//! itself (page-aligned, `Submitter::register_buf_ring`), filled through
//! `types::BufRingEntry` and published by a release store of its tail, as
//! io-uring's own tests do (io-uring-test, register_buf_ring.rs).

/// One module per crate. `$ud`/`$res`: the CQE accessors of `user_data`
/// and `res`; `$msghdr`: the crate's `msghdr`; `|$a| $addr`: a buffer
/// address (`*mut u8`) as the crate's buffer-ring calls take it;
/// `$reg_br($($flags)*)`: the crate's buffer-ring registration (io-uring
/// deprecated its flagless one); `|$sub| $register; $unregister`: register
/// the ring fd (best), and unregister it after the run (a registered ring
/// fd holds the ring open until then, and a thread has 16 slots).
macro_rules! peer {
    ($m:ident, $krate:ident, $ud:ident, $res:ident, $msghdr:ty,
     |$a:ident| $addr:expr, $reg_br:ident($($flags:tt)*), |$sub:ident| $register:expr; $unregister:expr) => {
        pub mod $m {
            use std::alloc::{alloc_zeroed, dealloc, Layout};
            use std::process::Child;
            use std::sync::atomic::{AtomicU16, Ordering};

            use $krate::{cqueue, opcode, squeue, types, IoUring, Submitter};

            use super::super::{
                BGID, BR_ENTRIES, BUF_LEN, CANCEL_UD, ECHOES, ENTRIES, NAMELEN, PAYLOAD, RECV_UD,
            };

            /// The buffer ring: `BR_ENTRIES` entries in page-aligned memory
            /// of ours, over `BR_ENTRIES` buffers of `BUF_LEN` bytes.
            pub struct BufRing {
                base: *mut types::BufRingEntry,
                bufs: *mut u8,
                /// Our tail (the kernel reads the published one).
                tail: u16,
            }

            const RING_LAYOUT: Layout =
                match Layout::from_size_align(BR_ENTRIES as usize * 16, 4096) {
                    Ok(l) => l,
                    Err(_) => panic!("layout"),
                };
            const BUFS_LAYOUT: Layout =
                match Layout::from_size_align((BR_ENTRIES * BUF_LEN) as usize, 64) {
                    Ok(l) => l,
                    Err(_) => panic!("layout"),
                };

            impl BufRing {
                fn new(sub: &Submitter<'_>) -> BufRing {
                    // SAFETY: non-zero sizes.
                    let (base, bufs) = unsafe { (alloc_zeroed(RING_LAYOUT), alloc_zeroed(BUFS_LAYOUT)) };
                    assert!(!base.is_null() && !bufs.is_null(), "alloc");
                    let mut br = BufRing { base: base.cast(), bufs, tail: 0 };
                    let $a = base;
                    // SAFETY: BR_ENTRIES entries, page-aligned, valid until
                    // `free` unregisters the group (after the recvmsg's
                    // final CQE).
                    unsafe { sub.$reg_br($addr, BR_ENTRIES as u16, BGID $($flags)*) }
                        .expect("register_buf_ring");
                    for bid in 0..BR_ENTRIES as u16 {
                        br.add(bid);
                    }
                    br.publish();
                    br
                }

                /// Writes buffer `bid`, whole, into the entry at our tail.
                #[inline(always)]
                fn add(&mut self, bid: u16) {
                    let idx = usize::from(self.tail & (BR_ENTRIES as u16 - 1));
                    let $a = self.bufs.wrapping_add(usize::from(bid) * BUF_LEN as usize);
                    // SAFETY: idx < BR_ENTRIES: inside the ring; the kernel
                    // reads this entry only once the tail covers it.
                    let e = unsafe { &mut *self.base.add(idx) };
                    e.set_addr($addr);
                    e.set_len(BUF_LEN);
                    e.set_bid(bid);
                    self.tail = self.tail.wrapping_add(1);
                }

                /// Publishes the entries added: release, so the kernel that
                /// reads the tail sees them.
                #[inline(always)]
                fn publish(&self) {
                    // SAFETY: the tail field of our live ring, 2-aligned,
                    // which the kernel only reads.
                    let tail = unsafe { types::BufRingEntry::tail(self.base) };
                    // SAFETY: as above; written only through atomics here.
                    unsafe { AtomicU16::from_ptr(tail.cast_mut()) }
                        .store(self.tail, Ordering::Release);
                }

                /// The payload and name area of buffer `bid`'s `len` bytes.
                #[inline(always)]
                fn data(&self, bid: u16, len: usize) -> &[u8] {
                    assert!(bid < BR_ENTRIES as u16 && len <= BUF_LEN as usize, "bid");
                    let p = self.bufs.wrapping_add(usize::from(bid) * BUF_LEN as usize);
                    // SAFETY: inside `bufs`; the CQE handed buffer `bid` to
                    // us, so the kernel is done writing it.
                    unsafe { std::slice::from_raw_parts(p, len) }
                }

                fn free(self, sub: &Submitter<'_>) {
                    sub.unregister_buf_ring(BGID).expect("unregister_buf_ring");
                    // SAFETY: allocated in `new` with these layouts; the
                    // group is gone and its one request ended.
                    unsafe {
                        dealloc(self.base.cast(), RING_LAYOUT);
                        dealloc(self.bufs, BUFS_LAYOUT);
                    }
                }
            }

            #[inline(always)]
            fn arm(fd: i32, msg: &$msghdr) -> squeue::Entry {
                opcode::RecvMsgMulti::new(types::Fd(fd), msg, BGID)
                    .build()
                    .user_data(RECV_UD)
            }

            pub fn serve(
                flags: u32,
                best: bool,
                fd: i32,
                spawn: impl FnOnce() -> Child,
            ) -> (u32, Child) {
                let mut b = IoUring::builder();
                if flags != 0 {
                    b.setup_single_issuer().setup_defer_taskrun();
                }
                let mut ring: IoUring = b.build(ENTRIES).expect("IoUring::build");
                #[allow(unused_mut)]
                let (mut $sub, mut sq, mut cq) = ring.split();
                if best {
                    $register;
                }
                let mut br = BufRing::new(&$sub);
                // SAFETY: all-zero is a valid msghdr (null pointers, 0s).
                let mut msg: $msghdr = unsafe { std::mem::zeroed() };
                msg.msg_namelen = NAMELEN;
                let child = spawn();
                let n = cg_echo(&$sub, &mut sq, &mut cq, &mut br, fd, &msg);
                // End the recvmsg: cancel it, reap its final CQE and the
                // cancel's.
                let e = opcode::AsyncCancel::new(RECV_UD.into()).build().user_data(CANCEL_UD);
                // SAFETY: a cancel points to no memory.
                unsafe { sq.push(&e) }.expect("SQ full");
                sq.sync();
                let (mut recv_done, mut cancel_done) = (false, false);
                while !(recv_done && cancel_done) {
                    $sub.submit_and_wait(1).expect("submit_and_wait");
                    cq.sync();
                    for c in &mut cq {
                        cancel_done |= c.$ud() == CANCEL_UD;
                        recv_done |= c.$ud() == RECV_UD && !cqueue::more(c.flags());
                    }
                }
                br.free(&$sub);
                if best {
                    $unregister;
                }
                (n, child)
            }

            /// The event loop.
            #[inline(never)]
            pub fn cg_echo(
                sub: &Submitter<'_>,
                sq: &mut squeue::SubmissionQueue<'_>,
                cq: &mut cqueue::CompletionQueue<'_>,
                br: &mut BufRing,
                fd: i32,
                msg: &$msghdr,
            ) -> u32 {
                // SAFETY: `msg` and the buffers outlive the recvmsg, which
                // `serve` cancels and reaps before freeing them.
                unsafe { sq.push(&arm(fd, msg)) }.expect("SQ full");
                let mut echoes = 0;
                while echoes < ECHOES {
                    sq.sync();
                    sub.submit_and_wait(1).expect("submit_and_wait");
                    cq.sync();
                    let mut rearm = false;
                    for c in &mut *cq {
                        if c.$ud() == RECV_UD {
                            rearm |= !cqueue::more(c.flags());
                            let Some(bid) = cqueue::buffer_select(c.flags()) else {
                                assert_eq!(c.$res(), -libc::ENOBUFS, "recvmsg");
                                continue;
                            };
                            let data = br.data(bid, c.$res() as usize);
                            let out = types::RecvMsgOut::parse(data, msg).expect("parse");
                            let payload = out.payload_data();
                            let e = opcode::Send::new(
                                types::Fd(fd),
                                payload.as_ptr(),
                                payload.len() as u32,
                            )
                            .dest_addr(out.name_data().as_ptr().cast())
                            .dest_addr_len(NAMELEN)
                            .build()
                            .user_data(u64::from(bid));
                            // SAFETY: reads buffer `bid`, published again
                            // only after this send's CQE.
                            unsafe { sq.push(&e) }.expect("SQ full");
                        } else {
                            assert_eq!(c.$res(), PAYLOAD as i32, "sendto");
                            br.add(c.$ud() as u16);
                            br.publish();
                            echoes += 1;
                        }
                    }
                    if rearm {
                        // SAFETY: as the first arm.
                        unsafe { sq.push(&arm(fd, msg)) }.expect("SQ full");
                    }
                }
                echoes
            }
        }
    };
}

peer!(
    iou, io_uring, user_data, result, libc::msghdr,
    |a| a as u64,
    register_buf_ring_with_flags(, 0),
    |sub| sub.register_ring_fd().expect("register_ring_fd");
        sub.unregister_ring_fd().expect("unregister_ring_fd")
);
// rustix-uring 0.6 has no register_ring_fd.
peer!(
    rxu, rustix_uring, user_data_u64, raw_result, rustix_uring::types::MsgHdr,
    |a| a.cast(),
    register_buf_ring(),
    |sub| {}; {}
);
