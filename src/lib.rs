//! kubetutor: Markdown lessons as live, runnable terminal tutorials.
//!
//! Data flows one way: background tasks of the core crate (`kubetutor-core`: `exec`, `kube`,
//! `sentinel`, `lesson`) send typed events; `app` folds them into state; `tui` renders state.
//! Only `tui` imports ratatui, and the core cannot (its Cargo.toml lacks ratatui, crossterm and
//! clap). The core's modules are re-exported here so front-end code says `crate::lesson`.

pub use kubetutor_core::{ansi, backoff, effects, exec, kube, lesson, paths, sentinel, workshop};

pub mod app;
pub mod cli;
pub mod commands;
pub mod run;
pub mod settings;
pub mod text;
pub mod tui;
