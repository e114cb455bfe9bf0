//! YAML front matter: split it from the body and deserialize it into [`Meta`], mapping YAML
//! error positions back to lines of the lesson file.

use std::path::Path;

use super::diag::{Diagnostic, LineIndex, Severity};
use super::model::Meta;

/// Where the front matter and the Markdown body are in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Split {
    /// Byte range of the YAML text (between the fences), if there is front matter.
    pub yaml: Option<(usize, usize)>,
    /// Byte offset where the Markdown body starts.
    pub body: usize,
}

/// Finds a `---` fenced block at the very start. An unclosed block is reported and the whole
/// file is then treated as Markdown, so the author still gets body diagnostics.
pub(crate) fn split(
    source: &str,
    idx: &LineIndex,
    path: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Split {
    let bom = if source.starts_with('\u{feff}') { 3 } else { 0 };
    let rest = &source[bom..];
    let first = rest.split_inclusive('\n').next().unwrap_or("");
    if first.trim_end() != "---" {
        return Split {
            yaml: None,
            body: 0,
        };
    }
    let yaml_start = bom + first.len();
    let mut pos = yaml_start;
    for line in source[yaml_start..].split_inclusive('\n') {
        let t = line.trim_end();
        if t == "---" || t == "..." {
            return Split {
                yaml: Some((yaml_start, pos)),
                body: pos + line.len(),
            };
        }
        pos += line.len();
    }
    diags.push(
        idx.diag(
            path,
            Severity::Error,
            bom,
            bom + 3,
            "front matter is not closed",
        )
        .with_help("end the YAML front matter with a line containing only `---`"),
    );
    Split {
        yaml: None,
        body: 0,
    }
}

/// Deserializes the YAML. On error, each top-level key is tried on its own so that every bad
/// key is reported (not just the first) and the good ones are kept for later rules.
pub(crate) fn meta(
    source: &str,
    range: (usize, usize),
    idx: &LineIndex,
    path: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Meta {
    let (yaml, foreign) = foreign_keys(&source[range.0..range.1], range.0, idx, path, diags);
    let mut meta = parse_meta(&yaml, range, idx, path, diags);
    foreign.apply(&mut meta);
    meta
}

fn parse_meta(
    yaml: &str,
    range: (usize, usize),
    idx: &LineIndex,
    path: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Meta {
    if yaml.trim().is_empty() {
        return Meta::default();
    }
    let Err(err) = serde_yaml::from_str::<Meta>(yaml) else {
        return serde_yaml::from_str(yaml).unwrap_or_default();
    };
    let report = |err: &serde_yaml::Error, base: usize, diags: &mut Vec<Diagnostic>| {
        let at = err.location().map_or(base, |l| base + l.index());
        let first_line = idx.line_col(range.0).0;
        let (message, help, len) = explain(&err.to_string(), first_line);
        let d = idx.diag(path, Severity::Error, at, at + len, message);
        diags.push(match help {
            Some(h) => d.with_help(h),
            None => d,
        });
    };
    let blocks = top_level_blocks(yaml);
    let mut good = String::new();
    let mut found = 0;
    if serde_yaml::from_str::<serde_yaml::Value>(yaml).is_ok() {
        for (start, end) in &blocks {
            match serde_yaml::from_str::<Meta>(&yaml[*start..*end]) {
                Ok(_) => good.push_str(&yaml[*start..*end]),
                Err(e) => {
                    found += 1;
                    report(&e, range.0 + start, diags);
                }
            }
        }
    }
    if found == 0 {
        // A syntax error, or a problem no single key shows (a duplicate key, a wrong shape).
        report(&err, range.0, diags);
    }
    serde_yaml::from_str(&good).unwrap_or_default()
}

/// Front matter keys of other tools, and whose they are. They are ignored with a warning, so a
/// page written for a docs site or a slide tool still loads as a lesson.
const FOREIGN: [(&str, &str); 33] = [
    ("weight", "Hugo"),
    ("linkTitle", "Hugo"),
    ("alwaysopen", "Hugo"),
    ("categories", "Hugo"),
    ("aliases", "Hugo"),
    ("draft", "Hugo"),
    ("toc", "Hugo"),
    ("url", "Hugo"),
    ("layout", "Hugo"),
    ("menu", "Hugo"),
    ("type", "Hugo"),
    ("Title", "Hugo"),
    ("description", "Hugo/Docusaurus"),
    ("tags", "Hugo/Docusaurus"),
    ("keywords", "Hugo/Docusaurus"),
    ("slug", "Hugo/Docusaurus"),
    ("date", "Hugo/presenterm"),
    ("sidebar_position", "Docusaurus"),
    ("sidebar_label", "Docusaurus"),
    ("hide_title", "Docusaurus"),
    ("hide_table_of_contents", "Docusaurus"),
    ("id", "Docusaurus"),
    ("image", "Docusaurus"),
    ("author", "presenterm"),
    ("authors", "presenterm"),
    ("sub_title", "presenterm"),
    ("theme", "presenterm"),
    ("options", "presenterm"),
    ("location", "presenterm"),
    ("event", "presenterm"),
    ("shell", "Runme"),
    ("cwd", "Runme"),
    ("skipPrompts", "Runme"),
];

/// What other tools' keys said that kubetutor uses.
#[derive(Debug, Default)]
struct Foreign {
    runme: bool,
    skip_prompts: bool,
    cwd: Option<String>,
    title: Option<String>,
    description: Option<String>,
}

impl Foreign {
    fn apply(self, meta: &mut Meta) {
        meta.runme |= self.runme;
        meta.skip_prompts |= self.skip_prompts;
        if meta.workdir.is_none() {
            meta.workdir = self.cwd.map(Into::into);
        }
        if meta.title.trim().is_empty()
            && let Some(t) = self.title
        {
            meta.title = t;
        }
        if meta.summary.is_none() {
            meta.summary = self.description;
        }
    }
}

/// Blanks the other tools' keys (same length, so offsets in YAML errors stay right), warns
/// about each, and keeps what they say that kubetutor uses (Runme's `cwd`, Hugo's `Title`).
fn foreign_keys(
    yaml: &str,
    base: usize,
    idx: &LineIndex,
    path: &Path,
    diags: &mut Vec<Diagnostic>,
) -> (String, Foreign) {
    let mut out = yaml.to_string();
    let mut found = Foreign::default();
    for (start, end) in top_level_blocks(yaml) {
        let text = &yaml[start..end];
        let key = text.split(':').next().unwrap_or("").trim();
        let tool = if key == "runme" {
            "Runme"
        } else if let Some((_, tool)) = FOREIGN.iter().find(|(k, _)| *k == key) {
            tool
        } else {
            continue;
        };
        let value: Option<String> = serde_yaml::from_str::<serde_yaml::Mapping>(text)
            .ok()
            .and_then(|m| m.values().next().cloned())
            .and_then(|v| match v {
                serde_yaml::Value::String(s) => Some(s),
                serde_yaml::Value::Bool(b) => Some(b.to_string()),
                serde_yaml::Value::Number(n) => Some(n.to_string()),
                _ => None,
            });
        let note = match key {
            "runme" => None,
            "cwd" => {
                found.cwd = value.clone();
                Some("used as `workdir` (cells start there)".to_string())
            }
            "skipPrompts" => {
                found.skip_prompts = value.as_deref() == Some("true");
                Some("exported values are used as written, without asking".to_string())
            }
            "shell" => match value.as_deref() {
                Some("bash" | "sh") | None => Some("kubetutor runs cells in bash".to_string()),
                Some(other) => Some(format!(
                    "kubetutor runs cells in bash, not `{other}`; bash-only syntax may differ"
                )),
            },
            "Title" => {
                found.title = value.clone();
                Some("used as the title".to_string())
            }
            "description" => {
                found.description = value.clone();
                Some("used as the summary".to_string())
            }
            _ => None,
        };
        found.runme |= tool == "Runme";
        if key != "runme" {
            let at = base + start;
            let msg = format!("front matter key `{key}` is {tool}'s; kubetutor ignores it");
            let msg = match &note {
                Some(n) => format!("front matter key `{key}` is {tool}'s: {n}"),
                None => msg,
            };
            let d = idx.diag(path, Severity::Warning, at, at + key.len(), msg);
            diags.push(d.with_help(
                "kubetutor's keys: title, summary, workdir, namespace, requires, panes, env",
            ));
        }
        let blank: String = text
            .chars()
            .map(|c| match c {
                '\n' | '\r' => c.to_string(),
                _ => " ".repeat(c.len_utf8()),
            })
            .collect();
        out.replace_range(start..end, &blank);
    }
    (out, found)
}

/// Byte ranges of the top-level `key: ...` blocks (a key line and its indented lines).
fn top_level_blocks(yaml: &str) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut pos = 0;
    for line in yaml.split_inclusive('\n') {
        let starts_key = !line.starts_with([' ', '\t', '#', '-', '\n', '\r']) && line.contains(':');
        if starts_key {
            out.push((pos, pos + line.len()));
        } else if let Some(last) = out.last_mut() {
            last.1 = pos + line.len();
        }
        pos += line.len();
    }
    out
}

/// Turns serde_yaml's message into ours: positions as file lines, a "did you mean" for unknown
/// keys (with their path, e.g. `panes.pods.selectr`), plain words for a wrong top-level shape.
fn explain(raw: &str, first_line: usize) -> (String, Option<String>, usize) {
    let message = relocate(raw, first_line);
    if let Some(i) = message.find("unknown field `") {
        let path = message[..i].trim_end_matches([' ', ':']);
        let rest = &message[i + "unknown field `".len()..];
        let key = rest.split('`').next().unwrap_or("");
        let expected: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
        let help = match super::attrs::did_you_mean(key, &expected) {
            Some(s) => format!(
                "did you mean `{s}`? known keys here: {}",
                expected.join(", ")
            ),
            None => format!("known keys here: {}", expected.join(", ")),
        };
        let full = if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        };
        return (
            format!("unknown front matter key `{full}`"),
            Some(help),
            key.chars().count(),
        );
    }
    if message.contains("expected struct Meta") {
        let help = "write `key: value` lines, e.g. `title: My lesson`".to_string();
        return (
            "front matter must be a mapping of keys".into(),
            Some(help),
            1,
        );
    }
    let help = "front matter is YAML; see docs/lesson-format.md for the keys".to_string();
    (format!("front matter: {message}"), Some(help), 1)
}

/// serde_yaml says "... at line 2 column 5, while parsing X at line 1 column 3". The first
/// position is printed by us; later ones are made file lines (YAML line 1 is `first_line`).
fn relocate(raw: &str, first_line: usize) -> String {
    const AT: &str = " at line ";
    let mut out = String::new();
    let mut rest = raw;
    let mut first = true;
    while let Some(i) = rest.find(AT) {
        out.push_str(&rest[..i]);
        let after = &rest[i + AT.len()..];
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        let col_end = after[digits..]
            .strip_prefix(" column ")
            .map_or(digits, |c| {
                digits + 8 + c.chars().take_while(char::is_ascii_digit).count()
            });
        let line: usize = after[..digits].parse().unwrap_or(1);
        if !first {
            out.push_str(&format!(" at line {}", line + first_line - 1));
        }
        first = false;
        rest = &after[col_end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str) -> (Meta, Vec<Diagnostic>) {
        let idx = LineIndex::new(src);
        let mut d = Vec::new();
        let s = split(src, &idx, Path::new("l.md"), &mut d);
        let m = s
            .yaml
            .map(|r| meta(src, r, &idx, Path::new("l.md"), &mut d))
            .unwrap_or_default();
        (m, d)
    }

    #[test]
    fn reads_keys() {
        let (m, d) = run("---\ntitle: T\nrequires: [kubectl]\nenv: {A: b}\n---\n# x\n");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(m.title, "T");
        assert_eq!(m.requires, vec!["kubectl"]);
        assert_eq!(m.env.get("A").map(String::as_str), Some("b"));
    }

    #[test]
    fn unknown_key_points_at_its_line_with_a_suggestion() {
        let (_, d) = run("---\ntitle: T\nsumary: s\n---\n");
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].span.line, d[0].span.col), (3, 1));
        assert_eq!(d[0].message, "unknown front matter key `sumary`");
        assert!(
            d[0].help
                .as_deref()
                .unwrap_or("")
                .contains("did you mean `summary`")
        );
    }

    #[test]
    fn every_unknown_key_is_reported() {
        let (m, d) = run("---\ntitle: T\nsumary: s\nnamepsace: n\n---\n");
        let msgs: Vec<_> = d
            .iter()
            .map(|d| (d.span.line, d.message.as_str()))
            .collect();
        assert_eq!(
            msgs,
            [
                (3, "unknown front matter key `sumary`"),
                (4, "unknown front matter key `namepsace`")
            ]
        );
        assert_eq!(m.title, "T");
    }

    #[test]
    fn yaml_syntax_error_maps_to_the_file_line() {
        let (_, d) = run("---\ntitle: T\nrequires: [kubectl\nnamespace: x\n---\n");
        assert_eq!(d.len(), 1);
        assert!(d[0].span.line >= 3, "{:?}", d[0]);
        assert!(d[0].message.starts_with("front matter: "));
    }

    #[test]
    fn yaml_positions_in_messages_become_file_lines() {
        let raw = "did not find expected ',' or ']' at line 3 column 1, while parsing a flow sequence at line 2 column 11";
        assert_eq!(
            relocate(raw, 2),
            "did not find expected ',' or ']', while parsing a flow sequence at line 3"
        );
    }

    #[test]
    fn nested_unknown_key_names_its_path_and_good_keys_survive() {
        let (m, d) = run("---\ntitle: T\nrequires: kubectl\npanes:\n  pods: {selectr: x}\n---\n");
        assert_eq!(m.title, "T");
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d[0].message.contains("invalid type"), "{:?}", d[0]);
        assert_eq!(
            d[1].message,
            "unknown front matter key `panes.pods.selectr`"
        );
        assert_eq!(d[1].span.line, 5);
        let (_, d) = run("---\npanes:\n  pods: {selectr: x}\n---\n");
        assert_eq!(
            d[0].message,
            "unknown front matter key `panes.pods.selectr`"
        );
        assert_eq!((d[0].span.line, d[0].span.len), (3, 7));
        let (_, d) = run("---\n- a\n---\n");
        assert_eq!(d[0].message, "front matter must be a mapping of keys");
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let (_, d) = run("---\ntitle: T\n# body\n");
        assert_eq!(d[0].message, "front matter is not closed");
        assert_eq!(d[0].span.line, 1);
    }

    #[test]
    fn empty_front_matter_is_fine() {
        let (m, d) = run("---\n---\n");
        assert!(d.is_empty());
        assert_eq!(m, Meta::default());
    }
}
