//! A [`Ring`] split into a submission side, a completion side and a
//! submitter, usable at the same time: reap CQEs and queue new SQEs in the
//! same loop.
//!
//! [`Ring::split`] borrows the ring and returns:
//! - [`SubmissionQueue`]: `get_sqe` (the one `unsafe` boundary, as
//!   [`Ring::get_sqe`]), `submit`, `submit_and_wait`, the SQ counters;
//! - [`CompletionQueue`]: `peek_cqe`, `wait_cqe`, `cqe_seen`, `cq_advance`,
//!   `cqes()`, `for_each_cqe`, `peek_batch_cqe`, the CQ counters;
//! - [`Submitter`]: `io_uring_enter`/`io_uring_register` on the ring
//!   ([`Submitter::enter`], [`Submitter::register_raw`]),
//!   [`Submitter::get_events`] and [`Submitter::sqring_wait`].
//!
//! Each handle keeps what its hot path needs: the submission side borrows
//! the SQ indices exclusively and hands out many SQEs in a row through
//! [`SubmissionQueue::sq_batch`], whose cursor keeps them (and the SQ
//! geometry) in locals; the completion side keeps a copy of the CQ
//! geometry with the CQE size decided once, at the split (its consumer
//! index is the head in shared memory); each keeps a copy of what entering
//! the kernel needs. Methods carry liburing's names and behave as the
//! [`Ring`] methods of the same name.
//!
//! While the handles live the ring is borrowed: registration helpers of
//! [`Ring`] (`register_files`, ...) run before or after the split, or
//! through [`Submitter::register_raw`].
//!
//! # Example: an event loop
//! ```
//! use bare_uring::{helpers, prep, Ring};
//!
//! let mut ring = Ring::queue_init(8, 0)?;
//! let (mut sq, mut cq, _submitter) = ring.split();
//! // SAFETY: a NOP points to no memory (see the crate's safety model).
//! let sqe = unsafe { sq.get_sqe() }.expect("SQ has room");
//! prep::nop(sqe);
//! helpers::sqe_set_data64(sqe, 0);
//! let mut done = 0;
//! while done < 10 {
//!     sq.submit_and_wait(1)?;
//!     for cqe in cq.cqes() {
//!         assert_eq!(cqe.res, 0);
//!         done += 1;
//!         // Queue the next request while iterating completions.
//!         // SAFETY: as above.
//!         if let Some(sqe) = unsafe { sq.get_sqe() } {
//!             prep::nop(sqe);
//!             helpers::sqe_set_data64(sqe, cqe.user_data + 1);
//!         }
//!     }
//! }
//! # Ok::<(), bare_uring::Errno>(())
//! ```

mod completion;
mod submission;
mod submitter;

pub use completion::CompletionQueue;
pub use submission::SubmissionQueue;
pub use submitter::Submitter;

use crate::Ring;

impl Ring {
    /// Splits the ring into its submission side, completion side and
    /// submitter, all usable at the same time (see [`crate::split`]).
    ///
    /// No liburing equivalent (the `io-uring` crate's `split()`).
    #[inline]
    pub fn split(&mut self) -> (SubmissionQueue<'_>, CompletionQueue<'_>, Submitter<'_>) {
        let ctx = self.enter_ctx();
        let cq = CompletionQueue::new(self.cq.duplicate(), ctx);
        let submitter = Submitter::new(*self.sq.ptrs(), ctx);
        (SubmissionQueue::new(&mut self.sq, ctx), cq, submitter)
    }
}
