//! Colours and styles in one place; `NO_COLOR` keeps only bold/italic/underline/reverse.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colours unless `--no-color` or `NO_COLOR` said no ([`crate::settings`]).
    pub fn detect() -> Self {
        Self {
            color: crate::settings::color_allowed(),
        }
    }

    pub fn plain() -> Self {
        Self { color: false }
    }

    fn fg(&self, style: Style, color: Color) -> Style {
        if self.color { style.fg(color) } else { style }
    }

    pub fn title(&self) -> Style {
        self.fg(Style::new().add_modifier(Modifier::BOLD), Color::Cyan)
    }
    pub fn summary(&self) -> Style {
        self.fg(Style::new().add_modifier(Modifier::ITALIC), Color::Gray)
    }
    pub fn heading(&self, level: u8) -> Style {
        let style = Style::new().add_modifier(Modifier::BOLD);
        match level {
            1 => self.fg(style.add_modifier(Modifier::UNDERLINED), Color::Cyan),
            _ => self.fg(style, Color::LightBlue),
        }
    }
    pub fn step(&self, current: bool) -> Style {
        let style = Style::new().add_modifier(Modifier::BOLD);
        if current {
            self.fg(style.add_modifier(Modifier::REVERSED), Color::Yellow)
        } else {
            self.fg(style, Color::Yellow)
        }
    }
    pub fn inline_code(&self) -> Style {
        self.fg(Style::new(), Color::LightYellow)
    }
    pub fn link(&self) -> Style {
        self.fg(
            Style::new().add_modifier(Modifier::UNDERLINED),
            Color::LightBlue,
        )
    }
    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }
    pub fn quote(&self) -> Style {
        self.fg(Style::new(), Color::Gray)
    }
    pub fn bullet(&self) -> Style {
        self.fg(Style::new(), Color::Yellow)
    }
    pub fn frame(&self, focused: bool) -> Style {
        if focused {
            self.fg(Style::new().add_modifier(Modifier::BOLD), Color::Yellow)
        } else {
            self.dim()
        }
    }
    pub fn ok(&self) -> Style {
        self.fg(Style::new().add_modifier(Modifier::BOLD), Color::Green)
    }
    pub fn bad(&self) -> Style {
        self.fg(Style::new().add_modifier(Modifier::BOLD), Color::Red)
    }
    pub fn busy(&self) -> Style {
        self.fg(Style::new().add_modifier(Modifier::BOLD), Color::Cyan)
    }
    pub fn status_bar(&self) -> Style {
        if self.color {
            Style::new().bg(Color::DarkGray).fg(Color::White)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }
    pub fn notice(&self) -> Style {
        self.fg(Style::new().add_modifier(Modifier::BOLD), Color::Yellow)
    }
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
}
