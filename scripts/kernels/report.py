#!/usr/bin/env python3
"""Reads the kernel matrix's raw results and prints the verdict.

    report.py OUTDIR LABEL... [--docs docs/KERNELS.md --command "CMD"]

For each LABEL (5.10, 6.1, 6.12, 7.2, host) it reads OUTDIR/LABEL.tests.log
(the test binaries' libtest output between the init's markers
`@@ run NAME` / `@@ end NAME exit=N|signal=N|timeout secs=S`) and
OUTDIR/LABEL.meta (`kver=`, `boot_secs=`, `qemu_rc=`), and prints
  - one line per kernel:
      KVER: N passed, N skipped (reasons), N failed, N not run (ignored)
    then the failed tests and the binaries that crashed, timed out or
    exited non-zero without a FAILED test, and binaries that never ran;
  - a per-test table (one row per test, one column per kernel).
Test results: `test X ... ok` passed; `... ignored, skipped: REASON` a
run-time skip (the live-test harness); `... ignored[, REASON]` a static
#[ignore]: not run, counted apart; `... FAILED` failed; a test that was
running when its binary crashed or timed out counts as failed.
Exit: 0 when every kernel ran every binary with none failed, else 1.
With --docs it also writes the Markdown report (features x kernels from
the probe lines, test counts, command) to the given file.
"""
import collections
import os
import re
import sys

TEST_RE = re.compile(r"^test (\S+) \.\.\. (.*)$")


def classify(rest):
    """libtest's verdict text -> (status, reason) or None if not a verdict."""
    rest = rest.strip()
    if rest == "ok":
        return "ok", ""
    if rest == "FAILED":
        return "FAILED", ""
    if rest.startswith("ignored"):
        reason = rest[len("ignored"):].lstrip(", ").strip()
        if reason.startswith("skipped:"):
            return "skip", reason[len("skipped:"):].strip()
        return "ignored", reason or "#[ignore]"
    return None


def parse_tests(path):
    """-> (list of binaries in order, {bin: {...}}, probe lines)."""
    bins, info, probe = [], {}, []
    cur = pending = None
    in_failures = False
    try:
        lines = open(path, errors="replace").read().replace("\r", "").split("\n")
    except FileNotFoundError:
        lines = []
    for line in lines:
        if line.startswith("@@ run "):
            cur = line[7:].strip()
            bins.append(cur)
            info[cur] = {"tests": collections.OrderedDict(), "end": None, "secs": None, "result": False}
            pending = None
            in_failures = False
            continue
        m = re.match(r"^@@ end (\S+) (\S+) secs=([\d.]+)", line)
        if m:
            if cur and cur in info:
                info[cur]["end"], info[cur]["secs"] = m.group(2), float(m.group(3))
                if pending and info[cur]["end"] != "exit=0":
                    info[cur]["tests"][pending] = ("FAILED", "binary " + info[cur]["end"])
            cur = pending = None
            continue
        if cur is None:
            continue
        if cur == "probe":
            if line.startswith("probe "):
                probe.append(line)
            continue
        tests = info[cur]["tests"]
        # libtest prints every verdict before its "failures:" section; that
        # section may quote other libtest output (a test running its own
        # binary as a child), so verdicts in it are not this binary's.
        if line == "failures:":
            in_failures = True
        if line.startswith("test result:"):
            info[cur]["result"] = True
            in_failures = False
        if in_failures:
            continue
        m = TEST_RE.match(line)
        if m:
            v = classify(m.group(2))
            if v:
                tests.setdefault(m.group(1), v)  # the first verdict counts
                pending = None
            else:  # the verdict comes later (the test wrote to fd 1 itself)
                pending = m.group(1)
            continue
        if pending:
            for word in ("ok", "FAILED", "ignored"):
                i = line.rfind(word)
                if i >= 0 and (v := classify(line[i:])):
                    tests[pending] = v
                    pending = None
                    break
    if cur and pending:  # the guest stopped during this test
        info[cur]["tests"][pending] = ("FAILED", "guest stopped during the test")
    return bins, info, probe


def read_meta(path):
    meta = {}
    try:
        for line in open(path):
            k, _, v = line.strip().partition("=")
            meta[k] = v
    except FileNotFoundError:
        pass
    return meta


