//! Build script of the root (`publish = false`) harness package.
//!
//! 1. Reads every `io_uring_prep_*` signature from the vendored `liburing.h`
//!    and generates `$OUT_DIR/prep_ref.c` (one non-inline C wrapper per
//!    helper, `ref_<name>`) and `$OUT_DIR/prep_cases.rs` (one proptest case
//!    per helper that has a Rust twin in `uring-core/src/prep/`).
//! 2. Turns `tests/layout_fields.txt` into `$OUT_DIR/layout.c` (C
//!    `offsetof`/`sizeof`) and `$OUT_DIR/layout_rust.rs` (Rust `offset_of!`).
//! 3. Compiles those and every `tests/c/*.c` against the vendored headers
//!    into the static library `uring_ref`, linked into the tests and benches.
//! 4. Compiles C liburing 2.15 itself from `vendor/liburing/src` (as its
//!    `make` does on x86_64: CONFIG_NOLIBC, -O3) plus `benches/c/*.c` into
//!    `liburing_c`, the C side of `benches/vs_io_uring.rs` and
//!    `benches/udp_echo` (`benches/c/liburing_echo.c`). Only
//!    what a binary references is linked from it (a static archive).
//!
//! 5. Emits `cfg(uring_libclang)` when libclang is installed (or CI demands
//!    it with `URING_REQUIRE_LIBCLANG`): without it the bindings drift test
//!    is `#[ignore]`d, so `cargo test` shows it as ignored, not as passed.
//!
//! Users of `bare-uring` never run this: only this package has it.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let header = root.join("vendor/liburing/include/liburing.h");
    let prep_dir = root.join("uring-core/src/prep");
    for p in [
        "vendor/liburing/include",
        "uring-core/src/prep",
        "tests/c",
        "tests/layout_fields.txt",
        "vendor/liburing/src",
        "benches/c",
    ] {
        println!("cargo:rerun-if-changed={p}");
    }
    detect_libclang();

    let text = fs::read_to_string(&header).expect("read vendored liburing.h");
    let helpers = parse_prep_helpers(&text);
    let mut implemented = Vec::new();
    collect_pub_fns(&prep_dir, &mut implemented);

    fs::write(out.join("prep_ref.c"), gen_prep_c(&helpers)).unwrap();
    fs::write(
        out.join("prep_cases.rs"),
        gen_prep_rs(&helpers, &implemented),
    )
    .unwrap();
    fs::write(
        out.join("prep_signatures.rs"),
        gen_signatures(&helpers, &implemented),
    )
    .unwrap();

    let layout = fs::read_to_string(root.join("tests/layout_fields.txt")).unwrap();
    let rows = parse_layout(&layout);
    fs::write(out.join("layout.c"), gen_layout_c(&rows)).unwrap();
    fs::write(out.join("layout_rust.rs"), gen_layout_rs(&rows)).unwrap();

    let mut build = cc::Build::new();
    build
        .include(root.join("tests/c/include"))
        .include(root.join("vendor/liburing/include"))
        .define("_GNU_SOURCE", None)
        .flag_if_supported("-std=gnu11")
        .warnings(false)
        .opt_level(2)
        .file(out.join("prep_ref.c"))
        .file(out.join("layout.c"));
    let mut extra: Vec<PathBuf> = fs::read_dir(root.join("tests/c"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "c"))
        .collect();
    extra.sort();
    for f in extra {
        build.file(f);
    }
    build.compile("uring_ref");
    build_liburing(&root);
}

