//! Lint rules that need the whole lesson: front matter semantics, undefined variables, files
//! named in commands, structure. Parse-level problems (syntax, attributes, ids, fences) come
//! from the parser; see `check.rs` for how both are combined.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::diag::{Diagnostic, LineIndex, MAX_PER_LINE, Severity};
use super::model::{Block, Cell, Lesson};
use super::shell::{self, Scan};
use super::{files, guard, vars};

/// Name comparisons spent on "did you mean" searches for unset variables, per lesson.
const MAX_COMPARED: usize = 100_000;

pub fn lint(lesson: &Lesson, source: &str) -> Vec<Diagnostic> {
    let idx = LineIndex::new(source);
    let cx = Cx {
        lesson,
        source,
        idx: &idx,
        path: &lesson.path,
        last_pos: Default::default(),
    };
    let mut out = Vec::new();
    cx.front_matter(&mut out);
    cx.structure(&mut out);
    let scans: Vec<(&Cell, Scan)> = lesson
        .cells()
        .into_iter()
        .filter(|c| c.is_runnable())
        .map(|c| (c, shell::scan(&c.code)))
        .collect();
    cx.undefined_vars(&scans, &mut out);
    cx.unwatched_waits(&mut out);
    cx.undefined_kubectl_alias(&scans, &mut out);
    files::missing_files(&cx, &scans, &mut out);
    guard::lint_escapes(&cx, &scans, &mut out);
    out
}

/// What every rule needs.
pub(crate) struct Cx<'a> {
    pub lesson: &'a Lesson,
    pub source: &'a str,
    pub idx: &'a LineIndex<'a>,
    pub path: &'a Path,
    /// The last `code_pos` answer: findings come in code order, so the next one is found
    /// from there (a 27 KB line with 4,000 findings is walked once, not 4,000 times).
    pub last_pos: std::cell::Cell<Option<CodePos>>,
}

/// Where `code_pos` last was: in the cell starting at source byte `cell`, code byte `off`
/// is on code line `k` (starting at code byte `line_start`, at source byte `base`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct CodePos {
    cell: usize,
    off: usize,
    k: usize,
    line_start: usize,
    base: usize,
}

/// The source line of code line `k` (0-based) of `cell`: the line after its opening fence
/// plus `k`; for a cell written inline (Killercoda's `` `cmd`{{exec}} ``, spanning the
/// paragraph it is in) the paragraph's line that holds the code.
pub(crate) fn source_line_of(idx: &LineIndex, cell: &Cell, k: usize) -> usize {
    let fenced = cell.span.line + 1 + k;
    let Some(code_line) = cell.code.lines().nth(k).filter(|l| !l.trim().is_empty()) else {
        return fenced;
    };
    if idx
        .line_text(fenced)
        .trim_end()
        .ends_with(code_line.trim_end())
    {
        return fenced;
    }
    // Inline: the paragraph's line holding it as inline code.
    let inline = format!("`{code_line}`");
    let (last, _) = idx.line_col(cell.span.end.saturating_sub(1).max(cell.span.start));
    (cell.span.line..=last)
        .find(|&n| idx.line_text(n).contains(&inline))
        .unwrap_or(fenced)
}

/// Whether code defines the `k` shorthand for later cells, as a function (as
/// [`super::model::KUBECTL_ALIAS_CELL`] does): aliases do not carry from cell to cell.
fn defines_kubectl_alias(code: &str) -> bool {
    code.lines().map(str::trim_start).any(|l| {
        l.starts_with("k()")
            || l.starts_with("k ()")
            || l.starts_with("function k ")
            || l.starts_with("function k(")
    })
}

