use std::process::Command;

fn kubetutor(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kubetutor"))
        .args(args)
        .output()
        .expect("run kubetutor");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
    )
}

#[test]
fn check_exits_zero_when_clean_and_one_on_errors() {
    let (code, out) = kubetutor(&["check", "tests/fixtures/lesson/good"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "0 errors, 0 warnings in 2 files\n")
    );
    let (code, out) = kubetutor(&["check", "tests/fixtures/lesson/bad/retry-abc.md"]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with(
            "error: `retry` is not a duration: `abc`\n --> tests/fixtures/lesson/bad/retry-abc.md:7:26\n"
        ),
        "{out}"
    );
    assert!(out.ends_with("\n1 error, 0 warnings in 1 file\n"), "{out}");
}

#[test]
fn check_warnings_alone_exit_zero() {
    let (code, out) = kubetutor(&["check", "tests/fixtures/lesson/bad/deep-lists.md"]);
    assert_eq!(code, 0, "{out}");
    // Nesting flattened, and no runnable cell.
    assert!(out.ends_with("0 errors, 2 warnings in 1 file\n"), "{out}");
}

#[test]
fn bundled_lessons_pass_check() {
    // Tests run in the crate root, where lessons/ is part of the checkout: never a skip.
    let entries = std::fs::read_dir("lessons").expect("lessons/ in the crate root");
    let mut checked = 0;
    for e in entries
        .filter_map(Result::ok)
        .filter(|e| e.path().join("lesson.md").is_file())
    {
        let path = e.path().to_string_lossy().to_string();
        let (code, out) = kubetutor(&["check", &path]);
        assert_eq!(code, 0, "{path}:\n{out}");
        checked += 1;
    }
    assert!(checked >= 2, "only {checked} bundled lessons found");
}

/// Every refusal names `error:` once: a lesson's own diagnostic is printed as it is, other
/// failures get the `kubetutor: error:` prefix.
#[test]
fn refusals_print_error_once() {
    let bad = "tests/fixtures/lesson/bad/retry-abc.md";
    let cases: [&[&str]; 5] = [
        &["run", bad],
        &["doctor", bad],
        &[bad],
        &["run", "tests/fixtures/lesson/no-such-lesson.md"],
        &["import", "tests/fixtures/lesson/no-such.ipynb"],
    ];
    for args in cases {
        let out = Command::new(env!("CARGO_BIN_EXE_kubetutor"))
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run kubetutor");
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err.lines().next().unwrap_or_default();
        assert_eq!(first.matches("error:").count(), 1, "{args:?}: {err}");
        assert_eq!(err.matches("error: error:").count(), 0, "{args:?}: {err}");
    }
}

#[test]
fn check_only_keeps_the_named_cells_and_refuses_unknown_ids() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("two.md");
    let text = "# T\n\n## S\n\n```sh {id=a retry=abc}\necho a\n```\n\n```sh {id=b retry=xyz}\necho b\n```\n";
    std::fs::write(&path, text).expect("write lesson");
    let path = path.to_string_lossy().to_string();
    let (code, out) = kubetutor(&["check", "--only", "b", &path]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("error: `retry` is not a duration: `xyz`\n --> ") && out.contains(":9:19\n"),
        "{out}"
    );
    assert!(!out.contains("`abc`"), "{out}");
    assert!(out.ends_with("1 error, 1 warning in 1 file\n"), "{out}");
    let (code, out) = kubetutor(&["check", "--only", "a,zz", &path]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("`abc`") && !out.contains("`xyz`"), "{out}");
    assert!(
        out.contains("error: --only: no cell with id `zz`; ids in the checked files: a, b\n"),
        "{out}"
    );
}
