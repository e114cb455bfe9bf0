//! Budget: a Sentinel event reaches the screen in under 100 ms (DESIGN §7).
//!
//! Real redis-server/redis-sentinel processes (tests/sentinel/harness.rs); failovers forced with
//! `SENTINEL FAILOVER`, then one real one by killing the master. For every event:
//! - socket -> frame: from the moment our link read it off the sentinel's socket to the frame
//!   drawn (TestBackend 52x40) after the view applied it;
//! - baseline: a bare `redis` Pub/Sub subscriber on the same sentinel, to frame drawn: what a
//!   learner could not see sooner with any client;
//! - apply + draw alone (CPU).
//!
//! Run: `cargo bench --bench sentinel` (KT_BENCH_REPS=N forced failovers, default 5).

#[allow(dead_code)]
#[path = "../tests/sentinel/harness.rs"]
mod harness;
#[allow(dead_code)]
#[path = "support.rs"]
mod support;

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime};

use futures::StreamExt;
use kubetutor::sentinel::{SentinelUpdate, SentinelView, spawn_monitor};
use kubetutor::tui::sentinel_pane::SentinelPane;
use kubetutor::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc;

use harness::{Cluster, MASTER, raw};

const BUDGET: Duration = Duration::from_millis(100);

type Key = (String, String);

struct Sample {
    key: Key,
    at: SystemTime,
    drawn: SystemTime,
    cpu: Duration,
}

fn pct(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() - 1) as f64 * p).round() as usize]
}

/// Prints the distribution; its p99, when there were samples.
fn report(name: &str, mut v: Vec<Duration>) -> Option<Duration> {
    if v.is_empty() {
        println!("{name:<34} no samples");
        return None;
    }
    let (med, p99, max) = (pct(&mut v, 0.5), pct(&mut v, 0.99), pct(&mut v, 1.0));
    println!(
        "{name:<34} n={:<4} median {:>9.3?}  p99 {:>9.3?}  max {:>9.3?}  p99/budget {:.4}",
        v.len(),
        med,
        p99,
        max,
        p99.as_secs_f64() / BUDGET.as_secs_f64()
    );
    Some(p99)
}

/// A bare subscriber: arrival time of each (channel, payload), first occurrence kept.
async fn bare(port: u16, out: mpsc::UnboundedSender<(Key, SystemTime)>) {
    let Ok(client) = redis::Client::open(format!("redis://127.0.0.1:{port}")) else {
        return;
    };
    let Ok(mut ps) = client.get_async_pubsub().await else {
        return;
    };
    if ps.psubscribe("*").await.is_err() {
        return;
    }
    let mut stream = ps.into_on_message();
    while let Some(m) = stream.next().await {
        let now = SystemTime::now();
        let key = (
            m.get_channel_name().to_string(),
            String::from_utf8_lossy(m.get_payload_bytes()).into_owned(),
        );
        if out.send((key, now)).is_err() {
            return;
        }
    }
}

/// The consumer side, as the app would run it: apply each update, draw a frame.
struct Screen {
    rx: mpsc::Receiver<SentinelUpdate>,
    view: SentinelView,
    term: Terminal<TestBackend>,
    /// Only events from this sentinel are sampled: the bare subscriber listens there.
    sampled: String,
    samples: Vec<Sample>,
    failover_ends: usize,
}

impl Screen {
    /// Applies updates until `until(view, failover_ends)` or `max` elapses.
    async fn pump(&mut self, max: Duration, until: impl Fn(&SentinelView, usize) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + max;
        while let Ok(Some(u)) = tokio::time::timeout_at(deadline, self.rx.recv()).await {
            let event = match &u {
                SentinelUpdate::Event {
                    endpoint,
                    at,
                    event,
                } => Some((*endpoint == self.sampled, *at, event.clone())),
                _ => None,
            };
            let t = Instant::now();
            self.view.apply(u, SystemTime::now());
            let view = &self.view;
            let pane = SentinelPane {
                view,
                theme: Theme::plain(),
                lesson_complete: false,
                lang: Default::default(),
            };
            self.term
                .draw(|f| f.render_widget(pane, f.area()))
                .expect("draw");
            let cpu = t.elapsed();
            if let Some((sampled, at, e)) = event {
                self.failover_ends += usize::from(e.name == "+failover-end");
                if sampled {
                    let key = (e.name, e.payload);
                    self.samples.push(Sample {
                        key,
                        at,
                        drawn: SystemTime::now(),
                        cpu,
                    });
                }
            }
            if until(&self.view, self.failover_ends) {
                return true;
            }
        }
        false
    }
}