/// C liburing 2.15 from the vendored sources, and the bench's C side.
fn build_liburing(root: &Path) {
    let src = root.join("vendor/liburing/src");
    let mut lu = cc::Build::new();
    lu.include(root.join("tests/c/include"))
        .include(root.join("vendor/liburing/include"))
        .define("_GNU_SOURCE", None)
        .define("_LARGEFILE_SOURCE", None)
        .define("_FILE_OFFSET_BITS", "64")
        .define("LIBURING_INTERNAL", None)
        .define("CONFIG_NOLIBC", None)
        .flag_if_supported("-ffreestanding")
        .flag_if_supported("-fno-builtin")
        .flag_if_supported("-fno-stack-protector")
        .warnings(false)
        .opt_level(3);
    for f in [
        "setup.c",
        "queue.c",
        "register.c",
        "syscall.c",
        "version.c",
        "nolibc.c",
    ] {
        lu.file(src.join(f));
    }
    lu.compile("liburing_c");
    // The benches' C functions: ordinary user code (libc), -O3.
    let mut bench = cc::Build::new();
    bench
        .include(root.join("tests/c/include"))
        .include(root.join("vendor/liburing/include"))
        .define("_GNU_SOURCE", None)
        .warnings(false)
        .opt_level(3)
        .file(root.join("benches/c/liburing_bench.c"))
        .file(root.join("benches/c/liburing_echo.c"));
    bench.compile("liburing_bench");
}

/// One C parameter: its type text and name.
struct Param {
    ty: String,
    name: String,
}

/// One `io_uring_prep_*` helper from liburing.h.
struct Helper {
    c_name: String,
    rust_name: String,
    params: Vec<Param>,
}

fn parse_prep_helpers(text: &str) -> Vec<Helper> {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut v = Vec::new();
    let mut rest = flat.as_str();
    while let Some(i) = rest.find("IOURINGINLINE void ") {
        rest = &rest[i + "IOURINGINLINE void ".len()..];
        let Some(open) = rest.find('(') else { break };
        let name = rest[..open].trim();
        let Some(close) = rest.find(')') else { break };
        let args = &rest[open + 1..close];
        let rust_name = if let Some(n) = name.strip_prefix("io_uring_prep_") {
            n.to_string()
        } else if let Some(n) = name.strip_prefix("__io_uring_prep_") {
            format!("__{n}")
        } else {
            continue;
        };
        let params = args
            .split(',')
            .map(|a| {
                let a = a.trim();
                let cut = a
                    .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .map_or(0, |i| i + 1);
                Param {
                    ty: a[..cut].trim().to_string(),
                    name: a[cut..].to_string(),
                }
            })
            .collect();
        v.push(Helper {
            c_name: name.to_string(),
            rust_name,
            params,
        });
    }
    v
}

fn collect_pub_fns(dir: &Path, out: &mut Vec<String>) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect_pub_fns(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            let s = fs::read_to_string(&p).unwrap_or_default();
            for line in s.lines() {
                let l = line.trim_start();
                for pre in [
                    "pub fn ",
                    "pub unsafe fn ",
                    "pub const fn ",
                    "pub const unsafe fn ",
                ] {
                    if let Some(r) = l.strip_prefix(pre) {
                        let n: String = r
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        out.push(n);
                    }
                }
            }
        }
    }
}

/// Argument class of a C parameter type: the Rust type used in the extern
/// declaration and the proptest strategy generating it.
fn class(ty: &str) -> Option<(&'static str, &'static str)> {
    if ty.contains('*') {
        return Some(("usize", "s_ptr()"));
    }
    Some(match ty.trim_start_matches("const ").trim() {
        "int" | "__s32" | "int32_t" => ("i32", "s_i32()"),
        "unsigned" | "unsigned int" | "__u32" | "uint32_t" | "socklen_t" | "mode_t"
        | "idtype_t" | "id_t" => ("u32", "s_u32()"),
        "__u64" | "uint64_t" | "unsigned long long" => ("u64", "s_u64()"),
        "int64_t" | "off_t" | "loff_t" | "__s64" => ("i64", "s_i64()"),
        "__u16" | "unsigned short" | "uint16_t" => ("u16", "s_u16()"),
        "size_t" => ("usize", "s_usize()"),
        _ => return None,
    })
}

fn is_sqe(p: &Param) -> bool {
    p.ty.contains("io_uring_sqe") && p.ty.contains('*')
}

