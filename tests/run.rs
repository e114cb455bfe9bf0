//! `kubetutor run` end to end: real lessons from tests/fixtures/run through the built binary
//! and real bash (shell state, attributes, faults, output, cancellation and no orphans).

#[path = "run/common.rs"]
mod common;

#[allow(dead_code)] // each test binary uses part of it
#[path = "support/fake_cluster.rs"]
mod fake_cluster;
#[path = "common/redis.rs"]
mod redis;

#[path = "run/state.rs"]
mod state;

#[path = "run/faults.rs"]
mod faults;

#[path = "run/output.rs"]
mod output;

#[path = "run/processes.rs"]
mod processes;

#[path = "run/select.rs"]
mod select;

#[path = "run/cluster_gate.rs"]
mod cluster_gate;

#[path = "run/cleanup.rs"]
mod cleanup;
#[path = "run/until.rs"]
mod until;
