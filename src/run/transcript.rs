//! `--transcript FILE`: the lesson's source with every executed cell followed by its output
//! (ANSI stripped), exit code and duration, like a notebook saved with its outputs.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::exec::Outcome;
use crate::lesson::{CellIndex, Lesson};

#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub outcome: Outcome,
    pub duration: Duration,
    pub output: Vec<u8>,
    /// The effects lines printed for the cell (issue 19); empty without watchers.
    pub effects: Vec<String>,
}

/// Renders the transcript from the lesson's original `source`.
pub fn render(lesson: &Lesson, source: &str, records: &BTreeMap<CellIndex, Record>) -> String {
    let mut out = String::with_capacity(source.len() * 2);
    let mut at = 0;
    let cells = lesson.cells();
    for (index, record) in records {
        let Some(cell) = cells.get(*index) else {
            continue;
        };
        let end = line_end(source, cell.span.end.min(source.len()));
        if end < at {
            continue;
        }
        out.push_str(&source[at..end]);
        if !out.ends_with('\n') {
            out.push('\n');
        }
        let indent = " ".repeat(cell.span.col.saturating_sub(1));
        out.push_str(&block(record, &indent));
        at = end;
    }
    out.push_str(&source[at..]);
    out
}

fn line_end(source: &str, at: usize) -> usize {
    if at == 0 || source.as_bytes().get(at - 1) == Some(&b'\n') {
        return at;
    }
    source[at..]
        .find('\n')
        .map(|p| at + p + 1)
        .unwrap_or(source.len())
}

fn block(record: &Record, indent: &str) -> String {
    let text = strip_ansi(&record.output);
    let mut s = String::new();
    if !text.is_empty() {
        let fence = "`".repeat(longest_backtick_run(&text).max(2) + 1);
        s.push_str(&format!("\n{indent}{fence}text\n"));
        for line in text.lines() {
            s.push_str(indent);
            s.push_str(line);
            s.push('\n');
        }
        s.push_str(&format!("{indent}{fence}\n"));
    }
    s.push_str(&format!(
        "\n{indent}*{}*\n",
        status_line(&record.outcome, record.duration)
    ));
    if !record.effects.is_empty() {
        s.push('\n');
        for line in &record.effects {
            // Two trailing spaces: a Markdown line break, one effect a line.
            s.push_str(&format!("{indent}> {}  \n", line.trim_start()));
        }
    }
    s
}

fn status_line(outcome: &Outcome, duration: Duration) -> String {
    let took = format!("{:.2}s", duration.as_secs_f64());
    match outcome {
        Outcome::Passed => format!("exit 0 · {took}"),
        Outcome::Failed { code: Some(c), .. } => format!("exit {c} · {took}"),
        Outcome::Failed { signal, .. } => {
            format!("killed by signal {} · {took}", signal.unwrap_or(0))
        }
        Outcome::Cancelled => format!("cancelled · {took}"),
        Outcome::TimedOut { after } => format!(
            "timed out after {} · {took}",
            humantime::format_duration(*after)
        ),
        Outcome::RetriesExhausted { attempts } => {
            format!("verify never passed ({attempts} attempts) · {took}")
        }
        Outcome::Skipped { reason } => format!("skipped: {reason}"),
        Outcome::Error { message } => format!("error: {message}"),
        Outcome::Refused { message } => format!("refused: {message}"),
    }
}

