//! `kubetutor check`: parse and lint lessons, print rustc-style diagnostics and a summary.

use std::process::ExitCode;

use crate::cli::CheckArgs;
use crate::lesson::check::{check_args, colorize};

pub fn cli_check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let report = check_args(&args.lessons);
    let text = report.render();
    print!("{}", if use_color() { colorize(&text) } else { text });
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
