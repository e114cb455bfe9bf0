//! `kubetutor run --yes lessons/redis-sentinel-local` for real: three redis servers and three
//! sentinels on loopback, a killed master, an election, and the failover time in the output.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{kubetutor, root};

/// The lesson's fixed ports (see lessons/redis-sentinel-local/lesson.md).
const PORTS: [u16; 6] = [16379, 16380, 16381, 26479, 26480, 26481];
/// The lesson takes about 30 s; the slowest waits are the sentinels' 10 s INFO polls.
const DEADLINE: Duration = Duration::from_secs(180);

fn answers(port: u16) -> bool {
    Command::new("redis-cli")
        .args(["-p", &port.to_string(), "ping"])
        .stderr(Stdio::null())
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("PONG"))
}

/// Shuts down whatever redis the lesson left on its ports, also when the test panics.
struct StopLessonRedis;

impl Drop for StopLessonRedis {
    fn drop(&mut self) {
        for port in PORTS {
            let _ = Command::new("redis-cli")
                .args(["-p", &port.to_string(), "shutdown", "nosave"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

#[test]
fn the_local_lesson_runs_and_reports_its_failover_time() {
    for tool in ["redis-server", "redis-sentinel", "redis-cli"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output();
        assert!(
            found.is_ok_and(|o| o.status.success()),
            "{tool} is not installed: run scripts/deps"
        );
    }
    let busy: Vec<u16> = PORTS.into_iter().filter(|p| answers(*p)).collect();
    assert!(
        busy.is_empty(),
        "redis already answers on {busy:?}; stop it (redis-cli -p PORT shutdown nosave)"
    );
    let _guard = StopLessonRedis;

    let started = Instant::now();
    let mut child = kubetutor()
        .args(["run", "--yes", "lessons/redis-sentinel-local"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubetutor runs");
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait works") {
            break Some(status);
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let elapsed = started.elapsed();
    let out = out_reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    let transcript = format!("--- stdout\n{out}\n--- stderr\n{err}");

    let status = status
        .unwrap_or_else(|| panic!("the lesson did not finish within {DEADLINE:?}\n{transcript}"));
    assert!(
        status.success(),
        "kubetutor run failed ({status})\n{transcript}"
    );
    assert!(
        out.lines()
            .any(|l| l.trim().ends_with(" 0 failed") || l.trim() == "0 failed"),
        "no `N passed, 0 failed` line\n{transcript}"
    );
    let failover =
        failover_seconds(&out).unwrap_or_else(|| panic!("no failover time reported\n{transcript}"));
    assert!(
        failover > 0.0 && failover < 30.0,
        "implausible failover time {failover} s\n{transcript}"
    );
    // Issue 19: the sentinel events of the failover are effects with offsets, under the cells
    // in flight after the kill (the kill's window ends when the verify cell starts).
    let fx = effects_after(&out, "[kill-master]", "[master-after]");
    let joined = fx.join("\n");
    assert!(
        joined.contains("+sdown") && joined.contains("+switch-master 127.0.0.1"),
        "no sentinel effects after the kill: {fx:?}\n{transcript}"
    );
    assert!(
        fx.iter()
            .all(|l| l.contains("sentinels:") && l.contains("(+")),
        "effects lines without groups or offsets: {fx:?}"
    );
    let before = effects_after(&out, "[workdir]", "[kill-master]").join("\n");
    assert!(
        !before.contains("+switch-master"),
        "a failover attributed before the kill: {before}"
    );
    eprintln!(
        "redis-sentinel-local: failover time {failover:.2} s, whole lesson {:.1} s",
        elapsed.as_secs_f64()
    );

    // The lesson's clean-up step stopped everything; the guard only covers failures.
    let left: Vec<u16> = PORTS.into_iter().filter(|p| answers(*p)).collect();
    assert!(left.is_empty(), "the lesson left redis running on {left:?}");
    assert!(
        root()
            .join("lessons/redis-sentinel-local/lesson.md")
            .is_file()
    );
}

/// The number in the lesson's `failover time (+sdown -> +switch-master):  1.23 s` output line
/// (the echoed command that prints it has no number there).
fn failover_seconds(output: &str) -> Option<f64> {
    output
        .lines()
        .filter(|l| l.contains("failover time"))
        .find_map(|line| {
            let after = line.split_once("):")?.1.trim();
            after.strip_suffix('s')?.trim().parse().ok()
        })
}

/// The `effects:` lines between the result lines of two cells.
fn effects_after(output: &str, from: &str, to: &str) -> Vec<String> {
    let lines: Vec<&str> = output.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.contains(from))
        .unwrap_or(lines.len());
    let end = lines
        .iter()
        .rposition(|l| l.contains(to))
        .unwrap_or(lines.len());
    lines[start..end.max(start)]
        .iter()
        .filter(|l| l.trim_start().starts_with("effects: ") && !l.contains("none observed"))
        .map(|l| l.trim().to_string())
        .collect()
}

/// The guard must know every port the lesson uses, or a failed run could leave redis behind.
#[test]
fn the_guard_knows_every_port_of_the_lesson() {
    let path = root().join("lessons/redis-sentinel-local/lesson.md");
    let lesson = kubetutor::lesson::load(path.to_str().expect("UTF-8"), None)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut used = std::collections::BTreeSet::new();
    for cell in lesson.cells() {
        for word in cell.code.split(|c: char| !c.is_ascii_digit()) {
            if let Ok(port) = word.parse::<u16>()
                && (16000..27000).contains(&port)
            {
                used.insert(port);
            }
        }
    }
    assert_eq!(
        used.into_iter().collect::<Vec<_>>(),
        PORTS,
        "the lesson's ports changed"
    );
    let pane = lesson.meta.panes.sentinel.and_then(|s| s.address);
    assert_eq!(
        pane.as_deref(),
        Some("127.0.0.1:26479"),
        "the sentinel pane watches the first sentinel"
    );
}

#[test]
fn the_failover_line_is_understood() {
    let line = "failover time (+sdown -> +switch-master):  2.25 s";
    assert_eq!(failover_seconds(line), Some(2.25));
    assert_eq!(failover_seconds("nothing here"), None);
    let echoed =
        r#">   printf "failover time (+sdown -> +switch-master):  %.2f s\n", (w - s) / 1000"#;
    assert_eq!(
        failover_seconds(&format!("{echoed}\n    {line}")),
        Some(2.25)
    );
}
