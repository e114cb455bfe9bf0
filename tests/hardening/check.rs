//! Items 7 and 10: `check` stays linear on hostile lines (a window around the column, at
//! most ten findings per line) and never echoes a lesson's control bytes, nor does any other
//! message that quotes lesson text (run's headings, commands, results and hints, errors).

use crate::util::{controls_in, kubetutor, scratch};

fn fence(info: &str, code: &str) -> String {
    format!("# T\n\n## S\n\n```sh {{{info}}}\n{code}\n```\n")
}

/// Output size of `check` for hostile lessons, each a few times bigger than the report's.
#[test]
fn findings_on_one_line_are_windowed_and_capped() {
    let unset_one_line = format!(
        "echo {}",
        (0..20_000).map(|i| format!("$V{i} ")).collect::<String>()
    );
    let cases = [
        ("8,000 attributes", fence(&"a=b ".repeat(8_000), "echo hi")),
        (
            "20,000 attributes",
            fence(&"a=b ".repeat(20_000), "echo hi"),
        ),
        (
            "5,000 bad values",
            fence(&"retry=x ".repeat(5_000), "echo hi"),
        ),
        ("20,000 unset variables", fence("", &unset_one_line)),
        (
            "wide characters before the column",
            fence(&format!("{} retry=abc", "中文".repeat(20_000)), "echo hi"),
        ),
    ];
    for (name, md) in cases {
        let l = scratch(&md);
        let out = kubetutor(l.dir.path(), &["check", &l.file.display().to_string()]);
        let text = String::from_utf8_lossy(&out.stdout);
        // Ten findings of at most a window each, the count of the rest and the summary.
        assert!(
            text.len() < 8 * 1024,
            "{name}: {} bytes printed",
            text.len()
        );
        assert!(
            text.lines().all(|l| l.chars().count() < 400),
            "{name}: a source line printed whole"
        );
        let many = !name.starts_with("wide");
        assert!(
            !many || text.contains("more findings on this line"),
            "{name}: no count of the findings left out:\n{text}"
        );
        let s = String::from_utf8_lossy(&out.stderr);
        assert!(!s.contains("panicked"), "{name}: {s}");
    }
}

/// Many findings on many lines are all reported: the cap is per line, not per lesson.
#[test]
fn findings_on_many_lines_are_all_kept() {
    let defs: String = (0..2000).map(|i| format!("export NAME{i}=1\n")).collect();
    let uses: String = (0..2000).map(|i| format!("echo $NAMX{i}\n")).collect();
    let md = format!("# T\n\n## S\n\n```sh\n{defs}```\n\n```sh\n{uses}```\n");
    let l = scratch(&md);
    let out = kubetutor(l.dir.path(), &["check", &l.file.display().to_string()]);
    let text = String::from_utf8_lossy(&out.stdout);
    // Shown up to the per-file limit, all counted in the summary and the exit status.
    assert_eq!(text.matches("is not set by any earlier cell").count(), 200);
    assert!(
        text.contains("1800 more diagnostics not shown"),
        "{}",
        &text[text.len() - 300..]
    );
    assert!(
        text.contains("did you mean `$NAME0`?"),
        "near misses still suggested"
    );
    assert!(!text.contains("more findings on this line"));
    let summary = text.lines().last().unwrap_or_default();
    let counts: Vec<usize> = summary.split(' ').filter_map(|w| w.parse().ok()).collect();
    assert_eq!(counts[0] + counts[1], 2000, "{summary}");
    assert_eq!(out.status.code(), Some(1));
}

const NASTY: &str =
    "\x1b]0;PWNED\x07\x1b]52;c;ZXZpbA==\x07\x1b[?1049h\u{9b}2J\u{9d}0;x\u{9c}\r\x08";

/// The report's OSC title/clipboard/alt-screen bytes, and C1 controls, in every place a
/// message quotes: fence info, ids, hints, headings, code, front matter, the file name.
#[test]
fn no_message_sends_lesson_control_bytes() {
    let md = format!(
        "---\ntitle: \"{t}\"\nnope{t}: 1\n---\n# T{t}\n\n## Step{t}\n\n```sh {{id=a{t} retry=abc{t}}}\necho $UNSET{t} $X\n```\n> Hint: {t}\n\n```sh {{{t}=1 timeout=1s}}\nexit 3 # {t}\n```\n> Hint: hint{t}\n",
        t = NASTY.replace('"', "")
    );
    let l = scratch(&md);
    let weird = l.dir.path().join("less\x1b]0;T\x07on.md");
    std::fs::write(&weird, &md).expect("write");
    for file in [&l.file, &weird] {
        let file = file.display().to_string();
        for args in [
            vec!["check", &file],
            vec!["run", &file, "--keep-going"],
            vec![&file],
        ] {
            let out = kubetutor(l.dir.path(), &args);
            for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
                let found = controls_in(bytes);
                assert!(found.is_empty(), "{args:?} {stream}: {found:?}");
            }
            assert_ne!(out.status.code(), Some(101), "{args:?} panicked");
        }
    }
}

/// `run` of a valid lesson whose titles, ids, code and hints carry control bytes: the
/// messages are escaped; only what the command itself prints is passed through as output.
#[test]
fn run_escapes_headings_commands_results_and_hints() {
    let t = NASTY;
    let md = format!(
        "# T\n\n## Step {t}\n\n```sh {{id=ok}}\ntrue '{t}'\n```\n\n```sh {{id=bad}}\n: '{t}'; exit 4\n```\n> Hint: look at {t}\n"
    );
    let l = scratch(&md);
    let out = kubetutor(
        l.dir.path(),
        &["run", &l.file.display().to_string(), "--keep-going"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("\\x1b]0;PWNED\\x07"),
        "escaped, still readable:\n{text}"
    );
    assert!(
        controls_in(&out.stdout).is_empty(),
        "{:?}",
        controls_in(&out.stdout)
    );
    assert!(text.contains("hint: look at"), "{text}");
    assert_eq!(out.status.code(), Some(1));
}

/// `check | head -1` and a closed stdout are not panics.
#[test]
fn check_into_a_closed_pipe_does_not_panic() {
    let l = scratch(&fence(&"a=b ".repeat(100), "echo hi"));
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "{} check {} | head -c 10 >/dev/null; echo \"rc=${{PIPESTATUS[0]}}\"",
            crate::util::BIN,
            l.file.display()
        ))
        .output()
        .expect("bash");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("rc=101"), "{text}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}
