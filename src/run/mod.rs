//! `kubetutor run`: the headless runner, a client of the engine like the TUI. Prints each
//! step, command and streamed output, one result line per cell, and `N passed, N failed` last.

mod confirm;
pub(crate) mod effects;
mod follow;
mod plan;
mod report;
pub mod transcript;

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::mpsc;

use crate::cli::RunArgs;
use crate::exec::buffer::OutputBuffer;
use crate::exec::{Engine, EngineHandle, EngineOptions, ExecEvent, Gate, Outcome, proc};
use crate::kube::session::ClusterSession;
use crate::lesson::{CellIndex, Lesson};
use report::{Indent, Style};
use transcript::Record;

/// Output kept per cell for the transcript and failure messages.
const KEEP: usize = 256 * 1024;

pub fn cli_run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let lesson = crate::lesson::load(&args.lesson, args.common.lang.as_deref())?;
    if let Some(path) = &args.transcript {
        transcript::check_destination(path, &lesson.path)?;
    }
    let plan = if args.cleanup {
        plan::cleanup(&lesson)?
    } else {
        plan::cells(
            &lesson,
            args.from.as_deref(),
            args.to.as_deref(),
            &args.only,
        )?
    };
    let plan: Vec<CellIndex> = {
        let cells = lesson.cells();
        plan.into_iter()
            .filter(|&i| cells[i].is_runnable())
            .collect()
    };
    let selected =
        args.from.is_some() || args.to.is_some() || !args.only.is_empty() || args.cleanup;
    anyhow::ensure!(
        !plan.is_empty(),
        if selected {
            crate::lesson::nothing_to_run(&lesson, selected)
        } else {
            format!(
                "{}; {}",
                crate::lesson::nothing_to_run(&lesson, selected),
                crate::lesson::nothing_to_run_help(&lesson)
            )
        }
    );
    install_panic_hook();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let result = rt.block_on(async {
        let runner = Runner::new(Arc::new(lesson), &args)?;
        runner.run(plan).await
    });
    // A blocking read of a prompt nobody answered must not hold the exit.
    rt.shutdown_timeout(Duration::from_millis(200));
    proc::kill_all_now();
    result
}

/// Whatever panics, no cell or job outlives us.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        proc::kill_all_now();
        previous(info);
    }));
}

#[derive(Default)]
struct Counts {
    passed: usize,
    failed: usize,
    skipped: usize,
}

impl Counts {
    fn line(&self) -> String {
        let mut s = format!("{} passed, {} failed", self.passed, self.failed);
        if self.skipped > 0 {
            s.push_str(&format!(", {} skipped", self.skipped));
        }
        s
    }
}

struct Signals {
    int: Signal,
    term: Signal,
    hup: Signal,
    quit: Signal,
}

impl Signals {
    fn new() -> anyhow::Result<Self> {
        let int = signal(SignalKind::interrupt())?;
        Ok(Self {
            int,
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
            quit: signal(SignalKind::quit())?,
        })
    }

    /// Waits for the next signal; returns the exit code a shell would report for it.
    async fn recv(&mut self) -> u8 {
        tokio::select! {
            _ = self.int.recv() => 130,
            _ = self.term.recv() => 143,
            _ = self.hup.recv() => 129,
            _ = self.quit.recv() => 131,
        }
    }
}

struct Runner<'a> {
    lesson: Arc<Lesson>,
    args: &'a RunArgs,
    style: Style,
    out: std::io::BufWriter<std::io::StdoutLock<'static>>,
    handle: EngineHandle,
    events: mpsc::Receiver<ExecEvent>,
    signals: Signals,
    counts: Counts,
    records: BTreeMap<CellIndex, Record>,
    jobs: BTreeMap<CellIndex, Indent>,
    /// The exit code of the signal that interrupted the run, if any.
    interrupted: Option<u8>,
    /// The lesson's cluster session: a locked private kubeconfig from the first cell on.
    cluster: ClusterSession,
    cluster_ready: bool,
    effects: effects::Effects,
    /// Progress for the instructor's `workshop status` (a no-op outside a workshop).
    progress: Option<crate::workshop::progress::Publisher>,
}

impl<'a> Runner<'a> {
    fn new(lesson: Arc<Lesson>, args: &'a RunArgs) -> anyhow::Result<Self> {
        let cluster =
            ClusterSession::from_env(args.common.target_request(), lesson.meta.namespace.clone())?;
        let opts = EngineOptions {
            gate: Some(Gate(Arc::new(cluster.clone()))),
            ..EngineOptions::from_env()
        };
        let (handle, events) = Engine::spawn(lesson.clone(), opts)?;
        let effects = effects::Effects::new(args.effects, handle.clone());
        let out = std::io::BufWriter::with_capacity(128 * 1024, std::io::stdout().lock());
        Ok(Self {
            lesson,
            args,
            style: Style::detect(),
            out,
            handle,
            events,
            signals: Signals::new()?,
            counts: Counts::default(),
            records: BTreeMap::new(),
            jobs: BTreeMap::new(),
            interrupted: None,
            cluster,
            cluster_ready: false,
            effects,
            progress: None,
        })
    }

