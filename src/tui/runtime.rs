//! The event loop: one `tokio::select!` over terminal input, engine events, background
//! results, signals and (only while something animates) a tick. Draws only when the state
//! changed, at most once per frame interval, after draining queued engine events.

use crate::effects::Observed;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context as _;
use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use super::keymap::{map_key, map_mouse, typing_key};
use super::notes_server::NotesServer;
use super::term_keys::term_key;
use crate::app::progress::{self, Progress};
use crate::app::progress_lock;
use crate::app::{Action, App, CellStatus, ClusterTarget, Effect};
use crate::cli::LessonArgs;
use crate::exec::listening::listening_ports;
use crate::exec::{Engine, EngineHandle, EngineOptions, Gate, TermSpec};
use crate::kube::model::PodsUpdate;
use crate::kube::session::{ClusterSession, Prepared};
use crate::lesson::{CellIndex, Lesson};
use crate::sentinel::{SentinelUpdate, Wake, WakeHandle, wake_channel};

use super::editor;
use super::lesson_view::LessonView;
use super::panes;
use super::screen;
use super::terminal::{Osc52, TerminalGuard, copy_notice, copy_osc52, osc52_support};
use super::theme::Theme;
use crate::text::Notice;

/// Spinner and elapsed-time refresh while something runs.
const TICK: Duration = Duration::from_millis(100);
/// At most ~60 frames a second, however fast output arrives.
const FRAME: Duration = Duration::from_millis(16);
/// Time spent folding queued engine events into the state before the next frame.
const DRAIN: Duration = Duration::from_millis(8);

/// Messages from helper tasks back to the loop.
pub(super) enum Msg {
    Action(Action),
    /// `prepare` finished: the target to confirm, or why not.
    Cluster {
        prepared: Result<Prepared, String>,
        pending: Vec<CellIndex>,
    },
    /// The lesson laid out again (with syntax highlighting, or after a reload), for this
    /// version of the lesson (dropped when the lesson was reloaded since).
    View(Box<LessonView>, Arc<Lesson>),
}

pub struct LessonOptions {
    pub present: bool,
    /// Present mode's typing speed (characters per second), None for no typing.
    pub typing_speed: Option<u32>,
    pub reset: bool,
    pub lesson_args: LessonArgs,
    pub theme: Theme,
}

pub(super) struct Runtime {
    pub(super) engine: EngineHandle,
    pub(super) tx: mpsc::Sender<Msg>,
    pub(super) lesson: Arc<Lesson>,
    pub(super) progress_file: Option<PathBuf>,
    /// The lesson's cluster session, shared with the engine's gate.
    pub(super) cluster: ClusterSession,
    /// Prepared and shown to the learner, waiting for a yes (confirmation lives in the app).
    pub(super) prepared: Option<Prepared>,
    /// Set when the loop must hand the terminal to the editor.
    pub(super) edit: Option<(CellIndex, String)>,
    /// Writes progress off the loop (the newest snapshot wins).
    pub(super) saver: Option<Saver>,
    pub(super) sentinel_tx: mpsc::Sender<SentinelUpdate>,
    /// Pokes the sentinel monitor when a background job starts.
    pub(super) sentinel_wake: WakeHandle,
    pub(super) sentinel_woken: Wake,
    pub(super) pods_tx: mpsc::Sender<PodsUpdate>,
    /// Kubernetes Events, as effects for the cell that caused them.
    pub(super) events_tx: mpsc::Sender<Observed>,
    /// `--workshop NAME`, and the progress publisher once the cluster is confirmed.
    pub(super) workshop: Option<String>,
    pub(super) publisher: Option<crate::workshop::progress::Publisher>,
    pub(super) theme: Theme,
}

/// How often the lesson file is looked at for changes (a stat: nothing is read unless it
/// changed).
const LESSON_POLL: Duration = Duration::from_secs(1);

