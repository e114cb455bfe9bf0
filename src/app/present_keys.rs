//! Present mode in an interactive cell: the presenter "types" the cell's `stdin=` script
//! without typos. Each key press types the next word of the current line, Enter types the rest
//! of it and enters it; control keys (Ctrl-C, arrows...) still go to the program as they are.
//! Once the script is typed, keys go through unchanged.

use crate::lesson::CellIndex;

use super::action::Effect;
use super::state::App;

/// Where the presenter is in a cell's script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    pub cell: CellIndex,
    lines: Vec<String>,
    line: usize,
    /// Bytes of the current line typed so far.
    typed: usize,
}

impl Script {
    pub fn new(cell: CellIndex, text: &str) -> Option<Self> {
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        (!lines.is_empty()).then_some(Self {
            cell,
            lines,
            line: 0,
            typed: 0,
        })
    }

    /// What a key press types instead of `key`, or None when it passes unchanged.
    fn replace(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        let line = self.lines.get(self.line)?;
        if key == b"\r" {
            let mut out = line.as_bytes()[self.typed..].to_vec();
            out.push(b'\r');
            self.line += 1;
            self.typed = 0;
            return Some(out);
        }
        // Control keys and escape sequences are the presenter's own.
        if key.iter().any(|&b| b < 0x20 || b == 0x7f) {
            return None;
        }
        let rest = &line[self.typed..];
        // The next word and the spaces after it.
        let word_end = rest
            .char_indices()
            .skip_while(|(_, c)| c.is_whitespace())
            .find(|(_, c)| c.is_whitespace())
            .map_or(rest.len(), |(i, _)| i);
        let end = rest[word_end..]
            .char_indices()
            .find(|(_, c)| !c.is_whitespace())
            .map_or(rest.len(), |(i, _)| word_end + i);
        self.typed += end;
        Some(rest.as_bytes()[..end].to_vec())
    }

    /// The part of the current line still to type (for the frame's hint).
    pub fn next_words(&self) -> Option<&str> {
        self.lines.get(self.line).map(|l| &l[self.typed..])
    }
}

impl App {
    /// Bytes for the focused terminal, after the present-mode script had its say.
    pub(super) fn presented(&mut self, cell: CellIndex, bytes: Vec<u8>) -> Vec<Effect> {
        let typed = self
            .script
            .as_mut()
            .filter(|s| s.cell == cell)
            .and_then(|s| s.replace(&bytes));
        let bytes = typed.unwrap_or(bytes);
        if bytes.is_empty() {
            return Vec::new();
        }
        vec![Effect::TermInput { cell, bytes }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_type_words_and_enter_the_rest_of_the_line() {
        let mut s = Script::new(3, "set k  q1a\nget k").expect("script");
        assert_eq!(s.replace(b"x").as_deref(), Some(&b"set "[..]));
        assert_eq!(s.replace(b"y").as_deref(), Some(&b"k  "[..]));
        assert_eq!(s.next_words(), Some("q1a"));
        assert_eq!(s.replace(b"\x03"), None);
        assert_eq!(s.replace(b"\x1b[A"), None);
        assert_eq!(s.replace(b"z").as_deref(), Some(&b"q1a"[..]));
        // The line is typed: more keys type nothing until Enter.
        assert_eq!(s.replace(b"z").as_deref(), Some(&b""[..]));
        assert_eq!(s.replace(b"\r").as_deref(), Some(&b"\r"[..]));
        assert_eq!(s.replace(b"\r").as_deref(), Some(&b"get k\r"[..]));
        assert_eq!(s.replace(b"q"), None);
        assert_eq!(Script::new(0, ""), None);
    }
}
