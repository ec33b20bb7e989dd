//! Fixed file table registration on the live kernel: dense, sparse,
//! update (install, clear, skip), tags, alloc range, and I/O through a
//! fixed slot with IOSQE_FIXED_FILE.

use bare_uring::sys::{
    __kernel_timespec, IORING_FEAT_RSRC_TAGS, IORING_FILE_INDEX_ALLOC, IORING_REGISTER_FILES_SKIP,
    IOSQE_FIXED_FILE_BIT,
};
use bare_uring::syscall::{close, pipe2, write, O_CLOEXEC};
use bare_uring::{prep, Errno, Ring};

mod common;
use common::{reap, submit_one};

const FIXED: u8 = 1 << IOSQE_FIXED_FILE_BIT;

/// Reads up to `buf.len()` bytes from fixed slot `slot`; returns the CQE res.
fn read_fixed_slot(ring: &mut Ring, slot: i32, buf: &mut [u8]) -> i32 {
    submit_one(ring, 0x5107, |sqe| {
        prep::read(sqe, slot, buf.as_mut_ptr().cast(), buf.len() as u32, 0);
        sqe.flags |= FIXED;
    })
    .res
}

fn dense_table_outlives_original_fds() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    let [r, w] = pipe2(O_CLOEXEC).unwrap();
    // SAFETY: the fds are open and owned here for the call (I/O safety).
    unsafe { ring.register_files(&[-1, r]) }.unwrap();
    // The table holds its own reference: the original fd can go.
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(r) }.unwrap();
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    assert_eq!(unsafe { write(w, b"fixed!") }, Ok(6));
    let mut buf = [0u8; 16];
    assert_eq!(read_fixed_slot(&mut ring, 1, &mut buf), 6);
    assert_eq!(&buf[..6], b"fixed!");
    // Slot 0 was registered empty.
    assert_eq!(read_fixed_slot(&mut ring, 0, &mut buf), -Errno::EBADF.0);
    // Out of range.
    assert_eq!(read_fixed_slot(&mut ring, 2, &mut buf), -Errno::EBADF.0);
    // A second table is refused; unregister then works once.
    // SAFETY: the fds are open and owned here for the call (I/O safety).
    assert_eq!(unsafe { ring.register_files(&[w]) }, Err(Errno::EBUSY));
    // SAFETY: every request naming a slot has completed (reaped above).
    unsafe { ring.unregister_files() }.unwrap();
    // SAFETY: nothing is registered or in flight.
    assert_eq!(unsafe { ring.unregister_files() }, Err(Errno::ENXIO));
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(w) }.unwrap();
}

fn bad_arguments() {
    let ring = Ring::queue_init(4, 0).unwrap();
    // SAFETY: the fds are open and owned here for the call (I/O safety).
    assert_eq!(unsafe { ring.register_files(&[]) }, Err(Errno::EINVAL));
    // SAFETY: the fds are open and owned here for the call (I/O safety).
    assert_eq!(
        unsafe { ring.register_files(&[1_000_000]) },
        Err(Errno::EBADF)
    );
    // An io_uring fd cannot go in the table.
    let other = Ring::queue_init(4, 0).unwrap();
    // SAFETY: the fds are open and owned here for the call (I/O safety).
    assert_eq!(
        unsafe { ring.register_files(&[other.ring_fd()]) },
        Err(Errno::EBADF)
    );
    assert_eq!(ring.register_files_sparse(0), Err(Errno::EINVAL));
    // SAFETY: the fds are open and owned here for the call (I/O safety).
    assert_eq!(
        unsafe { ring.register_files_update(0, &[0]) },
        Err(Errno::ENXIO)
    );
    // SAFETY: fds open and owned here (I/O safety); no tag is a request's
    // user_data, tag CQEs are read as such here.
    assert_eq!(
        unsafe { ring.register_files_tags(&[0, 1], &[1]) },
        Err(Errno::EINVAL)
    );
}

/// `ring.register_files_sparse(nr)`, skipping the test where the kernel
/// has no sparse tables (IORING_RSRC_REGISTER_SPARSE, 5.19+: EINVAL).
fn sparse_or_skip(ring: &Ring, nr: u32) {
    common::skip_on(
        ring.register_files_sparse(nr),
        &[Errno::EINVAL],
        "sparse file tables (IORING_RSRC_REGISTER_SPARSE) need Linux 5.19+",
    );
}

fn sparse_update_clear_skip() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    sparse_or_skip(&ring, 4);
    let [r, w] = pipe2(O_CLOEXEC).unwrap();
    let mut buf = [0u8; 8];
    // Every slot starts empty.
    assert_eq!(read_fixed_slot(&mut ring, 2, &mut buf), -Errno::EBADF.0);
    // Install at 2 (count of processed slots comes back).
    // SAFETY: the fds are open and owned here for the call (I/O safety).
    assert_eq!(unsafe { ring.register_files_update(2, &[r]) }, Ok(1));
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    unsafe { write(w, b"ab") }.unwrap();
    assert_eq!(read_fixed_slot(&mut ring, 2, &mut buf), 2);
    assert_eq!(&buf[..2], b"ab");
    // SKIP leaves slot 2 alone while slot 3 gets the write end.
    assert_eq!(
        // SAFETY: the fds are open and owned here for the call (I/O safety).
        unsafe { ring.register_files_update(2, &[IORING_REGISTER_FILES_SKIP, w]) },
        Ok(2)
    );
    // SAFETY: the fd is open and owned here for the call (I/O safety).
    unsafe { write(w, b"c") }.unwrap();
    assert_eq!(read_fixed_slot(&mut ring, 2, &mut buf), 1);
    assert_eq!(buf[0], b'c');
    // -1 clears.
    // SAFETY: the fds are open and owned here for the call (I/O safety).
    assert_eq!(unsafe { ring.register_files_update(2, &[-1]) }, Ok(1));
    assert_eq!(read_fixed_slot(&mut ring, 2, &mut buf), -Errno::EBADF.0);
    // Beyond the table.
    // SAFETY: the fds are open and owned here for the call (I/O safety).
    assert_eq!(
        unsafe { ring.register_files_update(4, &[r]) },
        Err(Errno::EINVAL)
    );
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(r) }.unwrap();
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(w) }.unwrap();
}