def verdict(label, outdir, expected):
    """Summary of one kernel: (ok?, summary line, detail lines, results)."""
    meta = read_meta(os.path.join(outdir, label + ".meta"))
    bins, info, probe = parse_tests(os.path.join(outdir, label + ".tests.log"))
    kver = meta.get("kver", label)
    results = {}  # "bin::test" -> (status, reason)
    for b in bins:
        for t, v in info[b]["tests"].items():
            results[b + "::" + t] = v
    count = collections.Counter(s for s, _ in results.values())
    skips = collections.Counter(r for s, r in results.values() if s == "skip")
    reasons = "; ".join(f"{r} (x{n})" if n > 1 else r for r, n in skips.most_common())
    ignored = count["ignored"]
    detail, bad = [], False
    failed = sorted(k for k, (s, _) in results.items() if s == "FAILED")
    for k in failed:
        detail.append(f"    FAILED {k}" + (f" ({results[k][1]})" if results[k][1] else ""))
    for b in bins:
        end = info[b]["end"]
        if b == "probe":
            continue
        if end is None:
            detail.append(f"    binary {b}: did not finish (guest stopped)")
        elif end == "timeout":
            detail.append(f"    binary {b}: timed out after {info[b]['secs']:.0f}s")
        elif end.startswith("signal="):
            detail.append(f"    binary {b}: crashed ({end})")
        elif end != "exit=0" and not any(info[b]["tests"][t][0] == "FAILED" for t in info[b]["tests"]):
            detail.append(f"    binary {b}: {end} with no FAILED test" + ("" if info[b]["result"] else " and no 'test result' line"))
        if end != "exit=0":
            bad = True
    missing = [b for b in expected if b not in info]
    for b in missing:
        detail.append(f"    binary {b}: never ran")
    if missing or failed:
        bad = True
    booted = bool(bins) or meta.get("booted") == "1"
    times = f"boot+run {meta['boot_secs']}s" if "boot_secs" in meta else ""
    if not booted:
        line = f"{kver}: NOT booted (qemu exit {meta.get('qemu_rc', '?')}; see {label}.console.log)"
        return False, line, detail, results, probe, meta
    line = (f"{kver}: {count['ok']} passed, {count['skip']} skipped"
            + (f" ({reasons})" if reasons else "")
            + f", {len(failed)} failed, {ignored} not run (ignored)"
            + f" [{len(bins) - ('probe' in bins)}/{len(expected)} binaries{', ' + times if times else ''}]")
    return not bad, line, detail, results, probe, meta


def table(labels, allres):
    names = sorted(set().union(*[set(r) for r in allres.values()]))
    short = {"ok": "ok", "skip": "skip", "FAILED": "FAIL", "ignored": "ign"}
    w = max([len(n) for n in names] + [4])
    out = ["test".ljust(w) + "  " + "  ".join(l.rjust(6) for l in labels)]
    for n in names:
        out.append(n.ljust(w) + "  " + "  ".join(short.get(allres[l].get(n, ("-",))[0], "-").rjust(6) for l in labels))
    return out


def probe_map(lines):
    """{("feat"|"setup"|"op", NAME): "yes"|"no (...)"}"""
    m = {}
    for l in lines:
        parts = l.split(" ", 3)
        if len(parts) >= 4 and parts[1] in ("feat", "setup", "op"):
            m[(parts[1], parts[2])] = parts[3]
    return m


