use std::path::Path;

use super::super::check::check_source;
use super::super::diag::{Diagnostic, Severity};

/// Checks `src` as `dir/lesson.md` and returns (severity, line, message) of each finding.
fn check_in(dir: &Path, src: &str) -> Vec<(Severity, usize, String)> {
    let diags: Vec<Diagnostic> = check_source(&dir.join("lesson.md"), src);
    diags
        .into_iter()
        .map(|d| (d.severity, d.span.line, d.message))
        .collect()
}

fn check(src: &str) -> Vec<(Severity, usize, String)> {
    let tmp = tempfile::tempdir().expect("tempdir");
    check_in(tmp.path(), src)
}

fn messages(src: &str) -> Vec<String> {
    check(src).into_iter().map(|(_, _, m)| m).collect()
}

const E: Severity = Severity::Error;
const W: Severity = Severity::Warning;

#[test]
fn clean_lesson_has_no_findings() {
    let src = "---\ntitle: T\nenv: {GREETING: hi}\n---\n# T\n## One\n```sh {capture=POD}\necho pod-1\n```\n```sh\nexport N=1\necho \"$POD $N $GREETING $HOME ${UNSET:-x}\" | tee out.txt\ncat out.txt\n```\n";
    assert_eq!(check(src), vec![]);
}

#[test]
fn undefined_variable_is_a_warning() {
    let got = check("# T\n## S\n```sh\nkubectl logs $SENTINEL_POD\n```\n");
    assert_eq!(
        got,
        vec![(
            W,
            4,
            "`$SENTINEL_POD` is not set by any earlier cell".to_string()
        )]
    );
}

#[test]
fn typo_of_a_defined_variable_is_an_error() {
    let got = check(
        "# T\n## S\n```sh {capture=SENTINEL_POD}\necho p\n```\n```sh\necho $SENTINEL_PDO\n```\n",
    );
    assert_eq!(
        got,
        vec![(
            E,
            7,
            "`$SENTINEL_PDO` is not set by any earlier cell".to_string()
        )]
    );
}

#[test]
fn use_before_capture_is_an_error() {
    let got = messages("# T\n## S\n```sh\necho $POD\n```\n```sh {capture=POD}\necho p\n```\n");
    assert_eq!(
        got,
        ["`$POD` is used before it is set (by the cell on line 6)"]
    );
}

#[test]
fn variables_in_run_false_cells_and_after_source_are_not_checked() {
    assert!(check("# T\n## S\n```sh {run=false}\necho $NOPE\n```\n").is_empty());
    assert!(
        check("# T\n## S\n```sh\nsource env.sh\n```\n```sh\necho $FROM_ENV\n```\n")
            .iter()
            .all(|(_, _, m)| !m.contains("FROM_ENV"))
    );
}

#[test]
fn env_attribute_and_same_cell_assignment_define() {
    assert!(check("# T\n## S\n```sh {env=A=1}\nB=2; echo $A $B\n```\n").is_empty());
}

#[test]
fn missing_file_with_workdir_is_an_error_and_present_file_is_fine() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(tmp.path().join("m")).expect("mkdir");
    std::fs::write(tmp.path().join("m/a.yaml"), "x").expect("write");
    let src = "---\ntitle: T\nworkdir: m\n---\n## S\n```sh\nkubectl create -f a.yaml\nkubectl create -f b.yaml\n```\n";
    assert_eq!(
        check_in(tmp.path(), src),
        vec![(
            E,
            8,
            "`b.yaml` does not exist in the workdir (".to_string()
                + &tmp.path().join("m").display().to_string()
                + ")"
        )]
    );
}

#[test]
fn missing_file_without_workdir_is_a_warning() {
    let got = check("# T\n## S\n```sh\ncat image/run.sh\n```\n");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, W);
    assert!(
        got[0]
            .2
            .starts_with("`image/run.sh` is not in the lesson folder")
    );
}