fn tags_post_a_cqe_when_a_file_leaves() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    common::require_feature(
        ring.features(),
        IORING_FEAT_RSRC_TAGS,
        "IORING_FEAT_RSRC_TAGS",
        "5.13",
    );
    let [r, w] = pipe2(O_CLOEXEC).unwrap();
    // SAFETY: fds open and owned here (I/O safety); no tag is a request's
    // user_data, tag CQEs are read as such here.
    unsafe { ring.register_files_tags(&[r, w], &[0x7a6_0001, 0]) }.unwrap();
    // An empty or skipped slot cannot carry a tag.
    assert_eq!(
        // SAFETY: fds open and owned here (I/O safety); no tag is a request's
        // user_data, tag CQEs are read as such here.
        unsafe { ring.register_files_update_tag(0, &[-1], &[5]) },
        Err(Errno::EINVAL)
    );
    // Clearing tagged slot 0 posts its tag (res 0) once it is unused
    // (before 6.13 from a delayed work item, about a second later).
    // SAFETY: fds open and owned here (I/O safety); no tag is a request's
    // user_data, tag CQEs are read as such here.
    assert_eq!(
        unsafe { ring.register_files_update_tag(0, &[-1], &[0]) },
        Ok(1)
    );
    let c = common::reap_within(&mut ring, 10);
    assert_eq!((c.user_data, c.res), (0x7a6_0001, 0));
    // Untagged slot 1 leaving posts nothing: a NOP is the next CQE.
    // SAFETY: the fds are open and owned here for the call (I/O safety).
    assert_eq!(unsafe { ring.register_files_update(1, &[-1]) }, Ok(1));
    // SAFETY: a NOP points to no memory.
    let sqe = unsafe { ring.get_sqe() }.unwrap();
    prep::nop(sqe);
    sqe.user_data = 99;
    ring.submit_and_wait(1).unwrap();
    assert_eq!(reap(&mut ring).user_data, 99);
    assert_eq!(ring.cq_ready(), 0);
    // A file installed with a tag posts it when the table goes away.
    assert_eq!(
        // SAFETY: fds open and owned here (I/O safety); no tag is a request's
        // user_data, tag CQEs are read as such here.
        unsafe { ring.register_files_update_tag(1, &[r], &[0x7a6_0002]) },
        Ok(1)
    );
    // SAFETY: no request is queued or in flight (all were reaped above).
    unsafe { ring.unregister_files() }.unwrap();
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(r) }.unwrap();
    // SAFETY: the fd is this code's own and not used after this.
    unsafe { close(w) }.unwrap();
    // Before 6.13 (the per-resource node rework) unregistering drops the
    // files still in the table without posting their tags; no register
    // answer tells the two apart, so the wait is bounded and its outcome
    // decides.
    let ts = __kernel_timespec {
        tv_sec: 5,
        tv_nsec: 0,
    };
    match ring.wait_cqe_timeout(Some(&ts)) {
        Ok(c) => {
            ring.cqe_seen(&c);
            assert_eq!((c.user_data, c.res), (0x7a6_0002, 0));
            assert_eq!(ring.cq_ready(), 0);
        }
        Err(Errno::ETIME) => common::skip(
            "tag CQEs for files still registered at unregister need Linux 6.13+ \
             (none within 5 s; the update-time tags above were checked)",
        ),
        Err(e) => panic!("waiting for the unregister tag: {e:?}"),
    }
}

/// Opens /dev/null into a slot the kernel allocates; returns the CQE res.
fn open_alloc(ring: &mut Ring) -> i32 {
    submit_one(ring, 0x0a11, |sqe| {
        prep::openat_direct(
            sqe,
            -100,
            c"/dev/null".as_ptr(),
            0,
            0,
            IORING_FILE_INDEX_ALLOC,
        )
    })
    .res
}

fn alloc_range_is_honoured() {
    let mut ring = Ring::queue_init(8, 0).unwrap();
    sparse_or_skip(&ring, 8);
    common::skip_on(
        ring.register_file_alloc_range(5, 2),
        &[Errno::EINVAL],
        "IORING_REGISTER_FILE_ALLOC_RANGE needs Linux 6.0+",
    );
    let a = open_alloc(&mut ring);
    let b = open_alloc(&mut ring);
    let mut got = [a, b];
    got.sort();
    assert_eq!(got, [5, 6]);
    // Range exhausted.
    assert_eq!(open_alloc(&mut ring), -Errno::ENFILE.0);
    // Freeing slot 5 makes it the next allocation.
    // SAFETY: the fds are open and owned here for the call (I/O safety).
    assert_eq!(unsafe { ring.register_files_update(5, &[-1]) }, Ok(1));
    assert_eq!(open_alloc(&mut ring), 5);
    // A range outside the table.
    assert_eq!(ring.register_file_alloc_range(7, 2), Err(Errno::EINVAL));
    // off + len overflowing u32.
    assert_eq!(
        ring.register_file_alloc_range(u32::MAX, 2),
        Err(Errno::EOVERFLOW)
    );
}

common::harness::main! {
    dense_table_outlives_original_fds,
    bad_arguments,
    sparse_update_clear_skip,
    tags_post_a_cqe_when_a_file_leaves,
    alloc_range_is_honoured,
}
