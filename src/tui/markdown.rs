//! The lesson model turned into screen lines, in two stages:
//! `prepare` (once per lesson: inline styling, syntax highlighting, list/quote prefixes) and
//! `layout` (once per width: wrapping, tables). Cells and step headings stay as placeholders
//! because their look changes while the lesson runs.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::lesson::{Align, Block, CellIndex, Inline, Lesson};

use super::highlight::highlight;
use super::table;
use super::theme::Theme;
use super::wrap::{Piece, wrap};

/// One prepared block, with the prefix of its first line and of the following lines.
#[derive(Debug, Clone)]
pub struct Item {
    pub first: Vec<Span<'static>>,
    pub rest: Vec<Span<'static>>,
    pub kind: Kind,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Text(Vec<Piece>),
    /// Highlighted code: never word-wrapped, only split when longer than the line.
    Code(Vec<Vec<Piece>>),
    Table {
        aligns: Vec<Align>,
        header: Vec<Vec<Piece>>,
        rows: Vec<Vec<Vec<Piece>>>,
    },
    Rule,
    Blank,
    Step(usize),
    Cell(CellIndex),
}

/// The lesson prepared for layout.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    pub items: Vec<Item>,
    /// Index in `items` where each step starts.
    pub step_items: Vec<usize>,
    /// Highlighted code of each cell.
    pub cell_code: Vec<Vec<Vec<Piece>>>,
}

/// What the lesson viewport shows, in order.
#[derive(Debug, Clone)]
pub enum Segment {
    Lines(Vec<Line<'static>>),
    Step(usize),
    Cell(CellIndex),
}

/// `highlight: false` keeps code plain: a fast first frame, with colours swapped in later.
pub fn prepare(lesson: &Lesson, theme: &Theme, with_colors: bool) -> Prepared {
    let code = if with_colors { *theme } else { Theme::plain() };
    let mut p = Prepared::default();
    let mut b = Builder {
        out: &mut p.items,
        theme,
        cells: 0,
        code,
    };
    if !lesson.meta.title.is_empty() {
        b.text(vec![(lesson.meta.title.clone(), theme.title())]);
    }
    if let Some(summary) = &lesson.meta.summary {
        b.text(vec![(summary.clone(), theme.summary())]);
    }
    if !lesson.meta.title.is_empty() || lesson.meta.summary.is_some() {
        b.push(Kind::Rule);
        b.push(Kind::Blank);
    }
    b.blocks(&lesson.intro, &[], &[], Sep::After);
    for (i, step) in lesson.steps.iter().enumerate() {
        let start = b.out.len();
        p_step_start(&mut b, i);
        b.blocks(&step.blocks, &[], &[], Sep::After);
        p.step_items.push(start);
    }
    p.cell_code = lesson
        .cells()
        .iter()
        .map(|c| highlight(&c.code, &c.lang, &code))
        .collect();
    p
}

fn p_step_start(b: &mut Builder<'_>, i: usize) {
    if !matches!(b.out.last().map(|it| &it.kind), None | Some(Kind::Blank)) {
        b.push(Kind::Blank);
    }
    b.push(Kind::Step(i));
    b.push(Kind::Blank);
}

/// Blank lines around blocks: after each (top level), between (quotes), none (tight lists).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    After,
    Between,
    None,
}

struct Builder<'a> {
    out: &'a mut Vec<Item>,
    theme: &'a Theme,
    cells: usize,
    /// The colours of code: plain for the quick first layout.
    code: Theme,
}

