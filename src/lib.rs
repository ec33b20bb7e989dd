//! `uring` (workspace root, `publish = false`): the conformance harness.
//!
//! This package exists for its `build.rs` (C liburing compiled with `cc`),
//! its integration tests in `tests/` and the examples in `examples/`. The
//! library users want is [`uring_core`]; its ABI types are [`uring_sys`].

pub use uring_core;
pub use uring_sys;
