//! The event timeline (one entry per event, merged across sentinels) and the failover clock.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use super::event::{Addr, InstanceKind, SentinelEvent};

/// Older entries are dropped: a lesson's failover produces a few dozen.
pub const TIMELINE_CAP: usize = 200;
/// The same event from several sentinels within this window is one entry "seen by" all of them.
const MERGE_WINDOW: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    /// When the first sentinel's message arrived on our socket.
    pub at: SystemTime,
    /// Keys (run ids) of the sentinels that published it, first first; the pane shows
    /// their labels.
    pub seen_by: Vec<String>,
    pub event: SentinelEvent,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timeline {
    entries: VecDeque<TimelineEntry>,
}

impl Timeline {
    pub fn push(&mut self, at: SystemTime, label: &str, event: SentinelEvent) {
        let same = self.entries.iter_mut().rev().take(40).find(|e| {
            e.event == event && at.duration_since(e.at).map_or(true, |d| d <= MERGE_WINDOW)
        });
        if let Some(entry) = same {
            if !entry.seen_by.iter().any(|l| l == label) {
                entry.seen_by.push(label.to_string());
            }
            return;
        }
        if self.entries.len() == TIMELINE_CAP {
            self.entries.pop_front();
        }
        self.entries.push_back(TimelineEntry {
            at,
            seen_by: vec![label.to_string()],
            event,
        });
    }

    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &TimelineEntry> + ExactSizeIterator {
        self.entries.iter()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A completed failover, measured from the first `+sdown` of the old master to `+switch-master`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failover {
    pub old: Addr,
    pub new: Addr,
    pub started: SystemTime,
    pub duration: Duration,
}

/// Follows the failover-relevant events, from whichever sentinel reports them first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FailoverClock {
    /// The master some sentinel declared `+sdown`, and when.
    pub down_since: Option<(Addr, SystemTime)>,
    pub odown: bool,
    /// Set between `+try-failover` and `+switch-master` / an abort.
    pub in_progress: bool,
    pub last: Option<Failover>,
}

impl FailoverClock {
    pub fn observe(&mut self, at: SystemTime, event: &SentinelEvent) {
        let master = event
            .instance()
            .filter(|i| i.kind == InstanceKind::Master)
            .map(|i| i.addr);
        match (event.name.as_str(), master) {
            // Only the first +sdown of a master starts the clock.
            ("+sdown", Some(addr)) if !self.is_down(&addr) => {
                self.down_since = Some((addr, at));
                self.odown = false;
            }
            // Back before anyone acted on it: no failover to measure.
            ("-sdown", Some(addr)) if self.is_down(&addr) && !self.odown && !self.in_progress => {
                self.down_since = None;
            }
            ("+odown", Some(_)) => self.odown = true,
            ("+try-failover" | "+elected-leader" | "+failover-state-select-slave", _) => {
                self.in_progress = true;
            }
            (n, _) if n.starts_with("-failover-abort") => self.in_progress = false,
            ("+switch-master", _) => self.switched(at, event),
            _ => {}
        }
    }

    fn is_down(&self, addr: &Addr) -> bool {
        self.down_since.as_ref().is_some_and(|(a, _)| a == addr)
    }

    fn switched(&mut self, at: SystemTime, event: &SentinelEvent) {
        let Some((_, old, new)) = event.switch_master() else {
            return;
        };
        match self.down_since.take() {
            Some((addr, started)) if addr == old => {
                let duration = at.duration_since(started).unwrap_or_default();
                self.last = Some(Failover {
                    old,
                    new,
                    started,
                    duration,
                });
            }
            other => self.down_since = other,
        }
        self.odown = false;
        self.in_progress = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_000 + ms)
    }

    #[test]
    fn merges_the_same_event_from_several_sentinels() {
        let mut tl = Timeline::default();
        let e = SentinelEvent::new("+sdown", "master mymaster 10.0.0.5 6379");
        tl.push(t(0), "S1", e.clone());
        tl.push(t(40), "S2", e.clone());
        tl.push(t(40), "S2", e.clone());
        tl.push(t(9_000), "S3", e);
        let v: Vec<_> = tl.entries().map(|e| e.seen_by.join(",")).collect();
        assert_eq!(v, ["S1,S2", "S3"]);
    }

    #[test]
    fn measures_first_sdown_to_switch_master() {
        let mut c = FailoverClock::default();
        let ev = |n: &str, p: &str| SentinelEvent::new(n, p);
        c.observe(t(1000), &ev("+sdown", "master mymaster 10.0.0.5 6379"));
        c.observe(t(1100), &ev("+sdown", "master mymaster 10.0.0.5 6379"));
        c.observe(
            t(1200),
            &ev("+odown", "master mymaster 10.0.0.5 6379 #quorum 2/2"),
        );
        c.observe(
            t(1300),
            &ev("+try-failover", "master mymaster 10.0.0.5 6379"),
        );
        assert!(c.in_progress);
        c.observe(
            t(3900),
            &ev("+switch-master", "mymaster 10.0.0.5 6379 10.0.0.7 6379"),
        );
        c.observe(
            t(3950),
            &ev("+switch-master", "mymaster 10.0.0.5 6379 10.0.0.7 6379"),
        );
        let f = c.last.expect("measured");
        assert_eq!(f.duration, Duration::from_millis(2900));
        assert_eq!(f.new, Addr::new("10.0.0.7", 6379));
        assert!(c.down_since.is_none() && !c.in_progress);
    }

    #[test]
    fn a_master_that_comes_back_before_odown_is_no_failover() {
        let mut c = FailoverClock::default();
        c.observe(
            t(0),
            &SentinelEvent::new("+sdown", "master m 10.0.0.5 6379"),
        );
        c.observe(
            t(500),
            &SentinelEvent::new("-sdown", "master m 10.0.0.5 6379"),
        );
        assert_eq!(c, FailoverClock::default());
    }
}
