//! `kubetutor check`: parse and lint lessons, print rustc-style diagnostics and a summary.

use std::path::{Path, PathBuf};

use super::diag::{Diagnostic, Severity, summary};
use super::load::{self, LessonError};
use super::model::Lesson;
use super::parse::parse_full;

/// Diagnostics printed per file; the summary line still counts them all.
pub const MAX_SHOWN_PER_FILE: usize = 200;

/// The outcome of checking some lessons: the text to print and the counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
    pub files: usize,
}

impl Report {
    /// Findings that are errors, counting those a line summary stands for.
    pub fn errors(&self) -> usize {
        self.count(true)
    }

    pub fn warnings(&self) -> usize {
        self.count(false)
    }

    fn count(&self, errors: bool) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.is_error() == errors)
            .map(|d| d.folded.max(1))
            .sum()
    }

    /// The diagnostics (a blank line between them, at most [`MAX_SHOWN_PER_FILE`] per file:
    /// 85,000 findings are a screenful and a count, not 25 MB) and the summary line; in
    /// rustc's colours when `styled`.
    pub fn render(&self, styled: bool) -> String {
        let mut out = String::new();
        let mut shown: Vec<(&Path, usize)> = Vec::new();
        for d in &self.diagnostics {
            let n = match shown.iter_mut().find(|(p, _)| *p == d.path.as_path()) {
                Some((_, n)) => n,
                None => {
                    shown.push((&d.path, 0));
                    &mut shown.last_mut().expect("just pushed").1
                }
            };
            *n += 1;
            if *n <= MAX_SHOWN_PER_FILE {
                out.push_str(&d.render(styled));
                out.push('\n');
            }
        }
        for (path, n) in shown.iter().filter(|(_, n)| *n > MAX_SHOWN_PER_FILE) {
            let left = n - MAX_SHOWN_PER_FILE;
            let note = format!("{}: {left} more diagnostics not shown", path.display());
            out.push_str(&super::escape::controls(&note));
            out.push_str("\n\n");
        }
        out.push_str(&summary(self.errors(), self.warnings(), self.files));
        out.push('\n');
        out
    }
}

/// Checks each argument: a folder (lesson.md and every translation), a file or a slug.
pub fn check_args(args: &[String]) -> Report {
    let mut report = Report::default();
    for arg in args {
        match files_of(arg) {
            Ok(files) => {
                let main = files.first().cloned();
                for file in &files {
                    report.files += 1;
                    report.diagnostics.extend(check_file(file));
                }
                if let Some(main) = main.filter(|_| files.len() > 1) {
                    report
                        .diagnostics
                        .extend(translation_drift(&main, &files[1..]));
                }
            }
            Err(e) => {
                report.files += 1;
                report.diagnostics.push(error_diag(Path::new(arg), &e));
            }
        }
    }
    report
}

/// `check --only a,b`: keeps the findings inside those cells (and those about the whole file),
/// and reports an id that no checked file has, as `run --only` would refuse it.
pub fn only_cells(report: Report, args: &[String], ids: &[String]) -> Report {
    let paths = args.iter().filter_map(|a| files_of(a).ok()).flatten();
    let mut ranges: Vec<(PathBuf, usize, usize)> = Vec::new();
    let mut known: Vec<String> = Vec::new();
    for path in paths {
        let Ok(text) = load::lesson_text(&path) else {
            continue;
        };
        for cell in parse_full(&path, &text.markdown).lesson.cells() {
            known.push(cell.id.clone());
            if ids.contains(&cell.id) {
                let last = cell.span.line + cell.code.lines().count() + 1;
                ranges.push((path.clone(), cell.span.line, last));
            }
        }
    }
    let keep = |d: &Diagnostic| {
        d.span.line == 0
            || ranges
                .iter()
                .any(|(p, a, b)| *p == d.path && (*a..=*b).contains(&d.span.line))
    };
    let mut diagnostics: Vec<Diagnostic> = report.diagnostics.into_iter().filter(keep).collect();
    for id in ids.iter().filter(|id| !known.contains(id)) {
        let msg = format!(
            "--only: no cell with id `{id}`; ids in the checked files: {}",
            known.join(", ")
        );
        diagnostics.push(Diagnostic::file(Path::new(""), Severity::Error, msg));
    }
    Report {
        diagnostics,
        files: report.files,
    }
}

/// Checks one file: read errors, parse diagnostics, lint rules, then bash's syntax check of
/// each runnable cell (which `check_source` leaves out: it starts processes).
pub fn check_file(path: &Path) -> Vec<Diagnostic> {
    let text = match load::lesson_text(path) {
        Ok(text) => text,
        Err(e) => return vec![error_diag(path, &e)],
    };
    let imported = text.imported.is_some();
    let parsed = parse_full(path, &text.markdown);
    let mut diags = match text.imported {
        None => {
            let mut d = check_source(path, &text.markdown);
            d.extend(nothing_runs(path, &parsed.lesson, Severity::Warning));
            d
        }
        Some(warnings) => check_imported(path, &text.markdown, &parsed.lesson, warnings),
    };
    let unreadable = diags.iter().any(|d| d.span.line == 0 && d.is_error());
    if !unreadable {
        diags.extend(super::syntax::bash_errors(
            path,
            &parsed.lesson,
            &text.markdown,
        ));
        diags.sort_by_key(|d| (d.span.line, d.span.col));
    }
    if imported {
        locate_imported(path, &mut diags, &text.origins);
    }
    diags
}

