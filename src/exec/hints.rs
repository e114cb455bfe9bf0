//! Explains a failure the shell cannot: a `$VAR` the cell uses that nothing ever set (bash
//! silently expands it to nothing, and the command then fails in a confusing way).

/// Names the code expands (`$NAME`, `${NAME...}`) outside single quotes, in order, once each;
/// not those given a default or a guard (`${NAME-x}`, `${NAME:=x}`, `${NAME:?}`, ...).
pub fn expanded_names(code: &str) -> Vec<String> {
    let b = code.as_bytes();
    let mut names: Vec<String> = Vec::new();
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
                    if !names.iter().any(|n| n == name) {
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
pub fn assigns(code: &str, name: &str) -> bool {
    code.contains(&format!("{name}="))
        || code.contains(&format!("unset {name}"))
        || code.contains(&format!("for {name} "))
        || code.lines().any(|l| {
            let mut words = l.split_whitespace().skip_while(|w| *w != "read");
            words.next().is_some() && words.any(|w| w.trim_end_matches(';') == name)
        })
}

/// The note shown after a failed cell for each expanded name that is not set.
pub fn unset_note(names: &[String]) -> Option<String> {
    if names.is_empty() {
        return None;
    }
    let list = names
        .iter()
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ");
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
