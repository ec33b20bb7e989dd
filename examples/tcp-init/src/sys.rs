//! The few system calls that are not io_uring requests: the loopback
//! interface's flags (`ioctl`), `fork`, `wait4`, `reboot`, and console
//! output. x86_64 only (the demo boots under qemu-system-x86_64).

use core::arch::asm;

const SYS_IOCTL: usize = 16;
const SYS_FORK: usize = 57;
const SYS_WAIT4: usize = 61;
const SYS_REBOOT: usize = 169;

/// A raw four-argument syscall; the kernel's return value (`-errno` on
/// error).
///
/// # Safety
/// The arguments satisfy syscall `n`'s contract (pointers valid for what
/// the kernel reads or writes).
unsafe fn syscall4(n: usize, a1: usize, a2: usize, a3: usize, a4: usize) -> isize {
    let ret: isize;
    // SAFETY: the x86_64 syscall ABI: number in rax, arguments in rdi, rsi,
    // rdx, r10; rcx and r11 clobbered; the caller vouches for the
    // arguments. Not `nomem`: the kernel reads and writes our memory.
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") n as isize => ret,
            in("rdi") a1,
            in("rsi") a2,
            in("rdx") a3,
            in("r10") a4,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    ret
}

/// `struct ifreq` with the `ifr_flags` member of its union.
#[repr(C)]
struct IfReq {
    name: [u8; 16],
    flags: i16,
    _pad: [u8; 22],
}

const SIOCGIFFLAGS: usize = 0x8913;
const SIOCSIFFLAGS: usize = 0x8914;
const IFF_UP: i16 = 0x1;

/// Sets `IFF_UP` on the loopback interface `lo` (the kernel gives it
/// 127.0.0.1 when it comes up) through `sock`, any socket; returns the
/// negative errno on failure.
pub fn loopback_up(sock: i32) -> Result<(), isize> {
    let mut ifr = IfReq {
        name: *b"lo\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
        flags: 0,
        _pad: [0; 22],
    };
    let p = &mut ifr as *mut IfReq as usize;
    // SAFETY: SIOCGIFFLAGS reads the name from and writes the flags into
    // the 40-byte ifreq at p, which lives across the call.
    let r = unsafe { syscall4(SYS_IOCTL, sock as usize, SIOCGIFFLAGS, p, 0) };
    if r < 0 {
        return Err(r);
    }
    ifr.flags |= IFF_UP;
    let p = &mut ifr as *mut IfReq as usize;
    // SAFETY: SIOCSIFFLAGS reads the ifreq at p, which lives across the call.
    let r = unsafe { syscall4(SYS_IOCTL, sock as usize, SIOCSIFFLAGS, p, 0) };
    if r < 0 {
        return Err(r);
    }
    Ok(())
}

/// `fork(2)`: 0 in the child, the child's pid in the parent, `-errno`.
pub fn fork() -> isize {
    // SAFETY: fork takes no arguments and touches no memory of ours; the
    // child continues here on a copy of the address space.
    unsafe { syscall4(SYS_FORK, 0, 0, 0, 0) }
}

/// `wait4(-1, &status, 0, NULL)`: a terminated child's `(pid, status)`.
pub fn wait_any() -> Result<(i32, i32), isize> {
    let mut status = 0i32;
    // SAFETY: the kernel writes one int to &status, which outlives the call.
    let r = unsafe {
        syscall4(
            SYS_WAIT4,
            -1isize as usize,
            &mut status as *mut i32 as usize,
            0,
            0,
        )
    };
    if r < 0 {
        Err(r)
    } else {
        Ok((r as i32, status))
    }
}

/// `reboot(LINUX_REBOOT_CMD_POWER_OFF)`: powers the machine off (needs
/// CAP_SYS_BOOT, which /init has). Returns only on failure.
pub fn power_off() -> isize {
    const MAGIC1: usize = 0xfee1_dead;
    const MAGIC2: usize = 672_274_793;
    const POWER_OFF: usize = 0x4321_fedc;
    // SAFETY: reboot with these arguments reads no memory of ours.
    unsafe { syscall4(SYS_REBOOT, MAGIC1, MAGIC2, POWER_OFF, 0) }
}

/// Writes `s` to fd 1 (the console, for /init).
pub fn say(s: &[u8]) {
    // SAFETY: fd 1 is the process's standard output (the console for
    // /init), open for the whole run and never closed by this program.
    let _ = unsafe { bare_uring::syscall::write(1, s) };
}

/// Writes `n` in decimal to fd 1.
pub fn say_num(mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    say(&buf[i..]);
}
