//! The pods pane: a [`PodsView`] drawn like `kubectl get pods -o wide`, plus a ROLE column from
//! the sentinel view and a state line. Content only (the caller draws the frame).
//!
//! Fits 50-70 columns: IP, then AGE, then RESTARTS are dropped when narrow, and names are cut
//! last. Only the visible window of rows is formatted, so 5,000 pods cost what 30 do. Changes
//! carry a marker as well as a colour, so they show with `NO_COLOR` and on a projector:
//! `+` added (green), `~` changed (yellow), `x` deleted (red, struck through).

use std::time::SystemTime;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::app::pods_view::{Change, PodsView};
use crate::kube::model::{Connection, Health, PodRow};
use crate::sentinel::Role;

use super::cell::truncate;
use super::theme::Theme;

pub struct PodsPane<'a> {
    view: &'a PodsView,
    now: SystemTime,
    theme: Theme,
    scroll: usize,
    scope: Option<&'a str>,
}

impl<'a> PodsPane<'a> {
    pub fn new(view: &'a PodsView, now: SystemTime) -> Self {
        Self {
            view,
            now,
            theme: Theme::plain(),
            scroll: 0,
            scope: None,
        }
    }

    /// Index of the first row shown; clamped so the last page stays full.
    pub fn scroll(mut self, offset: usize) -> Self {
        self.scroll = offset;
        self
    }

    pub fn theme(mut self, theme: Theme) -> Self {
        self.theme = theme;
        self
    }

    /// What is watched, e.g. `kubetutor-redis · app in (redis)`, for the empty-pane message.
    pub fn scope(mut self, scope: &'a str) -> Self {
        self.scope = Some(scope);
        self
    }

    /// How many rows fit under the state and header lines: for the caller's scroll limits.
    pub fn rows_visible(height: u16) -> usize {
        usize::from(height).saturating_sub(2)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Col {
    Name,
    Ready,
    Status,
    Restarts,
    Age,
    Ip,
    Role,
}

impl Col {
    fn title(self) -> &'static str {
        match self {
            Col::Name => "NAME",
            Col::Ready => "READY",
            Col::Status => "STATUS",
            Col::Restarts => "RESTARTS",
            Col::Age => "AGE",
            Col::Ip => "IP",
            Col::Role => "ROLE",
        }
    }
}

/// A long STATUS (`ContainerCreating`, `CrashLoopBackOff`) shortened to this when the pane
/// is narrow, so the pod name need not be cut.
const STATUS_SHORT: usize = 12;

/// One visible row, formatted.
struct Cells<'r> {
    row: &'r PodRow,
    change: Option<Change>,
    role: Option<Role>,
    texts: [String; 7],
    /// RESTARTS without the "(2m ago)" part, for narrow panes.
    restarts_short: String,
}

impl Widget for PodsPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let total = self.view.len();
        let state = self.state_lines(area, total);
        let state_height = state.len() as u16;
        let body = Rect {
            y: area.y + state_height,
            height: area.height - state_height,
            ..area
        };
        let visible = usize::from(body.height).saturating_sub(1);
        let first = self.scroll.min(total.saturating_sub(visible));
        let rows: Vec<Cells<'_>> = self
            .view
            .entries()
            .skip(first)
            .take(visible)
            .map(|e| self.cells(e))
            .collect();
        self.draw_state(area, buf, &state, first, rows.len(), total);
        if body.height == 0 {
            return;
        }
        if rows.is_empty() {
            self.empty(body, buf);
            return;
        }
        let (layout, short) = self.layout(&rows, area.width);
        let titles: Vec<String> = layout.iter().map(|(c, _)| c.title().to_string()).collect();
        self.draw_line(Rect { height: 1, ..body }, buf, &layout, &titles, |_| {
            self.theme.title()
        });
        for (i, cells) in rows.iter().enumerate() {
            let line = Rect {
                y: body.y + 1 + i as u16,
                height: 1,
                ..body
            };
            let text = |c: Col| match c {
                Col::Restarts if short => cells.restarts_short.clone(),
                _ => cells.texts[c as usize].clone(),
            };
            let texts: Vec<String> = layout.iter().map(|(c, _)| text(*c)).collect();
            self.draw_row(line, buf, &layout, &texts, cells);
        }
    }
}

