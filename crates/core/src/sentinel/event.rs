//! Sentinel Pub/Sub events: the channel name is the event, the payload its details.
//!
//! Every event a learner may see gets a one-line plain-language explanation; unknown events
//! are kept verbatim so nothing Sentinel says is ever hidden.

use std::fmt;

/// A `host:port` pair as Sentinel reports it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Addr {
    pub ip: String,
    pub port: u16,
}

impl Addr {
    pub fn new(ip: impl Into<String>, port: u16) -> Self {
        Self {
            ip: ip.into(),
            port,
        }
    }

    /// Parses `ip` and `port` tokens; `None` when the port is not a number.
    pub fn parse(ip: &str, port: &str) -> Option<Self> {
        Some(Self::new(ip, port.parse().ok()?))
    }
}

impl fmt::Display for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.ip, self.port)
    }
}

/// What kind of instance an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceKind {
    Master,
    Replica,
    Sentinel,
}

/// The `<type> <name> <ip> <port> [@ <master-name> <master-ip> <master-port>]` part of a payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub kind: InstanceKind,
    pub addr: Addr,
    /// The master this instance belongs to (absent for events about the master itself).
    pub master: Option<(String, Addr)>,
    /// The master name for master events, the instance name (`ip:port` or run id) otherwise.
    pub name: String,
}

/// One event as received on a sentinel's Pub/Sub connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentinelEvent {
    /// The channel, e.g. `+sdown`.
    pub name: String,
    /// The raw payload, e.g. `master mymaster 10.0.0.5 6379`.
    pub payload: String,
}

impl SentinelEvent {
    pub fn new(name: impl Into<String>, payload: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            payload: payload.into(),
        }
    }

    /// The instance the event is about, when the payload has the usual instance format.
    pub fn instance(&self) -> Option<Instance> {
        parse_instance(&self.payload)
    }

    /// `(master name, old, new)` for `+switch-master`.
    pub fn switch_master(&self) -> Option<(String, Addr, Addr)> {
        if self.name != "+switch-master" {
            return None;
        }
        let t: Vec<&str> = self.payload.split_whitespace().collect();
        match t.as_slice() {
            [name, oip, oport, nip, nport, ..] => Some((
                name.to_string(),
                Addr::parse(oip, oport)?,
                Addr::parse(nip, nport)?,
            )),
            _ => None,
        }
    }

    /// A short human detail: `master 10.0.0.5:6379`, `10.0.0.5:6379 -> 10.0.0.7:6379`, `epoch 3`.
    pub fn detail(&self) -> String {
        if let Some((_, old, new)) = self.switch_master() {
            return format!("{old} -> {new}");
        }
        if let Some(inst) = self.instance() {
            let kind = match inst.kind {
                InstanceKind::Master => "master",
                InstanceKind::Replica => "replica",
                InstanceKind::Sentinel => "sentinel",
            };
            let extra = self.payload.split_once(" #").map(|(_, q)| format!(" #{q}"));
            return format!("{kind} {}{}", inst.addr, extra.unwrap_or_default());
        }
        let t: Vec<&str> = self.payload.split_whitespace().collect();
        match (self.name.as_str(), t.as_slice()) {
            ("+new-epoch", [epoch, ..]) => format!("epoch {epoch}"),
            ("+vote-for-leader", [runid, epoch, ..]) => {
                format!("for {} (epoch {epoch})", short_id(runid))
            }
            _ => self.payload.clone(),
        }
    }

    /// One plain-language line a learner can read.
    pub fn explanation(&self) -> &'static str {
        explain(&self.name)
    }

    /// Internal channels (`__sentinel__:hello`) are Sentinel's own gossip, not events.
    pub fn is_internal(&self) -> bool {
        self.name.starts_with("__")
    }
}

/// The first 8 characters of a run id: enough to tell sentinels apart on screen.
pub fn short_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

