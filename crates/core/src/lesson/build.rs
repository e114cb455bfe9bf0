//! Folds pulldown-cmark events into our block tree. Iterative (an explicit stack), and nesting
//! deeper than [`MAX_DEPTH`] is flattened, so hostile input can neither overflow the stack while
//! building nor later while dropping or comparing the tree.

use std::ops::Range;

use pulldown_cmark::{Alignment, CodeBlockKind, Event, Tag};

use super::model::{Align, Block, Inline, Span};

pub(crate) const MAX_DEPTH: usize = 32;

/// A code block as written, before it becomes a [`Block::Cell`] or [`Block::Code`].
#[derive(Debug, Clone)]
pub(crate) struct RawCode {
    pub fenced: bool,
    pub code: String,
    pub range: Range<usize>,
}

#[derive(Debug)]
enum Kind {
    Root,
    Paragraph,
    Heading(u8),
    List(Option<u64>, Vec<Vec<Block>>),
    Item,
    Quote,
    Table(Vec<Align>, Vec<Vec<Inline>>, Vec<Vec<Vec<Inline>>>),
    TableHead(Vec<Vec<Inline>>),
    TableRow(Vec<Vec<Inline>>),
    TableCell,
    Code(RawCode),
    Html(String),
    Emphasis,
    Strong,
    Strike,
    Link(String),
    Image(String),
    /// Beyond the depth limit: content goes to the enclosing frame.
    Flat,
    /// Elements we do not model (footnotes, definition lists, metadata): content kept inline.
    Other,
}

#[derive(Debug)]
struct Frame {
    kind: Kind,
    start: usize,
    end: usize,
    blocks: Vec<Block>,
    inlines: Vec<Inline>,
}

/// Folds events into top-level blocks (H2 headings included, as `Block::Heading { level: 2 }`).
/// `on_code` turns each code block into a block (a cell or shown code). Returns the blocks and
/// the offset of the first construct that was flattened for being nested too deep.
pub(crate) fn build<'a>(
    events: impl Iterator<Item = (Event<'a>, Range<usize>)>,
    span: &dyn Fn(usize, usize) -> Span,
    on_code: &mut dyn FnMut(RawCode) -> Block,
) -> (Vec<Block>, Option<usize>) {
    let mut b = Builder {
        stack: vec![frame(Kind::Root, 0..0)],
        flattened: None,
        span,
        on_code,
    };
    for (event, range) in events {
        b.event(event, range);
    }
    while b.stack.len() > 1 {
        b.end();
    }
    let top = b.stack.pop().map(|f| f.blocks).unwrap_or_default();
    (top, b.flattened)
}

fn frame(kind: Kind, r: Range<usize>) -> Frame {
    Frame {
        kind,
        start: r.start,
        end: r.end,
        blocks: Vec::new(),
        inlines: Vec::new(),
    }
}

struct Builder<'s> {
    stack: Vec<Frame>,
    flattened: Option<usize>,
    span: &'s dyn Fn(usize, usize) -> Span,
    on_code: &'s mut dyn FnMut(RawCode) -> Block,
}

