//! `SentinelView`: everything the pane shows, folded from `SentinelUpdate`s.
//!
//! Deterministic: time comes in with each update (`apply(update, now)`; events carry the moment
//! they arrived on the socket), so recorded updates replay to the same view.

use std::time::{Duration, SystemTime};

use super::event::{Addr, InstanceKind, SentinelEvent};
use super::report::{ReplicationInfo, Topology};
use super::timeline::{FailoverClock, Timeline};
use super::writes::WriteProbe;

/// The role of a pod IP, for the pods pane's ROLE column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Master,
    Replica,
    Sentinel,
}

/// The state of our connection to one sentinel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    Connecting {
        attempt: u32,
    },
    Connected,
    /// Waiting `backoff` before attempt `attempt + 1`.
    Unreachable {
        attempt: u32,
        backoff: Duration,
        error: String,
    },
    /// The sentinel wants a password and none was given (front matter or `REDISCLI_AUTH`).
    AuthRequired,
    AuthFailed {
        error: String,
    },
    /// The sentinel does not monitor a master of that name.
    UnknownMaster,
}

/// What the monitor tells the view. `endpoint` names the sentinel connection it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SentinelUpdate {
    Link {
        endpoint: String,
        state: LinkState,
    },
    /// The sentinel's own id (`SENTINEL MYID`), to match it in its peers' lists.
    Identity {
        endpoint: String,
        run_id: String,
    },
    Topology {
        endpoint: String,
        topology: Topology,
    },
    /// `at`: when the message arrived on our Pub/Sub socket.
    Event {
        endpoint: String,
        at: SystemTime,
        event: SentinelEvent,
    },
    /// `INFO replication` of the current master, or why it could not be read.
    MasterInfo {
        addr: Addr,
        info: Result<ReplicationInfo, String>,
    },
    /// Whether some server answers `ROLE` as master flipped (see [`super::writes`]).
    Writes(WriteProbe),
    /// A standing remark for the learner (e.g. other sentinels unreachable from here).
    Notice(Option<String>),
}

/// Writes were impossible from `from` (the last moment a server answered as master) to `to`
/// (the first moment one did again; None while it lasts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outage {
    pub from: SystemTime,
    pub to: Option<SystemTime>,
}

impl Outage {
    /// Its length, up to `now` while it lasts.
    pub fn length(&self, now: SystemTime) -> Duration {
        self.to
            .unwrap_or(now)
            .duration_since(self.from)
            .unwrap_or_default()
    }
}

/// One sentinel connection and what it last reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub endpoint: String,
    pub state: LinkState,
    pub run_id: Option<String>,
    pub topology: Option<Topology>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentinelView {
    pub master_name: String,
    pub links: Vec<Link>,
    pub master_info: Option<(Addr, Result<ReplicationInfo, String>)>,
    pub timeline: Timeline,
    pub failover: FailoverClock,
    /// The current or last window in which no server answered as master.
    pub outage: Option<Outage>,
    /// Whether some server answered as master at the last probe flip (None: not yet).
    pub writable: Option<bool>,
    /// The server that answered `ROLE` as master when writes came back: ahead of the
    /// sentinels' report while they still finish the failover.
    pub answering_master: Option<Addr>,
    pub notice: Option<String>,
    /// Where the sentinel the pane waits for comes from, e.g. "started in step 3": said while
    /// no sentinel ever answered, instead of an error.
    pub expected: Option<String>,
    /// Some sentinel answered once: from then on an unreachable one is news, not a wait.
    pub ever_connected: bool,
    /// The time of the last applied update.
    pub now: SystemTime,
}

impl SentinelView {
    pub fn new(master_name: impl Into<String>, now: SystemTime) -> Self {
        Self {
            master_name: master_name.into(),
            links: Vec::new(),
            master_info: None,
            timeline: Timeline::default(),
            failover: FailoverClock::default(),
            outage: None,
            writable: None,
            answering_master: None,
            notice: None,
            expected: None,
            ever_connected: false,
            now,
        }
    }

    pub fn apply(&mut self, update: SentinelUpdate, now: SystemTime) {
        self.now = now;
        match update {
            SentinelUpdate::Link { endpoint, state } => {
                self.ever_connected |= state == LinkState::Connected;
                self.link_mut(&endpoint).state = state;
            }
            SentinelUpdate::Identity { endpoint, run_id } => {
                self.link_mut(&endpoint).run_id = Some(run_id);
            }
            SentinelUpdate::Topology { endpoint, topology } => {
                self.link_mut(&endpoint).topology = Some(topology);
            }
            SentinelUpdate::Event {
                endpoint,
                at,
                event,
            } => self.event(&endpoint, at, event),
            SentinelUpdate::MasterInfo { addr, info } => self.master_info = Some((addr, info)),
            SentinelUpdate::Writes(w) => self.writes(w),
            SentinelUpdate::Notice(n) => self.notice = n,
        }
    }

    fn link_mut(&mut self, endpoint: &str) -> &mut Link {
        let i = match self.links.iter().position(|l| l.endpoint == endpoint) {
            Some(i) => i,
            None => {
                self.links.push(Link {
                    endpoint: endpoint.to_string(),
                    state: LinkState::Connecting { attempt: 1 },
                    run_id: None,
                    topology: None,
                });
                self.links.len() - 1
            }
        };
        &mut self.links[i]
    }

    fn writes(&mut self, w: WriteProbe) {
        self.writable = Some(w.ok);
        self.answering_master = w.master.clone();
        match (w.ok, self.outage.as_mut()) {
            (false, _) => {
                self.outage = Some(Outage {
                    from: w.at,
                    to: None,
                })
            }
            (true, Some(o)) if o.to.is_none() => o.to = Some(w.at),
            (true, _) => {}
        }
    }

    fn event(&mut self, endpoint: &str, at: SystemTime, event: SentinelEvent) {
        if event.is_internal() {
            return;
        }
        self.failover.observe(at, &event);
        let link = self.link_mut(endpoint);
        if let Some(t) = link.topology.as_mut() {
            patch_topology(t, &event);
        }
        // Credited to the sentinel, not the connection: two links may reach the same one.
        let key = link.run_id.clone().unwrap_or_else(|| endpoint.to_string());
        self.timeline.push(at, &key, event);
    }
}

/// Reflects an event in the reporting sentinel's last topology until the next refresh arrives.
fn patch_topology(t: &mut Topology, event: &SentinelEvent) {
    if let Some((_, _, new)) = event.switch_master() {
        t.master.addr = new;
        t.master.flags.set("s_down", false);
        t.master.flags.set("o_down", false);
        return;
    }
    let Some(inst) = event.instance() else { return };
    let flag = match event.name.as_str() {
        "+sdown" | "-sdown" => "s_down",
        "+odown" | "-odown" => "o_down",
        _ => return,
    };
    let on = event.name.starts_with('+');
    match inst.kind {
        InstanceKind::Master if inst.addr == t.master.addr => t.master.flags.set(flag, on),
        InstanceKind::Replica => {
            for r in t.replicas.iter_mut().filter(|r| r.addr == inst.addr) {
                r.flags.set(flag, on);
            }
        }
        _ => {}
    }
}
