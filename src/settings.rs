//! Settings read once, at start: whether colour is allowed (`--no-color`, or `NO_COLOR` set to
//! anything non-empty, see no-color.org), whether the terminal's background is light
//! (`--theme`, else `COLORFGBG`), and how many colours it shows (`COLORTERM`, `TERM`). Every
//! front-end asks here instead of reading the environment itself, and nothing has to write
//! the environment to pass a flag on.

use std::sync::OnceLock;

static COLOR_ALLOWED: OnceLock<bool> = OnceLock::new();
static BACKGROUND: OnceLock<Background> = OnceLock::new();

/// The terminal's background, which decides the palette: colours readable on black are not
/// on a white projector screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Background {
    #[default]
    Dark,
    Light,
}

/// Colours the terminal can show: exact RGB, the xterm 256-colour palette, or the 16 named
/// colours (which the terminal's own theme decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Depth {
    #[default]
    Ansi16,
    Ansi256,
    TrueColor,
}

/// Called by `main` with the command line's `--no-color` and `--theme` (None: detect); the
/// first call wins.
pub fn init(no_color_flag: bool, background: Option<Background>) {
    let _ = COLOR_ALLOWED.set(!no_color_flag && !no_color_env());
    let _ = BACKGROUND.set(background.unwrap_or_else(detect_background));
}

/// Whether anything may be coloured (a front-end still checks that its output is a terminal).
/// Without [`init`] (tests, benches) only the environment decides.
pub fn color_allowed() -> bool {
    *COLOR_ALLOWED.get_or_init(|| !no_color_env())
}

/// The background the palette is for: `--theme`, else what `COLORFGBG` says, else dark.
pub fn background() -> Background {
    *BACKGROUND.get_or_init(detect_background)
}

/// The colour depth from `COLORTERM` (truecolor, 24bit) and `TERM` (…-256color).
pub fn depth() -> Depth {
    static DEPTH: OnceLock<Depth> = OnceLock::new();
    *DEPTH.get_or_init(|| {
        depth_from(
            std::env::var("COLORTERM").ok().as_deref(),
            std::env::var("TERM").ok().as_deref(),
        )
    })
}

fn no_color_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

fn detect_background() -> Background {
    background_from(std::env::var("COLORFGBG").ok().as_deref()).unwrap_or_default()
}

/// `COLORFGBG` is "fg;bg" (rxvt, Konsole, iTerm2, some others; sometimes "fg;default;bg"):
/// the last field is the background's palette index. 7 (white) and 9-15 (the bright colours
/// but 8, dark grey) are light backgrounds.
pub fn background_from(colorfgbg: Option<&str>) -> Option<Background> {
    let bg: u8 = colorfgbg?.rsplit(';').next()?.trim().parse().ok()?;
    Some(if bg == 7 || (9..=15).contains(&bg) {
        Background::Light
    } else {
        Background::Dark
    })
}

pub fn depth_from(colorterm: Option<&str>, term: Option<&str>) -> Depth {
    if matches!(colorterm, Some("truecolor" | "24bit")) {
        Depth::TrueColor
    } else if term.is_some_and(|t| t.contains("256color") || t.contains("direct")) {
        Depth::Ansi256
    } else {
        Depth::Ansi16
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_background_comes_from_colorfgbg() {
        assert_eq!(background_from(Some("0;15")), Some(Background::Light));
        assert_eq!(
            background_from(Some("0;default;7")),
            Some(Background::Light)
        );
        assert_eq!(background_from(Some("15;0")), Some(Background::Dark));
        assert_eq!(background_from(Some("7;8")), Some(Background::Dark));
        assert_eq!(background_from(Some("garbage")), None);
        assert_eq!(background_from(None), None);
    }

    #[test]
    fn the_depth_comes_from_colorterm_then_term() {
        assert_eq!(
            depth_from(Some("truecolor"), Some("xterm")),
            Depth::TrueColor
        );
        assert_eq!(depth_from(Some("24bit"), None), Depth::TrueColor);
        assert_eq!(depth_from(None, Some("tmux-256color")), Depth::Ansi256);
        assert_eq!(depth_from(None, Some("xterm")), Depth::Ansi16);
        assert_eq!(depth_from(None, Some("linux")), Depth::Ansi16);
        assert_eq!(depth_from(None, None), Depth::Ansi16);
    }
}
