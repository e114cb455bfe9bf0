//! The TCP ports a background job listens on, read from Linux's /proc: the members of its
//! process group, their socket file descriptors, and the kernel's tables of listening
//! sockets. What the job really bound, not what its command line seems to say (a replica's
//! command names its master's port too).

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

/// Ports on which a process of group `pgid` listens, ascending; empty when it listens on
/// none (yet) or /proc cannot be read.
pub fn listening_ports(pgid: u32) -> Vec<u16> {
    listening_ports_in(Path::new("/proc"), pgid)
}

fn listening_ports_in(proc: &Path, pgid: u32) -> Vec<u16> {
    let mut inodes = HashSet::new();
    for pid in group_members(proc, pgid) {
        let Ok(fds) = std::fs::read_dir(proc.join(pid.to_string()).join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if let Some(inode) = std::fs::read_link(fd.path())
                .ok()
                .and_then(|target| socket_inode(&target.to_string_lossy()))
            {
                inodes.insert(inode);
            }
        }
    }
    if inodes.is_empty() {
        return Vec::new();
    }
    let mut ports = BTreeSet::new();
    for table in ["net/tcp", "net/tcp6"] {
        let text = std::fs::read_to_string(proc.join(table)).unwrap_or_default();
        for (inode, port) in listening(&text) {
            if inodes.contains(&inode) {
                ports.insert(port);
            }
        }
    }
    ports.into_iter().collect()
}

/// The pids whose process group is `pgid`.
fn group_members(proc: &Path, pgid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir(proc) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(proc.join(pid.to_string()).join("stat"))
                .ok()
                .and_then(|stat| process_group(&stat))
                == Some(pgid)
        })
        .collect()
}

/// The process group in a `/proc/PID/stat` line: the fifth field, counted after the command
/// name's closing parenthesis (the name itself may hold spaces and parentheses).
fn process_group(stat: &str) -> Option<u32> {
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(2)?.parse().ok()
}

/// `socket:[12345]` (an fd's link target) to its inode.
fn socket_inode(target: &str) -> Option<u64> {
    target
        .strip_prefix("socket:[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

/// (inode, local port) of every socket in LISTEN state (0A) in a /proc/net/tcp{,6} table.
fn listening(table: &str) -> Vec<(u64, u16)> {
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (local, state, inode) = (fields.get(1)?, fields.get(3)?, fields.get(9)?);
            if *state != "0A" {
                return None;
            }
            let port = u16::from_str_radix(local.rsplit_once(':')?.1, 16).ok()?;
            Some((inode.parse().ok()?, port))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_formats_are_read() {
        assert_eq!(process_group("42 (redis server) S 1 40 40 0"), Some(40));
        assert_eq!(process_group("42 (a) b) S 1 7 7 0"), Some(7));
        assert_eq!(socket_inode("socket:[9876]"), Some(9876));
        assert_eq!(socket_inode("/dev/null"), None);
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
            0: 0100007F:3FFB 00000000:0000 0A 00000000:00000000 00:00000000 00000000  0  0 555 1 0\n\
            1: 0100007F:9C3A 0100007F:3FFB 01 00000000:00000000 00:00000000 00000000  0  0 556 1 0\n";
        assert_eq!(listening(table), [(555, 16379)]);
    }

    /// A real listener in a group of our own: the port it bound is found, a process of
    /// another group's is not.
    #[test]
    fn a_listening_child_is_found_by_its_group() {
        use std::os::unix::process::CommandExt;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        // Our own group holds the listener (this test process); a fresh group holds none.
        let ours = nix::unistd::getpgrp().as_raw() as u32;
        assert!(listening_ports(ours).contains(&port), "{port} not found");
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .process_group(0)
            .spawn()
            .expect("sleep");
        assert!(!listening_ports(child.id()).contains(&port));
        let _ = child.kill();
        let _ = child.wait();
    }
}
