//! The consent step of `kubetutor run`: before the first cell that runs kubectl, show where
//! commands will go and get a yes (or `--yes`); the cluster session does the rest.

use crate::lesson::escape::controls;
use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, bail};

use crate::cli::RunArgs;
use crate::kube::session::{ClusterSession, Prepared};

/// The resolved cluster target, printed; `ask` when the user must still say yes.
pub struct Gate {
    pub prepared: Prepared,
    pub ask: bool,
}

/// Resolves the target and prints it. Refuses outright when confirmation is needed but
/// nobody can give it (stdin is not a terminal and no `--yes`).
pub fn gate(
    session: &ClusterSession,
    args: &RunArgs,
    out: &mut impl Write,
) -> anyhow::Result<Gate> {
    let prepared = session.prepare()?;
    let target = &prepared.target;
    // The kubeconfig is input too: its names are escaped like lesson text.
    writeln!(
        out,
        "Cluster: context {}, server {}",
        controls(&target.context),
        controls(&target.cluster_url.to_string())
    )?;
    writeln!(out, "Namespace: {}", controls(&target.namespace))?;
    if !args.yes && !std::io::stdin().is_terminal() {
        bail!(
            "refusing to run kubectl cells against context `{}` without confirmation: stdin is \
             not a terminal; pass --yes to confirm",
            target.context
        );
    }
    Ok(Gate {
        ask: !args.yes,
        prepared,
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
