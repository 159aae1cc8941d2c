//! What every target shares: the slow-input rule. An input that takes more than 100 ms per KB
//! (and more than 50 ms in all, so that tiny inputs do not trip on scheduling noise) is a
//! failure, as a panic is. The first input of a process is not timed: it pays for lazily built
//! tables (regexes, gazetteers) once.
//!
//! The time is the thread's CPU time, not the wall clock: on a 2-core machine that is also
//! compiling, a fuzzer run at low priority waits for the CPU for tens of milliseconds, and a
//! wall clock would call that wait a slow input. (libFuzzer's own `-timeout` still catches a
//! hang by the wall clock.)

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use cpu_time::ThreadTime;

static WARM: AtomicBool = AtomicBool::new(false);

/// Runs `f` on an input of `len` bytes and panics (a failure libFuzzer records, with the
/// input) when it was slow.
pub fn timed<T>(len: usize, what: &str, f: impl FnOnce() -> T) -> T {
    let started = ThreadTime::now();
    let out = f();
    let took = started.elapsed();
    if !WARM.swap(true, Ordering::Relaxed) {
        return out;
    }
    let allowed = Duration::from_millis(50).max(Duration::from_micros(100 * len as u64));
    if took > allowed {
        panic!(
            "slow input: {what} took {took:?} for {len} bytes (allowed {allowed:?}: 100 ms per KB)"
        );
    }
    out
}
