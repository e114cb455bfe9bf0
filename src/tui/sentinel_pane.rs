//! The Sentinel pane: topology, quorum, connection state, failover time and the event timeline
//! of a [`SentinelView`]. Content only (the caller draws the frame); made for a 40-60 column
//! side column, and it keeps the most important lines when narrower or shorter.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::sentinel::queries::LAG_NOISE;
use crate::sentinel::report::{ReplicaReport, Topology};
use crate::sentinel::timeline::TimelineEntry;
use crate::sentinel::{Health, Presence, Sentinel, SentinelView};

use super::cell::fmt_duration;
use super::theme::Theme;
use super::wrap::fit_line;
use crate::text::PaneText;

pub struct SentinelPane<'a> {
    pub view: &'a SentinelView,
    pub theme: Theme,
    /// The lesson is complete: sentinels gone now were shut down by its cleanup, which is the
    /// expected end and is said so, not retried in red.
    pub lesson_complete: bool,
    /// The words the events are explained in.
    pub lang: crate::text::UiLang,
}

impl SentinelPane<'_> {
    /// The pane's words in the lesson's language.
    fn say(&self, text: PaneText) -> String {
        crate::text::of(self.lang).pane(&text)
    }
}

impl Widget for SentinelPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let width = usize::from(area.width);
        let mut lines: Vec<Line<'static>> = self
            .header(area.height)
            .into_iter()
            .flat_map(|l| fit_line(l, width))
            .collect();
        let room = usize::from(area.height).saturating_sub(lines.len());
        lines.extend(self.timeline(room, width));
        lines.truncate(usize::from(area.height));
        Paragraph::new(lines).render(area, buf);
    }
}

