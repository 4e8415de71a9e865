//! Fleet scale: the incremental session poller against a 10,000-session `fleet` simulator.
//! A status change made by the simulator reaches the list (the model), and the poller's
//! requests, counted at the simulator, stay within the rate cap over the window. No timing
//! assertion on speed: the machine is slow and shared, so conditions are waited for.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use overseer::api::{ApiKey, Client, ClientConfig};
use overseer::app::poller::{PollConfig, poll_loop};
use overseer::app::{Msg, State, update};
use overseer::model::sessions::DerivedState;
use overseer::sim::{Scenario, SimHandle, SimOptions, start};
use tokio::sync::Notify;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

const PATIENCE: Duration = Duration::from_secs(90);

async fn fleet(sessions: usize) -> SimHandle {
    let opts = SimOptions {
        scenario: Scenario::Fleet,
        sessions,
        change_every: 1.0,
        ..SimOptions::default()
    };
    start(opts, ([127, 0, 0, 1], 0).into())
        .await
        .unwrap_or_else(|e| panic!("fleet sim starts: {e}"))
}

/// Apply every message waiting (the poller's rounds) to the state, as the app loop does.
fn drain(state: &mut State, rx: &mut UnboundedReceiver<Msg>) -> usize {
    let mut n = 0;
    while let Ok(m) = rx.try_recv() {
        let _ = update(state, m);
        n += 1;
    }
    n
}

fn shows(state: &State, id: &str, status: &str) -> bool {
    let running = state
        .sessions
        .get(id)
        .is_some_and(|e| e.state == DerivedState::Running);
    (status == "running") == running && state.sessions.get(id).is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_in_a_10000_session_fleet_reach_the_list_at_a_bounded_request_rate() {
    let sim = fleet(10_000).await;
    let client = Client::new(ClientConfig::new(
        sim.base_url(),
        Some(ApiKey::new("sk-ant-test")),
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let (tx, mut rx) = unbounded_channel();
    let cfg = PollConfig::new(Duration::from_secs(2));
    let poller = tokio::spawn(poll_loop(client, tx, Arc::new(Notify::new()), cfg));
    let mut state = State::new(overseer::app::terminal::now_secs());

    // The start-up read: every session, in one message.
    let t0 = Instant::now();
    while state.sessions.len() < 10_000 {
        assert!(
            t0.elapsed() < PATIENCE,
            "start-up read: {}",
            state.sessions.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        drain(&mut state, &mut rx);
    }
    assert_eq!(state.sessions.len(), 10_000);
    assert_eq!(state.sessions.capped(), None);
    let running = state
        .sessions
        .iter()
        .filter(|e| e.state == DerivedState::Running)
        .count();
    assert!((100..=400).contains(&running), "{running} running");

    // The window: changes happen in the sim; requests are counted there.
    let _ = sim.take_status_changes();
    let requests_before = sim.requests();
    let window = Instant::now();
    let mut last: HashMap<String, &'static str> = HashMap::new();
    let mut changes = 0;
    while window.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(200)).await;
        drain(&mut state, &mut rx);
        for c in sim.take_status_changes() {
            changes += 1;
            last.insert(c.session_id, c.status);
        }
    }
    let requests = sim.requests() - requests_before;
    let secs = window.elapsed().as_secs_f64();
    assert!(changes >= 5, "the fleet changed {changes} times");
    // Rounds average at most 1.8 requests a second (a round's own burst aside: + one round).
    let allowed = (1.8 * secs).ceil() as u64 + 6;
    assert!(
        requests <= allowed,
        "{requests} requests in {secs:.1} s (at most {allowed})"
    );
    // Far fewer than re-reading 100 pages a round would take.
    assert!(requests < 100, "{requests} requests");

    // Every change of the window reaches the list. A session that changes again before it is
    // seen is then expected in its newer status.
    let wait = Instant::now();
    let mut pending = last;
    loop {
        drain(&mut state, &mut rx);
        for c in sim.take_status_changes() {
            if let Some(status) = pending.get_mut(&c.session_id) {
                *status = c.status;
            }
        }
        pending.retain(|id, status| !shows(&state, id, status));
        if pending.is_empty() {
            break;
        }
        assert!(
            wait.elapsed() < PATIENCE,
            "not in the list yet: {pending:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // New sessions made during the window are in the list too.
    assert!(state.sessions.len() >= 10_000);
    poller.abort();
}
