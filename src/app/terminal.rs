//! Interactive cells in the lesson: each runs on a terminal of its own drawn in place of its
//! output. The focus decides where keys go: while a cell's terminal has it, every key but the
//! leave key goes to the program, from the first keystroke after Enter.

use crate::exec::term_emulator::{Emulator, TermSize};
use crate::lesson::CellIndex;
use crate::text::Notice;

use super::action::Effect;
use super::state::{App, CellStatus, Reveal};
use crate::exec::term_emulator::InputModes;

/// The key that gives the keyboard back to the lesson, as telnet's escape.
pub const LEAVE: &str = "Ctrl-]";

/// Rows of a terminal at most (a full-screen program gets a screenful, not the whole lesson).
const MAX_ROWS: u16 = 24;
/// Rows around the terminal inside the lesson column: its frame, a line of code, the rules.
const FRAME_ROWS: u16 = 8;
/// Columns of the frame around the terminal (`│ ` left, `│` right).
const FRAME_COLS: u16 = 3;

/// Paste for the program: wrapped in bracketed-paste marks when it asked for them (and then
/// stripped of any end mark inside, so pasted text cannot end the paste early).
pub fn paste_bytes(text: &str, modes: InputModes) -> Vec<u8> {
    if !modes.bracketed_paste {
        return text.replace("\r\n", "\r").replace('\n', "\r").into_bytes();
    }
    let mut out = b"\x1b[200~".to_vec();
    out.extend_from_slice(text.replace("\x1b[201~", "").as_bytes());
    out.extend_from_slice(b"\x1b[201~");
    out
}

/// The terminal size that fits the lesson column of `viewport` (x, y, width, height).
pub fn term_size_for(viewport: (u16, u16, u16, u16)) -> TermSize {
    let (_, _, width, height) = viewport;
    if width == 0 || height == 0 {
        return TermSize::default();
    }
    // Half the column: the lesson text around the cell stays in view.
    let rows = (height / 2)
        .min(height.saturating_sub(FRAME_ROWS))
        .clamp(4, MAX_ROWS);
    TermSize::clamped(rows, width.saturating_sub(FRAME_COLS))
}

impl App {
    /// Queues an interactive cell with its terminal and gives it the keyboard at once: keys
    /// typed before its program runs are kept for it by the engine.
    pub(super) fn start_terminal(&mut self, cell: CellIndex) -> Vec<Effect> {
        self.mark_queued(cell);
        let size = self.term_size;
        self.runs[cell].term = Some(Emulator::new(size));
        self.term_focus = Some(cell);
        self.reveal = Some(Reveal::Cell(cell));
        self.script = self
            .present
            .then(|| self.lesson.cells().get(cell)?.attrs.stdin.clone())
            .flatten()
            .and_then(|text| super::Script::new(cell, &text));
        vec![Effect::RunTerminal { cell, size }]
    }

    /// Enter on an interactive cell whose program runs: back to its keyboard.
    pub(super) fn term_focus_on(&mut self, cell: CellIndex) -> Vec<Effect> {
        self.term_focus = Some(cell);
        self.set_focus(cell);
        self.reveal = Some(Reveal::Cell(cell));
        Vec::new()
    }

    pub(super) fn term_leave(&mut self) {
        if self.term_focus.take().is_some() {
            self.say(Notice::LeftTerminal);
        }
    }

    pub(super) fn term_input(&mut self, bytes: Vec<u8>) -> Vec<Effect> {
        match self.term_focus {
            Some(cell) if !bytes.is_empty() => self.presented(cell, bytes),
            _ => Vec::new(),
        }
    }

    pub(super) fn term_paste(&mut self, text: &str) -> Vec<Effect> {
        let Some(cell) = self.term_focus else {
            return Vec::new();
        };
        let modes = self.runs[cell]
            .term
            .as_ref()
            .map(Emulator::input_modes)
            .unwrap_or_default();
        // A paste is the presenter's own text, never the script's next words.
        vec![Effect::TermInput {
            cell,
            bytes: paste_bytes(text, modes),
        }]
    }

    /// The terminal size for the current layout; the cells' terminals follow it.
    pub(super) fn term_fit(&mut self) -> Vec<Effect> {
        let size = term_size_for(self.geometry.viewport);
        if size == self.term_size {
            return Vec::new();
        }
        self.term_size = size;
        // The cells' heights change: another frame shows them at the new size.
        self.dirty = true;
        let mut effects = Vec::new();
        for (cell, run) in self.runs.iter_mut().enumerate() {
            if let Some(term) = &mut run.term {
                term.resize(size);
                effects.push(Effect::TermResize { cell, size });
            }
        }
        effects
    }

    pub(super) fn term_output(&mut self, cell: CellIndex, bytes: &[u8]) {
        if let Some(term) = self.runs.get_mut(cell).and_then(|r| r.term.as_mut()) {
            term.process(bytes);
        }
    }

    /// The program ended: its session's text is the cell's output from now on.
    pub(super) fn term_text(&mut self, cell: CellIndex, text: &str) {
        if let Some(run) = self.runs.get_mut(cell) {
            run.output.clear();
            run.output.push(text.as_bytes());
            run.scroll = 0;
        }
    }

    /// The cell finished (or never started): no terminal, no focus on it.
    pub(super) fn term_ended(&mut self, cell: CellIndex) {
        if let Some(run) = self.runs.get_mut(cell) {
            run.term = None;
        }
        if self.term_focus == Some(cell) {
            self.term_focus = None;
        }
        if self.script.as_ref().is_some_and(|s| s.cell == cell) {
            self.script = None;
        }
    }

    /// Input modes of the focused terminal, for encoding keys.
    pub fn term_modes(&self) -> InputModes {
        self.term_focus
            .and_then(|c| self.runs.get(c)?.term.as_ref())
            .map(Emulator::input_modes)
            .unwrap_or_default()
    }

    /// Whether `cell` shows a live terminal (its program runs or is about to).
    pub fn shows_terminal(&self, cell: CellIndex) -> bool {
        self.runs.get(cell).is_some_and(|r| {
            r.term.is_some() && matches!(r.status, CellStatus::Queued | CellStatus::Running { .. })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paste_is_bracketed_when_asked_and_cannot_close_itself() {
        let plain = InputModes::default();
        assert_eq!(paste_bytes("a\nb", plain), b"a\rb");
        let bracketed = InputModes {
            bracketed_paste: true,
            ..Default::default()
        };
        assert_eq!(
            paste_bytes("x\x1b[201~y", bracketed),
            b"\x1b[200~xy\x1b[201~"
        );
    }
}
