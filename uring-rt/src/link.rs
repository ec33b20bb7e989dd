//! The link settings of a static binary built with this kit.
//!
//! The final binary's own build script must print them (as
//! `cargo:rustc-link-arg-bins=ARG`): arguments printed by a dependency's
//! build script do not reach the binary. [`build::link`](crate::build::link)
//! (feature `build`) prints [`ARGS`] and `-Wl,-T,<OUT_DIR>/bare-uring-rt.x`
//! after writing [`SCRIPT`] there. They work with both linkers rustc drives
//! through `cc`: lld (rustc's default for x86_64-unknown-linux-gnu since
//! Rust 1.90) and GNU ld (older Rust, cross gcc for other architectures).
//!
//! Why each is there:
//!
//! | argument | why |
//! |---|---|
//! | `-nostartfiles` | no `crt1.o`/`crti.o`: `_start` is the kit's |
//! | `-nostdlib` | no libc, no libgcc: the kit has the few functions `core` calls |
//! | `-static`, `-no-pie` | a static executable at a fixed address: no `PT_INTERP`, no dynamic section, no relocations for a loader to apply |
//! | `-Wl,--gc-sections` | drops unreferenced functions and data |
//! | `-Wl,--build-id=none` | no `.note.gnu.build-id` |
//! | `-Wl,-z,norelro` | no `PT_GNU_RELRO` and its page alignment |
//! | `-Wl,--no-eh-frame-hdr` | no `.eh_frame_hdr` (nothing unwinds) |
//! | `-Wl,-n` | sections not page-aligned in the file; **only with the script**: alone it makes a binary whose writable segment the kernel maps from the wrong file offset (a crash) |
//! | `-Wl,-T,bare-uring-rt.x` | [`SCRIPT`]: two segments (code; `.data` + `.bss`), unwind tables, `.comment` and notes dropped |

/// The linker arguments besides the script (`-Wl,-T,FILE` with [`SCRIPT`]
/// written to FILE), in order. See the module docs for each one's reason.
pub const ARGS: &[&str] = &[
    "-nostartfiles",
    "-nostdlib",
    "-static",
    "-no-pie",
    "-Wl,--gc-sections",
    "-Wl,--build-id=none",
    "-Wl,-z,norelro",
    "-Wl,--no-eh-frame-hdr",
    "-Wl,-n",
];

/// The linker script (`link.x` of this crate): one read+execute segment at
/// 0x400000 for code and constants; one read+write segment for `.data` and
/// `.bss`, starting on a 64 KiB boundary plus the file offset's remainder
/// (so that the kernel maps `.data` from the right file offset without the
/// file being padded to a page); `.eh_frame`, `.comment` and notes
/// discarded; a non-executable stack (`PT_GNU_STACK`).
///
/// ```text
#[doc = include_str!("../link.x")]
/// ```
pub const SCRIPT: &str = include_str!("../link.x");
