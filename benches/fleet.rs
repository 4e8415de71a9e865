//! Fleet scale, measured: how soon a status change in the simulator is in the dashboard's model,
//! and how many requests a second the session poller makes, at 1,000 and 10,000 sessions; and
//! resident memory at 100,000 sessions.
//!
//! What is measured (in-process, honest about it): the `fleet` simulator runs in this process on
//! loopback; the real poller (`app::poller::poll_loop`) sends its rounds to a `State` through the
//! real `update`. The simulator logs each status change with its simulated time, which at speed
//! 1 is wall-clock time; a change counts as seen when the session's row shows it (running or
//! not). Requests are counted by the simulator after the start-up read. For memory, the
//! simulator runs as a child process (`overseer sim --scenario fleet --sessions 100000`) and
//! this process holds only the poller and the model: its RSS growth is the dashboard's cost.
//!
//! `cargo bench --bench fleet` (about five minutes). `FLEET_WINDOW_SECS` sets each window (90).
#![allow(clippy::print_stdout)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use overseer::api::{ApiKey, Client, ClientConfig};
use overseer::app::poller::{PollConfig, poll_loop};
use overseer::app::{Msg, State, update};
use overseer::model::sessions::DerivedState;
use overseer::sim::{Scenario, SimOptions, StatusChange};
use tokio::sync::Notify;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

