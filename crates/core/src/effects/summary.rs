//! The compact effects line: effects grouped by kind, kept incrementally so a burst of events
//! costs O(1) each and the line is bounded however many arrive.

use std::time::Duration;

use super::{Attributed, CellEffects, ObservedKind};
use crate::sentinel::SentinelEvent;

/// Distinct items a group names before it says "+N more".
const MAX_ITEMS: usize = 6;
/// Distinct items counted beyond those named (bounded memory; "+64 more" means at least).
const MAX_HIDDEN: usize = 64;
/// The sentinel events the folded line names; the rest of a failover's chatter (votes,
/// epochs, reconfiguration) is counted and listed when expanded.
const NOTABLE: &[&str] = &[
    "+sdown",
    "-sdown",
    "+odown",
    "-odown",
    "+switch-master",
    "+failover-end",
    "+tilt",
    "-tilt",
    "+reboot",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupKind {
    PodAdded,
    PodDeleted,
    PodChanged,
    Events,
    Sentinels,
}

/// Effects of one kind (and continuing or not), in order of first arrival.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub kind: GroupKind,
    pub continuing: bool,
    /// Distinct items (pod names, event reasons, sentinel events), at most [`MAX_ITEMS`].
    pub items: Vec<String>,
    /// Distinct items not named (the list was full, or chatter), at most [`MAX_HIDDEN`].
    pub hidden: Vec<String>,
    pub count: usize,
    pub first: Duration,
    pub last: Duration,
}

impl Group {
    /// `pod redis-master deleted (+0.1 s)`, `Scheduled, Pulled (+0.3-1.4 s)`.
    pub fn label(&self) -> String {
        let sep = if self.kind == GroupKind::Sentinels {
            " "
        } else {
            ", "
        };
        let mut items = self.items.join(sep);
        if !self.hidden.is_empty() {
            items.push_str(&format!("{sep}+{} more", self.hidden.len()));
        }
        let text = match self.kind {
            GroupKind::PodAdded => format!("pod {items} added"),
            GroupKind::PodDeleted => format!("pod {items} deleted"),
            GroupKind::PodChanged => format!("pod {items}"),
            GroupKind::Events => items,
            GroupKind::Sentinels => format!("sentinels: {items}"),
        };
        let when = span(self.first, self.last);
        match self.continuing {
            true => format!("{text} (continuing, {when})"),
            false => format!("{text} ({when})"),
        }
    }
}

/// `+0.1 s` or `+0.3-1.4 s`.
pub fn span(first: Duration, last: Duration) -> String {
    let (a, b) = (first.as_secs_f64(), last.as_secs_f64());
    if format!("{a:.1}") == format!("{b:.1}") {
        format!("+{a:.1} s")
    } else {
        format!("+{a:.1}-{b:.1} s")
    }
}

impl CellEffects {
    /// The one-line summary, groups joined by ` · `; empty when nothing was observed.
    pub fn summary(&self) -> String {
        let parts: Vec<String> = self.groups.iter().map(Group::label).collect();
        parts.join(" · ")
    }
}

/// The group and the item an effect adds; `false`: count it, do not name it.
fn item(effect: &Attributed) -> (GroupKind, String, bool) {
    let name = || {
        let o = &effect.observed.object;
        o.strip_prefix("pod/").unwrap_or(o).to_string()
    };
    match &effect.observed.kind {
        ObservedKind::PodAdded => (GroupKind::PodAdded, name(), true),
        ObservedKind::PodDeleted => (GroupKind::PodDeleted, name(), true),
        ObservedKind::PodChanged { to, .. } => {
            (GroupKind::PodChanged, format!("{} {to}", name()), true)
        }
        ObservedKind::KubeEvent { reason, .. } => (GroupKind::Events, reason.clone(), true),
        ObservedKind::Sentinel { name, detail } => {
            let event = SentinelEvent::new(name.clone(), detail.clone());
            let notable = NOTABLE.contains(&name.as_str());
            match event.switch_master() {
                Some((_, _, new)) => (GroupKind::Sentinels, format!("{name} {}", new.ip), true),
                None => (GroupKind::Sentinels, name.clone(), notable),
            }
        }
    }
}

pub(super) fn add(groups: &mut Vec<Group>, effect: &Attributed) {
    let (kind, item, named) = item(effect);
    let at = effect.offset;
    let i = groups
        .iter()
        .position(|g| g.kind == kind && g.continuing == effect.continuing);
    let group = match i {
        Some(i) => &mut groups[i],
        None => {
            groups.push(Group {
                kind,
                continuing: effect.continuing,
                items: Vec::new(),
                hidden: Vec::new(),
                count: 0,
                first: at,
                last: at,
            });
            groups.last_mut().expect("just pushed")
        }
    };
    group.count += 1;
    group.first = group.first.min(at);
    group.last = group.last.max(at);
    if group.items.contains(&item) || group.hidden.contains(&item) {
        return;
    }
    if named && group.items.len() < MAX_ITEMS {
        group.items.push(item);
    } else if group.hidden.len() < MAX_HIDDEN {
        group.hidden.push(item);
    }
}
