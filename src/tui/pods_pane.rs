//! The pods pane: a [`PodsView`] drawn like `kubectl get pods -o wide`, plus a ROLE column from
//! the sentinel view and a state line. Content only (the caller draws the frame).
//!
//! The columns are declared in [`COLUMNS`] and give way in the order of [`NARROWING`] when the
//! pane is narrow (it fits 50-70 columns); names are cut last. Only the visible window of rows is formatted, so 5,000 pods cost what 30 do. Changes
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

/// How a settled row's cell is styled (a changed row is styled by its change throughout).
#[derive(Clone, Copy)]
enum CellStyle {
    Row,
    Health,
    Role,
}

/// One column of the table, declared as k9s declares its `HeaderColumn`s.
struct Column {
    col: Col,
    title: &'static str,
    style: CellStyle,
    /// Shown only when a row has a value (ROLE: only beside a sentinel view).
    optional: bool,
}

/// The columns, in the order drawn: `kubectl get pods -o wide`'s, plus ROLE.
const COLUMNS: [Column; 7] = [
    column(Col::Name, "NAME", CellStyle::Row, false),
    column(Col::Ready, "READY", CellStyle::Row, false),
    column(Col::Status, "STATUS", CellStyle::Health, false),
    column(Col::Restarts, "RESTARTS", CellStyle::Row, false),
    column(Col::Age, "AGE", CellStyle::Row, false),
    column(Col::Ip, "IP", CellStyle::Row, false),
    column(Col::Role, "ROLE", CellStyle::Role, true),
];

const fn column(col: Col, title: &'static str, style: CellStyle, optional: bool) -> Column {
    Column {
        col,
        title,
        style,
        optional,
    }
}

impl Col {
    fn spec(self) -> &'static Column {
        &COLUMNS[self as usize]
    }
}

/// What gives way, in order, until the pod names fit: the lesson talks about pods by name, so
/// names are cut last. RESTARTS loses "(2m ago)", a long STATUS is shortened
/// (`ContainerCrea…`), then AGE, RESTARTS and IP go (IP last: the sentinel pane names pods by
/// it).
#[derive(Clone, Copy)]
enum Narrowing {
    Shorten(Col),
    Drop(Col),
}

const NARROWING: [Narrowing; 5] = [
    Narrowing::Shorten(Col::Restarts),
    Narrowing::Shorten(Col::Status),
    Narrowing::Drop(Col::Age),
    Narrowing::Drop(Col::Restarts),
    Narrowing::Drop(Col::Ip),
];

/// The columns drawn, with their widths, and which are shortened.
struct Layout {
    columns: Vec<(Col, u16)>,
    shortened: Vec<Col>,
}

/// A long STATUS (`ContainerCreating`, `CrashLoopBackOff`) shortened to this when the pane
/// is narrow, so the pod name need not be cut.
const STATUS_SHORT: usize = 12;

/// One visible row, formatted (`texts` by [`Col`]).
struct Cells<'r> {
    row: &'r PodRow,
    change: Option<Change>,
    role: Option<Role>,
    texts: [String; 7],
    /// RESTARTS without the "(2m ago)" part, for narrow panes.
    restarts_short: String,
}

impl Cells<'_> {
    /// The text of column `c`, in its short form when the column is shortened (a shortened
    /// STATUS is cut to its width when drawn).
    fn text(&self, c: Col, shortened: bool) -> &str {
        match c {
            Col::Restarts if shortened => &self.restarts_short,
            _ => &self.texts[c as usize],
        }
    }
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
        let layout = self.layout(&rows, area.width);
        let titles: Vec<String> = layout
            .columns
            .iter()
            .map(|(c, _)| c.spec().title.to_string())
            .collect();
        self.draw_line(
            Rect { height: 1, ..body },
            buf,
            &layout.columns,
            &titles,
            |_| self.theme.title(),
        );
        for (i, cells) in rows.iter().enumerate() {
            let line = Rect {
                y: body.y + 1 + i as u16,
                height: 1,
                ..body
            };
            let texts: Vec<String> = layout
                .columns
                .iter()
                .map(|(c, _)| cells.text(*c, layout.shortened.contains(c)).to_string())
                .collect();
            self.draw_row(line, buf, &layout.columns, &texts, cells);
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

    /// Columns that fit and their widths: NAME takes what is left after the others, which
    /// give way by [`NARROWING`] until it fits.
    fn layout(&self, rows: &[Cells<'_>], width: u16) -> Layout {
        let width = usize::from(width);
        let has_role = rows.iter().any(|r| r.role.is_some());
        let mut cols: Vec<Col> = COLUMNS
            .iter()
            .filter(|c| c.col != Col::Name && (!c.optional || has_role))
            .map(|c| c.col)
            .collect();
        let mut shortened: Vec<Col> = Vec::new();
        let col_width = |c: Col, shortened: &[Col]| {
            let short = shortened.contains(&c);
            let widest = rows
                .iter()
                .map(|r| r.text(c, short).chars().count())
                .max()
                .unwrap_or(0);
            let widest = match c {
                Col::Status if short => widest.min(STATUS_SHORT),
                _ => widest,
            };
            widest.max(c.spec().title.len())
        };
        let fixed = |cols: &[Col], shortened: &[Col]| {
            cols.iter()
                .map(|c| col_width(*c, shortened) + 1)
                .sum::<usize>()
        };
        let name_want = col_width(Col::Name, &[]).min(40);
        for step in NARROWING {
            if fixed(&cols, &shortened) + name_want <= width {
                break;
            }
            match step {
                Narrowing::Shorten(c) => shortened.push(c),
                Narrowing::Drop(c) => cols.retain(|x| *x != c),
            }
        }
        let name = width
            .saturating_sub(fixed(&cols, &shortened))
            .min(name_want)
            .max(4);
        let mut columns = vec![(Col::Name, name as u16)];
        columns.extend(cols.iter().map(|c| (*c, col_width(*c, &shortened) as u16)));
        Layout { columns, shortened }
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
        self.draw_line(area, buf, layout, texts, |col| {
            match (cells.change, col.spec().style) {
                (None, CellStyle::Health) => self.health_style(cells.row.health()),
                (None, CellStyle::Role) => self.role_style(cells.role),
                _ => base,
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_declared_in_the_order_of_col() {
        for (i, c) in COLUMNS.iter().enumerate() {
            assert_eq!(c.col as usize, i, "{}", c.title);
        }
    }
}
