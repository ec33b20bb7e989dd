// Static, no libc: bare-uring-rt's link settings.
fn main() {
    bare_uring_rt::build::link();
}
