//! Lessons: the model, the Markdown parser, the linter (`check`) and the notebook importer.
//! The format is documented for authors in docs/lesson-format.md.

mod attr_values;
pub mod attrs;
mod build;
pub mod check;
pub mod diag;
pub mod escape;
mod files;
mod front;
pub mod guard;
pub mod import;
mod killercoda;
mod lint;
pub mod load;
mod magics;
pub mod model;
pub mod notes;
pub mod parse;
mod presenterm;
mod runme;
pub mod shell;
mod structure;
pub mod syntax;
pub mod vars;

pub use diag::{DiagSpan, Diagnostic, Severity};
pub(crate) use files::{KUBECTL_GLOBAL_WITH_VALUE, kubectl_files};
pub use load::{
    BundledLesson, LessonError, LessonText, bundled, lesson_source, lesson_text, load, read_source,
};
pub use model::*;
pub use parse::{MAX_LESSON_BYTES, Parsed, parse, parse_full, plain_text};
pub(crate) use vars::split_assignments;
