//! SGR (colour and style) folded into a fixed-size state.
//!
//! A stream may send any number of SGR sequences (`\e[1m` 200,000 times, a logger colouring
//! every word). Keeping them as text grows without bound; folding each one into a [`Style`]
//! keeps the cost of "what style is in effect" at a few bytes, and a stored line carries at
//! most one canonical sequence per style change that is followed by text.

use std::fmt::Write as _;

/// A colour as SGR can name it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Color {
    #[default]
    Default,
    /// 0-7 normal, 8-15 bright, 16-255 the 256-colour cube and greys.
    Indexed(u8),
    Rgb(u8, u8, u8),
}

/// Attribute bits, by their SGR number (1 bold ... 9 crossed out).
const ATTRS: [u16; 9] = [1, 2, 3, 4, 5, 6, 7, 8, 9];

/// Everything SGR can set, in a fixed size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Style {
    /// Bit `n` set = SGR attribute `n` on (1..=9).
    attrs: u16,
    fg: Color,
    bg: Color,
    underline: Color,
}

impl Style {
    pub fn is_default(&self) -> bool {
        *self == Style::default()
    }

    /// Applies one SGR sequence: `params` are its parameters, each with its colon
    /// sub-parameters (`38:2::1:2:3`). Unknown or malformed parts change nothing.
    pub fn apply<'a>(&mut self, params: impl IntoIterator<Item = &'a [u16]>) {
        let mut params = params.into_iter().peekable();
        if params.peek().is_none() {
            *self = Style::default();
            return;
        }
        while let Some(p) = params.next() {
            let Some(&code) = p.first() else { continue };
            match code {
                0 => *self = Style::default(),
                // `4:0` is "no underline" in the colon form; `4:n` an underline style.
                4 if p.get(1) == Some(&0) => self.set(4, false),
                1..=9 => self.set(code, true),
                21 => self.set(4, true),
                22 => {
                    self.set(1, false);
                    self.set(2, false);
                }
                23 | 24 | 27 | 28 | 29 => self.set(code - 20, false),
                25 => {
                    self.set(5, false);
                    self.set(6, false);
                }
                30..=37 => self.fg = Color::Indexed((code - 30) as u8),
                90..=97 => self.fg = Color::Indexed((code - 90 + 8) as u8),
                40..=47 => self.bg = Color::Indexed((code - 40) as u8),
                100..=107 => self.bg = Color::Indexed((code - 100 + 8) as u8),
                39 => self.fg = Color::Default,
                49 => self.bg = Color::Default,
                59 => self.underline = Color::Default,
                38 | 48 | 58 => {
                    let color = if p.len() > 1 {
                        colon_color(&p[1..])
                    } else {
                        semicolon_color(&mut params)
                    };
                    if let Some(color) = color {
                        match code {
                            38 => self.fg = color,
                            48 => self.bg = color,
                            _ => self.underline = color,
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn set(&mut self, attr: u16, on: bool) {
        if on {
            self.attrs |= 1 << attr;
        } else {
            self.attrs &= !(1 << attr);
        }
    }

    /// One sequence that sets exactly this style from any other (it starts with a reset).
    pub fn write_sgr(&self, out: &mut String) {
        out.push_str("\x1b[0");
        for attr in ATTRS {
            if self.attrs & (1 << attr) != 0 {
                let _ = write!(out, ";{attr}");
            }
        }
        write_color(out, self.fg, 30, 90, 38);
        write_color(out, self.bg, 40, 100, 48);
        if self.underline != Color::Default {
            write_color(out, self.underline, 58, 58, 58);
        }
        out.push('m');
    }
}

/// The longest sequence [`Style::write_sgr`] writes, for line budgets.
pub const MAX_SGR_LEN: usize = 80;

fn write_color(out: &mut String, color: Color, base: u16, bright: u16, extended: u16) {
    let _ = match color {
        Color::Default => Ok(()),
        Color::Indexed(n) if n < 8 && base != extended => write!(out, ";{}", base + u16::from(n)),
        Color::Indexed(n) if n < 16 && base != extended => {
            write!(out, ";{}", bright + u16::from(n) - 8)
        }
        Color::Indexed(n) => write!(out, ";{extended};5;{n}"),
        Color::Rgb(r, g, b) => write!(out, ";{extended};2;{r};{g};{b}"),
    };
}

/// `5;n` or `2;r;g;b` read from the following parameters (the `38;5;n` form).
fn semicolon_color<'a>(params: &mut impl Iterator<Item = &'a [u16]>) -> Option<Color> {
    let mut next = || params.next().and_then(|p| p.first().copied());
    match next()? {
        5 => byte(next()?).map(Color::Indexed),
        2 => {
            let (r, g, b) = (next()?, next()?, next()?);
            Some(Color::Rgb(byte(r)?, byte(g)?, byte(b)?))
        }
        _ => None,
    }
}

/// The colon form: `5:n`, `2:r:g:b` or `2:colour-space:r:g:b`.
fn colon_color(sub: &[u16]) -> Option<Color> {
    match sub {
        [5, n] => byte(*n).map(Color::Indexed),
        [2, r, g, b] | [2, _, r, g, b] => Some(Color::Rgb(byte(*r)?, byte(*g)?, byte(*b)?)),
        _ => None,
    }
}

fn byte(v: u16) -> Option<u8> {
    u8::try_from(v).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style(seqs: &[&[&[u16]]]) -> Style {
        let mut s = Style::default();
        for seq in seqs {
            s.apply(seq.iter().copied());
        }
        s
    }

    fn sgr(s: Style) -> String {
        let mut out = String::new();
        s.write_sgr(&mut out);
        out
    }

    #[test]
    fn folds_repeats_into_one_state() {
        let once = style(&[&[&[1]]]);
        let many: Vec<&[&[u16]]> = vec![&[&[1]]; 10_000];
        assert_eq!(style(&many), once);
        assert_eq!(sgr(once), "\x1b[0;1m");
    }

    #[test]
    fn colours_in_every_spelling() {
        assert_eq!(sgr(style(&[&[&[31], &[42]]])), "\x1b[0;31;42m");
        assert_eq!(sgr(style(&[&[&[93]]])), "\x1b[0;93m");
        assert_eq!(sgr(style(&[&[&[38], &[5], &[200]]])), "\x1b[0;38;5;200m");
        assert_eq!(sgr(style(&[&[&[38, 5, 9]]])), "\x1b[0;91m");
        assert_eq!(
            sgr(style(&[&[&[48], &[2], &[1], &[2], &[3]]])),
            "\x1b[0;48;2;1;2;3m"
        );
        assert_eq!(sgr(style(&[&[&[38, 2, 0, 1, 2, 3]]])), "\x1b[0;38;2;1;2;3m");
        assert_eq!(sgr(style(&[&[&[58, 5, 3]]])), "\x1b[0;58;5;3m");
    }

    #[test]
    fn resets_and_odd_values() {
        assert!(style(&[&[&[1], &[31]], &[]]).is_default());
        assert!(style(&[&[&[1], &[31]], &[&[0]]]).is_default());
        assert!(style(&[&[&[1], &[2]], &[&[22]]]).is_default());
        assert!(style(&[&[&[4]], &[&[4, 0]]]).is_default());
        assert!(style(&[&[&[31]], &[&[39]]]).is_default());
        // Out of range or truncated colours change nothing and do not eat what follows.
        assert!(style(&[&[&[38], &[5], &[999]]]).is_default());
        assert!(style(&[&[&[38], &[5]]]).is_default());
        assert!(style(&[&[&[38], &[7]]]).is_default());
        assert!(style(&[&[&[65535], &[1234]]]).is_default());
        assert_eq!(style(&[&[&[38, 5], &[1]]]), style(&[&[&[1]]]));
    }

    #[test]
    fn the_longest_sequence_fits_the_budget() {
        let all: Vec<&[u16]> = vec![
            &[1],
            &[2],
            &[3],
            &[4],
            &[5],
            &[6],
            &[7],
            &[8],
            &[9],
            &[38, 2, 255, 255, 255],
            &[48, 2, 255, 255, 255],
            &[58, 2, 255, 255, 255],
        ];
        let mut s = Style::default();
        s.apply(all);
        assert!(sgr(s).len() <= MAX_SGR_LEN, "{}", sgr(s).len());
    }
}
