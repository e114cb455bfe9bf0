//! The cluster safety gate of `kubetutor run`: before the first cell that runs kubectl, show
//! where commands will go and get a yes (or `--yes`), then give cells the private kubeconfig.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, bail};

use crate::cli::RunArgs;
use crate::lesson::{Cell, Lesson};

/// Whether a cell's code runs kubectl (as a command word, not e.g. inside a file name).
pub fn runs_kubectl(cell: &Cell) -> bool {
    cell.code
        .split(|c: char| c.is_whitespace() || ";|&()`$\"'".contains(c))
        .any(|w| w == "kubectl" || w.ends_with("/kubectl"))
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(code: &str) -> Cell {
        Cell {
            id: "x".into(),
            lang: "sh".into(),
            code: code.into(),
            attrs: Default::default(),
            span: Default::default(),
            hint: None,
        }
    }

    #[test]
    fn detects_kubectl_as_a_command() {
        assert!(runs_kubectl(&cell("kubectl get pods")));
        assert!(runs_kubectl(&cell("echo hi && kubectl apply -f x.yaml")));
        assert!(runs_kubectl(&cell("P=$(kubectl get pods -o name)")));
        assert!(runs_kubectl(&cell("/usr/local/bin/kubectl version")));
        assert!(!runs_kubectl(&cell("cat kubectl-notes.txt")));
        assert!(!runs_kubectl(&cell("echo hi")));
    }
}
