//! The bundled content: every lesson and translation passes `kubetutor check`, translations keep
//! the same cells in the same order, the manifests are valid Kubernetes objects, and the local
//! Redis Sentinel lesson runs for real.

#[path = "lessons/check.rs"]
mod check;
#[path = "lessons/common.rs"]
mod common;
#[path = "lessons/local_run.rs"]
mod local_run;
#[path = "lessons/manifests.rs"]
mod manifests;
#[path = "lessons/objects.rs"]
mod objects;
#[path = "lessons/run_sh.rs"]
mod run_sh;
