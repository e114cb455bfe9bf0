//! A cell's output: bytes from a child process turned into safe, bounded lines.
//!
//! Output is untrusted: a command may print cursor moves, screen clears, OSC 52 clipboard
//! writes or hyperlinks. Only SGR (colour and style) survives; everything else is dropped
//! here, before any of it reaches the terminal the UI draws on.

use std::collections::VecDeque;

use vte::{Params, Parser, Perform};

use super::sgr::{MAX_SGR_LEN, Style};

/// Lines kept per cell; older lines are dropped (and counted) so an endless stream cannot
/// grow memory without bound.
pub const MAX_LINES: usize = 2_000;
/// A single line longer than this is cut: a binary blob without newlines stays bounded too.
pub const MAX_LINE_BYTES: usize = 4_096;
/// The same cap with the escapes a line stores: a style change per character must not make
/// a line (or [`MAX_LINES`] of them) cost more than this.
pub const MAX_LINE_ESCAPED: usize = 2 * MAX_LINE_BYTES;

/// Sanitised output. Each stored line is self-contained: it starts from the default style and
/// sets the style in effect (carried over from earlier lines) before its first character, so
/// it can be rendered alone.
#[derive(Default)]
pub struct OutputBuffer {
    parser: Parser,
    sink: Sink,
}

impl std::fmt::Debug for OutputBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutputBuffer")
            .field("sink", &self.sink)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
struct Sink {
    lines: VecDeque<String>,
    /// The line being written (not yet terminated by `\n`).
    current: String,
    /// Bytes of visible text in `current` (SGR excluded), for the length cap.
    current_text: usize,
    /// The style the stream asked for so far (every SGR folds into it: fixed size).
    style: Style,
    /// The style in effect at the end of `current`; a line starts at the default.
    written: Style,
    /// A `\r` was seen: the next printed character starts the line over.
    carriage: bool,
    dropped: usize,
}

impl OutputBuffer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feed raw bytes from the child (any chunking; UTF-8 and escapes may be split).
    pub fn push(&mut self, bytes: &[u8]) {
        self.parser.advance(&mut self.sink, bytes);
    }

    /// Completed lines plus the partial last line, oldest first.
    pub fn lines(&self) -> impl Iterator<Item = &str> {
        let partial = (!self.sink.current.is_empty()).then_some(self.sink.current.as_str());
        self.sink.lines.iter().map(String::as_str).chain(partial)
    }

    pub fn len(&self) -> usize {
        self.sink.lines.len() + usize::from(!self.sink.current.is_empty())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Lines dropped from the front to respect [`MAX_LINES`].
    pub fn dropped(&self) -> usize {
        self.sink.dropped
    }

    /// The last line with text, without SGR, for the jobs pane. Computed on demand: the
    /// hot path (every line of a fast stream) must not pay for it.
    pub fn last_line(&self) -> String {
        let last = self
            .sink
            .lines
            .iter()
            .rev()
            .find(|l| !strip_sgr(l).trim().is_empty());
        let partial = Some(&self.sink.current).filter(|l| !strip_sgr(l).trim().is_empty());
        partial.or(last).map(|l| strip_sgr(l)).unwrap_or_default()
    }

    /// Display columns of the widest stored line (SGR excluded), how far a no-wrap output
    /// can be scrolled sideways. Computed on a key press only.
    pub fn widest_line(&self) -> usize {
        use unicode_width::UnicodeWidthStr;
        self.lines()
            .map(|l| strip_sgr(l).width())
            .max()
            .unwrap_or(0)
    }

    /// Bytes held by the stored lines (capacity, escapes included): what the caps bound.
    pub fn held_bytes(&self) -> usize {
        self.sink.lines.iter().map(String::capacity).sum::<usize>() + self.sink.current.capacity()
    }

    pub fn clear(&mut self) {
        *self = Self::default();
    }
}

impl Sink {
    fn newline(&mut self) {
        // Reuse the buffer of the line that falls off the front: a fast stream then costs
        // no allocation per line once the buffer is full.
        let recycled = if self.lines.len() >= MAX_LINES {
            self.dropped += 1;
            self.lines.pop_front().map(|mut l| {
                l.clear();
                l
            })
        } else {
            None
        };
        let line = std::mem::replace(&mut self.current, recycled.unwrap_or_default());
        self.lines.push_back(line);
        self.start_over();
    }

    /// The current line is empty again, and renders from the default style.
    fn start_over(&mut self) {
        self.current.clear();
        self.current_text = 0;
        self.written = Style::default();
        self.carriage = false;
    }
}

impl Perform for Sink {
    fn print(&mut self, c: char) {
        if self.carriage {
            // `\r` then text: the terminal would overwrite the line (progress bars); we
            // keep only the newest version instead of every frame.
            self.start_over();
        }
        if self.current_text >= MAX_LINE_BYTES {
            return;
        }
        let restyle = self.style != self.written;
        // Escapes count too: a line that changes style on every character stays bounded.
        let room = MAX_LINE_ESCAPED - self.current.len();
        if room < c.len_utf8() + if restyle { MAX_SGR_LEN } else { 0 } {
            self.current_text = MAX_LINE_BYTES;
            return;
        }
        if restyle {
            self.style.write_sgr(&mut self.current);
            self.written = self.style;
        }
        self.current.push(c);
        self.current_text += c.len_utf8();
    }

    fn execute(&mut self, byte: u8) {
        match byte {
            b'\n' => self.newline(),
            b'\r' => self.carriage = true,
            b'\t' => {
                for _ in 0..(8 - self.current_text % 8) {
                    self.print(' ');
                }
            }
            // BEL, BS, SO/SI and the rest have no safe meaning in a scrollback: drop them.
            _ => {}
        }
    }

