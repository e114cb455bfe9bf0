//! The parser and the linter must never panic, whatever the input.

use std::path::Path;

use kubetutor::lesson::check::check_source;
use kubetutor::lesson::{parse, parse_full};
use proptest::prelude::*;

/// Fragments that exercise every construct the parser handles, including broken ones.
const TOKENS: &[&str] = &[
    "---\n",
    "title: x\n",
    "panes:\n  sentinel: {port: 1}\n",
    ": [",
    "\n",
    "\n\n",
    "# ",
    "## ",
    "### ",
    "> ",
    "> Hint: ",
    "- ",
    "1. ",
    "  ",
    "\t",
    "```",
    "```sh",
    "```bash {",
    "~~~",
    "{id=a}",
    "{name=a}",
    "{\"id\":",
    "\"x\"}",
    "retry=abc",
    "capture=",
    "env=A=1",
    "hint=\"",
    "needs=a,,b",
    "}",
    "run=false",
    "$X",
    "${Y:-",
    "'",
    "\"",
    "\\",
    "<<EOF\n",
    "EOF\n",
    "| a | b |\n|---|---|\n",
    "~~s~~",
    "*e*",
    "**s**",
    "[l](u)",
    "![i](u)",
    "<div>",
    "中文",
    "é",
    "\r\n",
    "kubectl create -f a.yaml\n",
    "cat x\n",
    "cd d\n",
    "text ",
];

fn markdownish() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..120).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics_on_arbitrary_text(s in any::<String>()) {
        let _ = parse(Path::new("l.md"), &s);
    }

    #[test]
    fn parse_and_check_never_panic_on_markdownish_text(s in markdownish()) {
        let parsed = parse_full(Path::new("l.md"), &s);
        // Every diagnostic renders, and points inside the file.
        let lines = s.lines().count().max(1) + 1;
        for d in &parsed.diagnostics {
            let _ = d.to_string();
            prop_assert!(d.span.line <= lines, "{d:?}");
        }
        let _ = check_source(Path::new("l.md"), &s);
    }

    #[test]
    fn parse_never_panics_on_nested_containers(depth in 0usize..400, kind in 0usize..3) {
        let prefix = ["> ", "- ", "* "][kind];
        let mut s = String::from("# T\n## S\n");
        for i in 0..depth {
            s.push_str(&"  ".repeat(if kind == 0 { 0 } else { i }));
            s.push_str(prefix);
            s.push_str("x\n");
        }
        s.push_str(&prefix.repeat(depth));
        s.push_str("```sh\necho deep\n```\n");
        let _ = parse_full(Path::new("l.md"), &s);
    }
}
