//! `kubetutor import`: a Jupyter notebook (nbformat 4 JSON, or the plain-text export with
//! `In [ ]:` markers) becomes a lesson. Markdown is copied byte for byte; `!cmd`, `%%bash` and
//! shell-like magics become `sh` cells; the rest is kept visibly but never run, with a warning.

use std::path::{Path, PathBuf};

use super::magics::{self, Piece};

/// A notebook cell, whatever the input format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NbCell {
    Markdown(String),
    Code(String),
    Raw(String),
    /// A cell type this importer does not know: (type, source), kept as text with a warning.
    Unknown(String, String),
}

/// A converted notebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub title: String,
    pub markdown: String,
    /// Shell commands, one entry per `sh` cell, in order.
    pub commands: Vec<String>,
    pub warnings: Vec<String>,
    /// Markdown-cell attachments to write next to lesson.md: (file name, bytes).
    pub attachments: Vec<(String, Vec<u8>)>,
    /// Where runs of lines of `markdown` were copied from, as they are (a scenario's step
    /// files and scripts), so findings can name the file the author edits.
    pub origins: Vec<Origin>,
}

/// `lines` lines of the imported Markdown, from its line `line` (1-based), are lines of
/// `file` from its line `file_line`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub line: usize,
    pub lines: usize,
    pub file: PathBuf,
    pub file_line: usize,
}

impl Origin {
    /// Where line `line` of the imported Markdown is in the file it came from.
    pub fn locate(origins: &[Origin], line: usize) -> Option<(&Path, usize)> {
        origins
            .iter()
            .find(|o| (o.line..o.line + o.lines).contains(&line))
            .map(|o| (o.file.as_path(), o.file_line + (line - o.line)))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}: not a notebook: {reason}", .path.display())]
    Invalid { path: PathBuf, reason: String },
    #[error("{}: {reason}", .path.display())]
    Scenario { path: PathBuf, reason: String },
    #[error("{}: nbformat {version} is not supported; convert it with `jupyter nbconvert --to notebook --nbformat 4`", .path.display())]
    OldFormat { path: PathBuf, version: u64 },
    #[error("{}: {EMPTY}", .path.display())]
    Empty { path: PathBuf },
    #[error("{}: {MARKDOWN}", .path.display())]
    Markdown { path: PathBuf },
}

const MARKDOWN: &str = "Markdown is a lesson already, nothing to import: open it with `kubetutor FILE`, check it with `kubetutor check FILE`";
const EMPTY: &str =
    "the notebook has no cells, so there is no lesson in it; add a Markdown or code cell";

impl ImportError {
    /// The message without the path (for callers that print the path themselves).
    pub fn reason(&self) -> String {
        match self {
            ImportError::Invalid { reason, .. } => format!("not a notebook: {reason}"),
            ImportError::Scenario { reason, .. } => reason.clone(),
            ImportError::OldFormat { version, .. } => format!(
                "nbformat {version} is not supported; convert it with `jupyter nbconvert --to notebook --nbformat 4`"
            ),
            ImportError::Empty { .. } => EMPTY.to_string(),
            ImportError::Markdown { .. } => MARKDOWN.to_string(),
        }
    }
}

