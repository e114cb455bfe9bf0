//! Saved progress: the current step, each cell's last verdict and the learner's edits, per
//! lesson file.
//!
//! Stored as JSON in the XDG state dir and written atomically (temp file + rename), so a crash
//! mid-write never leaves half a file. A file that does not parse is moved aside and reported,
//! never fatal: losing progress is better than refusing to open a lesson.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::state::{App, CellStatus};
use crate::exec::Outcome;

#[derive(Debug, thiserror::Error)]
pub enum ProgressError {
    #[error("cannot write progress to {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What is saved for one lesson.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub lesson: PathBuf,
    pub step: usize,
    /// Cell id to whether its last run passed.
    pub cells: BTreeMap<String, bool>,
    /// Cell id to the code the learner edited it to (absent in files from before edits were
    /// kept).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub edits: BTreeMap<String, String>,
    /// Interactive cell id to the text of its last session (the tail, at most
    /// [`SESSION_BYTES`]): what the learner typed and saw stays in the lesson.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sessions: BTreeMap<String, String>,
    /// Other cell ids to the tail of their last output (at most [`OUTPUT_BYTES`] each,
    /// [`OUTPUTS_BYTES`] in all), shown after a restart as a notebook keeps its outputs.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub outputs: BTreeMap<String, String>,
}

/// What is kept of one interactive session in the progress file.
pub const SESSION_BYTES: usize = 64 * 1024;
/// What is kept of one command's output in the progress file.
pub const OUTPUT_BYTES: usize = 16 * 1024;
/// What is kept of all commands' outputs: a lesson of hundreds of chatty cells still saves
/// a small file (later cells give way first).
pub const OUTPUTS_BYTES: usize = 1024 * 1024;

/// The outcome of reading saved progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loaded {
    Fresh,
    Restored(Progress),
    /// The file was unreadable; it now lives at `moved_to`.
    Corrupt {
        moved_to: PathBuf,
        reason: String,
    },
}

/// Where progress files live: `$XDG_STATE_HOME/kubetutor/progress`.
pub fn default_dir() -> Option<PathBuf> {
    Some(crate::paths::state_dir()?.join("progress"))
}

/// The file for one lesson: named after the lesson's canonical path so two lessons with the
/// same file name in different folders never share progress. A translation
/// (`lesson.zh-CN.md`) shares the progress of its lesson (`lesson.md`): cells keep their ids
/// across languages, so switching `--lang` keeps the learner's place. A file kept under the
/// translation's own name (before they were shared) is moved there when the lesson has none.
pub fn file_for(dir: &Path, lesson: &Path) -> PathBuf {
    let canonical = lesson
        .canonicalize()
        .unwrap_or_else(|_| lesson.to_path_buf());
    let shared = name_for(dir, &untranslated(&canonical));
    if shared.exists() {
        return shared;
    }
    let own = name_for(dir, &canonical);
    if own != shared
        && own.is_file()
        && let Err(e) = std::fs::rename(&own, &shared)
    {
        tracing::warn!(%e, from = %own.display(), "progress kept under the translation's name");
        return own;
    }
    shared
}

/// `dir/lesson.zh-CN.md` -> `dir/lesson.md`; other paths as they are.
fn untranslated(path: &Path) -> PathBuf {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let code = name
        .strip_prefix("lesson.")
        .and_then(|n| n.strip_suffix(".md"))
        .filter(|code| !code.is_empty() && !code.contains('.'));
    match code {
        Some(_) => path.with_file_name("lesson.md"),
        None => path.to_path_buf(),
    }
}

fn name_for(dir: &Path, canonical: &Path) -> PathBuf {
    let text = canonical.to_string_lossy();
    let stem = name_tag(canonical.file_stem());
    let parent = name_tag(canonical.parent().and_then(Path::file_name));
    dir.join(format!(
        "{parent}-{stem}-{:016x}.json",
        fnv1a(text.as_bytes())
    ))
}

/// A readable, filesystem-safe piece of a file name: its letters and digits, at most 32.
fn name_tag(name: Option<&std::ffi::OsStr>) -> String {
    name.map(|s| {
        s.to_string_lossy()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .take(32)
            .collect()
    })
    .unwrap_or_default()
}

/// A stable hash (std's `DefaultHasher` may change between releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A progress file larger than this is not ours (ours are kilobytes): set aside, not read.
pub const MAX_PROGRESS_BYTES: u64 = 32 << 20;

