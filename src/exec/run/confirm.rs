//! The cluster safety gate of `kubetutor run`: before the first cell that runs kubectl, show
//! where commands will go and get a yes (or `--yes`), then give cells the private kubeconfig.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, bail};

use crate::cli::RunArgs;
use crate::lesson::Lesson;

/// The resolved cluster target, printed; `ask` when the user must still say yes.
pub struct Gate {
    pub target: crate::kube::safety::ClusterTarget,
    pub ask: bool,
}

/// Resolves the target and prints it. Refuses outright when confirmation is needed but
/// nobody can give it (stdin is not a terminal and no `--yes`).
pub fn gate(lesson: &Lesson, args: &RunArgs, out: &mut impl Write) -> anyhow::Result<Gate> {
    let target = crate::kube::safety::prepare(lesson, &args.common)?;
    writeln!(
        out,
        "Cluster: context {}, server {}",
        target.context, target.cluster_url
    )?;
    writeln!(out, "Namespace: {}", target.namespace)?;
    if !args.yes && !std::io::stdin().is_terminal() {
        bail!(
            "refusing to run kubectl cells against context `{}` without confirmation: stdin is \
             not a terminal; pass --yes to confirm",
            target.context
        );
    }
    Ok(Gate {
        target,
        ask: !args.yes,
    })
}

pub const PROMPT: &str = "Run this lesson's commands against this cluster? [y/N] ";

/// Reads the answer to [`PROMPT`] (blocking).
pub fn read_answer() -> anyhow::Result<bool> {
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .context("reading the confirmation")?;
    Ok(matches!(answer.trim().to_lowercase().as_str(), "y" | "yes"))
}
