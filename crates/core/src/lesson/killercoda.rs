//! Killercoda scenarios: the `{{exec}}`, `{{exec interrupt}}` and `{{copy}}` code actions in
//! Markdown, and `index.json` scenario folders imported as one lesson.
//!
//! Killercoda writes the action right after a closing fence (```` ```{{exec}} ````) or after
//! inline code (`` `ls`{{exec}} ``). CommonMark does not close a fence that carries text, so
//! before parsing, such closing lines are blanked to a plain fence of the same length (every
//! byte offset stays valid) and the action is remembered.

use std::path::Path;

use super::import::{Imported, Origin};
use super::model::{Block, Cell, CellAttrs, Inline, Span};

/// What a Killercoda code action asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Run the code (`{{exec}}`).
    Exec,
    /// Stop the running command with Ctrl-C, then run (`{{exec interrupt}}`).
    ExecInterrupt,
    /// Copy only (`{{copy}}`, `{{}}`): shown, never run.
    Copy,
}

fn action(marker: &str) -> Option<Action> {
    match marker.trim() {
        "{{exec}}" => Some(Action::Exec),
        "{{exec interrupt}}" => Some(Action::ExecInterrupt),
        "{{copy}}" | "{{}}" => Some(Action::Copy),
        _ => None,
    }
}

/// A closing fence that carried an action: where the fence line starts, and the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FenceAction {
    pub at: usize,
    pub action: Action,
}

/// Blanks the actions after closing fences. Returns None when the source has none.
pub(crate) fn fences(source: &str) -> Option<(String, Vec<FenceAction>)> {
    if !source.contains("{{") {
        return None;
    }
    let mut out = String::with_capacity(source.len());
    let mut found = Vec::new();
    let mut open: Option<(char, usize)> = None;
    let mut pos = 0;
    for line in source.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let indent = body.len() - body.trim_start_matches(' ').len();
        let t = &body[indent..];
        let ch = t.chars().next().filter(|c| *c == '`' || *c == '~');
        let run = ch.map_or(0, |c| t.chars().take_while(|&x| x == c).count());
        let mut written = false;
        match (open, ch) {
            (None, Some(c)) if indent < 4 && run >= 3 => open = Some((c, run)),
            (Some((c, n)), Some(c2)) if c == c2 && run >= n && indent < 4 => {
                open = None;
                if let Some(a) = action(&t[run..]) {
                    found.push(FenceAction { at: pos, action: a });
                    let keep = indent + run;
                    out.push_str(&body[..keep]);
                    out.push_str(&" ".repeat(body.len() - keep));
                    out.push_str(&line[body.len()..]);
                    written = true;
                }
            }
            _ => {}
        }
        if !written {
            out.push_str(line);
        }
        pos += line.len();
    }
    (!found.is_empty()).then_some((out, found))
}

/// The action of the fenced block spanning `start..end`, if its closing fence had one.
pub(crate) fn fence_action(actions: &[FenceAction], start: usize, end: usize) -> Option<Action> {
    actions
        .iter()
        .find(|a| a.at > start && a.at < end)
        .map(|a| a.action)
}

/// A cell from Killercoda-marked code: `{{exec}}` runs; `{{exec interrupt}}` also marks that
/// the command before it is meant to be stopped (see [`interrupts`]).
pub(crate) fn cell(code: String, span: Span, action: Action) -> Block {
    let attrs = CellAttrs {
        interrupts: action == Action::ExecInterrupt,
        ..CellAttrs::default()
    };
    Block::Cell(Cell {
        id: String::new(),
        lang: "sh".into(),
        code,
        attrs,
        span,
        hint: None,
    })
}

