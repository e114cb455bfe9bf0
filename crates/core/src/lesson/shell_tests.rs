use super::*;

fn names(code: &str) -> Vec<(String, bool)> {
    scan(code)
        .uses
        .into_iter()
        .map(|u| (u.name, u.guarded))
        .collect()
}

fn words(code: &str) -> Vec<Vec<String>> {
    scan(code)
        .commands
        .into_iter()
        .map(|c| c.into_iter().map(|w| w.text).collect())
        .collect()
}

#[test]
fn finds_plain_and_braced_expansions() {
    let u = names("echo $A ${B} \"$C-x\" ${D:-d} ${#E} $1 $? $$");
    let want = [
        ("A", false),
        ("B", false),
        ("C", false),
        ("D", true),
        ("E", true),
    ];
    assert_eq!(u, want.map(|(n, g)| (n.to_string(), g)));
}

#[test]
fn single_quotes_comments_and_escapes_hide_dollars() {
    assert!(names("kubectl get -o jsonpath='{$.items[0]} $X' # $Y\necho \\$Z").is_empty());
}

#[test]
fn offsets_point_at_the_dollar() {
    let code = "echo \"${POD}\"";
    let u = &scan(code).uses[0];
    assert_eq!(&code[u.at..u.at + u.len], "${POD}");
}

#[test]
fn command_substitution_is_a_command() {
    assert_eq!(
        words("POD=$(kubectl get pods -o name) && kubectl logs \"$POD\""),
        [
            vec!["POD=$"],
            vec!["kubectl", "get", "pods", "-o", "name"],
            vec!["kubectl", "logs", "$"]
        ]
    );
}

#[test]
fn heredocs_quoted_and_not() {
    let s =
        scan("cat > f.yaml <<'EOF'\nname: $NOPE\nEOF\ncat <<-END\n\tx: $YES\n\tEND\necho done\n");
    let u: Vec<_> = s.uses.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(u, ["YES"]);
    assert_eq!(s.writes[0].text, "f.yaml");
    assert_eq!(s.commands.last().map(|c| c[0].text.as_str()), Some("echo"));
}

#[test]
fn redirections() {
    let s = scan("kubectl get pods > out.txt 2>/dev/null 2>&1 < in.txt >> log");
    let w: Vec<_> = s.writes.iter().map(|w| w.text.as_str()).collect();
    assert_eq!(w, ["out.txt", "/dev/null", "log"]);
    assert_eq!(s.reads[0].text, "in.txt");
    assert_eq!(
        words("kubectl get pods > out.txt 2>/dev/null"),
        [vec!["kubectl", "get", "pods"]]
    );
}

#[test]
fn globs_and_expansions_make_words_dynamic() {
    let s = scan("cat *.yaml a.yaml ~/x \"$D\"/f");
    let d: Vec<_> = s.commands[0].iter().map(|w| w.dynamic).collect();
    assert_eq!(d, [false, true, false, true, true]);
}

#[test]
fn never_panics_on_odd_endings() {
    for code in [
        "\\",
        "$",
        "${",
        "'",
        "\"",
        "<<",
        "<<'",
        "cat <<EOF",
        "a\\\nb",
        "${#}",
        "$((1+2))",
        "é$é",
    ] {
        let _ = scan(code);
    }
}

#[test]
fn substitutions_inside_double_quotes_are_commands() {
    let code = r#"echo "pods: $(kubectl get pods -n "$NS") and `helm list`""#;
    let s = scan(code);
    let firsts: Vec<&str> = s.commands.iter().map(|c| c[0].text.as_str()).collect();
    assert!(firsts.contains(&"kubectl"), "{firsts:?}");
    assert!(firsts.contains(&"helm"), "{firsts:?}");
    let kubectl = s.commands.iter().find(|c| c[0].text == "kubectl").unwrap();
    assert_eq!(
        &code[kubectl[0].at..kubectl[0].end],
        "kubectl",
        "offsets are the cell's"
    );
    let ns = s
        .uses
        .iter()
        .find(|u| u.name == "NS")
        .expect("$NS inside is a use");
    assert_eq!(&code[ns.at..ns.at + ns.len], "$NS");
    // Arithmetic is not a command, and the quoted text around stays one word.
    let s = scan(r#"echo "$((1 + 2)) done""#);
    assert_eq!(s.commands.len(), 1);
}
