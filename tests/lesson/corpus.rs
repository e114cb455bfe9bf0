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
    ("markdown/runmedocs-cell-level.md", true),
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
