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
    for w in &imported.warnings {
        eprint!("{}", Diagnostic::file(path, Severity::Warning, w.as_str()));
    }
    let diags = check_file(&file);
    let report = Report {
        diagnostics: diags,
        files: 1,
    };
    print!("{}", report.render(false));
    let runnable = crate::lesson::parse(&file, &imported.markdown)
        .map(|l| l.cells().iter().filter(|c| c.is_runnable()).count())
        .unwrap_or(0);
    println!("wrote {} ({runnable} shell cells)", file.display());
    if runnable == 0 {
        // `run` refuses such a lesson: a CI job importing it must not go green on nothing.
        let refused = Diagnostic::file(
            path,
            Severity::Error,
            "the lesson has no shell cells; `kubetutor run` would refuse it",
        )
        .with_help("write the commands as !cmd lines or %%bash cells");
        eprint!("{refused}");
        return Ok(ExitCode::FAILURE);
    }
    Ok(if report.errors() > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