impl Builder<'_> {
    fn top(&mut self) -> &mut Frame {
        let last = self.stack.len() - 1;
        &mut self.stack[last]
    }

    fn event(&mut self, event: Event<'_>, r: Range<usize>) {
        match event {
            Event::Start(tag) => self.start(tag, r),
            Event::End(_) => self.end(),
            Event::Text(t) => self.text(&t),
            Event::Code(t) => self.inline(Inline::Code(t.to_string())),
            Event::InlineMath(t) | Event::DisplayMath(t) => {
                self.inline(Inline::Code(t.to_string()))
            }
            Event::Html(t) | Event::InlineHtml(t) => self.text(&t),
            Event::FootnoteReference(t) => self.inline(Inline::Text(format!("[^{t}]"))),
            Event::SoftBreak => self.inline(Inline::SoftBreak),
            Event::HardBreak => self.inline(Inline::HardBreak),
            Event::Rule => self.block(Block::Rule {
                span: (self.span)(r.start, r.end),
            }),
            Event::TaskListMarker(done) => {
                self.inline(Inline::Text(if done { "[x] " } else { "[ ] " }.into()))
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>, r: Range<usize>) {
        let kind = match tag {
            Tag::Paragraph => Kind::Paragraph,
            Tag::Heading { level, .. } => Kind::Heading(level as u8),
            Tag::BlockQuote(_) => Kind::Quote,
            Tag::CodeBlock(kind) => {
                let fenced = matches!(kind, CodeBlockKind::Fenced(_));
                let raw = RawCode {
                    fenced,
                    code: String::new(),
                    range: r.clone(),
                };
                // Code blocks hold only text, so they never count against the depth limit.
                self.stack.push(frame(Kind::Code(raw), r));
                return;
            }
            Tag::HtmlBlock => Kind::Html(String::new()),
            Tag::List(start) => Kind::List(start, Vec::new()),
            Tag::Item => Kind::Item,
            Tag::Table(al) => Kind::Table(al.iter().map(align).collect(), Vec::new(), Vec::new()),
            Tag::TableHead => Kind::TableHead(Vec::new()),
            Tag::TableRow => Kind::TableRow(Vec::new()),
            Tag::TableCell => Kind::TableCell,
            Tag::Emphasis => Kind::Emphasis,
            Tag::Strong => Kind::Strong,
            Tag::Strikethrough => Kind::Strike,
            Tag::Link { dest_url, .. } => Kind::Link(dest_url.to_string()),
            Tag::Image { dest_url, .. } => Kind::Image(dest_url.to_string()),
            _ => Kind::Other,
        };
        let kind = if self.stack.len() > MAX_DEPTH && !matches!(kind, Kind::Code(_)) {
            self.flattened.get_or_insert(r.start);
            Kind::Flat
        } else {
            kind
        };
        self.stack.push(frame(kind, r));
    }

    fn text(&mut self, t: &str) {
        let top = self.top();
        match &mut top.kind {
            Kind::Code(raw) => raw.code.push_str(t),
            Kind::Html(s) => s.push_str(t),
            _ => self.inline(Inline::Text(t.to_string())),
        }
    }

    fn inline(&mut self, i: Inline) {
        let top = self.top();
        // Adjacent text runs (split by pulldown-cmark at entities and escapes) are merged.
        if let (Inline::Text(new), Some(Inline::Text(prev))) = (&i, top.inlines.last_mut()) {
            prev.push_str(new);
            return;
        }
        top.inlines.push(i);
    }

    fn block(&mut self, b: Block) {
        let span = self.span;
        let top = self.top();
        if !top.inlines.is_empty() {
            // Tight list items hold text directly; it becomes a paragraph before the block.
            let text = std::mem::take(&mut top.inlines);
            top.blocks.push(Block::Paragraph {
                text,
                span: span(top.start, top.end),
            });
        }
        top.blocks.push(b);
    }

    fn end(&mut self) {
        let Some(mut f) = self.stack.pop() else {
            return;
        };
        if self.stack.is_empty() {
            self.stack.push(f);
            return;
        }
        // Spans are computed only for blocks: inline frames are most frames and need none.
        let (span_fn, fs, fe) = (self.span, f.start, f.end);
        let sp = move || span_fn(fs, fe);
        let blocks = |f: &mut Frame| {
            let mut blocks = std::mem::take(&mut f.blocks);
            if !f.inlines.is_empty() {
                blocks.push(Block::Paragraph {
                    text: std::mem::take(&mut f.inlines),
                    span: sp(),
                });
            }
            blocks
        };
        match f.kind {
            Kind::Root => {}
            Kind::Paragraph => self.block(Block::Paragraph {
                text: f.inlines,
                span: sp(),
            }),
            Kind::Heading(level) => self.block(Block::Heading {
                level,
                text: f.inlines,
                span: sp(),
            }),
            Kind::List(start, ref mut items) => {
                let mut items = std::mem::take(items);
                let stray = blocks(&mut f);
                if !stray.is_empty() {
                    items.push(stray);
                }
                self.block(Block::List {
                    start,
                    items,
                    span: sp(),
                });
            }
            Kind::Item => {
                let item = blocks(&mut f);
                match &mut self.top().kind {
                    Kind::List(_, items) => items.push(item),
                    _ => item.into_iter().for_each(|b| self.block(b)),
                }
            }
            Kind::Quote => {
                let inner = blocks(&mut f);
                self.block(Block::Quote {
                    blocks: inner,
                    span: sp(),
                });
            }
            Kind::Table(alignments, header, rows) => self.block(Block::Table {
                alignments,
                header,
                rows,
                span: sp(),
            }),
            Kind::TableHead(cells) => {
                if let Kind::Table(_, header, _) = &mut self.top().kind {
                    *header = cells;
                }
            }
            Kind::TableRow(cells) => {
                if let Kind::Table(_, _, rows) = &mut self.top().kind {
                    rows.push(cells);
                }
            }
            Kind::TableCell => match &mut self.top().kind {
                Kind::TableHead(cells) | Kind::TableRow(cells) => cells.push(f.inlines),
                _ => f.inlines.into_iter().for_each(|i| self.inline(i)),
            },
            Kind::Code(raw) => {
                let block = (self.on_code)(raw);
                self.block(block);
            }
            Kind::Html(text) => self.block(Block::Html { text, span: sp() }),
            Kind::Emphasis => self.inline(Inline::Emphasis(f.inlines)),
            Kind::Strong => self.inline(Inline::Strong(f.inlines)),
            Kind::Strike => self.inline(Inline::Strikethrough(f.inlines)),
            Kind::Link(url) => self.inline(Inline::Link {
                text: f.inlines,
                url,
            }),
            Kind::Image(url) => {
                let alt = super::parse::plain_text(&f.inlines);
                self.inline(Inline::Image { alt, url });
            }
            Kind::Flat | Kind::Other => {
                let (bl, il) = (
                    std::mem::take(&mut f.blocks),
                    std::mem::take(&mut f.inlines),
                );
                bl.into_iter().for_each(|b| self.block(b));
                il.into_iter().for_each(|i| self.inline(i));
            }
        }
    }
}

fn align(a: &Alignment) -> Align {
    match a {
        Alignment::None => Align::None,
        Alignment::Left => Align::Left,
        Alignment::Center => Align::Center,
        Alignment::Right => Align::Right,
    }
}
