//! `--from`, `--to` and `--only` pick which cells run.

use super::common::*;

fn ran(out: &std::process::Output) -> Vec<String> {
    stdout(out)
        .lines()
        .filter_map(|l| {
            l.strip_prefix("    ")?
                .strip_suffix("-ran")
                .map(str::to_string)
        })
        .collect()
}

#[test]
fn from_to_and_only() {
    let lesson = lesson("steps");
    assert_eq!(
        ran(&run(&lesson, &[])),
        ["intro", "alpha", "beta", "beta2", "gamma"]
    );
    assert_eq!(
        ran(&run(&lesson, &["--from", "2"])),
        ["beta", "beta2", "gamma"]
    );
    assert_eq!(
        ran(&run(&lesson, &["--to", "beta"])),
        ["intro", "alpha", "beta", "beta2"]
    );
    assert_eq!(
        ran(&run(&lesson, &["--from", "Alpha", "--to", "2"])),
        ["alpha", "beta", "beta2"]
    );
    assert_eq!(
        ran(&run(&lesson, &["--only", "b2", "--only", "intro"])),
        ["intro", "beta2"]
    );
    let out = run(&lesson, &["--from", "9"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no step `9`") && err.contains("3: Gamma"),
        "{err}"
    );
    let out = run(&lesson, &["--only", "nope"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no cell with id `nope`"));
}
