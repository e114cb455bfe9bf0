//! Speaker notes in presenterm's syntax: an HTML comment `<!-- speaker_note: text -->`, or a
//! block form whose `speaker_note: |` is followed by indented lines. The audience never sees
//! them; `kubetutor notes` shows them to the presenter.

use super::model::{Block, Step};

const KEY: &str = "speaker_note:";

/// The note an HTML block carries, or None when it is anything else.
pub fn speaker_note(html: &str) -> Option<String> {
    let inner = html
        .trim()
        .strip_prefix("<!--")?
        .strip_suffix("-->")?
        .trim();
    let rest = inner.strip_prefix(KEY)?.trim_start_matches([' ', '\t']);
    let Some(block) = rest.strip_prefix('|') else {
        return Some(rest.trim().to_string());
    };
    // YAML's literal block: the lines after `|`, less their common indent.
    let lines: Vec<&str> = block.lines().skip(1).collect();
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let text: Vec<&str> = lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or("").trim_end())
        .collect();
    Some(text.join("\n").trim_matches('\n').to_string())
}

impl Step {
    /// The step's speaker notes, in document order (top-level blocks only, as presenterm).
    pub fn speaker_notes(&self) -> Vec<String> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Html { text, .. } => speaker_note(text),
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_block_notes_and_other_comments() {
        assert_eq!(
            speaker_note("<!-- speaker_note: Mention the quorum. -->\n").as_deref(),
            Some("Mention the quorum.")
        );
        let block = "<!--\nspeaker_note: |\n  First line.\n    indented\n  Last.\n-->";
        assert_eq!(
            speaker_note(block).as_deref(),
            Some("First line.\n  indented\nLast.")
        );
        assert_eq!(speaker_note("<!-- a plain comment -->"), None);
        assert_eq!(speaker_note("<div>speaker_note: no</div>"), None);
    }

    #[test]
    fn a_step_lists_its_notes() {
        let source = "---\ntitle: T\n---\n## One\n\n<!-- speaker_note: say hi -->\n\ntext\n\n\
                      <!-- other -->\n\n## Two\n\nno notes\n";
        let lesson = crate::lesson::parse(std::path::Path::new("t.md"), source).expect("parses");
        assert_eq!(lesson.steps[0].speaker_notes(), ["say hi"]);
        assert!(lesson.steps[1].speaker_notes().is_empty());
    }
}
