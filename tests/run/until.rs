//! Issue 19, item 4, end to end: `kubetutor run` on a lesson with real redis-server and
//! redis-sentinel on loopback. The master is shut down; the next cell waits with
//! `until="sentinel:+switch-master mymaster"` instead of polling, and ends when the sentinel
//! reports the switch.

use std::time::Instant;

use super::common::{Lesson, run, stdout};
use super::redis::{free_port, sentinel_installed};

#[test]
fn a_cell_waits_for_the_sentinels_switch_instead_of_polling() {
    if !sentinel_installed() {
        return;
    }
    let (master, replica, sentinel) = (free_port(), free_port(), free_port());
    let text = format!(
        r#"---
title: Until
panes:
  sentinel: {{ address: "127.0.0.1:{sentinel}" }}
---
## Break it

```sh {{id=conf}}
printf 'port {sentinel}\nbind 127.0.0.1\nsentinel monitor mymaster 127.0.0.1 {master} 1\nsentinel down-after-milliseconds mymaster 500\nsentinel failover-timeout mymaster 2000\n' > "$TMPDIR/s.conf"
```

```sh {{id=master background=true}}
redis-server --port {master} --bind 127.0.0.1 --save '' --appendonly no
```

```sh {{id=replica background=true}}
redis-server --port {replica} --bind 127.0.0.1 --save '' --appendonly no --replicaof 127.0.0.1 {master}
```

```sh {{id=watcher background=true}}
redis-sentinel "$TMPDIR/s.conf"
```

```sh {{id=ready verify=true retry=20s interval=200ms}}
redis-cli -p {sentinel} sentinel replicas mymaster | grep -q {replica}
```

```sh {{id=kill}}
redis-cli -p {master} shutdown nosave || true
```

```sh {{id=switched until="sentinel:+switch-master mymaster" timeout=30s}}
redis-cli -p {sentinel} sentinel get-master-addr-by-name mymaster | tail -1
```
"#
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("lesson.md");
    std::fs::write(&file, text).expect("lesson");
    let lesson = Lesson { dir, file };
    let started = Instant::now();
    let out = run(&lesson, &[]);
    let text = stdout(&out);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("waiting for sentinel +switch-master mymaster"),
        "{text}"
    );
    assert!(text.contains("+switch-master mymaster 127.0.0.1"), "{text}");
    // The cell's code ran after the switch: the new master is the replica.
    assert!(text.contains(&replica.to_string()), "{text}");
    eprintln!(
        "lesson with a failover waited for: {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
