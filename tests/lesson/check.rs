use std::path::Path;

use kubetutor::lesson::check::check_args;

const BAD: &str = "tests/fixtures/lesson/bad";

/// `check` output for one fixture, with the list of bundled lessons (which changes as lessons
/// are added) replaced by a placeholder.
fn render(arg: &str) -> String {
    let text = check_args(&[arg.to_string()]).render(false);
    match text.find("or one of: ") {
        Some(i) => {
            let end = text[i..].find('\n').map_or(text.len(), |e| i + e);
            format!("{}or one of: <bundled lessons>{}", &text[..i], &text[end..])
        }
        None => text,
    }
}

macro_rules! snapshot {
    ($name:ident, $file:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), render(&format!("{BAD}/{}", $file)));
        }
    };
}

snapshot!(malformed_yaml, "malformed-yaml.md");
snapshot!(unknown_key, "unknown-key.md");
snapshot!(unterminated_fence, "unterminated-fence.md");
snapshot!(duplicate_id, "duplicate-id.md");
snapshot!(retry_abc, "retry-abc.md");
snapshot!(unknown_attribute, "unknown-attribute.md");
snapshot!(bad_values, "bad-values.md");
snapshot!(undefined_var, "undefined-var.md");
snapshot!(missing_file, "missing-file.md");
snapshot!(empty_file, "empty.md");
snapshot!(binary_file, "binary.md");
snapshot!(not_utf8, "not-utf8.md");
snapshot!(deep_lists, "deep-lists.md");
snapshot!(folder_without_lesson_md, "no-lesson-md");
snapshot!(no_such_lesson, "does-not-exist.md");
snapshot!(schema_and_style, "schema.md");

#[test]
fn huge_file_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("huge.md");
    let line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n";
    let text = format!(
        "# Huge\n\n## Step\n{}",
        line.repeat(10 * 1024 * 1024 / line.len() + 1)
    );
    std::fs::write(&path, text).expect("write");
    let report = check_args(&[path.to_string_lossy().to_string()]);
    let out = report
        .render(false)
        .replace(&tmp.path().display().to_string(), "<tmp>");
    insta::assert_snapshot!("huge_file", out);
}

#[test]
fn good_lesson_and_its_translation_are_clean() {
    let report = check_args(&["tests/fixtures/lesson/good".to_string()]);
    assert_eq!(report.render(false), "0 errors, 0 warnings in 2 files\n");
}

#[test]
fn every_bad_fixture_reports_an_error() {
    let entries = std::fs::read_dir(BAD).expect("fixtures");
    for e in entries.filter_map(Result::ok) {
        let name = e.file_name().to_string_lossy().to_string();
        if name == "deep-lists.md" {
            continue; // deep nesting is legal Markdown: a warning, not an error
        }
        let report = check_args(&[Path::new(BAD).join(&name).to_string_lossy().to_string()]);
        assert!(report.errors() > 0, "{name}: {}", report.render(false));
    }
}

#[test]
fn several_arguments_are_summed() {
    let args = [
        format!("{BAD}/retry-abc.md"),
        format!("{BAD}/duplicate-id.md"),
        "tests/fixtures/lesson/good".into(),
    ];
    let report = check_args(&args);
    assert!(
        report
            .render(false)
            .ends_with("2 errors, 0 warnings in 4 files\n"),
        "{}",
        report.render(false)
    );
}

#[test]
fn translation_drift_is_a_warning() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tmp.path().join("lesson.md"),
        "# T\n## A\n```sh\necho a\n```\n## B\n```sh\necho b\n```\n",
    )
    .expect("write");
    std::fs::write(
        tmp.path().join("lesson.fr.md"),
        "# T\n## A\n```sh\necho a\n```\n",
    )
    .expect("write");
    let report = check_args(&[tmp.path().to_string_lossy().to_string()]);
    assert_eq!(
        (report.errors(), report.warnings(), report.files),
        (0, 1, 2)
    );
    assert!(
        report.diagnostics[0].message.starts_with(
            "this translation has 1 steps and 1 runnable cells; lesson.md has 2 and 2"
        )
    );
}

#[test]
fn placeholders_are_named_as_placeholders_and_logs_f_follows() {
    let dir = tempfile::tempdir().unwrap();
    let lesson = dir.path().join("lesson.md");
    std::fs::write(
        &lesson,
        "# T\n\n## S\n\n```sh\nkubectl logs -f web-0\nkubectl describe pod <pod-name>\n```\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kubetutor"))
        .args(["check", lesson.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("`<pod-name>` is a placeholder: replace it"),
        "{text}"
    );
    assert!(text.contains("syntax error near `newline`"), "{text}");
    assert!(
        !text.contains("web-0"),
        "logs -f follows, web-0 is no file: {text}"
    );
    assert!(!text.contains("`pod-name` is not"), "{text}");
}