/// Imports a notebook file, or a Killercoda scenario (a folder holding `index.json`, or that
/// file): the lesson and where relative files (images, scripts) were resolved from.
pub fn import_path(path: &Path) -> Result<Imported, ImportError> {
    let invalid = |reason: String| ImportError::Invalid {
        path: path.to_path_buf(),
        reason,
    };
    if super::load::is_markdown(path) {
        return Err(ImportError::Markdown {
            path: path.to_path_buf(),
        });
    }
    let file = if path.is_dir() {
        path.join("index.json")
    } else {
        path.to_path_buf()
    };
    let bytes = std::fs::read(&file).map_err(|e| ImportError::Invalid {
        path: file.clone(),
        reason: format!("cannot read: {e}"),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| invalid("not UTF-8 text".into()))?;
    if super::load::is_scenario(&file) {
        return super::killercoda::import(&file, &text).map_err(|reason| ImportError::Scenario {
            path: file.clone(),
            reason,
        });
    }
    import(&file, &text)
}

/// Converts notebook text (JSON if it parses as an object, else the plain-text export).
pub fn import(path: &Path, text: &str) -> Result<Imported, ImportError> {
    let (cells, kernel, files) = if text.trim_start().starts_with('{') {
        from_json(path, text)?
    } else {
        (from_text_export(text), Kernel::Python, Vec::new())
    };
    if cells.is_empty() {
        return Err(ImportError::Empty {
            path: path.to_path_buf(),
        });
    }
    let mut imported = assemble(path, &cells, &kernel);
    imported.attachments = files;
    Ok(imported)
}

#[derive(serde::Deserialize)]
struct Notebook {
    #[serde(default)]
    nbformat: u64,
    #[serde(default)]
    cells: Vec<JsonCell>,
    /// nbformat 3 kept its cells in worksheets.
    #[serde(default)]
    worksheets: Vec<Worksheet>,
    #[serde(default)]
    metadata: serde_json::Value,
}

#[derive(serde::Deserialize)]
struct Worksheet {
    #[serde(default)]
    cells: Vec<JsonCell>,
}

#[derive(serde::Deserialize)]
struct JsonCell {
    cell_type: String,
    #[serde(default)]
    source: Source,
    /// nbformat 3 code cells hold their code here.
    #[serde(default)]
    input: Option<Source>,
    /// nbformat 3 heading cells.
    #[serde(default)]
    level: Option<u8>,
    /// Markdown-cell attachments: name -> {mime type -> base64 data}.
    #[serde(default)]
    attachments: std::collections::BTreeMap<String, std::collections::BTreeMap<String, Source>>,
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Source {
    One(String),
    Lines(Vec<String>),
}

impl Default for Source {
    fn default() -> Self {
        Source::One(String::new())
    }
}

type Attachments = Vec<(String, Vec<u8>)>;

/// What a notebook's code cells are written in, from its kernel's language.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kernel {
    /// bash_kernel, MetaKernel bash: every cell is shell.
    Bash,
    /// IPython (or no kernel named): Python, with `!cmd` and `%%bash` as shell.
    Python,
    /// Any other language (xonsh, R, Julia...): nothing in it is shell kubetutor can run.
    Other(String),
}

fn from_json(path: &Path, text: &str) -> Result<(Vec<NbCell>, Kernel, Attachments), ImportError> {
    let invalid = |reason: String| ImportError::Invalid {
        path: path.to_path_buf(),
        reason,
    };
    let nb: Notebook = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
    if nb.nbformat < 3 {
        return Err(ImportError::OldFormat {
            path: path.to_path_buf(),
            version: nb.nbformat,
        });
    }
    let lang = nb
        .metadata
        .pointer("/kernelspec/language")
        .or_else(|| nb.metadata.pointer("/language_info/name"));
    let kernel = match lang.and_then(|l| l.as_str()).map(str::to_ascii_lowercase) {
        Some(l) if matches!(l.as_str(), "bash" | "sh" | "shell") => Kernel::Bash,
        None => Kernel::Python,
        Some(l) if l == "python" || l.starts_with("python") => Kernel::Python,
        Some(l) => Kernel::Other(l),
    };
    let all = nb
        .cells
        .into_iter()
        .chain(nb.worksheets.into_iter().flat_map(|w| w.cells));
    let mut files = Vec::new();
    let cells = all
        .enumerate()
        .map(|(n, c)| {
            let text = |s: Source| match s {
                Source::One(s) => s,
                Source::Lines(l) => l.concat(),
            };
            let src = text(c.source);
            match c.cell_type.as_str() {
                "markdown" => NbCell::Markdown(attachments(n, src, c.attachments, &mut files)),
                "code" => NbCell::Code(c.input.map(text).unwrap_or(src)),
                // nbformat 3: a heading cell is a Markdown heading (level 2 starts a step).
                "heading" => {
                    let level = c.level.unwrap_or(1).clamp(1, 6) as usize;
                    let line = src.lines().collect::<Vec<_>>().join(" ");
                    NbCell::Markdown(format!("{} {}", "#".repeat(level), line.trim()))
                }
                "raw" => NbCell::Raw(src),
                other => NbCell::Unknown(other.to_string(), src),
            }
        })
        .collect();
    Ok((cells, kernel, files))
}

/// A Markdown cell's attachments as files: `attachment:NAME` links become `NAME` (prefixed
/// with the cell number when another cell already used the name). Undecodable data is kept
/// out and the link left as it was, so `check` names it.
fn attachments(
    cell: usize,
    mut src: String,
    found: std::collections::BTreeMap<String, std::collections::BTreeMap<String, Source>>,
    files: &mut Attachments,
) -> String {
    use base64::Engine as _;
    for (name, by_mime) in found {
        let Some(data) = by_mime.into_values().next() else {
            continue;
        };
        let data = match data {
            Source::One(s) => s,
            Source::Lines(l) => l.concat(),
        };
        let clean: String = data.chars().filter(|c| !c.is_whitespace()).collect();
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(clean) else {
            continue;
        };
        let base = Path::new(&name)
            .file_name()
            .map(|f| f.to_string_lossy().to_string())
            .filter(|f| !f.starts_with('.'))
            .unwrap_or_else(|| "attachment".into());
        let file = if files.iter().any(|(f, _)| *f == base) {
            format!("cell{}-{base}", cell + 1)
        } else {
            base
        };
        src = src.replace(&format!("attachment:{name}"), &file);
        files.push((file, bytes));
    }
    src
}

/// The plain-text export: prose, then `In [n]:` and the cell's lines up to a blank line;
/// `Out[n]:` sections are outputs and are dropped.
pub fn from_text_export(text: &str) -> Vec<NbCell> {
    #[derive(PartialEq)]
    enum State {
        Prose,
        Code,
        Output,
    }
    let mut cells = Vec::new();
    let mut state = State::Prose;
    let mut buf = String::new();
    let flush = |state: &State, buf: &mut String, cells: &mut Vec<NbCell>| {
        let text = std::mem::take(buf);
        match state {
            State::Prose if !text.trim().is_empty() => cells.push(NbCell::Markdown(text)),
            State::Code => cells.push(NbCell::Code(text)),
            _ => {}
        }
    };
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    for (i, line) in lines.iter().copied().enumerate() {
        let bare = line.trim_end_matches(['\n', '\r']);
        if is_marker(bare, "In") {
            flush(&state, &mut buf, &mut cells);
            state = State::Code;
            continue;
        }
        if is_marker(bare, "Out") {
            flush(&state, &mut buf, &mut cells);
            state = State::Output;
            continue;
        }
        if state == State::Code && bare.trim().is_empty() && code_goes_on(&lines[i + 1..]) {
            buf.push_str(line);
            continue;
        }
        if state != State::Prose && bare.trim().is_empty() {
            flush(&state, &mut buf, &mut cells);
            state = State::Prose;
            continue;
        }
        if state != State::Output {
            buf.push_str(line);
        }
    }
    flush(&state, &mut buf, &mut cells);
    cells
}

/// After a blank line in a code cell: whether the cell goes on (the export has no end marker,
/// so a multi-paragraph cell must not end at its first blank line, and its `# comment` must
/// not become a heading). It goes on when the next line is a `!`/`%` line, indented, a
/// Python statement, or a comment directly followed by such a line.
fn code_goes_on(rest: &[&str]) -> bool {
    let mut next = rest
        .iter()
        .map(|l| l.trim_end())
        .skip_while(|l| l.is_empty());
    let Some(first) = next.next() else {
        return false;
    };
    if first.starts_with('#') {
        return next
            .next()
            .is_some_and(|l| !l.is_empty() && looks_like_code(l));
    }
    looks_like_code(first)
}

fn looks_like_code(line: &str) -> bool {
    const KEYWORDS: [&str; 12] = [
        "import ", "from ", "def ", "class ", "for ", "if ", "while ", "with ", "try:", "return ",
        "print(", "else:",
    ];
    if is_marker(line, "In") || is_marker(line, "Out") {
        return false;
    }
    let ident: String = line
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']'))
        .collect();
    let after = line[ident.len()..].trim_start();
    line.starts_with(['!', '%', ' ', '\t', '#'])
        || KEYWORDS.iter().any(|k| line.starts_with(k))
        || (!ident.is_empty()
            && (after.starts_with('(') || (after.starts_with('=') && !after.starts_with("=="))))
}

