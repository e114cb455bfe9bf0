//! The lesson column: layout cached per width, geometry measured for the app (which takes it
//! through `App::update`), and only the visible lines built each frame.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState, StatefulWidget, Widget,
};

use crate::app::{App, Geometry, StepStatus};
use crate::lesson::Lesson;

use super::cell;
use super::markdown::{self, Item, Prepared, Segment};
use super::search;
use super::theme::Theme;
use super::wrap::Piece;
use super::wrap::hard_wrap;

/// Prepared lesson plus the layout of the last width (and present-mode step) drawn.
#[derive(Debug)]
pub struct LessonView {
    prepared: Prepared,
    theme: Theme,
    cache: Option<Cache>,
}

#[derive(Debug)]
struct Cache {
    width: usize,
    present_step: Option<usize>,
    segments: Vec<Segment>,
    /// Wrapped, highlighted code of each cell at this width.
    cell_code: Vec<Vec<Line<'static>>>,
    /// The last query searched and where it occurs: (segment, row within it).
    found: Option<(String, Vec<(usize, usize)>)>,
}

impl LessonView {
    /// With syntax highlighting (loads syntect's assets on first use).
    pub fn new(lesson: &Lesson, theme: Theme) -> Self {
        Self {
            prepared: markdown::prepare(lesson, &theme, true),
            theme,
            cache: None,
        }
    }

    /// Code left uncoloured: for the first frame, while [`LessonView::new`] runs elsewhere.
    pub fn quick(lesson: &Lesson, theme: Theme) -> Self {
        Self {
            prepared: markdown::prepare(lesson, &theme, false),
            theme,
            cache: None,
        }
    }

    pub fn theme(&self) -> &Theme {
        &self.theme
    }

    /// Lay out for a width; a no-op when the cached layout fits.
    pub fn layout(&mut self, width: usize, present_step: Option<usize>) {
        if self
            .cache
            .as_ref()
            .is_some_and(|c| c.width == width && c.present_step == present_step)
        {
            return;
        }
        let items = self.items(present_step);
        let segments = markdown::layout(items, width, &self.theme);
        let cell_code = self
            .prepared
            .cell_code
            .iter()
            .map(|code| wrap_code(code, width))
            .collect();
        self.cache = Some(Cache {
            width,
            present_step,
            segments,
            cell_code,
            found: None,
        });
    }

    fn items(&self, present_step: Option<usize>) -> &[Item] {
        let items = &self.prepared.items;
        let Some(step) = present_step else {
            return items;
        };
        let start = self
            .prepared
            .step_items
            .get(step)
            .copied()
            .unwrap_or(items.len());
        let end = self
            .prepared
            .step_items
            .get(step + 1)
            .copied()
            .unwrap_or(items.len());
        &items[start..end]
    }

    /// Lays the lesson out for `area` (cached per width) and measures where every step and
    /// cell lands; the app takes the result through `Action::Laid` (scroll, reveal, clicks).
    pub fn measure(&mut self, app: &App, area: Rect) -> Geometry {
        let width = usize::from(area.width);
        let present_step = app.present.then_some(app.step);
        self.layout(width, present_step);
        let query = app.search.as_ref().map(|s| s.query.as_str());
        self.find(app, query.unwrap_or(""), width);
        let Some(cache) = &self.cache else {
            return Geometry::default();
        };
        let mut geometry = Geometry {
            viewport: (area.x, area.y, area.width, area.height),
            cell_lines: vec![(0, 0); app.cells.len()],
            step_lines: vec![0; app.lesson.steps.len()],
            total_lines: 0,
            matches: Vec::new(),
        };
        let found = cache.found.as_ref().map_or(&[][..], |(_, f)| f.as_slice());
        let mut found = found.iter().peekable();
        let mut line = 0;
        for (index, segment) in cache.segments.iter().enumerate() {
            while let Some(&(_, row)) = found.next_if(|(s, _)| *s == index) {
                geometry.matches.push(line + row);
            }
            let h = segment_height(app, cache, segment, width);
            match segment {
                Segment::Step(i) => {
                    if let Some(slot) = geometry.step_lines.get_mut(*i) {
                        *slot = line;
                    }
                }
                Segment::Cell(i) => {
                    if let Some(slot) = geometry.cell_lines.get_mut(*i) {
                        *slot = (line, line + h);
                    }
                }
                Segment::Lines(_) => {}
            }
            line += h;
        }
        geometry.total_lines = line;
        geometry
    }

    /// Where `query` occurs in the laid-out prose, step headings and cell code (cached until
    /// the query or the layout changes; outputs grow and move, so only their rows are not
    /// searched, but matches in them are still highlighted on screen).
    fn find(&mut self, app: &App, query: &str, width: usize) {
        let theme = self.theme;
        let Some(cache) = self.cache.as_mut() else {
            return;
        };
        if query.is_empty() {
            cache.found = None;
            return;
        }
        if cache.found.as_ref().is_some_and(|(q, _)| q == query) {
            return;
        }
        let mut found = Vec::new();
        let mut rows = |index: usize, lines: &[Line<'static>], first_row: usize| {
            for (row, l) in lines.iter().enumerate() {
                let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
                if search::contains(&text, query) {
                    found.push((index, first_row + row));
                }
            }
        };
        for (index, segment) in cache.segments.iter().enumerate() {
            match segment {
                Segment::Lines(lines) => rows(index, lines, 0),
                Segment::Step(i) => rows(index, &step_lines(app, *i, width, &theme), 0),
                // Under the frame's top line.
                Segment::Cell(i) => {
                    let code = cache.cell_code.get(*i).map_or(&[][..], Vec::as_slice);
                    rows(index, code, 1);
                }
            }
        }
        cache.found = Some((query.to_string(), found));
    }

