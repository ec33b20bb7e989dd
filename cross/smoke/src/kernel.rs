//! What the running kernel is, for the cases' feature probes.

use bare_uring::syscall::{uname, Utsname};

/// The running kernel's identity from `uname(2)`.
pub struct Info {
    /// `uname -s`, "Linux" (empty if uname failed).
    pub sysname: String,
    /// `uname -r` (empty if uname failed).
    pub release: String,
    /// (major, minor) parsed from the release; `None` if uname failed or
    /// the release does not start with two numbers.
    pub version: Option<(u32, u32)>,
}

impl Info {
    pub fn read() -> Info {
        let u = uname().ok();
        let field = |f: fn(&Utsname) -> &[u8; 65]| {
            u.as_ref()
                .map(|u| Utsname::field(f(u)).to_string())
                .unwrap_or_default()
        };
        let (sysname, release) = (field(|u| &u.sysname), field(|u| &u.release));
        let mut it = release.split(|c: char| !c.is_ascii_digit());
        let version = match (it.next(), it.next()) {
            (Some(a), Some(b)) => a.parse().ok().zip(b.parse().ok()),
            _ => None,
        };
        Info {
            sysname,
            release,
            version,
        }
    }
}
