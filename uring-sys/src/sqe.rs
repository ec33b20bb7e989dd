//! Accessors for the anonymous unions of [`io_uring_sqe`], named like the C
//! members so nobody types `__bindgen_anon_N`.

use crate::bindings::io_uring_sqe;

/// Getter/setter pairs for members of a type's anonymous unions, named like
/// the C members. The unions' fields are `pub(crate)` (see uring-gen), so
/// outside this crate a value of the type is only ever built whole
/// (`zeroed()`, `Default`) and changed through these setters: every byte is
/// initialised, so reading any member is sound.
macro_rules! union_field {
    ($t:ty { $( $(#[$doc:meta])* $get:ident, $set:ident: $ty:ty => $($path:ident).+ ;)* }) => {
        impl $t {
            $(
                $(#[$doc])*
                #[inline(always)]
                pub const fn $get(&self) -> $ty {
                    // SAFETY: every member of these unions is a plain integer
                    // (or integer array/struct) with no invalid bit patterns,
                    // and the whole value is initialised (see the macro).
                    unsafe { self.$($path).+ }
                }
                #[doc = concat!("Sets `", stringify!($get), "` (see the getter).")]
                #[inline(always)]
                pub const fn $set(&mut self, v: $ty) {
                    self.$($path).+ = v;
                }
            )*
        }
    };
}
pub(crate) use union_field;

union_field! {
io_uring_sqe {
    /// `sqe->off`: file offset (read/write family).
    off, set_off: u64 => __bindgen_anon_1.off;
    /// `sqe->addr2`: second address (e.g. accept's addrlen, timeout update).
    addr2, set_addr2: u64 => __bindgen_anon_1.addr2;
    /// `sqe->cmd_op`: URING_CMD sub-command (low 32 bits of `off`).
    cmd_op, set_cmd_op: u32 => __bindgen_anon_1.__bindgen_anon_1.cmd_op;
    /// `sqe->__pad1`: high 32 bits of `off` when `cmd_op` is used.
    pad1, set_pad1: u32 => __bindgen_anon_1.__bindgen_anon_1.__pad1;
    /// `sqe->addr`: buffer / struct address.
    addr, set_addr: u64 => __bindgen_anon_2.addr;
    /// `sqe->splice_off_in`: splice input offset.
    splice_off_in, set_splice_off_in: u64 => __bindgen_anon_2.splice_off_in;
    /// `sqe->level`: socket option level (SOCKET_URING_OP_*SOCKOPT).
    level, set_level: u32 => __bindgen_anon_2.__bindgen_anon_1.level;
    /// `sqe->optname`: socket option name.
    optname, set_optname: u32 => __bindgen_anon_2.__bindgen_anon_1.optname;
    /// `sqe->rw_flags` (`__kernel_rwf_t`, an `int`): RWF_* for read/write.
    rw_flags, set_rw_flags: i32 => __bindgen_anon_3.rw_flags;
    /// `sqe->fsync_flags`.
    fsync_flags, set_fsync_flags: u32 => __bindgen_anon_3.fsync_flags;
    /// `sqe->poll_events` (16-bit, legacy).
    poll_events, set_poll_events: u16 => __bindgen_anon_3.poll_events;
    /// `sqe->poll32_events`.
    poll32_events, set_poll32_events: u32 => __bindgen_anon_3.poll32_events;
    /// `sqe->sync_range_flags`.
    sync_range_flags, set_sync_range_flags: u32 => __bindgen_anon_3.sync_range_flags;
    /// `sqe->msg_flags`: MSG_* for send/recv.
    msg_flags, set_msg_flags: u32 => __bindgen_anon_3.msg_flags;
    /// `sqe->timeout_flags`.
    timeout_flags, set_timeout_flags: u32 => __bindgen_anon_3.timeout_flags;
    /// `sqe->accept_flags`.
    accept_flags, set_accept_flags: u32 => __bindgen_anon_3.accept_flags;
    /// `sqe->cancel_flags`.
    cancel_flags, set_cancel_flags: u32 => __bindgen_anon_3.cancel_flags;
    /// `sqe->open_flags`.
    open_flags, set_open_flags: u32 => __bindgen_anon_3.open_flags;
    /// `sqe->statx_flags`.
    statx_flags, set_statx_flags: u32 => __bindgen_anon_3.statx_flags;
    /// `sqe->fadvise_advice`.
    fadvise_advice, set_fadvise_advice: u32 => __bindgen_anon_3.fadvise_advice;
    /// `sqe->splice_flags`.
    splice_flags, set_splice_flags: u32 => __bindgen_anon_3.splice_flags;
    /// `sqe->rename_flags`.
    rename_flags, set_rename_flags: u32 => __bindgen_anon_3.rename_flags;
    /// `sqe->unlink_flags`.
    unlink_flags, set_unlink_flags: u32 => __bindgen_anon_3.unlink_flags;
    /// `sqe->hardlink_flags`.
    hardlink_flags, set_hardlink_flags: u32 => __bindgen_anon_3.hardlink_flags;
    /// `sqe->xattr_flags`.
    xattr_flags, set_xattr_flags: u32 => __bindgen_anon_3.xattr_flags;
    /// `sqe->msg_ring_flags`: IORING_MSG_RING_* for IORING_OP_MSG_RING.
    msg_ring_flags, set_msg_ring_flags: u32 => __bindgen_anon_3.msg_ring_flags;
    /// `sqe->uring_cmd_flags`.
    uring_cmd_flags, set_uring_cmd_flags: u32 => __bindgen_anon_3.uring_cmd_flags;
    /// `sqe->waitid_flags`.
    waitid_flags, set_waitid_flags: u32 => __bindgen_anon_3.waitid_flags;
    /// `sqe->futex_flags`.
    futex_flags, set_futex_flags: u32 => __bindgen_anon_3.futex_flags;
    /// `sqe->install_fd_flags`.
    install_fd_flags, set_install_fd_flags: u32 => __bindgen_anon_3.install_fd_flags;
    /// `sqe->nop_flags`.
    nop_flags, set_nop_flags: u32 => __bindgen_anon_3.nop_flags;
    /// `sqe->pipe_flags`.
    pipe_flags, set_pipe_flags: u32 => __bindgen_anon_3.pipe_flags;
    /// `sqe->buf_index`: fixed buffer index.
    buf_index, set_buf_index: u16 => __bindgen_anon_4.buf_index;
    /// `sqe->buf_group`: provided-buffer group id (IOSQE_BUFFER_SELECT).
    buf_group, set_buf_group: u16 => __bindgen_anon_4.buf_group;
    /// `sqe->splice_fd_in`.
    splice_fd_in, set_splice_fd_in: i32 => __bindgen_anon_5.splice_fd_in;
    /// `sqe->file_index`: direct-descriptor slot + 1, or IORING_FILE_INDEX_ALLOC.
    file_index, set_file_index: u32 => __bindgen_anon_5.file_index;
    /// `sqe->zcrx_ifq_idx`.
    zcrx_ifq_idx, set_zcrx_ifq_idx: u32 => __bindgen_anon_5.zcrx_ifq_idx;
    /// `sqe->optlen`.
    optlen, set_optlen: u32 => __bindgen_anon_5.optlen;
    /// `sqe->addr_len`: sockaddr length for send with address.
    addr_len, set_addr_len: u16 => __bindgen_anon_5.__bindgen_anon_1.addr_len;
    /// `sqe->__pad3[0]`.
    pad3, set_pad3: [u16; 1] => __bindgen_anon_5.__bindgen_anon_1.__pad3;
}
}

impl io_uring_sqe {
    /// `sqe->addr3` (bytes 48..56): third address / `optval` / `attr_ptr`.
    #[inline(always)]
    pub const fn addr3(&self) -> u64 {
        // SAFETY: `__bindgen_anon_6` is a 16-byte, 8-aligned union of plain
        // integers; its first 8 bytes are `addr3`/`optval`/`attr_ptr`.
        unsafe {
            core::ptr::addr_of!(self.__bindgen_anon_6)
                .cast::<u64>()
                .read()
        }
    }
    /// Sets `addr3` (also `optval` and `attr_ptr`, the same bytes).
    #[inline(always)]
    pub const fn set_addr3(&mut self, v: u64) {
        // SAFETY: as in `addr3`; the pointer is derived from `&mut self`.
        unsafe {
            core::ptr::addr_of_mut!(self.__bindgen_anon_6)
                .cast::<u64>()
                .write(v)
        }
    }
    /// `sqe->__pad2[0]` (bytes 56..64), `attr_type_mask` for read/write attrs.
    #[inline(always)]
    pub const fn pad2(&self) -> u64 {
        // SAFETY: bytes 8..16 of the same 16-byte, 8-aligned union.
        unsafe {
            core::ptr::addr_of!(self.__bindgen_anon_6)
                .cast::<u64>()
                .add(1)
                .read()
        }
    }
    /// Sets `__pad2[0]` / `attr_type_mask`.
    #[inline(always)]
    pub const fn set_pad2(&mut self, v: u64) {
        // SAFETY: as in `pad2`; the pointer is derived from `&mut self`.
        unsafe {
            core::ptr::addr_of_mut!(self.__bindgen_anon_6)
                .cast::<u64>()
                .add(1)
                .write(v)
        }
    }
    /// `sqe->optval`: the same bytes as `addr3`.
    #[inline(always)]
    pub const fn optval(&self) -> u64 {
        self.addr3()
    }
    /// Sets `optval` (the same bytes as `addr3`).
    #[inline(always)]
    pub const fn set_optval(&mut self, v: u64) {
        self.set_addr3(v)
    }
    /// `sqe->cmd`: the command area at byte 48 (16 bytes in a 64-byte SQE,
    /// 80 in a 128-byte one). The pointer is valid for as long as the SQE's
    /// slot is.
    #[inline(always)]
    pub fn cmd(&mut self) -> *mut u8 {
        core::ptr::addr_of_mut!(self.__bindgen_anon_6).cast::<u8>()
    }
    /// A zeroed SQE (all 64 bytes 0), as `memset(sqe, 0, sizeof(*sqe))`.
    #[inline(always)]
    pub const fn zeroed() -> Self {
        // SAFETY: every field is an integer or a union of integers; the
        // all-zero bit pattern is valid for all of them.
        unsafe { core::mem::zeroed() }
    }
}
