//! `PodsView`: the pods pane's state, folded from [`PodsUpdate`]s. No ratatui, no clock: time
//! comes in with each call, so a recorded sequence of updates replays to the same view.
//!
//! Rows live in a `BTreeMap` keyed by pod name (sorted for drawing, O(log n) per event).
//! Added and changed pods are marked for [`PodsView::HIGHLIGHT`]; a deleted pod stays listed,
//! marked, for [`PodsView::LINGER`], so an instructor can point at the pod that died next to
//! the one that replaced it.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::time::{Duration, SystemTime};

use crate::kube::model::{Connection, PodRow, PodsUpdate};
use crate::sentinel::Role;

/// Why a row is highlighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Added,
    Changed,
    Deleted,
}

/// A row and its latest change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub row: PodRow,
    mark: Option<(Change, SystemTime)>,
    /// The role a terminating or deleted pod had when it went: after the failover the
    /// sentinels list the dead master as a replica, which it never became.
    frozen_role: Option<Option<Role>>,
}

impl Entry {
    /// The highlight to show at `now`, if any. Deleted rows stay marked until purged.
    pub fn change(&self, now: SystemTime) -> Option<Change> {
        let (change, at) = self.mark?;
        let fresh = now
            .duration_since(at)
            .map_or(true, |d| d < PodsView::HIGHLIGHT);
        (change == Change::Deleted || fresh).then_some(change)
    }

    fn is_deleted(&self) -> bool {
        matches!(self.mark, Some((Change::Deleted, _)))
    }
}

/// Everything the pods pane shows.
#[derive(Debug, Clone)]
pub struct PodsView {
    rows: BTreeMap<String, Entry>,
    connection: Connection,
    listed: bool,
    /// Rows still listed but marked deleted.
    deleted: usize,
    by_ip: HashMap<String, String>,
    roles: HashMap<String, Role>,
    /// Moments a highlight ends (None) or a deleted row goes (its name): redraw deadlines.
    deadlines: BinaryHeap<Reverse<(SystemTime, Option<String>)>>,
}

impl Default for PodsView {
    fn default() -> Self {
        Self::new()
    }
}

impl PodsView {
    /// How long added and changed rows stay highlighted.
    pub const HIGHLIGHT: Duration = Duration::from_secs(4);
    /// How long a deleted pod stays listed.
    pub const LINGER: Duration = Duration::from_secs(6);

    pub fn new() -> Self {
        Self {
            rows: BTreeMap::new(),
            connection: Connection::Connecting,
            listed: false,
            deleted: 0,
            by_ip: HashMap::new(),
            roles: HashMap::new(),
            deadlines: BinaryHeap::new(),
        }
    }

    /// Folds one update in; returns whether anything visible changed.
    pub fn apply(&mut self, update: PodsUpdate, now: SystemTime) -> bool {
        let purged = self.expire(now);
        let changed = match update {
            PodsUpdate::Listed(rows) => self.relist(rows, now),
            PodsUpdate::Applied(row) => self.upsert(row, now, self.listed),
            PodsUpdate::Deleted(name) => self.delete(&name, now),
            PodsUpdate::Connection(c) => self.set_connection(c),
        };
        changed || purged
    }

    /// Replaces the IP -> role map from the sentinel view; rows whose role changed (a promoted
    /// replica, a demoted master) are highlighted. Returns whether anything visible changed.
    pub fn set_roles(&mut self, roles: HashMap<String, Role>, now: SystemTime) -> bool {
        let mut touched = Vec::new();
        for (ip, role) in &roles {
            if self.roles.get(ip) != Some(role) {
                touched.push(ip.clone());
            }
        }
        touched.extend(
            self.roles
                .keys()
                .filter(|ip| !roles.contains_key(*ip))
                .cloned(),
        );
        self.roles = roles;
        let mut changed = false;
        for ip in touched {
            if let Some(name) = self.by_ip.get(&ip).cloned() {
                changed |= self.mark(&name, Change::Changed, now);
            }
        }
        changed
    }

    /// Purges deleted rows whose time is up; returns whether any went.
    pub fn expire(&mut self, now: SystemTime) -> bool {
        let mut changed = false;
        while let Some(Reverse((at, _))) = self.deadlines.peek() {
            if *at > now {
                break;
            }
            if let Some(Reverse((at, Some(name)))) = self.deadlines.pop() {
                changed |= self.purge(&name, at);
            } else {
                changed = true; // a highlight ended
            }
        }
        changed
    }

    /// The next moment the picture changes without a new event (a highlight ends, a deleted
    /// row goes), so the UI can sleep until then instead of polling.
    pub fn next_deadline(&self) -> Option<SystemTime> {
        self.deadlines.peek().map(|Reverse((at, _))| *at)
    }

    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// Rows sorted by name, deleted ones included while they linger.
    pub fn entries(&self) -> impl ExactSizeIterator<Item = &Entry> + DoubleEndedIterator {
        self.rows.values()
    }

    /// Rows listed, lingering deleted ones included.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Lingering deleted rows; `len() - deleted()` pods exist.
    pub fn deleted(&self) -> usize {
        self.deleted
    }