fn rss_kib(pid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn client(url: String) -> Client {
    match Client::new(ClientConfig::new(url, Some(ApiKey::new("sk-ant-bench")))) {
        Ok(c) => c,
        Err(e) => panic!("client: {e}"),
    }
}

fn drain(state: &mut State, rx: &mut UnboundedReceiver<Msg>) {
    while let Ok(m) = rx.try_recv() {
        let _ = update(state, m);
    }
}

fn shows(state: &State, c: &StatusChange) -> bool {
    let running = state
        .sessions
        .get(&c.session_id)
        .is_some_and(|e| e.state == DerivedState::Running);
    state.sessions.get(&c.session_id).is_some() && running == (c.status == "running")
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn now_micros() -> i64 {
    jiff::Timestamp::now().as_microsecond()
}

async fn latency_run(sessions: usize, window: Duration) {
    let opts = SimOptions {
        scenario: Scenario::Fleet,
        sessions,
        change_every: 1.0,
        ..SimOptions::default()
    };
    let built = Instant::now();
    let sim = match overseer::sim::start(opts, ([127, 0, 0, 1], 0).into()).await {
        Ok(s) => s,
        Err(e) => panic!("sim: {e}"),
    };
    let build_secs = built.elapsed().as_secs_f64();
    let (tx, mut rx) = unbounded_channel();
    let cfg = PollConfig::new(Duration::from_secs(2));
    let poller = tokio::spawn(poll_loop(
        client(sim.base_url()),
        tx,
        Arc::new(Notify::new()),
        cfg,
    ));
    let mut state = State::new(overseer::app::terminal::now_secs());
    let t0 = Instant::now();
    while state.sessions.len() < sessions {
        tokio::time::sleep(Duration::from_millis(20)).await;
        drain(&mut state, &mut rx);
    }
    let startup = t0.elapsed().as_secs_f64();
    let startup_requests = sim.requests();
    let _ = sim.take_status_changes();
    // Pending changes: the latest per session; a change overtaken before it was seen is dropped.
    // (change, the session was new: not in the list when the change was read)
    let mut pending: HashMap<String, (StatusChange, bool)> = HashMap::new();
    let mut latencies: Vec<f64> = Vec::new();
    let mut created: Vec<f64> = Vec::new();
    let mut overtaken = 0;
    let start = Instant::now();
    let mut ended: Option<Instant> = None;
    loop {
        tokio::time::sleep(Duration::from_millis(10)).await;
        drain(&mut state, &mut rx);
        if ended.is_none() {
            for c in sim.take_status_changes() {
                let new = state.sessions.get(&c.session_id).is_none()
                    && pending.get(&c.session_id).is_none_or(|(_, n)| *n);
                if pending.insert(c.session_id.clone(), (c, new)).is_some() {
                    overtaken += 1;
                }
            }
        }
        let now = now_micros();
        pending.retain(|_, (c, new)| {
            if shows(&state, c) {
                let secs = (now - c.at) as f64 / 1e6;
                if *new {
                    created.push(secs);
                } else {
                    latencies.push(secs);
                }
                false
            } else {
                true
            }
        });
        if ended.is_none() && start.elapsed() >= window {
            ended = Some(Instant::now());
        }
        // After the window, give what is still pending two more rounds.
        if let Some(e) = ended
            && (pending.is_empty() || e.elapsed() > Duration::from_secs(6))
        {
            break;
        }
    }
    let secs = ended.map_or(window, |e| e - start).as_secs_f64();
    let requests = sim.requests() - startup_requests;
    poller.abort();
    latencies.sort_by(f64::total_cmp);
    created.sort_by(f64::total_cmp);
    println!(
        "fleet {sessions:>6} sessions: sim built in {build_secs:.2} s; start-up read {startup:.2} s ({startup_requests} requests)"
    );
    println!(
        "  change → model over {secs:.0} s: {} changes seen, p50 {:.2} s, p95 {:.2} s, max {:.2} s ({} overtaken, {} unseen)",
        latencies.len(),
        pct(&latencies, 0.5),
        pct(&latencies, 0.95),
        latencies.last().copied().unwrap_or(f64::NAN),
        overtaken,
        pending.len()
    );
    println!(
        "  new session → model: {} seen, p50 {:.2} s, max {:.2} s",
        created.len(),
        pct(&created, 0.5),
        created.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "  requests: {requests} in {secs:.0} s = {:.2}/s (after start-up)",
        requests as f64 / secs
    );
}

async fn memory_run(sessions: usize) {
    let bin = env!("CARGO_BIN_EXE_overseer");
    let built = Instant::now();
    let mut child = match Command::new(bin)
        .args(["sim", "--listen", "127.0.0.1:0", "--scenario", "fleet"])
        .args(["--sessions", &sessions.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => panic!("start {bin}: {e}"),
    };
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        let _ = BufReader::new(out).read_line(&mut line);
    }
    let url = line.trim().trim_start_matches("listening on ").to_string();
    let sim_start = built.elapsed().as_secs_f64();
    let sim_pid = child.id().to_string();
    let sim_rss = rss_kib(&sim_pid);
    let before = rss_kib("self");
    let (tx, mut rx) = unbounded_channel();
    let poller = tokio::spawn(poll_loop(
        client(url),
        tx,
        Arc::new(Notify::new()),
        PollConfig::new(Duration::from_secs(2)),
    ));
    let mut state = State::new(overseer::app::terminal::now_secs());
    let t0 = Instant::now();
    while state.sessions.is_empty() && t0.elapsed() < Duration::from_secs(300) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        drain(&mut state, &mut rx);
    }
    let startup = t0.elapsed().as_secs_f64();
    // A few rounds on top.
    let rounds = Instant::now();
    while rounds.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        drain(&mut state, &mut rx);
    }
    let after = rss_kib("self");
    let sim_after = rss_kib(&sim_pid);
    poller.abort();
    let _ = child.kill();
    let _ = child.wait();
    println!(
        "fleet {sessions:>6} sessions: sim ready in {sim_start:.1} s, sim RSS {} MiB (after 10 s of polling {} MiB)",
        sim_rss / 1024,
        sim_after / 1024
    );
    println!(
        "  dashboard model: start-up read {startup:.1} s, {} sessions in the list (first {:?}), RSS +{} MiB (process {} MiB)",
        state.sessions.len(),
        state.sessions.capped(),
        after.saturating_sub(before) / 1024,
        after / 1024
    );
}

fn main() {
    let window = std::env::var("FLEET_WINDOW_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(90);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("runtime: {e}"),
    };
    rt.block_on(async {
        memory_run(100_000).await;
        for n in [1_000, 10_000] {
            latency_run(n, Duration::from_secs(window)).await;
        }
    });
}
