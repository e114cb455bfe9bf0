//! `kubetutor workshop status NAME`: the room as a table (`--once`), as JSON (`--json`), as a
//! live dashboard on a terminal (tui/dashboard.rs), or as the table again after every change
//! the watch reports when the output is not a terminal.

use std::fmt::Write as _;
use std::time::Duration;

use futures::{FutureExt, StreamExt};

use crate::cli::WorkshopStatusArgs;
use crate::lesson::escape::controls;
use crate::tui::dashboard::{marks, secs, step_text};
use crate::workshop::Instructor;
use crate::workshop::progress::now_millis;
use crate::workshop::status::{self, Room, Row};

/// Changes closer together than this are drawn once.
const REDRAW_EVERY: Duration = Duration::from_millis(250);

pub async fn status(args: WorkshopStatusArgs) -> anyhow::Result<()> {
    let who = Instructor::connect(args.target.cluster.context.as_deref()).await?;
    let name = &args.target.name;
    let instructor = args.instructor.as_deref();
    let fetch = || status::fetch(&who.client, name, instructor, now_millis());
    if args.json {
        println!("{}", serde_json::to_string_pretty(&fetch().await?)?);
        return Ok(());
    }
    if args.once {
        print!("{}", table(&fetch().await?));
        return Ok(());
    }
    if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        return crate::tui::dashboard::run(who, name, instructor).await;
    }
    // Not a terminal (a log, a pipe): the table again after every change.
    let mut changes = status::changes(&who.client, name);
    loop {
        let note = match changes.next().await {
            Some(Ok(())) => String::new(),
            Some(Err(e)) => format!("watch: {e} (retrying)\n"),
            None => return Ok(()),
        };
        tokio::time::sleep(REDRAW_EVERY).await;
        // Coalesce whatever else arrived meanwhile.
        while let Some(Some(_)) = changes.next().now_or_never() {}
        let room = fetch().await?;
        print!("\x1b[H\x1b[2J{note}{}", table(&room));
    }
}

fn row_line(r: &Row) -> String {
    let current = match &r.running {
        Some(id) => format!("{id} {}", secs(r.running_secs)),
        None => "-".into(),
    };
    format!(
        "{:<16} {:<12} {:>3} {:>3}  {:<24} {:<8} {}",
        controls(&r.learner),
        step_text(r),
        r.passed,
        r.failed,
        controls(&current),
        secs(r.idle_secs),
        controls(&marks(r))
    )
}

/// The `--once` table: header, one line per learner, the room's summary.
pub fn table(room: &Room) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<16} {:<12} {:>3} {:>3}  {:<24} {:<8} marks",
        "LEARNER", "STEP", "OK", "ERR", "RUNNING", "LAST"
    );
    for r in &room.rows {
        let _ = writeln!(out, "{}", row_line(r));
    }
    let summary: Vec<String> = room
        .on_step
        .iter()
        .map(|(step, n)| match step {
            0 => format!("{n} not started"),
            s => format!("{n} on step {s}"),
        })
        .collect();
    let _ = writeln!(
        out,
        "workshop {}: {} learners; {}",
        room.workshop,
        room.rows.len(),
        summary.join(", ")
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workshop::progress::{Failing, Progress};

    #[test]
    fn the_table_marks_stuck_and_sums_the_room() {
        let now = 10_000_000;
        let p = Progress {
            step: 4,
            steps: 11,
            failing: Some(Failing {
                id: "master-running".into(),
                since: now - 125_000,
                output: "\x1b]52;c;evil\x07".into(),
            }),
            last_activity: now - 5_000,
            ..Default::default()
        };
        let rows = vec![
            status::row("ana", "w-ana", Some(&p), now),
            status::row("bo\x1b[2J", "w-bo", None, now),
        ];
        let text = table(&status::room("w", rows, None));
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[1].starts_with("ana ") && lines[1].contains("4/11"),
            "{text}"
        );
        assert!(lines[1].contains("STUCK master-running 2m05s"), "{text}");
        assert!(
            !text.contains('\x1b'),
            "control bytes reach the terminal: {text:?}"
        );
        assert_eq!(
            lines[3],
            "workshop w: 2 learners; 1 not started, 1 on step 4"
        );
    }
}
