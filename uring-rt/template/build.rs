// The link settings of a static binary with no libc: bare-uring-rt's
// linker script and arguments (bare_uring_rt::link), printed for this
// package's binaries.
fn main() {
    bare_uring_rt::build::link();
}
