//! (to be written: ring setup, mapping, NO_MMAP, Drop)

/// An io_uring instance (placeholder until the ring issue lands).
pub struct Ring {
    _p: (),
}
