//! The cluster-safety rule: kubetutor pins every cell to the lesson's context and namespace
//! (a private kubeconfig), so commands that pick another kubeconfig, server, context or
//! namespace step outside that guard, and in a workshop they make learners collide.
//!
//! [`escapes`] is the one reading of a cell for this, used twice: `check` reports what it finds,
//! and the engine's cluster gate refuses to start a cell with a [`EscapeKind::Bypass`] (or a
//! protected context). It catches accidents and copy-paste; a lesson is code, and code that
//! hides what it runs (`eval`, a script, a built-up command name) is beyond any scanner. The
//! gate's other layers (a private kubeconfig from the first cell, re-exported before every cell
//! and compared after each) bound what such code can do; the README's Safety section states the threat model.

use super::diag::{Diagnostic, Severity};
use super::lint::Cx;
use super::model::Cell;
use super::shell::{Scan, Word, scan};
use super::vars::split_assignments;

/// What a finding is, which decides what the runtime does with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EscapeKind {
    /// Another kubeconfig, server, or an edit of the private kubeconfig: never run.
    Bypass,
    /// An explicit `--context NAME`: run only when NAME is not protected (it then fails
    /// against the private kubeconfig, which holds the confirmed context only).
    Context(String),
    /// A namespace other than the lesson's: allowed, reported by `check`.
    Namespace,
}

/// One way a cell steps outside the lesson's kubeconfig, with byte offsets into its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escape {
    pub kind: EscapeKind,
    pub at: usize,
    pub end: usize,
    pub why: String,
    pub help: &'static str,
}

/// Commands whose flags name a kubeconfig, context or server.
const CLUSTER_TOOLS: [&str; 4] = ["kubectl", "helm", "kustomize", "k9s"];
/// Builtins whose arguments name variables they set or unset.
const VAR_SETTERS: [&str; 7] = [
    "export", "declare", "typeset", "readonly", "local", "unset", "read",
];
/// `kubectl config` subcommands that write the kubeconfig.
const CONFIG_WRITERS: [&str; 10] = [
    "use-context",
    "use",
    "set-context",
    "set-cluster",
    "set-credentials",
    "set",
    "unset",
    "delete-context",
    "delete-cluster",
    "rename-context",
];
const KUBECONFIG_HELP: &str =
    "drop it: cells already use a kubeconfig pinned to the context the learner confirmed";

/// Every escape in `code` (scanned as `scan`), in order.
pub fn escapes_in(code: &str, scan: &Scan, lesson_ns: Option<&str>) -> Vec<Escape> {
    let mut out = Vec::new();
    for cmd in &scan.commands {
        command_escapes(code, cmd, lesson_ns, &mut out);
    }
    for w in &scan.writes {
        if names_kubeconfig_var(code, w) {
            out.push(bypass(
                w,
                "writes into $KUBECONFIG, the lesson's private kubeconfig".into(),
                KUBECONFIG_HELP,
            ));
        }
    }
    out.sort_by_key(|e| e.at);
    out
}

/// [`escapes_in`] for code not scanned yet (the engine's gate).
pub fn escapes(code: &str, lesson_ns: Option<&str>) -> Vec<Escape> {
    escapes_in(code, &scan(code), lesson_ns)
}

fn bypass(w: &Word, why: String, help: &'static str) -> Escape {
    Escape {
        kind: EscapeKind::Bypass,
        at: w.at,
        end: w.end,
        why,
        help,
    }
}

/// Whether a word is exactly `$KUBECONFIG` / `${KUBECONFIG}`, quoted or not.
fn names_kubeconfig_var(code: &str, w: &Word) -> bool {
    is_kubeconfig_var(code.get(w.at..w.end.min(code.len())).unwrap_or(""))
}

/// `KUBECONFIG=...` / `KUBECONFIG+=...` (also `KUBECONFIG[0]=`), as an assignment word.
fn assigns_kubeconfig(text: &str) -> bool {
    text.strip_prefix("KUBECONFIG").is_some_and(|rest| {
        rest.starts_with('=') || rest.starts_with("+=") || rest.starts_with('[')
    })
}

