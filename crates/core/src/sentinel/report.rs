//! What one sentinel reports (`SENTINEL MASTER/REPLICAS/SENTINELS`, `CKQUORUM`) and what the
//! master reports (`INFO replication`), parsed from their field maps into our own types.

use std::collections::HashMap;

use super::event::Addr;

/// A comma-separated Sentinel flags field, e.g. `master,s_down,o_down`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags(pub String);

impl Flags {
    pub fn has(&self, flag: &str) -> bool {
        self.0.split(',').any(|f| f == flag)
    }
    pub fn s_down(&self) -> bool {
        self.has("s_down")
    }
    pub fn o_down(&self) -> bool {
        self.has("o_down")
    }
    pub fn disconnected(&self) -> bool {
        self.has("disconnected")
    }
    pub fn set(&mut self, flag: &str, on: bool) {
        let mut v: Vec<&str> = self
            .0
            .split(',')
            .filter(|f| !f.is_empty() && *f != flag)
            .collect();
        if on {
            v.push(flag);
        }
        self.0 = v.join(",");
    }
}

/// `SENTINEL MASTER <name>` as one sentinel sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MasterReport {
    pub name: String,
    pub addr: Addr,
    pub flags: Flags,
    pub config_epoch: u64,
    pub quorum: u32,
    pub num_slaves: u32,
    pub num_other_sentinels: u32,
    pub last_ok_ping_ms: Option<u64>,
}

/// One entry of `SENTINEL REPLICAS <name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaReport {
    pub addr: Addr,
    pub flags: Flags,
    pub link_ok: bool,
    pub offset: Option<u64>,
    pub priority: Option<u32>,
}

/// One entry of `SENTINEL SENTINELS <name>`: a peer of the reporting sentinel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerReport {
    pub run_id: String,
    pub addr: Addr,
    pub flags: Flags,
    pub last_ok_ping_ms: Option<u64>,
}

/// Everything one sentinel reports in one refresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topology {
    pub master: MasterReport,
    pub replicas: Vec<ReplicaReport>,
    pub sentinels: Vec<PeerReport>,
    /// `Ok(text)` for `OK n usable Sentinels...`, `Err(text)` for `NOQUORUM ...`.
    pub ckquorum: Result<String, String>,
}

/// `INFO replication` of the current master.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplicationInfo {
    pub role: String,
    pub master_repl_offset: u64,
    /// `slaveN:ip=..,port=..,state=online,offset=..` lines.
    pub replicas: Vec<(Addr, u64)>,
}

type Fields = HashMap<String, String>;

fn num<T: std::str::FromStr>(f: &Fields, key: &str) -> Option<T> {
    f.get(key).and_then(|v| v.trim().parse().ok())
}

fn addr(f: &Fields) -> Option<Addr> {
    Addr::parse(f.get("ip")?, f.get("port")?)
}

fn flags(f: &Fields) -> Flags {
    Flags(f.get("flags").cloned().unwrap_or_default())
}

/// `None` when the reply lacks the address (never seen from a real sentinel).
pub fn master_from_fields(f: &Fields) -> Option<MasterReport> {
    Some(MasterReport {
        name: f.get("name").cloned().unwrap_or_default(),
        addr: addr(f)?,
        flags: flags(f),
        config_epoch: num(f, "config-epoch").unwrap_or(0),
        quorum: num(f, "quorum").unwrap_or(0),
        num_slaves: num(f, "num-slaves").unwrap_or(0),
        num_other_sentinels: num(f, "num-other-sentinels").unwrap_or(0),
        last_ok_ping_ms: num(f, "last-ok-ping-reply"),
    })
}

pub fn replica_from_fields(f: &Fields) -> Option<ReplicaReport> {
    Some(ReplicaReport {
        addr: addr(f)?,
        flags: flags(f),
        link_ok: f.get("master-link-status").is_some_and(|s| s == "ok"),
        offset: num(f, "slave-repl-offset"),
        priority: num(f, "slave-priority").or_else(|| num(f, "replica-priority")),
    })
}

pub fn peer_from_fields(f: &Fields) -> Option<PeerReport> {
    Some(PeerReport {
        run_id: f
            .get("runid")
            .or_else(|| f.get("name"))
            .cloned()
            .unwrap_or_default(),
        addr: addr(f)?,
        flags: flags(f),
        last_ok_ping_ms: num(f, "last-ok-ping-reply"),
    })
}

/// Parses the text of `INFO replication`.
pub fn parse_replication(info: &str) -> ReplicationInfo {
    let mut out = ReplicationInfo::default();
    for line in info.lines().map(str::trim) {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        match key {
            "role" => out.role = value.to_string(),
            "master_repl_offset" => out.master_repl_offset = value.parse().unwrap_or(0),
            k if k.starts_with("slave") && k[5..].chars().all(|c| c.is_ascii_digit()) => {
                let kv: HashMap<&str, &str> =
                    value.split(',').filter_map(|p| p.split_once('=')).collect();
                let a = kv
                    .get("ip")
                    .zip(kv.get("port"))
                    .and_then(|(i, p)| Addr::parse(i, p));
                if let (Some(a), Some(o)) = (a, kv.get("offset").and_then(|o| o.parse().ok())) {
                    out.replicas.push((a, o));
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn master_and_flags() {
        let f = fields(&[
            ("name", "mymaster"),
            ("ip", "10.0.0.5"),
            ("port", "6379"),
            ("flags", "master,s_down"),
            ("config-epoch", "3"),
            ("quorum", "2"),
        ]);
        let mut m = master_from_fields(&f).expect("master");
        assert!(m.flags.s_down() && !m.flags.o_down());
        assert_eq!((m.config_epoch, m.quorum), (3, 2));
        m.flags.set("o_down", true);
        m.flags.set("s_down", false);
        assert_eq!(m.flags.0, "master,o_down");
        assert!(master_from_fields(&fields(&[("ip", "x"), ("port", "nope")])).is_none());
    }

    #[test]
    fn replication_info() {
        let r = parse_replication(
            "# Replication\r\nrole:master\r\nconnected_slaves:2\r\n\
             slave0:ip=127.0.0.1,port=7001,state=online,offset=1234,lag=0\r\n\
             slave1:ip=127.0.0.1,port=7002,state=online,offset=1200,lag=1\r\n\
             master_repl_offset:1234\r\n",
        );
        assert_eq!(r.role, "master");
        assert_eq!(r.master_repl_offset, 1234);
        assert_eq!(r.replicas[1], (Addr::new("127.0.0.1", 7002), 1200));
    }
}
