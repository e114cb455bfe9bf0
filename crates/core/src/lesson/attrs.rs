//! Cell attributes from a fence's info string, in Runme's two syntaxes:
//! `sh {id=x capture=VAR hint="wait a bit"}` and `sh {"id":"x","run":false}`.

use super::attr_values::{apply, conflicts};
pub use super::attr_values::{duration, is_var_name};
use super::model::CellAttrs;

/// Attributes kubetutor understands.
pub const KNOWN: [&str; 17] = [
    "id",
    "name",
    "run",
    "capture",
    "verify",
    "retry",
    "interval",
    "timeout",
    "background",
    "interactive",
    "cwd",
    "env",
    "hint",
    "needs",
    "stdin",
    "always",
    "until",
];

/// Runme attributes: what kubetutor does with each (None: understood, no warning needed).
const RUNME: [(&str, Option<&str>); 14] = [
    ("promptEnv", None),
    ("skipPrompts", None),
    (
        "excludeFromRunAll",
        Some("the cell is shown and `kubetutor run` skips it (kubetutor's run=false)"),
    ),
    (
        "ignore",
        Some("the block is shown and never run (kubetutor's run=false)"),
    ),
    (
        "tag",
        Some("ignored: select cells with `kubetutor run --only ID,ID` or steps with --from/--to"),
    ),
    (
        "category",
        Some("ignored: select cells with `kubetutor run --only ID,ID` or steps with --from/--to"),
    ),
    (
        "terminalRows",
        Some("ignored: kubetutor sizes the output pane itself and scrolls it"),
    ),
    (
        "closeTerminalOnSuccess",
        Some("ignored: kubetutor keeps every cell's output"),
    ),
    (
        "mimeType",
        Some("ignored: output is shown as terminal text"),
    ),
    (
        "mimetype",
        Some("ignored: output is shown as terminal text"),
    ),
    (
        "interpreter",
        Some("ignored: kubetutor runs shell cells in bash"),
    ),
    (
        "transform",
        Some("ignored: shell fences are cells, other fences are shown"),
    ),
    (
        "cwdRelativeTo",
        Some("ignored: cwd is relative to the lesson's workdir"),
    ),
    ("interactive", None),
];

/// Runme's own cell ids are ULIDs (26 Crockford base32 characters); the cell's name is `name`.
pub fn is_ulid(s: &str) -> bool {
    s.len() == 26
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b.is_ascii_uppercase() && !b"ILOU".contains(&b)))
}

/// One `key=value` as written, with byte offsets into the lesson source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAttr {
    pub key: String,
    pub value: Option<String>,
    pub key_at: (usize, usize),
    pub value_at: (usize, usize),
}

/// A problem found while reading attributes, located in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrProblem {
    pub at: (usize, usize),
    pub warning: bool,
    pub message: String,
    pub help: Option<String>,
}

impl AttrProblem {
    /// A problem only counted, not shown (past the ones a line shows): no message is built.
    pub(crate) fn counted(at: (usize, usize)) -> Self {
        Self::error(at, String::new(), None)
    }

    pub(crate) fn error(at: (usize, usize), message: String, help: Option<String>) -> Self {
        Self {
            at,
            warning: false,
            message,
            help,
        }
    }
}

/// The info string split into language and attribute text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Info {
    pub lang: String,
    pub attrs: Vec<RawAttr>,
}

/// Splits `info` (found at byte `base` of the source) into language and attributes.
pub fn parse_info(info: &str, base: usize, problems: &mut Vec<AttrProblem>) -> Info {
    let lang_end = info
        .find(|c: char| c.is_whitespace() || c == '{')
        .unwrap_or(info.len());
    let lang = info[..lang_end].to_ascii_lowercase();
    let rest = &info[lang_end..];
    let Some(open) = rest.find('{') else {
        return Info {
            lang,
            attrs: Vec::new(),
        };
    };
    let open_abs = lang_end + open;
    let Some(close) = info.rfind('}').filter(|&c| c > open_abs) else {
        problems.push(AttrProblem::error(
            (base + open_abs, base + info.len()),
            "cell attributes are not closed".into(),
            Some("close the attribute list with `}`, e.g. ```sh {id=x}".into()),
        ));
        return Info {
            lang,
            attrs: Vec::new(),
        };
    };
    let body = &info[open_abs + 1..close];
    let body_base = base + open_abs + 1;
    let attrs = if body.trim_start().starts_with('"') {
        parse_json(&info[open_abs..=close], base + open_abs, problems)
    } else {
        parse_runme(body, body_base, problems)
    };
    Info { lang, attrs }
}

