//! The instructor's dashboard (`kubetutor workshop status NAME` on a terminal): the room as
//! the cluster last reported it, and what the instructor looks at (the order, the selected
//! learner, their details). Every change goes through [`Dashboard::update`]; the view in
//! `tui::dashboard` only draws it.

use std::cmp::Reverse;

use crate::workshop::status::{Room, Row, Snapshot};

/// The order of the rows; `s` goes round them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Who needs help first: stuck, failing, idle, behind, then the slowest.
    #[default]
    Attention,
    /// Furthest behind first (by step, then cells passed).
    Progress,
    Learner,
}

impl Sort {
    pub fn name(self) -> &'static str {
        match self {
            Sort::Attention => "needs help first",
            Sort::Progress => "furthest behind first",
            Sort::Learner => "by name",
        }
    }

    fn next(self) -> Self {
        match self {
            Sort::Attention => Sort::Progress,
            Sort::Progress => Sort::Learner,
            Sort::Learner => Sort::Attention,
        }
    }
}

#[derive(Debug, Clone)]
pub enum DashAction {
    /// The cluster's state was read (after a change the watch reported).
    Snapshot(Snapshot),
    /// A second passed: running times and the stuck / idle marks move on.
    Tick(u64),
    /// The watch or a read failed; it retries by itself.
    Trouble(String),
    Up,
    Down,
    NextSort,
    ToggleDetail,
    Quit,
}

#[derive(Debug, Clone, Default)]
pub struct Dashboard {
    pub workshop: String,
    pub instructor: Option<String>,
    snapshot: Option<Snapshot>,
    /// The room at the last tick, in `sort` order.
    pub room: Option<Room>,
    pub now_ms: u64,
    pub trouble: Option<String>,
    pub sort: Sort,
    /// The selected learner, by name (stays on them when the order changes).
    pub selected: Option<String>,
    pub detail: bool,
    pub quit: bool,
}

impl Dashboard {
    pub fn new(workshop: &str, instructor: Option<&str>, now_ms: u64) -> Self {
        Self {
            workshop: workshop.to_string(),
            instructor: instructor.map(str::to_string),
            now_ms,
            ..Self::default()
        }
    }

    pub fn update(&mut self, action: DashAction) {
        match action {
            DashAction::Snapshot(snapshot) => {
                self.snapshot = Some(snapshot);
                self.trouble = None;
                self.recompute();
            }
            DashAction::Tick(now_ms) => {
                self.now_ms = now_ms;
                self.recompute();
            }
            DashAction::Trouble(why) => self.trouble = Some(why),
            DashAction::Up => self.step_selection(-1),
            DashAction::Down => self.step_selection(1),
            DashAction::NextSort => {
                self.sort = self.sort.next();
                self.recompute();
            }
            DashAction::ToggleDetail => self.detail = !self.detail && self.selected_row().is_some(),
            DashAction::Quit if self.detail => self.detail = false,
            DashAction::Quit => self.quit = true,
        }
    }

    /// The rows in display order.
    pub fn rows(&self) -> &[Row] {
        self.room.as_ref().map_or(&[], |r| r.rows.as_slice())
    }

    pub fn selected_index(&self) -> Option<usize> {
        let name = self.selected.as_deref()?;
        self.rows().iter().position(|r| r.learner == name)
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.selected_index().map(|i| &self.rows()[i])
    }

    fn step_selection(&mut self, delta: isize) {
        let n = self.rows().len();
        if n == 0 {
            return;
        }
        let at = match self.selected_index() {
            Some(i) => i.saturating_add_signed(delta).min(n - 1),
            None => 0,
        };
        self.selected = Some(self.rows()[at].learner.clone());
    }

    fn recompute(&mut self) {
        let Some(snapshot) = &self.snapshot else {
            return;
        };
        let mut room = snapshot.room(&self.workshop, self.instructor.as_deref(), self.now_ms);
        sort_rows(&mut room.rows, self.sort);
        self.room = Some(room);
        if self.selected_index().is_none() {
            self.selected = self.rows().first().map(|r| r.learner.clone());
        }
        if self.selected_row().is_none() {
            self.detail = false;
        }
    }
}

/// How much a row asks for the instructor's attention (lower: sooner).
fn urgency(r: &Row) -> u8 {
    match r {
        r if r.stuck => 0,
        r if r.failing.is_some() => 1,
        r if r.idle => 2,
        r if r.behind => 3,
        _ => 4,
    }
}

