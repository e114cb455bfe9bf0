//! Colours and styles in one place; `NO_COLOR` keeps only bold/italic/underline/reverse.
//!
//! Styles name what a colour means ([`Ink`]); the palette turns that into a colour for the
//! terminal's background (dark, or light for a projector) and depth: the 16 named colours as
//! the terminal's own theme draws them, or exact shades from the 256-colour palette or RGB.

use ratatui::style::{Color, Modifier, Style};

use crate::app::pods_view::Change;
use crate::kube::model::Health;
use crate::sentinel::Role;
use crate::settings::{Background, Depth};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
    pub background: Background,
    pub depth: Depth,
}

/// What a colour says, whatever the palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ink {
    /// Titles, the running spinner, replicas.
    Accent,
    /// Second-level headings and links.
    Heading,
    /// The focused frame, step headings, notices, bullets: where the eye should go.
    Attention,
    InlineCode,
    Quote,
    Dim,
    Good,
    Bad,
    /// The PRESENT badge and the Redis master.
    Special,
}

impl Theme {
    /// Colours unless `--no-color` or `NO_COLOR` said no, for the background and depth the
    /// settings detected ([`crate::settings`]).
    pub fn detect() -> Self {
        Self {
            color: crate::settings::color_allowed(),
            background: crate::settings::background(),
            depth: crate::settings::depth(),
        }
    }

    pub fn plain() -> Self {
        Self {
            color: false,
            ..Self::dark()
        }
    }

    /// Colours for a dark background in the 16 named colours.
    pub const DARK: Self = Self {
        color: true,
        background: Background::Dark,
        depth: Depth::Ansi16,
    };

    /// [`Theme::DARK`].
    pub fn dark() -> Self {
        Self::DARK
    }

    /// Dark, with code in exact RGB colours (a truecolor terminal).
    pub fn truecolor() -> Self {
        Self {
            depth: Depth::TrueColor,
            ..Self::DARK
        }
    }

    /// Colours for a light background (`--theme light`) at this depth.
    pub fn light(depth: Depth) -> Self {
        Self {
            color: true,
            background: Background::Light,
            depth,
        }
    }

    fn fg(&self, style: Style, ink: Ink) -> Style {
        if self.color {
            style.fg(self.ink(ink))
        } else {
            style
        }
    }

    /// On dark backgrounds the named colours read well at any depth and follow the user's
    /// terminal theme. On light ones yellow, cyan and grey wash out: darker shades instead,
    /// exact where the terminal can show them.
    fn ink(&self, ink: Ink) -> Color {
        match self.background {
            Background::Dark => match ink {
                Ink::Accent => Color::Cyan,
                Ink::Heading => Color::LightBlue,
                Ink::Attention => Color::Yellow,
                Ink::InlineCode => Color::LightYellow,
                Ink::Quote => Color::Gray,
                Ink::Dim => Color::DarkGray,
                Ink::Good => Color::Green,
                Ink::Bad => Color::Red,
                Ink::Special => Color::Magenta,
            },
            Background::Light => {
                let (named, rgb) = match ink {
                    Ink::Accent => (Color::Blue, (0, 95, 135)),
                    Ink::Heading => (Color::Blue, (0, 70, 160)),
                    Ink::Attention => (Color::Magenta, (175, 75, 0)),
                    Ink::InlineCode => (Color::Red, (135, 0, 95)),
                    Ink::Quote => (Color::DarkGray, (78, 78, 78)),
                    Ink::Dim => (Color::DarkGray, (118, 118, 118)),
                    Ink::Good => (Color::Green, (0, 120, 0)),
                    Ink::Bad => (Color::Red, (175, 0, 0)),
                    Ink::Special => (Color::Magenta, (135, 0, 135)),
                };
                match self.depth {
                    Depth::Ansi16 => named,
                    _ => self.rgb(rgb),
                }
            }
        }
    }

    /// An exact colour at the terminal's depth: RGB, its nearest xterm 256-colour entry, or
    /// the nearest of the 16 named colours.
    pub fn rgb(&self, (r, g, b): (u8, u8, u8)) -> Color {
        match self.depth {
            Depth::TrueColor => Color::Rgb(r, g, b),
            Depth::Ansi256 => Color::Indexed(nearest_256(r, g, b)),
            Depth::Ansi16 => nearest_16(r, g, b),
        }
    }