fn command_escapes(code: &str, cmd: &[Word], ns: Option<&str>, out: &mut Vec<Escape>) {
    let (_, start) = split_assignments(cmd);
    for w in &cmd[..start] {
        if assigns_kubeconfig(&w.text) {
            let why = "sets KUBECONFIG, which would leave the lesson's private kubeconfig".into();
            out.push(bypass(w, why, KUBECONFIG_HELP));
        }
    }
    let Some(name_word) = cmd.get(start) else {
        return;
    };
    let name = super::model::program_of(&name_word.text);
    let args = &cmd[start + 1..];
    if VAR_SETTERS.contains(&name) || name == "env" || name == "printf" {
        var_setter_escapes(name, args, out);
    }
    if name == "env" || name == "command" || name == "exec" || name == "sudo" {
        // `env [VAR=x] kubectl ...`: the wrapped command counts as a command of its own.
        let inner = args
            .iter()
            .position(|w| !w.text.starts_with('-') && !w.text.contains('='));
        if let Some(i) = inner {
            for w in &args[..i] {
                if assigns_kubeconfig(&w.text) {
                    let why =
                        "sets KUBECONFIG, which would leave the lesson's private kubeconfig".into();
                    out.push(bypass(w, why, KUBECONFIG_HELP));
                }
            }
            command_escapes(code, &args[i..], ns, out);
        }
        return;
    }
    if CLUSTER_TOOLS.contains(&name) {
        tool_escapes(code, name, args, ns, out);
    }
}

/// `export KUBECONFIG=..`, `unset KUBECONFIG`, `env -u KUBECONFIG`, `read KUBECONFIG`,
/// `printf -v KUBECONFIG`.
fn var_setter_escapes(name: &str, args: &[Word], out: &mut Vec<Escape>) {
    for (i, w) in args.iter().enumerate() {
        let names_var = w.text == "KUBECONFIG" || assigns_kubeconfig(&w.text);
        let counts = match name {
            "env" => {
                w.text == "--unset=KUBECONFIG"
                    || w.text == "-uKUBECONFIG"
                    || (w.text == "KUBECONFIG"
                        && i > 0
                        && matches!(args[i - 1].text.as_str(), "-u" | "--unset"))
            }
            "printf" => w.text == "KUBECONFIG" && i > 0 && args[i - 1].text == "-v",
            _ => names_var,
        };
        if counts {
            let verb = if name == "unset" || name == "env" {
                "unsets"
            } else {
                "sets"
            };
            let why = format!(
                "`{name}` {verb} KUBECONFIG, which would leave the lesson's private kubeconfig"
            );
            out.push(bypass(w, why, KUBECONFIG_HELP));
        }
    }
}

/// The value of `flag` at `args[i]` (`--flag=v` or `--flag v`): its text after quote
/// removal, its raw source text, and whether it expands anything.
struct FlagValue<'a> {
    text: String,
    raw: &'a str,
    dynamic: bool,
}

fn flag_value<'a>(code: &'a str, args: &[Word], i: usize, flag: &str) -> Option<FlagValue<'a>> {
    let w = &args[i];
    let raw_of = |w: &Word| code.get(w.at..w.end.min(code.len())).unwrap_or("");
    if let Some(text) = w.text.strip_prefix(flag).and_then(|r| r.strip_prefix('=')) {
        let raw = raw_of(w);
        let raw = raw.split_once('=').map_or(raw, |(_, v)| v);
        return Some(FlagValue {
            text: text.to_string(),
            raw,
            dynamic: w.dynamic,
        });
    }
    if w.text != flag {
        return None;
    }
    let next = args.get(i + 1)?;
    Some(FlagValue {
        text: next.text.clone(),
        raw: raw_of(next),
        dynamic: next.dynamic,
    })
}

fn is_kubeconfig_var(raw: &str) -> bool {
    let raw = raw.trim_matches(|c| c == '"' || c == '\'');
    raw == "$KUBECONFIG" || raw == "${KUBECONFIG}"
}

