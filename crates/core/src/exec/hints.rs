//! Explains a failure the shell cannot: a `$VAR` the cell uses that nothing ever set (bash
//! silently expands it to nothing, and the command then fails in a confusing way).

use std::collections::HashSet;

/// Names the code expands (`$NAME`, `${NAME...}`) outside single quotes, in order, once each;
/// not those given a default or a guard (`${NAME-x}`, `${NAME:=x}`, `${NAME:?}`, ...).
pub fn expanded_names(code: &str) -> Vec<String> {
    let b = code.as_bytes();
    let mut names: Vec<String> = Vec::new();
    // Membership in a set: a cell with thousands of names must not cost names² compares.
    let mut seen: HashSet<&str> = HashSet::new();
    let (mut i, mut in_double) = (0, false);
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'\'' if !in_double => {
                i += b[i + 1..]
                    .iter()
                    .position(|&c| c == b'\'')
                    .map_or(b.len(), |p| p + 1);
            }
            b'"' => in_double = !in_double,
            b'#' if !in_double && (i == 0 || b[i - 1].is_ascii_whitespace()) => {
                i += b[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .unwrap_or(b.len() - i);
            }
            b'$' => {
                let braced = b.get(i + 1) == Some(&b'{');
                let start = i + 1 + braced as usize;
                let len = name_len(&b[start.min(b.len())..]);
                let after = &b[(start + len).min(b.len())..];
                let handled = braced
                    && matches!(
                        after.strip_prefix(b":").unwrap_or(after).first(),
                        Some(b'-' | b'=' | b'+' | b'?')
                    );
                if len > 0 && !handled {
                    let name = &code[start..start + len];
                    if seen.insert(name) {
                        names.push(name.to_string());
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    names
}

fn name_len(b: &[u8]) -> usize {
    match b.first() {
        Some(c) if c.is_ascii_alphabetic() || *c == b'_' => b
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
            .count(),
        _ => 0,
    }
}

/// Whether the code itself assigns `name` (so an unset value afterwards is not the lesson's
/// fault): `NAME=`, `for NAME`, `read ... NAME`, or `unset NAME`.
#[cfg(test)]
pub fn assigns(code: &str, name: &str) -> bool {
    assigned_names(code).contains(name)
}

/// Every name the code assigns (see [`assigns`]), found in one pass over the code so that
/// asking about each of its names stays linear.
pub fn assigned_names(code: &str) -> HashSet<&str> {
    let mut out = HashSet::new();
    let b = code.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let len = name_len(&b[i..]);
        let starts_word = i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        if len > 0 && starts_word && b.get(i + len) == Some(&b'=') {
            out.insert(&code[i..i + len]);
        }
        i += len.max(1);
    }
    for line in code.lines() {
        let mut words = line.split_whitespace().map(|w| w.trim_end_matches(';'));
        while let Some(word) = words.next() {
            match word {
                "for" => out.extend(words.next()),
                "unset" | "read" => {
                    let rest = words.by_ref().take_while(|w| !w.is_empty());
                    out.extend(rest.filter(|w| !w.starts_with('-')));
                    break;
                }
                _ => {}
            }
        }
    }
    out
}

/// Names listed in one note; a cell with more gets "and N more".
const NOTE_NAMES: usize = 10;

/// The note shown after a failed cell for each expanded name that is not set.
pub fn unset_note(names: &[String]) -> Option<String> {
    if names.is_empty() {
        return None;
    }
    let mut list = names
        .iter()
        .take(NOTE_NAMES)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > NOTE_NAMES {
        list.push_str(&format!(" and {} more", names.len() - NOTE_NAMES));
    }
    let (verb, it) = if names.len() == 1 {
        ("is", "it")
    } else {
        ("are", "them")
    };
    Some(format!(
        "kubetutor: {list} {verb} not set: no earlier cell exports or captures {it} (run the cell that sets {it} first)\n"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_expansions_but_not_quoted_or_escaped_ones() {
        let code = "echo $A ${B:-x} \"$C\" '$D' \\$E $1 $? # $F\nawk '{print $2}' $A_2\necho \"it's $G\" ${H-y} ${I:=z} ${J:?} ${K+k} ${#L}";
        assert_eq!(expanded_names(code), ["A", "C", "A_2", "G"]);
    }

    #[test]
    fn sees_assignments_in_the_cell() {
        assert!(assigns("X=1; echo $X", "X"));
        assert!(assigns("for f in *; do echo $f; done", "f"));
        assert!(assigns(
            "ls | while read -r line; do echo $line; done",
            "line"
        ));
        assert!(assigns("unset POD; echo $POD", "POD"));
        assert!(!assigns("echo $POD", "POD"));
        assert!(!assigns("MY_POD=1", "POD"), "a longer name is not this one");
        assert!(assigns("a=1 POD=2 cmd", "POD"));
        assert!(assigns("unset A POD", "POD"));
    }

    #[test]
    fn thousands_of_names_give_a_short_note() {
        // A cell that names 20,000 distinct unset variables (issue 20, D8): the old
        // names-times-code scans took minutes here (the time budget is in benches/check.rs).
        let code: String = (0..20_000).map(|i| format!("$V{i} ")).collect();
        let names = expanded_names(&code);
        let assigned = assigned_names(&code);
        let unset: Vec<String> = names
            .into_iter()
            .filter(|n| !assigned.contains(n.as_str()))
            .collect();
        assert_eq!(unset.len(), 20_000);
        let note = unset_note(&unset).unwrap();
        assert!(note.contains("$V9 and 19990 more"), "{note}");
        assert!(note.len() < 300, "{note}");
    }

    #[test]
    fn note_lists_the_names() {
        assert_eq!(unset_note(&[]), None);
        let note = unset_note(&["POD".into()]).unwrap();
        assert!(note.starts_with("kubetutor: $POD is not set"), "{note}");
        assert!(note.contains("captures it (run"), "{note}");
        let note = unset_note(&["A".into(), "B".into()]).unwrap();
        assert!(
            note.contains("$A, $B are not set") && note.contains("captures them"),
            "{note}"
        );
    }
}
