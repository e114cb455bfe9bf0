//! Redis Sentinel: the monitor against real redis-server/redis-sentinel processes on loopback,
//! and the pane's snapshots built from recorded updates.

#[path = "sentinel/colours.rs"]
mod colours;
#[path = "sentinel/downtime.rs"]
mod downtime;
#[path = "sentinel/harness.rs"]
mod harness;
#[path = "sentinel/identity.rs"]
mod identity;
#[path = "sentinel/live.rs"]
mod live;
#[path = "sentinel/model.rs"]
mod model;
#[path = "sentinel/pane.rs"]
mod pane;
#[path = "sentinel/recorded.rs"]
mod recorded;
#[path = "sentinel/service.rs"]
mod service;
#[path = "sentinel/wake.rs"]
mod wake;
