//! One sentinel connection: Pub/Sub events forwarded the moment they arrive, plus a topology
//! refresh on an interval and right after each event; reconnects with exponential backoff.

use std::time::{Duration, SystemTime};

use futures::StreamExt;
use redis::aio::MultiplexedConnection;
use tokio::sync::{Notify, mpsc};

use super::client::{self, LinkError};
use super::config::Wake;
use super::event::SentinelEvent;
use super::model::{LinkState, SentinelUpdate};
use crate::backoff::Backoff;

pub const BACKOFF_START: Duration = Duration::from_millis(250);
pub const BACKOFF_MAX: Duration = Duration::from_secs(8);
/// A sentinel on this machine costs nothing to retry, but waiting for one the lesson has not
/// started yet must not keep the app busy: the command that starts it wakes the link (a
/// background job starting, any cell finishing), so the idle retry can be slow.
pub const BACKOFF_MAX_LOOPBACK: Duration = Duration::from_secs(2);
/// After a wake (a background job started): retries come quickly while the process binds.
pub const BACKOFF_WOKEN: Duration = Duration::from_millis(10);

/// The reconnect schedule of everything that reaches a sentinel.
pub fn backoff() -> Backoff {
    Backoff::new(BACKOFF_START, BACKOFF_MAX)
}

/// Where and how to reach one sentinel.
#[derive(Debug, Clone)]
pub struct LinkSpec {
    /// The name the view knows this sentinel by (`ip:port`, or `svc/name` for a service).
    pub endpoint: String,
    pub host: String,
    pub port: u16,
    pub master: String,
    pub password: Option<String>,
    pub refresh: Duration,
    pub wake: Wake,
    /// The longest wait between attempts ([`BACKOFF_MAX_LOOPBACK`] for a local sentinel).
    pub max_backoff: Duration,
}

/// The retry schedule of one connection: doubling waits, back to short ones when woken.
pub fn backoff_max(host: &str) -> Duration {
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) if ip.is_loopback() => BACKOFF_MAX_LOOPBACK,
        _ if host == "localhost" => BACKOFF_MAX_LOOPBACK,
        _ => BACKOFF_MAX,
    }
}

/// A link's schedule: the shared one, capped at `max`.
pub fn backoff_to(max: Duration) -> Backoff {
    Backoff::new(BACKOFF_START.min(max), max)
}

/// Waits out the current delay, then counts the failure; woken meanwhile, a fresh schedule of
/// short delays starts (the process that was just started is binding its port).
pub async fn pause(backoff: &mut Backoff, max: Duration, wake: &mut Wake) {
    tokio::select! {
        _ = tokio::time::sleep(backoff.delay()) => backoff.failed(),
        _ = wake.woken() => *backoff = Backoff::new(BACKOFF_WOKEN, max),
    }
}

/// The receiver is gone: the whole monitor is shutting down.
struct Closed;

/// Runs until the receiver of `tx` is dropped.
pub async fn run(spec: LinkSpec, tx: mpsc::Sender<SentinelUpdate>) {
    let mut backoff = backoff_to(spec.max_backoff);
    let mut wake = spec.wake.clone();
    loop {
        let attempt = backoff.attempt();
        if send_state(&tx, &spec, LinkState::Connecting { attempt })
            .await
            .is_err()
        {
            return;
        }
        let (was_connected, error) = match session(&spec, &tx).await {
            Ok(Ok(e)) => (true, e),
            Ok(Err(e)) => (false, e),
            Err(Closed) => return,
        };
        if was_connected {
            backoff = backoff_to(spec.max_backoff);
        }
        let attempt = backoff.attempt();
        tracing::debug!(endpoint = %spec.endpoint, %error, attempt, "sentinel link down");
        let state = match error {
            LinkError::AuthRequired => LinkState::AuthRequired,
            LinkError::AuthFailed(error) => LinkState::AuthFailed { error },
            LinkError::UnknownMaster => LinkState::UnknownMaster,
            LinkError::Unreachable(error) => LinkState::Unreachable {
                attempt,
                backoff: backoff.delay(),
                error,
            },
        };
        if send_state(&tx, &spec, state).await.is_err() {
            return;
        }
        tokio::select! {
            _ = pause(&mut backoff, spec.max_backoff, &mut wake) => {}
            _ = tx.closed() => return,
        }
    }
}

