//! The simulator: an axum server with in-memory state, scenarios and fault injection that serves
//! the same endpoints and SSE framing as the real Managed Agents API.
//!
//! It is an independent implementation of the wire (it does not use `crate::api` types), so
//! client-against-simulator tests check the client against the protocol, not against itself.
//!
//! How it works: a `World` holds every resource in memory behind one mutex. Time is
//! simulated (real time × `speed`); a ticker advances the world every 50 ms and every request
//! advances it first. Each session runs a *script* of timed beats (events, stream-only previews,
//! "block until answered", usage snapshots) produced per persona by `content`; user events wait
//! in an inbox (interrupts jump it, answers apply at once, new work waits for the turn to end).
//! Scenario history is produced by the same machinery, fast-forwarded from the past, so it is
//! consistent with what live sessions do next. Content and ids are deterministic for a seed;
//! timestamps are relative to start-up.
//!
//! Faults (`--faults`): `drop-stream-after=N` closes each SSE connection after N events;
//! `error-rate=P` answers that fraction of non-stream requests with 429 (`retry-after-ms`
//! 50–200, `retry-after: 1`), 500 or 529; `latency-ms=N` delays every response;
//! `malformed=P` injects an extra garbage / unknown-type / `event:`-less frame before that
//! fraction of stream frames (real events are never replaced); `fail-writes=N` answers the next
//! N POSTs to a session's `/events` with 500 `api_error` (deterministic, for retry tests; a test
//! holding the `SimHandle` can arm it again with [`SimHandle::fail_writes`]).
//!
//! Hostile faults (each one misbehaviour of a broken or malicious server, applied in one place,
//! `http/faults.rs`): `endless-pages` (every list's `next_page` is never null: past the real
//! end the first page is served again under a new cursor), `repeat-cursor` (past the real end
//! the same cursor comes back for ever), `hang-stream` (a stream request is accepted and its
//! headers never sent), `hang-list` (likewise for every list request), `one-byte-stream` (a
//! stream sends `:` then closes), `redirect=URL` (every request gets a 307 to the same path on
//! URL, another origin), `big-page` (an event history page asked for with `limit` above 100 is
//! padded past the client's 64 MiB body cap), `html` (every answer is a `text/html` page).
//! `GET /_sim/stats` answers request counts (never faulted, never counted) so tests can assert
//! what a client cost.

mod clock;
mod content;
use crate::cron;
mod engine;
mod http;
mod ids;
mod memory;
mod scenario;
mod sse;
mod state;
mod stats;
mod wire;
mod world;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio_util::sync::{CancellationToken, DropGuard};

pub use cron::Cron;
pub use memory::sha256_hex;
pub use scenario::fleet::MAX_FLEET;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scenario {
    #[default]
    Demo,
    Firehose,
    /// Agent text and events that try to break a client (escapes, bidi, emoji sequences,
    /// lone surrogates, 20 MB and 10,000-deep events, lying timestamps).
    Hostile,
    /// `--sessions N` sessions, mostly idle, one status change every few seconds somewhere.
    Fleet,
}

impl std::str::FromStr for Scenario {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "demo" => Ok(Scenario::Demo),
            "firehose" => Ok(Scenario::Firehose),
            "hostile" => Ok(Scenario::Hostile),
            "fleet" => Ok(Scenario::Fleet),
            other => Err(format!(
                "unknown scenario {other:?} (expected demo, firehose, hostile or fleet)"
            )),
        }
    }
}

