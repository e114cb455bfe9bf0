//! `kubetutor notes`: the presenter's speaker notes in a second terminal, following the step
//! of the `kubetutor --present` on this machine through its unix socket.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// One update: the presenter's current step and its notes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotesFrame {
    pub lesson: String,
    pub step: usize,
    pub total: usize,
    pub title: String,
    pub notes: Vec<String>,
}

/// `$XDG_RUNTIME_DIR/kubetutor/notes.sock`, or the state dir where there is no runtime dir.
pub fn socket_path() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "kubetutor")?;
    let dir = dirs
        .runtime_dir()
        .map(PathBuf::from)
        .or_else(crate::paths::state_dir)?;
    Some(dir.join("notes.sock"))
}

pub fn cli_notes() -> anyhow::Result<std::process::ExitCode> {
    let path = socket_path().context("no runtime dir for the notes socket")?;
    let stream = UnixStream::connect(&path).with_context(|| {
        format!(
            "no presenter at {}: start `kubetutor --present LESSON` first (in this user's session)",
            path.display()
        )
    })?;
    let mut out = std::io::stdout().lock();
    for line in BufReader::new(stream).lines() {
        let line = line.context("reading the presenter's socket")?;
        let frame: NotesFrame = serde_json::from_str(&line)
            .context("the presenter sent a frame this version cannot read")?;
        // A fresh screen per step, as a teleprompter.
        write!(out, "\x1b[2J\x1b[H{}", render(&frame))?;
        out.flush()?;
    }
    writeln!(out, "\nThe presenter closed the lesson.")?;
    Ok(std::process::ExitCode::SUCCESS)
}

fn render(frame: &NotesFrame) -> String {
    let mut text = format!(
        "{} · step {}/{} · {}\n\n",
        frame.lesson, frame.step, frame.total, frame.title
    );
    if frame.notes.is_empty() {
        text.push_str("(no speaker notes for this step)\n");
    }
    for note in &frame.notes {
        text.push_str(note);
        text.push_str("\n\n");
    }
    text
}
