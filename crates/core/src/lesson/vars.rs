//! Which variables each shell command defines, and which are always there.

use super::shell::Word;

/// Set by bash, the login environment or kubetutor itself; never flagged as undefined.
const STANDARD: [&str; 45] = [
    "HOME",
    "PATH",
    "USER",
    "LOGNAME",
    "PWD",
    "OLDPWD",
    "SHELL",
    "TERM",
    "LANG",
    "LANGUAGE",
    "HOSTNAME",
    "TMPDIR",
    "EDITOR",
    "VISUAL",
    "PAGER",
    "KUBECONFIG",
    "IFS",
    "PS1",
    "PS2",
    "PS4",
    "RANDOM",
    "SRANDOM",
    "LINENO",
    "SECONDS",
    "UID",
    "EUID",
    "PPID",
    "BASH",
    "PIPESTATUS",
    "FUNCNAME",
    "REPLY",
    "OPTARG",
    "OPTIND",
    "OPTERR",
    "HOSTTYPE",
    "OSTYPE",
    "MACHTYPE",
    "COLUMNS",
    "LINES",
    "SHLVL",
    "DISPLAY",
    "GROUPS",
    "EPOCHSECONDS",
    "EPOCHREALTIME",
    "NO_COLOR",
];

const STANDARD_PREFIXES: [&str; 4] = ["BASH_", "LC_", "XDG_", "KUBETUTOR_"];

pub fn is_standard(name: &str) -> bool {
    STANDARD.contains(&name) || STANDARD_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Shell keywords that may precede a command on the same line.
const KEYWORDS: [&str; 11] = [
    "if", "then", "else", "elif", "do", "while", "until", "!", "{", "time", "exec",
];

/// Skips leading keywords and `NAME=value` assignments; returns the assignments' names (with
/// offsets) and the index of the command name.
pub fn split_assignments(cmd: &[Word]) -> (Vec<(String, usize)>, usize) {
    let mut defs = Vec::new();
    let mut i = 0;
    while let Some(w) = cmd.get(i) {
        if KEYWORDS.contains(&w.text.as_str()) {
            i += 1;
        } else if let Some(name) = assigned_name(&w.text) {
            defs.push((name, w.at));
            i += 1;
        } else {
            break;
        }
    }
    (defs, i)
}

/// `NAME=...`, `NAME+=...`, `NAME[i]=...` -> NAME.
fn assigned_name(word: &str) -> Option<String> {
    let eq = word.find('=')?;
    let lhs = word[..eq].trim_end_matches('+');
    let name = lhs.split('[').next().unwrap_or(lhs);
    super::attrs::is_var_name(name).then(|| name.to_string())
}

/// Variables a simple command defines in the session, with the offset of the defining word.
pub fn defines(cmd: &[Word]) -> Vec<(String, usize)> {
    let (mut defs, start) = split_assignments(cmd);
    let Some(name) = cmd.get(start) else {
        return defs;
    };
    let args = &cmd[start + 1..];
    let plain = |w: &&Word| !w.text.starts_with('-');
    let named = |w: &Word| {
        let n = w.text.split('=').next().unwrap_or("");
        super::attrs::is_var_name(n).then(|| (n.to_string(), w.at))
    };
    match name.text.as_str() {
        "export" | "declare" | "local" | "readonly" | "typeset" => {
            defs.extend(args.iter().filter(plain).filter_map(named));
        }
        "for" | "select" => defs.extend(args.first().and_then(named)),
        "read" => defs.extend(read_targets(args)),
        "mapfile" | "readarray" => defs.extend(args.iter().rfind(plain).and_then(named)),
        "printf" => {
            let v = args.iter().position(|w| w.text == "-v");
            defs.extend(v.and_then(|i| args.get(i + 1)).and_then(named));
        }
        "getopts" => defs.extend(args.get(1).and_then(named)),
        _ => {}
    }
    defs
}

fn read_targets(args: &[Word]) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(w) = args.get(i) {
        match w.text.as_str() {
            "-a" => {
                out.extend(args.get(i + 1).map(|w| (w.text.clone(), w.at)));
                i += 2;
            }
            "-d" | "-i" | "-n" | "-N" | "-p" | "-t" | "-u" => i += 2,
            t if t.starts_with('-') => i += 1,
            t => {
                if super::attrs::is_var_name(t) {
                    out.push((t.to_string(), w.at));
                }
                i += 1;
            }
        }
    }
    out
}

/// Whether a command may define variables we cannot see (`source`, `.`, `eval`).
pub fn is_opaque(cmd: &[Word]) -> bool {
    let (_, start) = split_assignments(cmd);
    cmd.get(start)
        .is_some_and(|w| matches!(w.text.as_str(), "source" | "." | "eval"))
}

#[cfg(test)]
mod tests {
    use super::super::shell::scan;
    use super::*;

    fn defs(code: &str) -> Vec<String> {
        scan(code)
            .commands
            .iter()
            .flat_map(|c| defines(c))
            .map(|(n, _)| n)
            .collect()
    }

    #[test]
    fn finds_definitions() {
        let code = "A=1 B+=2 C[0]=x cmd; export D E=1 -n; declare -x F=2\nfor G in a b; do read -r -p 'x' H I; done\nprintf -v J '%s' x; mapfile -t K < f";
        assert_eq!(
            defs(code),
            ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K"]
        );
    }

    #[test]
    fn assignments_after_keywords_and_substitutions() {
        assert_eq!(
            defs("if true; then POD=$(kubectl get pods -o name); fi"),
            ["POD"]
        );
    }

    #[test]
    fn arguments_are_not_assignments() {
        assert!(defs("kubectl run x --env=A=1; echo B=1").is_empty());
    }

    #[test]
    fn standard_names() {
        assert!(is_standard("HOME") && is_standard("LC_ALL") && is_standard("KUBETUTOR_X"));
        assert!(!is_standard("SENTINEL_POD"));
    }
}
