//! Accessors for the anonymous unions of the other UAPI structs
//! ([`io_uring_restriction`], [`zcrx_ctrl`], [`io_uring_bpf_ctx`],
//! [`io_uring_bpf`]), named like the C members. As for
//! [`io_uring_sqe`](crate::io_uring_sqe), the union fields themselves are
//! private to this crate: build a value with `Default::default()` (all
//! zero) and set members through these.

use crate::bindings::{
    io_uring_bpf, io_uring_bpf_ctx, io_uring_bpf_ctx__bindgen_ty_1__bindgen_ty_1,
    io_uring_bpf_ctx__bindgen_ty_1__bindgen_ty_2, io_uring_bpf_filter, io_uring_restriction,
    zcrx_ctrl, zcrx_ctrl_export, zcrx_ctrl_flush_rq,
};
use crate::sqe::union_field;

union_field! {
io_uring_restriction {
    /// `res->register_op` (IORING_RESTRICTION_REGISTER_OP).
    register_op, set_register_op: u8 => __bindgen_anon_1.register_op;
    /// `res->sqe_op` (IORING_RESTRICTION_SQE_OP).
    sqe_op, set_sqe_op: u8 => __bindgen_anon_1.sqe_op;
    /// `res->sqe_flags` (IORING_RESTRICTION_SQE_FLAGS_ALLOWED/REQUIRED).
    sqe_flags, set_sqe_flags: u8 => __bindgen_anon_1.sqe_flags;
}
}

union_field! {
zcrx_ctrl {
    /// `ctrl->zc_export` (ZCRX_CTRL_EXPORT).
    zc_export, set_zc_export: zcrx_ctrl_export => __bindgen_anon_1.zc_export;
    /// `ctrl->zc_flush` (ZCRX_CTRL_FLUSH_RQ).
    zc_flush, set_zc_flush: zcrx_ctrl_flush_rq => __bindgen_anon_1.zc_flush;
}
}

union_field! {
io_uring_bpf_ctx {
    /// `ctx->socket`: the socket() arguments of an IORING_OP_SOCKET.
    socket, set_socket: io_uring_bpf_ctx__bindgen_ty_1__bindgen_ty_1 => __bindgen_anon_1.socket;
    /// `ctx->open`: the open_how of an IORING_OP_OPENAT2.
    open, set_open: io_uring_bpf_ctx__bindgen_ty_1__bindgen_ty_2 => __bindgen_anon_1.open;
}
}

union_field! {
io_uring_bpf {
    /// `bpf->filter` (IO_URING_BPF_CMD_FILTER).
    filter, set_filter: io_uring_bpf_filter => __bindgen_anon_1.filter;
}
}

impl io_uring_restriction {
    /// A restriction entry: `opcode` is `IORING_RESTRICTION_*`, `arg` goes
    /// into the union (`register_op`, `sqe_op` or `sqe_flags`, the same
    /// byte); everything else zero.
    #[inline]
    pub const fn new(opcode: u16, arg: u8) -> Self {
        let mut r = io_uring_restriction {
            opcode,
            __bindgen_anon_1: crate::bindings::io_uring_restriction__bindgen_ty_1 { sqe_op: 0 },
            resv: 0,
            resv2: [0; 3],
        };
        r.set_sqe_op(arg);
        r
    }
}
