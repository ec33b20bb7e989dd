//! cat(1) through io_uring with the `io-uring` crate and std: the
//! counterpart of examples/nostd-cat (same algorithm, same exit codes) for
//! docs/SIZE.md. The ring is the crate's usual mmap'd one.
//!
//! Exit codes: 0 ok, 2 usage, 3 ring setup, 4 open, 5 read, 6 write,
//! 7 io_uring_enter failed.

use io_uring::{opcode, squeue, types, IoUring};
use std::ffi::CString;
use std::os::unix::ffi::OsStringExt;
use std::process::exit;

const BUF_LEN: usize = 64 * 1024;

/// Submit what is queued, wait for `want` CQEs; results by user_data 0..=2.
fn run(ring: &mut IoUring, want: usize, res: &mut [i32; 3]) -> Result<(), i32> {
    ring.submit_and_wait(want).map_err(|_| 7)?;
    let mut got = 0;
    while got < want {
        for cqe in ring.completion() {
            if let Some(r) = res.get_mut(cqe.user_data() as usize) {
                *r = cqe.result();
            }
            got += 1;
        }
        if got < want {
            ring.submit_and_wait(want - got).map_err(|_| 7)?;
        }
    }
    Ok(())
}

fn push(ring: &mut IoUring, e: &squeue::Entry) {
    // SAFETY: every buffer and path the entries point to outlives the wait
    // that follows in `run`.
    unsafe { ring.submission().push(e).expect("sq has room") };
}

fn cat(path: CString) -> Result<(), i32> {
    let mut ring = IoUring::new(8).map_err(|_| 3)?;
    let mut buf = vec![0u8; BUF_LEN];
    let mut res = [0i32; 3];

    let open = opcode::OpenAt::new(types::Fd(libc::AT_FDCWD), path.as_ptr())
        .flags(libc::O_RDONLY | libc::O_CLOEXEC)
        .build()
        .user_data(0);
    push(&mut ring, &open);
    run(&mut ring, 1, &mut res)?;
    if res[0] < 0 {
        return Err(4);
    }
    let fd = types::Fd(res[0]);
    let mut off = 0u64;
    loop {
        let rd = opcode::Read::new(fd, buf.as_mut_ptr(), BUF_LEN as u32)
            .offset(off)
            .build()
            .flags(squeue::Flags::IO_LINK)
            .user_data(1);
        let wr = opcode::Write::new(types::Fd(1), buf.as_ptr(), BUF_LEN as u32)
            .offset(u64::MAX)
            .build()
            .user_data(2);
        push(&mut ring, &rd);
        push(&mut ring, &wr);
        run(&mut ring, 2, &mut res)?;
        let (r, w) = (res[1], res[2]);
        if r < 0 {
            return Err(5);
        }
        if r == 0 {
            return Ok(());
        }
        if w == BUF_LEN as i32 {
            off += BUF_LEN as u64;
            continue;
        }
        // A short read cancels the linked write; a write may be short.
        if w < 0 && w != -libc::ECANCELED {
            return Err(6);
        }
        let mut done = w.max(0) as usize;
        while done < r as usize {
            let wr = opcode::Write::new(
                types::Fd(1),
                buf[done..].as_ptr(),
                (r as usize - done) as u32,
            )
            .offset(u64::MAX)
            .build()
            .user_data(2);
            push(&mut ring, &wr);
            run(&mut ring, 1, &mut res)?;
            if res[2] <= 0 {
                return Err(6);
            }
            done += res[2] as usize;
        }
        off += r as u64;
    }
}

fn main() {
    let mut args = std::env::args_os();
    let path = match (args.nth(1), args.next()) {
        (Some(p), None) => p,
        _ => exit(2),
    };
    let path = CString::new(path.into_vec()).unwrap_or_else(|_| exit(4));
    exit(match cat(path) {
        Ok(()) => 0,
        Err(code) => code,
    })
}