/// `key=value key="quoted value" flag` separated by whitespace (commas are tolerated).
fn parse_runme(body: &str, base: usize, problems: &mut Vec<AttrProblem>) -> Vec<RawAttr> {
    let bytes = body.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() || bytes[i] == b',' {
            i += 1;
            continue;
        }
        let key_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'=' {
            i += 1;
        }
        let key = body[key_start..i].to_string();
        let key_at = (base + key_start, base + i);
        if i >= bytes.len() || bytes[i] != b'=' {
            out.push(RawAttr {
                key,
                value: None,
                key_at,
                value_at: key_at,
            });
            continue;
        }
        i += 1;
        let (value, vs, ve, next) = read_value(body, i);
        if value.is_none() {
            problems.push(AttrProblem::error(
                (base + vs, base + body.len()),
                format!("unterminated quoted value for `{key}`"),
                Some("close the quote: key=\"value\"".into()),
            ));
        }
        out.push(RawAttr {
            key,
            value: Some(value.unwrap_or_else(|| body[vs..].to_string())),
            key_at,
            value_at: (base + vs, base + ve),
        });
        i = next;
    }
    out
}

/// Reads a value at `i`: quoted (with `\"` escapes) or up to whitespace. Returns the value
/// (None if a quote is unterminated), its byte range and where scanning resumes.
fn read_value(body: &str, i: usize) -> (Option<String>, usize, usize, usize) {
    let bytes = body.as_bytes();
    if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
        let quote = bytes[i] as char;
        let mut value = String::new();
        let mut chars = body[i + 1..].char_indices();
        while let Some((j, c)) = chars.next() {
            match c {
                '\\' if quote == '"' => {
                    // `\n` and `\t` are how a one-line attribute spells a line break (stdin=).
                    match chars.next().map(|(_, n)| n) {
                        Some('n') => value.push('\n'),
                        Some('t') => value.push('\t'),
                        Some(n) => value.push(n),
                        None => {}
                    }
                }
                c if c == quote => {
                    let end = i + 1 + j + 1;
                    return (Some(value), i, end, end);
                }
                c => value.push(c),
            }
        }
        return (None, i, body.len(), body.len());
    }
    let end = body[i..]
        .find(|c: char| c.is_whitespace())
        .map_or(body.len(), |e| i + e);
    (Some(body[i..end].to_string()), i, end, end)
}

/// `{"id":"x","run":false}`: values of any JSON type, kept as their text.
fn parse_json(text: &str, base: usize, problems: &mut Vec<AttrProblem>) -> Vec<RawAttr> {
    let map: serde_json::Map<String, serde_json::Value> = match serde_json::from_str(text) {
        Ok(m) => m,
        Err(e) => {
            problems.push(AttrProblem::error(
                (base, base + text.len()),
                format!("cell attributes are not valid JSON: {e}"),
                Some("write {\"id\":\"x\"} or the Runme form {id=x}".into()),
            ));
            return Vec::new();
        }
    };
    map.into_iter()
        .map(|(key, v)| {
            let quoted = format!("\"{key}\"");
            let at = text.find(&quoted).map_or(0, |p| p + 1);
            let key_at = (base + at, base + at + key.len());
            let value = match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            RawAttr {
                key,
                value: Some(value),
                key_at,
                value_at: key_at,
            }
        })
        .collect()
}

/// What the attributes of a cell say, beyond [`CellAttrs`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Resolved {
    pub attrs: CellAttrs,
    pub id: Option<String>,
    pub hint: Option<String>,
}

