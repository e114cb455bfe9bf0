//! After the block tree is built: steps from H2 headings, `> Hint:` quotes attached to their
//! cells, ids generated and checked for duplicates, and the title filled in.

use std::collections::HashMap;
use std::path::Path;

use super::diag::{Diagnostic, LineIndex, Severity};
use super::model::{Block, Cell, Lesson, Step};
use super::parse::plain_text;

pub(crate) fn split_steps(lesson: &mut Lesson, top: Vec<Block>) {
    for block in top {
        match block {
            Block::Heading {
                level: 2,
                text,
                span,
            } => lesson.steps.push(Step {
                title: plain_text(&text).trim().to_string(),
                span,
                blocks: Vec::new(),
            }),
            other => match lesson.steps.last_mut() {
                Some(step) => step.blocks.push(other),
                None => lesson.intro.push(other),
            },
        }
    }
}

/// A block quote starting "Hint:" right after a cell becomes that cell's hint.
pub(crate) fn attach_hints(
    lesson: &mut Lesson,
    idx: &LineIndex,
    path: &Path,
    diags: &mut Vec<Diagnostic>,
) {
    let lists =
        std::iter::once(&mut lesson.intro).chain(lesson.steps.iter_mut().map(|s| &mut s.blocks));
    for blocks in lists {
        let mut out: Vec<Block> = Vec::with_capacity(blocks.len());
        for block in std::mem::take(blocks) {
            let hint = match &block {
                Block::Quote { blocks, span } => hint_text(blocks).map(|h| (h, *span)),
                _ => None,
            };
            let Some((text, span)) = hint else {
                out.push(block);
                continue;
            };
            match out.last_mut() {
                Some(Block::Cell(cell)) if cell.hint.is_none() => cell.hint = Some(text),
                Some(Block::Cell(_)) => {
                    diags.push(idx.diag(
                        path,
                        Severity::Warning,
                        span.start,
                        span.start + 1,
                        "this cell already has a hint= attribute; the quote is shown as prose",
                    ));
                    out.push(block);
                }
                _ => {
                    let d = idx.diag(
                        path,
                        Severity::Warning,
                        span.start,
                        span.start + 1,
                        "a `> Hint:` quote must follow a shell cell",
                    );
                    diags.push(d.with_help("move it right below the cell it helps with"));
                    out.push(block);
                }
            }
        }
        *blocks = out;
    }
}

fn hint_text(blocks: &[Block]) -> Option<String> {
    let paragraphs: Vec<String> = blocks
        .iter()
        .map(|b| match b {
            Block::Paragraph { text, .. } => plain_text(text),
            _ => String::new(),
        })
        .collect();
    let text = paragraphs.join("\n\n");
    let rest = text.trim_start().strip_prefix("Hint:")?;
    Some(rest.trim().to_string())
}

/// Generated ids are `intro-cellN` / `stepN-cellM`; explicit duplicates are errors.
pub(crate) fn assign_ids(
    lesson: &mut Lesson,
    idx: &LineIndex,
    path: &Path,
    diags: &mut Vec<Diagnostic>,
) {
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    for_each_cell(lesson, &mut |_, _, cell| {
        if !cell.attrs.explicit_id {
            return;
        }
        if let Some(line) = first_seen.get(&cell.id) {
            let msg = format!("duplicate cell id `{}`", cell.id);
            let d = idx.diag(
                path,
                Severity::Error,
                cell.span.start,
                cell.span.start + 3,
                msg,
            );
            diags.push(d.with_help(format!(
                "ids must be unique in a lesson; `{}` is first used on line {line}",
                cell.id
            )));
        } else {
            first_seen.insert(cell.id.clone(), cell.span.line);
        }
    });
    let mut taken: std::collections::HashSet<String> = first_seen.into_keys().collect();
    for_each_cell(lesson, &mut |step, n, cell| {
        if cell.attrs.explicit_id {
            return;
        }
        let base = match step {
            Some(s) => format!("step{}-cell{n}", s + 1),
            None => format!("intro-cell{n}"),
        };
        let mut id = base.clone();
        let mut k = 2;
        while taken.contains(&id) {
            id = format!("{base}-{k}");
            k += 1;
        }
        taken.insert(id.clone());
        cell.id = id;
    });
}

/// Visits cells in document order with their step (None: introduction) and 1-based number.
fn for_each_cell(lesson: &mut Lesson, f: &mut dyn FnMut(Option<usize>, usize, &mut Cell)) {
    let mut n = 0;
    visit(&mut lesson.intro, &mut |c| {
        n += 1;
        f(None, n, c)
    });
    for (i, step) in lesson.steps.iter_mut().enumerate() {
        let mut n = 0;
        visit(&mut step.blocks, &mut |c| {
            n += 1;
            f(Some(i), n, c)
        });
    }
}

fn visit(blocks: &mut [Block], f: &mut dyn FnMut(&mut Cell)) {
    for block in blocks {
        match block {
            Block::Cell(c) => f(c),
            Block::List { items, .. } => items.iter_mut().for_each(|i| visit(i, f)),
            Block::Quote { blocks, .. } => visit(blocks, f),
            _ => {}
        }
    }
}

/// Title: front matter, else the first H1, else the file name (with a warning).
pub(crate) fn fill_title(lesson: &mut Lesson, path: &Path, diags: &mut Vec<Diagnostic>) {
    if !lesson.meta.title.trim().is_empty() {
        return;
    }
    let h1 = lesson.intro.iter().find_map(|b| match b {
        Block::Heading { level: 1, text, .. } => Some(plain_text(text).trim().to_string()),
        _ => None,
    });
    match h1.filter(|t| !t.is_empty()) {
        Some(t) => lesson.meta.title = t,
        None => {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            let message =
                format!("the lesson has no title: the file name, `{stem}`, stands for it");
            lesson.meta.title = stem;
            let d = Diagnostic::file(path, Severity::Warning, message);
            diags.push(d.with_help("add `title:` to the front matter or a `# Title` line"));
        }
    }
}
