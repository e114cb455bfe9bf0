//! TUI tests: TestBackend snapshots of the main screens, and tmux end-to-end runs of the binary.

#[path = "tui/e2e.rs"]
mod e2e;
#[path = "tui/render.rs"]
mod render;