    pub fn title(&self) -> Style {
        self.fg(Style::new().add_modifier(Modifier::BOLD), Ink::Accent)
    }
    pub fn summary(&self) -> Style {
        self.fg(Style::new().add_modifier(Modifier::ITALIC), Ink::Quote)
    }
    pub fn heading(&self, level: u8) -> Style {
        let style = Style::new().add_modifier(Modifier::BOLD);
        match level {
            1 => self.fg(style.add_modifier(Modifier::UNDERLINED), Ink::Accent),
            _ => self.fg(style, Ink::Heading),
        }
    }
    pub fn step(&self, current: bool) -> Style {
        let style = Style::new().add_modifier(Modifier::BOLD);
        if current {
            self.fg(style.add_modifier(Modifier::REVERSED), Ink::Attention)
        } else {
            self.fg(style, Ink::Attention)
        }
    }
    /// The PRESENT badge: reversed so it reads without colour too.
    pub fn badge(&self) -> Style {
        self.fg(
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
            Ink::Special,
        )
    }
    pub fn inline_code(&self) -> Style {
        self.fg(Style::new(), Ink::InlineCode)
    }
    pub fn link(&self) -> Style {
        self.fg(
            Style::new().add_modifier(Modifier::UNDERLINED),
            Ink::Heading,
        )
    }
    pub fn dim(&self) -> Style {
        self.fg(Style::new(), Ink::Dim)
    }
    pub fn quote(&self) -> Style {
        self.fg(Style::new(), Ink::Quote)
    }
    pub fn bullet(&self) -> Style {
        self.fg(Style::new(), Ink::Attention)
    }
    pub fn frame(&self, focused: bool) -> Style {
        if focused {
            self.fg(Style::new().add_modifier(Modifier::BOLD), Ink::Attention)
        } else {
            self.dim()
        }
    }
    pub fn ok(&self) -> Style {
        self.fg(Style::new().add_modifier(Modifier::BOLD), Ink::Good)
    }
    pub fn bad(&self) -> Style {
        self.fg(Style::new().add_modifier(Modifier::BOLD), Ink::Bad)
    }
    pub fn busy(&self) -> Style {
        self.fg(Style::new().add_modifier(Modifier::BOLD), Ink::Accent)
    }
    pub fn status_bar(&self) -> Style {
        if self.color && self.background == Background::Light {
            Style::new().bg(self.rgb((208, 208, 208))).fg(Color::Black)
        } else if self.color {
            Style::new().bg(Color::DarkGray).fg(Color::White)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }
    pub fn notice(&self) -> Style {
        self.fg(Style::new().add_modifier(Modifier::BOLD), Ink::Attention)
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
            Some(Change::Added) => self.fg(bold, Ink::Good),
            Some(Change::Changed) => self.fg(bold, Ink::Attention),
            Some(Change::Deleted) => {
                self.fg(Style::new().add_modifier(Modifier::CROSSED_OUT), Ink::Bad)
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
            Health::Good => self.fg(Style::new(), Ink::Good),
            Health::Progressing => self.fg(Style::new(), Ink::Attention),
            Health::Done => self.fg(Style::new(), Ink::Dim),
            Health::Bad => self.fg(Style::new().add_modifier(Modifier::BOLD), Ink::Bad),
        }
    }

    /// The ROLE column: master bold magenta (bold without colour), replica cyan.
    pub fn redis_role(&self, role: Option<Role>) -> Style {
        match (role, self.color) {
            (Some(Role::Master), true) => {
                self.fg(Style::new().add_modifier(Modifier::BOLD), Ink::Special)
            }
            (Some(Role::Master), false) => Style::new().add_modifier(Modifier::BOLD),
            (Some(_), true) => self.fg(Style::new(), Ink::Accent),
            _ => Style::new(),
        }
    }
}

/// The xterm 256-colour entry nearest to an RGB colour: the 6x6x6 cube or the grey ramp.
fn nearest_256(r: u8, g: u8, b: u8) -> u8 {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    let level = |v: u8| (0..6).min_by_key(|&i| LEVELS[i].abs_diff(v)).unwrap_or(0);
    let (ri, gi, bi) = (level(r), level(g), level(b));
    let cube = (LEVELS[ri], LEVELS[gi], LEVELS[bi]);
    let grey_step = ((u32::from(r) + u32::from(g) + u32::from(b)) / 3).saturating_sub(8) / 10;
    let grey_step = grey_step.min(23) as u8;
    let grey = 8 + 10 * grey_step;
    let cube_index = 16 + 36 * ri as u8 + 6 * gi as u8 + bi as u8;
    if distance((r, g, b), (grey, grey, grey)) < distance((r, g, b), cube) {
        232 + grey_step
    } else {
        cube_index
    }
}

/// The named colour nearest to an RGB colour, by xterm's default values for the 16.
fn nearest_16(r: u8, g: u8, b: u8) -> Color {
    const NAMED: [(Color, (u8, u8, u8)); 16] = [
        (Color::Black, (0, 0, 0)),
        (Color::Red, (205, 0, 0)),
        (Color::Green, (0, 205, 0)),
        (Color::Yellow, (205, 205, 0)),
        (Color::Blue, (0, 0, 238)),
        (Color::Magenta, (205, 0, 205)),
        (Color::Cyan, (0, 205, 205)),
        (Color::Gray, (229, 229, 229)),
        (Color::DarkGray, (127, 127, 127)),
        (Color::LightRed, (255, 0, 0)),
        (Color::LightGreen, (0, 255, 0)),
        (Color::LightYellow, (255, 255, 0)),
        (Color::LightBlue, (92, 92, 255)),
        (Color::LightMagenta, (255, 0, 255)),
        (Color::LightCyan, (0, 255, 255)),
        (Color::White, (255, 255, 255)),
    ];
    NAMED
        .iter()
        .min_by_key(|(_, rgb)| distance((r, g, b), *rgb))
        .map_or(Color::Reset, |(c, _)| *c)
}

fn distance(a: (u8, u8, u8), b: (u8, u8, u8)) -> u32 {
    let d = |x: u8, y: u8| u32::from(x.abs_diff(y)).pow(2);
    d(a.0, b.0) + d(a.1, b.1) + d(a.2, b.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_colours_follow_the_depth() {
        let at = |depth| Theme {
            depth,
            ..Theme::dark()
        };
        assert_eq!(
            at(Depth::TrueColor).rgb((175, 75, 0)),
            Color::Rgb(175, 75, 0)
        );
        // 175,95,0 is cube entry 16 + 36*3 + 6*1 + 0.
        assert_eq!(at(Depth::Ansi256).rgb((175, 75, 0)), Color::Indexed(130));
        assert_eq!(at(Depth::Ansi256).rgb((118, 118, 118)), Color::Indexed(243));
        assert_eq!(at(Depth::Ansi256).rgb((0, 0, 0)), Color::Indexed(16));
        assert_eq!(at(Depth::Ansi16).rgb((175, 0, 0)), Color::Red);
        assert_eq!(at(Depth::Ansi16).rgb((240, 240, 240)), Color::Gray);
    }

    /// On a white screen nothing is drawn yellow, cyan or light grey: the colours that
    /// wash out on a projector.
    #[test]
    fn the_light_theme_avoids_colours_that_wash_out_on_white() {
        let washed = [
            Color::Yellow,
            Color::LightYellow,
            Color::Cyan,
            Color::LightCyan,
            Color::Gray,
            Color::White,
            Color::LightGreen,
        ];
        for depth in [Depth::Ansi16, Depth::Ansi256, Depth::TrueColor] {
            let t = Theme::light(depth);
            let styles = [
                t.title(),
                t.heading(1),
                t.heading(2),
                t.step(true),
                t.step(false),
                t.badge(),
                t.inline_code(),
                t.link(),
                t.dim(),
                t.quote(),
                t.bullet(),
                t.frame(true),
                t.ok(),
                t.bad(),
                t.busy(),
                t.notice(),
            ];
            for style in styles {
                let fg = style.fg.expect("coloured");
                assert!(!washed.contains(&fg), "{depth:?}: {fg:?}");
                if let Color::Rgb(r, g, b) = fg {
                    let luma = 299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b);
                    assert!(luma < 140_000, "{depth:?}: {fg:?} too light for white");
                }
            }
        }
    }
}
