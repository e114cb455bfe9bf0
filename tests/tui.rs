//! TUI tests: TestBackend snapshots of the main screens, and tmux end-to-end runs of the binary.

#[path = "tui/e2e.rs"]
mod e2e;
#[path = "tui/edit.rs"]
mod edit;
#[path = "tui/frames.rs"]
mod frames;
#[path = "tui/panic.rs"]
mod panic;
#[path = "common/redis.rs"]
mod redis;
#[path = "tui/render.rs"]
mod render;
#[path = "tui/terminal_e2e.rs"]
mod terminal_e2e;
