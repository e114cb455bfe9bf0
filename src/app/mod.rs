//! The application: state, `update` (typed actions in, effects out), keymap and saved
//! progress. No terminal I/O and no ratatui here; `tui` renders this state and performs
//! the effects.

pub mod action;
mod cleanup;
pub mod dashboard;
mod edit;
mod export;
pub mod output;
pub mod picker;
pub mod pods_view;
mod present_keys;
pub mod progress;
pub mod progress_lock;
mod reload;
#[cfg(test)]
mod reload_tests;
mod run;
pub mod sgr;
pub mod state;
pub mod steps;
mod terminal;
mod update;

#[cfg(test)]
mod edit_tests;
#[cfg(test)]
mod effects_tests;
#[cfg(test)]
mod terminal_tests;
#[cfg(test)]
mod tests;

pub use action::{Action, Effect};
pub use present_keys::Script;
pub use state::*;
pub use steps::StepStatus;
pub use terminal::LEAVE;
pub use update::DEFAULT_TYPING_SPEED;
