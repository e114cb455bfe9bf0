//! Redis Sentinel: connection to the sentinels of a lesson, their reports and events folded
//! into a [`SentinelView`] for the Sentinel pane. No ratatui here.
//!
//! Use: [`monitor::spawn_monitor`] with a [`MonitorConfig`] and a channel; apply each
//! received [`SentinelUpdate`] to a [`SentinelView`] with [`SentinelView::apply`].

pub mod client;
pub mod config;
pub mod event;
pub mod link;
pub mod model;
pub mod monitor;
pub mod probe;
pub mod queries;
pub mod report;
pub mod sentinels;
pub mod timeline;
pub mod writes;

pub use config::{MonitorConfig, Seed, Wake, WakeHandle, wake_channel};
pub use event::{Addr, SentinelEvent};
pub use model::{LinkState, Role, SentinelUpdate, SentinelView};
pub use monitor::spawn_monitor;
pub use queries::{Health, Opinion};
pub use sentinels::{Presence, Sentinel};