/// Parsed from `--faults drop-stream-after=N,error-rate=P,latency-ms=N,malformed=P` plus the
/// hostile modes (`endless-pages`, `repeat-cursor`, `hang-stream`, `hang-list`,
/// `one-byte-stream`, `redirect=URL`, `big-page`, `html`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Close every SSE connection after this many events.
    pub drop_stream_after: Option<u64>,
    /// Fraction of non-stream requests answered with 429 (with `retry-after-ms`), 500 or 529.
    pub error_rate: f64,
    /// Delay before answering every request.
    pub latency_ms: u64,
    /// Fraction of stream frames preceded by an extra garbage or unknown-type frame.
    pub malformed: f64,
    /// The next this many `POST /v1/sessions/{id}/events` fail with 500 (then all succeed).
    pub fail_writes: u64,
    // --- hostile modes (applied in `http/faults.rs`) ---
    /// Lists never end: a null `next_page` becomes a fresh cursor to the first page.
    pub endless_pages: bool,
    /// Lists never end: a null `next_page` becomes the same cursor, again and again.
    pub repeat_cursor: bool,
    /// Stream requests are accepted and never answered (no headers).
    pub hang_stream: bool,
    /// List requests are accepted and never answered (no headers).
    pub hang_list: bool,
    /// Streams send one byte (`:`) and close.
    pub one_byte_stream: bool,
    /// Every request is answered `307` to the same path and query on this origin.
    pub redirect: Option<String>,
    /// Event history pages asked for with `limit` above 100 are padded past the client's cap.
    pub big_page: bool,
    /// Every request is answered with a `text/html` page (a wrong base URL).
    pub html: bool,
}

/// The hostile fault modes that take no value.
const FAULT_FLAGS: &str =
    "endless-pages, repeat-cursor, hang-stream, hang-list, one-byte-stream, big-page, html";

fn parse_fraction(key: &str, v: &str) -> Result<f64, String> {
    match v.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!(
            "{key}: expected a fraction between 0 and 1, got {v:?}"
        )),
    }
}

impl std::str::FromStr for Faults {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut f = Faults::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let flag = match part {
                "endless-pages" => Some(&mut f.endless_pages),
                "repeat-cursor" => Some(&mut f.repeat_cursor),
                "hang-stream" => Some(&mut f.hang_stream),
                "hang-list" => Some(&mut f.hang_list),
                "one-byte-stream" => Some(&mut f.one_byte_stream),
                "big-page" => Some(&mut f.big_page),
                "html" => Some(&mut f.html),
                _ => None,
            };
            if let Some(flag) = flag {
                *flag = true;
                continue;
            }
            let Some((key, value)) = part.split_once('=') else {
                return Err(format!(
                    "fault {part:?}: expected key=value (drop-stream-after=N, error-rate=P, latency-ms=N, malformed=P, fail-writes=N, redirect=URL) or one of {FAULT_FLAGS}"
                ));
            };
            let (key, value) = (key.trim(), value.trim());
            match key {
                "drop-stream-after" => match value.parse::<u64>() {
                    Ok(n) if n > 0 => f.drop_stream_after = Some(n),
                    _ => {
                        return Err(format!(
                            "drop-stream-after: expected a positive integer, got {value:?}"
                        ));
                    }
                },
                "error-rate" => f.error_rate = parse_fraction(key, value)?,
                "latency-ms" => {
                    f.latency_ms = value
                        .parse::<u64>()
                        .map_err(|_| format!("latency-ms: expected milliseconds, got {value:?}"))?
                }
                "malformed" => f.malformed = parse_fraction(key, value)?,
                "fail-writes" => {
                    f.fail_writes = value
                        .parse::<u64>()
                        .map_err(|_| format!("fail-writes: expected a count, got {value:?}"))?
                }
                "redirect" => {
                    let origin = value.trim_end_matches('/');
                    let rest = origin
                        .strip_prefix("http://")
                        .or_else(|| origin.strip_prefix("https://"));
                    if rest.is_none_or(|r| r.is_empty() || r.contains('/')) {
                        return Err(format!(
                            "redirect: expected an origin like http://127.0.0.1:9999, got {value:?}"
                        ));
                    }
                    f.redirect = Some(origin.to_owned());
                }
                other => {
                    return Err(format!(
                        "unknown fault {other:?} (expected drop-stream-after, error-rate, latency-ms, malformed, fail-writes, redirect or one of {FAULT_FLAGS})"
                    ));
                }
            }
        }
        Ok(f)
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
    /// `fleet`: number of sessions (at most [`MAX_FLEET`]).
    pub sessions: usize,
    /// `fleet`: mean simulated seconds between two status changes somewhere in the fleet.
    pub change_every: f64,
    pub faults: Faults,
    /// When set, other keys get 401 `authentication_error`.
    pub api_key: Option<String>,
    /// Real time between `ping` frames on open streams.
    pub heartbeat: Duration,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            scenario: Scenario::Demo,
            seed: 1,
            speed: 1.0,
            events: 100_000,
            sessions: 10_000,
            change_every: 2.0,
            faults: Faults::default(),
            api_key: None,
            heartbeat: Duration::from_secs(15),
        }
    }
}