/// Inline `` `cmd`{{exec}} ``: the marker is removed from the prose and, for exec, a cell
/// with the command follows the paragraph. Applied to every block list, nested ones too.
pub(crate) fn inline_actions(blocks: &mut Vec<Block>) {
    let mut out = Vec::with_capacity(blocks.len());
    for mut block in std::mem::take(blocks) {
        let mut cells = Vec::new();
        match &mut block {
            Block::Paragraph { text, span } => {
                for (code, a) in strip_markers(text) {
                    if a != Action::Copy {
                        cells.push(cell(code, *span, a));
                    }
                }
            }
            Block::List { items, .. } => items.iter_mut().for_each(inline_actions),
            Block::Quote { blocks, .. } => inline_actions(blocks),
            _ => {}
        }
        out.push(block);
        out.extend(cells);
    }
    *blocks = out;
}

/// Removes `{{...}}` markers that follow inline code; returns each marked code and action.
fn strip_markers(text: &mut [Inline]) -> Vec<(String, Action)> {
    let mut found = Vec::new();
    for i in 1..text.len() {
        let (before, after) = text.split_at_mut(i);
        let (Inline::Code(code), Inline::Text(t)) = (&before[i - 1], &mut after[0]) else {
            continue;
        };
        let Some(end) = t.starts_with("{{").then(|| t.find("}}")).flatten() else {
            continue;
        };
        if let Some(a) = action(&t[..end + 2]) {
            found.push((code.clone(), a));
            t.replace_range(..end + 2, "");
        }
    }
    found
}

/// `{{exec interrupt}}` stops the command still running from an earlier click (a server, a
/// `sleep 1d`). Headless, that earlier cell would block forever, so it runs in the
/// background instead (and is stopped when the lesson ends). Returns the ids changed.
pub(crate) fn interrupts(cells: &mut [&mut Cell]) -> Vec<(usize, String)> {
    let mut changed = Vec::new();
    for i in 1..cells.len() {
        if !cells[i].attrs.interrupts {
            continue;
        }
        let Some(prev) = (0..i).rev().find(|&j| cells[j].is_runnable()) else {
            continue;
        };
        let p = &mut cells[prev];
        if !(p.attrs.background || p.attrs.verify || p.attrs.interactive)
            && p.attrs.capture.is_none()
        {
            p.attrs.background = true;
            changed.push((p.span.start, p.first_line().to_string()));
        }
    }
    changed
}

#[derive(serde::Deserialize)]
struct Index {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    details: Details,
}

#[derive(serde::Deserialize, Default)]
struct Details {
    intro: Option<Page>,
    #[serde(default)]
    steps: Vec<Page>,
    finish: Option<Page>,
}

#[derive(serde::Deserialize, Default)]
struct Page {
    #[serde(default)]
    title: String,
    text: Option<String>,
    foreground: Option<String>,
    background: Option<String>,
    verify: Option<String>,
}

