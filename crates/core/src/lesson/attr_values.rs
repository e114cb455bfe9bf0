//! Attribute values: parsing and validating each one into [`CellAttrs`], and the
//! combinations that cannot work.

use std::path::PathBuf;
use std::time::Duration;

use super::attrs::{AttrProblem, RawAttr, Resolved};

pub(crate) type Problem = (String, String);

pub(crate) fn apply(r: &mut Resolved, a: &RawAttr) -> Result<(), Problem> {
    let v = a.value.as_deref();
    let t = &mut r.attrs;
    match a.key.as_str() {
        "id" | "name" => r.id = Some(ident(&a.key, v)?),
        "run" => t.run = boolean(&a.key, v)?,
        "verify" => t.verify = boolean(&a.key, v)?,
        "background" => t.background = boolean(&a.key, v)?,
        "interactive" => t.interactive = boolean(&a.key, v)?,
        "always" => t.always = boolean(&a.key, v)?,
        "retry" => t.retry = duration(&a.key, v)?,
        "interval" => t.interval = duration(&a.key, v)?,
        "timeout" => t.timeout = Some(duration(&a.key, v)?),
        "capture" => t.capture = Some(var_name(&a.key, v)?),
        "cwd" => t.cwd = Some(PathBuf::from(nonempty(&a.key, v)?)),
        "hint" => r.hint = Some(nonempty(&a.key, v)?.to_string()),
        "env" => t.env.push(env_pair(v)?),
        "needs" => t.needs.extend(needs(v)?),
        "stdin" => t.stdin = Some(stdin_script(v)),
        "until" => t.until = Some(until(v)?),
        _ => {}
    }
    Ok(())
}

/// `until="sentinel:+switch-master"`, `until="event:Started pod/redis-"`: what the cell waits
/// for (see [`super::model::Until`]).
fn until(v: Option<&str>) -> Result<super::model::Until, Problem> {
    let v = v.unwrap_or_default().trim();
    let bad = |why: &str| {
        (
            format!("until={v:?}: {why}"),
            "write until=\"sentinel:+switch-master\" (a Sentinel event, then words of its payload) or until=\"event:Started pod/redis-\" (a Kubernetes Event's reason, then its object's start)".to_string(),
        )
    };
    let (kind, rest) = v
        .split_once(':')
        .ok_or_else(|| bad("no `sentinel:` or `event:` in front"))?;
    let mut words = rest.split_whitespace().map(str::to_string);
    let name = words
        .next()
        .ok_or_else(|| bad("nothing to wait for after the colon"))?;
    let rest: Vec<String> = words.collect();
    match kind.trim() {
        "sentinel" if name.starts_with(['+', '-']) => {
            Ok(super::model::Until::Sentinel { name, words: rest })
        }
        "sentinel" => Err(bad(
            "a Sentinel event starts with + or - (+sdown, +switch-master)",
        )),
        "event" if rest.len() <= 1 => Ok(super::model::Until::KubeEvent {
            reason: name,
            object: rest.into_iter().next(),
        }),
        "event" => Err(bad("an Event is a reason and at most one object prefix")),
        _ => Err(bad("the kinds are `sentinel:` and `event:`")),
    }
}

/// What `run` types into an interactive cell: each line ends with a newline, so the last one is
/// entered too.
fn stdin_script(v: Option<&str>) -> String {
    let mut script = v.unwrap_or_default().to_string();
    if !script.is_empty() && !script.ends_with('\n') {
        script.push('\n');
    }
    script
}

fn nonempty<'a>(key: &str, v: Option<&'a str>) -> Result<&'a str, Problem> {
    match v.map(str::trim) {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err((
            format!("`{key}` needs a value"),
            format!("write {key}=VALUE"),
        )),
    }
}

fn ident(key: &str, v: Option<&str>) -> Result<String, Problem> {
    let s = nonempty(key, v)?;
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err((
            format!("`{key}` must not contain spaces: `{s}`"),
            "use dashes: id=create-master".into(),
        ));
    }
    Ok(s.to_string())
}

fn boolean(key: &str, v: Option<&str>) -> Result<bool, Problem> {
    match v.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        None | Some("true") | Some("yes") | Some("1") => Ok(true),
        Some("false") | Some("no") | Some("0") => Ok(false),
        Some(other) => Err((
            format!("`{key}` must be true or false, not `{other}`"),
            format!("write {key}=true or {key}=false"),
        )),
    }
}

