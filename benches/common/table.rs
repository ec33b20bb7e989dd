//! The timed tables' shared parts (`benches/vs_io_uring.rs`,
//! `benches/udp_echo/`): the header, the rounds of four libraries in a
//! rotating order, and one line of medians and per-round ratios.

/// The libraries of a row, in column order: bare-uring, io-uring,
/// rustix-uring, liburing.
pub const COLUMNS: usize = 4;

/// Prints the table's header line.
pub fn header() {
    println!(
        "{:<8} {:<32} {:>5} {:>9} {:>9} {:>9} {:>9} {:>8} {:>8} {:>8}",
        "config", "row", "unit", "ours ns", "iou ns", "rxu ns", "lu ns", "/iou", "/rxu", "/lu"
    );
}

/// `rounds` rounds in which `measure(i)` runs library `i` once (ns per
/// unit), the libraries back to back in an order that rotates by one each
/// round; the measurements per library.
pub fn rounds(rounds: usize, mut measure: impl FnMut(usize) -> f64) -> [Vec<f64>; COLUMNS] {
    let mut ns: [Vec<f64>; COLUMNS] = Default::default();
    for round in 0..rounds {
        for k in 0..COLUMNS {
            let i = (round + k) % COLUMNS;
            ns[i].push(measure(i));
        }
    }
    ns
}

/// Prints one line: the median ns per unit of each library, then the
/// median over rounds of bare-uring's time over each other library's in
/// the same round (< 1: bare-uring took less time).
pub fn line(best: bool, row: &str, unit: &str, ns: &[Vec<f64>; COLUMNS]) {
    let ratio = |j: usize| -> f64 {
        let r: Vec<f64> = ns[0].iter().zip(&ns[j]).map(|(o, t)| o / t).collect();
        median(&r)
    };
    println!(
        "{:<8} {:<32} {:>5} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>7.2}x {:>7.2}x {:>7.2}x",
        if best { "best" } else { "default" },
        row,
        unit,
        median(&ns[0]),
        median(&ns[1]),
        median(&ns[2]),
        median(&ns[3]),
        ratio(1),
        ratio(2),
        ratio(3),
    );
}

/// The median of `v` (the mean of the two middle values for an even
/// count).
pub fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}
