//! Narrow terminals (issue 18, item 10): help and quit stay in the key bar, hidden panes say
//! so and what brings them back, and a notice the bar had to cut can be read in full with `!`.

use kubetutor::app::{Action, Overlay};

use super::render::{draw_plain, open_plain, rows};

const LONG: &str = "Not run: kubectl could not reach the cluster at https://127.0.0.1:16443 \
                    (failed to download the OpenAPI schema: connection refused)";

#[test]
fn help_and_quit_stay_in_the_key_bar_at_every_width() {
    let (mut app, mut view) = open_plain("basic.md");
    for width in [40, 50, 60, 80, 100] {
        let terminal = draw_plain(&mut app, &mut view, width, 12);
        let bar = rows(&terminal).last().cloned().expect("a status bar");
        assert!(bar.contains("? help  q quit"), "{width}: {bar}");
    }
}

#[test]
fn a_cut_notice_points_to_bang_and_bang_shows_it_whole() {
    let (mut app, mut view) = open_plain("basic.md");
    app.update(Action::Notice(LONG.into()));
    let terminal = draw_plain(&mut app, &mut view, 60, 14);
    let bar = rows(&terminal).last().cloned().expect("a status bar");
    assert!(bar.contains("! more  ? help  q quit"), "{bar}");
    insta::assert_snapshot!("cut_notice_bar", terminal.backend());

    app.update(Action::ShowNotices);
    assert_eq!(app.overlay, Some(Overlay::Notices));
    let terminal = draw_plain(&mut app, &mut view, 60, 14);
    let text: String = rows(&terminal)
        .iter()
        .map(|r| r.trim_matches(|c| c == '│' || c == ' ').to_string())
        .collect::<Vec<_>>()
        .join(" ");
    for word in ["16443", "OpenAPI", "refused)"] {
        assert!(text.contains(word), "{word} missing from {text}");
    }
    insta::assert_snapshot!("notices_overlay", terminal.backend());
    app.update(Action::Dismiss);
    assert_eq!(app.overlay, None);
}

#[test]
fn notices_are_kept_newest_last_and_bounded() {
    let (mut app, _) = open_plain("basic.md");
    for i in 0..30 {
        app.update(Action::Notice(format!("notice {i}")));
    }
    assert_eq!(app.notices.len(), 20);
    assert_eq!(app.notices.back().map(String::as_str), Some("notice 29"));
    assert_eq!(app.notices.front().map(String::as_str), Some("notice 10"));
}

#[test]
fn hidden_panes_say_so_and_resizing_brings_them_back() {
    let (mut app, mut view) = open_plain("basic.md");
    let terminal = draw_plain(&mut app, &mut view, 80, 16);
    let text = rows(&terminal).join("\n");
    assert!(
        text.contains("panes hidden: needs ≥ 90 columns (now 80), `<`/`>` to resize"),
        "{text}"
    );
    insta::assert_snapshot!("hidden_panes", terminal.backend());

    app.update(Action::ResizeSplit(-5));
    let text = rows(&draw_plain(&mut app, &mut view, 80, 16)).join("\n");
    assert!(!text.contains("panes hidden"), "{text}");
    assert!(text.contains(" sentinel "), "the panes are drawn: {text}");
}

#[test]
fn too_narrow_for_any_split_says_to_widen() {
    let (mut app, mut view) = open_plain("basic.md");
    let text = rows(&draw_plain(&mut app, &mut view, 60, 16)).join(" ");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("panes hidden: needs ≥ 90 columns (now 60), widen the terminal,"),
        "{text}"
    );
}

/// The real binary on a 60-column tmux: the key bar keeps `? help  q quit`, a notice cut to the
/// bar says `! more`, and `!` shows it whole.
#[test]
fn tmux_narrow_key_bar_and_bang() {
    use crate::tmux::{Launch, Tmux, installed};
    if crate::skip::needs(installed().then_some(()), "tmux (scripts/deps installs it)").is_none() {
        return;
    }
    let tmux = Tmux::launch(Launch::shell().size(60, 20));
    tmux.wait_for(crate::tmux::PROMPT);
    let state = tmux.state.path().display().to_string();
    let bin = env!("CARGO_BIN_EXE_kubetutor");
    let lesson = super::e2e::fixture();
    tmux.type_line(&format!("XDG_STATE_HOME={state} {bin} {lesson}"));
    tmux.wait_for("Step 1/2");
    assert!(tmux.wait_for("? help  q quit").contains("? help  q quit"));

    tmux.send(&["n"]);
    tmux.send(&["Enter"]);
    tmux.wait_for("running");
    tmux.send(&["Enter"]);
    let screen = tmux.wait_for("! more  ? help  q quit");
    assert!(!screen.contains("Ctrl-C cancels it."), "{screen}");
    tmux.send(&["!"]);
    let screen = tmux.wait_for("last notices");
    let flat = screen.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("This command is already running; Ctrl-C") && flat.contains("cancels it."),
        "{screen}"
    );
    tmux.send(&["Escape"]);
    tmux.send(&["C-c"]);
    tmux.wait_for("cancelled");
    tmux.send(&["q"]);
    tmux.wait_exit();
}

/// Item 1: a failed cell's long hint wraps inside its frame (it used to end in `…`).
#[test]
fn a_long_hint_wraps_whole_in_a_narrow_cell() {
    use kubetutor::exec::{ExecEvent, Outcome};
    use std::time::Duration;
    let (mut app, mut view) = open_plain("basic.md");
    app.update(Action::NextStep);
    let fails = app
        .cells
        .iter()
        .position(|c| c.id == "fails")
        .expect("fails");
    let hint = "check that the sentinel on 127.0.0.1:26479 was started in step 3, \
                then run `redis-cli -p 26479 sentinel get-master-addr-by-name mymaster`";
    app.cells[fails].hint = Some(hint.into());
    app.update(Action::Exec(ExecEvent::Started {
        cell: fails,
        attempt: 1,
    }));
    let outcome = Outcome::Failed {
        code: Some(3),
        signal: None,
    };
    let duration = Duration::from_millis(300);
    app.update(Action::Exec(ExecEvent::Finished {
        cell: fails,
        outcome,
        duration,
    }));
    let terminal = draw_plain(&mut app, &mut view, 50, 30);
    let flat = rows(&terminal)
        .iter()
        .map(|r| r.replace(['│', '█', '║'], " "))
        .collect::<Vec<_>>()
        .join(" ");
    let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(&format!(
            "hint: {}",
            hint.split_whitespace().collect::<Vec<_>>().join(" ")
        )),
        "{flat}"
    );
    insta::assert_snapshot!("long_hint", terminal.backend());
}
