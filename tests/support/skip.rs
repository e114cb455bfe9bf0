//! A test that cannot run its case (no tmux, no kubectl, no file next to the checkout) must not
//! pass in silence. Locally it says SKIPPED on the terminal; under CI (env `CI` set, as every CI
//! service does) it fails, so a machine that is meant to run everything cannot skip quietly.
//! Needs that only a throw-away cluster meets are `#[ignore = "..."]`d instead (tests/cluster.rs).

use std::io::Write;
use std::panic::Location;

/// Under CI: `CI` is set to anything but empty, `0` or `false`.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"))
}

/// `Some(value)` when the test can run. Otherwise panics under CI, or prints a SKIPPED line
/// naming the caller and gives `None`: the caller returns.
#[track_caller]
pub fn needs<T>(value: Option<T>, what: &str) -> Option<T> {
    if value.is_some() {
        return value;
    }
    let at = Location::caller();
    assert!(
        !under_ci(),
        "{at}: this test needs {what}; CI is set, so skipping it would be a silent pass"
    );
    // Straight to the terminal: the test harness captures `eprintln!` of passing tests.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {at}: needs {what} (set CI=1 to make this a failure)"
    );
    None
}