/// A scenario folder's `index.json` and the files it names, as one lesson: the intro, one
/// step per scenario step, the finish page as a last step. Each page's background script is
/// a background cell, its foreground script a cell, and a step's verify script its
/// `verify=true` check at the end of the step.
pub(crate) fn import(index: &Path, text: &str) -> Result<Imported, String> {
    let ix: Index =
        serde_json::from_str(text).map_err(|e| format!("not a Killercoda index.json: {e}"))?;
    let dir = index.parent().unwrap_or(Path::new("."));
    let mut warnings = Vec::new();
    let mut md = String::new();
    let title = if ix.title.trim().is_empty() {
        dir.file_name()
            .map_or("Scenario".into(), |n| n.to_string_lossy().to_string())
    } else {
        ix.title.trim().to_string()
    };
    // The description is the lesson's summary (shown under its title), as on Killercoda.
    let mut front = std::collections::BTreeMap::from([("title", title.clone())]);
    if !ix.description.trim().is_empty() {
        front.insert("summary", ix.description.trim().to_string());
    }
    let yaml = serde_yaml::to_string(&front).unwrap_or_default();
    md.push_str(&format!("---\n{yaml}---\n# {title}\n\n"));
    let intro_at = md.len();
    let mut commands = Vec::new();
    let mut origins: Vec<Origin> = Vec::new();
    let mut page = |p: &Page, heading: Option<String>, md: &mut String| -> Result<(), String> {
        if let Some(h) = heading {
            md.push_str(&format!("## {h}\n\n"));
        }
        let mut read = |name: &Option<String>, what: &str| -> Result<Option<String>, String> {
            let Some(name) = name else { return Ok(None) };
            let path = dir.join(name);
            match std::fs::read_to_string(&path) {
                Ok(t) => Ok(Some(t)),
                Err(e) => {
                    warnings.push(format!(
                        "{what} `{name}`: cannot read {}: {e}",
                        path.display()
                    ));
                    Ok(None)
                }
            }
        };
        let mut fenced = |info: &str, code: &str, name: &Option<String>, md: &mut String| {
            commands.push(code.trim().to_string());
            let block = fence_block(info, code);
            // The code starts on the line after the opening fence.
            let found = copied_from(md.matches('\n').count() + 2, code, name, dir);
            md.push_str(&block);
            found
        };
        if let Some(bg) = read(&p.background, "background script")? {
            origins.extend(fenced("sh {background=true}", &bg, &p.background, md));
        }
        if let Some(fg) = read(&p.foreground, "foreground script")? {
            origins.extend(fenced("sh", &fg, &p.foreground, md));
        }
        if let Some(t) = read(&p.text, "text")? {
            origins.extend(copied_from(md.matches('\n').count() + 1, &t, &p.text, dir));
            md.push_str(t.trim_matches('\n'));
            md.push_str("\n\n");
        }
        if let Some(v) = read(&p.verify, "verify script")? {
            origins.extend(fenced("sh {verify=true}", &v, &p.verify, md));
        }
        Ok(())
    };
    if let Some(intro) = &ix.details.intro {
        // Scripts run when the scenario starts: they need a step of their own to run in.
        let scripts = intro.foreground.is_some() || intro.background.is_some();
        let heading = scripts.then(|| match intro.title.trim() {
            "" => "Introduction".to_string(),
            t => t.to_string(),
        });
        page(intro, heading, &mut md)?;
    }
    for (n, step) in ix.details.steps.iter().enumerate() {
        let t = if step.title.trim().is_empty() {
            format!("Step {}", n + 1)
        } else {
            step.title.trim().to_string()
        };
        page(step, Some(t), &mut md)?;
    }
    if let Some(finish) = &ix.details.finish {
        let t = if finish.title.trim().is_empty() {
            "Finish".to_string()
        } else {
            finish.title.trim().to_string()
        };
        page(finish, Some(t), &mut md)?;
    }
    // A scenario may be its intro alone (with the scripts it starts); one with no page at all
    // has nothing to show.
    if ix.details.steps.is_empty() && ix.details.intro.is_none() && ix.details.finish.is_none() {
        return Err(
            "index.json has no pages: add details.intro or details.steps (each {\"text\": \"step1.md\"})"
                .into(),
        );
    }
    let md = with_kubectl_alias(index, md, intro_at, &mut origins);
    Ok(Imported {
        title,
        markdown: md,
        commands,
        warnings,
        attachments: Vec::new(),
        origins,
    })
}