fn gen_prep_c(helpers: &[Helper]) -> String {
    let mut s = String::from(
        "/* Generated by build.rs: a non-inline wrapper per liburing prep helper. */\n\
         #include \"liburing.h\"\n\n",
    );
    for h in helpers {
        let decl: Vec<String> = h
            .params
            .iter()
            .map(|p| format!("{} {}", p.ty, p.name))
            .collect();
        let names: Vec<&str> = h.params.iter().map(|p| p.name.as_str()).collect();
        writeln!(
            s,
            "void ref_{}({}) {{ {}({}); }}",
            h.c_name,
            decl.join(", "),
            h.c_name,
            names.join(", ")
        )
        .unwrap();
    }
    s
}

fn gen_prep_rs(helpers: &[Helper], implemented: &[String]) -> String {
    let mut s = String::from(
        "// Generated by build.rs from liburing.h; see tests/prep_conformance.rs.\n\n",
    );
    let all: Vec<String> = helpers
        .iter()
        .map(|h| format!("{:?}", h.rust_name))
        .collect();
    writeln!(s, "/// Every prep helper liburing.h declares (Rust names).").unwrap();
    writeln!(
        s,
        "pub const HEADER_HELPERS: &[&str] = &[{}];",
        all.join(", ")
    )
    .unwrap();
    let mut missing = Vec::new();
    let mut unmapped = Vec::new();
    let mut cases = Vec::new();
    s.push_str("extern \"C\" {\n");
    for h in helpers {
        if h.params
            .iter()
            .any(|p| !is_sqe(p) && class(&p.ty).is_none())
        {
            unmapped.push(format!("{:?}", h.rust_name));
            continue;
        }
        let decl: Vec<String> = h
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if is_sqe(p) {
                    format!("a{i}: *mut u8")
                } else {
                    format!("a{i}: {}", class(&p.ty).unwrap().0)
                }
            })
            .collect();
        writeln!(s, "    fn ref_{}({});", h.c_name, decl.join(", ")).unwrap();
    }
    s.push_str("}\n\n");
    for h in helpers {
        if unmapped.contains(&format!("{:?}", h.rust_name)) {
            continue;
        }
        if !implemented.iter().any(|n| n == &h.rust_name) {
            missing.push(format!("{:?}", h.rust_name));
            continue;
        }
        let args: Vec<(usize, &Param)> = h
            .params
            .iter()
            .enumerate()
            .filter(|(_, p)| !is_sqe(p))
            .collect();
        let strat: Vec<&str> = args.iter().map(|(_, p)| class(&p.ty).unwrap().1).collect();
        let pat: Vec<String> = args.iter().map(|(i, _)| format!("a{i}")).collect();
        let fmt: Vec<String> = args
            .iter()
            .map(|(_, p)| {
                if p.ty.contains('*') {
                    format!("{}={{:#x}}", p.name)
                } else {
                    format!("{}={{}}", p.name)
                }
            })
            .collect();
        let c_call: Vec<String> = h
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if is_sqe(p) {
                    "sqe as *mut _ as *mut u8".into()
                } else {
                    format!("a{i}")
                }
            })
            .collect();
        let r_call: Vec<String> = h
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if is_sqe(p) {
                    "sqe".into()
                } else {
                    format!("a{i} as _")
                }
            })
            .collect();
        let fname = format!("case_{}", h.rust_name.replace("__", "raw_"));
        writeln!(
            s,
            "fn {fname}(runner: &mut TestRunner) -> Result<(), String> {{\n\
             \x20   let strat = ({} prefill(),);\n\
             \x20   runner.run(&strat, |({} pre,)| {{\n\
             \x20       let args = || -> String {{ {} }};\n\
             \x20       check({:?}, &args, &pre,\n\
             \x20           |sqe| unsafe {{ ref_{}({}) }},\n\
             \x20           |sqe| {{ #[allow(unused_unsafe)] unsafe {{ bare_uring::prep::{}({}) }} }})\n\
             \x20   }}).map_err(|e| e.to_string())\n}}",
            strat.iter().map(|x| format!("{x},")).collect::<String>(),
            pat.iter().map(|x| format!("{x},")).collect::<String>(),
            if pat.is_empty() {
                "String::new()".to_string()
            } else {
                format!(
                    "format!({:?}{})",
                    fmt.join(", "),
                    pat.iter().map(|x| format!(", {x}")).collect::<String>()
                )
            },
            h.rust_name,
            h.c_name,
            c_call.join(", "),
            h.rust_name,
            r_call.join(", "),
        )
        .unwrap();
        let zero: Vec<String> = h
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if is_sqe(p) {
                    "b.as_mut_ptr() as *mut u8".into()
                } else {
                    format!("0{}", class(&h.params[i].ty).unwrap().0)
                }
            })
            .collect();
        writeln!(
            s,
            "fn op_{fname}() -> u8 {{ let mut b = [0u64; 16]; unsafe {{ ref_{}({}) }}; b[0] as u8 }}",
            h.c_name,
            zero.join(", ")
        )
        .unwrap();
        cases.push(format!(
            "({:?}, op_{fname} as OpFn, {fname} as CaseFn)",
            h.rust_name
        ));
    }
    writeln!(
        s,
        "/// Helpers in liburing.h with no `pub fn` twin in uring-core/src/prep."
    )
    .unwrap();
    writeln!(s, "pub const MISSING: &[&str] = &[{}];", missing.join(", ")).unwrap();
    writeln!(
        s,
        "/// Helpers whose C parameter types the generator cannot map."
    )
    .unwrap();
    writeln!(
        s,
        "pub const UNMAPPED: &[&str] = &[{}];",
        unmapped.join(", ")
    )
    .unwrap();
    writeln!(
        s,
        "/// (rust name, opcode C writes with zero args, case) per helper with a twin."
    )
    .unwrap();
    writeln!(
        s,
        "pub const CASES: &[(&str, OpFn, CaseFn)] = &[{}];",
        cases.join(", ")
    )
    .unwrap();
    s
}

