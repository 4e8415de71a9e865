//! The session feed against a small scripted server with hostile faults: streams cut every few
//! events, malformed frames in place of real events, `error` frames, history pages that fail
//! or are cut mid-body. The feed must deliver every event exactly once, in history order.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query as AxumQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use overseer::api::feed::{self, FeedConfig, FeedItem};
use overseer::api::{Client, ClientConfig};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::sync::broadcast;

#[derive(Clone, Copy, Default)]
struct Faults {
    /// Close the stream after this many frames.
    drop_after: Option<usize>,
    /// Chance a live event's frame is replaced by garbage (the event is lost from the stream).
    malformed: f64,
    /// Chance a live frame is followed by an `error` frame.
    error_frame: f64,
    /// Chance a history request answers 500.
    history_500: f64,
    /// Chance a history body is cut off mid-way (connection dropped while the page is in flight).
    history_cut: f64,
    /// The stream says hello, then never sends another byte (a dead connection).
    silent: bool,
    /// The stream answers 400 to `event_deltas[]`.
    reject_deltas: bool,
}

struct Log {
    /// Final copies in `processed_at` order (what history serves).
    history: Vec<String>,
    live: broadcast::Sender<String>,
    rng: StdRng,
    faults: Faults,
    /// Session status for `GET /v1/sessions/{id}`.
    done: bool,
    /// When each history read started (first pages only; later pages belong to the same read).
    reads: Vec<tokio::time::Instant>,
}

type Shared = Arc<Mutex<Log>>;

fn ts(i: usize) -> String {
    format!(
        "2026-11-26T10:{:02}:{:02}.{:03}Z",
        i / 60_000 % 60,
        i / 1000 % 60,
        i % 1000
    )
}

#[derive(serde::Deserialize)]
struct HistoryQuery {
    #[serde(default)]
    page: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(rename = "created_at[gte]", default)]
    gte: Option<String>,
}

async fn history(
    State(log): State<Shared>,
    Path(_id): Path<String>,
    AxumQuery(q): AxumQuery<HistoryQuery>,
) -> Response {
    let (body, cut) = {
        let Ok(mut log) = log.lock() else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        let f = log.faults;
        if q.page.is_none() {
            log.reads.push(tokio::time::Instant::now());
        }
        if log.rng.random_bool(f.history_500) {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                r#"{"type":"error","error":{"type":"api_error","message":"injected"}}"#,
            )
                .into_response();
        }
        let cut = log.rng.random_bool(f.history_cut);
        let start: usize = q.page.as_deref().and_then(|p| p.parse().ok()).unwrap_or(0);
        let limit = q.limit.unwrap_or(1000).clamp(1, 1000);
        let matching: Vec<&String> = log
            .history
            .iter()
            .filter(|e| match &q.gte {
                // Timestamps here all have one format, so text order is time order.
                Some(gte) => processed_at(e).as_str() >= gte.as_str(),
                None => true,
            })
            .collect();
        let page: Vec<&str> = matching
            .iter()
            .skip(start)
            .take(limit)
            .map(|s| s.as_str())
            .collect();
        let next = if start + page.len() < matching.len() {
            format!("\"{}\"", start + page.len())
        } else {
            "null".to_owned()
        };
        (
            format!(r#"{{"data":[{}],"next_page":{next}}}"#, page.join(",")),
            cut,
        )
    };
    if cut {
        // Send half the body, then fail: the client sees the connection die mid-page.
        let half = Bytes::from(body.as_bytes()[..body.len() / 2].to_vec());
        let stream = futures::stream::iter(vec![
            Ok::<Bytes, std::io::Error>(half),
            Err(std::io::Error::other("cut")),
        ]);
        return Response::builder()
            .header("content-type", "application/json")
            .body(Body::from_stream(stream))
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
    }
    ([("content-type", "application/json")], body).into_response()
}

