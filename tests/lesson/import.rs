use std::path::{Path, PathBuf};

use kubetutor::lesson::check::check_source;
use kubetutor::lesson::import::import;
use kubetutor::lesson::{Block, parse};

use crate::skip::needs;

/// The seed notebook export, when this checkout sits next to `shared/seed` (else a skip, or a
/// failure under CI).
#[track_caller]
fn seed() -> Option<(PathBuf, String)> {
    needs(find_seed(), "../shared/seed/*.txt next to the checkout")
}

fn find_seed() -> Option<(PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seed");
    let entry = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(Result::ok)
        .find(|e| e.path().extension().is_some_and(|x| x == "txt"))?;
    let text = std::fs::read_to_string(entry.path()).ok()?;
    Some((entry.path(), text))
}

#[test]
fn seed_imports_with_all_commands_steps_and_prose() {
    let Some((path, seed)) = seed() else { return };
    let imported = import(&path, &seed).expect("seed imports");

    let expected: Vec<&str> = seed.lines().filter_map(|l| l.strip_prefix('!')).collect();
    assert_eq!(expected.len(), 15, "the seed has 15 commands");
    let lesson = parse(Path::new("lesson.md"), &imported.markdown).expect("imported lesson parses");
    let cells: Vec<&str> = lesson.cells().iter().map(|c| c.code.as_str()).collect();
    assert_eq!(cells, expected);
    assert!(
        lesson
            .cells()
            .iter()
            .all(|c| c.lang == "sh" && c.is_runnable())
    );

    let headings: Vec<&str> = seed.lines().filter_map(|l| l.strip_prefix("## ")).collect();
    let steps: Vec<&str> = lesson.steps.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(steps, headings);
    assert_eq!(lesson.meta.title, "分布式Redis集群");
    assert!(matches!(
        lesson.intro.first(),
        Some(Block::Heading { level: 1, .. })
    ));

    // Every prose line appears byte for byte, in order.
    let mut rest = imported.markdown.as_str();
    for line in seed
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('!') && !l.starts_with("In ["))
    {
        let at = rest
            .find(line)
            .unwrap_or_else(|| panic!("prose line missing or out of order: {line}"));
        rest = &rest[at + line.len()..];
    }
}

#[test]
fn imported_seed_passes_check() {
    let Some((path, seed)) = seed() else { return };
    let imported = import(&path, &seed).expect("seed imports");
    let tmp = tempfile::tempdir().expect("tempdir");
    let diags = check_source(&tmp.path().join("lesson.md"), &imported.markdown);
    let errors: Vec<String> = diags
        .iter()
        .filter(|d| d.is_error())
        .map(ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // What remains are honest warnings: files the notebook expected next to it, and
    // $SENTINEL_POD, which the notebook never sets.
    assert!(diags.iter().any(|d| d.message.contains("$SENTINEL_POD")));
}

#[test]
fn import_cli_writes_a_lesson_that_checks() {
    let Some((path, _)) = seed() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let out_dir = tmp.path().join("redis");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kubetutor"))
        .arg("import")
        .arg(&path)
        .arg("-o")
        .arg(&out_dir)
        .output()
        .expect("run kubetutor import");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("0 errors"), "{stdout}");
    assert!(stdout.contains("(15 shell cells)"), "{stdout}");
    assert!(out_dir.join("lesson.md").is_file());
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_kubetutor"))
        .arg("import")
        .arg(&path)
        .arg("-o")
        .arg(&out_dir)
        .output()
        .expect("run kubetutor import");
    assert!(!again.status.success(), "refuses to overwrite");
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("--force"), "names the way out: {stderr}");
    std::fs::write(out_dir.join("lesson.md"), "stale").unwrap();
    let forced = std::process::Command::new(env!("CARGO_BIN_EXE_kubetutor"))
        .arg("import")
        .arg(&path)
        .arg("-o")
        .arg(&out_dir)
        .arg("--force")
        .output()
        .expect("run kubetutor import --force");
    assert!(forced.status.success(), "--force replaces the lesson");
    let text = std::fs::read_to_string(out_dir.join("lesson.md")).unwrap();
    assert!(text.starts_with("---"), "the lesson was written anew");
}

#[test]
fn ipynb_round_trip() {
    let nb = serde_json::json!({
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Demo\n", "\n", "Intro 中文"]},
            {"cell_type": "markdown", "metadata": {}, "source": "## Run"},
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1, "source": ["%matplotlib inline\n", "!echo hi"]}
        ]
    });
    let imported = import(Path::new("demo.ipynb"), &nb.to_string()).expect("imports");
    assert_eq!(imported.commands, ["echo hi"]);
    assert!(imported.warnings[0].contains("`%matplotlib` has no shell meaning"));
    let lesson = parse(Path::new("lesson.md"), &imported.markdown).expect("parses");
    assert_eq!(lesson.steps.len(), 1);
    assert!(imported.markdown.contains("Intro 中文"));
}

#[test]
fn import_cli_writes_attachments_next_to_the_lesson() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let nb = serde_json::json!({
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "# Pics\n\n## One\n\n![a](attachment:dot.png)",
             "attachments": {"dot.png": {"image/png": "iVBORw0KGgo="}}},
            {"cell_type": "markdown", "metadata": {}, "source": "![b](attachment:dot.png)",
             "attachments": {"dot.png": {"image/png": "AAEC"}}},
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1, "source": "!echo hi"}
        ]
    });
    let path = tmp.path().join("pics.ipynb");
    std::fs::write(&path, nb.to_string()).unwrap();
    let out_dir = tmp.path().join("out");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kubetutor"))
        .arg("import")
        .arg(&path)
        .arg("-o")
        .arg(&out_dir)
        .output()
        .expect("run kubetutor import");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(out_dir.join("dot.png")).unwrap(),
        b"\x89PNG\r\n\x1a\n"
    );
    assert_eq!(
        std::fs::read(out_dir.join("cell2-dot.png")).unwrap(),
        [0, 1, 2]
    );
    let lesson = std::fs::read_to_string(out_dir.join("lesson.md")).unwrap();
    assert!(
        lesson.contains("![a](dot.png)") && lesson.contains("![b](cell2-dot.png)"),
        "{lesson}"
    );
    assert!(stdout.contains("0 errors, 0 warnings"), "{stdout}");
}

#[test]
fn nbformat3_headings_are_steps_and_unknown_cells_warn() {
    let nb = serde_json::json!({
        "nbformat": 3, "nbformat_minor": 0, "metadata": {},
        "worksheets": [{"cells": [
            {"cell_type": "heading", "level": 1, "source": "Old"},
            {"cell_type": "heading", "level": 2, "source": "First step"},
            {"cell_type": "code", "language": "python", "input": "!echo one\n# !echo undo", "outputs": []},
            {"cell_type": "widget", "source": "state"}
        ]}]
    });
    let imported = import(Path::new("old.ipynb"), &nb.to_string()).expect("imports");
    let lesson = parse(Path::new("lesson.md"), &imported.markdown).expect("parses");
    let steps: Vec<&str> = lesson.steps.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(steps, ["First step"]);
    assert_eq!(lesson.meta.title, "Old");
    assert_eq!(imported.commands, ["echo one"]);
    let cells = lesson.cells();
    assert!(
        cells
            .iter()
            .any(|c| c.code == "# !echo undo" && !c.is_runnable())
    );
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("unknown cell type `widget`"))
    );
    assert!(imported.markdown.contains("state"));
}
