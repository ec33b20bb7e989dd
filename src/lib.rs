//! `uring` (workspace root, `publish = false`): the conformance harness.
//!
//! This package exists for its `build.rs` (C liburing compiled with `cc`),
//! its integration tests in `tests/` and the examples in `examples/`. The
//! library users want is [`bare_uring`]; its ABI types are [`bare_uring_sys`].

pub use bare_uring;
pub use bare_uring_sys;