    pub fn render(&self, app: &App, area: Rect, buf: &mut Buffer) {
        let Some(cache) = &self.cache else { return };
        let width = usize::from(area.width);
        let (top, bottom) = (app.scroll, app.scroll + usize::from(area.height));
        let mut visible: Vec<Line<'static>> = Vec::with_capacity(usize::from(area.height));
        let mut line = 0;
        for segment in &cache.segments {
            let h = segment_height(app, cache, segment, width);
            if line + h > top && line < bottom {
                let lines = segment_lines(app, cache, segment, width, &self.theme);
                // The layout placed every segment by its height: a disagreement shifts
                // everything below it (and the click map) by the difference.
                debug_assert_eq!(lines.len(), h, "height and lines disagree");
                let skip = top.saturating_sub(line);
                let take = bottom.min(line + h) - line.max(top);
                visible.extend(lines.into_iter().skip(skip).take(take));
            }
            line += h;
            if line >= bottom {
                break;
            }
        }
        if let Some(query) = app.search.as_ref().map(|s| s.query.as_str())
            && !query.is_empty()
        {
            let mark = self.theme.search_match();
            visible = visible
                .into_iter()
                .map(|l| search::highlight(l, query, mark))
                .collect();
        }
        Paragraph::new(visible).render(area, buf);
        // The scrollbar lives in the margin column right of the text, when there is one.
        let bar = Rect {
            x: area.x + area.width,
            width: 1,
            ..area
        };
        if app.geometry.total_lines > usize::from(area.height)
            && buf.area.contains(bar.as_position())
        {
            let mut state = ScrollbarState::new(app.geometry.max_scroll()).position(app.scroll);
            Scrollbar::new(ScrollbarOrientation::VerticalRight)
                .begin_symbol(None)
                .end_symbol(None)
                .render(bar, buf, &mut state);
        }
    }
}

fn wrap_code(code: &[Vec<Piece>], width: usize) -> Vec<Line<'static>> {
    let bar = vec![ratatui::text::Span::raw("│ ")];
    code.iter()
        .flat_map(|pieces| hard_wrap(pieces, width.saturating_sub(2), &bar, &bar))
        .collect()
}

/// The code shown in a cell: instructor typing and edits differ from the prepared code.
fn dynamic_code(app: &App, cell: usize, width: usize, theme: &Theme) -> Option<Vec<Line<'static>>> {
    let typing = app.typing.as_ref().filter(|t| t.cell == cell);
    if typing.is_none() && app.runs[cell].edited.is_none() {
        return None;
    }
    let mut code = app.code_of(cell)?;
    if let Some(t) = typing {
        code = code.chars().take(t.shown).collect();
        code.push('▌');
    }
    let pieces: Vec<Vec<Piece>> = super::highlight::highlight(&code, "bash", theme);
    Some(wrap_code(&pieces, width))
}

fn segment_height(app: &App, cache: &Cache, segment: &Segment, width: usize) -> usize {
    match segment {
        Segment::Lines(lines) => lines.len(),
        Segment::Step(_) => step_height(app),
        // The layout and the app count cells the same way; never index past either.
        Segment::Cell(i) if *i >= app.cells.len() => 0,
        Segment::Cell(i) => {
            let rows = match dynamic_code(app, *i, width, &Theme::plain()) {
                Some(code) => code.len(),
                None => cache.cell_code.get(*i).map_or(0, Vec::len),
            };
            cell::height(app, *i, rows, width)
        }
    }
}

fn segment_lines(
    app: &App,
    cache: &Cache,
    segment: &Segment,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    match segment {
        Segment::Lines(lines) => lines.clone(),
        Segment::Step(i) => step_lines(app, *i, width, theme),
        Segment::Cell(i) if *i >= app.cells.len() => Vec::new(),
        Segment::Cell(i) => {
            let code = dynamic_code(app, *i, width, theme)
                .unwrap_or_else(|| cache.cell_code.get(*i).cloned().unwrap_or_default());
            cell::lines(app, *i, &code, width, theme)
        }
    }
}

/// Present mode gives the step heading a heavy rule under it: a terminal has no larger font,
/// and the rule makes the heading read from the back of a room.
fn step_height(app: &App) -> usize {
    if app.present { 2 } else { 1 }
}

fn step_lines(app: &App, step: usize, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![step_line(app, step, width, theme)];
    if app.present {
        let style = theme.step(false);
        lines.push(Line::styled("━".repeat(width), style));
    }
    lines
}

fn step_line(app: &App, step: usize, width: usize, theme: &Theme) -> Line<'static> {
    let total = app.lesson.steps.len();
    let title = app.lesson.steps.get(step).map_or("", |s| s.title.as_str());
    let current = step == app.step;
    let marker = if current { "▶" } else { "■" };
    let style = theme.step(current);
    let heading = crate::text::of(app.lang).step_heading(step + 1, total, title);
    let Some(status) = app.step_status(step) else {
        let text = format!("{marker} {heading}");
        return Line::styled(cell::truncate(&text, width), style);
    };
    let mark_style = match status {
        StepStatus::Done => theme.ok(),
        StepStatus::Failed => theme.bad(),
        StepStatus::NotRun => theme.dim(),
    };
    let rest = cell::truncate(&format!(" {heading}"), width.saturating_sub(3));
    Line::from(vec![
        Span::styled(format!("{marker} "), style),
        Span::styled(status.mark(), style.patch(mark_style)),
        Span::styled(rest, style),
    ])
}
