//! Lessons from the wild (issue 15): every third-party file in `../shared/corpus/` gets the
//! `check` verdict its authors' intent deserves, and nothing yields a silent green.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The corpus next to the checkout (else a skip, or a failure under CI).
#[track_caller]
fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    crate::skip::needs(
        dir.is_dir().then_some(dir),
        "../shared/corpus next to the checkout",
    )
}

fn kubetutor(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kubetutor"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run kubetutor");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

/// (file, passes check). Notebooks with no shell cells and malformed ones are refused.
const EXPECTED: [(&str, bool); 18] = [
    // Its `kubectl config set-context` would rewrite the lesson's pinned kubeconfig: refused.
    ("markdown/k8sexamples-cluster-dns.md", false),
    ("markdown/killercoda-code-actions_step1.md", true),
    ("markdown/presenterm-examples_demo.md", true),
    ("markdown/redisdocs-security-vault.md", true),
    ("markdown/runme-examples_README.md", true),
    ("markdown/runme-examples_envs_README.md", true),
    // Its ````sh cell at line 80 holds a Markdown example (```sh ...): bash cannot parse it.
    ("markdown/runmedocs-cell-level.md", false),
    ("markdown/runmedocs-replicaset.md", true),
    ("notebooks/ipython-Beyond_Plain_Python.ipynb", true),
    ("notebooks/jfee-TEST_Metakernel_bash.ipynb", true),
    // Points kubectl at in-cluster credentials with `kubectl config set-*`: refused.
    ("notebooks/kubeflow-code_search_code-search.ipynb", false),
    // Its only `!` lines interpolate Python values (`{deployer.job_id}`): nothing runnable.
    (
        "notebooks/kubeflow-xgboost_synthetic_build-train-deploy.ipynb",
        false,
    ),
    ("notebooks/nbformat-invalid.ipynb", false),
    ("notebooks/nbformat-test3_no_worksheets.ipynb", false),
    (
        "notebooks/pdsh-01.05-IPython-And-Shell-Commands.ipynb",
        false,
    ),
    ("notebooks/ragtutorial-Microsoft_GraphRag.ipynb", true),
    (
        "killercoda/killercoda__scenario-examples__foreground-background-scripts-multi-step",
        true,
    ),
    (
        "killercoda/killercoda__scenarios-kubernetes__persistentVolumes",
        true,
    ),
];

