//! Linux ABI types that io_uring operations point to but `io_uring.h` does
//! not define (they come from other UAPI or libc headers in C). Written by
//! hand from the kernel ABI. One definition serves every supported 64-bit
//! architecture; the only difference among them is `epoll_event`, packed on
//! x86_64 alone. Their layouts are checked against the host C compiler by
//! the root package's `tests/layout.rs`, and against each architecture's
//! C compiler by the `const` assertions of `linux_layout.rs`. `no_std`: no
//! libc needed.
#![allow(non_camel_case_types)]

use core::ffi::{c_int, c_long, c_uint, c_void};

/// `socklen_t`.
pub type socklen_t = u32;
/// `mode_t`.
pub type mode_t = u32;
/// `off_t` (64-bit on every target this crate supports).
pub type off_t = i64;
/// `loff_t`.
pub type loff_t = i64;
/// `id_t`.
pub type id_t = u32;
/// `idtype_t` (a C enum: P_ALL = 0, P_PID = 1, P_PGID = 2, P_PIDFD = 3).
pub type idtype_t = c_uint;
/// `sa_family_t`.
pub type sa_family_t = u16;

/// `AT_FDCWD` (`<fcntl.h>`, `linux/fcntl.h`): as the `dfd` of an `*at`
/// call (`openat`, `statx`, `unlinkat`, ...), resolve relative paths from
/// the current working directory. The same value (-100) on every Linux
/// architecture.
pub const AT_FDCWD: i32 = -100;

/// `struct iovec`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct iovec {
    /// Start address.
    pub iov_base: *mut c_void,
    /// Length in bytes.
    pub iov_len: usize,
}

/// `struct sockaddr`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct sockaddr {
    /// Address family (AF_*).
    pub sa_family: sa_family_t,
    /// Address data.
    pub sa_data: [u8; 14],
}

/// `struct in_addr` (network byte order).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct in_addr {
    /// IPv4 address, network byte order.
    pub s_addr: u32,
}

/// `struct sockaddr_in`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct sockaddr_in {
    /// AF_INET.
    pub sin_family: sa_family_t,
    /// Port, network byte order.
    pub sin_port: u16,
    /// Address.
    pub sin_addr: in_addr,
    /// Padding to `sizeof(struct sockaddr)`.
    pub sin_zero: [u8; 8],
}

/// `struct sockaddr_in6`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct sockaddr_in6 {
    /// AF_INET6.
    pub sin6_family: sa_family_t,
    /// Port, network byte order.
    pub sin6_port: u16,
    /// Flow information.
    pub sin6_flowinfo: u32,
    /// IPv6 address.
    pub sin6_addr: [u8; 16],
    /// Scope id.
    pub sin6_scope_id: u32,
}

/// `struct sockaddr_un`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct sockaddr_un {
    /// AF_UNIX.
    pub sun_family: sa_family_t,
    /// Path (NUL-terminated unless abstract).
    pub sun_path: [u8; 108],
}

/// `struct sockaddr_storage` (128 bytes, 8-aligned).
#[repr(C, align(8))]
#[derive(Debug, Clone, Copy)]
pub struct sockaddr_storage {
    /// Address family.
    pub ss_family: sa_family_t,
    /// Room for any address.
    pub __ss_padding: [u8; 126],
}

impl sockaddr_storage {
    /// An all-zero `sockaddr_storage` (family `AF_UNSPEC`).
    pub const fn zeroed() -> Self {
        sockaddr_storage {
            ss_family: 0,
            __ss_padding: [0; 126],
        }
    }
}

impl Default for sockaddr_storage {
    /// [`sockaddr_storage::zeroed`].
    fn default() -> Self {
        Self::zeroed()
    }
}

/// `struct msghdr` (glibc layout, which is the kernel's `user_msghdr`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct msghdr {
    /// Optional address.
    pub msg_name: *mut c_void,
    /// Size of the address buffer.
    pub msg_namelen: socklen_t,
    /// Scatter/gather array.
    pub msg_iov: *mut iovec,
    /// Number of elements in `msg_iov`.
    pub msg_iovlen: usize,
    /// Ancillary data.
    pub msg_control: *mut c_void,
    /// Ancillary data buffer length.
    pub msg_controllen: usize,
    /// Flags on received message.
    pub msg_flags: c_int,
}