/// Watches the lesson file: when its size or modification time changes (and stays put for a
/// moment: editors write in steps), it is loaded again off the loop and the new version, or
/// why it does not parse, is sent to the app.
fn watch_lesson_file(path: PathBuf, tx: mpsc::Sender<Msg>) {
    let stamp =
        |meta: std::io::Result<std::fs::Metadata>| meta.ok().map(|m| (m.modified().ok(), m.len()));
    tokio::spawn(async move {
        let mut last = stamp(tokio::fs::metadata(&path).await);
        loop {
            tokio::time::sleep(LESSON_POLL).await;
            if tx.is_closed() {
                return;
            }
            let now = stamp(tokio::fs::metadata(&path).await);
            if now == last || now.is_none() {
                continue;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            let settled = stamp(tokio::fs::metadata(&path).await);
            if settled != now {
                continue;
            }
            last = settled;
            let file = path.clone();
            let loaded = tokio::task::spawn_blocking(move || {
                crate::lesson::load(&file.to_string_lossy(), None)
            })
            .await;
            let action = match loaded {
                Ok(Ok(lesson)) => Action::LessonChanged(Arc::new(lesson)),
                Ok(Err(e)) => Action::LessonBroken(e.brief()),
                Err(e) => Action::LessonBroken(e.to_string()),
            };
            if tx.send(Msg::Action(action)).await.is_err() {
                return;
            }
        }
    });
}

/// The signals that end the UI, registered before anything slow or blocking happens: from
/// then on TERM, HUP and QUIT wait for the loop (which restores the terminal) instead of
/// killing us with the alternate screen still on.
pub struct Signals {
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
    quit: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl Signals {
    /// Must run inside the tokio runtime (`Runtime::enter`).
    pub fn new() -> std::io::Result<Self> {
        Ok(Self {
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
            // SIGQUIT's default (a core dump) would leave the alternate screen, mouse mode
            // and a hidden cursor behind: it quits like SIGTERM.
            quit: signal(SignalKind::quit())?,
            // Registering SIGINT replaces its default (terminate): while an interactive cell
            // or the editor owns the terminal, Ctrl-C must reach them, not kill us.
            int: signal(SignalKind::interrupt())?,
        })
    }

    /// The next signal that means "quit" (SIGINT is swallowed here).
    pub async fn quit(&mut self) -> &'static str {
        loop {
            tokio::select! {
                _ = self.term.recv() => return "SIGTERM",
                _ = self.hup.recv() => return "SIGHUP",
                _ = self.quit.recv() => return "SIGQUIT",
                _ = self.int.recv() => {}
            }
        }
    }
}

/// A lesson made ready to show, without the terminal: the app state, the first view and the
/// saved progress (read before the screen is taken, under the lesson's progress lock).
pub struct Opened {
    lesson: Arc<Lesson>,
    app: App,
    view: LessonView,
    progress_file: Option<PathBuf>,
    loaded: Option<Action>,
    /// Why this instance saves nothing (another one holds the lock).
    busy: Option<String>,
    /// Held while we may write `progress_file`.
    _lock: Option<progress_lock::Lock>,
    opts: LessonOptions,
}

impl Opened {
    pub fn new(lesson: Lesson, opts: LessonOptions) -> Self {
        let lesson = Arc::new(lesson);
        tracing::info!(lesson = %lesson.path.display(), present = opts.present, "lesson opened");
        let mut app = App::new(lesson.clone(), opts.present);
        app.typing_speed = opts.typing_speed;
        // First frame without syntax colours (syntect's assets take tens of ms to load); the
        // highlighted view replaces it as soon as it is ready.
        let view = LessonView::quick(&lesson, opts.theme);
        let mut progress_file =
            progress::default_dir().map(|d| progress::file_for(&d, &lesson.path));
        let lock = progress_file.as_deref().map(progress_lock::lock);
        let words = crate::text::of(crate::text::UiLang::of_lesson(&lesson.path));
        let busy = (lock.as_ref().and_then(progress_lock::Lock::notice)).map(|n| words.notice(&n));
        // A read-only instance shows the owner's progress but never resets or writes it.
        let loaded = load_progress(progress_file.as_deref(), opts.reset && busy.is_none());
        if let Some(busy) = &busy {
            tracing::warn!(%busy, "progress locked by another instance");
            progress_file = None;
        }
        Self {
            lesson,
            app,
            view,
            progress_file,
            loaded,
            busy,
            _lock: lock,
            opts,
        }
    }
}

pub async fn run_lesson(
    guard: &mut TerminalGuard,
    opened: Opened,
    signals: &mut Signals,
) -> anyhow::Result<()> {
    let Opened {
        lesson,
        mut app,
        mut view,
        progress_file,
        loaded,
        busy,
        _lock,
        opts,
    } = opened;
    let cluster = ClusterSession::from_env(
        opts.lesson_args.target_request(),
        lesson.meta.namespace.clone(),
    )?;
    let engine_opts = EngineOptions {
        gate: Some(Gate(Arc::new(cluster.clone()))),
        ..EngineOptions::from_env()
    };
    let (engine, exec_rx) =
        Engine::spawn(lesson.clone(), engine_opts).context("cannot start the shell session")?;
    // One channel into the loop (drained before every frame); each source's own typed channel
    // is forwarded into it, so the producers in the core need not know the loop's messages.
    // Short on purpose: output chunks are up to 256 KiB, and every queued one is memory. With
    // 1024 slots a `yes` flood queued ~200 MB between the engine and the loop; with 32 the
    // forwarders wait (the engine's own 64-event channel then pushes back on the cell).
    let (tx, mut rx) = mpsc::channel::<Msg>(32);
    let (sentinel_tx, sentinel_rx) = mpsc::channel::<SentinelUpdate>(256);
    let (pods_tx, pods_rx) = mpsc::channel::<PodsUpdate>(256);
    forward(exec_rx, tx.clone(), Action::Exec);
    forward(sentinel_rx, tx.clone(), Action::Sentinel);
    forward(pods_rx, tx.clone(), Action::Pods);
    let (events_tx, events_rx) = mpsc::channel::<Observed>(256);
    forward(events_rx, tx.clone(), Action::Observed);
    let saver = progress_file
        .clone()
        .map(|file| Saver::spawn(file, tx.clone()));
    let (sentinel_wake, sentinel_woken) = wake_channel();
    let mut rt = Runtime {
        sentinel_wake,
        sentinel_woken,
        engine,
        tx,
        lesson: lesson.clone(),
        progress_file,
        cluster,
        prepared: None,
        edit: None,
        saver,
        sentinel_tx,
        pods_tx,
        events_tx,
        workshop: opts.lesson_args.workshop.clone(),
        publisher: None,
        theme: opts.theme,
    };
    watch_lesson_file(lesson.path.clone(), rt.tx.clone());
    if let Some(loaded) = loaded {
        rt.dispatch(&mut app, loaded).await;
    }
    rt.dispatch(&mut app, Action::Started).await;
    if let Some(busy) = busy {
        rt.dispatch(&mut app, Action::Notice(busy)).await;
    }
    let notes = app.present.then(|| NotesServer::start(&app));
    let notes = match notes {
        Some(Err(message)) => {
            rt.dispatch(&mut app, Action::Notice(message)).await;
            None
        }
        Some(Ok(server)) => Some(server),
        None => None,
    };
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    // Background jobs' uptimes change once a second; nothing else needs waking up then.
    let mut job_tick = tokio::time::interval(Duration::from_secs(1));
    job_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    // The workshop writer's state is looked at once a second (it fails on its own time).
    let mut publish_tick = tokio::time::interval(Duration::from_secs(1));
    publish_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    if opts.theme.color {
        let (lesson, theme, tx) = (lesson.clone(), opts.theme, rt.tx.clone());
        tokio::task::spawn_blocking(move || {
            let view = Box::new(LessonView::new(&lesson, theme));
            let _ = tx.blocking_send(Msg::View(view, lesson));
        });
    }
    let mut last_draw = Instant::now() - FRAME;
    let result: anyhow::Result<()> = loop {
        if app.quit {
            break Ok(());
        }
        if app.dirty && last_draw.elapsed() >= FRAME {
            let effects = screen::frame(&mut guard.terminal, &mut app, &mut view)?;
            app.dirty = false;
            last_draw = Instant::now();
            debug_panic(&app);
            rt.perform_all(&mut app, effects).await;
        }
        let next_frame = tokio::time::Instant::from_std(last_draw + FRAME);
        let fade = panes::pane_deadline(&app);
        let msg = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => {
                    if let Event::Resize(width, height) = ev {
                        guard.resized(width, height);
                    }
                    term_action(&app, ev).map(Msg::Action)
                }
                Some(Err(e)) => break Err(e.into()),
                None => break Ok(()),
            },
            Some(msg) = rx.recv() => Some(msg),
            _ = tokio::time::sleep_until(fade.unwrap_or(next_frame)), if fade.is_some() => {
                Some(Msg::Action(Action::PaneTimer))
            }
            _ = tick.tick(), if app.animating() => Some(Msg::Action(Action::Tick)),
            _ = job_tick.tick(), if !app.animating() && app.jobs_alive() > 0 => {
                Some(Msg::Action(Action::Tick))
            }
            _ = tokio::time::sleep_until(next_frame), if app.dirty => None,
            _ = publish_tick.tick(), if rt.publisher.is_some() => None,
            name = signals.quit() => { tracing::info!("{name}: quitting"); break Ok(()) }
        };
        if let Some(msg) = msg {
            rt.receive(&mut app, &mut view, msg).await;
        }
        // Fold everything queued into the state before drawing (yazi's drain-then-render), for
        // a bounded time so a flood of output cannot starve input or the screen.
        let drain_until = Instant::now() + DRAIN;
        while Instant::now() < drain_until {
            let Ok(msg) = rx.try_recv() else { break };
            rt.receive(&mut app, &mut view, msg).await;
        }
        if let Some(notes) = &notes {
            notes.follow(&app);
        }
        // The progress writer runs on its own; its failures show as a marker, never an error.
        let unpublished = rt.publisher.as_ref().is_some_and(|p| p.failing());
        if unpublished != app.workshop_unpublished {
            rt.dispatch(&mut app, Action::WorkshopUnpublished(unpublished))
                .await;
        }
        if let Some((cell, code)) = rt.edit.take() {
            // A fresh reader: the old one must not steal the editor's keystrokes.
            events = EventStream::new();
            // The editor owns the terminal until it exits; block_in_place lets the runtime
            // move the other tasks (engine, watchers) off this worker meanwhile.
            let edited = guard.suspended(|| tokio::task::block_in_place(|| editor::edit(&code)))?;
            let action = match edited {
                Ok(code) => Action::Edited { cell, code },
                Err(notice) => Action::Say(notice),
            };
            rt.dispatch(&mut app, action).await;
        }
    };
    tracing::info!(ok = result.is_ok(), "leaving the lesson");
    if let Some(saver) = rt.saver.take() {
        saver.stop().await;
    }
    rt.save_now(&app);
    // Stop every cell and job before the terminal is given back (bounded: never hang on exit).
    let _ = tokio::time::timeout(Duration::from_secs(10), rt.engine.shutdown()).await;
    rt.cluster.end();
    result
}

