//! presenterm decks: slides end at `<!-- end_slide -->`, and a slide's title is a setext
//! heading (`Title` over `===`), which CommonMark reads as a level-1 heading. Here the title
//! of a lesson is its one `#` heading and steps are `##`, so in a deck each slide title's
//! `===` underline is read as `---` (a level-2 setext heading), in place: byte offsets, and so
//! every line and column reported, stay those of the file. A deck whose front matter names no
//! `title` keeps its first slide title as the lesson's title (that slide is its opening).

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag};

const END_SLIDE: &str = "<!-- end_slide -->";

/// The source with its slide titles made steps, when it is a deck with setext slide titles.
pub(crate) fn slide_titles(source: &str) -> Option<String> {
    if !source.lines().any(|l| l.trim() == END_SLIDE) {
        return None;
    }
    let mut out = source.to_string();
    let mut changed = false;
    let mut keep_first = !front_matter_title(source);
    for (event, range) in Parser::new_ext(source, Options::empty()).into_offset_iter() {
        let Event::Start(Tag::Heading {
            level: HeadingLevel::H1,
            ..
        }) = event
        else {
            continue;
        };
        let heading = source[range.clone()].trim_end_matches(['\n', '\r']);
        let Some(underline_at) = heading.rfind('\n').map(|n| range.start + n + 1) else {
            continue;
        };
        let underline = &source[underline_at..range.start + heading.len()];
        if !underline.trim().is_empty() && underline.trim().bytes().all(|b| b == b'=') {
            if std::mem::take(&mut keep_first) {
                continue;
            }
            let dashes = underline.replace('=', "-");
            out.replace_range(underline_at..underline_at + underline.len(), &dashes);
            changed = true;
        }
    }
    changed.then_some(out)
}

/// Whether the file opens with YAML front matter holding a `title:` key.
fn front_matter_title(source: &str) -> bool {
    let Some(rest) = source.strip_prefix("---\n") else {
        return false;
    };
    rest.lines()
        .take_while(|l| l.trim_end() != "---")
        .any(|l| l.starts_with("title:"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slide_titles_become_steps_in_place() {
        let deck = "---\ntitle: Deck\n---\nIntro\n===\n\ntext\n\n<!-- end_slide -->\n\nUsage\n=====\n```\nnot\n===\n```\n# Kept\n";
        let out = slide_titles(deck).expect("a deck");
        assert_eq!(out.len(), deck.len());
        assert_eq!(
            out,
            deck.replacen("Intro\n===", "Intro\n---", 1).replacen(
                "Usage\n=====",
                "Usage\n-----",
                1
            )
        );
        assert!(slide_titles("Title\n===\n\nno slides\n").is_none());
        // No title in front matter: the first slide's title is the lesson's.
        let untitled = "Deck\n===\n\n<!-- end_slide -->\n\nOne\n===\n";
        assert_eq!(
            slide_titles(untitled).expect("a deck"),
            untitled.replacen("One\n===", "One\n---", 1)
        );
        assert!(slide_titles("# A\n\n<!-- end_slide -->\n\n# B\n").is_none());
    }
}
