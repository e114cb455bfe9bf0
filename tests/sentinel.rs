//! Redis Sentinel: the monitor against real redis-server/redis-sentinel processes on loopback,
//! and the pane's snapshots built from recorded updates.

#[path = "sentinel/colours.rs"]
mod colours;
#[path = "sentinel/harness.rs"]
mod harness;
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
