//! The terminal UI: the only module that imports ratatui. It renders `app` state and performs
//! the effects `App::update` asks for.

mod cell;
mod cell_frame;
pub mod dashboard;
mod editor;
mod effects_block;
mod highlight;
mod jobs_pane;
pub mod keymap;
pub mod lesson_view;
pub mod logging;
mod markdown;
mod notes_server;
mod panes;
pub mod picker;
pub mod pods_pane;
pub mod recording;
mod runtime;
pub mod screen;
mod search;
pub mod sentinel_pane;
mod table;
pub mod term_keys;
pub mod terminal;
pub mod terminal_cell;
pub mod theme;
mod width;
mod wrap;

use std::process::ExitCode;

use anyhow::Context as _;
use crossterm::event::{Event, EventStream};
use futures::StreamExt;

use crate::app::picker::{Picker, PickerOutcome};
use crate::cli::OpenArgs;
use crate::lesson;

use runtime::{LessonOptions, Opened, Signals};
use terminal::TerminalGuard;
use theme::Theme;

/// `kubetutor [LESSON]`: the full-screen UI.
pub fn cli_open(args: OpenArgs) -> anyhow::Result<ExitCode> {
    let _log = logging::init();
    let theme = Theme::detect();
    let lang = args.common.lang.clone();
    // A lesson named on the command line is loaded before the screen is taken, so its errors
    // print like any other command's.
    let lesson = match &args.lesson {
        Some(arg) => Some(lesson::load(arg, lang.as_deref())?),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let mut signals = {
        let _inside = runtime.enter();
        Signals::new().context("cannot install signal handlers")?
    };
    let opts = || LessonOptions {
        present: args.present,
        typing_speed: args.typing_speed.0,
        reset: args.reset,
        lesson_args: args.common.clone(),
        theme,
    };
    // Everything slow (the app for 100k cells, the saved progress) before the screen is
    // taken: a hang or an error here leaves a normal terminal.
    let title = lesson.as_ref().map_or("kubetutor".to_string(), |l| {
        format!("kubetutor: {}", l.meta.title)
    });
    let opened = lesson.map(|l| Opened::new(l, opts()));
    // Created before the screen is taken: a file that exists is an error like any other.
    let cast = match &args.record {
        Some(path) => {
            let (width, height) = crossterm::terminal::size().unwrap_or((80, 24));
            let cast = recording::Cast::create(path, width, height, &title).with_context(|| {
                format!(
                    "--record {}: cannot create it (an existing file is never overwritten)",
                    path.display()
                )
            })?;
            Some(cast)
        }
        None => None,
    };
    let mut guard =
        TerminalGuard::enter(cast).context("cannot switch the terminal to full-screen mode")?;
    let result = runtime.block_on(async {
        let opened = match opened {
            Some(opened) => opened,
            None => match pick(&mut guard, &theme, &mut signals).await? {
                Some(path) => Opened::new(lesson::load(&path, lang.as_deref())?, opts()),
                None => return Ok(()),
            },
        };
        runtime::run_lesson(&mut guard, opened, &mut signals).await
    });
    drop(guard);
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    // What left its process group (daemons) is found by the mark every cell carries.
    crate::exec::proc::kill_all_now();
    result.map(|()| ExitCode::SUCCESS)
}

/// The lesson picker; None when the user quit.
async fn pick(
    guard: &mut TerminalGuard,
    theme: &Theme,
    signals: &mut Signals,
) -> anyhow::Result<Option<String>> {
    let mut picker = Picker::new(lesson::bundled());
    let mut events = EventStream::new();
    loop {
        guard.terminal.draw(|f| picker::draw(f, &picker, theme))?;
        let event = tokio::select! {
            event = events.next() => event,
            _ = signals.quit() => None,
        };
        let Some(event) = event else { return Ok(None) };
        if let Event::Key(key) = event?
            && let Some(input) = picker::map_key(key)
        {
            match picker.apply(input) {
                PickerOutcome::Stay => {}
                PickerOutcome::Open(path) => return Ok(Some(path)),
                PickerOutcome::Quit => return Ok(None),
            }
        }
    }
}