#[test]
fn every_corpus_file_gets_its_expected_check_verdict() {
    let Some(dir) = corpus() else { return };
    let mut wrong = Vec::new();
    for (file, passes) in EXPECTED {
        let path = dir.join(file);
        let (code, out) = kubetutor(&["check", path.to_str().unwrap()]);
        if (code == 0) != passes {
            wrong.push(format!("{file}: exit {code}\n{out}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_notebook_with_no_shell_cells_is_not_a_green_run() {
    let Some(dir) = corpus() else { return };
    let nb = dir.join("notebooks/pdsh-01.05-IPython-And-Shell-Commands.ipynb");
    let (code, out) = kubetutor(&["run", nb.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("this notebook has no shell cells"), "{out}");
    assert!(!out.contains("0 passed, 0 failed"), "{out}");
}

#[test]
fn runme_upper_case_names_and_prompts_run_as_runme_runs_them() {
    let dir = tempfile::tempdir().unwrap();
    let lesson = dir.path().join("README.md");
    std::fs::write(
        &lesson,
        "---\nrunme:\n  id: 01HF7BT3HD84GWTQB9008APC3C\n  version: v3\n---\n# T\n\n## S\n\n```sh {\"id\":\"01HF7BT3HD84GWTQB8ZCWPH803\",\"name\":\"GREETING\"}\n$ echo hello\nhello\n```\n\n```sh {\"id\":\"01HF7BT3HD84GWTQB8ZEBC4E7R\",\"name\":\"use\"}\nexport WHO='world'\necho \"$GREETING $WHO\" > out.txt\n```\n\n```sh\necho again\n```\n\n```sh\necho \"$__\" >> out.txt\n```\n\n```sh {\"name\":\"ask\"}\nexport PROJECT_ID=Enter a project id\necho $PROJECT_ID >> out.txt\n```\n",
    )
    .unwrap();
    let path = lesson.to_str().unwrap();
    let (code, out) = kubetutor(&["check", path]);
    assert_eq!(code, 0, "{out}");
    let run = |env: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kubetutor"));
        c.args(["run", path])
            .env("NO_COLOR", "1")
            .env_remove("PROJECT_ID");
        if let Some(v) = env {
            c.env("PROJECT_ID", v);
        }
        let o = c.output().unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).to_string(),
        )
    };
    let (code, out) = run(None);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("set PROJECT_ID"), "{out}");
    let (code, out) = run(Some("p-1"));
    assert_eq!(code, Some(0), "{out}");
    let written = std::fs::read_to_string(dir.path().join("out.txt")).unwrap();
    assert_eq!(written, "hello world\nagain\np-1\n");
}

#[test]
fn import_scenario_dir_writes_a_lesson_that_checks() {
    let Some(dir) = corpus() else { return };
    for name in [
        "killercoda__scenario-examples__foreground-background-scripts-multi-step",
        "killercoda__scenarios-kubernetes__persistentVolumes",
    ] {
        let scenario = dir.join("killercoda").join(name);
        let out = tempfile::tempdir().unwrap();
        let lesson_dir = out.path().join("l");
        let (code, text) = kubetutor(&[
            "import",
            scenario.to_str().unwrap(),
            "-o",
            lesson_dir.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{name}: {text}");
        assert!(text.contains("0 errors, 0 warnings"), "{name}: {text}");
        let lesson = std::fs::read_to_string(lesson_dir.join("lesson.md")).unwrap();
        // Every script the index names is in the lesson, verify scripts as verify cells.
        for entry in walk(&scenario) {
            if entry.extension().is_some_and(|e| e == "sh") {
                let script = std::fs::read_to_string(&entry).unwrap();
                let body = script.trim_matches('\n');
                assert!(lesson.contains(body), "{}: script missing", entry.display());
                if entry.file_name().is_some_and(|n| n == "verify.sh") {
                    let at = lesson.find(body).unwrap();
                    let info = lesson[..at].lines().last().unwrap_or("");
                    assert!(
                        info.contains("{verify=true}"),
                        "{}: {info}",
                        entry.display()
                    );
                }
            }
        }
        let (code, text) = kubetutor(&["check", lesson_dir.to_str().unwrap()]);
        assert_eq!(code, 0, "{name}: {text}");
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// The code cells of a notebook as the file holds them (nbformat 4 `source`, 3 `input`).
fn code_cells(path: &Path) -> Option<Vec<String>> {
    let nb: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => a.iter().filter_map(|l| l.as_str()).collect(),
        _ => String::new(),
    };
    let cells = nb["cells"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .chain(
            nb["worksheets"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|w| w["cells"].as_array().cloned().unwrap_or_default()),
        );
    Some(
        cells
            .filter(|c| c["cell_type"] == "code")
            .map(|c| {
                text(if c["input"].is_null() {
                    &c["source"]
                } else {
                    &c["input"]
                })
            })
            .collect(),
    )
}

/// Whether a code line survives in the lesson: as written, or as the shell line it became
/// (`!cmd` -> `cmd`, `%pip` -> `pip`, `%env A=1` -> `export A=1`); a cell magic's own first
/// line is the block's language or a here-document's command.
fn kept(line: &str, first: bool, lesson: &str) -> bool {
    let t = line.trim();
    let bare = t.trim_start_matches('!').trim_start_matches('%').trim();
    let sub = format!("( {bare} )");
    if lesson
        .lines()
        .map(str::trim)
        .any(|l| l == t || l == bare || l == sub)
    {
        return true;
    }
    if let Some(env) = t.strip_prefix("%env ") {
        let (k, v) = env.split_once(['=', ' ']).unwrap_or((env, ""));
        return lesson.contains(&format!("export {}={}", k.trim(), v.trim()));
    }
    first && t.starts_with("%%")
}

#[test]
fn import_keeps_every_line_of_every_code_cell() {
    let Some(dir) = corpus() else { return };
    let mut lost = Vec::new();
    let mut verdicts = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("notebooks"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let imported = match kubetutor::lesson::import::import_path(&path) {
            Ok(i) => i,
            Err(e) => {
                verdicts.push(format!("{name}: refused: {}", e.reason()));
                continue;
            }
        };
        let cells = code_cells(&path).expect("a notebook that imported is JSON");
        let mut missing = 0;
        for (n, cell) in cells.iter().enumerate() {
            for (i, line) in cell.lines().enumerate() {
                let first = cell.lines().take(i).all(|l| l.trim().is_empty());
                if !line.trim().is_empty() && !kept(line, first, &imported.markdown) {
                    missing += 1;
                    lost.push(format!("{name}: code cell {}: `{line}`", n + 1));
                }
            }
        }
        verdicts.push(format!(
            "{name}: {} code cells, {} shell cells, {} warnings, {missing} lines lost",
            cells.len(),
            imported.commands.len(),
            imported.warnings.len()
        ));
    }
    eprintln!("{}", verdicts.join("\n"));
    assert!(lost.is_empty(), "{}", lost.join("\n"));
}

/// Per-file verdicts of `check` over the whole corpus, and how long it took (printed for the
/// report; the budget is not asserted here).
#[test]
fn corpus_check_verdicts_are_printed() {
    let Some(dir) = corpus() else { return };
    let started = std::time::Instant::now();
    let (mut clean, mut warned, mut refused) = (0, 0, 0);
    for (file, _) in EXPECTED {
        let (code, out) = kubetutor(&["check", dir.join(file).to_str().unwrap()]);
        let summary = out
            .lines()
            .rfind(|l| l.contains(" in 1 file"))
            .unwrap_or("")
            .to_string();
        let verdict = match (code, summary.contains(" 0 warnings")) {
            (0, true) => {
                clean += 1;
                "clean"
            }
            (0, false) => {
                warned += 1;
                "warned"
            }
            _ => {
                refused += 1;
                "refused"
            }
        };
        // Empty names are never printed as ``.
        for l in out
            .lines()
            .filter(|l| l.starts_with("warning: ") || l.starts_with("error: "))
        {
            let b = l.as_bytes();
            let empty = (0..b.len().saturating_sub(1)).any(|i| {
                b[i] == b'`'
                    && b[i + 1] == b'`'
                    && (i == 0 || b[i - 1] != b'`')
                    && b.get(i + 2) != Some(&b'`')
            });
            assert!(!empty, "{file}: {l}");
        }
        eprintln!("{file}: {verdict}: {summary}");
    }
    eprintln!(
        "corpus: {} files, {clean} clean, {warned} warned, {refused} refused, checked in {:?}",
        EXPECTED.len(),
        started.elapsed()
    );
    assert_eq!(clean + warned + refused, EXPECTED.len());
}

#[test]
fn importing_a_notebook_with_nothing_to_run_is_not_green() {
    let Some(dir) = corpus() else { return };
    let nb = dir.join("notebooks/kubeflow-xgboost_synthetic_build-train-deploy.ipynb");
    let out = tempfile::tempdir().unwrap();
    let lesson_dir = out.path().join("l");
    let (code, text) = kubetutor(&[
        "import",
        nb.to_str().unwrap(),
        "-o",
        lesson_dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("error: nothing in it would run, so no lesson was written"),
        "{text}"
    );
    assert!(text.contains("`!cmd` lines or `%%bash` cells"), "{text}");
    assert!(!lesson_dir.exists(), "nothing written: {text}");
    // The interpolating `!` lines are kept, shown, never run.
    let lesson = kubetutor::lesson::import::import_path(&nb)
        .expect("imports")
        .markdown;
    assert!(
        lesson.contains(
            "```sh {run=false}\nkubectl get jobs -l fairing-id={train_deployer.job_id} -o yaml"
        ),
        "{lesson}"
    );
}

#[test]
fn a_python_kernel_notebook_runs_each_bang_line_in_a_fresh_shell() {
    let dir = tempfile::tempdir().unwrap();
    let nb = serde_json::json!({
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "# Shells\n\n## Go"},
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1,
             "source": "!mkdir -p sub\n!cd sub\n!pwd > where.txt"},
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 2,
             "source": "%%bash\ncd sub\nexport X=1"},
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 3,
             "source": "!echo \"[$X]\" >> where.txt\n# !rm -r sub"}
        ]
    });
    let path = dir.path().join("shells.ipynb");
    std::fs::write(&path, nb.to_string()).unwrap();
    let (code, out) = kubetutor(&["run", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    let here = dir.path().canonicalize().unwrap();
    let written = std::fs::read_to_string(here.join("where.txt")).expect("where.txt in the folder");
    assert_eq!(written, format!("{}\n[]\n", here.display()), "{out}");
    assert!(here.join("sub").is_dir(), "the commented-out rm never ran");
}
