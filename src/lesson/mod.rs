//! Lessons: the model, the Markdown parser, the linter (`check`) and the notebook importer.
//! The format is documented for authors in docs/lesson-format.md.

pub mod attrs;
mod build;
pub mod check;
pub mod diag;
mod files;
mod front;
mod lint;
pub mod load;
pub mod model;
pub mod parse;
pub mod shell;
mod vars;

pub use check::cli_check;
pub use diag::{DiagSpan, Diagnostic, Severity};
pub use load::{BundledLesson, LessonError, bundled, load, read_source};
pub use model::*;
pub use parse::{MAX_LESSON_BYTES, Parsed, parse, parse_full, plain_text};

use std::process::ExitCode;

/// `kubetutor import`.
pub fn cli_import(_args: crate::cli::ImportArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`import` is not yet available")
}
