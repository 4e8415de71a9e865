//! What every request handler shares: the world behind its lock, the fault settings, the
//! shutdown signal; and the one way a handler gets at the world.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::http::StatusCode;
use rand::rngs::StdRng;
use tokio_util::sync::CancellationToken;

use super::Faults;
use super::wire::{ApiError, ApiResult};
use super::world::World;

#[derive(Clone)]
pub struct AppState {
    pub world: Arc<Mutex<World>>,
    pub faults: Faults,
    pub api_key: Option<String>,
    pub heartbeat: Duration,
    pub shutdown: CancellationToken,
    pub fault_rng: Arc<Mutex<StdRng>>,
    /// The `fail-writes` fault: POSTs to `/events` still to fail.
    pub writes_to_fail: Arc<std::sync::atomic::AtomicU64>,
    // --- hostile simulator (`http/faults.rs`, `stats.rs`) ---
    /// Request counts served at `GET /_sim/stats`.
    pub stats: Arc<super::stats::Stats>,
    /// The `hostile` scenario: session objects carry a lone surrogate where their text has
    /// the marker `scenario::LONE_SURROGATE_MARK`.
    pub hostile: bool,
    /// Requests answered (`SimHandle::requests`), counted by the gate.
    pub requests: Arc<std::sync::atomic::AtomicU64>,
}

impl AppState {
    /// Lock the world and bring it up to the current simulated time, so every request sees
    /// (and acts on) the world as it is now. A poisoned lock is a 500, never a panic.
    pub fn world(&self) -> ApiResult<MutexGuard<'_, World>> {
        let mut w = self.world.lock().map_err(|_| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "api_error",
                "internal state unavailable",
            )
        })?;
        w.tick();
        Ok(w)
    }
}