    /// The row of a pod still alive (not marked deleted).
    pub fn live(&self, name: &str) -> Option<&PodRow> {
        (self.rows.get(name))
            .filter(|e| !e.is_deleted())
            .map(|e| &e.row)
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Whether a first list arrived (an empty pane then means "no pods", not "loading").
    pub fn has_listed(&self) -> bool {
        self.listed
    }

    /// The sentinel role of a row, joined by pod IP.
    pub fn role(&self, row: &PodRow) -> Option<Role> {
        if let Some(frozen) = self.rows.get(&row.name).and_then(|e| e.frozen_role) {
            return frozen;
        }
        self.live_role(row)
    }

    fn live_role(&self, row: &PodRow) -> Option<Role> {
        row.ip.as_ref().and_then(|ip| self.roles.get(ip)).copied()
    }

    /// A pod on its way out keeps the role it had.
    fn freeze_role(&mut self, name: &str) {
        let Some(role) = self.rows.get(name).map(|e| self.live_role(&e.row)) else {
            return;
        };
        if let Some(e) = self.rows.get_mut(name) {
            e.frozen_role.get_or_insert(role);
        }
    }

    fn set_connection(&mut self, c: Connection) -> bool {
        let changed = self.connection != c;
        self.connection = c;
        changed
    }

    fn relist(&mut self, rows: Vec<PodRow>, now: SystemTime) -> bool {
        // The first list is the starting picture, not news: nothing is highlighted.
        let highlight = self.listed;
        let mut changed = self.set_connection(Connection::Live) || !self.listed;
        self.listed = true;
        let fresh: std::collections::HashSet<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        let gone: Vec<String> = self
            .rows
            .iter()
            .filter(|(name, e)| !e.is_deleted() && !fresh.contains(name.as_str()))
            .map(|(name, _)| name.clone())
            .collect();
        for name in gone {
            changed |= self.delete(&name, now);
        }
        for row in rows {
            changed |= self.upsert(row, now, highlight);
        }
        changed
    }

    fn upsert(&mut self, row: PodRow, now: SystemTime, highlight: bool) -> bool {
        let name = row.name.clone();
        if let Some(ip) = &row.ip {
            self.by_ip.insert(ip.clone(), name.clone());
        }
        let change = match self.rows.get(&name) {
            None => Change::Added,
            Some(old) if old.is_deleted() => {
                self.deleted -= 1;
                Change::Added
            }
            Some(old) if old.row == row => return false,
            Some(old) => {
                if let Some(old_ip) = &old.row.ip
                    && row.ip.as_ref() != Some(old_ip)
                    && self.by_ip.get(old_ip) == Some(&name)
                {
                    self.by_ip.remove(old_ip);
                }
                Change::Changed
            }
        };
        // An active highlight carries over; a deleted mark does not (the pod is back).
        let mark = self
            .rows
            .get(&name)
            .and_then(|e| e.mark)
            .filter(|m| m.0 != Change::Deleted);
        let frozen_role = self
            .rows
            .get(&name)
            .filter(|e| !e.is_deleted())
            .and_then(|e| e.frozen_role);
        let terminating = row.status == "Terminating";
        self.rows.insert(
            name.clone(),
            Entry {
                row,
                mark,
                frozen_role: frozen_role.filter(|_| terminating),
            },
        );
        if terminating {
            self.freeze_role(&name);
        }
        if highlight {
            self.mark(&name, change, now);
        }
        true
    }

    fn delete(&mut self, name: &str, now: SystemTime) -> bool {
        match self.rows.get(name) {
            Some(e) if !e.is_deleted() => {
                self.freeze_role(name);
                self.mark(name, Change::Deleted, now);
                self.deadlines
                    .push(Reverse((now + Self::LINGER, Some(name.to_string()))));
                true
            }
            _ => false,
        }
    }

    fn mark(&mut self, name: &str, change: Change, now: SystemTime) -> bool {
        let Some(entry) = self.rows.get_mut(name) else {
            return false;
        };
        if entry.is_deleted() && change != Change::Deleted {
            return false;
        }
        if change == Change::Deleted && !entry.is_deleted() {
            self.deleted += 1;
        }
        // A change does not hide that the pod is brand new.
        let keep_added = change == Change::Changed && entry.change(now) == Some(Change::Added);
        if !keep_added {
            entry.mark = Some((change, now));
        }
        if change != Change::Deleted {
            self.deadlines.push(Reverse((now + Self::HIGHLIGHT, None)));
        }
        true
    }

    fn purge(&mut self, name: &str, due: SystemTime) -> bool {
        let expired = self.rows.get(name).is_some_and(
            |e| matches!(e.mark, Some((Change::Deleted, at)) if at + Self::LINGER <= due),
        );
        if !expired {
            return false;
        }
        self.deleted -= 1;
        if let Some(entry) = self.rows.remove(name)
            && let Some(ip) = entry.row.ip
            && self.by_ip.get(&ip).map(String::as_str) == Some(name)
        {
            self.by_ip.remove(&ip);
        }
        true
    }
}
