//! Logs go to a file in the XDG state dir, never to the screen the UI draws on.
//! Filter with `KUBETUTOR_LOG` (e.g. `KUBETUTOR_LOG=kubetutor=debug`); default `info`.

use std::path::PathBuf;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

pub fn log_dir() -> Option<PathBuf> {
    crate::paths::state_dir()
}

/// Start file logging; keep the guard alive until exit so buffered lines are flushed.
/// Failing to log is not a reason to refuse to run: returns None then.
pub fn init() -> Option<WorkerGuard> {
    let dir = log_dir()?;
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::never(&dir, "kubetutor.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter =
        EnvFilter::try_from_env("KUBETUTOR_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}