impl PodsPane<'_> {
    fn cells<'r>(&self, entry: &'r crate::app::pods_view::Entry) -> Cells<'r> {
        let row = &entry.row;
        let change = entry.change(self.now);
        let marker = match change {
            Some(Change::Added) => '+',
            Some(Change::Changed) => '~',
            Some(Change::Deleted) => 'x',
            None => ' ',
        };
        let role = self.view.role(row);
        let texts = [
            format!("{marker}{}", row.name),
            row.ready_text(),
            row.status.clone(),
            row.restarts_text(self.now),
            row.age_text(self.now),
            row.ip.clone().unwrap_or_else(|| "<none>".into()),
            role.map(role_name).unwrap_or("").to_string(),
        ];
        Cells {
            row,
            change,
            role,
            texts,
            restarts_short: row.restarts.to_string(),
        }
    }

    /// Columns that fit and their widths (NAME takes what is left), and whether RESTARTS is
    /// shortened. Pod names are what the lesson talks about, so they are cut last; until they
    /// fit, by priority: RESTARTS loses "(2m ago)", a long STATUS is shortened
    /// (`ContainerCrea…`), then AGE, RESTARTS and IP go (IP last: the sentinel pane names
    /// pods by it).
    fn layout(&self, rows: &[Cells<'_>], width: u16) -> (Vec<(Col, u16)>, bool) {
        let width = usize::from(width);
        let widest = |c: Col, short: bool| {
            let len = |r: &Cells<'_>| match c {
                Col::Restarts if short => r.restarts_short.len(),
                _ => r.texts[c as usize].chars().count(),
            };
            rows.iter().map(len).max().unwrap_or(0).max(c.title().len())
        };
        let mut cols = vec![Col::Ready, Col::Status, Col::Restarts, Col::Age, Col::Ip];
        if rows.iter().any(|r| r.role.is_some()) {
            cols.push(Col::Role);
        }
        let (mut short, mut status_cap) = (false, usize::MAX);
        let col_width = |c: Col, short: bool, cap: usize| match c {
            Col::Status => widest(c, short).min(cap),
            _ => widest(c, short),
        };
        let fixed = |cols: &[Col], short, cap| {
            cols.iter()
                .map(|c| col_width(*c, short, cap) + 1)
                .sum::<usize>()
        };
        let name_want = widest(Col::Name, false).min(40);
        for step in 0..5 {
            if fixed(&cols, short, status_cap) + name_want <= width {
                break;
            }
            match step {
                0 => short = true,
                1 => status_cap = STATUS_SHORT,
                2 => cols.retain(|c| *c != Col::Age),
                3 => cols.retain(|c| *c != Col::Restarts),
                _ => cols.retain(|c| *c != Col::Ip),
            }
        }
        let name = width
            .saturating_sub(fixed(&cols, short, status_cap))
            .min(name_want)
            .max(4);
        let mut out = vec![(Col::Name, name as u16)];
        out.extend(
            cols.into_iter()
                .map(|c| (c, col_width(c, short, status_cap) as u16)),
        );
        (out, short)
    }

    /// One row of columns, each cut to its width; `style` picks the style per column.
    fn draw_line(
        &self,
        area: Rect,
        buf: &mut Buffer,
        layout: &[(Col, u16)],
        texts: &[String],
        style: impl Fn(Col) -> Style,
    ) {
        let mut x = area.x;
        let right = area.x + area.width;
        for ((col, w), text) in layout.iter().zip(texts) {
            if x >= right {
                break;
            }
            let w = (*w).min(right - x);
            buf.set_stringn(
                x,
                area.y,
                truncate(text, usize::from(w)),
                usize::from(w),
                style(*col),
            );
            x = x.saturating_add(w + 1);
        }
    }

    fn draw_row(
        &self,
        area: Rect,
        buf: &mut Buffer,
        layout: &[(Col, u16)],
        texts: &[String],
        cells: &Cells<'_>,
    ) {
        let base = self.row_style(cells.change);
        self.draw_line(area, buf, layout, texts, |col| match (cells.change, col) {
            (None, Col::Status) => self.health_style(cells.row.health()),
            (None, Col::Role) => self.role_style(cells.role),
            _ => base,
        });
    }

    /// The state line, wrapped when the connection is degraded and the message is long: over
    /// the whole pane when there are no rows, over two lines above stale rows.
    fn state_lines(&self, area: Rect, total: usize) -> Vec<(String, Style)> {
        let conn = self.view.connection();
        let (text, style) = match conn {
            Connection::Live => (self.live_summary(), self.theme.ok()),
            Connection::Connecting | Connection::Reconnecting { .. } | Connection::Relisting => {
                (conn.line(), self.theme.busy())
            }
            _ => (conn.line(), self.theme.bad()),
        };
        let width = usize::from(area.width);
        // Room for " 1-30 of 5000" on the first line when rows overflow.
        let overflow = total > usize::from(area.height).saturating_sub(2);
        let reserve = if overflow {
            format!(" {total}-{total} of {total}").len()
        } else {
            0
        };
        let room = width.saturating_sub(reserve).max(1);
        if !conn.is_degraded() || text.chars().count() <= room {
            return vec![(text, style)];
        }
        let most = if self.view.is_empty() {
            usize::from(area.height)
        } else {
            2
        };
        let mut lines: Vec<(String, Style)> = textwrap::wrap(&text, room)
            .into_iter()
            .map(|l| (l.into_owned(), style))
            .collect();
        lines.truncate(most.min(usize::from(area.height)).max(1));
        lines
    }

    fn draw_state(
        &self,
        area: Rect,
        buf: &mut Buffer,
        lines: &[(String, Style)],
        first: usize,
        shown: usize,
        total: usize,
    ) {
        let width = usize::from(area.width);
        for (i, (text, style)) in lines.iter().enumerate() {
            buf.set_stringn(
                area.x,
                area.y + i as u16,
                truncate(text, width),
                width,
                *style,
            );
        }
        if shown < total && shown > 0 {
            let range = format!(" {}-{} of {total}", first + 1, first + shown);
            if width > range.len() {
                let x = area.x + (width - range.len()) as u16;
                buf.set_stringn(x, area.y, &range, range.len(), self.theme.dim());
            }
        }
    }

    fn live_summary(&self) -> String {
        let gone = self.view.deleted();
        let pods = self.view.len() - gone;
        let mut text = format!("live · {pods} pod{}", if pods == 1 { "" } else { "s" });
        if gone > 0 {
            text.push_str(&format!(", {gone} deleted"));
        }
        text
    }

    fn empty(&self, area: Rect, buf: &mut Buffer) {
        if !self.view.has_listed() || self.view.connection().is_degraded() {
            return;
        }
        let text = match self.scope {
            Some(scope) => format!("no pods yet ({scope})"),
            None => "no pods yet".to_string(),
        };
        // Wrapped: the scope (namespace · selector) is what tells the learner where to look.
        Paragraph::new(Span::styled(text, self.theme.dim()))
            .wrap(Wrap { trim: true })
            .render(area, buf);
    }

    fn row_style(&self, change: Option<Change>) -> Style {
        match change {
            None if self.view.connection().is_degraded() => self.theme.dim(),
            change => self.theme.pod_change(change),
        }
    }

    fn health_style(&self, health: Health) -> Style {
        self.theme.pod_health(health)
    }

    fn role_style(&self, role: Option<Role>) -> Style {
        self.theme.redis_role(role)
    }
}

pub(super) fn role_name(role: Role) -> &'static str {
    match role {
        Role::Master => "master",
        Role::Replica => "replica",
        Role::Sentinel => "sentinel",
    }
}