    async fn run(mut self, plan: Vec<CellIndex>) -> anyhow::Result<ExitCode> {
        self.effects.start_local_sentinel(&self.lesson);
        let result = self.run_cells(plan).await;
        if let Some(p) = &self.progress {
            // The last snapshot is what the instructor sees after the run: give it a moment.
            p.flush(Duration::from_secs(3)).await;
            if p.failing() {
                writeln!(
                    self.out,
                    "(workshop progress: the last write failed, see the log)"
                )?;
            }
        }
        self.shutdown().await;
        let transcript = self.write_transcript();
        result?;
        writeln!(self.out, "{}", self.counts.line())?;
        self.out.flush()?;
        transcript?;
        Ok(match (self.interrupted, self.counts.failed) {
            (Some(code), _) => ExitCode::from(code),
            (None, 0) => ExitCode::SUCCESS,
            _ => ExitCode::FAILURE,
        })
    }

    async fn run_cells(&mut self, plan: Vec<CellIndex>) -> anyhow::Result<()> {
        let lesson = self.lesson.clone();
        let cells = lesson.cells();
        let steps = lesson.cell_steps();
        let mut step = None;
        // Set by the first failure that stops the run: from then on only cleanup cells run.
        let mut stopped = false;
        for (n, &index) in plan.iter().enumerate() {
            let cell = cells[index];
            if stopped && !cell.attrs.always {
                continue;
            }
            self.print_effects(step.unwrap_or(0))?;
            if let Some(s) = steps[index].filter(|s| step != Some(*s)) {
                step = Some(s);
                let title = format!("Step {}: {}", s + 1, lesson.steps[s].title);
                writeln!(self.out, "\n{}", self.style.heading(&title))?;
            }
            write!(self.out, "\n{}", self.style.command(cell))?;
            if !self.cluster_ready && crate::lesson::mentions_cluster(&cell.code) {
                self.out.flush()?;
                match self.confirm().await {
                    Ok(()) => {}
                    Err(e) => {
                        // Never run against a cluster nobody confirmed, even with --keep-going.
                        let outcome = Outcome::Error {
                            message: format!("{e:#}"),
                        };
                        self.report(index, &outcome, Duration::ZERO, &OutputBuffer::new(0, 0))?;
                        break;
                    }
                }
                self.cluster_ready = true;
                if let Some(target) = self.cluster.confirmed() {
                    self.effects.start_cluster(&self.lesson, &target);
                    self.progress = Some(crate::workshop::progress::Publisher::start(
                        target,
                        self.args.common.workshop.clone(),
                        crate::workshop::progress::Progress::new(lesson.steps.len()),
                    ));
                }
            }
            self.out.flush()?;
            self.effects.cell_started(index, step.unwrap_or(0));
            if let Some(p) = &self.progress {
                p.update(|p| p.started(&cell.id, step.unwrap_or(0)));
            }
            let (outcome, duration, output) = if cell.attrs.interactive {
                self.interactive(index).await?
            } else {
                self.handle.run(index);
                self.follow(index, cell.attrs.verify).await?
            };
            let passed = self.report(index, &outcome, duration, &output)?;
            let record = Record {
                outcome,
                duration,
                output: output.render(),
                effects: Vec::new(),
            };
            if let Some(p) = &self.progress {
                let verdict = crate::workshop::progress::verdict(&record.outcome);
                let tail = String::from_utf8_lossy(&output.last(2048)).into_owned();
                p.update(|p| p.finished(&cell.id, verdict, duration, &tail));
            }
            self.records.insert(index, record);
            self.effects.cell_finished(index, step.unwrap_or(0));
            if cell.attrs.background {
                self.effects.wake_sentinel();
            }
            // A cluster refusal stops the run even with --keep-going, cleanup included: a
            // refused target is one nothing may run against.
            let refused = matches!(self.records[&index].outcome, Outcome::Refused { .. });
            let rest = &plan[n + 1..];
            if self.interrupted.is_some() || refused {
                self.cleanup_hint(rest)?;
                break;
            }
            let keep_going = self.args.keep_going || self.args.cleanup;
            if !passed && !keep_going && !stopped {
                stopped = true;
                self.cleanup_notice(rest)?;
            }
        }
        self.print_effects(step.unwrap_or(0))
    }

