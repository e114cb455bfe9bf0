//! Settings read once, at start: whether colour is allowed (`--no-color`, or `NO_COLOR` set to
//! anything non-empty, see no-color.org). Every front-end asks here instead of reading the
//! environment itself, and nothing has to write the environment to pass a flag on.

use std::sync::OnceLock;

static COLOR_ALLOWED: OnceLock<bool> = OnceLock::new();

/// Called by `main` with the command line's `--no-color`; the first call wins.
pub fn init(no_color_flag: bool) {
    let _ = COLOR_ALLOWED.set(!no_color_flag && !no_color_env());
}

/// Whether anything may be coloured (a front-end still checks that its output is a terminal).
/// Without [`init`] (tests, benches) only the environment decides.
pub fn color_allowed() -> bool {
    *COLOR_ALLOWED.get_or_init(|| !no_color_env())
}

fn no_color_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}