/// A running simulator. Dropping it stops the server.
pub struct SimHandle {
    pub addr: SocketAddr,
    writes_to_fail: Arc<AtomicU64>,
    world: Arc<Mutex<world::World>>,
    requests: Arc<AtomicU64>,
    _stop: DropGuard,
}

pub use world::StatusChange;

impl SimHandle {
    /// Fail the next `n` POSTs to a session's `/events` with 500 (the `fail-writes` fault, armed
    /// now: a test can let set-up through first).
    pub fn fail_writes(&self, n: u64) {
        self.writes_to_fail.store(n, Ordering::SeqCst);
    }

    /// `http://IP:PORT`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// HTTP requests answered so far (streams count once, when opened).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Status changes the scenario's driver made since the last call (the `fleet` scenario
    /// logs each; others have none).
    pub fn take_status_changes(&self) -> Vec<StatusChange> {
        match self.world.lock() {
            Ok(mut w) => w
                .driver
                .as_mut()
                .map(|d| d.take_changes())
                .unwrap_or_default(),
            Err(_) => Vec::new(),
        }
    }
}

/// Build the scenario's world (without serving it).
fn build_world(opts: &SimOptions) -> anyhow::Result<world::World> {
    let mut w = world::World::new(opts.seed, opts.speed);
    match opts.scenario {
        Scenario::Demo => scenario::build_demo(&mut w)
            .map_err(|e| anyhow::anyhow!("the demo scenario could not be built: {e}"))?,
        Scenario::Firehose => scenario::build_firehose(&mut w, opts.events),
        Scenario::Hostile => scenario::build_hostile(&mut w),
        Scenario::Fleet => {
            if !(opts.change_every.is_finite() && opts.change_every > 0.0) {
                anyhow::bail!("the fleet's change interval must be a positive number of seconds");
            }
            if opts.sessions > scenario::fleet::MAX_FLEET {
                anyhow::bail!(
                    "the fleet holds at most {} sessions, not {}",
                    scenario::fleet::MAX_FLEET,
                    opts.sessions
                );
            }
            scenario::build_fleet(&mut w, opts.sessions, opts.change_every)
        }
    }
    Ok(w)
}

/// The fastest simulated clock: at 1000× a half-hourly deployment fires every 1.8 s of real time.
pub const MAX_SPEED: f64 = 1000.0;

