//! Cell semantics from Runme (and from README style in general), applied after parsing:
//! `$ `-prompted lines, cells named in upper case exporting their output, `$__`, and Runme's
//! promptEnv for `export VAR=...` lines.

use std::path::Path;

use super::attrs::is_var_name;
use super::diag::{Diagnostic, LineIndex, Severity};
use super::killercoda;
use super::model::{Cell, EnvPrompt, Lesson};

pub(crate) fn apply(
    lesson: &mut Lesson,
    idx: &LineIndex,
    path: &Path,
    diags: &mut Vec<Diagnostic>,
) {
    let runme_doc = lesson.meta.runme || lesson.cells().iter().any(|c| c.attrs.runme);
    let skip_prompts = lesson.meta.skip_prompts;
    let mut cells = lesson.cells_mut();
    for cell in cells.iter_mut() {
        strip_prompts(cell);
    }
    if runme_doc {
        for cell in cells.iter_mut() {
            name_exports_output(cell);
            let ask = cell.attrs.prompt_env.unwrap_or(!skip_prompts);
            if ask && cell.is_runnable() {
                for (line, p) in prompt_env(cell) {
                    if let Some(message) = &p.message {
                        let at = code_line_start(idx, cell, line);
                        let msg = format!(
                            "Runme asks the learner for `${}` here (\"{message}\"); headless runs take it from the environment and fail when it is unset",
                            p.name
                        );
                        let d = idx.diag(path, Severity::Warning, at, at + 1, msg);
                        diags.push(d.with_help(format!(
                            "run as `{}=VALUE kubetutor run ...`, or write a quoted default: export {}=\"VALUE\"",
                            p.name, p.name
                        )));
                    }
                    cell.attrs.prompts.push(p);
                }
            }
        }
    }
    previous_output(&mut cells, idx, path, diags);
    for (at, first) in killercoda::interrupts(&mut cells) {
        let d = idx.diag(
            path,
            Severity::Warning,
            at,
            at + 1,
            format!(
                "`{first}` is stopped by a later {{{{exec interrupt}}}}; it runs in the background"
            ),
        );
        diags.push(d.with_help("it is stopped when the lesson ends"));
    }
}

/// The source offset of line `n` (0-based) of a fenced cell's code.
fn code_line_start(idx: &LineIndex, cell: &Cell, n: usize) -> usize {
    idx.line_start(cell.span.line + 1 + n)
}

/// Console style: when a cell has `$ `-prompted lines, those are the commands (prompt
/// removed, with their `\` continuations and here-documents) and the other non-blank lines
/// are the output the author expects, kept aside and never run.
pub(crate) fn strip_prompts(cell: &mut Cell) {
    if !cell
        .code
        .lines()
        .any(|l| l.trim_start().starts_with("$ ") || l.trim() == "$")
    {
        return;
    }
    let mut code = Vec::new();
    let mut expected = Vec::new();
    let mut continues = false;
    let mut heredoc: Option<String> = None;
    let source = std::mem::take(&mut cell.code);
    for line in source.lines() {
        let t = line.trim_start();
        if let Some(delim) = &heredoc {
            if line.trim() == delim {
                heredoc = None;
            }
            code.push(line.to_string());
            continue;
        }
        let command = if continues {
            Some(line)
        } else if let Some(rest) = t.strip_prefix("$ ") {
            Some(rest)
        } else if t == "$" {
            Some("")
        } else {
            None
        };
        match command {
            Some(c) => {
                continues = c.trim_end().ends_with('\\');
                heredoc = heredoc_delimiter(c);
                code.push(c.to_string());
            }
            None if line.trim().is_empty() => code.push(String::new()),
            None => {
                // Output keeps its line in the code as a blank, so lines still match the file.
                code.push(String::new());
                expected.push(line);
            }
        }
    }
    while code.last().is_some_and(|l| l.is_empty()) {
        code.pop();
    }
    if !expected.is_empty() {
        cell.attrs.expected_output = Some(expected.join("\n"));
    }
    cell.code = code.join("\n");
}

/// `cat <<EOF`, `<<-'EOF'`, `<< "EOF"` -> EOF.
fn heredoc_delimiter(line: &str) -> Option<String> {
    let at = line.find("<<")?;
    let rest = line[at + 2..].trim_start_matches('-').trim_start();
    if rest.starts_with('<') {
        return None; // a here-string
    }
    let word: String = rest
        .trim_start_matches(['\'', '"'])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!word.is_empty()).then_some(word)
}

/// Runme exports a cell named in upper case (`name=POD_NAME`) as a variable holding its
/// output: kubetutor's capture=POD_NAME.
fn name_exports_output(cell: &mut Cell) {
    let a = &cell.attrs;
    let upper = is_var_name(&cell.id)
        && cell.id.chars().any(|c| c.is_ascii_uppercase())
        && !cell.id.chars().any(|c| c.is_ascii_lowercase());
    if upper && a.explicit_id && a.capture.is_none() && !a.background && !a.interactive {
        cell.attrs.capture = Some(cell.id.clone());
    }
}