/// When nothing in the lesson would run (`kubetutor run` refuses it): an error for an import,
/// a warning for Markdown, which is still a lesson to read and present.
fn nothing_runs(path: &Path, lesson: &Lesson, severity: Severity) -> Option<Diagnostic> {
    if lesson.cells().iter().any(|c| c.is_runnable()) {
        return None;
    }
    let msg = super::model::nothing_to_run(lesson, false);
    let prefix = format!("{}: ", path.display());
    let msg = msg.strip_prefix(&prefix).unwrap_or(&msg).to_string();
    let help = format!(
        "`kubetutor run` refuses it; {}",
        super::model::nothing_to_run_help(lesson)
    );
    Some(Diagnostic::file(path, severity, msg).with_help(help))
}

/// A notebook or scenario checked as the lesson it imports to: the importer's warnings, the
/// lesson's diagnostics, and an error when nothing in it would run. A finding on lines copied
/// from a file as they are (a scenario's step or script) names that file and line; the others
/// are lines of the lesson `kubetutor import` writes, which a note says.
fn check_imported(
    path: &Path,
    markdown: &str,
    lesson: &Lesson,
    warnings: Vec<String>,
) -> Vec<Diagnostic> {
    let mut diags: Vec<Diagnostic> = warnings
        .into_iter()
        .map(|w| Diagnostic::file(path, Severity::Warning, w))
        .collect();
    diags.extend(nothing_runs(path, lesson, Severity::Error));
    diags.extend(check_source(path, markdown));
    diags
}

/// Findings of an imported lesson on lines copied from a file as they are name that file and
/// line; a note says the others' lines are those of the lesson `kubetutor import` writes.
fn locate_imported(path: &Path, diags: &mut Vec<Diagnostic>, origins: &[super::import::Origin]) {
    let mut unmapped = false;
    for d in diags.iter_mut().filter(|d| d.span.line > 0) {
        match super::import::Origin::locate(origins, d.span.line) {
            Some((file, line)) => {
                d.path = file.to_path_buf();
                d.span.line = line;
            }
            None => unmapped = true,
        }
    }
    if unmapped {
        let note = "imported in memory: line numbers of this file below are lines of the lesson `kubetutor import` writes";
        diags.push(Diagnostic::file(path, Severity::Warning, note));
    }
    // The scenario's own findings first, then each file's in line order.
    diags.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            (
                d.span.line > 0,
                d.path != path,
                d.path.clone(),
                d.span.line,
                d.span.col,
            )
        };
        key(a).cmp(&key(b))
    });
}

pub fn check_source(path: &Path, source: &str) -> Vec<Diagnostic> {
    let parsed = parse_full(path, source);
    let mut diags = parsed.diagnostics;
    if !(diags.len() == 1 && diags[0].span.line == 0 && diags[0].is_error()) {
        // Capped apart from the parser's findings (capped already), so no count is lost.
        let mut lint = super::lint::lint(&parsed.lesson, source);
        lint.sort_by_key(|d| (d.span.line, d.span.col));
        super::diag::cap_per_line(&mut lint);
        diags.extend(lint);
    }
    diags.sort_by_key(|d| (d.span.line, d.span.col));
    diags
}

/// A load error as a diagnostic. The error's message starts with the path; drop it, since
/// the diagnostic prints its own.
fn error_diag(path: &Path, e: &LessonError) -> Diagnostic {
    let text = e.to_string();
    let (path, message) = match e {
        LessonError::NotUtf8 { path, line } => {
            let mut d = Diagnostic::file(path, Severity::Error, "the file is not valid UTF-8");
            d.span.line = *line;
            d.span.col = 1;
            return d.with_help("save it as UTF-8");
        }
        LessonError::Io { path, .. }
        | LessonError::TooLarge { path, .. }
        | LessonError::Empty { path }
        | LessonError::Binary { path } => (path.clone(), text),
        LessonError::NoLessonFile { dir, .. } | LessonError::NoTranslation { dir, .. } => {
            (dir.clone(), text)
        }
        _ => (path.to_path_buf(), text),
    };
    let prefix = format!("{}: ", path.display());
    let message = message
        .strip_prefix(&prefix)
        .unwrap_or(&message)
        .to_string();
    Diagnostic::file(&path, Severity::Error, message)
}

/// The files an argument names: for a folder, lesson.md then each translation.
fn files_of(arg: &str) -> Result<Vec<PathBuf>, LessonError> {
    let p = Path::new(arg);
    if p.is_file() {
        return Ok(vec![p.to_path_buf()]);
    }
    let dir = if p.is_dir() {
        p.to_path_buf()
    } else {
        let file = load::resolve(arg, None)?;
        file.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let main = load::lesson_file(&dir, None, None)?;
    let mut files = vec![main];
    files.extend(
        load::translations(&dir)
            .into_iter()
            .map(|t| dir.join(format!("lesson.{t}.md"))),
    );
    Ok(files)
}

/// Translations should have the same steps and cells as lesson.md; drift is a warning.
fn translation_drift(main: &Path, translations: &[PathBuf]) -> Vec<Diagnostic> {
    let shape = |p: &Path| {
        let source = load::read_source(p).ok()?;
        let l = parse_full(p, &source).lesson;
        let runnable = l.cells().iter().filter(|c| c.is_runnable()).count();
        Some((l.steps.len(), runnable))
    };
    let Some((steps, cells)) = shape(main) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for t in translations {
        let Some((ts, tc)) = shape(t) else { continue };
        if (ts, tc) != (steps, cells) {
            let msg = format!(
                "this translation has {ts} steps and {tc} runnable cells; lesson.md has {steps} and {cells}"
            );
            let d = Diagnostic::file(t, Severity::Warning, msg);
            out.push(d.with_help(
                "keep translations in step with lesson.md so progress and --from/--to match",
            ));
        }
    }
    out
}
