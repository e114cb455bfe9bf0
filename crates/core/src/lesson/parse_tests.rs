use super::*;
use std::time::Duration;

fn ok(src: &str) -> Lesson {
    match parse(Path::new("l.md"), src) {
        Ok(l) => l,
        Err(d) => panic!("unexpected diagnostics: {d:#?}"),
    }
}

fn diags(src: &str) -> Vec<Diagnostic> {
    parse_full(Path::new("l.md"), src).diagnostics
}

const SAMPLE: &str = "---\ntitle: Redis\nnamespace: kt\n---\n# Redis\nIntro *text*.\n\n```sh\necho intro\n```\n\n## Deploy the master\nProse.\n```sh {id=create-master}\nkubectl create -f redis-master.yaml\n```\n> Hint: wait a bit\n\n```yaml\nkind: Pod\n```\n\n```bash {capture=POD retry=5s verify=true}\nkubectl get pods\n```\n\n## Check\n| a | b |\n|---|---|\n| 1 | ~~2~~ |\n\n- one\n- two\n  ```sh\n  echo nested\n  ```\n";

#[test]
fn steps_intro_cells_and_code() {
    let l = ok(SAMPLE);
    assert_eq!(l.meta.title, "Redis");
    assert_eq!(l.meta.namespace.as_deref(), Some("kt"));
    assert_eq!(
        l.steps.iter().map(|s| s.title.as_str()).collect::<Vec<_>>(),
        ["Deploy the master", "Check"]
    );
    let ids: Vec<_> = l.cells().iter().map(|c| c.id.clone()).collect();
    assert_eq!(
        ids,
        ["intro-cell1", "create-master", "step1-cell2", "step2-cell1"]
    );
    let cells = l.cells();
    assert_eq!(cells[1].code, "kubectl create -f redis-master.yaml");
    assert_eq!(cells[1].hint.as_deref(), Some("wait a bit"));
    assert_eq!(cells[1].span.line, 14);
    assert_eq!(cells[2].attrs.capture.as_deref(), Some("POD"));
    assert_eq!(cells[2].attrs.retry, Duration::from_secs(5));
    assert_eq!(cells[2].lang, "bash");
    assert!(
        matches!(&l.steps[0].blocks[2], Block::Code { lang, code, .. } if lang == "yaml" && code == "kind: Pod")
    );
    assert_eq!(l.step_of(3), Some(1));
    assert_eq!(l.steps[0].span.line, 12);
}

#[test]
fn hint_quote_is_consumed_and_other_quotes_kept() {
    let l = ok(SAMPLE);
    assert!(
        !l.steps[0]
            .blocks
            .iter()
            .any(|b| matches!(b, Block::Quote { .. }))
    );
    let d = diags("# T\n## S\n> Hint: orphan\n");
    assert_eq!(d[0].message, "a `> Hint:` quote must follow a shell cell");
}

#[test]
fn tables_and_strikethrough() {
    let l = ok(SAMPLE);
    let Some(Block::Table { header, rows, .. }) = l.steps[1].blocks.first() else {
        panic!("no table")
    };
    assert_eq!(plain_text(&header[0]).trim(), "a");
    assert!(matches!(rows[0][1].first(), Some(Inline::Strikethrough(_))));
}

#[test]
fn run_false_shell_is_still_a_cell() {
    let l = ok("# T\n## S\n```sh {run=false}\nrm -rf /\n```\n");
    let cells = l.cells();
    assert_eq!(cells.len(), 1);
    assert!(!cells[0].is_runnable());
}

#[test]
fn generated_ids_avoid_explicit_ones() {
    let l = ok("# T\n## S\n```sh {id=step1-cell2}\na\n```\n```sh\nb\n```\n");
    let ids: Vec<_> = l.cells().iter().map(|c| c.id.clone()).collect();
    assert_eq!(ids, ["step1-cell2", "step1-cell2-2"]);
}

#[test]
fn duplicate_ids_are_errors_pointing_at_the_second() {
    let d = diags("# T\n## S\n```sh {id=a}\nx\n```\n```sh {name=a}\ny\n```\n");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].message, "duplicate cell id `a`");
    assert_eq!(d[0].span.line, 6);
}

#[test]
fn unterminated_fence() {
    let d = diags("# T\n## S\n```sh\necho never closed\n");
    assert_eq!(d[0].message, "code fence is never closed");
    assert_eq!((d[0].span.line, d[0].span.col, d[0].span.len), (3, 1, 3));
}

#[test]
fn refuses_empty_and_binary() {
    assert_eq!(diags("")[0].message, "the file is empty");
    assert!(diags("# a\0b")[0].message.contains("binary"));
}

#[test]
fn title_from_h1_or_warns() {
    assert_eq!(ok("# Hello `x`\n").meta.title, "Hello x");
    let p = parse_full(Path::new("dir/my-lesson.md"), "## S\n");
    assert_eq!(p.lesson.meta.title, "my-lesson");
    assert_eq!(
        p.diagnostics[0].message,
        "the lesson has no title: the file name, `my-lesson`, stands for it"
    );
}