fn main() -> ExitCode {
    let reps = support::reps(5);
    let mut budgets = support::Budgets::new();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut cluster = Cluster::start(None);
    rt.block_on(async {
        let s0 = cluster.sentinels[0].port;
        let (btx, mut brx) = mpsc::unbounded_channel();
        let bare_task = tokio::spawn(bare(s0, btx));
        let (tx, rx) = mpsc::channel(256);
        let monitor = spawn_monitor(cluster.config(MASTER, None), tx);
        let mut screen = Screen {
            rx,
            view: SentinelView::new(MASTER, SystemTime::now()),
            term: Terminal::new(TestBackend::new(52, 40)).expect("terminal"),
            sampled: format!("127.0.0.1:{s0}"),
            samples: vec![],
            failover_ends: 0,
        };
        let long = Duration::from_secs(30);
        let settled = |v: &SentinelView, _| {
            v.links.len() == 3
                && v.topology()
                    .is_some_and(|t| t.replicas.len() == 2 && t.sentinels.len() == 2)
        };
        assert!(screen.pump(long, settled).await, "cluster did not settle");
        for i in 0..reps {
            let before = screen.failover_ends;
            let _ = raw(s0, &["SENTINEL", "FAILOVER", MASTER]);
            if !screen.pump(long, |_, ends| ends > before).await {
                eprintln!("forced failover {i} did not finish");
            }
            // The old master must resync as a replica before the next failover can pick it.
            screen.pump(Duration::from_secs(3), |_, _| false).await;
        }
        if let Some(p) = screen.view.topology().map(|t| t.master.addr.port) {
            let all = std::iter::once(&mut cluster.master).chain(cluster.replicas.iter_mut());
            all.filter(|proc| proc.port == p)
                .for_each(|proc| proc.kill());
            let ok = screen.pump(long, |v, _| v.failover.last.is_some()).await;
            let f = screen.view.failover.last.as_ref().map(|f| f.duration);
            println!("killed the master: failover measured {f:?} (seen: {ok})");
        }
        monitor.abort();
        bare_task.abort();
        let mut arrivals: HashMap<Key, Vec<SystemTime>> = HashMap::new();
        while let Ok((k, t)) = brx.try_recv() {
            arrivals.entry(k).or_default().push(t);
        }
        // Payloads repeat across failovers: match the bare arrival nearest to our own (the bare
        // subscriber may get it a moment after our frame: that counts as zero).
        let gap = |a: SystemTime, b: SystemTime| a.duration_since(b).or(b.duration_since(a));
        let bare_arrival = |s: &Sample| {
            let times = arrivals.get(&s.key)?;
            let nearest = times
                .iter()
                .min_by_key(|t| gap(**t, s.at).unwrap_or_default())?;
            (gap(*nearest, s.at).ok()? < Duration::from_secs(1)).then_some(*nearest)
        };
        let since = |s: &Sample, t: SystemTime| s.drawn.duration_since(t).unwrap_or_default();
        let samples = &screen.samples;
        let socket = samples.iter().map(|s| since(s, s.at)).collect();
        let baseline = samples
            .iter()
            .filter_map(|s| bare_arrival(s).map(|b| since(s, b)))
            .collect();
        let cpu = samples.iter().map(|s| s.cpu).collect();
        println!("sentinel event -> screen (budget {BUDGET:?}), {reps} forced failovers + 1 kill");
        let what = "sentinel event socket -> frame drawn, p99";
        match report("socket -> view -> frame drawn", socket) {
            Some(p99) => budgets.time(what, p99, BUDGET),
            None => budgets.missing(what, "no event reached the screen"),
        }
        report("bare subscriber -> frame drawn", baseline);
        report("apply + draw (52x40)", cpu);
    });
    drop(cluster);
    budgets.finish()
}