/// `$__` is the previous cell's output (Runme): the previous runnable cell captures into `__`.
fn previous_output(
    cells: &mut [&mut Cell],
    idx: &LineIndex,
    path: &Path,
    diags: &mut Vec<Diagnostic>,
) {
    for i in 0..cells.len() {
        let uses = cells[i].is_runnable()
            && super::shell::scan(&cells[i].code)
                .uses
                .iter()
                .any(|u| u.name == "__");
        if !uses {
            continue;
        }
        let Some(prev) = (0..i).rev().find(|&j| cells[j].is_runnable()) else {
            continue;
        };
        let p = &mut cells[prev];
        match &p.attrs.capture {
            None if !p.attrs.background && !p.attrs.interactive => {
                p.attrs.capture = Some("__".into());
            }
            Some(c) if c == "__" => {}
            other => {
                let why = match other {
                    Some(c) => format!("it captures into `{c}`; use `${c}`"),
                    None => "it runs in the background or on the terminal".to_string(),
                };
                let at = cells[i].span.start;
                diags.push(idx.diag(
                    path,
                    Severity::Warning,
                    at,
                    at + 3,
                    format!("`$__` is the previous cell's output, but {why}"),
                ));
            }
        }
    }
}

/// Runme's promptEnv: each `export NAME=VALUE` line whose value is a literal asks the learner.
/// The line is rewritten so that a value already in the environment (or given in the TUI)
/// wins; a quoted value is the default, an unquoted one is the question and the cell fails
/// clearly when no value was given. Returns (line in the cell, prompt).
fn prompt_env(cell: &mut Cell) -> Vec<(usize, EnvPrompt)> {
    let mut found = Vec::new();
    let mut lines: Vec<String> = cell.code.lines().map(str::to_string).collect();
    for (n, line) in lines.iter_mut().enumerate() {
        let Some((prompt, rewritten)) = export_prompt(line) else {
            continue;
        };
        *line = rewritten;
        found.push((n, prompt));
    }
    if !found.is_empty() {
        cell.code = lines.join("\n");
    }
    found
}

fn export_prompt(line: &str) -> Option<(EnvPrompt, String)> {
    let indent = &line[..line.len() - line.trim_start().len()];
    let rest = line.trim_start().strip_prefix("export ")?.trim_start();
    let (name, value) = rest.split_once('=')?;
    if !is_var_name(name) {
        return None;
    }
    let value = value.trim_end();
    // Expressions and substitutions are evaluated as written, as Runme does.
    if value.contains(['$', '`']) {
        return None;
    }
    let quoted = |q: char| {
        value
            .strip_prefix(q)
            .and_then(|v| v.strip_suffix(q))
            .filter(|v| !v.contains(q))
    };
    if let Some(default) = quoted('\'').or_else(|| quoted('"')) {
        let safe = default.replace(['\\', '"', '}'], "");
        let line = format!("{indent}export {name}=\"${{{name}:-{safe}}}\"");
        let p = EnvPrompt {
            name: name.into(),
            default: Some(default.into()),
            message: None,
        };
        return Some((p, line));
    }
    if value.contains(['\'', '"', ';', '&', '|', '<', '>', '(', ')', '#']) || value.is_empty() {
        return None;
    }
    let safe = value.replace(['\\', '}'], "");
    let line = format!(
        "{indent}export {name}=\"${{{name}:?{safe} (Runme asks for this value: set {name})}}\""
    );
    let p = EnvPrompt {
        name: name.into(),
        default: None,
        message: Some(value.into()),
    };
    Some((p, line))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::model::CellAttrs;

    fn cell(code: &str) -> Cell {
        Cell {
            id: "x".into(),
            lang: "sh".into(),
            code: code.into(),
            attrs: CellAttrs::default(),
            span: Default::default(),
            hint: None,
        }
    }

    #[test]
    fn prompted_lines_are_commands_and_the_rest_is_output() {
        let mut c = cell(
            "$ kubectl get ns \\\n  -o name\nnamespace/default\n\n$ cat <<EOF\nx\nEOF\n$ echo hi\nhi",
        );
        strip_prompts(&mut c);
        assert_eq!(
            c.code,
            "kubectl get ns \\\n  -o name\n\n\ncat <<EOF\nx\nEOF\necho hi"
        );
        assert_eq!(
            c.attrs.expected_output.as_deref(),
            Some("namespace/default\nhi")
        );
        let mut plain = cell("echo $ x\nls");
        strip_prompts(&mut plain);
        assert_eq!(plain.code, "echo $ x\nls");
    }

    #[test]
    fn exports_become_prompts() {
        let (p, l) = export_prompt("export A='Placeholder 1'").expect("prompt");
        assert_eq!(l, "export A=\"${A:-Placeholder 1}\"");
        assert_eq!(p.default.as_deref(), Some("Placeholder 1"));
        let (p, l) = export_prompt("export PROJECT_ID=Enter a valid project ID").expect("prompt");
        assert_eq!(p.message.as_deref(), Some("Enter a valid project ID"));
        assert_eq!(
            l,
            "export PROJECT_ID=\"${PROJECT_ID:?Enter a valid project ID (Runme asks for this value: set PROJECT_ID)}\""
        );
        assert!(export_prompt("export A=$(date)").is_none());
        assert!(export_prompt("export A=\"$HOME/x\"").is_none());
        assert!(export_prompt("export A=1; echo").is_none());
    }

    #[test]
    fn upper_case_names_capture() {
        let mut c = cell("git branch");
        c.id = "GIT_BRANCHES".into();
        c.attrs.explicit_id = true;
        name_exports_output(&mut c);
        assert_eq!(c.attrs.capture.as_deref(), Some("GIT_BRANCHES"));
        let mut c = cell("ls");
        c.id = "list".into();
        c.attrs.explicit_id = true;
        name_exports_output(&mut c);
        assert_eq!(c.attrs.capture, None);
    }
}