fn parse_instance(payload: &str) -> Option<Instance> {
    let (own, master) = match payload.split_once(" @ ") {
        Some((own, master)) => (own, Some(master)),
        None => (payload, None),
    };
    let t: Vec<&str> = own.split_whitespace().collect();
    let [kind, name, ip, port, ..] = t.as_slice() else {
        return None;
    };
    let kind = match *kind {
        "master" => InstanceKind::Master,
        "slave" | "replica" => InstanceKind::Replica,
        "sentinel" => InstanceKind::Sentinel,
        _ => return None,
    };
    let master = master.and_then(|m| {
        let t: Vec<&str> = m.split_whitespace().collect();
        match t.as_slice() {
            [name, ip, port, ..] => Some((name.to_string(), Addr::parse(ip, port)?)),
            _ => None,
        }
    });
    Some(Instance {
        kind,
        addr: Addr::parse(ip, port)?,
        master,
        name: name.to_string(),
    })
}

/// Every event [`explain`] has its own words for (the rest share a generic line).
pub const EXPLAINED: &[&str] = &[
    "+monitor",
    "-monitor",
    "+reset-master",
    "+slave",
    "+sentinel",
    "-dup-sentinel",
    "+sdown",
    "-sdown",
    "+odown",
    "-odown",
    "+new-epoch",
    "+try-failover",
    "+vote-for-leader",
    "+elected-leader",
    "+failover-state-select-slave",
    "-failover-abort-no-good-slave",
    "+selected-slave",
    "+failover-state-send-slaveof-noone",
    "+failover-state-wait-promotion",
    "+promoted-slave",
    "+failover-state-reconf-slaves",
    "+slave-reconf-sent",
    "+slave-reconf-inprog",
    "+slave-reconf-done",
    "-slave-reconf-sent-timeout",
    "+failover-end",
    "+failover-end-for-timeout",
    "+switch-master",
    "+failover-detected",
    "+config-update-from",
    "+convert-to-slave",
    "+fix-slave-config",
    "+role-change",
    "-role-change",
    "+reboot",
    "-failover-abort-not-elected",
    "-failover-abort-slave-timeout",
    "+tilt",
    "-tilt",
    "+set",
    "+sentinel-address-switch",
    "+sentinel-address-update",
    "+sentinel-invalid-addr",
    "-cmd-link-reconnection",
    "+script-child",
];