async fn send_state(
    tx: &mpsc::Sender<SentinelUpdate>,
    spec: &LinkSpec,
    state: LinkState,
) -> Result<(), Closed> {
    let update = SentinelUpdate::Link {
        endpoint: spec.endpoint.clone(),
        state,
    };
    tx.send(update).await.map_err(|_| Closed)
}

/// `Ok(Ok(e))`: was connected, then lost with `e`; `Ok(Err(e))`: never got connected.
async fn session(
    spec: &LinkSpec,
    tx: &mpsc::Sender<SentinelUpdate>,
) -> Result<Result<LinkError, LinkError>, Closed> {
    let (mut pubsub_stream, con) = match connect(spec, tx).await? {
        Ok(ok) => ok,
        Err(e) => return Ok(Err(e)),
    };
    let notify = Notify::new();
    let refresher = refresh_loop(con, spec, tx, &notify);
    tokio::pin!(refresher);
    loop {
        tokio::select! {
            msg = pubsub_stream.next() => {
                let Some(msg) = msg else {
                    return Ok(Ok(LinkError::Unreachable("connection closed".into())));
                };
                let at = SystemTime::now();
                let event = SentinelEvent::new(
                    msg.get_channel_name(),
                    String::from_utf8_lossy(msg.get_payload_bytes()),
                );
                let endpoint = spec.endpoint.clone();
                tx.send(SentinelUpdate::Event { endpoint, at, event }).await.map_err(|_| Closed)?;
                notify.notify_one();
            }
            r = &mut refresher => return r.map(Ok),
            _ = tx.closed() => return Err(Closed),
        }
    }
}

type Connected = (redis::aio::PubSubStream, MultiplexedConnection);

async fn connect(
    spec: &LinkSpec,
    tx: &mpsc::Sender<SentinelUpdate>,
) -> Result<Result<Connected, LinkError>, Closed> {
    let setup = async {
        let client = client::client(&spec.host, spec.port, spec.password.as_deref())?;
        let mut con = client::commands(&client).await?;
        let run_id = client::myid(&mut con).await?;
        // Subscribe before the first report so no event falls between the two.
        let pubsub = client::subscribe_all(&client).await?;
        let topology = client::topology(&mut con, &spec.master).await?;
        Ok::<_, LinkError>((run_id, topology, pubsub, con))
    };
    let (run_id, topology, pubsub, con) = match setup.await {
        Ok(ok) => ok,
        Err(e) => return Ok(Err(e)),
    };
    let endpoint = || spec.endpoint.clone();
    for update in [
        SentinelUpdate::Identity {
            endpoint: endpoint(),
            run_id,
        },
        SentinelUpdate::Link {
            endpoint: endpoint(),
            state: LinkState::Connected,
        },
        SentinelUpdate::Topology {
            endpoint: endpoint(),
            topology,
        },
    ] {
        tx.send(update).await.map_err(|_| Closed)?;
    }
    Ok(Ok((pubsub.into_on_message(), con)))
}

/// Returns only on failure (or when the receiver is gone, reported as unreachable; the caller
/// notices the closed channel first).
async fn refresh_loop(
    mut con: MultiplexedConnection,
    spec: &LinkSpec,
    tx: &mpsc::Sender<SentinelUpdate>,
    notify: &Notify,
) -> Result<LinkError, Closed> {
    // Unchanged reports are not sent: the UI redraws only on change.
    let mut last = None;
    loop {
        tokio::select! {
            _ = notify.notified() => {}
            _ = tokio::time::sleep(spec.refresh) => {}
        }
        match client::topology(&mut con, &spec.master).await {
            Ok(topology) if last.as_ref() == Some(&topology) => {}
            Ok(topology) => {
                last = Some(topology.clone());
                let endpoint = spec.endpoint.clone();
                let update = SentinelUpdate::Topology { endpoint, topology };
                tx.send(update).await.map_err(|_| Closed)?;
            }
            Err(e) => return Ok(e),
        }
    }
}