fn tool_escapes(code: &str, tool: &str, args: &[Word], ns: Option<&str>, out: &mut Vec<Escape>) {
    let words: Vec<&str> = args.iter().map(|w| w.text.as_str()).collect();
    if tool == "kubectl"
        && words.len() >= 2
        && words[0] == "config"
        && CONFIG_WRITERS.contains(&words[1])
    {
        let why = format!(
            "`kubectl config {}` rewrites the kubeconfig kubetutor pinned to the lesson",
            words[1]
        );
        out.push(bypass(
            &args[1],
            why,
            "cells already run in the lesson's context and namespace; pass --context or --namespace to kubetutor instead",
        ));
    }
    let server_flags: &[&str] = if tool == "kubectl" {
        &["--server", "-s"]
    } else {
        &["--server", "--kube-apiserver"]
    };
    let context_flags: &[&str] = if tool == "helm" {
        &["--kube-context", "--context"]
    } else {
        &["--context"]
    };
    for (i, w) in args.iter().enumerate() {
        let found = |flags: &[&'static str]| {
            flags
                .iter()
                .find_map(|&f| flag_value(code, args, i, f).map(|v| (f, v)))
        };
        if let Some(v) = flag_value(code, args, i, "--kubeconfig") {
            if !is_kubeconfig_var(v.raw) {
                let why =
                    format!("`--kubeconfig` makes {tool} bypass the lesson's private kubeconfig");
                out.push(bypass(w, why, KUBECONFIG_HELP));
            }
        } else if let Some((flag, _)) = found(server_flags) {
            let why = format!("`{flag}` sends {tool}'s credentials to another API server");
            out.push(bypass(
                w,
                why,
                "drop it: cells reach the server the learner confirmed",
            ));
        } else if let Some((_, v)) = found(context_flags) {
            // Empty: a placeholder follows (`--context=<name>`), named as one already.
            if v.dynamic || v.text.is_empty() {
                continue;
            }
            let why = format!("`--context {}` bypasses kubetutor's context guard", v.text);
            out.push(Escape {
                kind: EscapeKind::Context(v.text),
                at: w.at,
                end: w.end,
                why,
                help: "drop it: kubetutor runs cells in the context it confirmed with the learner",
            });
        } else if let Some((_, v)) = found(&["-n", "--namespace"]) {
            if v.dynamic || v.text.is_empty() || ns == Some(v.text.as_str()) {
                continue;
            }
            let other = v.text;
            let why = match ns {
                Some(ns) => format!("namespace `{other}` is not the lesson's (`{ns}`)"),
                None => format!("namespace `{other}` is hard-coded and the lesson declares none"),
            };
            out.push(Escape {
                kind: EscapeKind::Namespace,
                at: w.at,
                end: w.end,
                why,
                help: "omit -n: cells run in the lesson namespace, which workshops suffix per learner",
            });
        }
    }
}

