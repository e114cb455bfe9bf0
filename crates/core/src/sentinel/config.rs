//! The monitor's configuration, from the lesson front matter.

use std::time::Duration;

use tokio::sync::watch;

use crate::lesson::model::SentinelPaneConfig;

/// How often every sentinel's report is re-read when no event arrives.
pub const REFRESH: Duration = Duration::from_secs(2);

/// Where the first sentinel is.
#[derive(Clone)]
pub enum Seed {
    Address {
        host: String,
        port: u16,
    },
    /// A service in the lesson namespace, reached through a port-forward.
    Service {
        client: kube::Client,
        namespace: String,
        service: String,
        port: u16,
        /// Dial pod IPs this host routes to directly (see `probe::Dialer`); off with
        /// `KUBETUTOR_POD_DIAL=forward`, which sends everything through the API server.
        pods_directly: bool,
    },
}

#[derive(Clone)]
pub struct MonitorConfig {
    pub seed: Seed,
    pub master: String,
    pub password: Option<String>,
    pub refresh: Duration,
    /// Retry at once when poked (the lesson just started a background job).
    pub wake: Wake,
}

/// A link's side of [`wake_channel`]: resolves when a wake was sent since it last resolved.
#[derive(Clone, Debug)]
pub struct Wake(watch::Receiver<u64>);

/// The caller's side: [`WakeHandle::wake`] makes every link waiting to reconnect try now.
#[derive(Debug)]
pub struct WakeHandle(watch::Sender<u64>);

pub fn wake_channel() -> (WakeHandle, Wake) {
    let (tx, rx) = watch::channel(0);
    (WakeHandle(tx), Wake(rx))
}

impl WakeHandle {
    pub fn wake(&self) {
        self.0.send_modify(|n| *n = n.wrapping_add(1));
    }
}

impl Default for Wake {
    /// Never wakes (nobody holds the sender).
    fn default() -> Self {
        Wake(watch::channel(0).1)
    }
}

impl Wake {
    pub async fn woken(&mut self) {
        if self.0.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("sentinel pane: `address` must be host:port, got {0:?}")]
    BadAddress(String),
    #[error("sentinel pane: give either `address` or `service`, not both")]
    Both,
    #[error("sentinel pane: give `address` (host:port) or `service` (in the lesson namespace)")]
    Neither,
    #[error("sentinel pane: `service` needs a Kubernetes connection")]
    NoKube,
}

impl MonitorConfig {
    /// From the lesson front matter; the password falls back to `REDISCLI_AUTH`.
    pub fn from_pane(
        pane: &SentinelPaneConfig,
        namespace: &str,
        kube: Option<kube::Client>,
    ) -> Result<Self, ConfigError> {
        let seed = match (&pane.address, &pane.service) {
            (Some(_), Some(_)) => return Err(ConfigError::Both),
            (None, None) => return Err(ConfigError::Neither),
            (Some(a), None) => {
                let (host, port) = a
                    .rsplit_once(':')
                    .ok_or(ConfigError::BadAddress(a.clone()))?;
                let port = port
                    .parse()
                    .map_err(|_| ConfigError::BadAddress(a.clone()))?;
                Seed::Address {
                    host: host.trim_matches(['[', ']']).to_string(),
                    port,
                }
            }
            (None, Some(service)) => Seed::Service {
                client: kube.ok_or(ConfigError::NoKube)?,
                namespace: namespace.to_string(),
                service: service.clone(),
                port: pane.port,
                pods_directly: std::env::var("KUBETUTOR_POD_DIAL").as_deref() != Ok("forward"),
            },
        };
        let password = pane
            .password
            .clone()
            .or_else(|| std::env::var("REDISCLI_AUTH").ok());
        Ok(Self {
            seed,
            master: pane.master.clone(),
            password,
            refresh: REFRESH,
            wake: Wake::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pane(
        address: Option<&str>,
        service: Option<&str>,
        password: Option<&str>,
    ) -> SentinelPaneConfig {
        SentinelPaneConfig {
            address: address.map(Into::into),
            service: service.map(Into::into),
            port: 26379,
            master: "mymaster".into(),
            password: password.map(Into::into),
        }
    }

    #[test]
    fn front_matter_to_config() {
        let c =
            MonitorConfig::from_pane(&pane(Some("10.0.0.1:26380"), None, Some("pw")), "ns", None)
                .expect("address mode");
        assert!(matches!(&c.seed, Seed::Address { host, port: 26380 } if host == "10.0.0.1"));
        assert_eq!(c.password.as_deref(), Some("pw"));
        let err = |p| {
            MonitorConfig::from_pane(&p, "ns", None)
                .err()
                .map(|e| e.to_string())
        };
        assert!(err(pane(Some("nohost"), None, None)).is_some_and(|e| e.contains("host:port")));
        assert!(err(pane(Some("h:99999"), None, None)).is_some());
        assert!(err(pane(Some("h:1"), Some("svc"), None)).is_some_and(|e| e.contains("not both")));
        assert!(err(pane(None, None, None)).is_some());
        assert!(
            err(pane(None, Some("redis-sentinel"), None)).is_some_and(|e| e.contains("Kubernetes"))
        );
    }
}
