//! Per-opcode names of the SQE's bytes, from the kernel's `io_*_prep()`
//! functions (io_uring/*.c, 6.18) and the comments of `io_uring.h`.
//!
//! Each opcode lists only the members it gives a meaning of its own; any
//! other byte keeps the generic `io_uring_sqe` member name of [`GENERIC`].
//! A specific entry always covers a whole generic member, or tiles it
//! exactly (`cmd_op` + `__pad1` over `off`); a unit test checks this.

use bare_uring_sys::*;

/// How a field's value is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fmt {
    /// Unsigned decimal (lengths, counts, indices).
    Dec,
    /// Signed decimal (descriptors).
    Int,
    /// Hexadecimal (addresses, flags, opaque data).
    Hex,
}

/// One named field: `size` bytes at `off` of the 64-byte SQE.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Spec {
    pub(crate) off: u8,
    pub(crate) size: u8,
    pub(crate) name: &'static str,
    pub(crate) fmt: Fmt,
}

const fn f(off: u8, size: u8, name: &'static str, fmt: Fmt) -> Spec {
    Spec {
        off,
        size,
        name,
        fmt,
    }
}

use Fmt::{Dec, Hex, Int};

/// The generic member names of `struct io_uring_sqe` (first member of each
/// union), in offset order; together they cover bytes 0..64 exactly.
pub(crate) const GENERIC: [Spec; 14] = [
    f(0, 1, "opcode", Dec),
    f(1, 1, "flags", Hex),
    f(2, 2, "ioprio", Hex),
    f(4, 4, "fd", Int),
    f(8, 8, "off", Hex),
    f(16, 8, "addr", Hex),
    f(24, 4, "len", Dec),
    f(28, 4, "rw_flags", Hex),
    f(32, 8, "user_data", Hex),
    f(40, 2, "buf_index", Dec),
    f(42, 2, "personality", Dec),
    f(44, 4, "file_index", Dec),
    f(48, 8, "addr3", Hex),
    f(56, 8, "__pad2[0]", Hex),
];

/// Names of bytes 64..128 (16 per row) of a 128-byte SQE.
pub(crate) const CMD_ROWS: [&str; 4] = ["cmd[16..32]", "cmd[32..48]", "cmd[48..64]", "cmd[64..80]"];
/// As [`CMD_ROWS`], for opcodes that give the second half no meaning.
pub(crate) const BIG_ROWS: [&str; 4] = [
    "big sqe[64..80]",
    "big sqe[80..96]",
    "big sqe[96..112]",
    "big sqe[112..128]",
];

const SOCKET_FD: Spec = f(4, 4, "fd (socket)", Int);
const DIRFD: Spec = f(4, 4, "fd (dirfd)", Int);
const PATH: Spec = f(16, 8, "addr (pathname)", Hex);
const DIRECT_SLOT: Spec = f(
    44,
    4,
    "file_index (direct slot + 1 / IORING_FILE_INDEX_ALLOC)",
    Dec,
);
const MSG_FLAGS: Spec = f(28, 4, "msg_flags (MSG_*)", Hex);
const SEND_IOPRIO: Spec = f(
    2,
    2,
    "ioprio (IORING_RECVSEND_* / IORING_SEND_ZC_* flags)",
    Hex,
);
const RECV_IOPRIO: Spec = f(
    2,
    2,
    "ioprio (IORING_RECVSEND_* / IORING_RECV_MULTISHOT)",
    Hex,
);
const SEND_BUF: Spec = f(
    40,
    2,
    "buf_index (IORING_RECVSEND_FIXED_BUF) / buf_group",
    Dec,
);
const BUF_GROUP: Spec = f(40, 2, "buf_group (IOSQE_BUFFER_SELECT)", Dec);
const TIMESPEC: Spec = f(16, 8, "addr (struct __kernel_timespec *)", Hex);
const ONE_TS: Spec = f(24, 4, "len (1: one timespec)", Dec);
const TIMEOUT_FLAGS: Spec = f(28, 4, "timeout_flags (IORING_TIMEOUT_*)", Hex);
const SOCKADDR: Spec = f(16, 8, "addr (struct sockaddr *)", Hex);
const ADDRLEN: Spec = f(8, 8, "addr2 (addrlen)", Dec);
const MSGHDR: Spec = f(16, 8, "addr (struct msghdr *)", Hex);
const ONE_MSG: Spec = f(24, 4, "len (1: one msghdr)", Dec);
const XATTR_NAME: Spec = f(16, 8, "addr (name)", Hex);
const XATTR_VALUE: Spec = f(8, 8, "addr2 (value)", Hex);
const XATTR_LEN: Spec = f(24, 4, "len (value size)", Dec);
const XATTR_FLAGS: Spec = f(28, 4, "xattr_flags (XATTR_*)", Hex);
const SPLICE_OUT: Spec = f(4, 4, "fd (fd_out)", Int);
const SPLICE_LEN: Spec = f(24, 4, "len (nbytes)", Dec);
const SPLICE_FLAGS: Spec = f(28, 4, "splice_flags (SPLICE_F_*)", Hex);
const SPLICE_IN: Spec = f(44, 4, "splice_fd_in (fd_in)", Int);

