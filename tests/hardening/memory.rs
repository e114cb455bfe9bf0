//! Item 3: whatever a cell prints, the full-screen app stays under 100 MB (the report's SGR
//! bomb reached 1.6 GB and a coloured logger 2.1 GB: every SGR was kept as text and copied
//! to every later line). The real binary in tmux; VmHWM (peak RSS) from /proc.

use std::time::{Duration, Instant};

use crate::tmux::Tmux;
use crate::util::{app_pid, open, scratch};

const BUDGET_KB: u64 = 100 * 1024;

fn hwm_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

#[test]
fn colour_codes_floods_and_binary_output_stay_under_100_mb() {
    let Some(tmux) = Tmux::start() else { return };
    // Tall enough to see every cell's status at once.
    tmux.run(&["resize-window", "-t", "t", "-x", "120", "-y", "150"]);
    let cells = [
        // The report's two, then variants it did not try.
        r"printf '\e[1m%.0s' $(seq 200000); seq 2000",
        r"for i in $(seq 50000); do printf '\e[32mINFO\e[39m line %d\n' $i; done",
        r"for i in $(seq 3000); do printf '\e[38;2;%d;1;1m\e[4%dmx' $((i%256)) $((i%8)); done; for i in $(seq 20000); do printf '\e[38;5;%dm\e[48;2;1;2;%dm\e[1;3;4;7;9m%d\n' $((i%256)) $((i%256)) $i; done",
        r"yes $'\e[31mred\e[0m \e[1;32mbold green' | head -c 30000000",
        r"printf '\e[3%dmword ' $(seq 400000 | awk '{print $1 % 8}')",
        "timeout 3 yes || true",
        "timeout 3 cat /dev/urandom || true",
    ];
    let md: String = std::iter::once("# Memory\n\n## Step 1\n\n".to_string())
        .chain(cells.iter().map(|c| format!("```sh\n{c}\n```\n\n")))
        .collect();
    let l = scratch(&md);
    open(&tmux, &l.file, "Step 1/1");
    let pid = app_pid(&tmux);
    tmux.send(&["a"]);
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let screen = tmux.screen();
        let hwm = hwm_kb(pid);
        assert!(hwm < BUDGET_KB, "VmHWM {hwm} kB while streaming:\n{screen}");
        if screen.matches("✓ passed").count() >= cells.len() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "cells did not all pass:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let hwm = hwm_kb(pid);
    eprintln!("VmHWM after all cells: {hwm} kB");
    assert!(hwm < BUDGET_KB, "VmHWM {hwm} kB");
    crate::util::quit(&tmux);
}
