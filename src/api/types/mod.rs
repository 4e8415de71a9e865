//! Resources of the Managed Agents API (sessions, agents, memory, dreams, deployments …).
//!
//! Everything here is read-tolerant: missing fields take their default, unknown fields are
//! ignored, and an unknown enum string or union `type` becomes an `Other(String)` /
//! `Unknown(Value)` variant instead of an error, so a newer server never breaks the dashboard.
//! Everything is also `Serialize`, so the simulator and tests can produce the same JSON.
//! Request parameters live in `api::params` and are re-exported here.

pub mod agent;
pub mod common;
pub mod deployment;
pub mod dream;
pub mod environment;
pub mod memory;
pub mod session;

pub use super::params::*;
pub use agent::*;
pub use common::*;
pub use deployment::*;
pub use dream::*;
pub use environment::*;
pub use memory::*;
pub use session::*;
