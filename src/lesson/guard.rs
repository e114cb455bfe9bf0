//! The cluster-safety rule: kubetutor pins every cell to the lesson's context and namespace
//! (a private kubeconfig), so commands that pick another context, kubeconfig or namespace step
//! outside that guard, and in a workshop they make learners collide.

use super::diag::{Diagnostic, Severity};
use super::lint::Cx;
use super::model::Cell;
use super::shell::{Scan, Word};
use super::vars::split_assignments;

pub(crate) fn escapes(cx: &Cx, scans: &[(&Cell, Scan)], out: &mut Vec<Diagnostic>) {
    let ns = cx.lesson.meta.namespace.as_deref();
    for (cell, scan) in scans {
        for cmd in &scan.commands {
            let (_, start) = split_assignments(cmd);
            let is_kubectl = cmd
                .get(start)
                .is_some_and(|w| w.text.rsplit('/').next() == Some("kubectl"));
            if !is_kubectl {
                continue;
            }
            for (w, why, help) in findings(&cmd[start + 1..], ns) {
                let (s, e) = (cx.code_pos(cell, w.at), cx.code_pos(cell, w.end));
                out.push(cx.at(Severity::Warning, s, e, why).with_help(help));
            }
        }
    }
}

fn findings<'w>(args: &'w [Word], ns: Option<&str>) -> Vec<(&'w Word, String, &'static str)> {
    let mut out = Vec::new();
    let value = |i: usize, flag: &str| -> Option<String> {
        let w = &args[i];
        match w.text.strip_prefix(flag).and_then(|r| r.strip_prefix('=')) {
            Some(v) => Some(v.to_string()),
            None if w.text == flag => args
                .get(i + 1)
                .filter(|n| !n.dynamic)
                .map(|n| n.text.clone()),
            None => None,
        }
    };
    let words: Vec<&str> = args.iter().map(|w| w.text.as_str()).collect();
    if words.len() >= 2
        && words[0] == "config"
        && matches!(words[1], "use-context" | "set-context" | "use")
    {
        let why = format!(
            "`kubectl config {}` changes the kube context kubetutor guards",
            words[1]
        );
        out.push((&args[1], why, "cells already run in the lesson's context and namespace; pass --context to kubetutor instead"));
    }
    for (i, w) in args.iter().enumerate() {
        if w.dynamic {
            continue;
        }
        if let Some(ctx) = value(i, "--context") {
            let why = format!("`--context {ctx}` bypasses kubetutor's context guard");
            out.push((
                w,
                why,
                "drop it: kubetutor runs cells in the context it confirmed with the learner",
            ));
        } else if value(i, "--kubeconfig").is_some() {
            let why = "`--kubeconfig` bypasses kubetutor's private kubeconfig".to_string();
            out.push((
                w,
                why,
                "drop it: cells already use a kubeconfig pinned to the lesson",
            ));
        } else if let Some(other) = value(i, "-n").or_else(|| value(i, "--namespace"))
            && ns != Some(other.as_str())
        {
            let why = match ns {
                Some(ns) => format!("namespace `{other}` is not the lesson's (`{ns}`)"),
                None => format!("namespace `{other}` is hard-coded and the lesson declares none"),
            };
            let help =
                "omit -n: cells run in the lesson namespace, which workshops suffix per learner";
            out.push((w, why, help));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::shell::scan;
    use super::*;

    fn why(code: &str, ns: Option<&str>) -> Vec<String> {
        let s = scan(code);
        s.commands
            .iter()
            .flat_map(|c| {
                findings(&c[1..], ns)
                    .into_iter()
                    .map(|(_, w, _)| w)
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn flags_context_kubeconfig_and_foreign_namespaces() {
        assert_eq!(
            why("kubectl --context prod get pods", Some("a")),
            ["`--context prod` bypasses kubetutor's context guard"]
        );
        assert_eq!(
            why("kubectl get pods --kubeconfig=/x", Some("a")),
            ["`--kubeconfig` bypasses kubetutor's private kubeconfig"]
        );
        assert_eq!(
            why("kubectl -n kube-system get pods", Some("a")),
            ["namespace `kube-system` is not the lesson's (`a`)"]
        );
        assert_eq!(
            why("kubectl config use-context prod", None),
            ["`kubectl config use-context` changes the kube context kubetutor guards"]
        );
    }

    #[test]
    fn lesson_namespace_and_variables_are_fine() {
        assert!(
            why(
                "kubectl -n a get pods; kubectl --namespace=a get svc",
                Some("a")
            )
            .is_empty()
        );
        assert!(
            why(
                "kubectl -n \"$NS\" get pods; kubectl get pods -A",
                Some("a")
            )
            .is_empty()
        );
    }
}
