//! The jobs pane: background cells with pid, state, uptime, the ports they listen on and the
//! role Sentinel gives the server there (master, replica, sentinel), and their last output
//! line.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::app::App;

use super::cell::{fmt_duration, truncate};
use super::pods_pane::role_name;
use super::theme::Theme;
use super::wrap::{fit_line, spans_width};

pub fn render(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let width = usize::from(area.width);
    let mut lines = Vec::new();
    for (cell, run) in app.runs.iter().enumerate() {
        let Some(job) = &run.job else { continue };
        let (state, style) = match job.exited {
            None => ("up".to_string(), theme.ok()),
            Some(Some(code)) => (format!("exit {code}"), theme.bad()),
            Some(None) => ("killed".to_string(), theme.bad()),
        };
        let uptime = match job.exited {
            None => fmt_duration(app.now.saturating_duration_since(job.since)),
            Some(_) => String::new(),
        };
        let id = truncate(&app.cells[cell].id, width.saturating_sub(24).max(4));
        // What it is first (its port and role), then its state; the pid only where it fits
        // (the cell's own frame shows it too).
        let mut spans = vec![Span::styled(id, theme.title())];
        if job.exited.is_none() {
            for &port in &job.ports {
                spans.push(Span::raw(format!(" :{port}")));
                let role = app.sentinel.as_ref().and_then(|v| v.local_role(port));
                if let Some(role) = role {
                    spans.push(Span::styled(
                        format!(" {}", role_name(role)),
                        theme.redis_role(Some(role)),
                    ));
                }
            }
        }
        spans.push(Span::raw(" "));
        spans.push(Span::styled(state, style));
        if !uptime.is_empty() {
            spans.push(Span::raw(format!(" {uptime}")));
        }
        let pid = format!(" (pid {})", job.pid);
        if spans_width(&spans) + pid.len() <= width {
            spans.push(Span::raw(pid));
        }
        lines.extend(fit_line(Line::from(spans), width));
        let last = run.output.last_line();
        if !last.is_empty() {
            lines.push(Line::styled(
                format!("  {}", truncate(&last, width.saturating_sub(2))),
                theme.dim(),
            ));
        }
    }
    if lines.is_empty() {
        lines.push(Line::styled(
            "jobs: no background commands running",
            theme.dim(),
        ));
    }
    Paragraph::new(lines).render(area, buf);
}
