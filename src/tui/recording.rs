//! `--record FILE.cast`: what kubetutor draws, kept as an asciicast v2 recording (asciinema's
//! format: a JSON header line, then `[seconds, "o", text]` for output and `[seconds, "r",
//! "WxH"]` for a resize), to share a demo or replay it with `asciinema play`. The bytes are
//! copied as they go to the terminal and written by a thread of their own: the UI never waits
//! on the file.

use std::io::{Stdout, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// A recording shared by the screens that draw into it (a new one after the editor ran) and
/// the guard that notes resizes.
pub type SharedCast = Arc<Mutex<Cast>>;

/// Where the UI draws: the terminal, and the recording when there is one.
pub struct Screen {
    out: Stdout,
    cast: Option<SharedCast>,
}

impl Screen {
    pub fn new(out: Stdout, cast: Option<SharedCast>) -> Self {
        Self { out, cast }
    }
}

impl Write for Screen {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        if let Some(cast) = &self.cast {
            cast.lock()
                .unwrap_or_else(|e| e.into_inner())
                .output(&buf[..n]);
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// An asciicast being written.
pub struct Cast {
    started: Instant,
    /// The start of a UTF-8 character cut by the last write: events hold whole text.
    carry: Vec<u8>,
    /// To the writer thread; None once finished.
    tx: Option<mpsc::Sender<String>>,
    writer: Option<std::thread::JoinHandle<()>>,
}

impl Cast {
    /// Creates `path` (never over an existing file) and writes the header.
    pub fn create(path: &Path, width: u16, height: u16, title: &str) -> std::io::Result<Self> {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)?;
        let mut file = std::io::BufWriter::new(file);
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let header = serde_json::json!({
            "version": 2,
            "width": width,
            "height": height,
            "timestamp": timestamp,
            "title": title,
            "env": { "TERM": std::env::var("TERM").unwrap_or_default() },
        });
        writeln!(file, "{header}")?;
        file.flush()?;
        let (tx, rx) = mpsc::channel::<String>();
        let writer = std::thread::Builder::new()
            .name("asciicast".into())
            .spawn(move || {
                while let Ok(line) = rx.recv() {
                    if writeln!(file, "{line}").is_err() {
                        return;
                    }
                    // Everything queued goes out together, then to disk: a crash loses little.
                    while let Ok(line) = rx.try_recv() {
                        if writeln!(file, "{line}").is_err() {
                            return;
                        }
                    }
                    let _ = file.flush();
                }
            })?;
        Ok(Self {
            started: Instant::now(),
            carry: Vec::new(),
            tx: Some(tx),
            writer: Some(writer),
        })
    }

    /// Everything recorded reaches the file before this returns (the process may exit next).
    pub fn finish(&mut self) {
        self.tx.take();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }

    /// The terminal was resized: the recording says so, so a player resizes too.
    pub fn resized(&mut self, width: u16, height: u16) {
        self.event("r", format!("{width}x{height}"));
    }

    fn output(&mut self, bytes: &[u8]) {
        self.carry.extend_from_slice(bytes);
        let whole = match std::str::from_utf8(&self.carry) {
            Ok(_) => self.carry.len(),
            // An incomplete character at the end waits for the rest; invalid bytes go as
            // replacement characters.
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => self.carry.len(),
        };
        if whole == 0 {
            return;
        }
        let rest = self.carry.split_off(whole);
        let text = String::from_utf8_lossy(&self.carry).into_owned();
        self.carry = rest;
        self.event("o", text);
    }

    fn event(&mut self, code: &str, data: String) {
        let at = self.started.elapsed().as_secs_f64();
        let line = serde_json::json!([(at * 1e6).round() / 1e6, code, data]);
        if let Some(tx) = &self.tx {
            let _ = tx.send(line.to_string());
        }
    }
}

impl Drop for Cast {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recording_is_asciicast_v2_with_whole_characters() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.cast");
        let mut cast = Cast::create(&path, 80, 24, "kubetutor: demo").unwrap();
        let text = "\x1b[1m主节点\x1b[0m ok";
        let bytes = text.as_bytes();
        // Cut inside the first Chinese character.
        cast.output(&bytes[..6]);
        cast.output(&bytes[6..]);
        cast.resized(100, 30);
        cast.finish();
        assert!(
            Cast::create(&path, 80, 24, "again").is_err(),
            "never over a file"
        );
        // Finished: everything is in the file already.
        let lines = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = lines
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["version"], 2);
        assert_eq!(lines[0]["width"], 80);
        assert_eq!(lines[0]["title"], "kubetutor: demo");
        let output: String = lines[1..]
            .iter()
            .filter(|e| e[1] == "o")
            .map(|e| e[2].as_str().unwrap().to_string())
            .collect();
        assert_eq!(output, text);
        assert!(lines[1..].iter().all(|e| e[0].as_f64().is_some()));
        assert_eq!(lines.last().unwrap()[1], "r");
        assert_eq!(lines.last().unwrap()[2], "100x30");
    }
}