/// Test hook for the panic path (tests/tui/panic.rs), not a feature: with
/// `KUBETUTOR_DEBUG_PANIC=1` the app panics after its first frame, with `=running` after a
/// frame that shows a command running for a second (time for the test to see its process).
const DEBUG_PANIC_ENV: &str = "KUBETUTOR_DEBUG_PANIC";

fn debug_panic(app: &App) {
    static MODE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let mode = MODE.get_or_init(|| std::env::var(DEBUG_PANIC_ENV).ok());
    let running = || {
        app.runs.iter().any(|r| match r.status {
            CellStatus::Running { since, .. } => since.elapsed() >= Duration::from_secs(1),
            _ => false,
        })
    };
    match mode.as_deref() {
        Some("1") => panic!("{DEBUG_PANIC_ENV}=1: deliberate panic after the first frame"),
        Some("running") if running() => {
            panic!("{DEBUG_PANIC_ENV}=running: deliberate panic while a command runs")
        }
        _ => {}
    }
}

/// Reads saved progress (or resets it) before the first frame; the app takes the result
/// through `App::update`.
fn load_progress(file: Option<&std::path::Path>, reset: bool) -> Option<Action> {
    let file = file?;
    if reset {
        return progress::reset(file)
            .err()
            .map(|e| Action::Say(Notice::ResetFailed(e.to_string())));
    }
    Some(Action::ProgressLoaded(progress::load(file)))
}