impl Builder<'_> {
    fn push(&mut self, kind: Kind) {
        self.out.push(Item {
            first: Vec::new(),
            rest: Vec::new(),
            kind,
        });
    }

    fn text(&mut self, pieces: Vec<Piece>) {
        self.push(Kind::Text(pieces));
    }

    /// Emit blocks; the first emitted item gets `first` as prefix, the rest get `rest`.
    fn blocks(
        &mut self,
        blocks: &[Block],
        first: &[Span<'static>],
        rest: &[Span<'static>],
        sep: Sep,
    ) {
        for (n, block) in blocks.iter().enumerate() {
            let lead = if n == 0 { first } else { rest };
            let before = self.out.len();
            self.block(block, lead, rest);
            // A block that shows nothing (a speaker note, a comment) leaves no gap either.
            if self.out.len() == before {
                continue;
            }
            let last = n + 1 == blocks.len();
            if sep == Sep::After || (sep == Sep::Between && !last) {
                self.out.push(Item {
                    first: rest.to_vec(),
                    rest: rest.to_vec(),
                    kind: Kind::Blank,
                });
            }
        }
    }

    fn block(&mut self, block: &Block, first: &[Span<'static>], rest: &[Span<'static>]) {
        let item = |kind| Item {
            first: first.to_vec(),
            rest: rest.to_vec(),
            kind,
        };
        let theme = self.theme;
        match block {
            Block::Heading { level, text, .. } => {
                let marker = "#".repeat(usize::from(*level)) + " ";
                let mut pieces = vec![(marker, theme.dim())];
                pieces.extend(inlines(text, theme.heading(*level), theme));
                self.out.push(item(Kind::Text(pieces)));
            }
            Block::Paragraph { text, .. } => {
                self.out
                    .push(item(Kind::Text(inlines(text, Style::new(), theme))));
            }
            Block::List { start, items, .. } => self.list(*start, items, first, rest),
            Block::Quote { blocks, .. } => {
                let bar = Span::styled("│ ", theme.quote());
                let mut f = first.to_vec();
                f.push(bar.clone());
                let mut r = rest.to_vec();
                r.push(bar);
                let before = self.out.len();
                self.blocks(blocks, &f, &r, Sep::Between);
                for it in &mut self.out[before..] {
                    if let Kind::Text(pieces) = &mut it.kind {
                        for (_, style) in pieces.iter_mut() {
                            *style = style.patch(theme.quote());
                        }
                    }
                }
            }
            Block::Table {
                alignments,
                header,
                rows,
                ..
            } => {
                let cell = |c: &Vec<Inline>| inlines(c, Style::new(), theme);
                let header = header.iter().map(|c| {
                    cell(c)
                        .into_iter()
                        .map(|(t, s)| (t, s.add_modifier(Modifier::BOLD)))
                        .collect()
                });
                let rows = rows.iter().map(|r| r.iter().map(cell).collect()).collect();
                let kind = Kind::Table {
                    aligns: alignments.clone(),
                    header: header.collect(),
                    rows,
                };
                self.out.push(item(kind));
            }
            Block::Rule { .. } => self.out.push(item(Kind::Rule)),
            Block::Code { lang, code, .. } => {
                let bar = Span::styled("▏ ", theme.dim());
                let mut f = first.to_vec();
                f.push(bar.clone());
                let mut r = rest.to_vec();
                r.push(bar);
                let lines = highlight(code, lang, &self.code);
                self.out.push(Item {
                    first: f,
                    rest: r,
                    kind: Kind::Code(lines),
                });
            }
            Block::Cell(_) => {
                self.out.push(item(Kind::Cell(self.cells)));
                self.cells += 1;
            }
            // Speaker notes are for the presenter's second terminal, never the audience.
            Block::Html { text, .. } if crate::lesson::notes::speaker_note(text).is_some() => {}
            Block::Html { text, .. } => {
                let Some(shown) = html_shown(text) else {
                    return;
                };
                let lines = shown
                    .lines()
                    .map(|l| vec![(l.to_string(), theme.dim())])
                    .collect();
                self.out.push(item(Kind::Code(lines)));
            }
        }
    }

    fn list(
        &mut self,
        start: Option<u64>,
        items: &[Vec<Block>],
        first: &[Span<'static>],
        rest: &[Span<'static>],
    ) {
        let width = start.map_or(2, |s| format!("{}. ", s + items.len() as u64).len());
        for (n, blocks) in items.iter().enumerate() {
            let marker = match start {
                Some(s) => format!("{:>w$}", format!("{}. ", s + n as u64), w = width),
                None => "• ".to_string(),
            };
            let mut f = if n == 0 {
                first.to_vec()
            } else {
                rest.to_vec()
            };
            f.push(Span::styled(marker, self.theme.bullet()));
            let mut r = rest.to_vec();
            r.push(Span::raw(" ".repeat(width)));
            self.blocks(blocks, &f, &r, Sep::None);
        }
    }
}

/// Flatten inline content to styled pieces; `base` is patched by nested emphasis.
pub fn inlines(text: &[Inline], base: Style, theme: &Theme) -> Vec<Piece> {
    let mut out = Vec::new();
    flatten(text, base, theme, &mut out);
    out
}

fn flatten(text: &[Inline], style: Style, theme: &Theme, out: &mut Vec<Piece>) {
    for (i, inline) in text.iter().enumerate() {
        match inline {
            Inline::Text(t) => out.push((t.clone(), style)),
            Inline::Code(c) if theme.color => {
                out.push((c.clone(), style.patch(theme.inline_code())))
            }
            Inline::Code(c) => out.push((format!("`{c}`"), style)),
            Inline::Emphasis(inner) => {
                flatten(inner, style.add_modifier(Modifier::ITALIC), theme, out)
            }
            Inline::Strong(inner) => flatten(inner, style.add_modifier(Modifier::BOLD), theme, out),
            Inline::Strikethrough(inner) => {
                flatten(inner, style.add_modifier(Modifier::CROSSED_OUT), theme, out)
            }
            Inline::Link { text, url } => {
                let before = out.len();
                flatten(text, style.patch(theme.link()), theme, out);
                let shown: String = out[before..].iter().map(|(t, _)| t.as_str()).collect();
                if !url.is_empty() && shown != *url && !url.starts_with('#') {
                    out.push((format!(" ({url})"), theme.dim()));
                }
            }
            Inline::Image { alt, url } => {
                out.push((format!("[image: {alt}] ({url})"), theme.dim()))
            }
            // A line break in the source between two CJK characters is not a space: Chinese
            // and Japanese text runs on without one (CSS Text 3's segment break rules).
            Inline::SoftBreak => {
                let before = out.last().and_then(|(t, _)| t.chars().last());
                let after = text.get(i + 1).and_then(first_char);
                if !(before.is_some_and(is_cjk) && after.is_some_and(is_cjk)) {
                    out.push((" ".to_string(), style));
                }
            }
            Inline::HardBreak => out.push(("\n".to_string(), style)),
        }
    }
}

/// The first character an inline shows.
fn first_char(inline: &Inline) -> Option<char> {
    match inline {
        Inline::Text(t) | Inline::Code(t) => t.chars().next(),
        Inline::Emphasis(inner) | Inline::Strong(inner) | Inline::Strikethrough(inner) => {
            inner.first().and_then(first_char)
        }
        Inline::Link { text, .. } => text.first().and_then(first_char),
        Inline::Image { .. } | Inline::SoftBreak | Inline::HardBreak => None,
    }
}

/// Han, kana, Hangul syllables and CJK punctuation: scripts written without spaces between
/// words (a soft line break between two of them joins without one).
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303f}' // CJK punctuation
        | '\u{3040}'..='\u{30ff}' // kana
        | '\u{3400}'..='\u{4dbf}'
        | '\u{4e00}'..='\u{9fff}'
        | '\u{f900}'..='\u{faff}'
        | '\u{ff00}'..='\u{ffef}' // full-width forms
        | '\u{20000}'..='\u{2fa1f}')
}

