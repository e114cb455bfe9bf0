use super::*;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write fixture");
}

#[test]
fn locale_to_translation_code() {
    assert_eq!(lang_from_locale("zh_CN.UTF-8").as_deref(), Some("zh-CN"));
    assert_eq!(lang_from_locale("de_DE@euro").as_deref(), Some("de-DE"));
    assert_eq!(lang_from_locale("C.UTF-8"), None);
    assert_eq!(lang_from_locale("POSIX"), None);
    assert_eq!(lang_from_locale(""), None);
}

#[test]
fn picks_translation_by_flag_then_locale_then_default() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(d, "lesson.md", "# T\n");
    write(d, "lesson.zh-CN.md", "# 中\n");
    assert_eq!(translations(d), vec!["zh-CN"]);
    let pick = |lang, locale| {
        lesson_file(d, lang, locale).map(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
    };
    assert_eq!(
        pick(Some("zh-CN"), None).ok().flatten().as_deref(),
        Some("lesson.zh-CN.md")
    );
    assert_eq!(
        pick(Some("zh"), None).ok().flatten().as_deref(),
        Some("lesson.zh-CN.md")
    );
    assert_eq!(
        pick(None, Some("zh-CN")).ok().flatten().as_deref(),
        Some("lesson.zh-CN.md")
    );
    assert_eq!(
        pick(None, Some("fr-FR")).ok().flatten().as_deref(),
        Some("lesson.md")
    );
    assert_eq!(
        pick(None, None).ok().flatten().as_deref(),
        Some("lesson.md")
    );
    assert_eq!(
        pick(Some("en"), None).ok().flatten().as_deref(),
        Some("lesson.md")
    );
    let err = pick(Some("fr"), None)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.ends_with("no translation `fr`; available: zh-CN"),
        "{err}"
    );
}

#[test]
fn folder_without_lesson_md_names_the_fix() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let err = load(&tmp.path().to_string_lossy(), None)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("no lesson.md here; expected a folder with lesson.md, a .md file, or one of:"),
        "{err}"
    );
}

#[test]
fn unreadable_inputs_are_typed_errors() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    std::fs::write(d.join("bin.md"), b"# x\0\x01").expect("write");
    std::fs::write(d.join("latin1.md"), b"# T\n\ncaf\xe9\n").expect("write");
    write(d, "empty.md", " \n\n");
    let f = std::fs::File::create(d.join("huge.md")).expect("create");
    f.set_len(MAX_LESSON_BYTES as u64 + 1).expect("set_len");
    let err = |n: &str| read_source(&d.join(n)).err();
    assert!(matches!(err("bin.md"), Some(LessonError::Binary { .. })));
    assert!(matches!(
        err("latin1.md"),
        Some(LessonError::NotUtf8 { line: 3, .. })
    ));
    assert!(matches!(err("empty.md"), Some(LessonError::Empty { .. })));
    assert!(matches!(err("huge.md"), Some(LessonError::TooLarge { .. })));
    assert!(matches!(err("missing.md"), Some(LessonError::Io { .. })));
}

#[test]
fn invalid_lesson_error_renders_diagnostics() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let p = tmp.path().join("l.md");
    write(
        tmp.path(),
        "l.md",
        "# T\n\n## S\n```sh {retry=abc verify}\nx\n```\n",
    );
    let err = load(&p.to_string_lossy(), None)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.starts_with("error: `retry` is not a duration: `abc`\n") && err.contains("l.md:4:14\n"),
        "{err}"
    );
    assert!(err.ends_with("1 error, 0 warnings in 1 file"), "{err}");
    let brief = load(&p.to_string_lossy(), None)
        .err()
        .map(|e| e.brief())
        .unwrap_or_default();
    assert!(
        brief.ends_with("l.md:4:14: error: `retry` is not a duration: `abc`"),
        "{brief}"
    );
}

#[test]
fn unknown_slug_lists_what_exists() {
    let err = resolve("no-such-lesson-xyz", None)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.starts_with("no-such-lesson-xyz: no such lesson; expected"),
        "{err}"
    );
}
