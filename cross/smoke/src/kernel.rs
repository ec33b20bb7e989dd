//! What the running kernel is, for the cases' feature probes.

use uring_core::syscall::{uname, Utsname};

/// The running kernel's release and its (major, minor) version.
pub struct Info {
    /// `uname -r`.
    pub release: String,
    /// Parsed from the release, (0, 0) if unparsable.
    pub version: (u32, u32),
}

impl Info {
    pub fn read() -> Info {
        let release = uname()
            .map(|u| Utsname::field(&u.release).to_string())
            .unwrap_or_default();
        let mut it = release
            .split(|c: char| !c.is_ascii_digit())
            .map(|n| n.parse::<u32>().unwrap_or(0));
        let version = (it.next().unwrap_or(0), it.next().unwrap_or(0));
        Info { release, version }
    }

    /// `Some(reason)` if the kernel is older than `major.minor`.
    pub fn older_than(&self, major: u32, minor: u32, what: &str) -> Option<String> {
        (self.version < (major, minor)).then(|| {
            format!(
                "{what} needs kernel {major}.{minor}+, this is {}",
                self.release
            )
        })
    }
}
