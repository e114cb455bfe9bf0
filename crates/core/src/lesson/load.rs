//! Finding and reading lessons: a folder, a `.md` file or the slug of a bundled lesson, with
//! translations picked by `--lang` or the locale.

use std::fmt;
use std::path::{Path, PathBuf};

use super::diag::{Diagnostic, summary};
use super::model::Lesson;
use super::parse::{MAX_LESSON_BYTES, parse};

/// Why a lesson could not be loaded. Every message names the path and the fix.
#[derive(Debug, thiserror::Error)]
pub enum LessonError {
    #[error("{arg}: no such lesson; expected a folder with lesson.md, a .md file, or one of: {}", list(.available))]
    NotFound { arg: String, available: Vec<String> },
    #[error("{}: no lesson.md here; expected a folder with lesson.md, a .md file, or one of: {}", .dir.display(), list(.available))]
    NoLessonFile {
        dir: PathBuf,
        available: Vec<String>,
    },
    #[error("{}: no translation `{lang}`; available: {}", .dir.display(), list(.available))]
    NoTranslation {
        dir: PathBuf,
        lang: String,
        available: Vec<String>,
    },
    #[error("{}: cannot read: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: the file is {size} bytes; lessons are limited to {MAX_LESSON_BYTES} bytes (10 MB)", .path.display())]
    TooLarge { path: PathBuf, size: u64 },
    #[error("{}: the file is empty; a lesson needs at least a `# Title` and one `## Step`", .path.display())]
    Empty { path: PathBuf },
    #[error("{}: this looks like a binary file, not a Markdown lesson", .path.display())]
    Binary { path: PathBuf },
    #[error("{}:{line}: the file is not valid UTF-8; save it as UTF-8", .path.display())]
    NotUtf8 { path: PathBuf, line: usize },
    #[error("{}: cannot be imported as a lesson: {reason}; see `kubetutor import --help`", .path.display())]
    NotImported { path: PathBuf, reason: String },
    #[error("{}", Invalid(.diagnostics))]
    Invalid {
        path: PathBuf,
        diagnostics: Vec<Diagnostic>,
    },
}

impl LessonError {
    /// One line for a status bar: the first error's place and message (rustc's short form)
    /// and how many more findings there are; the error itself for the other kinds.
    pub fn brief(&self) -> String {
        let Self::Invalid { diagnostics, .. } = self else {
            return self.to_string();
        };
        let first = diagnostics
            .iter()
            .find(|d| d.is_error())
            .or(diagnostics.first());
        match (first, diagnostics.len()) {
            (None, _) => self.to_string(),
            (Some(d), 1) => d.short(),
            (Some(d), n) => format!("{} (and {} more)", d.short(), n - 1),
        }
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "(none found)".to_string()
    } else {
        items.join(", ")
    }
}

/// Renders every diagnostic, then a summary, so callers can print the error as is.
struct Invalid<'a>(&'a [Diagnostic]);

impl fmt::Display for Invalid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in self.0 {
            write!(f, "{d}")?;
        }
        let errors = self.0.iter().filter(|d| d.is_error()).count();
        write!(f, "{}", summary(errors, self.0.len() - errors, 1))
    }
}

/// Loads a lesson from a folder, a `.md` file or a bundled slug; `lang` picks a translation
/// (else the locale's, when that translation exists).
pub fn load(arg: &str, lang: Option<&str>) -> Result<Lesson, LessonError> {
    let file = resolve(arg, lang)?;
    let source = lesson_source(&file)?;
    parse(&file, &source).map_err(|diagnostics| LessonError::Invalid {
        path: file,
        diagnostics,
    })
}

/// The lesson file `arg` names, with the translation chosen.
pub fn resolve(arg: &str, lang: Option<&str>) -> Result<PathBuf, LessonError> {
    let path = Path::new(arg);
    if path.is_file() {
        return Ok(path.to_path_buf());
    }
    if path.is_dir() {
        return lesson_file(path, lang, env_lang().as_deref());
    }
    let slug_like = !arg.is_empty() && !arg.contains(['/', '\\']) && !arg.ends_with(".md");
    if slug_like {
        for root in roots() {
            let dir = root.join(arg);
            if dir.join("lesson.md").is_file() {
                return lesson_file(&dir, lang, env_lang().as_deref());
            }
        }
    }
    Err(LessonError::NotFound {
        arg: arg.to_string(),
        available: slugs(),
    })
}

