//! `kubetutor import`: a Jupyter notebook (nbformat 4 JSON, or the plain-text export with
//! `In [ ]:` markers) becomes a lesson. Markdown is copied byte for byte; `!cmd`, `%%bash` and
//! shell-like magics become `sh` cells; the rest is kept visibly but never run, with a warning.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use super::magics::{self, Piece};

/// A notebook cell, whatever the input format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NbCell {
    Markdown(String),
    Code(String),
    Raw(String),
}

/// A converted notebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub title: String,
    pub markdown: String,
    /// Shell commands, one entry per `sh` cell, in order.
    pub commands: Vec<String>,
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}: not a notebook: {reason}", .path.display())]
    Invalid { path: PathBuf, reason: String },
    #[error("{}: nbformat {version} is not supported; convert it with `jupyter nbconvert --to notebook --nbformat 4`", .path.display())]
    OldFormat { path: PathBuf, version: u64 },
}

pub fn cli_import(args: crate::cli::ImportArgs) -> anyhow::Result<ExitCode> {
    let path = &args.notebook;
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("{}: not UTF-8 text", path.display()))?;
    let imported = import(path, &text)?;
    let dir = args
        .output
        .clone()
        .unwrap_or_else(|| Path::new("lessons").join(slug(&imported.title, path)));
    let file = dir.join("lesson.md");
    anyhow::ensure!(
        args.force || !file.exists(),
        "{}: already exists; replace it with --force, or choose another folder with -o",
        file.display()
    );
    std::fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    std::fs::write(&file, &imported.markdown)
        .with_context(|| format!("{}: cannot write", file.display()))?;
    for w in &imported.warnings {
        eprintln!("{}: warning: {w}", path.display());
    }
    let diags = super::check::check_file(&file);
    let report = super::check::Report {
        diagnostics: diags,
        files: 1,
    };
    print!("{}", report.render());
    println!(
        "wrote {} ({} shell cells)",
        file.display(),
        imported.commands.len()
    );
    Ok(if report.errors() > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Converts notebook text (JSON if it parses as an object, else the plain-text export).
pub fn import(path: &Path, text: &str) -> Result<Imported, ImportError> {
    let (cells, bash_kernel) = if text.trim_start().starts_with('{') {
        from_json(path, text)?
    } else {
        (from_text_export(text), false)
    };
    if cells.is_empty() {
        let reason = "it has no cells".to_string();
        return Err(ImportError::Invalid {
            path: path.to_path_buf(),
            reason,
        });
    }
    Ok(assemble(path, &cells, bash_kernel))
}

#[derive(serde::Deserialize)]
struct Notebook {
    #[serde(default)]
    nbformat: u64,
    #[serde(default)]
    cells: Vec<JsonCell>,
    #[serde(default)]
    metadata: serde_json::Value,
}

#[derive(serde::Deserialize)]
struct JsonCell {
    cell_type: String,
    #[serde(default)]
    source: Source,
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

fn from_json(path: &Path, text: &str) -> Result<(Vec<NbCell>, bool), ImportError> {
    let invalid = |reason: String| ImportError::Invalid {
        path: path.to_path_buf(),
        reason,
    };
    let nb: Notebook = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
    if nb.nbformat < 4 {
        return Err(ImportError::OldFormat {
            path: path.to_path_buf(),
            version: nb.nbformat,
        });
    }
    let lang = nb
        .metadata
        .pointer("/kernelspec/language")
        .or_else(|| nb.metadata.pointer("/language_info/name"));
    let bash = lang
        .and_then(|l| l.as_str())
        .is_some_and(|l| matches!(l, "bash" | "sh" | "shell"));
    let cells = nb
        .cells
        .into_iter()
        .map(|c| {
            let src = match c.source {
                Source::One(s) => s,
                Source::Lines(l) => l.concat(),
            };
            match c.cell_type.as_str() {
                "markdown" => NbCell::Markdown(src),
                "code" => NbCell::Code(src),
                _ => NbCell::Raw(src),
            }
        })
        .collect();
    Ok((cells, bash))
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
    for line in text.split_inclusive('\n') {
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

/// `In [ ]:`, `In [None]:`, `In [12]:` (and `Out[3]:`), alone on a line.
fn is_marker(line: &str, word: &str) -> bool {
    let Some(rest) = line.trim().strip_prefix(word) else {
        return false;
    };
    let rest = rest.trim_start();
    rest.starts_with('[') && rest.ends_with("]:") && !rest[1..rest.len() - 2].contains(['[', ']'])
}

fn assemble(path: &Path, cells: &[NbCell], bash_kernel: bool) -> Imported {
    let mut chunks: Vec<String> = Vec::new();
    let mut commands = Vec::new();
    let mut warnings = Vec::new();
    let mut title = None;
    for (n, cell) in cells.iter().enumerate() {
        match cell {
            NbCell::Markdown(text) => {
                title = title.or_else(|| first_h1(text));
                chunks.push(trim_blank_lines(text).to_string());
            }
            NbCell::Raw(text) if !text.trim().is_empty() => {
                chunks.push(fence("text {run=false}", text))
            }
            NbCell::Raw(_) => {}
            NbCell::Code(src) => {
                let pieces = if bash_kernel {
                    vec![Piece::Shell(src.clone())]
                } else {
                    magics::convert(src)
                };
                for p in pieces {
                    match p {
                        Piece::Shell(code) if !code.trim().is_empty() => {
                            chunks.push(fence("sh", &code));
                            commands.push(trim_blank_lines(&code).to_string());
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
        path.file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default()
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
    }
}

fn first_h1(text: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("# "))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
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
