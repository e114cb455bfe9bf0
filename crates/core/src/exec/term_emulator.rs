//! The terminal an interactive cell draws on: a `vt100` emulator that consumes every escape
//! sequence the program writes (titles, OSC 52, mouse modes, the alternate screen), so none of
//! it reaches the real terminal. Views read its screen cell by cell; when the program exits its
//! text (scrollback plus screen, bounded) becomes the cell's output.

use std::num::NonZeroU16;

/// Rows of scrollback kept: the session's text is bounded by this plus one screen.
pub const SCROLLBACK_ROWS: usize = 2_000;
/// The session text kept as a cell's output is cut (from the front) to this many bytes.
pub const MAX_TEXT_BYTES: usize = 256 * 1024;

/// A terminal size in character cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermSize {
    pub rows: u16,
    pub cols: u16,
}

impl TermSize {
    /// A size no emulator or pty refuses (at least 2x2).
    pub fn clamped(rows: u16, cols: u16) -> Self {
        Self {
            rows: rows.clamp(2, 500),
            cols: cols.clamp(2, 1000),
        }
    }
}

impl Default for TermSize {
    fn default() -> Self {
        Self { rows: 24, cols: 80 }
    }
}

/// The input modes a program asked for: how keys and paste must be encoded for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InputModes {
    /// DECCKM: arrows send `ESC O A` instead of `ESC [ A`.
    pub application_cursor: bool,
    /// Paste is wrapped in `ESC [200~` ... `ESC [201~`.
    pub bracketed_paste: bool,
}

/// A program's screen.
pub struct Emulator {
    parser: vt100::Parser,
    /// Bumped on every change, so a view can tell whether to redraw.
    version: u64,
    /// The last bytes of the output, for a query split across reads.
    tail: Vec<u8>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("size", &self.size())
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

fn nz(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).unwrap_or(NonZeroU16::MIN)
}

impl Emulator {
    pub fn new(size: TermSize) -> Self {
        let size = TermSize::clamped(size.rows, size.cols);
        Self {
            parser: vt100::Parser::new(nz(size.rows), nz(size.cols), SCROLLBACK_ROWS),
            version: 0,
            tail: Vec::new(),
        }
    }

    /// What a terminal answers to the status queries in `bytes`, output the program wrote and
    /// [`Self::process`] has read: a cursor position report (`ESC [ row ; col R`) for each
    /// `ESC [ 6 n`. Line editors (linenoise, in redis-cli) ask it when the terminal's width is
    /// unknown (through `kubectl exec -it`, before the remote terminal is sized) and, with no
    /// answer, read the keys typed next as one.
    pub fn answers(&mut self, bytes: &[u8]) -> Vec<u8> {
        const QUERY: &[u8] = b"\x1b[6n";
        let mut seen = std::mem::take(&mut self.tail);
        seen.extend_from_slice(bytes);
        let asked = seen.windows(QUERY.len()).filter(|w| *w == QUERY).count();
        // A query may complete in the next read: keep what of one the output ends with.
        let keep = (1..QUERY.len())
            .rev()
            .find(|&n| seen.ends_with(&QUERY[..n]))
            .unwrap_or(0);
        self.tail = seen[seen.len() - keep..].to_vec();
        let (row, col) = self.parser.screen().cursor_position();
        let report = format!("\x1b[{};{}R", row + 1, col + 1);
        report.repeat(asked).into_bytes()
    }

    /// Feeds the program's output (any chunking: escapes and UTF-8 may be split).
    pub fn process(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        self.parser.process(bytes);
        self.version = self.version.wrapping_add(1);
    }

    pub fn resize(&mut self, size: TermSize) {
        let size = TermSize::clamped(size.rows, size.cols);
        if size != self.size() {
            self.parser
                .screen_mut()
                .set_size(nz(size.rows), nz(size.cols));
            self.version = self.version.wrapping_add(1);
        }
    }

    pub fn size(&self) -> TermSize {
        let (rows, cols) = self.parser.screen().size();
        TermSize {
            rows: rows.get(),
            cols: cols.get(),
        }
    }

