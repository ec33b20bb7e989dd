//! Every `bare_uring::prep::X` has exactly the parameter types the design
//! card maps liburing's C signature to (`int` -> `i32`, `unsigned` -> `u32`,
//! `const struct iovec *` -> `*const iovec`, ...). The check is at compile
//! time: `build.rs` writes one `let _: unsafe fn(..) = prep::X;` per helper;
//! a helper with another type does not compile.

extern crate uring;

include!(concat!(env!("OUT_DIR"), "/prep_signatures.rs"));

#[test]
fn prep_signatures_follow_the_c_mapping() {
    let n = check();
    println!("{n} prep helper signatures match liburing's C types");
    assert!(n > 0);
}
