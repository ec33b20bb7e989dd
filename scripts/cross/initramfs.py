#!/usr/bin/env python3
"""Writes a gzip-compressed newc cpio archive (an initramfs) from
name=path pairs, so no cpio(1) is needed.

    initramfs.py OUT.cpio.gz /init=path/to/prog [/other=path ...]

Each entry becomes a regular file (mode 0755) at that name; the archive
also holds /dev, /dev/console (char 5:1, so /init has a console on fds
0-2 even on kernels whose built-in initramfs lacks it), /dev/null (1:3,
for std's Command), /proc and /tmp.
"""
import gzip
import sys


def entry(name, mode, data=b"", rdev=(0, 0), ino=[1]):
    ino[0] += 1
    name_b = name.encode() + b"\0"
    hdr = "070701" + "".join(
        "%08X" % v
        for v in (
            ino[0], mode, 0, 0, 1, 0, len(data),
            0, 0, rdev[0], rdev[1], len(name_b), 0,
        )
    )
    out = hdr.encode() + name_b
    out += b"\0" * (-len(out) % 4)
    out += data + b"\0" * (-len(data) % 4)
    return out


def main():
    out, pairs = sys.argv[1], sys.argv[2:]
    body = b""
    for d in ("dev", "proc", "tmp"):
        body += entry(d, 0o040755)
    body += entry("dev/console", 0o020600, rdev=(5, 1))
    body += entry("dev/null", 0o020666, rdev=(1, 3))
    for p in pairs:
        name, path = p.split("=", 1)
        with open(path, "rb") as f:
            body += entry(name.lstrip("/"), 0o100755, f.read())
    body += entry("TRAILER!!!", 0)
    with gzip.open(out, "wb", compresslevel=6) as f:
        f.write(body)


if __name__ == "__main__":
    main()
