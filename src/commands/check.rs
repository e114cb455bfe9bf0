//! `kubetutor check`: parse and lint lessons, print rustc-style diagnostics and a summary.

use std::process::ExitCode;

use crate::cli::CheckArgs;
use crate::lesson::check::{check_args, only_cells};

pub fn cli_check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let mut report = check_args(&args.lessons);
    if !args.only.is_empty() {
        report = only_cells(report, &args.lessons, &args.only);
    }
    let text = report.render(use_color());
    // Not `print!`: a closed pipe or terminal (`check | head`) would make it panic.
    let mut out = std::io::stdout().lock();
    let _ = std::io::Write::write_all(&mut out, text.as_bytes())
        .and_then(|()| std::io::Write::flush(&mut out));
    Ok(if report.errors() > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Colour only for a terminal, and never with `--no-color` or NO_COLOR.
fn use_color() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && crate::settings::color_allowed()
}
