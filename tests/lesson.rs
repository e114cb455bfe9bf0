//! Lessons end to end: `check` output snapshots over a corpus of bad lessons, the CLI's exit
//! codes, importing the seed notebook, and property tests that the parser never panics.

#[path = "support/skip.rs"]
mod skip;

#[path = "lesson/check.rs"]
mod check;
#[path = "lesson/cli.rs"]
mod cli;
#[path = "lesson/corpus.rs"]
mod corpus;
#[path = "lesson/import.rs"]
mod import;
#[path = "lesson/load.rs"]
mod load;
#[path = "lesson/props.rs"]
mod props;