#[test]
fn files_created_earlier_or_after_cd_are_not_flagged() {
    let src = "# T\n## S\n```sh\ncat > new.yaml <<'EOF'\na: 1\nEOF\nkubectl apply -f new.yaml\ncurl -o got.sh https://x\nbash got.sh\ncd \"$HOME\"\ncat anything.txt\n```\n";
    assert!(check(src).is_empty(), "{:?}", check(src));
}

#[test]
fn missing_workdir_and_cwd() {
    let got = check("---\ntitle: T\nworkdir: nowhere\n---\n## S\n```sh {cwd=sub}\nls\n```\n");
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].0, got[0].1), (E, 3));
    assert!(got[0].2.starts_with("workdir `nowhere` does not exist"));
    let got = check("# T\n## S\n```sh {cwd=sub}\nls\n```\n");
    assert!(got[0].2.starts_with("cwd `sub` does not exist"), "{got:?}");
}

#[test]
fn front_matter_semantics() {
    let got = messages(
        "---\ntitle: T\nnamespace: Bad_NS\npanes:\n  sentinel: {port: 1}\nrequires: [\"kube ctl\"]\n---\n## S\ntext\n",
    );
    assert_eq!(
        got,
        [
            "namespace `Bad_NS` is not a valid Kubernetes name",
            "the sentinel pane needs `address: host:port` or `service: NAME`",
            "requires[0] `kube ctl` is not a program name",
        ]
    );
}

#[test]
fn later_rules_still_run_after_an_unknown_front_matter_key() {
    let got = messages("---\ntitle: T\nsumary: x\nnamespace: Bad_NS\n---\n## S\ntext\n");
    assert_eq!(
        got,
        [
            "unknown front matter key `sumary`",
            "namespace `Bad_NS` is not a valid Kubernetes name"
        ]
    );
}

#[test]
fn structure_rules() {
    let got = check("# T\n```sh\necho early\n```\n## A\n```sh\n```\n## A\ntext\n## B\n");
    let want = [
        (W, 2, "runnable cell before the first step heading"),
        (W, 6, "empty cell"),
        (W, 8, "step title `A` repeats line 5"),
        (W, 10, "step is empty"),
    ];
    assert_eq!(got, want.map(|(s, l, m)| (s, l, m.to_string())));
    assert_eq!(messages("# T\ntext\n"), ["the lesson has no steps"]);
}

#[test]
fn positions_inside_indented_and_quoted_cells() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = "# T\n## S\n- item\n\n  ```sh\n  echo $MISSING\n  ```\n";
    let d = check_source(&tmp.path().join("lesson.md"), src);
    assert_eq!((d[0].span.line, d[0].span.col, d[0].span.len), (6, 8, 8));
}

#[test]
fn only_kubectl_commands_are_checked_for_guard_escapes() {
    let src = "---\ntitle: T\nnamespace: demo\n---\n## S\n```sh\necho --context x -n other\nkubectl --context prod -n other get pods\n```\n";
    let want = [
        (W, 8, "`--context prod` bypasses kubetutor's context guard"),
        (W, 8, "namespace `other` is not the lesson's (`demo`)"),
    ];
    assert_eq!(check(src), want.map(|(s, l, m)| (s, l, m.to_string())));
}

/// `until=` needs a watcher of what it waits for.
#[test]
fn a_wait_on_an_effect_nothing_watches_is_reported() {
    let cell = "## One\n```sh {id=w until=\"sentinel:+switch-master\"}\necho done\n```\n";
    let found = check(&format!("---\ntitle: T\n---\n{cell}"));
    assert!(
        found
            .iter()
            .any(|(s, l, m)| *s == E && *l == 5 && m.contains("nothing watches the sentinels")),
        "{found:?}"
    );
    let watched = format!(
        "---\ntitle: T\npanes:\n  sentinel: {{ address: \"127.0.0.1:26379\" }}\n---\n{cell}"
    );
    assert_eq!(check(&watched), vec![]);
    let event =
        "---\ntitle: T\n---\n## One\n```sh {id=e until=\"event:Started pod/web-\"}\ntrue\n```\n";
    assert!(
        check(event)
            .iter()
            .any(|(s, _, m)| *s == W && m.contains("watched with the pods pane")),
        "{:?}",
        check(event)
    );
}