/// The longest `timeout`, `retry` or `interval` a cell may ask for. Anything longer is a
/// typo (or an attack: `timeout=18446744073709551615` overflowed the deadline arithmetic),
/// and no lesson step should wait a day.
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 60 * 60);

/// A humantime duration (`30s`, `2m`, `1m30s`); a bare number means seconds. At most
/// [`MAX_DURATION`].
pub fn duration(key: &str, v: Option<&str>) -> Result<Duration, Problem> {
    let s = nonempty(key, v)?;
    // A bare number of any length (a u64 overflow is a number too, not "not a duration").
    let parsed = if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.parse::<u64>().map_or(Duration::MAX, Duration::from_secs))
    } else {
        humantime::parse_duration(s)
    };
    match parsed {
        Ok(d) if d <= MAX_DURATION => Ok(d),
        Ok(_) => Err((
            format!("`{key}` is longer than 24h: `{s}`"),
            format!("write at most {key}=24h; a step that waits longer cannot be run"),
        )),
        Err(_) => Err((
            format!("`{key}` is not a duration: `{s}`"),
            format!("write a duration like {key}=30s, {key}=2m or {key}=1m30s"),
        )),
    }
}

pub fn is_var_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

fn var_name(key: &str, v: Option<&str>) -> Result<String, Problem> {
    let s = nonempty(key, v)?;
    if !is_var_name(s) {
        return Err((
            format!("`{key}` must be a shell variable name, not `{s}`"),
            "use letters, digits and _, not starting with a digit, e.g. SENTINEL_POD".into(),
        ));
    }
    Ok(s.to_string())
}

fn env_pair(v: Option<&str>) -> Result<(String, String), Problem> {
    let s = nonempty("env", v)?;
    match s.split_once('=') {
        Some((k, val)) if is_var_name(k) => Ok((k.to_string(), val.to_string())),
        _ => Err((
            format!("`env` must be NAME=VALUE, not `{s}`"),
            "write env=NAME=VALUE (repeat env= for more)".into(),
        )),
    }
}

fn needs(v: Option<&str>) -> Result<Vec<String>, Problem> {
    let s = nonempty("needs", v)?;
    let items: Vec<String> = s.split(',').map(|i| i.trim().to_string()).collect();
    if items.iter().any(|i| {
        i.is_empty()
            || !i
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    }) {
        return Err((
            format!("`needs` must be a comma list of names, not `{s}`"),
            "write needs=containers or needs=containers,network".into(),
        ));
    }
    Ok(items)
}

/// Combinations that cannot work, reported on the second attribute of the pair.
pub(crate) fn conflicts(r: &Resolved, raw: &[RawAttr], problems: &mut Vec<AttrProblem>) {
    let at = |key: &str| {
        raw.iter()
            .find(|a| a.key == key)
            .map_or((0, 0), |a| a.key_at)
    };
    let t = &r.attrs;
    let pairs = [
        (
            t.background && t.interactive,
            "interactive",
            "a cell is either background=true or interactive=true",
        ),
        (
            t.background && t.verify,
            "verify",
            "a check must finish; a background cell never does",
        ),
        (
            t.background && t.capture.is_some(),
            "capture",
            "a background cell has no final output to capture",
        ),
        (
            t.always && !t.run,
            "always",
            "a cleanup cell must run; run=false never does",
        ),
        (
            t.interactive && t.capture.is_some(),
            "capture",
            "an interactive cell's output goes to the terminal",
        ),
        (
            t.until.is_some() && (t.background || t.interactive),
            "until",
            "a cell that waits for an effect must end; background and interactive cells do not",
        ),
    ];
    for (bad, key, why) in pairs {
        if bad {
            problems.push(AttrProblem::error(
                at(key),
                format!("`{key}` conflicts with another attribute: {why}"),
                None,
            ));
        }
    }
    if t.stdin.is_some() && !t.interactive {
        problems.push(AttrProblem {
            at: at("stdin"),
            warning: true,
            message: "`stdin` only applies to interactive=true cells".into(),
            help: Some("add interactive=true or remove it (other cells read /dev/null)".into()),
        });
    }
    if !t.verify {
        for key in ["retry", "interval"] {
            if raw.iter().any(|a| a.key == key) {
                problems.push(AttrProblem {
                    at: at(key),
                    warning: true,
                    message: format!("`{key}` only applies to verify=true cells"),
                    help: Some("add verify=true or remove it".into()),
                });
            }
        }
    }
}
