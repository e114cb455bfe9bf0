//! TUI tests: TestBackend snapshots of the main screens, and tmux end-to-end runs of the binary.

#[path = "support/skip.rs"]
mod skip;
#[allow(dead_code)]
#[path = "support/tmux.rs"]
mod tmux;

#[path = "tui/ask_env.rs"]
mod ask_env;
#[path = "tui/cleanup.rs"]
mod cleanup;
#[path = "tui/cluster.rs"]
mod cluster;
#[path = "tui/colours.rs"]
mod colours;
#[path = "tui/dashboard.rs"]
mod dashboard;
#[path = "tui/e2e.rs"]
mod e2e;
#[path = "tui/edit.rs"]
mod edit;
#[path = "tui/effects.rs"]
mod effects;
#[allow(dead_code)] // each test binary uses part of it
#[path = "support/fake_cluster.rs"]
mod fake_cluster;
#[path = "tui/frames.rs"]
mod frames;
#[path = "tui/jobs_roles.rs"]
mod jobs_roles;
#[path = "tui/keys.rs"]
mod keys;
#[path = "tui/narrow.rs"]
mod narrow;
#[path = "tui/panic.rs"]
mod panic;
#[path = "tui/present.rs"]
mod present;
#[path = "common/redis.rs"]
mod redis;
#[path = "tui/render.rs"]
mod render;
#[path = "tui/restart.rs"]
mod restart;
#[path = "tui/search.rs"]
mod search;
#[path = "tui/steps.rs"]
mod steps;
#[path = "tui/terminal_e2e.rs"]
mod terminal_e2e;
#[path = "tui/wrap.rs"]
mod wrap;
#[path = "tui/zh.rs"]
mod zh;