/// The exact Rust type the design card maps a C parameter type to.
fn rust_type(ty: &str) -> Option<String> {
    let t = ty.trim();
    if let Some(base) = t.strip_suffix('*') {
        let base = base.trim();
        let (konst, base) = match base.strip_prefix("const ") {
            Some(b) => (true, b.trim()),
            None => (false, base),
        };
        let pointee = match base {
            "void" => "core::ffi::c_void".to_string(),
            "char" => "core::ffi::c_char".to_string(),
            "int" => "i32".to_string(),
            "uint32_t" | "__u32" => "u32".to_string(),
            "socklen_t" => "bare_uring_sys::socklen_t".to_string(),
            "siginfo_t" => "bare_uring_sys::siginfo_t".to_string(),
            b => format!("bare_uring_sys::{}", b.strip_prefix("struct ")?.trim()),
        };
        return Some(format!(
            "*{} {pointee}",
            if konst { "const" } else { "mut" }
        ));
    }
    Some(match t {
        "off_t" => "bare_uring_sys::off_t".into(),
        "loff_t" => "bare_uring_sys::loff_t".into(),
        "mode_t" => "bare_uring_sys::mode_t".into(),
        "socklen_t" => "bare_uring_sys::socklen_t".into(),
        "idtype_t" => "bare_uring_sys::idtype_t".into(),
        "id_t" => "bare_uring_sys::id_t".into(),
        other => class(other)?.0.into(),
    })
}

/// `let _: unsafe fn(<mapped C types>) = bare_uring::prep::X;` per helper:
/// compiling it proves every signature follows the C-equivalent mapping.
fn gen_signatures(helpers: &[Helper], implemented: &[String]) -> String {
    let mut s = String::from("// Generated by build.rs from liburing.h.\n#[allow(clippy::type_complexity)]\npub fn check() -> usize {\n    let mut n = 0;\n");
    for h in helpers {
        if !implemented.iter().any(|n| n == &h.rust_name) {
            continue;
        }
        let tys: Option<Vec<String>> = h
            .params
            .iter()
            .map(|p| {
                if is_sqe(p) {
                    Some("&mut bare_uring_sys::io_uring_sqe".into())
                } else {
                    rust_type(&p.ty)
                }
            })
            .collect();
        let Some(tys) = tys else { continue };
        writeln!(
            s,
            "    let _: unsafe fn({}) = bare_uring::prep::{};\n    n += 1;",
            tys.join(", "),
            h.rust_name
        )
        .unwrap();
    }
    s.push_str("    n\n}\n");
    s
}

