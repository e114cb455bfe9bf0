//! Display width by grapheme cluster, the unit ratatui's buffer and terminals draw.
//!
//! Cutting text by `char` can split a cluster: an emoji ZWJ sequence cut after a joiner, a
//! letter cut from its combining marks. The half left behind has a different width on the
//! terminal than in our layout, and the frame's right border moves. Every cut goes through here.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// The grapheme clusters of `text` with their display widths.
pub fn graphemes(text: &str) -> impl Iterator<Item = (&str, usize)> {
    text.graphemes(true).map(|g| (g, g.width()))
}

/// The longest prefix of whole clusters that fits in `width` columns, and its width.
pub fn fit(text: &str, width: usize) -> (&str, usize) {
    let mut used = 0;
    let mut end = 0;
    for (g, w) in graphemes(text) {
        if used + w > width {
            break;
        }
        used += w;
        end += g.len();
    }
    (&text[..end], used)
}

/// Cut text to a display width, with an ellipsis when cut.
pub fn truncate(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let (kept, _) = fit(text, width.saturating_sub(1));
    format!("{kept}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAMILY: &str = "👨\u{200d}👩\u{200d}👧\u{200d}👦";

    #[test]
    fn clusters_are_kept_or_dropped_whole() {
        let text = format!("yy{FAMILY}z");
        assert_eq!(fit(&text, 3), ("yy", 2));
        assert_eq!(fit(&text, 4), (format!("yy{FAMILY}").as_str(), 4));
        let combining = format!("a{}b", "\u{301}".repeat(300));
        assert_eq!(fit(&combining, 1).0.chars().count(), 301);
        assert_eq!(fit("界界", 3), ("界", 2));
        let flag = "🇩🇪🇫🇷";
        assert_eq!(fit(flag, 3), ("🇩🇪", 2));
    }

    #[test]
    fn truncate_never_leaves_a_joiner_before_the_ellipsis() {
        for width in 0..12 {
            let text = format!("abc{FAMILY}{FAMILY}def");
            let cut = truncate(&text, width);
            assert!(cut.width() <= width.max(1), "{width}: {cut}");
            assert!(!cut.contains("\u{200d}…"), "{width}: {cut}");
        }
    }
}
