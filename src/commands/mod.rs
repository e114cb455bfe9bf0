//! The command-line entry points that are not the TUI or the headless runner: `check`, `import`
//! and `doctor`. Each turns parsed arguments into calls of the core and prints the result.

pub mod check;
pub mod doctor;
pub mod import;
pub mod notes;
pub mod terminal;

pub use check::cli_check;
pub use doctor::cli_doctor;
pub use import::cli_import;
pub use notes::cli_notes;
