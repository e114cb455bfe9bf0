//! Issue 20, "every promise holds under attack": one regression test per defect, each with
//! more variants than the attack report (`../shared/research/attack-report.md`) tried. Real
//! processes throughout: the built binary, real bash, tmux for the full-screen UI.

#[path = "run/common.rs"]
#[allow(dead_code)]
mod common;

#[path = "support/skip.rs"]
#[allow(dead_code)]
mod skip;

#[path = "support/tmux.rs"]
#[allow(dead_code)]
mod tmux;

#[path = "hardening/util.rs"]
mod util;

#[path = "hardening/check.rs"]
mod check;

#[path = "hardening/memory.rs"]
mod memory;

#[path = "hardening/open.rs"]
mod open;

#[path = "hardening/progress_lock.rs"]
mod progress_lock;

#[path = "hardening/graphemes.rs"]
mod graphemes;

#[path = "hardening/closed_terminal.rs"]
mod closed_terminal;

#[path = "hardening/orphans.rs"]
mod orphans;