/// Interprets raw attributes; every problem names the attribute and the fix.
pub fn resolve(raw: &[RawAttr], problems: &mut Vec<AttrProblem>) -> Resolved {
    let mut r = Resolved::default();
    // A set: 250,000 distinct keys on one fence must not compare each with all before it.
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    // Messages (and near-miss searches) only for the findings a line can show.
    let detailed = |p: &Vec<AttrProblem>| p.len() < 3 * super::diag::MAX_PER_LINE;
    for a in raw {
        if a.key == "id" && a.value.as_deref().is_some_and(is_ulid) {
            // Runme's internal id: the cell is addressed by `name` (or a generated id).
            r.attrs.runme = true;
            continue;
        }
        if let Some(p) = runme(&mut r, a) {
            problems.extend(p);
            continue;
        }
        let canonical = if a.key == "name" {
            "id"
        } else {
            a.key.as_str()
        };
        if canonical != "env" && !seen.insert(canonical) {
            problems.push(if detailed(problems) {
                AttrProblem::error(
                    a.key_at,
                    format!("attribute `{}` is given twice", a.key),
                    Some("keep one".into()),
                )
            } else {
                AttrProblem::counted(a.key_at)
            });
        }
        if let Err((message, help)) = apply(&mut r, a) {
            problems.push(AttrProblem::error(a.value_at, message, Some(help)));
        }
        if !KNOWN.contains(&a.key.as_str()) {
            problems.push(if detailed(problems) {
                unknown(a)
            } else {
                AttrProblem::counted(a.key_at)
            });
        }
    }
    conflicts(&r, raw, problems);
    r
}

/// A Runme-only attribute: applied (promptEnv, excludeFromRunAll, ignore) and, when it has
/// no exact kubetutor meaning, a warning naming the kubetutor equivalent.
fn runme(r: &mut Resolved, a: &RawAttr) -> Option<Option<AttrProblem>> {
    let (_, note) = RUNME
        .iter()
        .find(|(k, _)| *k == a.key && *k != "interactive")?;
    r.attrs.runme = true;
    let v = a.value.as_deref().map(|v| v.trim().to_ascii_lowercase());
    let yes = matches!(
        v.as_deref(),
        None | Some("true" | "yes" | "1" | "always" | "auto")
    );
    match a.key.as_str() {
        "promptEnv" => r.attrs.prompt_env = Some(yes),
        "skipPrompts" if yes => r.attrs.prompt_env = Some(false),
        "excludeFromRunAll" | "ignore" if yes => r.attrs.run = false,
        "excludeFromRunAll" | "ignore" => return Some(None),
        // Asking for bash is asking for what kubetutor does.
        "interpreter" if v.as_deref().is_some_and(names_bash) => return Some(None),
        _ => {}
    }
    Some(note.map(|n| AttrProblem {
        at: a.key_at,
        warning: true,
        message: format!("Runme attribute `{}`: {n}", a.key),
        help: None,
    }))
}

/// `bash`, `/bin/bash`, `/usr/bin/env bash`, `bash -e`...: an interpreter that is bash.
fn names_bash(interpreter: &str) -> bool {
    let mut words = interpreter.split_whitespace();
    let program = match words.next() {
        Some(p) if p.ends_with("/env") => words.next(),
        p => p,
    };
    program.is_some_and(|p| p.rsplit('/').next() == Some("bash"))
}

fn unknown(a: &RawAttr) -> AttrProblem {
    let help = match did_you_mean(&a.key, &KNOWN) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("known attributes: {}", KNOWN.join(", ")),
    };
    AttrProblem::error(
        a.key_at,
        format!("unknown cell attribute `{}`", a.key),
        Some(help),
    )
}

/// The closest known name, when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| {
            (
                strsim::jaro_winkler(&word.to_ascii_lowercase(), &k.to_ascii_lowercase()),
                *k,
            )
        })
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

#[cfg(test)]
#[path = "attrs_tests.rs"]
mod tests;
