//! `cargo run -p uring-gen`: rewrite `uring-sys/src/bindings.rs`.
//! `cargo run -p uring-gen -- --check`: exit 1 if it would change.

fn main() {
    let check = std::env::args().any(|a| a == "--check");
    let fresh = match uring_gen::generate("x86_64-unknown-linux-gnu") {
        Ok(s) => s,
        Err(e) => {
            eprintln!("uring-gen: {e}");
            std::process::exit(2);
        }
    };
    let path = uring_gen::bindings_path();
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    if check {
        if old != fresh {
            eprintln!(
                "{} is out of date: run `cargo run -p uring-gen`",
                path.display()
            );
            std::process::exit(1);
        }
        println!("{} is up to date", path.display());
    } else if old == fresh {
        println!("{} unchanged", path.display());
    } else {
        std::fs::write(&path, fresh).expect("write bindings");
        println!("wrote {}", path.display());
    }
}
