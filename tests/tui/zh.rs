//! Issue 18, item 9: a zh-CN lesson gets the interface in Chinese from the zh catalogue:
//! status bar, key hints, step headings, cell frames, the help and the quit dialog.

use std::path::Path;
use std::sync::Arc;

use kubetutor::app::{Action, App, UiLang};
use kubetutor::tui::lesson_view::LessonView;
use kubetutor::tui::theme::Theme;

use super::render::{draw_plain, rows};

fn zh_lesson() -> (App, LessonView) {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/redis-sentinel-local/lesson.zh-CN.md");
    let source = std::fs::read_to_string(&path).expect("the zh-CN lesson");
    let lesson = kubetutor::lesson::parse(&path, &source).expect("parses");
    let view = LessonView::new(&lesson, Theme::plain());
    (App::new(Arc::new(lesson), false), view)
}

fn screen(app: &mut App, view: &mut LessonView) -> (String, String) {
    let terminal = draw_plain(app, view, 110, 30);
    let rows = rows(&terminal);
    (rows.join("\n"), rows.last().cloned().unwrap_or_default())
}

#[test]
fn a_zh_cn_lesson_has_chinese_chrome() {
    let (mut app, mut view) = zh_lesson();
    assert_eq!(app.lang, UiLang::Chinese);
    assert!(
        app.sentinel_state.starts_with("sentinel：等待 127.0.0.1:"),
        "{}",
        app.sentinel_state
    );
    app.panes.sentinel = false;
    app.panes.jobs = false;
    let (text, bar) = screen(&mut app, &mut view);
    assert!(bar.contains("尚未运行"), "{bar}");
    assert!(bar.contains("? 帮助  q 退出"), "{bar}");
    assert!(bar.contains("上下文 -"), "{bar}");
    assert!(text.contains("第 1/"), "step heading: {text}");
    assert!(text.contains("未运行"), "cell status: {text}");
    assert!(
        !text.contains("Step 1/") && !text.contains(" idle "),
        "{text}"
    );

    app.update(Action::ToggleHelp);
    let (text, _) = screen(&mut app, &mut view);
    assert!(text.contains("按键"), "{text}");
    assert!(text.contains("运行本步的所有命令"), "{text}");
}

#[test]
fn an_english_lesson_keeps_english_chrome() {
    assert_eq!(
        UiLang::of_lesson(Path::new("lessons/redis-sentinel-local/lesson.md")),
        UiLang::English
    );
    assert_eq!(
        UiLang::of_lesson(Path::new("x/lesson.zh-CN.md")),
        UiLang::Chinese
    );
    assert_eq!(
        UiLang::of_lesson(Path::new("x/lesson.zh.md")),
        UiLang::Chinese
    );
    assert_eq!(
        UiLang::of_lesson(Path::new("x/lesson.fr.md")),
        UiLang::English
    );
}

/// The app's notices come from the same catalogue.
#[test]
fn a_zh_cn_lessons_notices_are_chinese() {
    let (mut app, mut view) = zh_lesson();
    app.update(Action::Cancel);
    assert_eq!(
        app.notice.as_deref(),
        Some("没有正在运行的命令。按 q 退出。")
    );
    let (_, bar) = screen(&mut app, &mut view);
    assert!(bar.contains("没有正在运行的命令"), "{bar}");
    app.update(Action::ToggleWrap);
    assert_eq!(
        app.notice.as_deref(),
        Some("输出不再自动换行：←/→ 左右滚动，w 恢复换行")
    );
}