impl SentinelPane<'_> {
    /// Everything above the timeline; sentinels fold into one line when the pane is short.
    fn header(&self, height: u16) -> Vec<Line<'static>> {
        let (v, th) = (self.view, &self.theme);
        let mut out = vec![self.title(), self.state()];
        let sentinels = v.sentinels();
        let compact = usize::from(height) < 16 + sentinels.len();
        if let Some(t) = v.topology() {
            out.extend(self.topology(t));
            if compact {
                out.push(self.sentinels_compact(&sentinels));
            } else {
                out.extend(sentinels.iter().map(|s| self.sentinel(s)));
            }
            // A short pane keeps Sentinel's first sentence ("OK 3 usable Sentinels."): the
            // rows go to the failover lines below.
            let brief = |ok: &str| match ok.split_once(". ") {
                Some((first, _)) if compact => format!("{first}."),
                _ => ok.to_string(),
            };
            out.push(match &t.ckquorum {
                Ok(ok) => Line::styled(
                    format!("quorum {}: {}", t.master.quorum, brief(ok)),
                    th.ok(),
                ),
                Err(no) => Line::styled(format!("quorum {}: {no}", t.master.quorum), th.bad()),
            });
        } else if v.ever_connected {
            out.extend(sentinels.iter().map(|s| self.sentinel(s)));
        }
        if v.split_view() {
            out.push(Line::styled(
                "split view: sentinels disagree on the master",
                th.notice(),
            ));
            for o in v.opinions() {
                out.push(Line::styled(
                    format!("  {} says {} (epoch {})", o.label, o.master, o.config_epoch),
                    th.notice(),
                ));
            }
        }
        out.extend(self.failover());
        if let Some(n) = &v.notice {
            out.push(Line::styled(n.clone(), th.dim()));
        }
        out
    }

    fn title(&self) -> Line<'static> {
        let v = self.view;
        let mut spans = vec![Span::styled(v.master_name.clone(), self.theme.title())];
        if let Some(t) = v.topology() {
            spans.push(Span::raw(format!(
                " @ {} · epoch {}",
                t.master.addr, t.master.config_epoch
            )));
        }
        if v.lagging_view().is_some() {
            spans.push(Span::styled(" (as Sentinel sees it)", self.theme.dim()));
        }
        Line::from(spans)
    }

    fn state(&self) -> Line<'static> {
        let th = &self.theme;
        let (text, style) = match self.view.health() {
            Health::Unreachable { .. } | Health::AllDown { .. } if self.lesson_complete => {
                (PaneText::Stopped, th.dim())
            }
            Health::Connecting { attempt } => (PaneText::Connecting(attempt), th.busy()),
            Health::Connected { up, total, gone: 0 } => {
                (PaneText::Connected { up, total }, th.ok())
            }
            Health::Connected { up, total, gone } => {
                let counted = self.view.counted().unwrap_or(0);
                let text = PaneText::ConnectedGone {
                    up,
                    total,
                    gone,
                    counted,
                };
                (text, th.ok())
            }
            Health::Waiting { target } => {
                let from = self.view.expected.clone();
                (PaneText::Waiting { target, from }, th.dim())
            }
            // The retry first: a long OS error would push it past a side pane's edge.
            Health::Unreachable {
                attempt,
                backoff,
                error,
            } => (
                PaneText::Unreachable {
                    retry: attempt + 1,
                    within: fmt_duration(backoff),
                    error,
                },
                th.bad(),
            ),
            Health::AllDown {
                total,
                attempt,
                backoff,
            } => (
                PaneText::AllDown {
                    total,
                    retry: attempt + 1,
                    within: fmt_duration(backoff),
                },
                th.bad(),
            ),
            Health::AuthRequired => (PaneText::AuthRequired, th.bad()),
            Health::AuthFailed { error } => (PaneText::AuthFailed(error), th.bad()),
            Health::UnknownMaster => (
                PaneText::NoMasterNamed(self.view.master_name.clone()),
                th.bad(),
            ),
        };
        let text = crate::text::of(self.lang).pane(&text);
        Line::styled(text, style)
    }

    fn topology(&self, t: &Topology) -> Vec<Line<'static>> {
        let th = &self.theme;
        let m = &t.master;
        let mut flags = flag_text(m.flags.s_down(), m.flags.o_down());
        let mut style = if flags.is_empty() { th.ok() } else { th.bad() };
        if flags.is_empty() && m.flags.disconnected() {
            (flags, style) = ("disconnected".into(), th.busy());
        }
        if flags.is_empty() {
            flags = "up".into();
        }
        let mut out = vec![Line::from(vec![
            Span::styled("MASTER ", style),
            Span::raw(m.addr.to_string()),
            Span::styled(format!(" {flags}"), style),
        ])];
        for (i, r) in t.replicas.iter().enumerate() {
            let branch = if i + 1 == t.replicas.len() {
                " └─▶ "
            } else {
                " ├─▶ "
            };
            let (status, style) = self.replica_status(r);
            out.push(Line::from(vec![
                Span::styled(branch, th.dim()),
                Span::raw(r.addr.to_string()),
                Span::styled(format!(" {status}"), style),
            ]));
        }
        if t.replicas.is_empty() {
            out.push(Line::styled(" (no replicas)", th.dim()));
        }
        out
    }

    /// What Sentinel says of a replica, in its words: `s_down` (no valid reply for
    /// down-after), `disconnected` (Sentinel's own link is being set up: no verdict),
    /// `master-link-status err` (the replica is not in sync with its master yet); then the
    /// lag the master measures, hidden under [`LAG_NOISE`].
    fn replica_status(&self, r: &ReplicaReport) -> (String, Style) {
        let th = &self.theme;
        if r.flags.s_down() {
            return ("s_down".into(), th.bad());
        }
        if r.flags.disconnected() {
            return ("disconnected".into(), th.busy());
        }
        if !r.link_ok {
            return ("master-link-status err".into(), th.busy());
        }
        match self.view.lag(&r.addr) {
            Some(lag) if lag >= LAG_NOISE => (self.say(PaneText::Lag(bytes(lag))), th.notice()),
            Some(_) => (self.say(PaneText::InSync), th.ok()),
            None => (self.say(PaneText::LinkOk), Style::new()),
        }
    }

    /// `◉ 26480 ✓ · ok 0.3s · sees s_down`: presence, peers' last ok ping, opinion.
    fn sentinel(&self, s: &Sentinel) -> Line<'static> {
        let th = &self.theme;
        let (status, style) = presence_status(&s.presence, th, self.lesson_complete);
        let mut text = format!(" ◉ {} {status}", s.label);
        if s.presence == Presence::Gone {
            text += &match s.listed_by {
                0 => " · forgotten by the others".to_string(),
                n => format!(" · {n} still count it, as s_down"),
            };
            return Line::styled(text, style);
        }
        if s.via_service {
            text += " · via service";
        }
        if let (Some(ms), Presence::Connected) = (s.last_ok_ms, &s.presence) {
            text += &format!(" · ok {}", fmt_duration(Duration::from_millis(ms)));
        }
        if let Some(f) = &s.sees {
            let f = flag_text(f.s_down(), f.o_down());
            if !f.is_empty() {
                text += &format!(" · sees {f}");
            }
        }
        Line::styled(text, style)
    }

    /// `◉ 26479 ✓ 26480 ✓ 26481 ✖ · 1 gone`
    fn sentinels_compact(&self, sentinels: &[Sentinel]) -> Line<'static> {
        let mut spans = vec![Span::raw(" ◉")];
        let mut gone = 0;
        for s in sentinels {
            if s.presence == Presence::Gone {
                gone += 1;
                continue;
            }
            let (status, style) = presence_status(&s.presence, &self.theme, self.lesson_complete);
            let mark = status.chars().next().unwrap_or('?');
            spans.push(Span::styled(format!(" {} {mark}", s.label), style));
        }
        if gone > 0 {
            spans.push(Span::styled(format!(" · {gone} gone"), self.theme.dim()));
        }
        Line::from(spans)
    }

    /// Detection-to-switch (Sentinel's part) and, measured by our `ROLE` probe, how long
    /// writes were really impossible (the learner's part: it includes down-after).
    fn failover(&self) -> Vec<Line<'static>> {
        let (v, th) = (self.view, &self.theme);
        let mut out = Vec::new();
        if let Some((addr, since)) = &v.failover.down_since {
            let down = fmt_duration(v.now.duration_since(*since).unwrap_or_default());
            let phase = if v.failover.in_progress {
                self.say(PaneText::FailoverInProgress)
            } else if v.failover.odown {
                "o_down".to_string()
            } else {
                "s_down".to_string()
            };
            out.push(Line::styled(
                format!("⏱ {addr} down {down}: {phase}"),
                th.busy(),
            ));
        } else if let Some(f) = &v.failover.last {
            let secs = f.duration.as_secs_f64();
            out.push(Line::styled(format!("⏱ {} → {}", f.old, f.new), th.ok()));
            out.push(Line::styled(
                self.say(PaneText::DetectionToSwitch(secs)),
                th.ok(),
            ));
        }
        // The other side (the master Sentinel still names) is on the MASTER line.
        if let Some((answering, _)) = v.lagging_view() {
            out.push(Line::styled(
                self.say(PaneText::AlreadyAnswers(answering.to_string())),
                th.notice(),
            ));
        }
        if let Some(o) = &v.outage {
            let secs = o.length(v.now).as_secs_f64();
            let (text, style) = match o.to {
                None => (self.say(PaneText::UnavailableSoFar(secs)), th.bad()),
                Some(_) => (self.say(PaneText::Unavailable(secs)), th.notice()),
            };
            out.push(Line::styled(text, style));
        }
        out
    }

    fn timeline(&self, room: usize, width: usize) -> Vec<Line<'static>> {
        let th = &self.theme;
        let tl = &self.view.timeline;
        if room < 2 {
            return vec![];
        }
        let mut out = vec![Line::styled(self.say(PaneText::Events(tl.len())), th.dim())];
        let mut room = room - 1;
        // Explanations only when at least three entries still fit with them.
        let explain = room >= 6;
        let sentinels = self.view.sentinels();
        // Newest first until the room is full: a wrapped entry takes the rows it needs whole.
        let mut shown: Vec<Vec<Line<'static>>> = Vec::new();
        for e in tl.entries().rev() {
            let mut rows = fit_line(self.entry(e, &sentinels, width), width);
            if explain {
                let words = crate::text::of(self.lang);
                let why = words.sentinel_event(&e.event.name, e.event.explanation());
                let why = Line::styled(format!("   {why}"), th.dim());
                rows.extend(fit_line(why, width));
            }
            if rows.len() > room {
                break;
            }
            room -= rows.len();
            shown.push(rows);
        }
        out.extend(shown.into_iter().rev().flatten());
        out
    }

    /// Who published an entry: their labels, or how many when that is too long.
    fn reporters(&self, e: &TimelineEntry, sentinels: &[Sentinel]) -> String {
        let labels: Vec<String> = e
            .seen_by
            .iter()
            .map(|k| short_label(SentinelView::label_of(sentinels, k), sentinels))
            .collect();
        let joined = labels.join(",");
        if labels.len() > 1 && joined.chars().count() > 17 {
            format!("{} sentinels", labels.len())
        } else {
            joined
        }
    }

    fn entry(&self, e: &TimelineEntry, sentinels: &[Sentinel], width: usize) -> Line<'static> {
        let th = &self.theme;
        let time = clock(e.at, width >= 44);
        let name_style = if e.event.name.starts_with('+') {
            th.notice()
        } else {
            th.busy()
        };
        let mut spans = vec![
            Span::styled(format!("{time} "), th.dim()),
            Span::styled(self.reporters(e, sentinels), th.dim()),
            Span::raw(" "),
            Span::styled(e.event.name.clone(), name_style),
        ];
        spans.push(Span::raw(format!(" {}", e.event.detail())));
        Line::from(spans)
    }
}