/// `In [ ]:`, `In [None]:`, `In [12]:` (and `Out[3]:`), alone on a line.
fn is_marker(line: &str, word: &str) -> bool {
    let Some(rest) = line.trim().strip_prefix(word) else {
        return false;
    };
    let rest = rest.trim_start();
    rest.starts_with('[') && rest.ends_with("]:") && !rest[1..rest.len() - 2].contains(['[', ']'])
}

fn assemble(path: &Path, cells: &[NbCell], kernel: &Kernel) -> Imported {
    let mut chunks: Vec<String> = Vec::new();
    let mut commands = Vec::new();
    let mut warnings = Vec::new();
    let mut title = None;
    if let Kernel::Other(lang) = kernel {
        let code = cells
            .iter()
            .filter(|c| matches!(c, NbCell::Code(_)))
            .count();
        warnings.push(format!(
            "the notebook's kernel is `{lang}`, not bash or Python: its {code} code cells are kept as blocks that never run"
        ));
    }
    for (n, cell) in cells.iter().enumerate() {
        match cell {
            NbCell::Markdown(text) => {
                title = title.or_else(|| first_h1(text));
                chunks.push(display_only_fences(trim_blank_lines(text)));
            }
            NbCell::Raw(text) if !text.trim().is_empty() => {
                chunks.push(fence("text {run=false}", text))
            }
            NbCell::Raw(_) => {}
            NbCell::Unknown(kind, text) => {
                warnings.push(format!(
                    "cell {}: unknown cell type `{kind}`; kept as a block that never runs",
                    n + 1
                ));
                if !text.trim().is_empty() {
                    chunks.push(fence("text {run=false}", text));
                }
            }
            NbCell::Code(src) => {
                let pieces = match kernel {
                    Kernel::Bash => bash_kernel_cell(src),
                    Kernel::Python => magics::convert(src),
                    Kernel::Other(lang) => other_kernel_cell(lang, src),
                };
                for p in pieces {
                    match p {
                        Piece::Shell(code) if !code.trim().is_empty() => {
                            let (run, shown) = split_trailing_comments(&code);
                            if !run.trim().is_empty() {
                                chunks.push(fence("sh", run));
                                commands.push(trim_blank_lines(run).to_string());
                            }
                            if !shown.trim().is_empty() {
                                chunks.push(fence("sh {run=false}", shown));
                            }
                        }
                        Piece::Shell(_) => {}
                        Piece::Shown(lang, code) => {
                            chunks.push(fence(&format!("{lang} {{run=false}}"), &code))
                        }
                        Piece::Warning(w) => warnings.push(format!("cell {}: {w}", n + 1)),
                    }
                }
            }
        }
    }
    let title = title.unwrap_or_else(|| {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        warnings.push(format!(
            "no level-1 heading in the Markdown cells: the title is the file name, `{stem}`; start the first Markdown cell with `# Title`"
        ));
        stem
    });
    let mut front = std::collections::BTreeMap::new();
    front.insert("title", title.clone());
    let yaml = serde_yaml::to_string(&front).unwrap_or_else(|_| format!("title: {title:?}\n"));
    let markdown = format!("---\n{yaml}---\n{}\n", chunks.join("\n\n"));
    Imported {
        title,
        markdown,
        commands,
        warnings,
        attachments: Vec::new(),
        origins: Vec::new(),
    }
}

