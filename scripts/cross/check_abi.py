#!/usr/bin/env python3
"""Checks bare-uring's syscall numbers and bare-uring-sys's hand-written Linux
types against each architecture's own kernel and C library headers.

    scripts/cross/check_abi.py            # check; exit 1 on any mismatch
    scripts/cross/check_abi.py --write    # regenerate uring-sys/src/linux_layout.rs
    scripts/cross/check_abi.py --require  # also fail when a cross compiler is missing

1. Syscall numbers: every `SYS_X` constant of an arch's backend
   (uring-core/src/syscall/) against `__NR_x` of that arch's
   `<asm/unistd.h>`, read with the arch's cross gcc (`-E -dM`). loongarch64
   has no cross gcc in Debian 12: its table is the kernel's asm-generic one
   (`<asm-generic/unistd.h>` with 64-bit longs), which the host's headers
   carry.
2. Layouts: the size and alignment of every Linux type of
   uring-sys/src/linux.rs and the offset of each field listed in
   tests/layout_fields.txt (plus a few more below), computed by the arch's
   C compiler from glibc and kernel headers (compile-only: `%c` asm
   operands print the constants into the assembly, as the kernel's
   asm-offsets does). The results are
   written as `const` assertions, one block per arch, into
   uring-sys/src/linux_layout.rs: building bare-uring-sys for an arch asserts
   its layout (CI builds every arch), and this script fails when the
   committed file differs from what the compilers say.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "uring-sys/src/linux_layout.rs")

# Rust target_arch -> (C compiler, file holding its SYS_* numbers).
ARCHES = {
    "x86_64": ("gcc", "x86_64.rs"),
    "aarch64": ("aarch64-linux-gnu-gcc", "generic.rs"),
    "riscv64": ("riscv64-linux-gnu-gcc", "generic.rs"),
    "powerpc64": ("powerpc64le-linux-gnu-gcc", "powerpc64.rs"),
    "s390x": ("s390x-linux-gnu-gcc", "s390x.rs"),
    "loongarch64": (None, "generic.rs"),
}

# Types of linux.rs beyond tests/layout_fields.txt: (Rust type, C type, fields).
EXTRA = [
    ("timespec", "struct timespec", ["tv_sec", "tv_nsec"]),
    ("statx_timestamp", "struct statx_timestamp", ["tv_sec", "tv_nsec"]),
    ("in_addr", "struct in_addr", ["s_addr"]),
]
PRELUDE = """#define _GNU_SOURCE
#include <stddef.h>
#include <signal.h>
#include <time.h>
#include <sys/uio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <linux/time_types.h>
#include <linux/openat2.h>
#include <linux/futex.h>
#define V(name, val) __asm__ volatile(".ascii \\"@@" name " %0@@\\"" :: "i"((long)(val)))
"""


def layout_rows():
    """(rust_type, c_type, [fields]) for the Linux types, in file order."""
    rows = {}
    order = []
    with open(os.path.join(ROOT, "tests/layout_fields.txt")) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            st, member = line.split()[:2]
            if st.startswith("io_"):
                continue  # bindgen's own asserts cover the io_uring types
            if st not in rows:
                rows[st] = []
                order.append(st)
            rows[st].append(member)
    out = []
    for st in order:
        c = st if st.endswith("_t") else "struct " + st
        out.append((st, c, rows[st]))
    return out + EXTRA


def c_layout(cc, rows):
    src = PRELUDE + "void uring_layout(void) {\n"
    for rust, c, fields in rows:
        src += '  V("%s size", sizeof(%s));\n' % (rust, c)
        src += '  V("%s align", _Alignof(%s));\n' % (rust, c)
        for f in fields:
            src += '  V("%s.%s", offsetof(%s, %s));\n' % (rust, f, c, f)
    src += "}\n"
    asm = subprocess.run(
        [cc, "-S", "-O0", "-x", "c", "-", "-o", "-"],
        input=src, capture_output=True, text=True, check=True,
    ).stdout
    return {k: int(v) for k, v in re.findall(r"@@(\S+(?: size| align)?) [$#]?(-?\d+)@@", asm)}


def nr_table(cc):
    if cc is None:
        cmd = ["gcc", "-E", "-dM", "-x", "c", "-"]
        src = "#include <asm-generic/unistd.h>\n"
    else:
        cmd = [cc, "-E", "-dM", "-x", "c", "-"]
        src = "#include <asm/unistd.h>\n"
    text = subprocess.run(cmd, input=src, capture_output=True, text=True, check=True).stdout
    defs = dict(re.findall(r"#define (__NR3264_\w+|__NR_\w+) (\S+)", text))

    def value(name, depth=0):
        v = defs.get(name)
        if v is None or depth > 5:
            return None
        v = v.strip("()")
        m = re.fullmatch(r"(?:__NR_SYSCALL_BASE\s*\+\s*)?(\d+)", v)
        if m:
            return int(m.group(1))
        return value(v, depth + 1)

    return value


def rust_numbers(fname):
    with open(os.path.join(ROOT, "uring-core/src/syscall", fname)) as f:
        return dict(
            (k, int(v)) for k, v in re.findall(r"const SYS_(\w+): usize = (\d+);", f.read())
        )


def rust_block(arch, rows, lay):
    lines = ['#[cfg(target_arch = "%s")]' % arch, "const _: () = {"]
    for rust, _, fields in rows:
        lines.append("    assert!(size_of::<%s>() == %d);" % (rust, lay[rust + " size"]))
        lines.append("    assert!(align_of::<%s>() == %d);" % (rust, lay[rust + " align"]))
        for f in fields:
            lines.append("    assert!(offset_of!(%s, %s) == %d);" % (rust, f, lay["%s.%s" % (rust, f)]))
    lines.append("};")
    return "\n".join(lines)


def have(cc):
    return cc is not None and subprocess.run(["sh", "-c", "command -v " + cc],
                                             capture_output=True).returncode == 0


def main():
    write = "--write" in sys.argv
    require = "--require" in sys.argv
    rows = layout_rows()
    bad, blocks, skipped = [], [], []
    committed = open(OUT).read() if os.path.exists(OUT) else ""
    for arch, (cc, nrfile) in ARCHES.items():
        hdr_cc = cc if cc is None or have(cc) else False
        if hdr_cc is False:
            skipped.append("%s: %s not installed" % (arch, cc))
        else:
            nr = nr_table(hdr_cc)
            for name, n in rust_numbers(nrfile).items():
                want = nr("__NR_" + name.lower())
                if want != n:
                    bad.append("%s: SYS_%s = %d, headers say %s" % (arch, name, n, want))
            print("%s: %d syscall numbers match %s" % (
                arch, len(rust_numbers(nrfile)),
                "asm-generic/unistd.h" if cc is None else cc + " <asm/unistd.h>"))
        if cc is not None and have(cc):
            lay = c_layout(cc, rows)
            blocks.append(rust_block(arch, rows, lay))
            print("%s: %d layout facts from %s" % (arch, len(lay), cc))
        else:
            # Keep the committed block of an arch we cannot compile for here.
            m = re.search(r'#\[cfg\(target_arch = "%s"\)\]\nconst _: \(\) = \{\n.*?\n\};' % arch,
                          committed, re.S)
            if m:
                blocks.append(m.group(0))
            if cc is None:
                skipped.append("%s: layout not compiled (no C compiler for it in Debian 12); "
                               "bare-uring-sys has no assertion block for it" % arch)
    text = HEADER + "\n\n".join(blocks) + "\n"
    if write:
        open(OUT, "w").write(text)
        print("wrote", os.path.relpath(OUT, ROOT))
    elif text != committed:
        bad.append("uring-sys/src/linux_layout.rs differs from the compilers' layouts "
                   "(run scripts/cross/check_abi.py --write and review the diff)")
    for s in skipped:
        print("skip " + s)
    for b in bad:
        print("MISMATCH " + b)
    if bad or (require and any("not installed" in s for s in skipped)):
        sys.exit(1)
    print("abi check: ok")


HEADER = """//! Layout assertions for the Linux types of [`crate::linux`], one block
//! per architecture, each checked when bare-uring-sys is built for that
//! architecture (CI builds every supported one).
//!
//! Generated by `scripts/cross/check_abi.py --write` from what each
//! architecture's C compiler computes from glibc and kernel headers; the
//! script (run by `.ci/cross.sh`) fails when this file differs. Do not
//! edit.
#![allow(clippy::all)]

// Unused on an architecture without a block (loongarch64).
#[allow(unused_imports)]
use crate::*;
#[allow(unused_imports)]
use core::mem::{align_of, offset_of, size_of};

"""

if __name__ == "__main__":
    main()
