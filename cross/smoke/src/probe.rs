//! `uring-probe`: what the running kernel's io_uring offers, as
//! machine-readable lines for docs/KERNELS.md (scripts/kernels/run.sh runs
//! it in each guest and on the host).
//!
//! ```text
//! probe kernel 6.1.0-57-amd64
//! probe feat IORING_FEAT_NODROP yes
//! probe setup IORING_SETUP_SQPOLL yes|no (errno)
//! probe op IORING_OP_SEND_ZC yes|no
//! ```
//! Features are the `IORING_FEAT_*` bits the kernel sets on a plain setup;
//! opcodes come from `IORING_REGISTER_PROBE`; a setup flag is "yes" when
//! `io_uring_setup` accepts it (with the companion flags or fields it
//! needs), "no" with the errno otherwise.

use bare_uring::decode::opcode_name;
use bare_uring::ring::{memory_size_params, Params};
use bare_uring::sys::*;
use bare_uring::syscall::uname;
use bare_uring::{Errno, Ring};

const FEATS: &[(&str, u32)] = &[
    ("IORING_FEAT_SINGLE_MMAP", IORING_FEAT_SINGLE_MMAP),
    ("IORING_FEAT_NODROP", IORING_FEAT_NODROP),
    ("IORING_FEAT_SUBMIT_STABLE", IORING_FEAT_SUBMIT_STABLE),
    ("IORING_FEAT_RW_CUR_POS", IORING_FEAT_RW_CUR_POS),
    ("IORING_FEAT_CUR_PERSONALITY", IORING_FEAT_CUR_PERSONALITY),
    ("IORING_FEAT_FAST_POLL", IORING_FEAT_FAST_POLL),
    ("IORING_FEAT_POLL_32BITS", IORING_FEAT_POLL_32BITS),
    ("IORING_FEAT_SQPOLL_NONFIXED", IORING_FEAT_SQPOLL_NONFIXED),
    ("IORING_FEAT_EXT_ARG", IORING_FEAT_EXT_ARG),
    ("IORING_FEAT_NATIVE_WORKERS", IORING_FEAT_NATIVE_WORKERS),
    ("IORING_FEAT_RSRC_TAGS", IORING_FEAT_RSRC_TAGS),
    ("IORING_FEAT_CQE_SKIP", IORING_FEAT_CQE_SKIP),
    ("IORING_FEAT_LINKED_FILE", IORING_FEAT_LINKED_FILE),
    ("IORING_FEAT_REG_REG_RING", IORING_FEAT_REG_REG_RING),
    ("IORING_FEAT_RECVSEND_BUNDLE", IORING_FEAT_RECVSEND_BUNDLE),
    ("IORING_FEAT_MIN_TIMEOUT", IORING_FEAT_MIN_TIMEOUT),
    ("IORING_FEAT_RW_ATTR", IORING_FEAT_RW_ATTR),
    ("IORING_FEAT_NO_IOWAIT", IORING_FEAT_NO_IOWAIT),
];

