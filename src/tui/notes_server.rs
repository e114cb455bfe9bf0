//! The presenter's side of `kubetutor notes`: a unix socket in the runtime dir (0700 dir,
//! 0600 socket, removed on exit) that sends the current step's speaker notes to every notes
//! terminal, once on connect and again whenever the step changes.

use std::path::PathBuf;

use tokio::io::AsyncWriteExt;
use tokio::net::UnixListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::app::App;
use crate::commands::notes::{NotesFrame, socket_path};

pub struct NotesServer {
    path: PathBuf,
    frames: watch::Sender<String>,
    task: JoinHandle<()>,
}

impl NotesServer {
    /// Listens at the runtime dir's socket; a notice when another presenter holds it or it
    /// cannot be made (present mode goes on without notes).
    pub fn start(app: &App) -> Result<Self, String> {
        let path = socket_path().ok_or("speaker notes: no runtime dir")?;
        if std::os::unix::net::UnixStream::connect(&path).is_ok() {
            return Err(format!(
                "speaker notes: another presenter is serving {}",
                path.display()
            ));
        }
        let listener =
            bind(&path).map_err(|e| format!("speaker notes: {}: {e}", path.display()))?;
        let (frames, rx) = watch::channel(frame(app));
        let task = tokio::spawn(serve(listener, rx));
        tracing::info!(socket = %path.display(), "speaker notes served");
        Ok(Self { path, frames, task })
    }

    /// Sends the app's step to the notes terminals if it changed.
    pub fn follow(&self, app: &App) {
        let next = frame(app);
        self.frames.send_if_modified(|f| {
            let changed = *f != next;
            if changed {
                *f = next;
            }
            changed
        });
    }
}

impl Drop for NotesServer {
    fn drop(&mut self) {
        self.task.abort();
        let _ = std::fs::remove_file(&self.path);
    }
}

fn bind(path: &std::path::Path) -> std::io::Result<UnixListener> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    if let Some(dir) = path.parent() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    // Nobody answered on it: a socket left by a crash.
    let _ = std::fs::remove_file(path);
    let listener = UnixListener::bind(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    Ok(listener)
}

async fn serve(listener: UnixListener, frames: watch::Receiver<String>) {
    while let Ok((mut stream, _)) = listener.accept().await {
        let mut frames = frames.clone();
        tokio::spawn(async move {
            loop {
                let line = format!("{}\n", *frames.borrow_and_update());
                if stream.write_all(line.as_bytes()).await.is_err()
                    || frames.changed().await.is_err()
                {
                    break;
                }
            }
        });
    }
}

fn frame(app: &App) -> String {
    let step = app.lesson.steps.get(app.step);
    let frame = NotesFrame {
        lesson: app.lesson.meta.title.clone(),
        step: app.step + 1,
        total: app.lesson.steps.len(),
        title: step.map(|s| s.title.clone()).unwrap_or_default(),
        notes: step.map(|s| s.speaker_notes()).unwrap_or_default(),
    };
    serde_json::to_string(&frame).unwrap_or_default()
}
