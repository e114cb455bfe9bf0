//! Lesson text shown in messages, made inert.
//!
//! A lesson is untrusted text: an id, an info string or a line that `check` quotes may hold
//! ESC, OSC and C1 bytes that would set the terminal title, write the clipboard or switch
//! screens when printed. Every message that quotes lesson content (diagnostics, `run`'s
//! headings, commands and result lines, errors printed by `main`) passes it through
//! [`controls`], which spells such characters out instead.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` with C0 controls (but newline and tab), DEL, C1 controls and the bidirectional
/// overrides written as `\x1b` / `\u{9b}` escapes; borrowed when there is nothing to escape.
pub fn controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if !needs_escape(c) {
            out.push(c);
        } else if (c as u32) < 0x80 {
            let _ = write!(out, "\\x{:02x}", c as u32);
        } else {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    match c {
        '\n' | '\t' => false,
        '\0'..='\x1f' | '\x7f'..='\u{9f}' => true,
        // Embeddings, overrides and isolates reorder what follows on bidi-aware terminals.
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_control_is_spelled_out() {
        let nasty = "a\x1b]0;PWNED\x07b\u{9b}31mc\u{9d}52;c;x\u{9c}\r\x08\x7f\u{202e}d\0";
        let safe = controls(nasty);
        assert!(!safe.chars().any(needs_escape), "{safe}");
        assert!(!safe.chars().any(|c| c.is_control()), "{safe}");
        assert_eq!(
            safe,
            "a\\x1b]0;PWNED\\x07b\\u{9b}31mc\\u{9d}52;c;x\\u{9c}\\x0d\\x08\\x7f\\u{202e}d\\x00"
        );
    }

    #[test]
    fn plain_text_is_borrowed_and_layout_kept() {
        assert!(matches!(controls("a\tb\n中文 ✓"), Cow::Borrowed(_)));
    }

    #[test]
    fn every_char_below_0xa0_is_safe_after_escaping() {
        let all: String = (0u32..0xa0).filter_map(char::from_u32).collect();
        let safe = controls(&all);
        assert!(
            safe.chars()
                .all(|c| c == '\n' || c == '\t' || !c.is_control())
        );
    }
}
