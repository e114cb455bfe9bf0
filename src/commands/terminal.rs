//! The terminal half of `kubetutor doctor`: size and colour support.

use std::io::IsTerminal;

use crate::kube::doctor::Check;

/// Lesson and panes side by side need about this much room.
pub const MIN_COLS: u16 = 100;
pub const MIN_ROWS: u16 = 30;

pub fn checks() -> Vec<Check> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let size = std::io::stdout()
        .is_terminal()
        .then(|| crossterm::terminal::size().ok())
        .flatten();
    vec![
        size_check(size),
        colour_check(env("NO_COLOR").is_some(), env("TERM"), env("COLORTERM")),
    ]
}

pub fn size_check(size: Option<(u16, u16)>) -> Check {
    match size {
        None => Check::warn(
            "terminal",
            "not a terminal (output is redirected)".into(),
            "run `kubetutor` itself in a terminal",
        ),
        Some((cols, rows)) if cols >= MIN_COLS && rows >= MIN_ROWS => {
            Check::ok("terminal", format!("{cols}x{rows}"))
        }
        Some((cols, rows)) => Check::warn(
            "terminal",
            format!("{cols}x{rows} is small for lesson and panes side by side"),
            &format!("enlarge the window or use a smaller font (at least {MIN_COLS}x{MIN_ROWS})"),
        ),
    }
}

pub fn colour_check(no_color: bool, term: Option<String>, colorterm: Option<String>) -> Check {
    if no_color {
        return Check::ok(
            "colour",
            "off (NO_COLOR is set); changes are marked + ~ x".into(),
        );
    }
    let term = term.unwrap_or_default();
    if term.is_empty() || term == "dumb" {
        return Check::warn(
            "colour",
            format!("TERM={term:?} has no colours"),
            "set TERM, e.g. xterm-256color",
        );
    }
    use crate::settings::{Background, Depth, depth_from};
    let depth = match depth_from(colorterm.as_deref(), Some(&term)) {
        Depth::TrueColor => "truecolor",
        Depth::Ansi256 => "256 colours",
        Depth::Ansi16 => "16 colours",
    };
    let background = match crate::settings::background() {
        Background::Dark => "dark background (--theme light for a light screen)",
        Background::Light => "light background",
    };
    Check::ok("colour", format!("{depth} (TERM={term}), {background}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::doctor::Verdict;

    #[test]
    fn size_and_colour_verdicts() {
        assert_eq!(size_check(Some((120, 40))).verdict, Verdict::Ok);
        assert_eq!(size_check(Some((80, 24))).verdict, Verdict::Warn);
        assert_eq!(size_check(None).verdict, Verdict::Warn);
        assert_eq!(colour_check(true, None, None).verdict, Verdict::Ok);
        assert_eq!(
            colour_check(false, Some("dumb".into()), None).verdict,
            Verdict::Warn
        );
        let c = colour_check(
            false,
            Some("xterm-256color".into()),
            Some("truecolor".into()),
        );
        assert!(c.detail.starts_with("truecolor"), "{}", c.detail);
        let c = colour_check(false, Some("screen-256color".into()), None);
        assert!(c.detail.starts_with("256 colours"), "{}", c.detail);
    }
}