impl Cx<'_> {
    /// `k get pods` where nothing defined `k`: Killercoda's environments alias it to kubectl,
    /// a plain bash says `k: command not found`. Reported once, at its first use.
    fn undefined_kubectl_alias(&self, scans: &[(&Cell, Scan)], out: &mut Vec<Diagnostic>) {
        let mut uses = scans.iter().filter_map(|(cell, scan)| {
            let at = scan
                .commands
                .iter()
                .find_map(|cmd| super::model::alias_call(cmd))?;
            Some((cell, at))
        });
        let defined_before = |cell: &Cell| {
            scans
                .iter()
                .take_while(|(c, _)| c.span.start < cell.span.start)
                .any(|(c, _)| defines_kubectl_alias(&c.code))
        };
        let Some((cell, word)) = uses.next() else {
            return;
        };
        if defined_before(cell) || defines_kubectl_alias(&cell.code) {
            return;
        }
        let more = uses
            .filter(|(c, _)| c.span.start != cell.span.start)
            .count();
        let also = match more {
            0 => String::new(),
            n => format!(" (and in {n} later cells)"),
        };
        let d = self.at(
            Severity::Warning,
            self.code_pos(cell, word.at),
            self.code_pos(cell, word.end),
            format!("`k` is not defined: it is the usual alias of kubectl, but cells run in a plain bash{also}"),
        );
        out.push(d.with_help(
            "write `kubectl`, or define it in a cell before: `k() { kubectl \"$@\"; }`",
        ));
    }

    /// `until=` waits for what a watcher observes: a cell waiting on Sentinel in a lesson
    /// without a sentinel pane would only ever time out; Kubernetes Events are watched with
    /// the pods pane.
    fn unwatched_waits(&self, out: &mut Vec<Diagnostic>) {
        let panes = &self.lesson.meta.panes;
        for cell in self.lesson.cells() {
            let Some(until) = &cell.attrs.until else {
                continue;
            };
            let (sev, msg, help) = match until {
                super::model::Until::Sentinel { .. } if panes.sentinel.is_none() => (
                    Severity::Error,
                    format!(
                        "`{}` waits for {until}, but nothing watches the sentinels",
                        cell.id
                    ),
                    "add `panes: {sentinel: {address: \"127.0.0.1:26379\"}}` (or `service:`) to the front matter",
                ),
                super::model::Until::KubeEvent { .. } if panes.pods.is_none() => (
                    Severity::Warning,
                    format!(
                        "`{}` waits for {until}; Kubernetes Events are watched with the pods pane",
                        cell.id
                    ),
                    "add `panes: {pods: {selector: app=NAME}}` to the front matter",
                ),
                _ => continue,
            };
            let at = cell.span.start;
            out.push(self.at(sev, at, at + 3, msg).with_help(help));
        }
    }

    pub fn at(
        &self,
        sev: Severity,
        start: usize,
        end: usize,
        msg: impl Into<String>,
    ) -> Diagnostic {
        self.idx.diag(self.path, sev, start, end, msg)
    }

    /// Byte offset in the source of byte `off` of a cell's code (code lines may be indented or
    /// quoted in the source, so each line is located on its source line).
    pub fn code_pos(&self, cell: &Cell, off: usize) -> usize {
        let off = super::diag::floor_char(&cell.code, off);
        let last = self
            .last_pos
            .get()
            .filter(|p| p.cell == cell.span.start && p.off <= off);
        let (from, k0, start0) = last.map_or((0, 0, 0), |p| (p.off, p.k, p.line_start));
        let between = &cell.code.as_bytes()[from..off];
        let k = k0 + memchr::memchr_iter(b'\n', between).count();
        let line_start = memchr::memrchr(b'\n', between).map_or(start0, |p| from + p + 1);
        let base = match last.filter(|p| p.k == k) {
            Some(p) => p.base,
            None => self.code_line_base(cell, k, line_start),
        };
        self.last_pos.set(Some(CodePos {
            cell: cell.span.start,
            off,
            k,
            line_start,
            base,
        }));
        base + (off - line_start)
    }

    /// Source byte where code line `k` (starting at code byte `line_start`) begins.
    fn code_line_base(&self, cell: &Cell, k: usize, line_start: usize) -> usize {
        let rest = &cell.code[line_start..];
        let code_line = &rest[..memchr::memchr(b'\n', rest.as_bytes()).unwrap_or(rest.len())];
        let n = source_line_of(self.idx, cell, k);
        let text = self.idx.line_text(n);
        let found = if code_line.is_empty() {
            None
        } else {
            text.find(code_line)
        };
        self.idx.line_start(n) + found.unwrap_or(0)
    }

    /// The value of a top-level front matter key (`key: value`), for pointing at it.
    pub fn key_span(&self, key: &str) -> (usize, usize) {
        let mut pos = 0;
        for (i, line) in self.source.split_inclusive('\n').enumerate() {
            if i > 0 && line.trim_end() == "---" {
                break;
            }
            if let Some(rest) = line
                .trim_start()
                .strip_prefix(key)
                .and_then(|r| r.strip_prefix(':'))
            {
                let indent = line.len() - line.trim_start().len();
                let v = rest.trim();
                let start = pos + indent + key.len() + 1 + (rest.len() - rest.trim_start().len());
                return (start, start + v.len().max(1));
            }
            pos += line.len();
        }
        (0, 3)
    }

    fn front_matter(&self, out: &mut Vec<Diagnostic>) {
        let meta = &self.lesson.meta;
        if let Some(ns) = &meta.namespace
            && !is_dns_label(ns)
        {
            let (s, e) = self.key_span("namespace");
            let d = self.at(
                Severity::Error,
                s,
                e,
                format!("namespace `{ns}` is not a valid Kubernetes name"),
            );
            out.push(d.with_help("use lowercase letters, digits and '-', at most 63 characters, e.g. kubetutor-redis"));
        }
        if let Some(w) = &meta.workdir
            && !self.lesson.workdir().is_dir()
        {
            let (s, e) = self.key_span("workdir");
            let msg = format!(
                "workdir `{}` does not exist (looked for {})",
                w.display(),
                self.lesson.workdir().display()
            );
            out.push(
                self.at(Severity::Error, s, e, msg)
                    .with_help("workdir is relative to the lesson file"),
            );
        }
        if let Some(s) = &meta.panes.sentinel {
            let (a, e) = self.key_span("sentinel");
            let bad = match (&s.address, &s.service) {
                (None, None) => {
                    Some("the sentinel pane needs `address: host:port` or `service: NAME`")
                }
                (Some(_), Some(_)) => {
                    Some("the sentinel pane takes `address` or `service`, not both")
                }
                _ => None,
            };
            if let Some(msg) = bad {
                out.push(self.at(Severity::Error, a, e, msg));
            }
        }
        for (i, r) in meta.requires.iter().enumerate() {
            if r.trim().is_empty() || r.contains(char::is_whitespace) {
                let (s, e) = self.key_span("requires");
                out.push(self.at(
                    Severity::Error,
                    s,
                    e,
                    format!("requires[{i}] `{r}` is not a program name"),
                ));
            }
        }
    }

    fn structure(&self, out: &mut Vec<Diagnostic>) {
        let l = self.lesson;
        if l.steps.is_empty() {
            let d = Diagnostic::file(self.path, Severity::Warning, "the lesson has no steps");
            out.push(d.with_help("start each step with a `## Heading`"));
        }
        let cells = l.cells();
        let n_intro = l.cell_steps().iter().take_while(|s| s.is_none()).count();
        // Once, at the first such cell: a lesson with no steps at all has every cell there.
        let early: Vec<&&Cell> = cells[..n_intro]
            .iter()
            .filter(|c| c.is_runnable())
            .collect();
        if let Some(first) = early.first() {
            let message = match early.len() {
                1 => "runnable cell before the first step heading".to_string(),
                n => format!(
                    "runnable cell before the first step heading (and {} more)",
                    n - 1
                ),
            };
            let d = self.at(
                Severity::Warning,
                first.span.start,
                first.span.start + 3,
                message,
            );
            out.push(
                d.with_help("put it under a `## Step` heading so learners see where it belongs"),
            );
        }
        for cell in &cells {
            if cell.code.trim().is_empty() {
                out.push(self.at(
                    Severity::Warning,
                    cell.span.start,
                    cell.span.start + 3,
                    "empty cell",
                ));
            }
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for step in &l.steps {
            if step.title.is_empty() {
                out.push(self.at(
                    Severity::Warning,
                    step.span.start,
                    step.span.start + 2,
                    "step heading has no text",
                ));
            } else if let Some(line) = seen.insert(step.title.as_str(), step.span.line) {
                let d = self.at(
                    Severity::Warning,
                    step.span.start,
                    step.span.end,
                    format!("step title `{}` repeats line {line}", step.title),
                );
                out.push(d.with_help("learners pick steps by title; make them distinct"));
            }
            if !step.blocks.iter().any(|b| !matches!(b, Block::Rule { .. })) {
                out.push(self.at(
                    Severity::Warning,
                    step.span.start,
                    step.span.end,
                    "step is empty",
                ));
            }
        }
    }

    fn undefined_vars(&self, scans: &[(&Cell, Scan)], out: &mut Vec<Diagnostic>) {
        let meta_env: HashSet<&str> = self.lesson.meta.env.keys().map(String::as_str).collect();
        // name -> (first cell index where it is usable, line of the cell that sets it)
        let mut first_def: HashMap<String, (usize, usize)> = HashMap::new();
        for (i, (cell, scan)) in scans.iter().enumerate() {
            for (name, _) in scan.commands.iter().flat_map(|c| vars::defines(c)) {
                first_def.entry(name).or_insert((i, cell.span.line));
            }
            if let Some(c) = &cell.attrs.capture {
                first_def
                    .entry(c.clone())
                    .or_insert((i + 1, cell.span.line));
            }
        }
        let mut defined: HashSet<String> = HashSet::new();
        let mut reported: HashSet<String> = HashSet::new();
        // Findings per source line, and the index in `out` of the line's summary.
        let mut per_line: HashMap<usize, (usize, Option<usize>)> = HashMap::new();
        let mut searched = 0;
        let mut opaque = false;
        for (i, (cell, scan)) in scans.iter().enumerate() {
            let local: Vec<(String, usize)> = scan
                .commands
                .iter()
                .flat_map(|c| vars::defines(c))
                .collect();
            for u in &scan.uses {
                let known = u.guarded
                    || opaque
                    || vars::is_standard(&u.name)
                    || meta_env.contains(u.name.as_str())
                    || defined.contains(&u.name)
                    || cell.attrs.env.iter().any(|(k, _)| *k == u.name)
                    || local.iter().any(|(n, at)| *n == u.name && *at < u.at)
                    // Runme's `$__`, the previous cell's output: the parser says when that
                    // cell cannot give it.
                    || (u.name == "__" && i > 0);
                if known || !reported.insert(u.name.clone()) {
                    continue;
                }
                let later = first_def
                    .get(&u.name)
                    .filter(|(avail, _)| *avail >= i)
                    .map(|(_, line)| *line);
                // Past what its line shows, a finding is only counted: no message, no window.
                let at = self.code_pos(cell, u.at);
                let line = self.idx.line_col(at).0;
                let (shown, more) = per_line.entry(line).or_insert((0, None));
                *shown += 1;
                // Past what `check` prints per file, a finding is only counted as well.
                let unseen = out.len() >= super::check::MAX_SHOWN_PER_FILE + MAX_PER_LINE;
                if *shown > super::diag::MAX_PER_LINE || unseen {
                    let sev = if later.is_some() {
                        Severity::Error
                    } else {
                        Severity::Warning
                    };
                    match more {
                        Some(i) => {
                            let m: &mut Diagnostic = &mut out[*i];
                            m.folded += 1;
                            m.severity = m.severity.min(sev);
                        }
                        None if unseen => out.push(self.idx.folded(self.path, sev, at, 1)),
                        None => {
                            *more = Some(out.len());
                            out.push(self.idx.folded(self.path, sev, at, 1));
                        }
                    }
                    continue;
                }
                // A near-miss search compares with every defined name: within a budget, so
                // 4,000 unset names against 4,000 set ones stay linear.
                searched += defined.len();
                let near = (searched <= MAX_COMPARED).then_some(&defined);
                out.push(self.undefined(cell, u, later, near));
            }
            defined.extend(local.into_iter().map(|(n, _)| n));
            defined.extend(cell.attrs.capture.clone());
            opaque |= scan.commands.iter().any(|c| vars::is_opaque(c));
        }
    }

    fn undefined(
        &self,
        cell: &Cell,
        u: &shell::Use,
        later: Option<usize>,
        defined: Option<&HashSet<String>>,
    ) -> Diagnostic {
        let s = self.code_pos(cell, u.at);
        let e = self.code_pos(cell, u.at + u.len);
        let name = &u.name;
        if let Some(line) = later {
            let d = self.at(
                Severity::Error,
                s,
                e,
                format!("`${name}` is used before it is set (by the cell on line {line})"),
            );
            return d.with_help("move the cell that sets it earlier");
        }
        let names: Vec<&str> = defined.into_iter().flatten().map(String::as_str).collect();
        if let Some(near) = super::attrs::did_you_mean(name, &names) {
            let d = self.at(
                Severity::Error,
                s,
                e,
                format!("`${name}` is not set by any earlier cell"),
            );
            return d.with_help(format!("did you mean `${near}`?"));
        }
        let d = self.at(
            Severity::Warning,
            s,
            e,
            format!("`${name}` is not set by any earlier cell"),
        );
        d.with_help(format!(
            "set it in an earlier cell (```sh {{capture={name}}}``` or `export {name}=...`), declare it under `env:` in the front matter, or write ${{{name}:-default}}"
        ))
    }
}

fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

#[cfg(test)]
#[path = "lint_tests.rs"]
mod tests;
