//! The simulator: an axum server with in-memory state, scenarios and fault injection that serves
//! the same endpoints and SSE framing as the real Managed Agents API.
//! CONTRACT STUB (owner: sim helper) — keep these names and signatures; add freely.

use std::net::SocketAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scenario {
    #[default]
    Demo,
    Firehose,
}

/// Parsed from `--faults drop-stream-after=N,error-rate=P,latency-ms=N,malformed=P`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    pub drop_stream_after: Option<u64>,
    pub error_rate: f64,
    pub latency_ms: u64,
    pub malformed: f64,
}

impl std::str::FromStr for Faults {
    type Err = String;
    fn from_str(_s: &str) -> Result<Self, Self::Err> {
        todo!("sim helper")
    }
}

#[derive(Debug, Clone)]
pub struct SimOptions {
    pub scenario: Scenario,
    pub seed: u64,
    /// Scales simulated time: 2.0 = twice as fast.
    pub speed: f64,
    /// `firehose`: number of history events.
    pub events: usize,
    pub faults: Faults,
    /// When set, other keys get 401 `authentication_error`.
    pub api_key: Option<String>,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            scenario: Scenario::Demo,
            seed: 1,
            speed: 1.0,
            events: 100_000,
            faults: Faults::default(),
            api_key: None,
        }
    }
}

/// A running simulator. Dropping it stops the server.
pub struct SimHandle {
    pub addr: SocketAddr,
}

impl SimHandle {
    /// `http://IP:PORT`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Bind `listen` (port 0 picks a free one) and serve in the background on the current tokio runtime.
pub async fn start(_opts: SimOptions, _listen: SocketAddr) -> anyhow::Result<SimHandle> {
    todo!("sim helper")
}