fn flag_text(s_down: bool, o_down: bool) -> String {
    match (s_down, o_down) {
        (_, true) => "o_down".into(),
        (true, false) => "s_down".into(),
        _ => String::new(),
    }
}

/// A sentinel's status word; once the lesson is complete, one that is down was stopped.
fn presence_status(p: &Presence, th: &Theme, lesson_complete: bool) -> (String, Style) {
    match p {
        Presence::Down { .. } if lesson_complete => ("○ stopped".into(), th.dim()),
        Presence::Connected => ("✓".into(), Style::new()),
        Presence::Connecting => ("connecting".into(), th.busy()),
        Presence::Down { attempt } => (format!("✖ down (try {attempt})"), th.bad()),
        Presence::Gone => ("gone".into(), th.dim()),
        Presence::Refused(why) => (format!("✖ {why}"), th.bad()),
    }
}

/// A label short enough for a timeline line: an IP label keeps its last groups, as few as
/// still tell the sentinels apart (at least two: `1.10`), ports stay as they are.
fn short_label(label: &str, sentinels: &[Sentinel]) -> String {
    let groups: Vec<&str> = label.split('.').collect();
    if groups.len() < 3 {
        return label.to_string();
    }
    let suffix = |s: &str, k: usize| {
        let g: Vec<&str> = s.split('.').collect();
        g[g.len().saturating_sub(k)..].join(".")
    };
    for k in 2..groups.len() {
        let mine = suffix(label, k);
        let clash = sentinels
            .iter()
            .filter(|s| s.label != label)
            .any(|s| suffix(&s.label, k) == mine);
        if !clash {
            return mine;
        }
    }
    label.to_string()
}

/// `512 B`, `12.3 KB`, `4.0 MB`.
fn bytes(n: u64) -> String {
    match n {
        0..1024 => format!("{n} B"),
        1024..1_048_576 => format!("{:.1} KB", n as f64 / 1024.0),
        _ => format!("{:.1} MB", n as f64 / 1_048_576.0),
    }
}

/// `hh:mm:ss.mmm` (UTC, like `kubectl logs` of a sentinel pod), or `ss.mmm` when narrow.
fn clock(at: SystemTime, long: bool) -> String {
    let d = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let (s, ms) = (d.as_secs() % 86_400, d.subsec_millis());
    if long {
        format!("{:02}:{:02}:{:02}.{ms:03}", s / 3600, s % 3600 / 60, s % 60)
    } else {
        format!("{:02}.{ms:03}", s % 60)
    }
}