#[test]
fn the_kubectl_alias_is_named_where_nothing_defines_it() {
    let got = check(
        "# T\n## S\n```sh\nfor k in a b; do echo $k; done\n```\n```sh\nk get pods\n```\n```sh\nk get svc\n```\n",
    );
    let found: Vec<_> = got.iter().filter(|(_, _, m)| m.contains("`k`")).collect();
    assert_eq!(found.len(), 1, "{got:?}");
    assert_eq!(found[0].0, W);
    assert_eq!(found[0].1, 7, "at its first use, not at `for k`");
    assert!(found[0].2.contains("and in 1 later cells"), "{found:?}");
    let defined = check("# T\n## S\n```sh\nk() { kubectl \"$@\"; }\n```\n```sh\nk get pods\n```\n");
    assert!(
        !defined.iter().any(|(_, _, m)| m.contains("`k`")),
        "{defined:?}"
    );
}

#[test]
fn placeholders_in_quotes_are_not_redirections() {
    let got = messages(
        "# T\n## S\n```sh\necho \"<h1>Title</h1> <td>x</td>\" | cat\nexport ENV=\"<insert-env-here>\"\nkubectl get rec <your cluster name>\n```\n",
    );
    let holes: Vec<&String> = got.iter().filter(|m| m.contains("placeholder")).collect();
    assert_eq!(holes.len(), 2, "{got:?}");
    assert!(holes[0].contains("<insert-env-here>"), "{holes:?}");
    assert!(holes[1].contains("<your cluster name>"), "{holes:?}");
    assert!(!got.iter().any(|m| m.contains("`your`")), "{got:?}");
}

#[test]
fn a_file_written_as_dot_slash_name_is_the_file_read_as_name() {
    let got = messages(
        "# T\n## S\n```sh\necho x | tee ./a.yaml\necho y > ././c.yaml\n```\n```sh\ncat a.yaml c.yaml ./a.yaml\ncat gone.yaml\n```\n",
    );
    let missing: Vec<&String> = got.iter().filter(|m| m.contains("is not in")).collect();
    assert_eq!(missing.len(), 1, "{got:?}");
    assert!(missing[0].contains("gone.yaml"), "{missing:?}");
}

#[test]
fn runmes_previous_output_gets_one_finding() {
    let got = messages(
        "---\nrunme:\n  id: 01HF7B0KK3A2QRB1SM7KFE0P0D\n---\n# T\n## S\n```sh {\"name\":\"GIT_BRANCHES\"}\necho main\n```\n```sh\necho \"$__\"\n```\n",
    );
    let about: Vec<&String> = got.iter().filter(|m| m.contains("$__")).collect();
    assert_eq!(about.len(), 1, "{got:?}");
    assert!(about[0].contains("use `$GIT_BRANCHES`"), "{about:?}");
}

#[test]
fn one_foreign_namespace_is_one_finding() {
    let got = messages(
        "# T\n## S\n```sh\nkubectl -n web get pods\nkubectl -n web get svc\nkubectl -n web get rc\nkubectl -n db get pods\n```\n",
    );
    let ns: Vec<&String> = got.iter().filter(|m| m.contains("hard-coded")).collect();
    assert_eq!(ns.len(), 2, "{got:?}");
    assert!(
        ns[0].contains("`web`") && ns[0].ends_with("(and 2 more times)"),
        "{ns:?}"
    );
    assert!(ns[1].contains("`db`") && !ns[1].contains("more"), "{ns:?}");
}

#[test]
fn an_alias_of_k_does_not_carry_to_later_cells() {
    let got = messages("# T\n## S\n```sh\nalias k=kubectl\n```\n```sh\nk get pods\n```\n");
    assert!(
        got.iter().any(|m| m.contains("`k` is not defined")),
        "{got:?}"
    );
}

#[test]
fn an_empty_span_before_a_wide_character_renders() {
    let d = check_source(Path::new("/tmp/l.md"), "---\n中文---\n---\n");
    let bad = d
        .iter()
        .find(|d| d.is_error())
        .expect("the front matter error");
    assert!(bad.render(false).contains("中文---"));
}