fn processed_at(raw: &str) -> String {
    serde_json::from_str::<serde_json::Value>(raw)
        .ok()
        .and_then(|v| v.get("processed_at")?.as_str().map(str::to_owned))
        .unwrap_or_default()
}

async fn stream(
    State(log): State<Shared>,
    Path(_id): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    let (mut rx, faults, seed) = {
        let Ok(mut log) = log.lock() else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        if log.faults.reject_deltas && query.is_some_and(|q| q.contains("event_deltas")) {
            return (
                StatusCode::BAD_REQUEST,
                r#"{"type":"error","error":{"type":"invalid_request_error","message":"event_deltas not supported here"}}"#,
            )
                .into_response();
        }
        let seed: u64 = log.rng.random();
        (log.live.subscribe(), log.faults, seed)
    };
    let (tx, body_rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(64);
    tokio::spawn(async move {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut sent = 0usize;
        let _ = tx.send(Ok(Bytes::from_static(b": hello\n\n"))).await;
        if faults.silent {
            tx.closed().await;
            return;
        }
        loop {
            let frame = match rx.recv().await {
                Ok(f) => f,
                Err(_) => return, // lagged or closed: end the stream, the client re-backfills
            };
            let type_name = serde_json::from_str::<serde_json::Value>(&frame)
                .ok()
                .and_then(|v| v.get("type")?.as_str().map(str::to_owned))
                .unwrap_or_default();
            let text = if rng.random_bool(faults.malformed) {
                format!("event: {type_name}\ndata: {{\"type\":\"{type_name}\",\"id\":\n\n")
            } else {
                format!("event: {type_name}\ndata: {frame}\n\n")
            };
            // Split frames at an arbitrary byte to exercise the parser.
            let bytes = text.into_bytes();
            let cut = rng.random_range(0..bytes.len());
            if tx
                .send(Ok(Bytes::copy_from_slice(&bytes[..cut])))
                .await
                .is_err()
                || tx
                    .send(Ok(Bytes::copy_from_slice(&bytes[cut..])))
                    .await
                    .is_err()
            {
                return;
            }
            if rng.random_bool(faults.error_frame) {
                let e = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"busy\"}}\n\n";
                let _ = tx.send(Ok(Bytes::from_static(e.as_bytes()))).await;
            }
            sent += 1;
            if faults.drop_after.is_some_and(|n| sent >= n) {
                return;
            }
        }
    });
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(body_rx));
    Response::builder()
        .header("content-type", "text/event-stream")
        .body(body)
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

async fn session(State(log): State<Shared>, Path(id): Path<String>) -> Response {
    let done = log.lock().map(|l| l.done).unwrap_or(false);
    let status = if done { "terminated" } else { "running" };
    (
        [("content-type", "application/json")],
        format!(r#"{{"type":"session","id":"{id}","status":"{status}"}}"#),
    )
        .into_response()
}

/// Start the server and a producer that writes `n` events (a quarter of them user messages that
/// are first streamed queued, then processed), then `session.status_terminated`.
async fn start(n: usize, faults: Faults, seed: u64) -> (String, Shared) {
    let (live, _) = broadcast::channel(4096);
    let log = Arc::new(Mutex::new(Log {
        history: Vec::new(),
        live,
        rng: StdRng::seed_from_u64(seed),
        faults,
        done: false,
        reads: Vec::new(),
    }));
    let app = Router::new()
        .route("/v1/sessions/{id}", get(session))
        .route("/v1/sessions/{id}/events", get(history))
        .route("/v1/sessions/{id}/events/stream", get(stream))
        .with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let producer = log.clone();
    tokio::spawn(async move {
        for i in 0..=n {
            let (queued, done) = if i == n {
                (
                    None,
                    format!(
                        r#"{{"type":"session.status_terminated","id":"sevt_{i:06}","processed_at":"{}"}}"#,
                        ts(i)
                    ),
                )
            } else if i % 4 == 0 {
                (
                    Some(format!(
                        r#"{{"type":"user.message","id":"sevt_{i:06}","processed_at":null,"content":[{{"type":"text","text":"hi {i}"}}]}}"#
                    )),
                    format!(
                        r#"{{"type":"user.message","id":"sevt_{i:06}","processed_at":"{}","content":[{{"type":"text","text":"hi {i}"}}]}}"#,
                        ts(i)
                    ),
                )
            } else {
                (
                    None,
                    format!(
                        r#"{{"type":"agent.message","id":"sevt_{i:06}","processed_at":"{}","content":[{{"type":"text","text":"line\nwith \"quotes\" {i}"}}]}}"#,
                        ts(i)
                    ),
                )
            };
            if let Some(q) = queued
                && let Ok(log) = producer.lock()
            {
                let _ = log.live.send(q);
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
            if let Ok(mut log) = producer.lock() {
                log.history.push(done.clone());
                if i == n {
                    log.done = true;
                }
                let _ = log.live.send(done);
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    });
    (format!("http://{addr}"), log)
}

fn client(base: &str) -> Client {
    let mut cfg = ClientConfig::new(base, None);
    cfg.backoff_base = Duration::from_millis(5);
    cfg.backoff_cap = Duration::from_millis(50);
    cfg.max_retries = 3;
    Client::new(cfg).expect("client")
}

/// Run a feed to its end; the ids in the order a tail prints them (user events when processed).
async fn run_feed(base: &str, cfg: FeedConfig) -> (Vec<String>, Vec<FeedItem>) {
    let (_h, mut rx) = feed::spawn(client(base), cfg);
    let mut printed = Vec::new();
    let mut others = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let item = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("the feed ends within 120 s");
        let Some(item) = item else { break };
        match &item {
            FeedItem::Event(raw) | FeedItem::Updated(raw) => {
                let v: serde_json::Value = serde_json::from_str(raw).expect("valid JSON");
                if v.get("processed_at").is_some_and(|p| !p.is_null()) {
                    printed.push(v["id"].as_str().unwrap_or("").to_owned());
                }
            }
            FeedItem::Ended | FeedItem::Gone { .. } => {
                others.push(item);
                break;
            }
            _ => others.push(item),
        }
    }
    (printed, others)
}

fn history_ids(log: &Shared) -> Vec<String> {
    log.lock()
        .expect("lock")
        .history
        .iter()
        .map(|raw| {
            let v: serde_json::Value = serde_json::from_str(raw).expect("json");
            v["id"].as_str().unwrap_or("").to_owned()
        })
        .collect()
}

fn feed_cfg() -> FeedConfig {
    let mut cfg = FeedConfig::new("sesn_test");
    cfg.backoff_base = Duration::from_millis(5);
    cfg.backoff_max = Duration::from_millis(100);
    cfg.page_limit = 50;
    cfg.heartbeat_allowance = Duration::from_secs(20);
    cfg
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feed_clean_run_delivers_history_order_once() {
    let (base, log) = start(300, Faults::default(), 1).await;
    let (printed, others) = run_feed(&base, feed_cfg()).await;
    assert_eq!(printed, history_ids(&log));
    assert_eq!(printed.len(), 301);
    assert_eq!(others.last(), Some(&FeedItem::Ended));
    assert!(others.contains(&FeedItem::HistoryLoaded));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feed_survives_drops_malformed_frames_and_error_frames() {
    let faults = Faults {
        drop_after: Some(7),
        malformed: 0.05,
        error_frame: 0.02,
        history_500: 0.2,
        history_cut: 0.0,
        silent: false,
        reject_deltas: false,
    };
    let (base, log) = start(400, faults, 7).await;
    let (printed, others) = run_feed(&base, feed_cfg()).await;
    assert_eq!(printed, history_ids(&log));
    assert_eq!(others.last(), Some(&FeedItem::Ended));
    let reconnects = others
        .iter()
        .filter(|i| {
            matches!(
                i,
                FeedItem::State(overseer::api::feed::ConnState::Retrying { .. })
            )
        })
        .count();
    assert!(reconnects >= 3, "only {reconnects} reconnects");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feed_survives_history_pages_cut_in_flight() {
    let faults = Faults {
        drop_after: Some(7),
        malformed: 0.0,
        error_frame: 0.0,
        history_500: 0.1,
        history_cut: 0.3,
        silent: false,
        reject_deltas: false,
    };
    let (base, log) = start(300, faults, 11).await;
    let (printed, others) = run_feed(&base, feed_cfg()).await;
    assert_eq!(printed, history_ids(&log));
    assert_eq!(others.last(), Some(&FeedItem::Ended));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feed_reconnects_a_silent_stream_after_the_heartbeat_allowance() {
    let faults = Faults {
        silent: true,
        ..Faults::default()
    };
    let (base, log) = start(100, faults, 5).await;
    let mut cfg = feed_cfg();
    cfg.heartbeat_allowance = Duration::from_millis(300);
    let (printed, others) = run_feed(&base, cfg).await;
    // Every event still arrives, through the backfill after each reconnect.
    assert_eq!(printed, history_ids(&log));
    assert_eq!(others.last(), Some(&FeedItem::Ended));
    assert!(others.iter().any(|i| matches!(
        i,
        FeedItem::State(overseer::api::feed::ConnState::Retrying { reason, .. })
            if reason == "no data for 300ms"
    )));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feed_follows_without_previews_when_deltas_are_rejected() {
    let faults = Faults {
        reject_deltas: true,
        ..Faults::default()
    };
    let (base, log) = start(100, faults, 2).await;
    let mut cfg = feed_cfg();
    cfg.deltas = true;
    let (printed, others) = run_feed(&base, cfg).await;
    assert_eq!(printed, history_ids(&log));
    assert_eq!(others.last(), Some(&FeedItem::Ended));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feed_of_a_missing_session_is_gone() {
    let app = Router::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let (printed, others) = run_feed(&format!("http://{addr}"), feed_cfg()).await;
    assert!(printed.is_empty());
    match others.last() {
        Some(FeedItem::Gone { reason }) => {
            assert!(reason.starts_with("not found (404 "), "{reason}")
        }
        other => panic!("expected Gone, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_feeds_at_once_with_small_buffers() {
    let (base, log) = start(
        200,
        Faults {
            drop_after: Some(13),
            ..Faults::default()
        },
        3,
    )
    .await;
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let base = base.clone();
        let mut cfg = feed_cfg();
        cfg.buffer = 4;
        tasks.push(tokio::spawn(async move { run_feed(&base, cfg).await }));
    }
    let expected_len = 201;
    for t in tasks {
        let (printed, others) = t.await.expect("task");
        assert_eq!(printed.len(), expected_len);
        assert_eq!(printed, history_ids(&log));
        assert_eq!(others.last(), Some(&FeedItem::Ended));
    }
}

/// Garbage in place of half the live frames: every event still arrives once, and the re-reads of
/// history that malformed frames cause are spaced at least a second apart (no request storm).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_frames_do_not_storm_history() {
    let faults = Faults {
        malformed: 0.5,
        ..Faults::default()
    };
    let (base, log) = start(400, faults, 11).await;
    let (printed, others) = run_feed(&base, feed_cfg()).await;
    assert_eq!(printed, history_ids(&log));
    assert_eq!(others.last(), Some(&FeedItem::Ended));
    let reads = log.lock().expect("lock").reads.clone();
    assert!(
        reads.len() >= 2,
        "malformed frames re-read history: {}",
        reads.len()
    );
    for pair in reads.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(
            gap >= Duration::from_millis(900),
            "two history re-reads {gap:?} apart ({} reads for ~200 malformed frames)",
            reads.len()
        );
    }
}
