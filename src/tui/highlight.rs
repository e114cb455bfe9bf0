//! Syntax highlighting of code blocks and cells with syntect. The syntax and theme sets are
//! loaded once, on first use: lessons without code never pay for them.

use std::sync::OnceLock;

use ratatui::style::{Modifier, Style};
use syntect::easy::HighlightLines;
use syntect::highlighting::{FontStyle, Theme, ThemeSet};
use syntect::parsing::SyntaxSet;

use super::theme::Theme as Palette;
use super::wrap::Piece;
use crate::settings::Background;

struct Assets {
    syntaxes: SyntaxSet,
    dark: Theme,
    light: Theme,
}

fn assets() -> &'static Assets {
    static ASSETS: OnceLock<Assets> = OnceLock::new();
    ASSETS.get_or_init(|| {
        let syntaxes = SyntaxSet::load_defaults_newlines();
        let mut themes = ThemeSet::load_defaults();
        let mut take = |name: &str| themes.themes.remove(name).unwrap_or_default();
        let dark = take("base16-ocean.dark");
        let light = take("InspiredGitHub");
        Assets {
            syntaxes,
            dark,
            light,
        }
    })
}

/// Lines of styled pieces in the colours of `palette` (its background picks the syntax theme,
/// its depth how exact a colour can be); plain text when colours are off or the language is
/// unknown.
pub fn highlight(code: &str, lang: &str, palette: &Palette) -> Vec<Vec<Piece>> {
    let color = palette.color;
    let plain = || {
        code.lines()
            .map(|l| vec![(l.to_string(), Style::new())])
            .collect()
    };
    if !color {
        return plain();
    }
    let assets = assets();
    let token = match lang {
        "" => return plain(),
        "shell" | "console" | "zsh" => "bash",
        "yml" => "yaml",
        other => other,
    };
    let Some(syntax) = assets.syntaxes.find_syntax_by_token(token) else {
        return plain();
    };
    let theme = match palette.background {
        Background::Dark => &assets.dark,
        Background::Light => &assets.light,
    };
    let mut lines = HighlightLines::new(syntax, theme);
    let mut out = Vec::new();
    for line in syntect::util::LinesWithEndings::from(code) {
        let Ok(ranges) = lines.highlight_line(line, &assets.syntaxes) else {
            return plain();
        };
        let pieces = ranges
            .into_iter()
            .map(|(style, text)| {
                (
                    text.trim_end_matches(['\n', '\r']).to_string(),
                    convert(style, palette),
                )
            })
            .filter(|(text, _)| !text.is_empty())
            .collect();
        out.push(pieces);
    }
    out
}

fn convert(style: syntect::highlighting::Style, palette: &Palette) -> Style {
    let c = style.foreground;
    let mut out = Style::new().fg(palette.rgb((c.r, c.g, c.b)));
    if style.font_style.contains(FontStyle::BOLD) {
        out = out.add_modifier(Modifier::BOLD);
    }
    if style.font_style.contains(FontStyle::ITALIC) {
        out = out.add_modifier(Modifier::ITALIC);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bash_is_coloured_and_text_preserved() {
        let lines = highlight("echo \"hi\" # note\nls -l\n", "bash", &Palette::truecolor());
        assert_eq!(lines.len(), 2);
        let text: String = lines[0].iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(text, "echo \"hi\" # note");
        let styles: std::collections::HashSet<_> = lines[0].iter().map(|(_, s)| *s).collect();
        assert!(styles.len() > 1, "expected several colours");
    }

    /// Code on a light background uses a light syntax theme, and a terminal without
    /// truecolor gets palette colours it can show, not RGB it would mangle.
    #[test]
    fn code_colours_follow_background_and_depth() {
        use crate::settings::Depth;
        use ratatui::style::Color;
        let colours = |palette: &Palette| -> Vec<Color> {
            highlight("echo \"hi\" # note\n", "bash", palette)
                .concat()
                .into_iter()
                .filter_map(|(_, s)| s.fg)
                .collect()
        };
        let dark = colours(&Palette::truecolor());
        let light = colours(&Palette::light(Depth::TrueColor));
        assert_ne!(dark, light);
        assert!(
            dark.iter()
                .chain(&light)
                .all(|c| matches!(c, Color::Rgb(..)))
        );
        let indexed = colours(&Palette::light(Depth::Ansi256));
        assert!(
            indexed.iter().all(|c| matches!(c, Color::Indexed(_))),
            "{indexed:?}"
        );
        let named = colours(&Palette::dark());
        assert!(
            named
                .iter()
                .all(|c| !matches!(c, Color::Rgb(..) | Color::Indexed(_))),
            "{named:?}"
        );
    }

    #[test]
    fn unknown_language_and_no_color_are_plain() {
        assert_eq!(
            highlight("x", "nosuchlang", &Palette::truecolor()),
            vec![vec![("x".to_string(), Style::new())]]
        );
        assert_eq!(
            highlight("x", "bash", &Palette::plain()),
            vec![vec![("x".to_string(), Style::new())]]
        );
    }
}