#[test]
fn deep_nesting_is_flattened_not_overflowed() {
    let mut src = String::from("# T\n");
    for i in 0..1000 {
        src.push_str(&" ".repeat(i * 2));
        src.push_str("- x\n");
    }
    src.push_str(&">".repeat(5000));
    src.push_str(" deep\n");
    let p = parse_full(Path::new("l.md"), &src);
    assert!(
        p.diagnostics
            .iter()
            .any(|d| d.message.contains("is flattened"))
    );
}

#[test]
fn exec_attributes_on_shown_code_warn() {
    let d = diags("# T\n## S\n```yaml {capture=X}\na: 1\n```\n");
    assert!(
        d[0].message
            .starts_with("attribute `capture` has no effect")
    );
    assert_eq!(d[0].severity, Severity::Warning);
}

#[test]
fn fences_in_quotes_and_tildes() {
    let l = ok("# T\n## S\n> ```sh\n> echo q\n> ```\n\n~~~bash {id=t}\necho t\n~~~\n");
    let ids: Vec<_> = l
        .cells()
        .iter()
        .map(|c| (c.id.clone(), c.code.clone()))
        .collect();
    assert_eq!(
        ids,
        [
            ("step1-cell1".to_string(), "echo q".to_string()),
            ("t".to_string(), "echo t".to_string())
        ]
    );
}

#[test]
fn crlf_sources_give_clean_cells() {
    let l = ok(
        "---\r\ntitle: T\r\n---\r\n# T\r\n## S\r\n```sh {id=x}\r\necho hi\r\necho there\r\n```\r\n",
    );
    let cells = l.cells();
    assert_eq!(cells[0].id, "x");
    assert_eq!(cells[0].code, "echo hi\necho there");
    assert_eq!(l.meta.title, "T");
}

#[test]
fn needs_cluster_by_cells_and_panes() {
    assert!(ok(SAMPLE).needs_cluster(), "kubectl cells");
    let local = "---\ntitle: L\npanes:\n  sentinel: { address: \"127.0.0.1:26479\" }\n---\n# L\n## S\n```sh\necho 'run kubectl later'\n```\n";
    assert!(!ok(local).needs_cluster(), "loopback sentinel, no kubectl");
    let service = "---\ntitle: L\npanes:\n  sentinel: { service: redis-sentinel }\n---\n# L\n## S\n```sh\necho hi\n```\n";
    assert!(
        ok(service).needs_cluster(),
        "a sentinel service is port-forwarded"
    );
    let pods = "---\ntitle: L\npanes:\n  pods: {}\n---\n# L\n## S\n```sh\necho hi\n```\n";
    assert!(
        ok(pods).needs_cluster(),
        "the pods pane watches the cluster"
    );
    // `k`, kubectl's usual alias, as a command; not as a word.
    assert!(super::super::model::mentions_cluster("x=1 k get pods"));
    assert!(super::super::model::mentions_cluster(
        "echo $(k get pods -o name)"
    ));
    assert!(!super::super::model::mentions_cluster(
        "for k in a; do sort -k 2 k; done"
    ));
}

#[test]
fn attributes_for_other_tools_get_one_finding_or_none() {
    let messages =
        |src: &str| -> Vec<String> { diags(src).into_iter().map(|d| d.message).collect() };
    let php = messages("# T\n## S\n```php {\"interpreter\":\"php\"}\necho 1;\n```\n");
    assert_eq!(php.len(), 1, "{php:?}");
    assert!(php[0].contains("has no effect"), "{php:?}");
    for bash in ["bash", "/bin/bash", "/usr/bin/env bash"] {
        let src = format!("# T\n## S\n```sh {{\"interpreter\":\"{bash}\"}}\necho 1\n```\n");
        assert!(messages(&src).is_empty(), "{bash}: {:?}", messages(&src));
    }
    let zsh = messages("# T\n## S\n```sh {\"interpreter\":\"zsh\"}\necho 1\n```\n");
    assert!(zsh.iter().any(|m| m.contains("interpreter")), "{zsh:?}");
    let highlights = messages(
        "# T\n## S\n```rust {1-4|6-10|all}\nfn main() {}\n```\n```yaml{2,5,6}\na: 1\n```\n",
    );
    assert!(highlights.is_empty(), "{highlights:?}");
}

#[test]
fn a_presenterm_decks_slides_are_steps_with_their_own_notes() {
    let deck = "Speaker Notes\n===\n\nIntro.\n\n<!-- end_slide -->\n\nUsage\n===\nRun it.\n\n<!-- speaker_note: slide two -->\n\n```sh\necho hi\n```\n\n<!-- end_slide -->\n\nMore\n===\n\n<!-- speaker_note: slide three -->\n";
    let l = ok(deck);
    assert_eq!(l.meta.title, "Speaker Notes");
    let titles: Vec<&str> = l.steps.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, ["Usage", "More"]);
    assert_eq!(l.steps[0].speaker_notes(), ["slide two"]);
    assert_eq!(l.steps[1].speaker_notes(), ["slide three"]);
    // Lines stay the file's: the cell is on line 14.
    assert_eq!(l.cells()[0].span.line, 14);
}
