//! `kubetutor import NOTEBOOK|SCENARIO_DIR`: a Jupyter notebook (or its text export), or a
//! Killercoda scenario folder, into a lesson folder.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

use crate::cli::ImportArgs;
use crate::lesson::check::{Report, check_file};
use crate::lesson::diag::{Diagnostic, Severity};
use crate::lesson::import::{import_path, slug};

pub fn cli_import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let path = &args.notebook;
    let imported = import_path(path)?;
    let dir = args
        .output
        .clone()
        .unwrap_or_else(|| Path::new("lessons").join(slug(&imported.title, path)));
    let file = dir.join("lesson.md");
    let mut diagnostics: Vec<Diagnostic> = imported
        .warnings
        .iter()
        .map(|w| Diagnostic::file(path, Severity::Warning, w.as_str()))
        .collect();
    // A lesson that does not parse is written all the same: `check` below names its errors.
    let parsed = crate::lesson::parse(path, &imported.markdown).ok();
    let runnable = parsed
        .as_ref()
        .map(|l| l.cells().iter().filter(|c| c.is_runnable()).count());
    if let (Some(lesson), Some(0)) = (&parsed, runnable) {
        // `run` refuses such a lesson: a CI job importing it must not go green on nothing, and
        // nothing is written that a later step could take for a lesson.
        let help = crate::lesson::nothing_to_run_help(lesson);
        diagnostics.push(
            Diagnostic::file(
                path,
                Severity::Error,
                "nothing in it would run, so no lesson was written",
            )
            .with_help(help),
        );
        print!("{}", report(diagnostics).render(false));
        return Ok(ExitCode::FAILURE);
    }
    anyhow::ensure!(
        args.force || !file.exists(),
        "{}: already exists; replace it with --force, or choose another folder with -o",
        file.display()
    );
    std::fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    std::fs::write(&file, &imported.markdown)
        .with_context(|| format!("{}: cannot write", file.display()))?;
    for (name, bytes) in &imported.attachments {
        let out = dir.join(name);
        std::fs::write(&out, bytes).with_context(|| format!("{}: cannot write", out.display()))?;
    }
    diagnostics.extend(check_file(&file));
    let report = report(diagnostics);
    print!("{}", report.render(false));
    match runnable {
        Some(1) => println!("wrote {} (1 shell cell)", file.display()),
        Some(n) => println!("wrote {} ({n} shell cells)", file.display()),
        None => println!("wrote {}", file.display()),
    }
    Ok(if report.errors() > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn report(diagnostics: Vec<Diagnostic>) -> Report {
    Report {
        diagnostics,
        files: 1,
    }
}
