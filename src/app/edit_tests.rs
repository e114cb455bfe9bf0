//! Editing a command, running the edit (alone or in its step) and reverting it.

use crossterm::event::KeyCode;

use super::tests::{app, finished, key};
use super::*;
use crate::exec::Outcome;
use crate::tui::keymap::map_key;

fn edit_to(app: &mut App, code: &str) -> Vec<Effect> {
    app.update(Action::Edited {
        cell: 0,
        code: Some(code.into()),
    })
}

#[test]
fn edit_then_run_uses_the_edited_code() {
    let mut app = app(false);
    assert_eq!(
        app.update(Action::Edit),
        vec![Effect::Edit {
            cell: 0,
            code: "echo a".into()
        }]
    );
    // The edit is shown, not run: Enter runs it (an edited `kubectl delete` is read first).
    assert_eq!(edit_to(&mut app, "echo b"), Vec::new());
    assert_eq!(app.focus, Some(0));
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.contains("Enter runs your version"))
    );
    assert_eq!(app.code_of(0).as_deref(), Some("echo b"));
    assert_eq!(
        app.update(Action::RunFocused),
        vec![Effect::Run {
            cells: vec![(0, Some("echo b".into()))]
        }]
    );
    assert!(app.runs[0].ran_edited);
    app.update(finished(0, Outcome::Passed));
    // Enter runs the kept edit again, not the lesson's code.
    assert_eq!(
        app.update(Action::RunFocused),
        vec![Effect::Run {
            cells: vec![(0, Some("echo b".into()))]
        }]
    );
}

#[test]
fn a_step_runs_edited_and_lesson_code_together() {
    let mut app = app(false);
    app.cluster = Some(ClusterTarget::default());
    edit_to(&mut app, "echo b");
    app.update(finished(0, Outcome::Passed));
    assert_eq!(
        app.update(Action::RunStep),
        vec![Effect::Run {
            cells: vec![(0, Some("echo b".into())), (1, None)]
        }]
    );
    assert!(app.runs[0].ran_edited && !app.runs[1].ran_edited);
}

#[test]
fn reverting_returns_to_the_lesson_code() {
    let mut app = app(false);
    edit_to(&mut app, "echo b");
    app.update(finished(0, Outcome::Passed));
    assert_eq!(
        map_key(key(KeyCode::Char('E')), None),
        Some(Action::RevertEdit)
    );
    app.update(Action::RevertEdit);
    assert_eq!(app.runs[0].edited, None);
    assert_eq!(app.code_of(0).as_deref(), Some("echo a"));
    assert_eq!(app.update(Action::RunFocused), vec![Effect::run(vec![0])]);
    assert!(!app.runs[0].ran_edited);
    app.update(Action::RevertEdit);
    assert!(app.notice.as_deref().is_some_and(|n| n.contains("no edit")));
}

#[test]
fn saving_the_lesson_code_in_the_editor_reverts() {
    let mut app = app(false);
    edit_to(&mut app, "echo b");
    app.update(finished(0, Outcome::Passed));
    assert_eq!(edit_to(&mut app, "echo a\n"), Vec::new());
    assert_eq!(app.runs[0].edited, None);
    assert_eq!(app.update(Action::RunFocused), vec![Effect::run(vec![0])]);
}

#[test]
fn an_edit_that_calls_kubectl_asks_for_the_cluster_first() {
    let mut app = app(false);
    assert_eq!(edit_to(&mut app, "kubectl get ns"), Vec::new());
    assert_eq!(
        app.update(Action::RunFocused),
        vec![Effect::PrepareCluster(vec![0])]
    );
}