    /// The effects line(s) of the cell whose settling window the next cell closes.
    fn print_effects(&mut self, step: usize) -> anyhow::Result<()> {
        let Some((cell, lines)) = self.effects.finish(step) else {
            return Ok(());
        };
        for line in &lines {
            writeln!(self.out, "  {}", self.style.plain(line))?;
        }
        self.out.flush()?;
        if let Some(record) = self.records.get_mut(&cell) {
            record.effects = lines;
        }
        Ok(())
    }

    fn cleanups(&self, cells: &[CellIndex]) -> usize {
        let all = self.lesson.cells();
        cells.iter().filter(|&&i| all[i].attrs.always).count()
    }

    /// After a failure: the rest is skipped except the cells marked `always=true`.
    fn cleanup_notice(&mut self, rest: &[CellIndex]) -> anyhow::Result<()> {
        let n = self.cleanups(rest);
        if n > 0 {
            let line =
                format!("Stopped after the failure; running {n} cleanup cells (always=true)");
            writeln!(self.out, "\n{}", self.style.heading(&line))?;
        }
        Ok(())
    }

    /// Interrupted or refused: no cleanup runs by itself, so say how to run it.
    fn cleanup_hint(&mut self, rest: &[CellIndex]) -> anyhow::Result<()> {
        if self.cleanups(rest) > 0 {
            let lesson = &self.args.lesson;
            writeln!(
                self.out,
                "Cleanup cells did not run; run them with: kubetutor run --cleanup {lesson}"
            )?;
        }
        Ok(())
    }

    /// The cluster gate: prints the target and gets a yes (Ctrl-C at the prompt refuses),
    /// swaps the confirmed kubeconfig in and creates the lesson namespace when absent, so the
    /// first `kubectl create` does not fail with "namespace not found".
    async fn confirm(&mut self) -> anyhow::Result<()> {
        let gate = confirm::gate(&self.cluster, self.args, &mut self.out)?;
        if gate.ask {
            write!(self.out, "{}", confirm::PROMPT)?;
            self.out.flush()?;
            let yes = tokio::select! {
                answer = tokio::task::spawn_blocking(confirm::read_answer) => answer??,
                code = self.signals.recv() => {
                    self.interrupted = Some(code);
                    writeln!(self.out)?;
                    false
                }
            };
            if !yes {
                anyhow::bail!(
                    "not confirmed: nothing was run against context `{}`",
                    gate.prepared.target.context
                );
            }
        }
        let target = self.cluster.confirm(&gate.prepared)?;
        let created = self.cluster.ensure_namespace().await.with_context(|| {
            format!(
                "could not make sure namespace `{}` exists on context `{}`",
                target.namespace, target.context
            )
        })?;
        if created {
            writeln!(self.out, "Created namespace {}", target.namespace)?;
        }
        Ok(())
    }

    /// Prints the result line; returns whether the cell counts as passed (or skipped).
    fn report(
        &mut self,
        index: CellIndex,
        outcome: &Outcome,
        duration: Duration,
        output: &OutputBuffer,
    ) -> anyhow::Result<bool> {
        let cells = self.lesson.cells();
        let cell = cells[index];
        let line = match outcome {
            Outcome::Passed => {
                self.counts.passed += 1;
                let what = if cell.attrs.background {
                    "started in the background"
                } else {
                    "exit 0"
                };
                self.style.ok(&format!(
                    "[{}] {what} ({})",
                    cell.id,
                    report::took(duration)
                ))
            }
            Outcome::Skipped { reason } => {
                self.counts.skipped += 1;
                self.style.skip(&format!(
                    "{} [{}] skipped: {reason}",
                    report::location(&self.lesson, cell.span.line),
                    cell.id
                ))
            }
            _ => {
                self.counts.failed += 1;
                self.style.fail(&report::failure(
                    &self.lesson,
                    cell,
                    outcome,
                    duration,
                    &output.last(4096),
                ))
            }
        };
        writeln!(self.out, "{line}")?;
        let failed = !matches!(outcome, Outcome::Passed | Outcome::Skipped { .. });
        if let (true, Some(hint)) = (failed, &cell.hint) {
            writeln!(self.out, "  hint: {}", self.style.plain(hint))?;
        }
        self.out.flush()?;
        Ok(matches!(outcome, Outcome::Passed | Outcome::Skipped { .. }))
    }

    fn write_transcript(&mut self) -> anyhow::Result<()> {
        let Some(path) = &self.args.transcript else {
            return Ok(());
        };
        let source = crate::lesson::lesson_source(&self.lesson.path)?;
        let text = transcript::render(&self.lesson, &source, &self.records);
        std::fs::write(path, text)
            .with_context(|| format!("writing the transcript to {}", path.display()))
    }
}