    fn csi_dispatch(&mut self, params: &Params, intermediates: &[u8], ignore: bool, action: char) {
        // Only plain SGR (`CSI ... m`, no private markers) is kept; every cursor move,
        // erase, mode set or report request is neutralised. It only changes the state: the
        // next printed character writes it, once.
        if action != 'm' || ignore || !intermediates.is_empty() {
            return;
        }
        self.style.apply(params.iter());
    }
    // OSC (clipboard, hyperlinks, titles), DCS and other ESC sequences: dropped by default.
}

pub use crate::ansi::strip_sgr;

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(bytes: &[u8]) -> Vec<String> {
        let mut buf = OutputBuffer::new();
        buf.push(bytes);
        buf.lines().map(str::to_string).collect()
    }

    fn only_sgr(line: &str) -> bool {
        let mut rest = line;
        while let Some(pos) = rest.find('\x1b') {
            let tail = &rest[pos + 1..];
            let Some(end) = tail.find('m') else {
                return false;
            };
            let body = &tail[..end];
            if !body.starts_with('[')
                || !body[1..]
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == ';' || c == ':')
            {
                return false;
            }
            rest = &tail[end + 1..];
        }
        !line.chars().any(|c| c.is_control() && c != '\x1b')
    }

    #[test]
    fn control_sequences_never_leak() {
        let nasty = b"a\x1b[2Jb\x1b[10;5Hc\x1b[?1049h\x1b]52;c;aGVsbG8=\x07d\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\e\x1b[1Af\x1bcg\x1bPqdcs\x1b\\h\x07\x08i\n";
        let lines = collect(nasty);
        assert_eq!(lines, vec!["abcdlinkefghi".to_string()]);
    }

    #[test]
    fn sgr_is_kept_and_carried_to_the_next_line() {
        let lines = collect(b"\x1b[31mred\nstill red\x1b[0m plain\nplain\n");
        assert_eq!(lines[0], "\x1b[0;31mred");
        assert_eq!(lines[1], "\x1b[0;31mstill red\x1b[0m plain");
        assert_eq!(lines[2], "plain");
        assert!(lines.iter().all(|l| only_sgr(l)));
    }

    #[test]
    fn carriage_return_overwrites_the_line() {
        assert_eq!(collect(b"10%\r50%\r100%\ndone\r\n"), vec!["100%", "done"]);
    }

    #[test]
    fn split_escape_across_chunks_is_still_filtered() {
        let mut buf = OutputBuffer::new();
        buf.push(b"x\x1b[");
        buf.push(b"2J\x1b]52;c;");
        buf.push(b"Zm9v\x07y\xe4\xb8");
        buf.push(b"\xad\n");
        assert_eq!(buf.lines().collect::<Vec<_>>(), vec!["xy中"]);
    }

    #[test]
    fn memory_is_bounded() {
        let mut buf = OutputBuffer::new();
        for i in 0..(MAX_LINES + 500) {
            buf.push(format!("line {i}\n").as_bytes());
        }
        assert_eq!(buf.len(), MAX_LINES);
        assert_eq!(buf.dropped(), 500);
        assert_eq!(buf.lines().next(), Some("line 500"));
        assert_eq!(buf.last_line(), format!("line {}", MAX_LINES + 499));
        buf.push(&vec![b'x'; MAX_LINE_BYTES * 3]);
        assert_eq!(buf.lines().last().map(str::len), Some(MAX_LINE_BYTES));
    }

    #[test]
    fn sgr_without_text_costs_nothing() {
        // The report's bomb, a reset-free pile-up and one sequence with many parameters.
        let mut bomb = "\x1b[1m".repeat(200_000).into_bytes();
        bomb.extend((0..2000).flat_map(|i| format!("{i}\n").into_bytes()));
        let mut buf = OutputBuffer::new();
        buf.push(&bomb);
        assert!(buf.lines().all(|l| l.len() <= "\x1b[0;1m1999".len()));
        assert_eq!(buf.lines().nth(5), Some("\x1b[0;1m5"));
        let mut buf = OutputBuffer::new();
        for i in 0..5000 {
            buf.push(format!("\x1b[3{}m\x1b[4{}m\x1b[38;2;{i};1;1m", i % 8, i % 7).as_bytes());
        }
        buf.push(format!("x\n\x1b[{}m y\n", "1;".repeat(5000)).as_bytes());
        assert!(buf.held_bytes() < 1024, "{}", buf.held_bytes());
    }

    #[test]
    fn a_style_change_per_character_is_capped_with_its_escapes() {
        let mut buf = OutputBuffer::new();
        let line: String = (0..1000)
            .map(|i| format!("\x1b[38;2;{};{};1m\x1b[{}mx", i % 256, i % 200, 1 + i % 9))
            .collect();
        for _ in 0..20 {
            buf.push(line.as_bytes());
            buf.push(b"\n");
        }
        assert!(buf.lines().all(|l| l.len() <= MAX_LINE_ESCAPED));
        assert!(
            buf.lines()
                .all(|l| l.len() > MAX_LINE_ESCAPED - MAX_SGR_LEN - 8)
        );
        assert!(buf.lines().all(|l| strip_sgr(l).chars().all(|c| c == 'x')));
        assert!(buf.held_bytes() <= 21 * 2 * MAX_LINE_ESCAPED);
    }

    #[test]
    fn carriage_return_drops_the_style_written_so_far() {
        let lines = collect(b"\x1b[32m10%\r\x1b[0m50%\r\x1b[31m\x1b[1m100%\n");
        assert_eq!(lines, vec!["\x1b[0;1;31m100%"]);
    }

    #[test]
    fn tabs_expand_to_spaces() {
        assert_eq!(collect(b"a\tb\n"), vec!["a       b"]);
    }
}