def docs(path, labels, data, command, outdir):
    cols = [data[l]["kver"] for l in labels]
    probes = {l: probe_map(data[l]["probe"]) for l in labels}
    keys = []
    for l in labels:
        for k in probes[l]:
            if k not in keys:
                keys.append(k)
    md = ["# Kernels", "",
          "Generated by `scripts/kernels/run.sh` (do not edit by hand). Every test",
          "binary of `cargo test --workspace` (built once, statically) and the probe",
          "program `uring-probe` (cross/smoke/src/probe.rs) ran in each kernel, booted",
          "under `qemu-system-x86_64 -accel tcg` with the binaries in an initramfs;",
          "`host` is the same binaries run natively.", "",
          "Command:", "", "```sh", command, "```", "",
          "How: `cargo test --workspace --no-run --release --target x86_64-unknown-linux-gnu`",
          "with `-C target-feature=+crt-static` (release profile with unwinding, no LTO,",
          "16 codegen units) lists every test executable from cargo's JSON messages:",
          "the lib unit tests of each package and every integration test (doctests",
          "are not executables and are not run). The guest's /init",
          "(`scripts/kernels/init.c`) mounts proc, sysfs, devtmpfs and a tmpfs on",
          "/scratch (TMPDIR, HOME; /tmp stays the initramfs's, which may hold the checkout), brings `lo` up, exports `URING_TEST_SCALE`,",
          "`URING_TEST_TIMEOUT` (the harness's per-test watchdog) and",
          "`PROPTEST_MAX_SHRINK_ITERS=0`, and runs each binary with `--test-threads 1`",
          "in its package directory (the repository's files are in the initramfs at",
          "their own paths) under a per-binary time limit; a hang is a failure.",
          "The guest has no coreutils or cargo: /init also answers as `true`, and as",
          "`cargo` for the one command `tests/nostd_cat.rs` runs",
          "(`cargo build -p nostd-cat --profile min-size`), handing out the nostd-cat",
          "the host built with that command; strace is copied in with its libraries.",
          "Counts: `passed`/`failed` as libtest says; `skipped` = `ignored, skipped:",
          "REASON` (a run-time skip); `not run (#[ignore])` = statically ignored tests;",
          "a test running when its binary crashed or timed out counts as failed;",
          "`not reached` = tests another kernel ran that this one never got to.", "",
          "## Test results", "",
          "| kernel | passed | skipped | failed | not run (#[ignore]) | not reached | binaries crashed, timed out or not run | boot + run |",
          "|---|---|---|---|---|---|---|---|"]
    for l in labels:
        d = data[l]
        c = collections.Counter(s for s, _ in d["results"].values())
        crashed = sum(1 for x in d["detail"] if x.strip().startswith("binary"))
        md.append(f"| {d['kver']} | {c['ok']} | {c['skip']} | {c['FAILED']} | {c['ignored']} | {d.get('not_reached', 0)} | {crashed} | {d['meta'].get('boot_secs', '?')} s |")
    try:
        md += ["", "Times (wall clock, 2 cores shared with other builds): "
               + open(os.path.join(outdir, "times")).read().strip()]
    except OSError:
        pass
    md += ["", "Failed tests and skip reasons per kernel:", ""]
    for l in labels:
        md.append(f"- **{data[l]['kver']}**: " + data[l]["line"].split(": ", 1)[-1])
        md += ["  - " + x.strip() for x in data[l]["detail"][:200]]
    md += ["", "## Features, setup flags and opcodes", "",
           "From `uring-probe` in each kernel: `IORING_FEAT_*` bits of a plain setup,",
           "`IORING_SETUP_*` flags accepted by `io_uring_setup` (with the companion flags",
           "they require; `no` gives the errno), opcodes marked supported by",
           "`IORING_REGISTER_PROBE`.", "",
           "| | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    for kind in ("feat", "setup", "op"):
        for k in [k for k in keys if k[0] == kind]:
            row = [probes[l].get(k, "?") for l in labels]
            md.append(f"| `{k[1]}` | " + " | ".join(row) + " |")
    with open(path, "w") as f:
        f.write("\n".join(md) + "\n")


def main():
    args = sys.argv[1:]
    docs_path = command = None
    if "--docs" in args:
        i = args.index("--docs")
        docs_path = args[i + 1]
        del args[i:i + 2]
    if "--command" in args:
        i = args.index("--command")
        command = args[i + 1]
        del args[i:i + 2]
    outdir, labels = args[0], args[1:]
    expected = [l.split("\t")[0] for l in open(os.path.join(outdir, "list")) if l.strip()]
    ok, data = True, {}
    for l in labels:
        good, line, detail, results, probe, meta = verdict(l, outdir, expected)
        ok &= good
        data[l] = dict(line=line, detail=detail, results=results, probe=probe, meta=meta,
                       kver=meta.get("kver", l))
    # Tests another run listed but this one never reached (its binary hung,
    # crashed or did not run): counted apart, named in the table ("-").
    every = set().union(*[set(d["results"]) for d in data.values()]) if data else set()
    for l in labels:
        n = data[l]["not_reached"] = len(every - set(data[l]["results"]))
        if n and " [" in data[l]["line"]:
            head, tail = data[l]["line"].rsplit(" [", 1)
            data[l]["line"] = f"{head}, {n} not reached [{tail}"
    print("\n--- per-test table (ok, skip = skipped at run time, FAIL, ign = #[ignore]d, - = not run)")
    print("\n".join(table(labels, {l: data[l]["results"] for l in labels})))
    print("\n--- summary")
    for l in labels:
        print(data[l]["line"])
        for x in data[l]["detail"]:
            print(x)
    if docs_path:
        docs(docs_path, labels, data, command or "scripts/kernels/run.sh all --docs", outdir)
        print(f"wrote {docs_path}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