const NOP: &[Spec] = &[
    f(4, 4, "fd (IORING_NOP_FILE)", Int),
    f(8, 8, "off (CQE32 big_cqe[0], IORING_NOP_CQE32)", Hex),
    f(16, 8, "addr (CQE32 big_cqe[1], IORING_NOP_CQE32)", Hex),
    f(24, 4, "len (res, IORING_NOP_INJECT_RESULT)", Dec),
    f(28, 4, "nop_flags (IORING_NOP_*)", Hex),
    f(40, 2, "buf_index (IORING_NOP_FIXED_BUFFER)", Dec),
];
const RW: &[Spec] = &[
    f(2, 2, "ioprio (IOPRIO_PRIO_VALUE)", Hex),
    f(8, 8, "off (file offset, -1: current position)", Hex),
    f(16, 8, "addr (buffer / iovec array)", Hex),
    f(24, 4, "len (bytes / iovec count)", Dec),
    f(28, 4, "rw_flags (RWF_*)", Hex),
    f(40, 2, "buf_index (registered buffer) / buf_group", Dec),
    f(48, 8, "attr_ptr (struct io_uring_attr_pi *)", Hex),
    f(56, 8, "attr_type_mask (IORING_RW_ATTR_FLAG_*)", Hex),
];
const READ_MULTISHOT: &[Spec] = &[
    f(8, 8, "off (file offset, -1: current position)", Hex),
    f(16, 8, "addr (0: provided buffers)", Hex),
    f(24, 4, "len (max bytes per buffer, 0: buffer size)", Dec),
    BUF_GROUP,
];
const FSYNC: &[Spec] = &[
    f(8, 8, "off (range start)", Dec),
    f(24, 4, "len (range length)", Dec),
    f(28, 4, "fsync_flags (IORING_FSYNC_DATASYNC)", Hex),
];
const POLL_ADD: &[Spec] = &[
    f(
        24,
        4,
        "len (IORING_POLL_ADD_MULTI / IORING_POLL_ADD_LEVEL)",
        Hex,
    ),
    f(28, 4, "poll32_events (POLL*)", Hex),
];
const POLL_REMOVE: &[Spec] = &[
    f(
        8,
        8,
        "addr2 (new user_data, IORING_POLL_UPDATE_USER_DATA)",
        Hex,
    ),
    f(16, 8, "addr (user_data of the poll request)", Hex),
    f(
        24,
        4,
        "len (IORING_POLL_UPDATE_* / IORING_POLL_ADD_MULTI)",
        Hex,
    ),
    f(
        28,
        4,
        "poll32_events (new events, IORING_POLL_UPDATE_EVENTS)",
        Hex,
    ),
];
const SYNC_FILE_RANGE: &[Spec] = &[
    f(8, 8, "off (range start)", Dec),
    f(24, 4, "len (range length)", Dec),
    f(28, 4, "sync_range_flags (SYNC_FILE_RANGE_*)", Hex),
];
const SENDMSG: &[Spec] = &[SEND_IOPRIO, SOCKET_FD, MSGHDR, ONE_MSG, MSG_FLAGS, SEND_BUF];
const RECVMSG: &[Spec] = &[
    RECV_IOPRIO,
    SOCKET_FD,
    MSGHDR,
    ONE_MSG,
    MSG_FLAGS,
    BUF_GROUP,
];
const TIMEOUT: &[Spec] = &[
    f(8, 8, "off (completion count)", Dec),
    f(
        16,
        8,
        "addr (struct __kernel_timespec *, or ns: IORING_TIMEOUT_IMMEDIATE_ARG)",
        Hex,
    ),
    ONE_TS,
    TIMEOUT_FLAGS,
];
const TIMEOUT_REMOVE: &[Spec] = &[
    f(
        8,
        8,
        "addr2 (new struct __kernel_timespec *, IORING_TIMEOUT_UPDATE)",
        Hex,
    ),
    f(16, 8, "addr (user_data of the timeout)", Hex),
    TIMEOUT_FLAGS,
];
const LINK_TIMEOUT: &[Spec] = &[TIMESPEC, ONE_TS, TIMEOUT_FLAGS];
const ACCEPT: &[Spec] = &[
    f(2, 2, "ioprio (IORING_ACCEPT_* flags)", Hex),
    f(4, 4, "fd (listening socket)", Int),
    f(8, 8, "addr2 (socklen_t *addrlen)", Hex),
    f(16, 8, "addr (struct sockaddr *peer)", Hex),
    f(28, 4, "accept_flags (SOCK_NONBLOCK / SOCK_CLOEXEC)", Hex),
    DIRECT_SLOT,
];
const ASYNC_CANCEL: &[Spec] = &[
    f(4, 4, "fd (IORING_ASYNC_CANCEL_FD)", Int),
    f(16, 8, "addr (user_data to cancel)", Hex),
    f(24, 4, "len (opcode, IORING_ASYNC_CANCEL_OP)", Dec),
    f(28, 4, "cancel_flags (IORING_ASYNC_CANCEL_*)", Hex),
];
const CONNECT: &[Spec] = &[SOCKET_FD, ADDRLEN, SOCKADDR];
const FALLOCATE: &[Spec] = &[
    f(8, 8, "off (offset)", Dec),
    f(16, 8, "addr (length)", Dec),
    f(24, 4, "len (mode FALLOC_FL_*)", Hex),
];
const OPENAT: &[Spec] = &[
    DIRFD,
    PATH,
    f(24, 4, "len (mode)", Hex),
    f(28, 4, "open_flags (O_*)", Hex),
    DIRECT_SLOT,
];
const CLOSE: &[Spec] = &[f(44, 4, "file_index (direct slot + 1)", Dec)];
const FILES_UPDATE: &[Spec] = &[
    f(8, 8, "off (first slot / IORING_FILE_INDEX_ALLOC)", Hex),
    f(16, 8, "addr (int *fds)", Hex),
    f(24, 4, "len (nr fds)", Dec),
];
const STATX: &[Spec] = &[
    DIRFD,
    f(8, 8, "addr2 (struct statx *)", Hex),
    PATH,
    f(24, 4, "len (mask STATX_*)", Hex),
    f(28, 4, "statx_flags (AT_*)", Hex),
];
const FADVISE: &[Spec] = &[
    f(8, 8, "off (offset)", Dec),
    f(16, 8, "addr (64-bit length; 0: use len)", Dec),
    f(24, 4, "len (length)", Dec),
    f(28, 4, "fadvise_advice (POSIX_FADV_*)", Hex),
];
const MADVISE: &[Spec] = &[
    f(8, 8, "off (64-bit length; 0: use len)", Dec),
    f(16, 8, "addr (start address)", Hex),
    f(24, 4, "len (length)", Dec),
    f(28, 4, "fadvise_advice (MADV_*)", Hex),
];
const SEND: &[Spec] = &[
    SEND_IOPRIO,
    SOCKET_FD,
    f(8, 8, "addr2 (struct sockaddr *dest)", Hex),
    f(16, 8, "addr (buffer)", Hex),
    f(24, 4, "len (bytes)", Dec),
    MSG_FLAGS,
    SEND_BUF,
    f(44, 2, "addr_len (dest addrlen)", Dec),
    f(46, 2, "__pad3[0]", Hex),
];
const RECV: &[Spec] = &[
    RECV_IOPRIO,
    SOCKET_FD,
    f(16, 8, "addr (buffer; 0: provided buffer)", Hex),
    f(24, 4, "len (bytes)", Dec),
    MSG_FLAGS,
    BUF_GROUP,
];
const OPENAT2: &[Spec] = &[
    DIRFD,
    f(8, 8, "addr2 (struct open_how *)", Hex),
    PATH,
    f(24, 4, "len (sizeof(struct open_how))", Dec),
    DIRECT_SLOT,
];
const EPOLL_CTL: &[Spec] = &[
    f(4, 4, "fd (epoll fd)", Int),
    f(8, 8, "off (target fd)", Dec),
    f(16, 8, "addr (struct epoll_event *)", Hex),
    f(24, 4, "len (op EPOLL_CTL_*)", Dec),
];
const SPLICE: &[Spec] = &[
    SPLICE_OUT,
    f(8, 8, "off (off_out, -1: none)", Hex),
    f(16, 8, "splice_off_in (off_in, -1: none)", Hex),
    SPLICE_LEN,
    SPLICE_FLAGS,
    SPLICE_IN,
];
const TEE: &[Spec] = &[SPLICE_OUT, SPLICE_LEN, SPLICE_FLAGS, SPLICE_IN];
const PROVIDE_BUFFERS: &[Spec] = &[
    f(4, 4, "fd (number of buffers)", Int),
    f(8, 8, "off (first buffer id)", Dec),
    f(16, 8, "addr (first buffer)", Hex),
    f(24, 4, "len (size of each buffer)", Dec),
    f(40, 2, "buf_group (group id)", Dec),
];
const REMOVE_BUFFERS: &[Spec] = &[
    f(4, 4, "fd (number of buffers)", Int),
    f(40, 2, "buf_group (group id)", Dec),
];
const SHUTDOWN: &[Spec] = &[SOCKET_FD, f(24, 4, "len (how: SHUT_*)", Dec)];
const RENAMEAT: &[Spec] = &[
    f(4, 4, "fd (old dirfd)", Int),
    f(8, 8, "addr2 (new path)", Hex),
    f(16, 8, "addr (old path)", Hex),
    f(24, 4, "len (new dirfd)", Dec),
    f(28, 4, "rename_flags (RENAME_*)", Hex),
];
const UNLINKAT: &[Spec] = &[DIRFD, PATH, f(28, 4, "unlink_flags (AT_REMOVEDIR)", Hex)];
const MKDIRAT: &[Spec] = &[DIRFD, PATH, f(24, 4, "len (mode)", Hex)];
const SYMLINKAT: &[Spec] = &[
    f(4, 4, "fd (new dirfd)", Int),
    f(8, 8, "addr2 (linkpath)", Hex),
    f(16, 8, "addr (target)", Hex),
];
const LINKAT: &[Spec] = &[
    f(4, 4, "fd (old dirfd)", Int),
    f(8, 8, "addr2 (new path)", Hex),
    f(16, 8, "addr (old path)", Hex),
    f(24, 4, "len (new dirfd)", Dec),
    f(28, 4, "hardlink_flags (AT_*)", Hex),
];
const MSG_RING: &[Spec] = &[
    f(4, 4, "fd (target ring)", Int),
    f(8, 8, "off (user_data for target)", Hex),
    f(16, 8, "addr (IORING_MSG_DATA / IORING_MSG_SEND_FD)", Dec),
    f(24, 4, "len (res)", Dec),
    f(28, 4, "msg_ring_flags (IORING_MSG_RING_*)", Hex),
    f(44, 4, "file_index (target slot + 1 / cqe flags)", Hex),
    f(48, 8, "addr3 (source fixed fd)", Int),
];
const FXATTR: &[Spec] = &[
    f(4, 4, "fd (file)", Int),
    XATTR_VALUE,
    XATTR_NAME,
    XATTR_LEN,
    XATTR_FLAGS,
];
const XATTR: &[Spec] = &[
    XATTR_VALUE,
    XATTR_NAME,
    XATTR_LEN,
    XATTR_FLAGS,
    f(48, 8, "addr3 (path)", Hex),
];
const SOCKET: &[Spec] = &[
    f(4, 4, "fd (domain)", Int),
    f(8, 8, "off (type)", Hex),
    f(24, 4, "len (protocol)", Dec),
    f(28, 4, "rw_flags (socket flags, 0)", Hex),
    DIRECT_SLOT,
];
const URING_CMD: &[Spec] = &[
    f(4, 4, "fd (target file)", Int),
    f(8, 4, "cmd_op", Hex),
    f(12, 4, "__pad1", Hex),
    f(
        16,
        8,
        "addr (sockets: level | optname << 32; discard: offset)",
        Hex,
    ),
    f(28, 4, "uring_cmd_flags (IORING_URING_CMD_*)", Hex),
    f(40, 2, "buf_index (IORING_URING_CMD_FIXED)", Dec),
    f(44, 4, "optlen (sockets) / file_index", Dec),
    f(48, 8, "cmd[0..8] (optval / addr3: discard length)", Hex),
    f(56, 8, "cmd[8..16]", Hex),
];
const WAITID: &[Spec] = &[
    f(4, 4, "fd (id)", Int),
    f(8, 8, "addr2 (siginfo_t *infop)", Hex),
    f(24, 4, "len (idtype P_*)", Dec),
    f(28, 4, "waitid_flags", Hex),
    f(44, 4, "file_index (options W*)", Hex),
];
const FUTEX: &[Spec] = &[
    f(4, 4, "fd (FUTEX2_* flags)", Hex),
    f(8, 8, "off (val: expected value / wake count)", Hex),
    f(16, 8, "addr (futex word)", Hex),
    f(28, 4, "futex_flags", Hex),
    f(48, 8, "addr3 (mask)", Hex),
];
const FUTEX_WAITV: &[Spec] = &[
    f(16, 8, "addr (struct futex_waitv *)", Hex),
    f(24, 4, "len (nr futexes)", Dec),
    f(28, 4, "futex_flags", Hex),
];
const FIXED_FD_INSTALL: &[Spec] = &[
    f(4, 4, "fd (fixed slot)", Int),
    f(28, 4, "install_fd_flags (IORING_FIXED_FD_NO_CLOEXEC)", Hex),
];
const FTRUNCATE: &[Spec] = &[f(8, 8, "off (length)", Dec)];
const LISTEN: &[Spec] = &[SOCKET_FD, f(24, 4, "len (backlog)", Dec)];
const RECV_ZC: &[Spec] = &[
    RECV_IOPRIO,
    SOCKET_FD,
    f(24, 4, "len (bytes, 0: unlimited)", Dec),
    MSG_FLAGS,
    f(44, 4, "zcrx_ifq_idx (zero-copy rx queue)", Dec),
];
const EPOLL_WAIT: &[Spec] = &[
    f(4, 4, "fd (epoll fd)", Int),
    f(16, 8, "addr (struct epoll_event *)", Hex),
    f(24, 4, "len (maxevents)", Dec),
    f(28, 4, "rw_flags (flags)", Hex),
];
const PIPE: &[Spec] = &[
    f(16, 8, "addr (int fds[2])", Hex),
    f(28, 4, "pipe_flags (O_*)", Hex),
    DIRECT_SLOT,
];

