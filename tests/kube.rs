//! Kubernetes: cluster safety, pod rows, the watcher against kube-rs test doubles, the pane,
//! and `doctor`. No cluster needed, except `e2e` (ignored: see tests/kube/e2e.rs).

#[path = "support/skip.rs"]
mod skip;

#[path = "kube/safety.rs"]
mod safety;

#[path = "kube/status.rs"]
mod status;

#[path = "kube/colours.rs"]
mod colours;
#[path = "kube/doctor.rs"]
mod doctor;
#[path = "kube/e2e.rs"]
mod e2e;
#[path = "kube/events.rs"]
mod events;
#[path = "kube/mock.rs"]
mod mock;
#[path = "kube/pane.rs"]
mod pane;
#[path = "kube/view.rs"]
mod view;
#[path = "kube/watch.rs"]
mod watch;
