#!/usr/bin/env python3
"""Writes a newc cpio archive (an initramfs) from name=path pairs, so no
cpio(1) is needed. Gzip-compressed when OUT ends in .gz, plain otherwise
(faster to write for large archives; the kernel takes both).

    initramfs.py OUT.cpio[.gz] /init=path/to/prog [/other/name=path ...] [@LISTFILE]

Each entry becomes a regular file (mode 0755) at that name, its parent
directories created as needed; @LISTFILE reads more name=path pairs, one a
line; a NAME/ argument (no "=") is an empty directory. The archive also holds /dev, /dev/console (char 5:1, so /init has a
console on fds 0-2 even on kernels whose built-in initramfs lacks it),
/dev/null (1:3, for std's Command), /proc, /sys and /tmp.
"""
import gzip
import sys


class Writer:
    def __init__(self, f):
        self.f, self.ino, self.dirs = f, 1, set()

    def entry(self, name, mode, data=b"", rdev=(0, 0)):
        self.ino += 1
        name_b = name.encode() + b"\0"
        hdr = "070701" + "".join(
            "%08X" % v
            for v in (
                self.ino, mode, 0, 0, 1, 0, len(data),
                0, 0, rdev[0], rdev[1], len(name_b), 0,
            )
        )
        out = hdr.encode() + name_b
        out += b"\0" * (-len(out) % 4)
        self.f.write(out)
        self.f.write(data)
        self.f.write(b"\0" * (-len(data) % 4))

    def dir(self, name):
        parts = name.split("/")
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d and d not in self.dirs:
                self.dirs.add(d)
                self.entry(d, 0o040755)


def main():
    out, args = sys.argv[1], sys.argv[2:]
    pairs = []
    for a in args:
        if a.startswith("@"):
            with open(a[1:]) as f:
                pairs += [line.rstrip("\n") for line in f if line.strip()]
        else:
            pairs.append(a)
    raw = open(out, "wb")
    f = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6) if out.endswith(".gz") else raw
    w = Writer(f)
    for d in ("dev", "proc", "sys", "tmp"):
        w.dir(d)
    w.entry("dev/console", 0o020600, rdev=(5, 1))
    w.entry("dev/null", 0o020666, rdev=(1, 3))
    for p in pairs:
        if "=" not in p and p.endswith("/"):  # an empty directory
            w.dir(p.strip("/"))
            continue
        name, path = p.split("=", 1)
        name = name.lstrip("/")
        w.dir(name.rsplit("/", 1)[0] if "/" in name else "")
        with open(path, "rb") as src:
            w.entry(name, 0o100755, src.read())
    w.entry("TRAILER!!!", 0)
    f.close()
    raw.close()


if __name__ == "__main__":
    main()