/// Setup flags tried, each with the companions the kernel requires of it.
const SETUP: &[(&str, u32, u32)] = &[
    ("IORING_SETUP_IOPOLL", IORING_SETUP_IOPOLL, 0),
    ("IORING_SETUP_SQPOLL", IORING_SETUP_SQPOLL, 0),
    (
        "IORING_SETUP_SQ_AFF",
        IORING_SETUP_SQ_AFF,
        IORING_SETUP_SQPOLL,
    ),
    ("IORING_SETUP_CQSIZE", IORING_SETUP_CQSIZE, 0),
    ("IORING_SETUP_CLAMP", IORING_SETUP_CLAMP, 0),
    ("IORING_SETUP_R_DISABLED", IORING_SETUP_R_DISABLED, 0),
    ("IORING_SETUP_SUBMIT_ALL", IORING_SETUP_SUBMIT_ALL, 0),
    ("IORING_SETUP_COOP_TASKRUN", IORING_SETUP_COOP_TASKRUN, 0),
    (
        "IORING_SETUP_TASKRUN_FLAG",
        IORING_SETUP_TASKRUN_FLAG,
        IORING_SETUP_COOP_TASKRUN,
    ),
    ("IORING_SETUP_SQE128", IORING_SETUP_SQE128, 0),
    ("IORING_SETUP_CQE32", IORING_SETUP_CQE32, 0),
    ("IORING_SETUP_SINGLE_ISSUER", IORING_SETUP_SINGLE_ISSUER, 0),
    (
        "IORING_SETUP_DEFER_TASKRUN",
        IORING_SETUP_DEFER_TASKRUN,
        IORING_SETUP_SINGLE_ISSUER,
    ),
    ("IORING_SETUP_NO_MMAP", IORING_SETUP_NO_MMAP, 0),
    (
        "IORING_SETUP_REGISTERED_FD_ONLY",
        IORING_SETUP_REGISTERED_FD_ONLY,
        IORING_SETUP_NO_MMAP,
    ),
    ("IORING_SETUP_NO_SQARRAY", IORING_SETUP_NO_SQARRAY, 0),
    (
        "IORING_SETUP_HYBRID_IOPOLL",
        IORING_SETUP_HYBRID_IOPOLL,
        IORING_SETUP_IOPOLL,
    ),
    ("IORING_SETUP_CQE_MIXED", IORING_SETUP_CQE_MIXED, 0),
    ("IORING_SETUP_SQE_MIXED", IORING_SETUP_SQE_MIXED, 0),
    (
        "IORING_SETUP_SQ_REWIND",
        IORING_SETUP_SQ_REWIND,
        IORING_SETUP_NO_SQARRAY,
    ),
];

/// Sets up an 8-entry ring with `flags` and drops it.
fn try_setup(flags: u32) -> Result<(), Errno> {
    let mut p = Params::new().with_flags(flags);
    if flags & IORING_SETUP_CQSIZE != 0 {
        p = p.cq_size(64);
    }
    if flags & IORING_SETUP_NO_MMAP != 0 {
        // Memory the ring lives in: leaked, so the kernel may use it for as
        // long as it likes (this program is short-lived).
        let len = memory_size_params(8, &p)?;
        let mem: &'static mut [u8] = Vec::leak(vec![0u8; len + 2 * 65536]);
        let page = 65536; // over-aligned for every page size
        let off = mem.as_ptr().align_offset(page);
        let mem = &mut mem[off..off + len];
        return Ring::queue_init_static(8, &mut p, mem).map(drop);
    }
    Ring::queue_init_params(8, &mut p).map(drop)
}

fn main() {
    let release = uname()
        .map(|u| bare_uring::syscall::Utsname::field(&u.release).to_string())
        .unwrap_or_else(|e| format!("unknown ({e:?})"));
    println!("probe kernel {release}");
    let ring = match Ring::queue_init(8, 0) {
        Ok(r) => r,
        Err(e) => {
            println!("probe error io_uring_setup: {e:?}");
            std::process::exit(1);
        }
    };
    for (name, bit) in FEATS {
        let yes = ring.features() & bit != 0;
        println!("probe feat {name} {}", if yes { "yes" } else { "no" });
    }
    for (name, flag, with) in SETUP {
        match try_setup(flag | with) {
            Ok(()) => println!("probe setup {name} yes"),
            Err(e) => println!("probe setup {name} no ({e:?})"),
        }
    }
    match ring.get_probe_ring() {
        Ok(probe) => {
            for op in 0..IORING_OP_LAST {
                let name = opcode_name(op as u8).map_or_else(|| format!("op{op}"), String::from);
                let yes = probe.opcode_supported(op);
                println!("probe op {name} {}", if yes { "yes" } else { "no" });
            }
        }
        Err(e) => println!("probe error IORING_REGISTER_PROBE: {e:?}"),
    }
    println!("probe done");
}