fn longest_backtick_run(text: &str) -> usize {
    let (mut best, mut run) = (0, 0);
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// Terminal output as plain text: escape sequences removed, `\r` overwrites (progress bars
/// keep their last state), other control characters dropped, invalid UTF-8 replaced.
///
/// An escape sequence never swallows a line break: a broken one (binary output, a sequence cut
/// short) ends at the newline, so the lines after it stay in the transcript.
pub fn strip_ansi(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len());
    let mut line_start = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => skip_escape(&mut chars),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' => out.truncate(line_start),
            '\n' => {
                out.push('\n');
                line_start = out.len();
            }
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Consumes one escape sequence after its ESC, leaving a newline that ends it early unread.
fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    fn next_unless_newline(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<char> {
        chars.next_if(|&c| c != '\n')
    }
    match next_unless_newline(chars) {
        // CSI: parameters and intermediates, then one final byte in @..~.
        Some('[') => {
            while let Some(c) = next_unless_newline(chars) {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        }
        // OSC, DCS, SOS, PM, APC: up to BEL or ST (ESC \).
        Some(']' | 'P' | 'X' | '^' | '_') => {
            while let Some(c) = next_unless_newline(chars) {
                if c == '\x07' || (c == '\x1b' && chars.next_if_eq(&'\\').is_some()) {
                    break;
                }
            }
        }
        // Charset designations take one more byte.
        Some('(' | ')' | '*' | '+') => {
            next_unless_newline(chars);
        }
        _ => {}
    }
}

/// `x` in the TUI: the transcript of the session so far, written as a new file in `folder`
/// (never over an existing one), named after the lesson and the time. Returns its path.
pub fn export(
    lesson: &Lesson,
    records: &BTreeMap<CellIndex, Record>,
    folder: &std::path::Path,
    at: std::time::SystemTime,
) -> anyhow::Result<std::path::PathBuf> {
    use anyhow::Context as _;
    use std::io::Write as _;
    let source = std::fs::read_to_string(&lesson.path)
        .with_context(|| format!("reading the lesson {}", lesson.path.display()))?;
    let text = render(lesson, &source, records);
    // lesson.md is named by its folder (lessons/redis-sentinel/lesson.md), others by their stem.
    let stem = lesson
        .path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("lesson");
    let name = if stem.starts_with("lesson") {
        lesson
            .path
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .unwrap_or(stem)
    } else {
        stem
    };
    let stamp: String = humantime::format_rfc3339_seconds(at)
        .to_string()
        .chars()
        .filter(|c| !matches!(c, '-' | ':'))
        .collect();
    for n in 1..100 {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!("-{n}")
        };
        let path = folder.join(format!("{name}-transcript-{stamp}{suffix}.md"));
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path);
        match file {
            Ok(mut file) => {
                file.write_all(text.as_bytes())
                    .with_context(|| format!("writing {}", path.display()))?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(e).with_context(|| format!("creating {}", path.display()));
            }
        }
    }
    anyhow::bail!(
        "{}: 99 transcripts of this second already exist",
        folder.display()
    )
}