fn term_action(app: &App, event: Event) -> Option<Action> {
    // An interactive cell with the keyboard takes every key but its leave key (overlays
    // such as the quit confirmation still come first).
    if app.term_focus.is_some() && app.overlay.is_none() {
        match event {
            Event::Key(key) => return term_key(key, app.term_modes()),
            Event::Paste(text) => return Some(Action::TermPaste(text)),
            _ => {}
        }
    }
    if app.typing.is_some()
        && app.overlay.is_none()
        && let Event::Key(key) = event
    {
        return typing_key(key);
    }
    match event {
        Event::Key(key) => map_key(key, app.overlay.as_ref()),
        Event::Mouse(mouse) => map_mouse(mouse),
        Event::Resize(..) => Some(Action::Resized),
        _ => None,
    }
}

/// Forwards a source's typed channel into the loop's one channel until either side closes.
fn forward<T: Send + 'static>(
    mut from: mpsc::Receiver<T>,
    to: mpsc::Sender<Msg>,
    action: fn(T) -> Action,
) {
    tokio::spawn(async move {
        while let Some(item) = from.recv().await {
            if to.send(Msg::Action(action(item))).await.is_err() {
                break;
            }
        }
    });
}

/// Saves progress in a blocking task, off the loop: an fsync'd write can take tens of ms on a
/// busy disk. Snapshots sent while one is being written replace each other, so only the newest
/// is written next and an older one can never land after it.
pub(super) struct Saver {
    latest: tokio::sync::watch::Sender<Option<Progress>>,
    task: tokio::task::JoinHandle<()>,
}

