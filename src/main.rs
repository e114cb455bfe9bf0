use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use kubetutor::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    kubetutor::settings::init(cli.no_color, cli.theme.map(Into::into));
    let result = match cli.command {
        Some(Command::Run(args)) => kubetutor::run::cli_run(args),
        Some(Command::Check(args)) => kubetutor::commands::cli_check(args),
        Some(Command::Import(args)) => kubetutor::commands::cli_import(args),
        Some(Command::Doctor(args)) => kubetutor::commands::cli_doctor(args),
        Some(Command::Notes) => kubetutor::commands::cli_notes(),
        Some(Command::Workshop(cmd)) => kubetutor::commands::cli_workshop(cmd),
        Some(Command::Completions { shell }) => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "kubetutor",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::SUCCESS)
        }
        None => kubetutor::tui::cli_open(cli.open),
    };
    result.unwrap_or_else(|err| {
        use std::io::Write;
        // Not `eprintln!`: with the terminal gone (a closed pane) it would panic, exit 101.
        // Errors quote lesson text and paths: escaped, never sent raw to the terminal.
        let text = format!("{err:#}");
        let text = kubetutor::lesson::escape::controls(&text);
        let _ = writeln!(std::io::stderr(), "{}", error_line(&text));
        ExitCode::FAILURE
    })
}

/// `kubetutor: error: TEXT`, unless TEXT is already a diagnostic (`error: ...` then
/// ` --> path:line:col`): a second `error:` in front of it says nothing and breaks tools that
/// parse rustc-style output.
fn error_line(text: &str) -> String {
    let first = text.lines().next().unwrap_or_default();
    if first.starts_with("error: ") || first.starts_with("warning: ") {
        text.to_string()
    } else {
        format!("kubetutor: error: {text}")
    }
}
