//! `overseer tail` (the real binary) against `overseer sim` (the real binary) with faults:
//! the printed ids must be exactly the ids `GET /events` returns, in the same order, once each.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use overseer::api::{Beta, Client, ClientConfig, Query};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const BIN: &str = env!("CARGO_BIN_EXE_overseer");

mod common;
use common::sim_bin::{Reaper, start_sim};

fn client(base: &str) -> Client {
    let mut cfg = ClientConfig::new(base, None);
    cfg.max_retries = 10;
    cfg.backoff_base = Duration::from_millis(10);
    cfg.backoff_cap = Duration::from_millis(200);
    Client::new(cfg).expect("client")
}

async fn get_json(client: &Client, path: &str, query: &Query) -> Value {
    let body = client
        .get_raw(Beta::ManagedAgents, path, query)
        .await
        .expect("GET succeeds within retries");
    serde_json::from_slice(&body).expect("JSON body")
}

/// Every event id `GET /events` returns, in its order.
async fn history_ids(client: &Client, sid: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut page: Option<String> = None;
    loop {
        let q = Query::new()
            .push("limit", "1000")
            .push("order", "asc")
            .push_opt("page", page.take());
        let v = get_json(client, &format!("/v1/sessions/{sid}/events"), &q).await;
        for e in v["data"].as_array().expect("data array") {
            ids.push(e["id"].as_str().expect("id").to_owned());
        }
        match v["next_page"].as_str() {
            Some(p) if !p.is_empty() => page = Some(p.to_owned()),
            _ => return ids,
        }
    }
}

/// The firehose session, once its live burst is running (so the tail sees live events too).
async fn firehose_session(client: &Client) -> String {
    let v = get_json(client, "/v1/sessions", &Query::new()).await;
    let sid = v["data"][0]["id"].as_str().expect("a session").to_owned();
    // The burst starts two seconds in; on a very slow machine it may be over already, and then
    // the autopilot starts another turn within about 90 s.
    let deadline = Instant::now() + Duration::from_secs(150);
    loop {
        let s = get_json(client, &format!("/v1/sessions/{sid}"), &Query::new()).await;
        if s["status"] == "running" {
            return sid;
        }
        assert!(
            Instant::now() < deadline,
            "the firehose burst never started"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Run `overseer tail --jsonl --exit-on-idle` and return the events it printed.
fn run_tail(base: &str, sid: &str) -> Vec<Value> {
    let child = Command::new(BIN)
        .args(["--base-url", base, "tail", sid, "--jsonl", "--exit-on-idle"])
        .env_remove("ANTHROPIC_API_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start overseer tail");
    let mut child = Reaper(child);
    let stdout = child.0.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map(|l| l.expect("utf-8 line"))
            .collect::<Vec<_>>()
    });
    let deadline = Instant::now() + Duration::from_secs(180);
    let status = loop {
        if let Some(status) = child.0.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "tail did not exit within 180 s");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "tail exited with {status}");
    reader
        .join()
        .expect("reader")
        .iter()
        .map(|l| serde_json::from_str(l).expect("each stdout line is one JSON event"))
        .collect()
}