/// The fields `op` names itself (empty for unknown opcodes).
pub(crate) fn specific(op: u8) -> &'static [Spec] {
    match op as u32 {
        IORING_OP_NOP | IORING_OP_NOP128 => NOP,
        IORING_OP_READV
        | IORING_OP_WRITEV
        | IORING_OP_READ_FIXED
        | IORING_OP_WRITE_FIXED
        | IORING_OP_READ
        | IORING_OP_WRITE
        | IORING_OP_READV_FIXED
        | IORING_OP_WRITEV_FIXED => RW,
        IORING_OP_READ_MULTISHOT => READ_MULTISHOT,
        IORING_OP_FSYNC => FSYNC,
        IORING_OP_POLL_ADD => POLL_ADD,
        IORING_OP_POLL_REMOVE => POLL_REMOVE,
        IORING_OP_SYNC_FILE_RANGE => SYNC_FILE_RANGE,
        IORING_OP_SENDMSG | IORING_OP_SENDMSG_ZC => SENDMSG,
        IORING_OP_RECVMSG => RECVMSG,
        IORING_OP_TIMEOUT => TIMEOUT,
        IORING_OP_TIMEOUT_REMOVE => TIMEOUT_REMOVE,
        IORING_OP_LINK_TIMEOUT => LINK_TIMEOUT,
        IORING_OP_ACCEPT => ACCEPT,
        IORING_OP_ASYNC_CANCEL => ASYNC_CANCEL,
        IORING_OP_CONNECT | IORING_OP_BIND => CONNECT,
        IORING_OP_FALLOCATE => FALLOCATE,
        IORING_OP_OPENAT => OPENAT,
        IORING_OP_CLOSE => CLOSE,
        IORING_OP_FILES_UPDATE => FILES_UPDATE,
        IORING_OP_STATX => STATX,
        IORING_OP_FADVISE => FADVISE,
        IORING_OP_MADVISE => MADVISE,
        IORING_OP_SEND | IORING_OP_SEND_ZC => SEND,
        IORING_OP_RECV => RECV,
        IORING_OP_OPENAT2 => OPENAT2,
        IORING_OP_EPOLL_CTL => EPOLL_CTL,
        IORING_OP_SPLICE => SPLICE,
        IORING_OP_TEE => TEE,
        IORING_OP_PROVIDE_BUFFERS => PROVIDE_BUFFERS,
        IORING_OP_REMOVE_BUFFERS => REMOVE_BUFFERS,
        IORING_OP_SHUTDOWN => SHUTDOWN,
        IORING_OP_RENAMEAT => RENAMEAT,
        IORING_OP_UNLINKAT => UNLINKAT,
        IORING_OP_MKDIRAT => MKDIRAT,
        IORING_OP_SYMLINKAT => SYMLINKAT,
        IORING_OP_LINKAT => LINKAT,
        IORING_OP_MSG_RING => MSG_RING,
        IORING_OP_FSETXATTR | IORING_OP_FGETXATTR => FXATTR,
        IORING_OP_SETXATTR | IORING_OP_GETXATTR => XATTR,
        IORING_OP_SOCKET => SOCKET,
        IORING_OP_URING_CMD | IORING_OP_URING_CMD128 => URING_CMD,
        IORING_OP_WAITID => WAITID,
        IORING_OP_FUTEX_WAIT | IORING_OP_FUTEX_WAKE => FUTEX,
        IORING_OP_FUTEX_WAITV => FUTEX_WAITV,
        IORING_OP_FIXED_FD_INSTALL => FIXED_FD_INSTALL,
        IORING_OP_FTRUNCATE => FTRUNCATE,
        IORING_OP_LISTEN => LISTEN,
        IORING_OP_RECV_ZC => RECV_ZC,
        IORING_OP_EPOLL_WAIT => EPOLL_WAIT,
        IORING_OP_PIPE => PIPE,
        _ => &[],
    }
}

/// Whether `op`'s bytes 64..128 (in a 128-byte SQE) are command data.
pub(crate) fn big_is_cmd(op: u8) -> bool {
    matches!(op as u32, IORING_OP_URING_CMD | IORING_OP_URING_CMD128)
}