fn sort_rows(rows: &mut [Row], sort: Sort) {
    let progress = |r: &Row| (r.step.map_or(0, |s| s + 1), r.passed);
    match sort {
        // The longest-stuck first among equals, then the slowest.
        Sort::Attention => rows.sort_by(|a, b| {
            let key = |r: &Row| {
                (
                    urgency(r),
                    Reverse(r.failing_secs.unwrap_or(0)),
                    progress(r),
                )
            };
            key(a).cmp(&key(b)).then_with(|| a.learner.cmp(&b.learner))
        }),
        Sort::Progress => {
            rows.sort_by(|a, b| (progress(a), &a.learner).cmp(&(progress(b), &b.learner)))
        }
        Sort::Learner => rows.sort_by(|a, b| a.learner.cmp(&b.learner)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workshop::progress::{Failing, Progress};
    use crate::workshop::status::Learner;

    const NOW: u64 = 1_000_000_000;

    fn snapshot() -> Snapshot {
        let p = |step: usize, failing: Option<u64>, last: u64| Progress {
            step,
            steps: 12,
            cells: vec![],
            running: None,
            failing: failing.map(|ago| Failing {
                id: "check".into(),
                since: NOW - ago,
                output: "pods not ready".into(),
            }),
            last_activity: NOW - last,
        };
        let learners = ["ana", "bo", "cy", "dee"]
            .iter()
            .map(|n| Learner::new(n, &format!("w-{n}")))
            .collect();
        let progress = [
            ("w-ana", p(7, None, 1_000)),
            ("w-bo", p(3, Some(200_000), 1_000)),
            ("w-cy", p(5, Some(10_000), 1_000)),
        ]
        .into_iter()
        .map(|(ns, p)| (ns.to_string(), p))
        .collect();
        Snapshot { learners, progress }
    }

    fn names(d: &Dashboard) -> Vec<&str> {
        d.rows().iter().map(|r| r.learner.as_str()).collect()
    }

    #[test]
    fn the_stuck_come_first_and_each_sort_orders_the_room() {
        let mut d = Dashboard::new("w", None, NOW);
        d.update(DashAction::Snapshot(snapshot()));
        assert_eq!(names(&d), ["bo", "cy", "dee", "ana"]);
        assert!(d.rows()[0].stuck);
        d.update(DashAction::NextSort);
        assert_eq!(d.sort, Sort::Progress);
        assert_eq!(names(&d), ["dee", "bo", "cy", "ana"]);
        d.update(DashAction::NextSort);
        assert_eq!(names(&d), ["ana", "bo", "cy", "dee"]);
    }

    #[test]
    fn the_selection_follows_the_learner_and_the_clock_moves_the_marks() {
        let mut d = Dashboard::new("w", None, NOW);
        d.update(DashAction::Snapshot(snapshot()));
        assert_eq!(d.selected.as_deref(), Some("bo"));
        d.update(DashAction::Down);
        assert_eq!(d.selected.as_deref(), Some("cy"));
        assert!(!d.selected_row().unwrap().stuck);
        // Two minutes later cy's check has failed long enough to be stuck: cy stays selected.
        d.update(DashAction::Tick(NOW + 120_000));
        let cy = d.selected_row().unwrap();
        assert_eq!(cy.learner, "cy");
        assert!(cy.stuck);
        d.update(DashAction::Up);
        d.update(DashAction::Up);
        assert_eq!(d.selected_index(), Some(0), "stops at the top");
    }

    #[test]
    fn details_open_on_a_learner_and_q_closes_them_before_quitting() {
        let mut d = Dashboard::new("w", None, NOW);
        d.update(DashAction::ToggleDetail);
        assert!(!d.detail, "nobody to show yet");
        d.update(DashAction::Snapshot(snapshot()));
        d.update(DashAction::ToggleDetail);
        assert!(d.detail);
        d.update(DashAction::Quit);
        assert!(!d.detail && !d.quit);
        d.update(DashAction::Quit);
        assert!(d.quit);
    }

    #[test]
    fn trouble_is_shown_until_the_next_good_read() {
        let mut d = Dashboard::new("w", None, NOW);
        d.update(DashAction::Trouble("watch: connection refused".into()));
        assert!(d.trouble.is_some());
        d.update(DashAction::Snapshot(snapshot()));
        assert!(d.trouble.is_none());
    }
}
