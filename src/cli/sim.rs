//! `overseer sim`: serve the simulated Managed Agents API on loopback.

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use super::Globals;
use crate::sim::{Faults, Scenario, SimOptions};

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub listen: SocketAddr,
    /// What the simulated organisation contains: `demo` (a fleet at work), `firehose` (one
    /// huge session), `hostile` (agent text and events built to break a client), `fleet`
    /// (`--sessions N` mostly idle sessions).
    #[arg(
        long,
        default_value = "demo",
        value_name = "demo|firehose|hostile|fleet"
    )]
    pub scenario: Scenario,
    /// Seed for ids and content; the same seed gives the same world.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Simulated time per real second (2 = twice as fast).
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// `firehose`: number of history events in the session.
    #[arg(long, default_value_t = 100_000)]
    pub events: usize,
    /// `fleet`: number of sessions (up to 100,000).
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub sessions: usize,
    /// `fleet`: mean seconds between two status changes somewhere in the fleet.
    #[arg(long, default_value_t = 2.0, value_name = "SECONDS")]
    pub change_every: f64,
    /// Fault injection, comma-separated: `drop-stream-after=N`, `error-rate=P`, `latency-ms=N`,
    /// `malformed=P`; hostile modes `endless-pages` (next_page never ends), `repeat-cursor`,
    /// `hang-stream` (streams never answer), `hang-list` (lists never answer),
    /// `one-byte-stream` (one byte, then close), `redirect=URL` (307 to another origin),
    /// `big-page` (history pages over the client's size cap), `html` (text/html answers).
    /// Request counts: `GET /_sim/stats`.
    #[arg(long, default_value = "", value_name = "SPEC")]
    pub faults: Faults,
    /// Require this API key (x-api-key or Authorization: Bearer); other keys get 401.
    #[arg(
        long,
        value_name = "KEY",
        env = "OVERSEER_SIM_API_KEY",
        hide_env_values = true
    )]
    pub api_key: Option<String>,
    /// Seconds between `ping` frames on open streams.
    #[arg(long, default_value_t = 15.0, value_name = "SECONDS")]
    pub heartbeat: f64,
}

impl Default for Args {
    fn default() -> Self {
        Args {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            scenario: Scenario::Demo,
            seed: 1,
            speed: 1.0,
            events: 100_000,
            sessions: 10_000,
            change_every: 2.0,
            faults: Faults::default(),
            api_key: None,
            heartbeat: 15.0,
        }
    }
}

pub async fn run(args: Args, _globals: &Globals) -> anyhow::Result<()> {
    if !args.listen.ip().is_loopback() {
        anyhow::bail!(
            "the simulator only binds to loopback addresses, not {}",
            args.listen.ip()
        );
    }
    if !(args.heartbeat.is_finite() && args.heartbeat > 0.0) {
        anyhow::bail!("--heartbeat must be a positive number of seconds");
    }
    let opts = SimOptions {
        scenario: args.scenario,
        seed: args.seed,
        speed: args.speed,
        events: args.events,
        sessions: args.sessions,
        change_every: args.change_every,
        faults: args.faults,
        api_key: args.api_key,
        heartbeat: Duration::from_secs_f64(args.heartbeat),
    };
    let handle = crate::sim::start(opts, args.listen).await?;
    let mut out = std::io::stdout();
    writeln!(out, "listening on {}", handle.base_url())?;
    out.flush()?;
    tokio::signal::ctrl_c().await?;
    drop(handle);
    Ok(())
}