/// One line of tests/layout_fields.txt.
struct LayoutRow {
    strukt: String,
    member: String,
    terms: Vec<(String, String)>,
    sized: bool,
}

fn parse_layout(text: &str) -> Vec<LayoutRow> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let terms = f[2]
                .split('+')
                .map(|t| {
                    let (a, b) = t.split_once(':').unwrap();
                    (a.to_string(), b.to_string())
                })
                .collect();
            LayoutRow {
                strukt: f[0].into(),
                member: f[1].into(),
                terms,
                sized: f[3] == "sized",
            }
        })
        .collect()
}

fn c_type(s: &str) -> String {
    if s.ends_with("_t") {
        s.to_string()
    } else {
        format!("struct {s}")
    }
}

fn structs_of(rows: &[LayoutRow]) -> Vec<&str> {
    let mut v: Vec<&str> = Vec::new();
    for r in rows {
        if !v.contains(&r.strukt.as_str()) {
            v.push(&r.strukt);
        }
    }
    v
}

fn gen_layout_c(rows: &[LayoutRow]) -> String {
    let mut s = String::from(
        "/* Generated by build.rs from tests/layout_fields.txt. */\n\
         #include \"liburing.h\"\n#include <stddef.h>\n#include <sys/uio.h>\n\
         #include <sys/socket.h>\n#include <sys/un.h>\n#include <netinet/in.h>\n\
         #include <sys/epoll.h>\n#include <signal.h>\n\n\
         struct uring_layout_field { const char *strukt, *member; long offset, size; };\n\
         struct uring_layout_type { const char *name; long size, align; };\n\
         static const struct uring_layout_field fields[] = {\n",
    );
    for r in rows {
        let t = c_type(&r.strukt);
        let size = if r.sized {
            format!("(long) sizeof(((({t} *)0))->{})", r.member)
        } else {
            "-1".into()
        };
        writeln!(
            s,
            "  {{ {:?}, {:?}, (long) offsetof({t}, {}), {size} }},",
            r.strukt, r.member, r.member
        )
        .unwrap();
    }
    s.push_str("};\nstatic const struct uring_layout_type types[] = {\n");
    for st in structs_of(rows) {
        let t = c_type(st);
        writeln!(
            s,
            "  {{ {st:?}, (long) sizeof({t}), (long) _Alignof({t}) }},"
        )
        .unwrap();
    }
    s.push_str(
        "};\nconst struct uring_layout_field *uring_layout_fields(size_t *n) \
         { *n = sizeof(fields) / sizeof(fields[0]); return fields; }\n\
         const struct uring_layout_type *uring_layout_types(size_t *n) \
         { *n = sizeof(types) / sizeof(types[0]); return types; }\n",
    );
    s
}

/// The Rust expression giving `(struct, member, offset, size)` of a member
/// reached through an anonymous union: the offset and size of the bytes its
/// `set_*` accessor writes in a zeroed value (see tests/layout.rs `probe`),
/// or, for pointer-valued members, where its accessor points.
fn probe_row(r: &LayoutRow) -> String {
    let t = &r.terms[0].0;
    let name = match r.member.as_str() {
        "attr_ptr" => "addr3",
        "attr_type_mask" => "pad2",
        m => m.trim_start_matches("__"),
    };
    let (st, m) = (&r.strukt, &r.member);
    let sized = if r.sized { "z" } else { "-1" };
    match name {
        "cmd" => format!("({st:?}, {m:?}, ptr_probe::<bare_uring_sys::{t}>(|v| v.cmd()), -1)"),
        "bufs" => format!(
            "({st:?}, {m:?}, ptr_probe::<bare_uring_sys::{t}>(|v| bare_uring_sys::{t}::bufs_ptr(v).cast()), -1)"
        ),
        _ => {
            let ones = if name == "pad3" { "[!0]" } else { "!0" };
            format!(
                "{{ let (o, {zb}) = probe::<bare_uring_sys::{t}>(|v| v.set_{name}({ones})); ({st:?}, {m:?}, o, {sized}) }}",
                zb = if r.sized { "z" } else { "_" }
            )
        }
    }
}

