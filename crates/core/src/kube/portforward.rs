//! A local TCP port (127.0.0.1, ephemeral) forwarded to a pod through the API server.
//!
//! Every accepted connection picks its pod afresh, so when the pod behind a service dies (which
//! is what the Sentinel lesson does) the next connection goes to a ready replacement: the
//! forward re-establishes itself as soon as the client reconnects.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use k8s_openapi::api::core::v1::{Pod, Service};
use kube::api::{Api, ListParams};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Which pod to forward to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A ready pod behind this service's selector.
    Service(String),
    /// The pod with this IP (e.g. a sentinel another sentinel told us about).
    PodIp(String),
}

#[derive(Debug, thiserror::Error)]
pub enum ForwardError {
    #[error("cannot listen on 127.0.0.1: {0}")]
    Listen(#[from] std::io::Error),
    #[error("service {0} not found or has no selector")]
    NoSelector(String),
    #[error("no ready pod for {0}")]
    NoReadyPod(String),
    #[error("Kubernetes API: {0}")]
    Api(#[from] kube::Error),
    #[error("pod {pod} did not give a stream for port {port}")]
    NoStream { pod: String, port: u16 },
}

/// A running forward; stops listening when dropped.
#[derive(Debug)]
pub struct Forward {
    pub local: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for Forward {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Checks a pod exists now (so a wrong service name fails early), then listens.
pub async fn start(
    client: kube::Client,
    namespace: &str,
    target: Target,
    port: u16,
) -> Result<Forward, ForwardError> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let services: Api<Service> = Api::namespaced(client, namespace);
    pick(&pods, &services, &target).await?;
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let local = listener.local_addr()?;
    let task = tokio::spawn(accept_loop(listener, pods, services, target, port));
    Ok(Forward { local, task })
}

async fn accept_loop(
    listener: TcpListener,
    pods: Api<Pod>,
    services: Api<Service>,
    target: Target,
    port: u16,
) {
    loop {
        let Ok((conn, _)) = listener.accept().await else {
            continue;
        };
        let (pods, services, target) = (pods.clone(), services.clone(), target.clone());
        tokio::spawn(async move {
            if let Err(e) = serve(conn, &pods, &services, &target, port).await {
                tracing::warn!(?target, error = %e, "port-forward connection failed");
            }
        });
    }
}

async fn serve(
    mut conn: TcpStream,
    pods: &Api<Pod>,
    services: &Api<Service>,
    target: &Target,
    port: u16,
) -> Result<(), ForwardError> {
    let pod = pick(pods, services, target).await?;
    let mut forwarder = pods.portforward(&pod, &[port]).await?;
    let mut upstream = forwarder
        .take_stream(port)
        .ok_or(ForwardError::NoStream { pod, port })?;
    // Either side closing ends the connection; the client then reconnects to a fresh pod.
    let _ = tokio::io::copy_bidirectional(&mut conn, &mut upstream).await;
    forwarder.abort();
    Ok(())
}

async fn pick(
    pods: &Api<Pod>,
    services: &Api<Service>,
    target: &Target,
) -> Result<String, ForwardError> {
    let params = match target {
        Target::Service(name) => {
            let svc = services.get_opt(name).await?;
            let selector = svc.and_then(|s| s.spec?.selector).filter(|s| !s.is_empty());
            let selector = selector.ok_or_else(|| ForwardError::NoSelector(name.clone()))?;
            ListParams::default().labels(&label_selector(&selector))
        }
        Target::PodIp(ip) => ListParams::default().fields(&format!("status.podIP={ip}")),
    };
    let list = pods.list(&params).await?;
    let pod = match target {
        Target::Service(_) => first_ready(&list.items),
        // That pod and no other: while it runs it is what serves that address (a deleted
        // master still takes writes until its containers stop), so it is reached as long as
        // it runs, terminating or not.
        Target::PodIp(_) => first_running(&list.items),
    };
    pod.ok_or_else(|| ForwardError::NoReadyPod(format!("{target:?}")))
}

/// The first pod whose phase is Running, being deleted or not.
fn first_running(pods: &[Pod]) -> Option<String> {
    pods.iter()
        .find(|p| {
            let phase = p.status.as_ref().and_then(|s| s.phase.as_deref());
            phase == Some("Running")
        })
        .and_then(|p| p.metadata.name.clone())
}

fn label_selector(selector: &BTreeMap<String, String>) -> String {
    let parts: Vec<String> = selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
    parts.join(",")
}

/// The first pod that is Ready and not being deleted.
pub fn first_ready(pods: &[Pod]) -> Option<String> {
    pods.iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .find_map(|p| {
            let ready = p
                .status
                .as_ref()?
                .conditions
                .as_ref()?
                .iter()
                .any(|c| c.type_ == "Ready" && c.status == "True");
            if ready { p.metadata.name.clone() } else { None }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{PodCondition, PodStatus};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

    fn pod(name: &str, ready: bool, deleting: bool) -> Pod {
        let mut p = Pod::default();
        p.metadata.name = Some(name.into());
        if deleting {
            p.metadata.deletion_timestamp = Some(Time(Default::default()));
        }
        p.status = Some(PodStatus {
            conditions: Some(vec![PodCondition {
                type_: "Ready".into(),
                status: if ready { "True" } else { "False" }.into(),
                ..Default::default()
            }]),
            ..Default::default()
        });
        p
    }

    #[test]
    fn picks_a_ready_pod_that_is_not_terminating() {
        let pods = [
            pod("a", false, false),
            pod("b", true, true),
            pod("c", true, false),
        ];
        assert_eq!(first_ready(&pods).as_deref(), Some("c"));
        assert_eq!(first_ready(&pods[..2]), None);
        let sel = BTreeMap::from([
            ("app".to_string(), "redis".to_string()),
            ("r".into(), "s".into()),
        ]);
        assert_eq!(label_selector(&sel), "app=redis,r=s");
    }

    /// A scripted API server: answers each request with the reply for the first matching
    /// substring of `METHOD uri`, 404 otherwise.
    fn api(routes: Vec<(&'static str, &'static str)>) -> kube::Client {
        use http::{Request, Response};
        use kube::client::Body;
        let (svc, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
        tokio::spawn(async move {
            let mut handle = Box::pin(handle);
            while let Some((req, send)) = handle.next_request().await {
                let line = format!("{} {}", req.method(), req.uri());
                let hit = routes.iter().find(|(m, _)| line.contains(m));
                let (code, body) = hit.map_or((404, NOT_FOUND), |h| (200, h.1));
                let resp = Response::builder()
                    .status(code)
                    .body(Body::from(body.as_bytes().to_vec()));
                send.send_response(resp.expect("response"));
            }
        });
        kube::Client::new(svc, "lesson")
    }

    const NOT_FOUND: &str = r#"{"apiVersion":"v1","kind":"Status","status":"Failure",
        "reason":"NotFound","code":404,"message":"not found"}"#;
    const SVC: &str = r#"{"apiVersion":"v1","kind":"Service","metadata":{"name":"redis-sentinel"},
        "spec":{"selector":{"redis-sentinel":"true"}}}"#;
    const PODS: &str = r#"{"apiVersion":"v1","kind":"PodList","metadata":{},"items":[
        {"metadata":{"name":"old","deletionTimestamp":"2026-01-01T00:00:00Z"},
         "status":{"conditions":[{"type":"Ready","status":"True"}]}},
        {"metadata":{"name":"sentinel-2"},"status":{"conditions":[{"type":"Ready","status":"True"}]}}]}"#;

    const BY_IP: &str = r#"{"apiVersion":"v1","kind":"PodList","metadata":{},"items":[
        {"metadata":{"name":"master-going","deletionTimestamp":"2026-01-01T00:00:00Z"},
         "status":{"phase":"Running","conditions":[{"type":"Ready","status":"False"}]}}]}"#;
    const PENDING: &str = r#"{"apiVersion":"v1","kind":"PodList","metadata":{},"items":[
        {"metadata":{"name":"new"},"status":{"phase":"Pending"}}]}"#;

    #[tokio::test]
    async fn service_selector_finds_a_ready_pod_and_a_missing_service_fails_early() {
        let client = api(vec![
            ("GET /api/v1/namespaces/lesson/services/redis-sentinel", SVC),
            ("labelSelector=redis-sentinel%3Dtrue", PODS),
            ("fieldSelector=status.podIP%3D10.0.0.9", BY_IP),
            ("fieldSelector=status.podIP%3D10.0.0.8", PENDING),
        ]);
        let pods: Api<Pod> = Api::namespaced(client.clone(), "lesson");
        let services: Api<Service> = Api::namespaced(client.clone(), "lesson");
        let svc = Target::Service("redis-sentinel".into());
        assert_eq!(
            pick(&pods, &services, &svc).await.expect("pod"),
            "sentinel-2"
        );
        // An address is its pod's while it runs, even terminating (it still serves).
        let ip = Target::PodIp("10.0.0.9".into());
        assert_eq!(
            pick(&pods, &services, &ip).await.expect("pod"),
            "master-going"
        );
        let pending = Target::PodIp("10.0.0.8".into());
        assert!(pick(&pods, &services, &pending).await.is_err());
        let f = start(client.clone(), "lesson", svc, 26379)
            .await
            .expect("listening");
        assert!(f.local.ip().is_loopback() && f.local.port() != 0);
        let missing = start(client, "lesson", Target::Service("nope".into()), 26379).await;
        assert!(
            matches!(missing, Err(ForwardError::NoSelector(_))),
            "{missing:?}"
        );
    }
}
