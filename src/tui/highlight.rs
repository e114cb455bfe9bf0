//! Syntax highlighting of code blocks and cells with syntect. The syntax and theme sets are
//! loaded once, on first use: lessons without code never pay for them.

use std::sync::OnceLock;

use ratatui::style::{Color, Modifier, Style};
use syntect::easy::HighlightLines;
use syntect::highlighting::{FontStyle, Theme, ThemeSet};
use syntect::parsing::SyntaxSet;

use super::wrap::Piece;

struct Assets {
    syntaxes: SyntaxSet,
    theme: Theme,
}

fn assets() -> &'static Assets {
    static ASSETS: OnceLock<Assets> = OnceLock::new();
    ASSETS.get_or_init(|| {
        let syntaxes = SyntaxSet::load_defaults_newlines();
        let mut themes = ThemeSet::load_defaults();
        let theme = themes
            .themes
            .remove("base16-ocean.dark")
            .unwrap_or_default();
        Assets { syntaxes, theme }
    })
}

/// Lines of styled pieces; plain text when colours are off or the language is unknown.
pub fn highlight(code: &str, lang: &str, color: bool) -> Vec<Vec<Piece>> {
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
    let mut lines = HighlightLines::new(syntax, &assets.theme);
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
                    convert(style),
                )
            })
            .filter(|(text, _)| !text.is_empty())
            .collect();
        out.push(pieces);
    }
    out
}

fn convert(style: syntect::highlighting::Style) -> Style {
    let c = style.foreground;
    let mut out = Style::new().fg(Color::Rgb(c.r, c.g, c.b));
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
        let lines = highlight("echo \"hi\" # note\nls -l\n", "bash", true);
        assert_eq!(lines.len(), 2);
        let text: String = lines[0].iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(text, "echo \"hi\" # note");
        let styles: std::collections::HashSet<_> = lines[0].iter().map(|(_, s)| *s).collect();
        assert!(styles.len() > 1, "expected several colours");
    }

    #[test]
    fn unknown_language_and_no_color_are_plain() {
        assert_eq!(
            highlight("x", "nosuchlang", true),
            vec![vec![("x".to_string(), Style::new())]]
        );
        assert_eq!(
            highlight("x", "bash", false),
            vec![vec![("x".to_string(), Style::new())]]
        );
    }
}
