use std::path::Path;

use kubetutor::lesson::{LessonError, bundled, load};

#[test]
fn bundled_lessons_are_listed_and_load_by_slug() {
    // Tests run in the crate root, where lessons/ is part of the checkout: never a skip.
    assert!(
        Path::new("lessons").is_dir(),
        "no lessons/ in the crate root"
    );
    let list = bundled();
    assert!(!list.is_empty());
    for b in &list {
        assert!(b.path.join("lesson.md").is_file(), "{b:?}");
        assert_eq!(
            b.path.file_name().map(|n| n.to_string_lossy().to_string()),
            Some(b.slug.clone())
        );
        for t in &b.translations {
            assert!(b.path.join(format!("lesson.{t}.md")).is_file(), "{b:?}");
        }
        let lesson = load(&b.slug, None).unwrap_or_else(|e| panic!("{}: {e}", b.slug));
        assert_eq!(lesson.steps.len(), b.steps, "{}", b.slug);
        for t in &b.translations {
            let l = load(&b.slug, Some(t)).unwrap_or_else(|e| panic!("{} {t}: {e}", b.slug));
            assert!(l.path.ends_with(format!("lesson.{t}.md")));
        }
    }
}

#[test]
fn load_by_folder_file_and_lang() {
    let good = "tests/fixtures/lesson/good";
    let en = load(good, Some("en")).expect("loads lesson.md");
    assert_eq!(en.meta.title, "A good lesson");
    let zh = load(good, Some("zh-CN")).expect("loads the translation");
    assert_eq!(zh.meta.title, "一个好课程");
    assert_eq!(zh.steps[0].title, "部署");
    let file = load("tests/fixtures/lesson/good/lesson.md", None).expect("loads a file");
    assert_eq!(file.cells().len(), 3);
    assert!(matches!(
        load(good, Some("fr")),
        Err(LessonError::NoTranslation { .. })
    ));
}

#[test]
fn load_errors_are_typed_and_readable() {
    let bad = "tests/fixtures/lesson/bad";
    let err = |p: &str| load(&format!("{bad}/{p}"), None).err();
    assert!(matches!(err("empty.md"), Some(LessonError::Empty { .. })));
    assert!(matches!(err("binary.md"), Some(LessonError::Binary { .. })));
    assert!(matches!(
        err("not-utf8.md"),
        Some(LessonError::NotUtf8 { line: 2, .. })
    ));
    assert!(matches!(
        err("no-lesson-md"),
        Some(LessonError::NoLessonFile { .. })
    ));
    let Some(LessonError::Invalid { diagnostics, .. }) = err("retry-abc.md") else {
        panic!("expected Invalid")
    };
    assert_eq!(diagnostics[0].message, "`retry` is not a duration: `abc`");
    let text = err("no-lesson-md")
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(text.starts_with("tests/fixtures/lesson/bad/no-lesson-md: no lesson.md here; expected a folder with lesson.md, a .md file, or one of: "), "{text}");
}