/// Bind `listen` (port 0 picks a free one) and serve in the background on the current tokio runtime.
pub async fn start(opts: SimOptions, listen: SocketAddr) -> anyhow::Result<SimHandle> {
    if !(opts.speed.is_finite() && opts.speed > 0.0 && opts.speed <= MAX_SPEED) {
        anyhow::bail!(
            "speed must be a number above 0 and at most {MAX_SPEED}, got {} \
             (faster would fire hours of schedules and turns per tick and wedge the simulator)",
            opts.speed
        );
    }
    let world = Arc::new(Mutex::new(build_world(&opts)?));
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let shutdown = CancellationToken::new();
    let writes_to_fail = Arc::new(AtomicU64::new(opts.faults.fail_writes));
    let requests = Arc::new(AtomicU64::new(0));
    let state = state::AppState {
        writes_to_fail: writes_to_fail.clone(),
        requests: requests.clone(),
        world: world.clone(),
        faults: opts.faults.clone(),
        api_key: opts.api_key.clone(),
        heartbeat: opts.heartbeat,
        shutdown: shutdown.clone(),
        fault_rng: Arc::new(Mutex::new(StdRng::seed_from_u64(opts.seed ^ 0x5EED))),
        stats: Arc::default(),
        hostile: opts.scenario == Scenario::Hostile,
    };
    // The world moves on its own, whether or not anyone is asking.
    let ticker_stop = shutdown.clone();
    let ticked = world.clone();
    tokio::spawn(async move {
        let world = ticked;
        let mut every = tokio::time::interval(Duration::from_millis(50));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                _ = ticker_stop.cancelled() => break,
                _ = every.tick() => {
                    if let Ok(mut w) = world.lock() {
                        w.tick();
                    }
                }
            }
        }
    });
    let app = http::router(state);
    let server_stop = shutdown.clone();
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(async move { server_stop.cancelled().await })
            .await
        {
            // Nobody awaits this task: the log is where a dead server says why.
            tracing::error!("simulator server stopped: {e}");
        }
    });
    Ok(SimHandle {
        addr,
        writes_to_fail,
        world,
        requests,
        _stop: shutdown.drop_guard(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_parse_every_key_and_reject_nonsense() {
        let f: Faults =
            "drop-stream-after=5, error-rate=0.25,latency-ms=40,malformed=0.1,fail-writes=3"
                .parse()
                .unwrap_or_default();
        assert_eq!(
            f,
            Faults {
                drop_stream_after: Some(5),
                error_rate: 0.25,
                latency_ms: 40,
                malformed: 0.1,
                fail_writes: 3,
                ..Faults::default()
            }
        );
        assert!(
            "fail-writes=-1"
                .parse::<Faults>()
                .unwrap_err()
                .contains("expected a count")
        );
        let f: Faults = "endless-pages,repeat-cursor,hang-stream,hang-list,one-byte-stream,big-page,html,redirect=http://127.0.0.1:9/"
            .parse()
            .unwrap_or_default();
        assert_eq!(
            f,
            Faults {
                endless_pages: true,
                repeat_cursor: true,
                hang_stream: true,
                hang_list: true,
                one_byte_stream: true,
                redirect: Some("http://127.0.0.1:9".into()),
                big_page: true,
                html: true,
                ..Faults::default()
            }
        );
        assert!(
            "redirect=ftp://x"
                .parse::<Faults>()
                .unwrap_err()
                .contains("expected an origin")
        );
        assert!(
            "redirect=http://x/path"
                .parse::<Faults>()
                .unwrap_err()
                .contains("expected an origin")
        );
        assert_eq!("".parse::<Faults>(), Ok(Faults::default()));
        assert!(
            "error-rate=2"
                .parse::<Faults>()
                .unwrap_err()
                .contains("between 0 and 1")
        );
        assert!(
            "explode=1"
                .parse::<Faults>()
                .unwrap_err()
                .contains("unknown fault")
        );
        assert!(
            "latency-ms"
                .parse::<Faults>()
                .unwrap_err()
                .contains("key=value")
        );
    }

    #[test]
    fn firehose_builds_the_requested_history() {
        let Ok(w) = build_world(&SimOptions {
            scenario: Scenario::Firehose,
            events: 5000,
            ..Default::default()
        }) else {
            panic!("firehose world did not build");
        };
        assert_eq!(w.sessions.len(), 1);
        assert_eq!(w.sessions[0].history.len(), 5000);
        let first: serde_json::Value =
            serde_json::from_str(&w.sessions[0].history[0].json).unwrap_or_default();
        assert_eq!(first["type"], "span.model_request_start");
    }
}