/// A cell of a kernel that is neither bash nor Python: shown in its own language, never run
/// (one warning for the notebook says so).
fn other_kernel_cell(lang: &str, src: &str) -> Vec<Piece> {
    if src.trim().is_empty() {
        return Vec::new();
    }
    let fence_lang: String = lang
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+'))
        .collect();
    vec![Piece::Shown(fence_lang, src.trim_end().to_string())]
}

/// A bash-kernel cell is shell as it is (one shell for the notebook), unless it uses the
/// kernel's magics (`%%python`, `%%dot`, `%lsmagic`): those are not shell and never run.
fn bash_kernel_cell(src: &str) -> Vec<Piece> {
    let magic = src
        .lines()
        .map(str::trim_start)
        .find(|l| l.starts_with('%'));
    match magic {
        None => vec![Piece::Shell(src.to_string())],
        Some(m) => {
            let name = m.split_whitespace().next().unwrap_or(m);
            let lang = match name.trim_start_matches('%') {
                "python" | "python3" => "python",
                "dot" => "dot",
                "html" => "html",
                "javascript" => "javascript",
                _ => "text",
            };
            vec![
                Piece::Warning(format!(
                    "`{name}` is a kernel magic, not shell; kept as a block that never runs"
                )),
                Piece::Shown(lang.into(), src.trim_end().to_string()),
            ]
        }
    }
}