/// Reads a progress file that is a regular file of at most [`MAX_PROGRESS_BYTES`]: a FIFO
/// would block start-up forever, a link to /dev/zero would read until memory runs out.
fn read_progress(file: &Path) -> std::io::Result<String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NONBLOCK)
        .open(file)?;
    if !f.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let mut bytes = Vec::new();
    (&mut f)
        .take(MAX_PROGRESS_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_PROGRESS_BYTES {
        return Err(std::io::Error::other(format!(
            "larger than {} MiB",
            MAX_PROGRESS_BYTES >> 20
        )));
    }
    String::from_utf8(bytes).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

pub fn load(file: &Path) -> Loaded {
    let text = match read_progress(file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Loaded::Fresh,
        Err(e) => return set_aside(file, e.to_string()),
    };
    match serde_json::from_str::<Progress>(&text) {
        Ok(progress) => Loaded::Restored(progress),
        Err(e) => set_aside(file, e.to_string()),
    }
}

fn set_aside(file: &Path, reason: String) -> Loaded {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let moved_to = file.with_extension(format!("corrupt-{stamp}"));
    if let Err(e) = std::fs::rename(file, &moved_to) {
        tracing::warn!(file = %file.display(), error = %e, "could not set corrupt progress aside");
    }
    Loaded::Corrupt { moved_to, reason }
}

pub fn save(file: &Path, progress: &Progress) -> Result<(), ProgressError> {
    let err = |source| ProgressError::Write {
        path: file.to_path_buf(),
        source,
    };
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(err)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    serde_json::to_writer_pretty(&mut tmp, progress).map_err(|e| err(e.into()))?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(file).map_err(|e| err(e.error))?;
    Ok(())
}

/// Forget a lesson's progress (`--reset`).
pub fn reset(file: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(file) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// The newest lines of an output, within `budget` bytes.
fn tail(output: &super::output::OutputBuffer, budget: usize) -> String {
    let lines: Vec<&str> = output.lines().collect();
    let mut kept = 0;
    let mut start = lines.len();
    while start > 0 && kept + lines[start - 1].len() < budget {
        start -= 1;
        kept += lines[start].len() + 1;
    }
    lines[start..].iter().map(|l| format!("{l}\n")).collect()
}

impl App {
    pub fn progress(&self) -> Progress {
        let mut cells = BTreeMap::new();
        for (info, run) in self.cells.iter().zip(&self.runs) {
            let passed = match &run.status {
                CellStatus::Done {
                    outcome: Outcome::Skipped { .. },
                    ..
                } => continue,
                CellStatus::Done { outcome, .. } => outcome.is_success(),
                CellStatus::Earlier { passed } => *passed,
                _ => continue,
            };
            cells.insert(info.id.clone(), passed);
        }
        let edits = self
            .cells
            .iter()
            .zip(&self.runs)
            .filter_map(|(info, run)| Some((info.id.clone(), run.edited.clone()?)))
            .collect();
        let sessions = self
            .cells
            .iter()
            .zip(&self.runs)
            .filter(|(info, run)| info.interactive && !run.output.is_empty())
            .map(|(info, run)| (info.id.clone(), tail(&run.output, SESSION_BYTES)))
            .collect();
        let mut outputs = BTreeMap::new();
        let mut budget = OUTPUTS_BYTES;
        let ran = self.cells.iter().zip(&self.runs).filter(|(info, run)| {
            let verdict = matches!(
                run.status,
                CellStatus::Done { .. } | CellStatus::Earlier { .. }
            );
            verdict && !info.interactive && !run.output.is_empty()
        });
        for (info, run) in ran {
            let text = tail(&run.output, OUTPUT_BYTES.min(budget));
            if text.is_empty() {
                break;
            }
            budget -= text.len().min(budget);
            outputs.insert(info.id.clone(), text);
        }
        Progress {
            lesson: self.lesson.path.clone(),
            step: self.step,
            cells,
            edits,
            sessions,
            outputs,
        }
    }

    /// Apply saved progress; ids that no longer exist in the lesson are ignored.
    pub fn restore(&mut self, progress: &Progress) {
        if !self.lesson.steps.is_empty() {
            self.step = progress.step.min(self.lesson.steps.len() - 1);
            self.reveal = Some(super::state::Reveal::Step(self.step));
            if let Some(first) = self.cells.iter().position(|c| c.step == Some(self.step)) {
                self.focus = Some(first);
            }
        }
        for (info, run) in self.cells.iter().zip(&mut self.runs) {
            if let Some(&passed) = progress.cells.get(&info.id) {
                run.status = CellStatus::Earlier { passed };
            }
            if let Some(code) = progress.edits.get(&info.id).filter(|_| !info.interactive) {
                run.edited = Some(code.clone());
            }
            if let Some(text) = progress.sessions.get(&info.id).filter(|_| info.interactive) {
                run.output.push(text.as_bytes());
            }
            // Only beside its verdict: an output without one would belong to nothing shown.
            let earlier = matches!(run.status, CellStatus::Earlier { .. });
            let saved = progress.outputs.get(&info.id);
            if let Some(text) = saved.filter(|_| earlier && !info.interactive) {
                // Through the sanitiser again: the file is not trusted to hold only SGR.
                run.output.push(text.as_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A FIFO would block `open` forever and /dev/zero would read until memory runs out: both,
    /// and a directory, a huge file and a link to a device, are set aside at once.
    #[test]
    fn files_that_are_not_progress_are_set_aside_without_blocking() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("fifo.json");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).expect("mkfifo");
        let zero = dir.path().join("zero.json");
        std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
        let null = dir.path().join("null.json");
        std::os::unix::fs::symlink("/dev/null", &null).expect("symlink");
        let folder = dir.path().join("folder.json");
        std::fs::create_dir(&folder).expect("mkdir");
        let huge = dir.path().join("huge.json");
        std::fs::File::create(&huge)
            .and_then(|f| f.set_len(MAX_PROGRESS_BYTES + 1))
            .expect("sparse file");
        for file in [&fifo, &zero, &null, &folder, &huge] {
            let started = std::time::Instant::now();
            assert!(
                matches!(load(file), Loaded::Corrupt { .. }),
                "{}",
                file.display()
            );
            assert!(started.elapsed() < std::time::Duration::from_secs(2));
            assert!(!file.exists(), "set aside: {}", file.display());
        }
    }

    #[test]
    fn save_then_load_round_trips() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("sub/p.json");
        let progress = Progress {
            lesson: "/x/lesson.md".into(),
            step: 3,
            cells: BTreeMap::from([("a".to_string(), true), ("b".to_string(), false)]),
            edits: BTreeMap::from([("b".to_string(), "echo mine".to_string())]),
            sessions: BTreeMap::from([("i".to_string(), "> set k v\nOK\n".to_string())]),
            outputs: BTreeMap::from([("a".to_string(), "\x1b[32mok\x1b[0m\n".to_string())]),
        };
        save(&file, &progress).expect("save");
        assert_eq!(load(&file), Loaded::Restored(progress));
    }

    #[test]
    fn files_from_before_edits_were_kept_still_load() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("p.json");
        std::fs::write(&file, r#"{"lesson":"/x/l.md","step":1,"cells":{"a":true}}"#).unwrap();
        let Loaded::Restored(p) = load(&file) else {
            panic!("old file not loaded");
        };
        assert_eq!((p.step, p.edits.len()), (1, 0));
    }

    #[test]
    fn corrupt_file_is_set_aside_not_fatal() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("p.json");
        std::fs::write(&file, "{ not json").expect("write");
        match load(&file) {
            Loaded::Corrupt { moved_to, .. } => {
                assert!(moved_to.exists());
                assert!(!file.exists());
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
        assert_eq!(load(&file), Loaded::Fresh);
    }

    #[test]
    fn file_names_differ_per_folder() {
        let dir = Path::new("/state");
        let a = file_for(dir, Path::new("/l/one/lesson.md"));
        let b = file_for(dir, Path::new("/l/two/lesson.md"));
        assert_ne!(a, b);
        assert!(a.to_string_lossy().contains("one-lesson-"));
    }

    /// Switching `--lang` keeps the learner's place: a translation shares its lesson's file,
    /// and one saved under the translation's own name before is moved there, not lost.
    #[test]
    fn translations_share_their_lessons_progress() {
        let state = tempfile::tempdir().unwrap();
        let lessons = tempfile::tempdir().unwrap();
        let en = lessons.path().join("lesson.md");
        let zh = lessons.path().join("lesson.zh-CN.md");
        std::fs::write(&en, "# en").unwrap();
        std::fs::write(&zh, "# zh").unwrap();
        let dir = state.path();
        let legacy = name_for(dir, &zh.canonicalize().unwrap());
        std::fs::write(&legacy, "{}").unwrap();
        let shared = file_for(dir, &zh);
        assert_eq!(shared, file_for(dir, &en));
        assert!(!legacy.exists(), "moved");
        assert_eq!(std::fs::read_to_string(&shared).unwrap(), "{}");
        // lesson.md.bak, notes.zh.md: not translations.
        let other = lessons.path().join("notes.zh.md");
        assert_eq!(untranslated(&other), other);
    }
}
