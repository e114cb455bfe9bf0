use super::*;
use std::path::PathBuf;
use std::time::Duration;

fn info(s: &str) -> (Info, Vec<AttrProblem>) {
    let mut p = Vec::new();
    let i = parse_info(s, 0, &mut p);
    (i, p)
}

fn resolved(s: &str) -> (Resolved, Vec<AttrProblem>) {
    let (i, mut p) = info(s);
    let r = resolve(&i.attrs, &mut p);
    (r, p)
}

#[test]
fn runme_form_with_quotes_and_flags() {
    let (i, p) = info(r#"sh {id=x capture=VAR hint="wait a bit" background}"#);
    assert!(p.is_empty(), "{p:?}");
    assert_eq!(i.lang, "sh");
    let keys: Vec<_> = i.attrs.iter().map(|a| a.key.as_str()).collect();
    assert_eq!(keys, ["id", "capture", "hint", "background"]);
    assert_eq!(i.attrs[2].value.as_deref(), Some("wait a bit"));
    assert_eq!(i.attrs[3].value, None);
}

#[test]
fn offsets_point_into_the_info_string() {
    let s = "bash {retry=abc}";
    let (i, _) = info(s);
    let a = &i.attrs[0];
    assert_eq!(&s[a.key_at.0..a.key_at.1], "retry");
    assert_eq!(&s[a.value_at.0..a.value_at.1], "abc");
}

#[test]
fn json_form() {
    let (r, p) = resolved(r#"sh {"id":"x","run":false,"retry":"5s"}"#);
    assert!(p.iter().all(|p| p.warning), "{p:?}");
    assert_eq!(r.id.as_deref(), Some("x"));
    assert!(!r.attrs.run);
    assert_eq!(r.attrs.retry, Duration::from_secs(5));
}

#[test]
fn bad_json_is_reported() {
    let (_, p) = info(r#"sh {"id": }"#);
    assert!(
        p[0].message
            .starts_with("cell attributes are not valid JSON")
    );
}

#[test]
fn every_attribute_is_read() {
    let (r, p) = resolved(
        "sh {name=n run=false capture=V verify=true retry=1m interval=2s timeout=90 cwd=sub env=A=1 env=B=x=y needs=containers,net}",
    );
    assert_eq!(p, vec![]);
    let a = &r.attrs;
    assert_eq!(r.id.as_deref(), Some("n"));
    assert!(!a.run && a.verify);
    assert_eq!(a.capture.as_deref(), Some("V"));
    assert_eq!(
        (a.retry, a.interval),
        (Duration::from_secs(60), Duration::from_secs(2))
    );
    assert_eq!(a.timeout, Some(Duration::from_secs(90)));
    assert_eq!(a.cwd, Some(PathBuf::from("sub")));
    assert_eq!(
        a.env,
        vec![("A".into(), "1".into()), ("B".into(), "x=y".into())]
    );
    assert_eq!(a.needs, vec!["containers", "net"]);
}

#[test]
fn bad_values_name_the_fix() {
    let (_, p) = resolved("sh {retry=abc verify=maybe capture=1X env=novalue needs=a,,b id=}");
    let msgs: Vec<_> = p.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        msgs,
        [
            "`retry` is not a duration: `abc`",
            "`verify` must be true or false, not `maybe`",
            "`capture` must be a shell variable name, not `1X`",
            "`env` must be NAME=VALUE, not `novalue`",
            "`needs` must be a comma list of names, not `a,,b`",
            "`id` needs a value",
            "`retry` only applies to verify=true cells",
        ]
    );
}

#[test]
fn unknown_attribute_suggests_the_nearest() {
    let (_, p) = resolved("sh {captur=X}");
    assert_eq!(p[0].message, "unknown cell attribute `captur`");
    assert_eq!(p[0].help.as_deref(), Some("did you mean `capture`?"));
    let (_, p) = resolved("sh {zzzzzz=1}");
    assert!(
        p[0].help
            .as_deref()
            .unwrap_or("")
            .starts_with("known attributes")
    );
}

#[test]
fn runme_only_attributes_warn() {
    let (_, p) = resolved("sh {closeTerminalOnSuccess=false}");
    assert!(p[0].warning);
}

#[test]
fn duplicate_and_conflicting_attributes() {
    let (_, p) = resolved("sh {id=a name=b background interactive}");
    assert!(p[0].message.contains("`name` is given twice"), "{p:?}");
    assert!(p[1].message.starts_with("`interactive` conflicts"));
}

#[test]
fn unclosed_and_unterminated() {
    let (_, p) = info("sh {id=x");
    assert_eq!(p[0].message, "cell attributes are not closed");
    let (_, p) = info(r#"sh {hint="oops}"#);
    assert!(p[0].message.starts_with("unterminated quoted value"));
}

#[test]
fn lang_only() {
    let (i, p) = info("Bash");
    assert_eq!((i.lang.as_str(), i.attrs.len(), p.len()), ("bash", 0, 0));
    let (i, _) = info("sh{id=x}");
    assert_eq!(i.lang, "sh");
    assert_eq!(i.attrs.len(), 1);
}

#[test]
fn stdin_spells_line_breaks_and_warns_off_interactive_cells() {
    let (r, p) = resolved(r#"sh {interactive=true stdin="set k v\nget k\tx \"q\""}"#);
    assert!(p.is_empty(), "{p:?}");
    assert_eq!(r.attrs.stdin.as_deref(), Some("set k v\nget k\tx \"q\"\n"));
    let (r, p) = resolved(r#"sh {"interactive":true,"stdin":"a\nb\n"}"#);
    assert!(p.is_empty(), "{p:?}");
    assert_eq!(r.attrs.stdin.as_deref(), Some("a\nb\n"));
    let (_, p) = resolved(r#"sh {stdin="x"}"#);
    assert!(
        p[0].warning && p[0].message.contains("only applies to interactive"),
        "{p:?}"
    );
    let (_, p) = resolved("sh {stdn=x}");
    assert!(
        p[0].message.contains("stdin") || p[0].help.as_deref().is_some_and(|h| h.contains("stdin")),
        "{p:?}"
    );
}

#[test]
fn always_marks_a_cleanup_cell_and_cannot_be_run_false() {
    let (r, p) = resolved("sh {id=rm always=true}");
    assert!(p.is_empty(), "{p:?}");
    assert!(r.attrs.always);
    let (r, p) = resolved("sh {always}");
    assert!(p.is_empty() && r.attrs.always, "{p:?}");
    assert!(!resolved("sh {id=x}").0.attrs.always);
    let (_, p) = resolved("sh {always=true run=false}");
    assert!(
        p.iter()
            .any(|p| !p.warning && p.message.contains("`always` conflicts")),
        "{p:?}"
    );
    let (_, p) = resolved("sh {alway=true}");
    assert!(
        p.iter()
            .any(|p| p.help.as_deref() == Some("did you mean `always`?")),
        "{p:?}"
    );
}

/// `until=`: what a cell waits for, or an error naming the two forms.
#[test]
fn until_names_a_sentinel_event_or_a_kubernetes_event() {
    use crate::lesson::Until;
    let (r, p) = resolved(r#"sh {until="sentinel:+switch-master mymaster" timeout=30s}"#);
    assert!(p.is_empty(), "{p:?}");
    assert_eq!(
        r.attrs.until,
        Some(Until::Sentinel {
            name: "+switch-master".into(),
            words: vec!["mymaster".into()],
        })
    );
    let (r, p) = resolved(r#"sh {until="event:Started pod/redis-"}"#);
    assert!(p.is_empty(), "{p:?}");
    assert_eq!(
        r.attrs.until,
        Some(Until::KubeEvent {
            reason: "Started".into(),
            object: Some("pod/redis-".into()),
        })
    );
    for bad in [
        r#"sh {until="switch-master"}"#,
        r#"sh {until="sentinel:switch-master"}"#,
        r#"sh {until="pods:redis"}"#,
        r#"sh {until="event:"}"#,
        r#"sh {until="sentinel:+sdown" background=true}"#,
    ] {
        let (_, p) = resolved(bad);
        assert!(p.iter().any(|p| !p.warning), "{bad}: {p:?}");
    }
}