/// Lay items out at a width (at least 1 column).
pub fn layout(items: &[Item], width: usize, theme: &Theme) -> Vec<Segment> {
    let width = width.max(1);
    let mut out: Vec<Segment> = Vec::new();
    let mut lines: Vec<Line<'static>> = Vec::new();
    for item in items {
        match &item.kind {
            Kind::Text(pieces) => lines.extend(wrap(pieces, width, &item.first, &item.rest)),
            Kind::Code(code) => {
                for (n, pieces) in code.iter().enumerate() {
                    let first = if n == 0 { &item.first } else { &item.rest };
                    lines.extend(super::wrap::hard_wrap(pieces, width, first, &item.rest));
                }
            }
            Kind::Table {
                aligns,
                header,
                rows,
            } => lines.extend(table::render(
                aligns,
                header,
                rows,
                width,
                &item.first,
                &item.rest,
                theme,
            )),
            Kind::Rule => {
                let mut spans = item.first.clone();
                let used = super::wrap::spans_width(&spans);
                spans.push(Span::styled(
                    "─".repeat(width.saturating_sub(used)),
                    theme.dim(),
                ));
                lines.push(Line::from(spans));
            }
            Kind::Blank => lines.push(Line::from(item.first.clone())),
            Kind::Step(i) => {
                out.push(Segment::Lines(std::mem::take(&mut lines)));
                out.push(Segment::Step(*i));
            }
            Kind::Cell(i) => {
                out.push(Segment::Lines(std::mem::take(&mut lines)));
                out.push(Segment::Cell(*i));
            }
        }
    }
    out.push(Segment::Lines(lines));
    out.retain(|s| !matches!(s, Segment::Lines(l) if l.is_empty()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_soft_break_between_cjk_characters_is_no_space() {
        let text = |inlines: &[Inline]| -> String {
            super::inlines(inlines, Style::new(), &Theme::plain())
                .into_iter()
                .map(|(t, _)| t)
                .collect()
        };
        let t = |s: &str| Inline::Text(s.into());
        assert_eq!(
            text(&[t("哨兵选出新的"), Inline::SoftBreak, t("主节点。")]),
            "哨兵选出新的主节点。"
        );
        assert_eq!(
            text(&[t("two"), Inline::SoftBreak, t("words")]),
            "two words"
        );
        assert_eq!(
            text(&[t("中文"), Inline::SoftBreak, t("English")]),
            "中文 English"
        );
        let strong = Inline::Strong(vec![t("主节点")]);
        assert_eq!(text(&[t("新的"), Inline::SoftBreak, strong]), "新的主节点");
    }
}

/// Tags that only lay text out (Killercoda's `<br>`, `<details><summary>Solution</summary>`):
/// a block of these and text shows its text.
const LAYOUT_TAGS: [&str; 16] = [
    "br", "p", "div", "span", "details", "summary", "center", "b", "strong", "i", "em", "small",
    "sup", "sub", "kbd", "u",
];

/// What an HTML block shows in the terminal, as a browser would show little of it: nothing for
/// comments (`<!-- end_slide -->`) and layout tags alone, the text of layout tags, and any
/// other HTML (a table, an image) as it is written.
fn html_shown(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let tag = &rest[open..];
        let end = if tag.starts_with("<!--") {
            tag.find("-->").map(|e| e + 3)
        } else {
            let Some(close) = tag.find('>') else {
                return Some(text.to_string());
            };
            let name: String = tag[1..close]
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            if !LAYOUT_TAGS.contains(&name.as_str()) {
                return Some(text.to_string());
            }
            Some(close + 1)
        };
        let Some(end) = end else {
            return Some(text.to_string());
        };
        rest = &tag[end..];
    }
    out.push_str(rest);
    let lines: Vec<&str> = out
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

#[cfg(test)]
mod html_tests {
    use super::html_shown;

    #[test]
    fn layout_html_shows_its_text_and_comments_nothing() {
        assert_eq!(html_shown("<br>\n"), None);
        assert_eq!(html_shown("<!-- end_slide -->\n"), None);
        assert_eq!(html_shown("</details>\n"), None);
        assert_eq!(
            html_shown("<details><summary>Solution</summary>\n<br>\n").as_deref(),
            Some("Solution")
        );
        let table = "<table><tr><td>a</td></tr></table>\n";
        assert_eq!(html_shown(table).as_deref(), Some(table));
        assert_eq!(
            html_shown("<img src=\"x.png\">").as_deref(),
            Some("<img src=\"x.png\">")
        );
        // Unclosed: shown as written.
        assert_eq!(html_shown("<br").as_deref(), Some("<br"));
    }
}