/// Fails before anything runs when the transcript could not be written afterwards.
pub fn check_destination(path: &std::path::Path, lesson: &std::path::Path) -> anyhow::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let same = |a: &std::path::Path, b: &std::path::Path| match (a.metadata(), b.metadata()) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    };
    // The lesson and its translations (lesson.LANG.md) sit side by side: never write over one.
    let lesson_dir = lesson.parent().and_then(|d| d.canonicalize().ok());
    let dest_dir = path
        .parent()
        .map(|p| {
            if p.as_os_str().is_empty() {
                std::path::Path::new(".")
            } else {
                p
            }
        })
        .and_then(|d| d.canonicalize().ok());
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let lesson_like = name.starts_with("lesson") && name.ends_with(".md");
    if same(path, lesson) || (lesson_dir.is_some() && lesson_dir == dest_dir && lesson_like) {
        anyhow::bail!(
            "--transcript {}: that is the lesson itself (or one of its translations); write the transcript elsewhere, e.g. transcript.md",
            path.display()
        );
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    if path.is_dir() {
        anyhow::bail!(
            "--transcript {}: that is a folder; give a file name, e.g. {}/transcript.md",
            path.display(),
            path.display()
        );
    }
    if !folder.is_dir() {
        anyhow::bail!(
            "--transcript {}: folder {} does not exist; create it or choose another path",
            path.display(),
            folder.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_colours_osc_and_carriage_return_overwrites() {
        let raw = b"\x1b[1;31mred\x1b[0m ok\r\n10%\r50%\r100%\n\x1b]0;title\x07x\x1b]8;;u\x1b\\y\xff\x01\n";
        assert_eq!(strip_ansi(raw), "red ok\n100%\nxy\u{fffd}\n");
    }

    #[test]
    fn export_writes_a_new_file_named_after_the_lesson_and_never_over_one() {
        let dir = tempfile::tempdir().unwrap();
        let lesson_dir = dir.path().join("redis-sentinel");
        std::fs::create_dir(&lesson_dir).unwrap();
        let path = lesson_dir.join("lesson.md");
        let source = "# T\n\n## S\n\n```sh {id=a}\necho hi\n```\n\nafter\n";
        std::fs::write(&path, source).unwrap();
        let lesson = crate::lesson::parse(&path, source).unwrap();
        let records = BTreeMap::from([(
            0,
            Record {
                outcome: Outcome::Passed,
                duration: Duration::from_millis(1500),
                output: b"\x1b[32mhi\x1b[0m\n".to_vec(),
                effects: vec!["effects: pod web-0 added".into()],
            },
        )]);
        let out = tempfile::tempdir().unwrap();
        let at = std::time::UNIX_EPOCH + Duration::from_secs(1_796_300_000);
        let first = export(&lesson, &records, out.path(), at).unwrap();
        let again = export(&lesson, &records, out.path(), at).unwrap();
        let name = |p: &std::path::Path| p.file_name().unwrap().to_string_lossy().to_string();
        assert_eq!(
            name(&first),
            "redis-sentinel-transcript-20261203T121320Z.md"
        );
        assert_eq!(
            name(&again),
            "redis-sentinel-transcript-20261203T121320Z-2.md"
        );
        let text = std::fs::read_to_string(&first).unwrap();
        assert!(
            text.contains("echo hi\n```\n\n```text\nhi\n```\n\n*exit 0 · 1.50s*"),
            "{text}"
        );
        assert!(text.contains("> effects: pod web-0 added"), "{text}");
        assert!(text.ends_with("after\n"), "{text}");
        let missing = out.path().join("gone");
        let err = export(&lesson, &records, &missing, at).unwrap_err();
        assert!(format!("{err:#}").contains("gone"), "{err:#}");
    }

    #[test]
    fn a_broken_escape_sequence_ends_at_the_newline() {
        let raw = b"noise\x1b]0;never closed\nred\n\x1b[12\nnext\n\x1b(\nlast\n";
        assert_eq!(strip_ansi(raw), "noise\nred\n\nnext\n\nlast\n");
    }

    #[test]
    fn fence_outgrows_backticks_in_output() {
        let record = Record {
            outcome: Outcome::Passed,
            duration: Duration::from_millis(1500),
            effects: Vec::new(),
            output: b"a ```` b\n".to_vec(),
        };
        let b = block(&record, "");
        assert!(b.contains("\n`````text\na ```` b\n`````\n"), "{b}");
        assert!(b.ends_with("*exit 0 · 1.50s*\n"), "{b}");
    }

    #[test]
    fn effects_follow_the_status_line_one_per_line() {
        let record = Record {
            outcome: Outcome::Passed,
            duration: Duration::from_millis(200),
            effects: vec![
                "effects: sentinels: +sdown (+1.1 s)".into(),
                "       +1.1 s  sentinel +sdown master m 127.0.0.1 1".into(),
            ],
            output: Vec::new(),
        };
        let b = block(&record, "");
        assert!(
            b.ends_with(
                "*exit 0 · 0.20s*\n\n> effects: sentinels: +sdown (+1.1 s)  \n> +1.1 s  sentinel +sdown master m 127.0.0.1 1  \n"
            ),
            "{b}"
        );
    }
}