/// Picks `lesson.<lang>.md` or `lesson.md` in `dir`. An explicit `lang` that does not exist is
/// an error; a locale-derived one falls back to `lesson.md`.
pub fn lesson_file(
    dir: &Path,
    lang: Option<&str>,
    locale: Option<&str>,
) -> Result<PathBuf, LessonError> {
    let main = dir.join("lesson.md");
    let available = translations(dir);
    if let Some(lang) = lang.filter(|l| !l.is_empty()) {
        if let Some(found) = find_translation(&available, lang) {
            return Ok(dir.join(format!("lesson.{found}.md")));
        }
        let is_default = main.is_file() && matches!(lang, "en" | "default");
        if !is_default {
            return Err(LessonError::NoTranslation {
                dir: dir.to_path_buf(),
                lang: lang.to_string(),
                available,
            });
        }
    } else if let Some(found) = locale.and_then(|l| find_translation(&available, l)) {
        return Ok(dir.join(format!("lesson.{found}.md")));
    }
    if main.is_file() {
        return Ok(main);
    }
    let scenario = dir.join("index.json");
    if scenario.is_file() {
        return Ok(scenario);
    }
    Err(LessonError::NoLessonFile {
        dir: dir.to_path_buf(),
        available: slugs(),
    })
}

/// Exact match first, then the language without its region (`en-US` -> `en`), then any region
/// of the language (`zh` -> `zh-CN`); case-insensitive.
fn find_translation(available: &[String], lang: &str) -> Option<String> {
    let base = lang.split('-').next().unwrap_or(lang).to_ascii_lowercase();
    let exact = available.iter().find(|a| a.eq_ignore_ascii_case(lang));
    let bare = || available.iter().find(|a| a.eq_ignore_ascii_case(&base));
    let region = || {
        available
            .iter()
            .find(|a| a.to_ascii_lowercase().starts_with(&format!("{base}-")))
    };
    exact.or_else(bare).or_else(region).cloned()
}

/// Translation codes present in `dir` (`lesson.zh-CN.md` -> `zh-CN`), sorted.
pub fn translations(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            let code = name
                .strip_prefix("lesson.")?
                .strip_suffix(".md")?
                .to_string();
            (!code.is_empty() && !code.contains('.')).then_some(code)
        })
        .collect();
    out.sort();
    out
}

/// The locale's language as a translation code: `zh_CN.UTF-8` -> `zh-CN`. POSIX order:
/// LC_ALL, then LC_MESSAGES, then LANG.
pub fn env_lang() -> Option<String> {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.is_empty())
        .and_then(|v| lang_from_locale(&v))
}

pub fn lang_from_locale(locale: &str) -> Option<String> {
    let base = locale.split(['.', '@']).next().unwrap_or("");
    if base.is_empty() || base == "C" || base == "POSIX" {
        return None;
    }
    Some(base.replace('_', "-"))
}

/// A lesson's Markdown and what importing it found: a `.md` file as it is; a Jupyter notebook
/// (`.ipynb`) or a Killercoda scenario (`index.json`) imported in memory, as `kubetutor import`
/// would write it, so `run`, `check` and the TUI take them directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonText {
    pub markdown: String,
    /// Set for imported files: what the importer warned about.
    pub imported: Option<Vec<String>>,
    /// For imported files: which lines came from which file (see [`super::import::Origin`]).
    pub origins: Vec<super::import::Origin>,
}

pub fn lesson_text(path: &Path) -> Result<LessonText, LessonError> {
    let text = read_source(path)?;
    let not_imported = |reason: String| LessonError::NotImported {
        path: path.to_path_buf(),
        reason,
    };
    let imported = if is_notebook(path) {
        super::import::import(path, &text).map_err(|e| not_imported(e.reason()))?
    } else if is_scenario(path) {
        super::killercoda::import(path, &text).map_err(not_imported)?
    } else {
        return Ok(LessonText {
            markdown: text,
            imported: None,
            origins: Vec::new(),
        });
    };
    Ok(LessonText {
        markdown: imported.markdown,
        imported: Some(imported.warnings),
        origins: imported.origins,
    })
}

