//! End to end against a real Kubernetes API: the Kubernetes lesson through `kubetutor run`,
//! namespace isolation, the protected-context guard, `kubetutor doctor` and the pods pane; on a
//! real node also every lesson cell, kubelet's auth, exec, port-forward and real pod states.
//!
//! Every test is ignored by default: it needs a cluster. `scripts/e2e-cluster` starts the local
//! control plane (scripts/cluster), runs them and stops it. Against your own disposable cluster:
//! `KUBETUTOR_E2E_KUBECONFIG=~/.kube/config cargo test --test cluster -- --ignored --test-threads=1`.
//! Serial on purpose: the isolation test compares the cluster's objects before and after a run.

#[allow(dead_code)]
#[path = "support/skip.rs"]
mod skip;
#[path = "cluster/support.rs"]
mod support;
#[allow(dead_code)]
#[path = "support/tmux.rs"]
mod tmux;

#[path = "cluster/doctor.rs"]
mod doctor;
#[path = "cluster/effects.rs"]
mod effects;
#[path = "cluster/lesson.rs"]
mod lesson;
#[path = "cluster/pods_pane.rs"]
mod pods_pane;
#[path = "cluster/real_node.rs"]
mod real_node;
#[path = "cluster/safety.rs"]
mod safety;
#[path = "cluster/sentinel_pane.rs"]
mod sentinel_pane;
#[path = "cluster/tui_real.rs"]
mod tui_real;
#[path = "cluster/workshop.rs"]
mod workshop;