/// Check the tail output against history: every printed id is in history, once, in history's
/// order. (The simulator's `malformed` fault also adds unknown-type events; it records them in
/// history like a newer server would, so a faithful client prints them and they count too.)
fn assert_exactly_history(printed: &[Value], history: &[String]) {
    let mut seen = std::collections::HashSet::new();
    for e in printed {
        assert!(
            seen.insert(e["id"].as_str().unwrap_or("").to_owned()),
            "printed twice: {e}"
        );
    }
    let in_history: std::collections::HashSet<&str> = history.iter().map(String::as_str).collect();
    let mut ids = Vec::new();
    for e in printed {
        let id = e["id"].as_str().unwrap_or("");
        assert!(in_history.contains(id), "printed an id history lacks: {e}");
        ids.push(id);
    }
    // History may have grown after the tail exited (the session carries on): compare the prefix.
    let expected: Vec<&str> = history.iter().take(ids.len()).map(String::as_str).collect();
    assert_eq!(ids, expected);
    let last = printed.last().expect("something printed");
    assert_eq!(last["type"], "session.status_idle");
    assert_eq!(last["stop_reason"]["type"], "end_turn");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_prints_exactly_history_under_stream_faults() {
    let (_sim, base) = start_sim(&[
        "--scenario",
        "firehose",
        "--events",
        "2000",
        "--seed",
        "3",
        "--faults",
        "drop-stream-after=7,error-rate=0.2,malformed=0.05",
    ]);
    let c = client(&base);
    let sid = firehose_session(&c).await;
    let printed = tokio::task::spawn_blocking({
        let (base, sid) = (base.clone(), sid.clone());
        move || run_tail(&base, &sid)
    })
    .await
    .expect("tail task");
    let history = history_ids(&c, &sid).await;
    // 2,000 history events plus a live burst of 200 turns.
    assert!(
        printed.len() > 2_500,
        "only {} events printed",
        printed.len()
    );
    assert_exactly_history(&printed, &history);
}

/// A TCP proxy that cuts the connection partway through the response to some history requests
/// (a backfill page in flight), and passes everything else through.
async fn cutting_proxy(
    upstream: String,
    seed: u64,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let cuts = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = cuts.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind proxy");
    let addr = listener.local_addr().expect("addr");
    let rng = std::sync::Arc::new(std::sync::Mutex::new(StdRng::seed_from_u64(seed)));
    tokio::spawn(async move {
        while let Ok((mut down, _)) = listener.accept().await {
            let upstream = upstream.clone();
            let rng = rng.clone();
            let counter = counter.clone();
            tokio::spawn(async move {
                let Ok(mut up) = tokio::net::TcpStream::connect(&upstream).await else {
                    return;
                };
                let (mut dr, mut dw) = down.split();
                let (mut ur, mut uw) = up.split();
                // Bytes of response still allowed before the cut; None = no cut armed.
                let budget = std::sync::Mutex::new(None::<usize>);
                let to_server = async {
                    let mut buf = vec![0u8; 16 * 1024];
                    loop {
                        let n = match dr.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => n,
                        };
                        let text = String::from_utf8_lossy(&buf[..n]);
                        if text.contains("/events?")
                            && !text.contains("/events/stream")
                            && let Ok(mut r) = rng.lock()
                            && r.random_bool(0.3)
                            && let Ok(mut b) = budget.lock()
                        {
                            *b = Some(r.random_range(200..60_000));
                        }
                        if uw.write_all(&buf[..n]).await.is_err() {
                            return;
                        }
                    }
                };
                let to_client = async {
                    let mut buf = vec![0u8; 16 * 1024];
                    loop {
                        let n = match ur.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => n,
                        };
                        let allowed = match budget.lock() {
                            Ok(mut b) => match *b {
                                Some(left) if left <= n => {
                                    *b = Some(0);
                                    Some(left)
                                }
                                Some(left) => {
                                    *b = Some(left - n);
                                    None
                                }
                                None => None,
                            },
                            Err(_) => None,
                        };
                        if let Some(left) = allowed {
                            let _ = dw.write_all(&buf[..left]).await;
                            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            return; // cut: drop both directions
                        }
                        if dw.write_all(&buf[..n]).await.is_err() {
                            return;
                        }
                    }
                };
                tokio::select! {
                    _ = to_server => {}
                    _ = to_client => {}
                }
            });
        }
    });
    (format!("http://{addr}"), cuts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_prints_exactly_history_when_backfill_pages_are_cut() {
    let (_sim, base) = start_sim(&[
        "--scenario",
        "firehose",
        "--events",
        "3000",
        "--seed",
        "5",
        "--faults",
        "drop-stream-after=7,error-rate=0.2,malformed=0.05",
    ]);
    let upstream = base.trim_start_matches("http://").to_owned();
    let (proxy, cuts) = cutting_proxy(upstream, 9).await;
    let c = client(&base);
    let sid = firehose_session(&c).await;
    let printed = tokio::task::spawn_blocking({
        let (proxy, sid) = (proxy.clone(), sid.clone());
        move || run_tail(&proxy, &sid)
    })
    .await
    .expect("tail task");
    let history = history_ids(&c, &sid).await;
    assert!(
        printed.len() > 3_500,
        "only {} events printed",
        printed.len()
    );
    assert_exactly_history(&printed, &history);
    let cuts = cuts.load(std::sync::atomic::Ordering::Relaxed);
    assert!(cuts >= 3, "only {cuts} history responses were cut");
}

/// Run `overseer tail` with `args` to completion; (exit success, stdout lines, stderr).
fn run_tail_args(base: &str, args: &[&str]) -> (bool, Vec<String>, String) {
    let out = Command::new(BIN)
        .args(["--base-url", base, "tail"])
        .args(args)
        .env_remove("ANTHROPIC_API_KEY")
        .output()
        .expect("run overseer tail");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_stops_by_itself_on_a_terminated_session_and_fails_on_a_missing_one() {
    let (_sim, base) = start_sim(&["--scenario", "demo", "--seed", "1"]);
    let c = client(&base);
    let sessions = get_json(&c, "/v1/sessions", &Query::new().push("limit", "100")).await;
    let sid = sessions["data"]
        .as_array()
        .expect("sessions")
        .iter()
        .find(|s| s["status"] == "terminated")
        .and_then(|s| s["id"].as_str())
        .expect("the demo has a terminated session")
        .to_owned();
    let history = history_ids(&c, &sid).await;
    // --jsonl: exactly history, and the tail ends by itself after `session.status_terminated`.
    let (ok, lines, _) = tokio::task::spawn_blocking({
        let (base, sid) = (base.clone(), sid.clone());
        move || run_tail_args(&base, &[&sid, "--jsonl"])
    })
    .await
    .expect("tail");
    assert!(ok);
    let ids: Vec<String> = lines
        .iter()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("json line");
            v["id"].as_str().unwrap_or("").to_owned()
        })
        .collect();
    assert_eq!(ids, history);
    // Human form: one line per event, each starting with its time and type.
    let (ok, lines, _) = tokio::task::spawn_blocking({
        let (base, sid) = (base.clone(), sid.clone());
        move || run_tail_args(&base, &[&sid])
    })
    .await
    .expect("tail");
    assert!(ok);
    assert_eq!(lines.len(), history.len());
    assert!(
        lines
            .last()
            .is_some_and(|l| l.contains(" session.status_terminated"))
    );
    // A missing session: exit 1, one clear line on stderr, nothing on stdout.
    let (ok, lines, stderr) = tokio::task::spawn_blocking({
        let base = base.clone();
        move || run_tail_args(&base, &["sesn_doesnotexist", "--jsonl"])
    })
    .await
    .expect("tail");
    assert!(!ok);
    assert!(lines.is_empty());
    assert!(
        stderr.contains("sesn_doesnotexist: not found (404 not_found_error: ")
            && stderr.contains("request-id req_"),
        "stderr: {stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_exit_on_idle_returns_once_history_is_printed() {
    // A 5,000-event firehose session starts idle; its live burst begins two seconds later.
    let (_sim, base) = start_sim(&["--scenario", "firehose", "--events", "5000"]);
    let c = client(&base);
    let v = get_json(&c, "/v1/sessions", &Query::new()).await;
    let sid = v["data"][0]["id"].as_str().expect("a session").to_owned();
    let before = history_ids(&c, &sid).await;
    assert!(before.len() >= 5_000, "{} events", before.len());
    let started = Instant::now();
    let (ok, lines, stderr) = tokio::task::spawn_blocking({
        let (base, sid) = (base.clone(), sid.clone());
        move || run_tail_args(&base, &[&sid, "--jsonl", "--exit-on-idle"])
    })
    .await
    .expect("tail");
    // Generous: the whole live burst takes a few seconds; a tail that waited for a later idle
    // (or for none) would run into this.
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "tail took {:?}",
        started.elapsed()
    );
    assert!(ok, "stderr: {stderr}");
    let printed: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    let ids: Vec<String> = printed
        .iter()
        .map(|v| v["id"].as_str().unwrap_or("").to_owned())
        .collect();
    // Exactly the history that existed before, then only what history lists next.
    assert_eq!(ids[..before.len()], before[..]);
    let after = history_ids(&c, &sid).await;
    assert_eq!(ids, after[..ids.len()].to_vec());
    // It exits at the first idle: either at once (no status event printed, the session itself
    // is idle), or right after the first settled `session.status_idle`, which is the last line.
    let is_status = |v: &Value| {
        v["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("session.status_"))
    };
    let settled: Vec<usize> = printed
        .iter()
        .enumerate()
        .filter(|(_, v)| {
            v["type"] == "session.status_idle" && v["stop_reason"]["type"] != "requires_action"
        })
        .map(|(i, _)| i)
        .collect();
    if settled.is_empty() {
        assert_eq!(ids, before, "no idle printed: exactly the history at start");
        assert!(!printed.iter().any(is_status));
    } else {
        assert_eq!(
            settled,
            [printed.len() - 1],
            "exits right after the first idle"
        );
    }
}