    pub fn screen(&self) -> &vt100::Screen {
        self.parser.screen()
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn input_modes(&self) -> InputModes {
        let screen = self.parser.screen();
        InputModes {
            application_cursor: screen.application_cursor(),
            bracketed_paste: screen.bracketed_paste(),
        }
    }

    /// The visible screen as plain text rows, right-trimmed (for tests and logs).
    pub fn screen_text(&self) -> Vec<String> {
        let cols = self.size().cols;
        self.parser
            .screen()
            .rows(0, cols)
            .map(|r| r.trim_end().to_string())
            .collect()
    }

    /// The whole session as plain text: scrollback then the screen, trailing blank rows
    /// dropped, at most [`MAX_TEXT_BYTES`] (the newest part).
    pub fn text(&mut self) -> String {
        let size = self.size();
        let rows = usize::from(size.rows);
        let screen = self.parser.screen_mut();
        let mut lines: Vec<String> = Vec::new();
        // vt100 shows scrollback only through its viewport: walk it a screen at a time.
        screen.set_scrollback(usize::MAX);
        let mut offset = screen.scrollback();
        while offset > 0 {
            screen.set_scrollback(offset);
            let n = offset.min(rows);
            lines.extend(screen.rows(0, size.cols).take(n));
            offset -= n;
        }
        screen.set_scrollback(0);
        lines.extend(screen.rows(0, size.cols));
        while lines.last().is_some_and(|l| l.trim().is_empty()) {
            lines.pop();
        }
        let mut text = String::new();
        for line in &lines {
            text.push_str(line.trim_end());
            text.push('\n');
        }
        cut_front(text, MAX_TEXT_BYTES)
    }
}

/// The last `max` bytes of `text`, starting at a line (or at least a char) boundary.
fn cut_front(text: String, max: usize) -> String {
    if text.len() <= max {
        return text;
    }
    let mut start = text.len() - max;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let from = text[start..].find('\n').map_or(start, |n| start + n + 1);
    text[from..].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emu(rows: u16, cols: u16) -> Emulator {
        Emulator::new(TermSize { rows, cols })
    }

    #[test]
    fn a_cursor_position_query_is_answered_even_split_across_reads() {
        let mut e = emu(5, 20);
        let out = b"abc\x1b[6n";
        e.process(out);
        assert_eq!(e.answers(out), b"\x1b[1;4R");
        // Split: `ESC [` then `6 n`, after a line.
        let (a, b): (&[u8], &[u8]) = (b"\r\nxy\x1b[", b"6n");
        e.process(a);
        assert!(e.answers(a).is_empty());
        e.process(b);
        assert_eq!(e.answers(b), b"\x1b[2;3R");
        assert!(e.answers(b"6n plain text").is_empty());
    }

    #[test]
    fn line_editing_and_cursor_moves_land_on_the_screen() {
        let mut e = emu(4, 20);
        e.process(b"127.0.0.1:6379> set k x\x08q1a\r\n");
        e.process(b"OK\r\n\x1b[1;31mred\x1b[0m \x1b[2K\rcleared");
        let rows = e.screen_text();
        assert_eq!(rows[0], "127.0.0.1:6379> set");
        assert_eq!(rows[1], "k q1a");
        assert_eq!(rows[2], "OK");
        assert_eq!(rows[3], "cleared");
    }

    #[test]
    fn split_escapes_and_utf8_are_reassembled() {
        let mut e = emu(2, 10);
        let bytes = "a\x1b[31mé\x1b[0mz".as_bytes();
        for b in bytes {
            e.process(std::slice::from_ref(b));
        }
        assert_eq!(e.screen_text()[0], "aéz");
        let cell = e.screen().cell(0, 1).expect("cell");
        assert_eq!(cell.fgcolor(), vt100::Color::Idx(1));
    }

    #[test]
    fn modes_follow_the_program() {
        let mut e = emu(4, 20);
        assert_eq!(e.input_modes(), InputModes::default());
        e.process(b"\x1b[?1h\x1b[?2004h");
        let m = e.input_modes();
        assert!(m.application_cursor && m.bracketed_paste);
        e.process(b"\x1b[?1l\x1b[?2004l");
        assert_eq!(e.input_modes(), InputModes::default());
    }

    #[test]
    fn alternate_screen_is_drawn_inside_and_left_behind_on_exit() {
        let mut e = emu(3, 20);
        e.process(b"before\r\n\x1b[?1049h\x1b[2J\x1b[Hfull screen\x1b]0;title\x07");
        assert!(e.screen().alternate_screen());
        assert_eq!(e.screen_text()[0], "full screen");
        e.process(b"\x1b[?1049l");
        assert_eq!(e.screen_text()[0], "before");
        assert_eq!(e.text(), "before\n");
    }

    #[test]
    fn text_keeps_scrollback_in_order_and_is_bounded() {
        let mut e = emu(3, 10);
        for i in 0..10 {
            e.process(format!("line{i}\r\n").as_bytes());
        }
        let text = e.text();
        let want: String = (0..10).map(|i| format!("line{i}\n")).collect();
        assert_eq!(text, want);
        // The live view is back at the bottom after reading the scrollback.
        assert_eq!(e.screen().scrollback(), 0);

        let mut big = emu(5, 200);
        let line = format!("{}\r\n", "x".repeat(199));
        for _ in 0..(SCROLLBACK_ROWS + 500) {
            big.process(line.as_bytes());
        }
        let text = big.text();
        assert!(text.len() <= MAX_TEXT_BYTES, "{} bytes", text.len());
        assert!(text.lines().all(|l| l.len() == 199));
    }

    #[test]
    fn resize_changes_the_grid() {
        let mut e = emu(4, 20);
        let v = e.version();
        e.resize(TermSize { rows: 10, cols: 50 });
        assert_eq!(e.size(), TermSize { rows: 10, cols: 50 });
        assert!(e.version() != v);
        e.resize(TermSize { rows: 0, cols: 0 });
        assert_eq!(e.size(), TermSize { rows: 2, cols: 2 });
    }
}