fn gen_layout_rs(rows: &[LayoutRow]) -> String {
    let mut s = String::from(
        "// Generated by build.rs from tests/layout_fields.txt.\n\
         /// (struct, member, Rust offset, Rust size or -1)\n\
         pub fn rust_fields() -> Vec<(&'static str, &'static str, i64, i64)> { vec![\n",
    );
    for r in rows {
        if r.terms.iter().any(|(_, p)| p.contains("__bindgen_anon")) {
            // Anonymous-union members are private to bare-uring-sys: measure them
            // through their public accessor instead (which also checks that
            // the accessor writes exactly the C member's bytes).
            writeln!(s, "  {},", probe_row(r)).unwrap();
            continue;
        }
        let off: Vec<String> = r
            .terms
            .iter()
            .map(|(t, p)| format!("core::mem::offset_of!(bare_uring_sys::{t}, {p})"))
            .collect();
        let size = if r.sized {
            let (t, p) = r.terms.last().unwrap();
            format!("field_size!(bare_uring_sys::{t}, {p}) as i64")
        } else {
            "-1".into()
        };
        writeln!(
            s,
            "  ({:?}, {:?}, ({}) as i64, {size}),",
            r.strukt,
            r.member,
            off.join(" + ")
        )
        .unwrap();
    }
    s.push_str("]}\n/// (struct, size, align)\npub fn rust_types() -> Vec<(&'static str, i64, i64)> { vec![\n");
    for st in structs_of(rows) {
        writeln!(
            s,
            "  ({st:?}, core::mem::size_of::<bare_uring_sys::{st}>() as i64, core::mem::align_of::<bare_uring_sys::{st}>() as i64),"
        )
        .unwrap();
    }
    s.push_str("]}\n");
    s
}

/// Emits `cfg(uring_libclang)` if a libclang shared library is found where
/// bindgen (clang-sys) looks for one on Linux, or if `URING_REQUIRE_LIBCLANG`
/// is set (CI: the drift test then runs and fails if bindgen cannot load
/// it). A miss only makes the drift test `#[ignore]`d, never pass.
fn detect_libclang() {
    println!("cargo:rustc-check-cfg=cfg(uring_libclang)");
    println!("cargo:rerun-if-env-changed=URING_REQUIRE_LIBCLANG");
    println!("cargo:rerun-if-env-changed=URING_NO_LIBCLANG");
    // Static test binaries (the kernel matrix) cannot dlopen libclang.
    if std::env::var_os("URING_NO_LIBCLANG").is_some() {
        return;
    }
    println!("cargo:rerun-if-env-changed=LIBCLANG_PATH");
    let is_libclang = |p: &Path| {
        let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        n.starts_with("libclang.so")
            || (n.starts_with("libclang-") && n.contains(".so") && !n.starts_with("libclang-cpp"))
    };
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(p) = std::env::var_os("LIBCLANG_PATH").map(PathBuf::from) {
        if p.is_file() && is_libclang(&p) {
            return println!("cargo:rustc-cfg=uring_libclang");
        }
        dirs.push(p);
    }
    if let Ok(o) = std::process::Command::new("llvm-config")
        .arg("--libdir")
        .output()
    {
        dirs.push(PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    }
    for parent in [
        "/usr/lib",
        "/usr/lib64",
        "/usr/local/lib",
        "/usr/local/lib64",
    ] {
        dirs.push(PathBuf::from(parent));
        let subdirs = fs::read_dir(parent).into_iter().flatten().flatten();
        for d in subdirs.map(|e| e.path()) {
            let name = d.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with("llvm") {
                dirs.push(d.join("lib"));
            } else if name.ends_with("-linux-gnu") {
                dirs.push(d);
            }
        }
    }
    let found = dirs.iter().any(|d| {
        fs::read_dir(d)
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| is_libclang(&e.path()))
    });
    if found || std::env::var_os("URING_REQUIRE_LIBCLANG").is_some() {
        println!("cargo:rustc-cfg=uring_libclang");
    }
}
