//! Pods-watch updates as effects, for a front-end without a pods pane (the headless runner).

use std::collections::HashMap;
use std::time::SystemTime;

use super::Observed;
use crate::kube::model::{PodRow, PodsUpdate};

/// The pods seen so far, to tell an added pod from a changed one.
#[derive(Debug, Default)]
pub struct PodDiff {
    rows: HashMap<String, PodRow>,
    listed: bool,
}

impl PodDiff {
    /// The effects of one update. A list (the first, or after a reconnect) is the starting
    /// picture and yields none.
    pub fn fold(&mut self, update: PodsUpdate, at: SystemTime) -> Option<Observed> {
        match update {
            PodsUpdate::Listed(rows) => {
                self.rows = rows.into_iter().map(|r| (r.name.clone(), r)).collect();
                self.listed = true;
                None
            }
            PodsUpdate::Applied(row) => {
                let observed = Observed::pod(self.rows.get(&row.name), &row, at);
                self.rows.insert(row.name.clone(), row);
                observed.filter(|_| self.listed)
            }
            PodsUpdate::Deleted(name) => (self.rows.remove(&name))
                .filter(|_| self.listed)
                .map(|_| Observed::pod_deleted(&name, at)),
            PodsUpdate::Connection(_) => None,
        }
    }
}
