//! Following one cell's events (and background jobs' output) while it runs; Ctrl-C.

use std::io::Write;
use std::time::Duration;

use anyhow::Context;

use super::Runner;
use super::report::Indent;
use crate::exec::buffer::OutputBuffer;
use crate::exec::term_emulator::TermSize;
use crate::exec::{ExecEvent, Outcome, TermSpec, proc};
use crate::lesson::CellIndex;

use super::KEEP;

impl Runner<'_> {
    /// Streams the cell's events until it finishes; returns its outcome and (last) output.
    pub(super) async fn follow(
        &mut self,
        index: CellIndex,
        verify: bool,
    ) -> anyhow::Result<(Outcome, Duration, OutputBuffer)> {
        let mut buf = OutputBuffer::new(KEEP, KEEP);
        let mut indent = Indent::new("    ");
        loop {
            let event = tokio::select! {
                ev = self.events.recv() => ev.context("the engine stopped unexpectedly")?,
                code = self.signals.recv() => {
                    self.interrupt(code)?;
                    continue;
                }
            };
            match event {
                ExecEvent::Output { cell, bytes, .. } if cell == index => {
                    if !verify {
                        indent.write(&mut self.out, &bytes)?;
                        self.out.flush()?;
                    }
                    buf.push_owned(bytes);
                }
                // The session's text, once the interactive cell's program ended.
                ExecEvent::TermText { cell, text } if cell == index => {
                    indent.write(&mut self.out, text.as_bytes())?;
                    self.out.flush()?;
                    buf.push_owned(text.into_bytes());
                }
                ExecEvent::Started { cell, attempt } if cell == index && attempt > 1 => buf.clear(),
                ExecEvent::Finished {
                    cell,
                    outcome,
                    duration,
                } if cell == index => {
                    if verify {
                        indent.write(&mut self.out, &buf.render())?;
                    }
                    indent.finish(&mut self.out)?;
                    return Ok((outcome, duration, buf));
                }
                other => self.job_event(other)?,
            }
        }
    }

    /// An interactive cell has no keyboard here: it runs on a pty of its own with its
    /// `stdin=` typed into it, or is skipped with the reason.
    pub(super) async fn interactive(
        &mut self,
        index: CellIndex,
    ) -> anyhow::Result<(Outcome, Duration, OutputBuffer)> {
        let script = self.lesson.cells()[index].attrs.stdin.clone();
        let Some(script) = script else {
            let reason = "interactive: no stdin= to type into it (run has no keyboard to lend; \
                          open the lesson in the TUI)"
                .to_string();
            return Ok((
                Outcome::Skipped { reason },
                Duration::ZERO,
                OutputBuffer::new(0, 0),
            ));
        };
        let spec = TermSpec {
            size: TermSize::default(),
            script: Some(script.into_bytes()),
        };
        self.handle.run_terminal(index, spec);
        self.follow(index, false).await
    }

    pub(super) fn interrupt(&mut self, code: u8) -> anyhow::Result<()> {
        if self.interrupted.is_some() {
            // A second interrupt: stop waiting for graceful ends.
            proc::kill_all_now();
            std::process::exit(i32::from(code));
        }
        self.interrupted = Some(code);
        self.handle.cancel_all();
        writeln!(self.out, "\ninterrupted: stopping the running cell")?;
        Ok(())
    }

    /// Background jobs report between (and during) foreground cells.
    fn job_event(&mut self, event: ExecEvent) -> anyhow::Result<()> {
        let cells = self.lesson.cells();
        let id = |cell: CellIndex| cells.get(cell).map(|c| c.id.clone()).unwrap_or_default();
        match event {
            ExecEvent::Output { cell, bytes, .. } => {
                let indent = self
                    .jobs
                    .entry(cell)
                    .or_insert_with(|| Indent::new(format!("    [{}] ", id(cell))));
                indent.write(&mut self.out, &bytes)?;
            }
            ExecEvent::JobExited { cell, code } => {
                if let Some(mut indent) = self.jobs.remove(&cell) {
                    indent.finish(&mut self.out)?;
                }
                let how = code.map_or("was stopped".to_string(), |c| {
                    format!("exited with code {c}")
                });
                let id = id(cell);
                writeln!(
                    self.out,
                    "    background job [{}] {how}",
                    self.style.plain(&id)
                )?;
            }
            _ => {}
        }
        self.out.flush()?;
        Ok(())
    }

    /// Stops the engine (and every background job) while still printing what they say.
    pub(super) async fn shutdown(&mut self) {
        let handle = self.handle.clone();
        let stop = handle.shutdown();
        tokio::pin!(stop);
        loop {
            tokio::select! {
                _ = &mut stop => break,
                ev = self.events.recv() => match ev {
                    Some(ev) => { let _ = self.job_event(ev); }
                    None => break,
                },
            }
        }
        while let Ok(ev) = self.events.try_recv() {
            let _ = self.job_event(ev);
        }
    }
}