impl Saver {
    fn spawn(file: PathBuf, tx: mpsc::Sender<Msg>) -> Self {
        let (latest, mut rx) = tokio::sync::watch::channel(None::<Progress>);
        let task = tokio::spawn(async move {
            while rx.changed().await.is_ok() {
                let Some(snapshot) = rx.borrow_and_update().clone() else {
                    continue;
                };
                let file = file.clone();
                let saved =
                    tokio::task::spawn_blocking(move || progress::save(&file, &snapshot)).await;
                if let Ok(Err(e)) = saved {
                    tracing::warn!(error = %e, "saving progress failed");
                    let _ = tx.send(Msg::Action(Action::Notice(e.to_string()))).await;
                }
            }
        });
        Self { latest, task }
    }

    fn save(&self, snapshot: Progress) {
        self.latest.send_replace(Some(snapshot));
    }

    /// Waits for a write in flight, so the final save (on the way out) is the last one.
    async fn stop(self) {
        drop(self.latest);
        let _ = tokio::time::timeout(Duration::from_secs(5), self.task).await;
    }
}

impl Runtime {
    /// One message from the loop's channel.
    async fn receive(&mut self, app: &mut App, view: &mut LessonView, msg: Msg) {
        match msg {
            Msg::Action(action) => self.dispatch(app, action).await,
            Msg::Cluster { prepared, pending } => {
                let result = prepared.map(|p| {
                    let target = p.target.clone();
                    self.prepared = Some(p);
                    target
                });
                self.dispatch(app, Action::ClusterReady { result, pending })
                    .await;
            }
            Msg::View(laid_out, lesson) if Arc::ptr_eq(&lesson, &app.lesson) => {
                *view = *laid_out;
                app.dirty = true;
            }
            Msg::View(..) => {}
        }
    }

