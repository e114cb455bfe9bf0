//! The jobs pane: background cells with pid, state, uptime and their last output line.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, Widget};

use crate::app::App;

use super::cell::{fmt_duration, truncate};
use super::theme::Theme;

pub fn render(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let jobs: Vec<_> = app
        .runs
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.job.as_ref().map(|j| (i, j, r.output.last_line())))
        .collect();
    if jobs.is_empty() {
        Paragraph::new(Span::styled("jobs: no background commands running", theme.dim()))
            .render(area, buf);
        return;
    }
    let last_width = usize::from(area.width).saturating_sub(2);
    let rows = jobs.into_iter().flat_map(|(cell, job, last)| {
        let (state, style) = match job.exited {
            None => ("up".to_string(), theme.ok()),
            Some(Some(code)) => (format!("exit {code}"), theme.bad()),
            Some(None) => ("killed".to_string(), theme.bad()),
        };
        let uptime = fmt_duration(app.now.saturating_duration_since(job.since));
        let head = Row::new(vec![
            Line::from(app.cells[cell].id.clone()),
            Line::from(job.pid.to_string()),
            Line::styled(state, style),
            Line::from(uptime),
        ]);
        let tail = Row::new(vec![Line::styled(format!("  {}", truncate(last, last_width)), theme.dim())]);
        [head, tail]
    });
    let widths = [Constraint::Fill(1), Constraint::Length(7), Constraint::Length(7), Constraint::Length(6)];
    let header = Row::new(["CELL", "PID", "STATE", "UP"]).style(theme.title());
    Widget::render(Table::new(rows, widths).header(header), area, buf);
}
