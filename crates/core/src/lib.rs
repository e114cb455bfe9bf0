//! kubetutor's core: lessons, the execution engine, the cluster session and the Sentinel monitor.
//!
//! This crate has no terminal UI and no command line: its Cargo.toml lacks ratatui, crossterm and
//! clap, so the compiler keeps the front-ends (the TUI and the headless runner in the `kubetutor`
//! crate) out of it. Background tasks here send typed events; the front-ends fold them into state.

pub mod ansi;
pub mod backoff;
pub mod effects;
pub mod exec;
pub mod kube;
pub mod lesson;
pub mod paths;
pub mod sentinel;
pub mod workshop;