/// Killercoda's environments alias `k` to kubectl, and scenarios use it: when a cell calls
/// `k`, a cell defining it (as a function: cells run in a non-interactive bash) opens the first
/// step, or the intro (at `intro_at`) when that calls `k` already, so the scenario runs as it
/// does there.
fn with_kubectl_alias(index: &Path, md: String, intro_at: usize, origins: &mut [Origin]) -> String {
    let Ok(lesson) = super::parse::parse(index, &md) else {
        return md;
    };
    let first_use = lesson.cells().into_iter().find(|c| {
        super::shell::scan(&c.code)
            .commands
            .iter()
            .any(|cmd| super::model::alias_call(cmd).is_some())
    });
    let Some(first_use) = first_use else {
        return md;
    };
    // After the first step's heading; or, when the intro already calls `k`, where the intro
    // starts (after the title and description).
    let after_line = |from: usize| md[from..].find('\n').map_or(md.len(), |n| from + n + 1);
    // The first step's heading as the parser found it (not a `## ` line in a code block).
    let first_step = lesson.steps.first().map(|s| s.span.start);
    let heading_end = match first_step {
        Some(step) if first_use.span.start > step => after_line(step),
        _ => intro_at,
    };
    let cell = format!(
        "\nKillercoda's environments define `k` as kubectl; here a cell does:\n\n```sh\n{}\n```\n",
        super::model::KUBECTL_ALIAS_CELL
    );
    let at_line = md[..heading_end].matches('\n').count() + 1;
    let added = cell.matches('\n').count();
    for o in origins.iter_mut().filter(|o| o.line >= at_line) {
        o.line += added;
    }
    let mut out = md;
    out.insert_str(heading_end, &cell);
    out
}

/// Text copied as it is from file `name`, blank lines around it trimmed, starting on line
/// `line` of the Markdown: where its lines are in the file.
fn copied_from(line: usize, text: &str, name: &Option<String>, dir: &Path) -> Option<Origin> {
    let kept = text.trim_matches('\n');
    let skipped = text.len() - text.trim_start_matches('\n').len();
    let name = name.as_ref().filter(|_| !kept.is_empty())?;
    Some(Origin {
        line,
        lines: kept.lines().count(),
        file: dir.join(name),
        file_line: skipped + 1,
    })
}

