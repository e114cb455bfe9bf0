//! kubetutor: Markdown lessons as live, runnable terminal tutorials.
//!
//! Data flows one way: background tasks (`exec`, `kube`, `sentinel`) send typed events; `app`
//! folds them into state; `tui` renders state. Only `tui` imports ratatui.

pub mod app;
pub mod cli;
pub mod exec;
pub mod kube;
pub mod lesson;
pub mod sentinel;
pub mod tui;
