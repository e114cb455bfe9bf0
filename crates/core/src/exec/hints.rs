//! Explains a failure the shell cannot: a `$VAR` the cell uses that nothing ever set (bash
//! silently expands it to nothing, and the command then fails in a confusing way).

use std::collections::HashSet;

use crate::lesson::{Cell, Lesson, shell, vars};

/// The names the code expands (`$NAME`, `${NAME...}`) that no guard covers (`${NAME-x}`,
/// `${NAME:?}`, ...) and that the code does not define itself before or after (`NAME=`, `for`,
/// `read`, `export`...; `unset NAME` too), in order, once each. The same reading of the shell as
/// `check`'s ([`shell::scan`]): quotes, comments and here-documents are understood.
pub fn undefined_names(code: &str) -> Vec<String> {
    let scan = shell::scan(code);
    let mut defined: HashSet<String> = HashSet::new();
    for command in &scan.commands {
        defined.extend(vars::defines(command).into_iter().map(|(name, _)| name));
        if command.first().is_some_and(|w| w.text == "unset") {
            defined.extend(command[1..].iter().map(|w| w.text.clone()));
        }
    }
    // Membership in a set: a cell with thousands of names must not cost names² compares.
    let mut seen: HashSet<String> = HashSet::new();
    scan.uses
        .into_iter()
        .filter(|u| !u.guarded && !defined.contains(&u.name) && seen.insert(u.name.clone()))
        .map(|u| u.name)
        .collect()
}

/// The first of the cells before cell `index` (in [`Lesson::cells`] order) that sets `name` for
/// later cells: it captures it, or its code assigns or exports it.
pub fn setter_of<'a>(lesson: &'a Lesson, index: usize, name: &str) -> Option<&'a Cell> {
    lesson
        .cells()
        .into_iter()
        .take(index)
        .filter(|c| c.is_runnable())
        .find(|c| {
            c.attrs.capture.as_deref() == Some(name)
                || shell::scan(&c.code)
                    .commands
                    .iter()
                    .any(|cmd| vars::defines(cmd).iter().any(|(n, _)| n == name))
        })
}

/// The note for a name an earlier cell sets, which has not passed in this session (it
/// failed, or was skipped): run that one, not "the cell that sets it".
pub fn unset_by_note(name: &str, setter: &Cell) -> String {
    format!(
        "kubetutor: ${name} is not set: cell `{}` (line {}) sets it, and it has not passed in this session (run it first)\n",
        setter.id, setter.span.line
    )
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
    fn finds_expansions_but_not_quoted_escaped_or_guarded_ones() {
        let code = "echo $A ${B:-x} \"$C\" '$D' \\$E $1 $? # $F\nawk '{print $2}' $A_2\necho \"it's $G\" ${H-y} ${I:=z} ${J:?} ${K+k} ${#L}";
        // `${J:?}` is an error when J is unset, so (as in `check`) it is named too.
        assert_eq!(undefined_names(code), ["A", "C", "A_2", "G", "J"]);
    }

    #[test]
    fn a_here_document_body_is_read_as_the_shell_does() {
        // A quoted delimiter: the body is literal text, not expansions (the old scanner
        // reported $NAME here). Unquoted: the body expands.
        assert_eq!(
            undefined_names("cat <<'EOF'\necho $NAME\nEOF\necho done"),
            Vec::<String>::new()
        );
        assert_eq!(undefined_names("cat <<EOF\n$HOST\nEOF"), ["HOST"]);
    }

    #[test]
    fn names_the_cell_defines_are_not_undefined() {
        let none = Vec::<String>::new();
        assert_eq!(undefined_names("X=1; echo $X"), none);
        assert_eq!(undefined_names("for f in *; do echo $f; done"), none);
        assert_eq!(
            undefined_names("ls | while read -r line; do echo $line; done"),
            none
        );
        assert_eq!(undefined_names("unset POD; echo $POD"), none);
        assert_eq!(undefined_names("a=1 POD=2 cmd $POD"), none);
        assert_eq!(undefined_names("export POD=x; echo $POD"), none);
        assert_eq!(undefined_names("echo $POD"), ["POD"]);
        // A longer name is not this one (the old scanner matched substrings).
        assert_eq!(undefined_names("MY_POD=1; echo $POD"), ["POD"]);
    }

    #[test]
    fn thousands_of_names_give_a_short_note() {
        // A cell that names 20,000 distinct unset variables (issue 20, D8): the old
        // names-times-code scans took minutes here.
        let code: String = (0..20_000).map(|i| format!("$V{i} ")).collect();
        let unset = undefined_names(&code);
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