impl msghdr {
    /// A `msghdr` with every field 0 / null, as C's `struct msghdr m = {0};`.
    ///
    /// Set only what the request needs: a multishot `recvmsg` uses just
    /// `msg_namelen` and `msg_controllen` (the sizes of the name and control
    /// areas reserved at the start of each provided buffer).
    ///
    /// ```
    /// use bare_uring_sys::msghdr;
    /// let m = msghdr { msg_namelen: 16, ..msghdr::zeroed() };
    /// assert!(m.msg_name.is_null() && m.msg_iov.is_null());
    /// assert_eq!((m.msg_namelen, m.msg_controllen), (16, 0));
    /// ```
    pub const fn zeroed() -> Self {
        msghdr {
            msg_name: core::ptr::null_mut(),
            msg_namelen: 0,
            msg_iov: core::ptr::null_mut(),
            msg_iovlen: 0,
            msg_control: core::ptr::null_mut(),
            msg_controllen: 0,
            msg_flags: 0,
        }
    }
}

impl Default for msghdr {
    /// [`msghdr::zeroed`].
    fn default() -> Self {
        Self::zeroed()
    }
}

/// `struct cmsghdr`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct cmsghdr {
    /// Data byte count, including the header.
    pub cmsg_len: usize,
    /// Originating protocol.
    pub cmsg_level: c_int,
    /// Protocol-specific type.
    pub cmsg_type: c_int,
}

/// `struct epoll_event` (packed on x86_64, as the kernel defines it).
#[cfg_attr(target_arch = "x86_64", repr(C, packed))]
#[cfg_attr(not(target_arch = "x86_64"), repr(C))]
#[derive(Debug, Clone, Copy, Default)]
pub struct epoll_event {
    /// EPOLL* event mask.
    pub events: u32,
    /// User data.
    pub data: u64,
}

/// `struct statx_timestamp`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct statx_timestamp {
    /// Seconds since the epoch.
    pub tv_sec: i64,
    /// Nanoseconds.
    pub tv_nsec: u32,
    /// Reserved.
    pub __reserved: i32,
}

/// `struct statx` (256 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct statx {
    /// What results were written (STATX_*).
    pub stx_mask: u32,
    /// Preferred I/O block size.
    pub stx_blksize: u32,
    /// Flags conveying information about the file.
    pub stx_attributes: u64,
    /// Number of hard links.
    pub stx_nlink: u32,
    /// Owner.
    pub stx_uid: u32,
    /// Group.
    pub stx_gid: u32,
    /// File mode.
    pub stx_mode: u16,
    /// Spare.
    pub __spare0: [u16; 1],
    /// Inode number.
    pub stx_ino: u64,
    /// File size.
    pub stx_size: u64,
    /// Allocated blocks (512 B).
    pub stx_blocks: u64,
    /// Mask of supported attributes.
    pub stx_attributes_mask: u64,
    /// Last access.
    pub stx_atime: statx_timestamp,
    /// Creation.
    pub stx_btime: statx_timestamp,
    /// Last status change.
    pub stx_ctime: statx_timestamp,
    /// Last modification.
    pub stx_mtime: statx_timestamp,
    /// Device major (if a device).
    pub stx_rdev_major: u32,
    /// Device minor.
    pub stx_rdev_minor: u32,
    /// Containing device major.
    pub stx_dev_major: u32,
    /// Containing device minor.
    pub stx_dev_minor: u32,
    /// Mount id.
    pub stx_mnt_id: u64,
    /// Direct I/O memory alignment.
    pub stx_dio_mem_align: u32,
    /// Direct I/O offset alignment.
    pub stx_dio_offset_align: u32,
    /// Spare space.
    pub __spare3: [u64; 12],
}

/// `struct open_how` (openat2).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct open_how {
    /// O_* flags.
    pub flags: u64,
    /// Creation mode.
    pub mode: u64,
    /// RESOLVE_* flags.
    pub resolve: u64,
}

/// `struct futex_waitv`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct futex_waitv {
    /// Expected value.
    pub val: u64,
    /// User address to wait on.
    pub uaddr: u64,
    /// FUTEX2_* flags.
    pub flags: u32,
    /// Reserved, must be 0.
    pub __reserved: u32,
}

/// `siginfo_t`: 128 opaque bytes (fields depend on the signal).
#[repr(C, align(8))]
#[derive(Debug, Clone, Copy)]
pub struct siginfo_t {
    /// Signal number.
    pub si_signo: c_int,
    /// Error number.
    pub si_errno: c_int,
    /// Signal code.
    pub si_code: c_int,
    /// The signal-specific union.
    pub __fields: [c_int; 29],
}

/// The kernel's `sigset_t` (64 signals; what io_uring_enter's sigmask
/// argument takes with `sigsz = 8`).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct kernel_sigset_t {
    /// Bit `n - 1` is signal `n`.
    pub sig: [u64; 1],
}

/// `struct timespec` for syscalls (64-bit fields on every supported
/// architecture: all are 64-bit).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct timespec {
    /// Seconds.
    pub tv_sec: c_long,
    /// Nanoseconds.
    pub tv_nsec: c_long,
}