/// `check`: bypasses are errors (the gate refuses them), the rest warnings.
/// The same foreign namespace is reported once, at its first use, with how many more there
/// are: a page that names it in every command would otherwise bury every other finding.
pub(crate) fn lint_escapes(cx: &Cx, scans: &[(&Cell, Scan)], out: &mut Vec<Diagnostic>) {
    let ns = cx.lesson.meta.namespace.as_deref();
    // Message of a namespace finding -> (its index in `out`, uses after the first).
    let mut namespaces: std::collections::HashMap<String, (usize, usize)> = Default::default();
    for (cell, scan) in scans {
        for e in escapes_in(&cell.code, scan, ns) {
            if e.kind == EscapeKind::Namespace {
                if let Some((_, more)) = namespaces.get_mut(&e.why) {
                    *more += 1;
                    continue;
                }
                namespaces.insert(e.why.clone(), (out.len(), 0));
            }
            let severity = match e.kind {
                EscapeKind::Bypass => Severity::Error,
                _ => Severity::Warning,
            };
            let why = match e.kind {
                EscapeKind::Bypass => format!("{}: kubetutor refuses to run this cell", e.why),
                _ => e.why,
            };
            let (s, end) = (cx.code_pos(cell, e.at), cx.code_pos(cell, e.end));
            out.push(cx.at(severity, s, end, why).with_help(e.help));
        }
    }
    for (at, more) in namespaces.into_values().filter(|(_, more)| *more > 0) {
        let again = match more {
            1 => "once more".to_string(),
            n => format!("{n} more times"),
        };
        out[at].message.push_str(&format!(" (and {again})"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(code: &str, ns: Option<&str>) -> Vec<String> {
        escapes(code, ns).into_iter().map(|e| e.why).collect()
    }

    fn bypasses(code: &str) -> usize {
        escapes(code, None)
            .iter()
            .filter(|e| e.kind == EscapeKind::Bypass)
            .count()
    }

    #[test]
    fn flags_context_kubeconfig_and_foreign_namespaces() {
        assert_eq!(
            why("kubectl --context prod get pods", Some("a")),
            ["`--context prod` bypasses kubetutor's context guard"]
        );
        assert_eq!(
            why("kubectl get pods --kubeconfig=/x", Some("a")),
            ["`--kubeconfig` makes kubectl bypass the lesson's private kubeconfig"]
        );
        assert_eq!(
            why("kubectl -n kube-system get pods", Some("a")),
            ["namespace `kube-system` is not the lesson's (`a`)"]
        );
        assert_eq!(
            why("kubectl config use-context prod", None),
            ["`kubectl config use-context` rewrites the kubeconfig kubetutor pinned to the lesson"]
        );
    }

    #[test]
    fn every_spelling_of_another_kubeconfig_is_a_bypass() {
        for code in [
            "KUBECONFIG=~/.kube/config kubectl get pods",
            "KUBECONFIG=/tmp/x helm list",
            "export KUBECONFIG=$HOME/.kube/config",
            "export FOO=1 KUBECONFIG=/x",
            "declare -x KUBECONFIG=/x",
            "KUBECONFIG=/x; export KUBECONFIG",
            "KUBECONFIG+=:/x",
            "unset KUBECONFIG; kubectl get pods",
            "unset -v KUBECONFIG",
            "env -u KUBECONFIG kubectl get pods",
            "env --unset=KUBECONFIG kubectl get pods",
            "env KUBECONFIG=/x kubectl get pods",
            "read -r KUBECONFIG < /tmp/path",
            "printf -v KUBECONFIG %s /x",
            "kubectl --kubeconfig ~/.kube/config get pods",
            "kubectl --kubeconfig ~/.kube/config --context prod get pods",
            "kubectl get pods --kubeconfig=\"$HOME/.kube/config\"",
            "helm --kubeconfig /x list",
            "x=$(kubectl --kubeconfig /x get pods -o name)",
            "kubectl --server https://10.0.0.1:6443 get pods",
            "kubectl -s https://10.0.0.1:6443 get pods",
            "kubectl --server=https://10.0.0.1:6443 get pods",
            "kubectl config set-cluster dev --server=http://127.0.0.1:2",
            "kubectl config set-context --current --namespace=other",
            "kubectl config set-credentials me --token=x",
            "kubectl config delete-context dev",
            "/usr/local/bin/kubectl config use-context prod",
            "command kubectl --kubeconfig /x get pods",
            "cat ~/.kube/config > $KUBECONFIG",
            "cp /x /y; echo bad >> \"${KUBECONFIG}\"",
        ] {
            assert!(bypasses(code) >= 1, "not caught: {code}");
        }
    }

    #[test]
    fn the_lessons_own_kubeconfig_and_plain_uses_are_fine() {
        for code in [
            "kubectl get pods",
            "kubectl --kubeconfig \"$KUBECONFIG\" get pods",
            "kubectl --kubeconfig=$KUBECONFIG get pods",
            "echo $KUBECONFIG",
            "kubectl config view --minify",
            "kubectl config current-context",
            "cat <<'EOF'\nKUBECONFIG=/x kubectl get pods\nEOF",
            "# KUBECONFIG=/x kubectl",
            "grep KUBECONFIG notes.txt",
        ] {
            assert_eq!(bypasses(code), 0, "false alarm: {code}");
        }
    }

    #[test]
    fn contexts_are_reported_by_name_for_the_protected_check() {
        let kinds: Vec<EscapeKind> = escapes(
            "kubectl --context=prod get pods; helm --kube-context PROD list",
            None,
        )
        .into_iter()
        .map(|e| e.kind)
        .collect();
        assert_eq!(
            kinds,
            [
                EscapeKind::Context("prod".into()),
                EscapeKind::Context("PROD".into())
            ]
        );
    }

    #[test]
    fn lesson_namespace_and_variables_are_fine() {
        assert!(
            why(
                "kubectl -n a get pods; kubectl --namespace=a get svc; kubectl --namespace=<ns> get po",
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
