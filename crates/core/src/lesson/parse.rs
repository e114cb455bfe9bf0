//! Markdown + front matter -> [`Lesson`]. Every H2 starts a step; prose before the first H2 is
//! the introduction; shell fences become cells.

use std::path::Path;

use pulldown_cmark::{Options, Parser};

use super::attrs::{self, AttrProblem};
use super::build::{self, RawCode};
use super::diag::{Diagnostic, LineIndex, Severity};
use super::front;
use super::killercoda;
use super::model::{Block, Cell, Inline, Lesson, SHELL_LANGS, Span};
use super::structure::{assign_ids, attach_hints, fill_title, split_steps};

/// Lessons larger than this are refused: no lesson needs it, and it bounds parse time.
pub const MAX_LESSON_BYTES: usize = 10 * 1024 * 1024;

/// A best-effort lesson and everything found wrong with it (errors and warnings).
#[derive(Debug, Clone)]
pub struct Parsed {
    pub lesson: Lesson,
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses a lesson; any error-level diagnostic makes it fail (warnings are dropped, see
/// [`parse_full`] to get them).
pub fn parse(path: &Path, source: &str) -> Result<Lesson, Vec<Diagnostic>> {
    let parsed = parse_full(path, source);
    if parsed.has_errors() {
        Err(parsed.diagnostics)
    } else {
        Ok(parsed.lesson)
    }
}

/// Parses as much as possible and reports every problem.
pub fn parse_full(path: &Path, source: &str) -> Parsed {
    let mut diags = Vec::new();
    let empty = Lesson {
        path: path.to_path_buf(),
        meta: Default::default(),
        intro: Vec::new(),
        steps: Vec::new(),
    };
    if let Some(d) = refuse(path, source) {
        return Parsed {
            lesson: empty,
            diagnostics: vec![d],
        };
    }
    // Killercoda's ```{{exec}} closing fences, blanked in place (offsets unchanged).
    let killercoda = killercoda::fences(source);
    let (source, actions) = match &killercoda {
        Some((s, a)) => (s.as_str(), a.as_slice()),
        None => (source, &[][..]),
    };
    // presenterm's slide titles (`===`) read as steps, also in place.
    let deck = super::presenterm::slide_titles(source);
    let source = deck.as_deref().unwrap_or(source);
    let idx = LineIndex::new(source);
    let split = front::split(source, &idx, path, &mut diags);
    let meta = split
        .yaml
        .map(|r| front::meta(source, r, &idx, path, &mut diags))
        .unwrap_or_default();
    let body = &source[split.body..];
    let span = |s: usize, e: usize| {
        let (line, col) = idx.line_col(split.body + s);
        Span {
            line,
            col,
            start: split.body + s,
            end: split.body + e,
        }
    };
    let mut on_code =
        |raw: RawCode| code_block(source, split.body, raw, actions, &idx, path, &mut diags);
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let events = Parser::new_ext(body, opts).into_offset_iter();
    let (top, flattened) = build::build(events, &span, &mut on_code);
    if let Some(at) = flattened {
        let at = split.body + at;
        let msg = format!(
            "nesting deeper than {} levels is flattened",
            build::MAX_DEPTH
        );
        diags.push(idx.diag(path, Severity::Warning, at, at + 1, msg));
    }
    let mut lesson = Lesson { meta, ..empty };
    split_steps(&mut lesson, top);
    if body.contains("}}") {
        killercoda::inline_actions(&mut lesson.intro);
        lesson
            .steps
            .iter_mut()
            .for_each(|s| killercoda::inline_actions(&mut s.blocks));
    }
    attach_hints(&mut lesson, &idx, path, &mut diags);
    assign_ids(&mut lesson, &idx, path, &mut diags);
    super::runme::apply(&mut lesson, &idx, path, &mut diags);
    fill_title(&mut lesson, path, &mut diags);
    diags.sort_by_key(|d| (d.span.line, d.span.col));
    super::diag::cap_per_line(&mut diags);
    Parsed {
        lesson,
        diagnostics: diags,
    }
}

/// Inputs no lesson can be: reported before any parsing.
fn refuse(path: &Path, source: &str) -> Option<Diagnostic> {
    let msg = if source.len() > MAX_LESSON_BYTES {
        format!(
            "the file is {} bytes; lessons are limited to {MAX_LESSON_BYTES} bytes (10 MB)",
            source.len()
        )
    } else if source.contains('\0') {
        "this looks like a binary file (it contains NUL bytes), not a Markdown lesson".to_string()
    } else if source.trim().is_empty() {
        "the file is empty".to_string()
    } else if source.trim_start().starts_with('{') && source.contains("\"nbformat\"") {
        let help = "name it .ipynb so kubetutor imports it, or convert it: kubetutor import FILE";
        let msg = "this is a Jupyter notebook (JSON), not a Markdown lesson";
        return Some(Diagnostic::file(path, Severity::Error, msg).with_help(help));
    } else {
        return None;
    };
    let help =
        "a lesson is a Markdown file: YAML front matter, a `# Title`, then `## Step` sections";
    Some(Diagnostic::file(path, Severity::Error, msg).with_help(help))
}

/// Concatenated text of inlines, for titles and hints.
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    let mut stack: Vec<std::slice::Iter<'_, Inline>> = vec![inlines.iter()];
    while let Some(it) = stack.last_mut() {
        let Some(i) = it.next() else {
            stack.pop();
            continue;
        };
        match i {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::Emphasis(c) | Inline::Strong(c) | Inline::Strikethrough(c) => {
                stack.push(c.iter())
            }
            Inline::Link { text, .. } => stack.push(text.iter()),
            Inline::Image { alt, .. } => out.push_str(alt),
            Inline::SoftBreak | Inline::HardBreak => out.push(' '),
        }
    }
    out
}

/// A code block becomes a cell (shell languages) or shown code, with its attributes checked.
fn code_block(
    source: &str,
    base: usize,
    raw: RawCode,
    actions: &[killercoda::FenceAction],
    idx: &LineIndex,
    path: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Block {
    let start = base + raw.range.start;
    let end = base + raw.range.end;
    let (line, col) = idx.line_col(start);
    let span = Span {
        line,
        col,
        start,
        end,
    };
    let code = raw.code.strip_suffix('\n').unwrap_or(&raw.code).to_string();
    if !raw.fenced {
        return Block::Code {
            lang: String::new(),
            code,
            span,
        };
    }
    let fence = Fence::at(source, start);
    if !fence.closed(source, end) {
        let d = idx.diag(
            path,
            Severity::Error,
            fence.at,
            fence.at + fence.len,
            "code fence is never closed",
        );
        diags.push(d.with_help(format!("close it with a line of {}", fence.marker())));
    }
    let mut problems = Vec::new();
    let info = attrs::parse_info(
        &source[fence.info.0..fence.info.1],
        fence.info.0,
        &mut problems,
    );
    match killercoda::fence_action(actions, start, end) {
        Some(killercoda::Action::Copy) => {
            return Block::Code {
                lang: info.lang,
                code,
                span,
            };
        }
        Some(a) => return killercoda::cell(code, span, a),
        None => {}
    }
    let resolved = attrs::resolve(&info.attrs, &mut problems);
    let shell = SHELL_LANGS.contains(&info.lang.as_str());
    if !shell {
        // Blocks that never run: their attributes (presenterm's `{1-4|all}`, ...) are for
        // other tools, so nothing about them stops the lesson.
        problems.iter_mut().for_each(|p| p.warning = true);
        // One finding for such a block: the "no effect" below, not also what Runme's would do.
        problems.retain(|p| {
            !p.message.starts_with("unknown cell attribute")
                && !p.message.starts_with("Runme attribute")
        });
    }
    report(problems, idx, path, diags);
    if !shell {
        // Line highlights for other tools (presenterm's `{1-4|all}`, Killercoda's `{2,5,6}`)
        // are theirs to read.
        let exec_keys = info.attrs.iter().find(|a| {
            !["id", "name", "run"].contains(&a.key.as_str()) && !is_line_highlight(&a.key)
        });
        if let Some(a) = exec_keys {
            let msg = format!(
                "attribute `{}` has no effect: `{}` blocks are shown, never run",
                a.key, info.lang
            );
            let d = idx.diag(path, Severity::Warning, a.key_at.0, a.key_at.1, msg);
            diags.push(d.with_help("only sh, bash and shell fences run"));
        }
        return Block::Code {
            lang: info.lang,
            code,
            span,
        };
    }
    let mut cell_attrs = resolved.attrs;
    cell_attrs.explicit_id = resolved.id.is_some();
    Block::Cell(Cell {
        id: resolved.id.unwrap_or_default(),
        lang: info.lang,
        code,
        attrs: cell_attrs,
        span,
        hint: resolved.hint,
    })
}

fn report(
    mut problems: Vec<AttrProblem>,
    idx: &LineIndex,
    path: &Path,
    diags: &mut Vec<Diagnostic>,
) {
    // One fence's problems are on its line: past what a line shows they are only counted
    // (`cap_per_line`), so they get no window of the source.
    problems.sort_by_key(|p| p.at);
    let max = super::diag::MAX_PER_LINE;
    if let Some(first) = problems.get(max) {
        let sev = if problems[max..].iter().all(|p| p.warning) {
            Severity::Warning
        } else {
            Severity::Error
        };
        diags.push(idx.folded(path, sev, first.at.0, problems.len() - max));
        problems.truncate(max);
    }
    for p in problems {
        let sev = if p.warning {
            Severity::Warning
        } else {
            Severity::Error
        };
        let d = idx.diag(path, sev, p.at.0, p.at.1, p.message);
        diags.push(match p.help {
            Some(h) => d.with_help(h),
            None => d,
        });
    }
}

/// The opening fence line of a code block, read from the raw source (pulldown-cmark unescapes
/// the info string, and we need exact offsets for diagnostics).
struct Fence {
    at: usize,
    len: usize,
    ch: char,
    info: (usize, usize),
}

impl Fence {
    fn at(source: &str, start: usize) -> Fence {
        let line_end = source[start..]
            .find('\n')
            .map_or(source.len(), |e| start + e);
        let line = &source[start..line_end];
        let lead = line.find(['`', '~']).unwrap_or(0);
        let ch = line[lead..].chars().next().unwrap_or('`');
        let len = line[lead..].chars().take_while(|&c| c == ch).count();
        let info_start = start + lead + len;
        let raw = &source[info_start..line_end];
        let trimmed_start = info_start + (raw.len() - raw.trim_start().len());
        let trimmed_end = info_start + raw.trim_end().len();
        Fence {
            at: start + lead,
            len,
            ch,
            info: (trimmed_start, trimmed_end.max(trimmed_start)),
        }
    }

    fn marker(&self) -> String {
        self.ch.to_string().repeat(self.len)
    }

    /// Whether the block's last line is a closing fence (not the opening line itself).
    fn closed(&self, source: &str, end: usize) -> bool {
        let end = end.min(source.len()).max(self.at);
        let text = source[self.at..end].trim_end();
        let Some(nl) = text.rfind('\n') else {
            return false;
        };
        let last = text[nl + 1..].trim().trim_start_matches('>').trim();
        last.chars().all(|c| c == self.ch) && last.chars().count() >= self.len
    }
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;

/// `1-4|6-10|all`, `2,5,6`: which lines another tool highlights.
fn is_line_highlight(key: &str) -> bool {
    !key.is_empty()
        && key.split(['|', ',', '-']).all(|part| {
            part == "all" || (!part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
        })
}