    async fn dispatch(&mut self, app: &mut App, action: Action) {
        app.now = Instant::now();
        app.wall = SystemTime::now();
        self.publish(&action);
        // Cells with `until=` wait in the engine for what the watchers observe.
        match &action {
            Action::Observed(observed) => self.engine.observed(observed.clone()),
            Action::Sentinel(SentinelUpdate::Event { at, event, .. }) => {
                self.engine.observed(Observed::sentinel(event, *at));
            }
            _ => {}
        }
        let queue = app.update(action);
        self.perform_all(app, queue).await;
    }

    /// Performs effects and the effects of the actions they answer with, until none is left.
    async fn perform_all(&mut self, app: &mut App, mut queue: Vec<Effect>) {
        while !queue.is_empty() {
            let effects = std::mem::take(&mut queue);
            for effect in effects {
                if let Some(next) = self.perform(app, effect) {
                    queue.extend(app.update(next));
                }
            }
        }
    }

    /// Perform one effect; may answer with a follow-up action.
    fn perform(&mut self, app: &mut App, effect: Effect) -> Option<Action> {
        match effect {
            Effect::Run { cells } => {
                let batch = cells.len() > 1;
                self.engine.queue(cells, batch);
            }
            Effect::RunTerminal { cell, size } => {
                let spec = TermSpec { size, script: None };
                self.engine.run_terminal(cell, spec);
            }
            Effect::TermInput { cell, bytes } => self.engine.term_input(cell, bytes),
            Effect::TermResize { cell, size } => self.engine.term_resize(cell, size),
            Effect::Cancel => self.engine.cancel_all(),
            Effect::StopJob(cell) => self.engine.stop_job(cell),
            Effect::PrepareCluster(pending) => {
                let (cluster, tx) = (self.cluster.clone(), self.tx.clone());
                tokio::task::spawn_blocking(move || {
                    let prepared = cluster.prepare().map_err(|e| e.to_string());
                    let _ = tx.blocking_send(Msg::Cluster { prepared, pending });
                });
            }
            Effect::ConfirmCluster { target, pending } => self.confirm_cluster(target, pending),
            Effect::StartLocalSentinel => return self.start_local_sentinel(),
            Effect::StartClusterPanes { pods, sentinel } => {
                self.start_cluster_panes(pods, sentinel);
            }
            Effect::WakeSentinel => self.sentinel_wake.wake(),
            Effect::Copy(text) => {
                let support = osc52_support(|k| std::env::var(k).ok());
                if !matches!(support, Osc52::No(_))
                    && let Err(e) = copy_osc52(&text)
                {
                    return Some(Action::Say(Notice::CopyFailed(e.to_string())));
                }
                return copy_notice(&support).map(Action::Say);
            }
            Effect::Edit { cell, code } => self.edit = Some((cell, code)),
            Effect::SaveProgress => {
                if let Some(saver) = &self.saver {
                    saver.save(app.progress());
                }
            }
            Effect::ProbeJobPorts(jobs) => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let found = jobs
                        .into_iter()
                        .map(|(cell, pid)| (cell, pid, listening_ports(pid)))
                        .collect();
                    let _ = tx.blocking_send(Msg::Action(Action::JobPorts(found)));
                });
            }
            Effect::Reloaded(lesson) => {
                self.engine.reload(lesson.clone());
                self.lesson = lesson.clone();
                // A plain view at once (the old one lays out cells that may be gone), the
                // highlighted one when syntect is done.
                let (tx, theme) = (self.tx.clone(), self.theme);
                tokio::task::spawn_blocking(move || {
                    let quick = LessonView::quick(&lesson, theme);
                    let sent = tx.blocking_send(Msg::View(Box::new(quick), lesson.clone()));
                    if sent.is_ok() && theme.color {
                        let view = Box::new(LessonView::new(&lesson, theme));
                        let _ = tx.blocking_send(Msg::View(view, lesson));
                    }
                });
            }
            Effect::ExportTranscript(records) => {
                let (lesson, tx) = (app.lesson.clone(), self.tx.clone());
                tokio::task::spawn_blocking(move || {
                    let folder = std::env::current_dir().unwrap_or_else(|_| ".".into());
                    let at = SystemTime::now();
                    let notice =
                        match crate::run::transcript::export(&lesson, &records, &folder, at) {
                            Ok(path) => Notice::TranscriptWritten {
                                path: path.display().to_string(),
                                commands: records.len(),
                            },
                            Err(e) => Notice::TranscriptFailed(format!("{e:#}")),
                        };
                    let _ = tx.blocking_send(Msg::Action(Action::Say(notice)));
                });
            }
            Effect::Quit => {}
        }
        None
    }

    /// The learner said yes: swap the confirmed kubeconfig in and create the namespace, off
    /// the loop (file writes, then the API server, bounded by the session's timeout).
    fn confirm_cluster(&mut self, target: ClusterTarget, pending: Vec<CellIndex>) {
        let Some(prepared) = self.prepared.take() else {
            return;
        };
        let (cluster, tx) = (self.cluster.clone(), self.tx.clone());
        tokio::spawn(async move {
            let confirmed = {
                let cluster = cluster.clone();
                tokio::task::spawn_blocking(move || cluster.confirm(&prepared)).await
            };
            let result = match confirmed {
                Ok(Ok(_)) => cluster.ensure_namespace().await.map_err(|e| e.to_string()),
                Ok(Err(e)) => Err(e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            let action = Action::ClusterConfirmed {
                target,
                result,
                pending,
            };
            let _ = tx.send(Msg::Action(action)).await;
        });
    }

    /// Workshop progress: started after the cluster gate's yes; then each cell's start and
    /// end go to the publisher (a watch channel: never waits on the network).
    fn publish(&mut self, action: &Action) {
        use crate::exec::ExecEvent;
        use crate::workshop::progress::{Progress, Publisher, verdict};
        let id = |cell: CellIndex| self.lesson.cells()[cell].id.clone();
        match action {
            Action::ClusterConfirmed {
                target,
                result: Ok(_),
                ..
            } if self.publisher.is_none() => {
                let first = Progress::new(self.lesson.steps.len());
                self.publisher = Some(Publisher::start(
                    target.clone(),
                    self.workshop.clone(),
                    first,
                ));
            }
            Action::Exec(ExecEvent::Started { cell, .. }) => {
                if let Some(p) = &self.publisher {
                    let step = self.lesson.cell_steps()[*cell].unwrap_or(0);
                    let id = id(*cell);
                    p.update(|p| p.started(&id, step));
                }
            }
            Action::Exec(ExecEvent::Finished {
                cell,
                outcome,
                duration,
            }) => {
                if let Some(p) = &self.publisher {
                    let id = id(*cell);
                    p.update(|p| p.finished(&id, verdict(outcome), *duration, ""));
                }
            }
            _ => {}
        }
    }

    /// The last save, on the way out (the loop is over: nothing waits for it).
    fn save_now(&self, app: &App) {
        let Some(file) = &self.progress_file else {
            return;
        };
        if let Err(e) = progress::save(file, &app.progress()) {
            tracing::warn!(error = %e, "saving progress failed");
        }
    }
}
