//! The Sentinel pane: topology, quorum, connection state, failover time and the event timeline
//! of a [`SentinelView`]. Content only (the caller draws the frame); made for a 40-60 column
//! side column, and it keeps the most important lines when narrower or shorter.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::sentinel::Health;
use crate::sentinel::SentinelView;
use crate::sentinel::model::{Link, LinkState};
use crate::sentinel::report::Topology;
use crate::sentinel::timeline::TimelineEntry;

use super::cell::fmt_duration;
use super::theme::Theme;

pub struct SentinelPane<'a> {
    pub view: &'a SentinelView,
    pub theme: Theme,
}

impl Widget for SentinelPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let mut lines = self.header(area.height);
        let room = usize::from(area.height).saturating_sub(lines.len());
        lines.extend(self.timeline(room, usize::from(area.width)));
        lines.truncate(usize::from(area.height));
        Paragraph::new(lines).render(area, buf);
    }
}

impl SentinelPane<'_> {
    /// Everything above the timeline; sentinels fold into one line when the pane is short.
    fn header(&self, height: u16) -> Vec<Line<'static>> {
        let (v, th) = (self.view, &self.theme);
        let mut out = vec![self.title(), self.state()];
        let compact = usize::from(height) < 16 + v.links.len();
        if let Some(t) = v.topology() {
            out.extend(self.topology(t));
            if compact {
                out.push(self.sentinels_compact());
            } else {
                out.extend(v.links.iter().map(|l| self.sentinel(l)));
            }
            out.push(match &t.ckquorum {
                Ok(ok) => Line::styled(format!("quorum {}: {ok}", t.master.quorum), th.ok()),
                Err(no) => Line::styled(format!("quorum {}: {no}", t.master.quorum), th.bad()),
            });
        } else {
            out.extend(v.links.iter().map(|l| self.sentinel(l)));
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
        Line::from(spans)
    }

    fn state(&self) -> Line<'static> {
        let th = &self.theme;
        let (text, style) = match self.view.health() {
            Health::Connecting { attempt: 1 } => ("connecting…".to_string(), th.busy()),
            Health::Connecting { attempt } => {
                (format!("connecting (attempt {attempt})…"), th.busy())
            }
            Health::Connected { up, total } => {
                (format!("● connected to {up}/{total} sentinels"), th.ok())
            }
            Health::Unreachable {
                attempt,
                backoff,
                error,
            } => (
                // The retry first: a long OS error would push it past a side pane's edge.
                format!(
                    "✖ unreachable; retry {} in {}: {error}",
                    attempt + 1,
                    fmt_duration(backoff)
                ),
                th.bad(),
            ),
            Health::AllDown {
                total,
                attempt,
                backoff,
            } => (
                format!(
                    "✖ all {total} sentinels down; retry {} in {}",
                    attempt + 1,
                    fmt_duration(backoff)
                ),
                th.bad(),
            ),
            Health::AuthRequired => (
                "✖ auth required: set `password` or REDISCLI_AUTH".to_string(),
                th.bad(),
            ),
            Health::AuthFailed { error } => (format!("✖ auth failed: {error}"), th.bad()),
            Health::UnknownMaster => (
                format!(
                    "✖ no master named {:?}: see SENTINEL MASTERS",
                    self.view.master_name
                ),
                th.bad(),
            ),
        };
        Line::styled(text, style)
    }

    fn topology(&self, t: &Topology) -> Vec<Line<'static>> {
        let th = &self.theme;
        let m = &t.master;
        let mut flags = flag_text(m.flags.s_down(), m.flags.o_down());
        let style = if flags.is_empty() { th.ok() } else { th.bad() };
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
            let down = r.flags.s_down() || r.flags.disconnected();
            let status = match (down, self.view.lag(&r.addr, r.offset)) {
                (true, _) => "s_down".to_string(),
                (false, _) if !r.link_ok => "link down".to_string(),
                (false, Some(lag)) => format!("lag {lag} B"),
                (false, None) => r
                    .offset
                    .map_or_else(|| "replica".into(), |o| format!("offset {o}")),
            };
            let style = if down || !r.link_ok {
                th.bad()
            } else {
                Style::new()
            };
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

    /// `◉ S2 10.0.0.11:26379 ✓ · ok 0.3s · sees s_down`: link, peers' last ok ping, opinion.
    fn sentinel(&self, l: &Link) -> Line<'static> {
        let seen = l.run_id.as_ref().and_then(|id| self.view.peer_seen(id));
        let (status, style) = link_status(&l.state, &self.theme);
        let addr = seen
            .as_ref()
            .map_or(l.endpoint.clone(), |(a, _)| a.to_string());
        let mut text = format!(" ◉ {} {addr} {status}", l.label);
        if let Some(ms) = seen.and_then(|(_, ping)| ping) {
            text += &format!(" · ok {}", fmt_duration(Duration::from_millis(ms)));
        }
        if let Some(o) = l.topology.as_ref().map(|t| &t.master)
            && l.state == LinkState::Connected
        {
            let f = flag_text(o.flags.s_down(), o.flags.o_down());
            if !f.is_empty() {
                text += &format!(" · sees {f}");
            }
        }
        Line::styled(text, style)
    }

    /// `◉ S1 ✓ S2 ✓ S3 ✖`
    fn sentinels_compact(&self) -> Line<'static> {
        let mut spans = vec![Span::raw(" ◉")];
        for l in &self.view.links {
            let (status, style) = link_status(&l.state, &self.theme);
            let mark = status.chars().next().unwrap_or('?');
            spans.push(Span::styled(format!(" {} {mark}", l.label), style));
        }
        Line::from(spans)
    }

    fn failover(&self) -> Option<Line<'static>> {
        let (v, th) = (self.view, &self.theme);
        if let Some((addr, since)) = &v.failover.down_since {
            let down = fmt_duration(v.now.duration_since(*since).unwrap_or_default());
            let phase = if v.failover.in_progress {
                "failover in progress"
            } else if v.failover.odown {
                "o_down"
            } else {
                "s_down"
            };
            return Some(Line::styled(
                format!("⏱ {addr} down {down}: {phase}"),
                th.busy(),
            ));
        }
        let f = v.failover.last.as_ref()?;
        let secs = f.duration.as_secs_f64();
        Some(Line::styled(
            format!("⏱ failover {secs:.2} s: {} → {}", f.old, f.new),
            th.ok(),
        ))
    }

    fn timeline(&self, room: usize, width: usize) -> Vec<Line<'static>> {
        let th = &self.theme;
        let tl = &self.view.timeline;
        if room < 2 {
            return vec![];
        }
        let mut out = vec![Line::styled(
            format!("── events ({}) ──", tl.len()),
            th.dim(),
        )];
        let room = room - 1;
        // Explanations only when at least three entries still fit with them.
        let per = if room >= 6 { 2 } else { 1 };
        let take = (room / per).min(tl.len());
        for e in tl.entries().skip(tl.len() - take) {
            out.push(self.entry(e, width));
            if per == 2 {
                out.push(Line::styled(
                    format!("   {}", e.event.explanation()),
                    th.dim(),
                ));
            }
        }
        out
    }

    fn entry(&self, e: &TimelineEntry, width: usize) -> Line<'static> {
        let th = &self.theme;
        let time = clock(e.at, width >= 44);
        let name_style = if e.event.name.starts_with('+') {
            th.notice()
        } else {
            th.busy()
        };
        let mut spans = vec![
            Span::styled(format!("{time} "), th.dim()),
            Span::styled(e.seen_by.join(","), th.dim()),
            Span::raw(" "),
            Span::styled(e.event.name.clone(), name_style),
        ];
        if width >= 36 {
            spans.push(Span::raw(format!(" {}", e.event.detail())));
        }
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

fn link_status(state: &LinkState, th: &Theme) -> (String, Style) {
    match state {
        LinkState::Connected => ("✓".into(), Style::new()),
        LinkState::Connecting { .. } => ("connecting".into(), th.busy()),
        LinkState::Unreachable { attempt, .. } => (format!("✖ down (try {attempt})"), th.bad()),
        LinkState::AuthRequired => ("✖ auth required".into(), th.bad()),
        LinkState::AuthFailed { .. } => ("✖ auth failed".into(), th.bad()),
        LinkState::UnknownMaster => ("✖ unknown master".into(), th.bad()),
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
