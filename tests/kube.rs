//! Kubernetes: cluster safety, pod rows, the watcher against kube-rs test doubles, the pane,
//! and `doctor`. No cluster needed, except `e2e` (opt-in, see tests/kube/e2e.rs).

#[path = "kube/safety.rs"]
mod safety;

#[path = "kube/status.rs"]
mod status;

#[path = "kube/doctor.rs"]
mod doctor;
#[path = "kube/e2e.rs"]
mod e2e;
#[path = "kube/mock.rs"]
mod mock;
#[path = "kube/pane.rs"]
mod pane;
#[path = "kube/view.rs"]
mod view;
#[path = "kube/watch.rs"]
mod watch;
