//! The start script, played with real redis.

use std::process::Command;

use crate::common::root;

/// No container runs without a cluster, so run.sh is played with real redis instead: one
/// loopback address per pod (tests/lessons/run_sh_pods.sh). Linux only: elsewhere only
/// 127.0.0.1 is loopback.
#[cfg(target_os = "linux")]
#[test]
fn run_sh_bootstraps_scales_fails_over_and_rejoins_with_real_redis() {
    let script = root().join("tests/lessons/run_sh_pods.sh");
    // `timeout` stops the script (whose trap kills every redis it started) if it ever hangs.
    let out = Command::new("timeout")
        .arg("300")
        .arg("bash")
        .arg(&script)
        .output()
        .expect("bash runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let passed = stdout.lines().last().is_some_and(|l| l.ends_with("PASS"));
    assert!(out.status.success() && passed, "{text}");
}