/// Shell code and its trailing comment lines: a comment-only cell, or a commented-out
/// `kubectl delete` the prose asks to uncomment, is shown, never run.
fn split_trailing_comments(code: &str) -> (&str, &str) {
    let mut cut = 0;
    let mut pos = 0;
    for line in code.split_inclusive('\n') {
        pos += line.len();
        let t = line.trim();
        if !(t.is_empty() || (t.starts_with('#') && !t.starts_with("#!"))) {
            cut = pos;
        }
    }
    // A comment inside a here-document or a quoted string is data: keep the cell whole.
    if code[..cut].contains("<<") {
        cut = code.len();
    }
    (&code[..cut], &code[cut..])
}

/// Shell fences in a Markdown cell are examples the notebook never ran (only code cells run):
/// they stay shown, never run, by gaining `{run=false}`.
fn display_only_fences(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut open: Option<(char, usize)> = None;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let t = body.trim_start();
        let ch = t.chars().next().filter(|c| *c == '`' || *c == '~');
        let run = ch.map_or(0, |c| t.chars().take_while(|&x| x == c).count());
        match (open, ch) {
            (None, Some(c)) if run >= 3 => {
                open = Some((c, run));
                let info = t[run..].trim();
                let lang = info.split([' ', '{']).next().unwrap_or("");
                if super::model::SHELL_LANGS.contains(&lang.to_ascii_lowercase().as_str())
                    && !info.contains('{')
                {
                    out.push_str(body);
                    out.push_str(" {run=false}");
                    out.push_str(&line[body.len()..]);
                    continue;
                }
            }
            (Some((c, n)), Some(c2)) if c == c2 && run >= n && t[run..].trim().is_empty() => {
                open = None
            }
            _ => {}
        }
        out.push_str(line);
    }
    out
}

/// The text of the first level-1 heading (`# Title` or a `===` underline), as CommonMark
/// reads it: not a `# comment` in a code block, and a badge image's alt text left out.
fn first_h1(text: &str) -> Option<String> {
    use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
    let mut title: Option<String> = None;
    let mut in_image = 0;
    for event in Parser::new(text) {
        match (&mut title, event) {
            (
                None,
                Event::Start(Tag::Heading {
                    level: HeadingLevel::H1,
                    ..
                }),
            ) => {
                title = Some(String::new());
            }
            (Some(_), Event::Start(Tag::Image { .. })) => in_image += 1,
            (Some(_), Event::End(TagEnd::Image)) => in_image -= 1,
            (Some(t), Event::Text(s) | Event::Code(s)) if in_image == 0 => t.push_str(&s),
            (Some(t), Event::SoftBreak | Event::HardBreak) => t.push(' '),
            (Some(t), Event::End(TagEnd::Heading(_))) => {
                let found = t.split_whitespace().collect::<Vec<_>>().join(" ");
                if !found.is_empty() {
                    return Some(found);
                }
                title = None;
            }
            _ => {}
        }
    }
    None
}

fn trim_blank_lines(text: &str) -> &str {
    text.trim_start_matches(['\n', '\r'])
        .trim_end_matches(['\n', '\r'])
}

/// A fenced block long enough that the code's own backticks cannot close it.
fn fence(info: &str, code: &str) -> String {
    let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let ticks = "`".repeat(longest.max(2) + 1);
    format!("{ticks}{info}\n{}\n{ticks}", trim_blank_lines(code))
}

/// A folder name from the title (ASCII letters and digits), else the notebook's file name.
pub fn slug(title: &str, path: &Path) -> String {
    let from = |s: &str| {
        let words: Vec<String> = s
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        words.join("-")
    };
    let t = from(title);
    if !t.is_empty() {
        return t;
    }
    let stem = path
        .file_stem()
        .map(|s| from(&s.to_string_lossy()))
        .unwrap_or_default();
    if stem.is_empty() {
        "imported".to_string()
    } else {
        stem
    }
}

#[cfg(test)]
#[path = "import_tests.rs"]
mod tests;