/// The Markdown of a lesson file (see [`lesson_text`]).
pub fn lesson_source(path: &Path) -> Result<String, LessonError> {
    lesson_text(path).map(|t| t.markdown)
}

/// A Markdown file by its extension (`.md`, `.markdown`).
pub fn is_markdown(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

pub fn is_notebook(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ipynb"))
}

/// A Killercoda scenario's `index.json` (a folder without lesson.md resolves to it).
pub fn is_scenario(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "index.json")
}

/// Reads a lesson file with the checks that make bad input a clear error.
pub fn read_source(path: &Path) -> Result<String, LessonError> {
    let io = |source| LessonError::Io {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_LESSON_BYTES as u64 {
        return Err(LessonError::TooLarge {
            path: path.to_path_buf(),
            size,
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    if bytes.contains(&0) {
        return Err(LessonError::Binary {
            path: path.to_path_buf(),
        });
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
        LessonError::NotUtf8 {
            path: path.to_path_buf(),
            line,
        }
    })?;
    if text.trim().is_empty() {
        return Err(LessonError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(text)
}

/// Where bundled lessons live: ./lessons, then $KUBETUTOR_LESSONS (a path list), then the
/// source tree's lessons/ (so `cargo run` works from anywhere during development).
pub fn roots() -> Vec<PathBuf> {
    let mut out = vec![PathBuf::from("lessons")];
    if let Some(v) = std::env::var_os("KUBETUTOR_LESSONS") {
        out.extend(std::env::split_paths(&v));
    }
    // This crate lives in crates/core of the workspace; the lessons at the workspace root.
    out.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lessons"));
    out
}

/// A lesson shipped with kubetutor, for the picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundledLesson {
    pub slug: String,
    pub path: PathBuf,
    pub title: String,
    pub summary: String,
    pub steps: usize,
    pub translations: Vec<String>,
}

/// Every bundled lesson (first root wins for a slug), sorted by slug. A lesson that does not
/// parse is still listed, with the problem as its summary, so the picker can explain it.
pub fn bundled() -> Vec<BundledLesson> {
    let mut out: Vec<BundledLesson> = Vec::new();
    for (slug, dir) in lesson_dirs() {
        if out.iter().any(|b| b.slug == slug) {
            continue;
        }
        let path = dir.join("lesson.md");
        let parsed = read_source(&path)
            .map_err(|e| e.to_string())
            .map(|s| super::parse::parse_full(&path, &s));
        let (title, summary, steps) = match parsed {
            Ok(p) if !p.has_errors() => (
                p.lesson.meta.title.clone(),
                p.lesson.meta.summary.clone().unwrap_or_default(),
                p.lesson.steps.len(),
            ),
            Ok(p) => {
                let errors = p.diagnostics.iter().filter(|d| d.is_error()).count();
                (
                    slug.clone(),
                    format!("invalid lesson ({errors} errors); run `kubetutor check {slug}`"),
                    0,
                )
            }
            Err(e) => (slug.clone(), e, 0),
        };
        let translations = translations(&dir);
        out.push(BundledLesson {
            slug,
            path: dir,
            title,
            summary,
            steps,
            translations,
        });
    }
    out.sort_by(|a, b| a.slug.cmp(&b.slug));
    out
}

/// (slug, folder) of every folder with a lesson.md under the roots, in root order.
fn lesson_dirs() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for root in roots() {
        let Ok(entries) = std::fs::read_dir(&root) else {
            continue;
        };
        let mut dirs: Vec<(String, PathBuf)> = entries
            .filter_map(|e| e.ok())
            .map(|e| (e.file_name().to_string_lossy().to_string(), e.path()))
            .filter(|(_, p)| p.join("lesson.md").is_file())
            .collect();
        dirs.sort();
        out.extend(dirs);
    }
    out
}

fn slugs() -> Vec<String> {
    let mut s: Vec<String> = lesson_dirs().into_iter().map(|(slug, _)| slug).collect();
    s.sort();
    s.dedup();
    s
}

#[cfg(test)]
#[path = "load_tests.rs"]
mod tests;