/// Plain-language meaning of a Sentinel event (redis docs "Pub/Sub messages", condensed).
pub fn explain(name: &str) -> &'static str {
    match name {
        "+monitor" => "starts watching the master",
        "-monitor" => "stops watching the master",
        "+reset-master" => "the master's state was reset (SENTINEL RESET)",
        "+slave" => "a replica was found and is now tracked",
        "+sentinel" => "found another sentinel watching this master",
        "-dup-sentinel" => "removed a stale entry of a restarted sentinel",
        "+sdown" => "no reply in time: this sentinel says it is down",
        "-sdown" => "answers again: this sentinel says it is up",
        "+odown" => "quorum agrees the master is down: can fail over",
        "-odown" => "quorum no longer agrees the master is down",
        "+new-epoch" => "config epoch went up: a leader election begins",
        "+try-failover" => "wants to lead the failover, asks for votes",
        "+vote-for-leader" => "votes for a leader for this epoch",
        "+elected-leader" => "won the vote: it alone runs the failover",
        "+failover-state-select-slave" => "the leader picks the best replica to promote",
        "-failover-abort-no-good-slave" => "no replica can be promoted: failover aborted",
        "+selected-slave" => "this replica was chosen to become the master",
        "+failover-state-send-slaveof-noone" => "leader sends REPLICAOF NO ONE to the replica",
        "+failover-state-wait-promotion" => "waiting for the replica to report role master",
        "+promoted-slave" => "the replica now reports itself as master",
        "+failover-state-reconf-slaves" => "other replicas are told to follow the new one",
        "+slave-reconf-sent" => "REPLICAOF new-master was sent to this replica",
        "+slave-reconf-inprog" => "the replica switched masters and is syncing",
        "+slave-reconf-done" => "the replica is in sync with the new master",
        "-slave-reconf-sent-timeout" => "a replica did not switch in time; moving on",
        "+failover-end" => "failover done: all replicas reconfigured",
        "+failover-end-for-timeout" => "failover timed out; replicas follow anyway",
        "+switch-master" => "clients must now use the new master address",
        "+failover-detected" => "a replica was promoted by someone else",
        "+config-update-from" => "adopts a newer config from another sentinel",
        "+convert-to-slave" => "an old master came back and is made a replica",
        "+fix-slave-config" => "a replica follows the wrong master: fixed",
        "+role-change" => "new reported role agrees with Sentinel's config",
        "-role-change" => "new reported role differs from Sentinel's config",
        "+reboot" => "the instance restarted (its run id changed)",
        "-failover-abort-not-elected" => "lost the vote; will retry after a delay",
        "-failover-abort-slave-timeout" => "the chosen replica was not promoted in time",
        "+tilt" => "clock/scheduling anomaly: stops acting for 30 s",
        "-tilt" => "tilt over: acts normally again",
        "+set" => "a sentinel setting changed (SENTINEL SET)",
        "+sentinel-address-switch" => "a sentinel's address changed",
        "+sentinel-address-update" => "a sentinel's address was updated",
        "+sentinel-invalid-addr" => "a sentinel announced an invalid address",
        "-cmd-link-reconnection" | "-pubsub-link-reconnection" => {
            "a sentinel link to it was re-established"
        }
        "+script-child" | "-script-child" | "-script-error" | "-script-timeout" => {
            "a notification/reconfig script ran"
        }
        _ => "a Sentinel event (see the Sentinel docs)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_instance_with_master() {
        let e = SentinelEvent::new(
            "+slave",
            "slave 10.0.0.7:6379 10.0.0.7 6379 @ mymaster 10.0.0.5 6379",
        );
        let i = e.instance().expect("instance");
        assert_eq!(i.kind, InstanceKind::Replica);
        assert_eq!(i.addr, Addr::new("10.0.0.7", 6379));
        assert_eq!(
            i.master,
            Some(("mymaster".into(), Addr::new("10.0.0.5", 6379)))
        );
        assert_eq!(e.detail(), "replica 10.0.0.7:6379");
    }

    #[test]
    fn odown_keeps_quorum_and_switch_master_parses() {
        let e = SentinelEvent::new("+odown", "master mymaster 10.0.0.5 6379 #quorum 2/2");
        assert_eq!(e.detail(), "master 10.0.0.5:6379 #quorum 2/2");
        let s = SentinelEvent::new("+switch-master", "mymaster 10.0.0.5 6379 10.0.0.7 6379");
        let (name, old, new) = s.switch_master().expect("switch");
        assert_eq!(
            (name.as_str(), old.port, new.ip.as_str()),
            ("mymaster", 6379, "10.0.0.7")
        );
        assert_eq!(s.detail(), "10.0.0.5:6379 -> 10.0.0.7:6379");
    }

    #[test]
    fn odd_payloads_do_not_panic() {
        for p in ["", "master", "master x y notaport", "a b c d @ e", "@ @ @"] {
            let e = SentinelEvent::new("+sdown", p);
            let _ = (e.instance(), e.detail(), e.switch_master());
        }
        assert_eq!(SentinelEvent::new("+new-epoch", "7").detail(), "epoch 7");
    }

    #[test]
    fn every_listed_event_has_its_own_explanation() {
        let generic = explain("+no-such-event");
        assert!(EXPLAINED.len() > 40);
        for &name in EXPLAINED {
            assert_ne!(explain(name), generic, "{name}");
        }
    }
}