/// A fence longer than any backtick run in the script, so the script cannot close it.
fn fence_block(info: &str, code: &str) -> String {
    let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let ticks = "`".repeat(longest.max(2) + 1);
    format!("{ticks}{info}\n{}\n{ticks}\n\n", code.trim_matches('\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(
        index: &str,
        files: &[(&str, &str)],
    ) -> (tempfile::TempDir, Result<Imported, String>) {
        let dir = tempfile::tempdir().expect("tempdir");
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).expect("write");
        }
        let path = dir.path().join("index.json");
        std::fs::write(&path, index).expect("write");
        let imported = import(&path, index);
        (dir, imported)
    }

    #[test]
    fn a_scenario_of_its_intro_alone_is_a_lesson_and_one_without_pages_is_refused() {
        let index =
            r#"{"title":"Scripts","details":{"intro":{"text":"intro.md","foreground":"fg.sh"}}}"#;
        let (_dir, got) = scenario(
            index,
            &[("intro.md", "Watch it run.\n"), ("fg.sh", "echo hi\n")],
        );
        let md = got.expect("imported").markdown;
        assert!(
            md.contains("## Introduction\n\n```sh\necho hi\n```"),
            "{md}"
        );
        let (_dir, none) = scenario(r#"{"title":"Empty","details":{}}"#, &[]);
        assert!(none.expect_err("refused").contains("no pages"));
    }

    #[test]
    fn findings_name_the_step_file_and_its_line() {
        let index = r#"{"title":"S","details":{"intro":{"text":"intro.md"},"steps":[{"title":"One","text":"step1.md","verify":"verify.sh"}]}}"#;
        let step = "\n\nFirst\n\n`kubectl logs <pod-name>`{{exec}}\n\n```\ncat missing.yaml\n```{{exec}}\n";
        let files = [
            ("intro.md", "Run `k get pods`{{exec}}\n"),
            ("step1.md", step),
            ("verify.sh", "#!/bin/bash\nif then fi\n"),
        ];
        let (dir, _) = scenario(index, &files);
        let found: Vec<(String, usize, usize, String)> =
            crate::lesson::check::check_file(&dir.path().join("index.json"))
                .into_iter()
                .map(|d| {
                    let file = d.path.file_name().unwrap().to_string_lossy().to_string();
                    (file, d.span.line, d.span.col, d.message)
                })
                .collect();
        let at = |file: &str, needle: &str| {
            found
                .iter()
                .find(|(f, _, _, m)| f == file && m.contains(needle))
                .map(|(_, l, c, _)| (*l, *c))
                .unwrap_or_else(|| panic!("{file} {needle}: {found:#?}"))
        };
        assert_eq!(at("step1.md", "`<pod-name>` is a placeholder"), (5, 15));
        assert_eq!(at("step1.md", "`missing.yaml`"), (8, 5));
        assert_eq!(at("verify.sh", "syntax error"), (2, 1));
        // The intro calls `k`: it is defined before the intro's cell, so nothing says otherwise.
        assert!(
            !found.iter().any(|(.., m)| m.contains("`k` is not defined")),
            "{found:#?}"
        );
    }

    #[test]
    fn a_scenario_calling_k_defines_it_in_its_first_step() {
        let index = r#"{"title":"K","details":{"steps":[{"title":"Pods","text":"s1.md"}]}}"#;
        let (_dir, got) = scenario(index, &[("s1.md", "Run `k get pods`{{exec}}\n")]);
        let md = got.expect("imported").markdown;
        let defined = md
            .find(crate::lesson::model::KUBECTL_ALIAS_CELL)
            .expect(&md);
        assert!(md.find("## Pods").expect(&md) < defined, "{md}");
        assert!(defined < md.find("k get pods").expect(&md), "{md}");
        let index = r#"{"title":"K","details":{"steps":[{"text":"s1.md"}]}}"#;
        let (_dir, got) = scenario(index, &[("s1.md", "Run `kubectl get pods`{{exec}}\n")]);
        assert!(!got.expect("imported").markdown.contains("k()"));
        // A `## ` line in the intro's code block is no step heading.
        let index = r#"{"title":"K","details":{"intro":{"text":"in.md"},"steps":[{"title":"Pods","text":"s1.md"}]}}"#;
        let files = [
            ("in.md", "```\n## not a heading\n```\n"),
            ("s1.md", "Run `k get pods`{{exec}}\n"),
        ];
        let (_dir, got) = scenario(index, &files);
        let md = got.expect("imported").markdown;
        assert!(md.contains("```\n## not a heading\n```"), "{md}");
        let defined = md
            .find(crate::lesson::model::KUBECTL_ALIAS_CELL)
            .expect(&md);
        assert!(md.find("## Pods").expect(&md) < defined, "{md}");
    }

    #[test]
    fn closing_fence_actions_are_blanked_in_place() {
        let src = "x\n```\nls\n```{{exec}}\n`a`{{copy}}\n~~~\npwd\n~~~{{exec interrupt}}\n";
        let (out, found) = fences(src).expect("actions");
        assert_eq!(out.len(), src.len());
        let want = src
            .replacen("```{{exec}}", &format!("```{}", " ".repeat(8)), 1)
            .replacen(
                "~~~{{exec interrupt}}",
                &format!("~~~{}", " ".repeat(18)),
                1,
            );
        assert_eq!(out, want);
        assert_eq!(
            found.iter().map(|f| f.action).collect::<Vec<_>>(),
            [Action::Exec, Action::ExecInterrupt]
        );
        assert!(fences("no actions {{x}}\n").is_none());
    }

    #[test]
    fn inline_markers_become_cells_after_their_paragraph() {
        let mut blocks = vec![Block::Paragraph {
            text: vec![
                Inline::Text("Run ".into()),
                Inline::Code("ls -lh".into()),
                Inline::Text("{{exec}} then".into()),
                Inline::Code("copy me".into()),
                Inline::Text("{{}}".into()),
            ],
            span: Span::default(),
        }];
        inline_actions(&mut blocks);
        assert_eq!(blocks.len(), 2);
        let Block::Paragraph { text, .. } = &blocks[0] else {
            panic!("{blocks:?}")
        };
        assert_eq!(text[2], Inline::Text(" then".into()));
        assert_eq!(text[4], Inline::Text(String::new()));
        assert!(matches!(&blocks[1], Block::Cell(c) if c.code == "ls -lh"));
    }
}
