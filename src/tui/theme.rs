//! Colours and styles in one place; `NO_COLOR` keeps only bold/italic/underline/reverse.

use ratatui::style::{Color, Modifier, Style};

use crate::app::pods_view::Change;
use crate::kube::model::Health;
use crate::sentinel::Role;

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
    /// The PRESENT badge: reversed so it reads without colour too.
    pub fn badge(&self) -> Style {
        self.fg(
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
            Color::Magenta,
        )
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
    /// A search match: reversed (it reads under NO_COLOR), on yellow with colours.
    pub fn search_match(&self) -> Style {
        let reversed = Style::new().add_modifier(Modifier::REVERSED);
        if self.color {
            Style::new().fg(Color::Black).bg(Color::Yellow)
        } else {
            reversed
        }
    }
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// A pod row that was just added (bold green), changed (bold yellow) or deleted (struck
    /// red); plain otherwise.
    pub fn pod_change(&self, change: Option<Change>) -> Style {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        match change {
            Some(Change::Added) => self.fg(bold, Color::Green),
            Some(Change::Changed) => self.fg(bold, Color::Yellow),
            Some(Change::Deleted) => {
                self.fg(Style::new().add_modifier(Modifier::CROSSED_OUT), Color::Red)
            }
            None => Style::new(),
        }
    }

    /// A pod's STATUS by health: running green, starting yellow, done grey, failing bold red
    /// (no colour: plain, the text says it).
    pub fn pod_health(&self, health: Health) -> Style {
        if !self.color {
            return Style::new();
        }
        match health {
            Health::Good => Style::new().fg(Color::Green),
            Health::Progressing => Style::new().fg(Color::Yellow),
            Health::Done => Style::new().fg(Color::DarkGray),
            Health::Bad => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        }
    }

    /// The ROLE column: master bold magenta (bold without colour), replica cyan.
    pub fn redis_role(&self, role: Option<Role>) -> Style {
        match (role, self.color) {
            (Some(Role::Master), true) => {
                Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD)
            }
            (Some(Role::Master), false) => Style::new().add_modifier(Modifier::BOLD),
            (Some(_), true) => Style::new().fg(Color::Cyan),
            _ => Style::new(),
        }
    }
}
