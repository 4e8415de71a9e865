//! overseer against a hostile server (tests/common/hostile.rs): every misbehaviour costs
//! bounded time and a bounded number of requests, ends in a clear message, and loses no event.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use overseer::api::feed::{self, ConnState, FeedConfig, FeedItem};
use overseer::api::{Client, ClientConfig};
use tokio::sync::mpsc::Receiver;
use tokio::time::{Instant, timeout, timeout_at};

#[path = "common/hostile.rs"]
mod hostile;
use hostile::{History, Script, Stream, event};

const BIN: &str = env!("CARGO_BIN_EXE_overseer");

fn client(base: &str) -> Client {
    let mut cfg = ClientConfig::new(base, None);
    cfg.max_retries = 0;
    Client::new(cfg).expect("client")
}

fn script(history: History, stream: Stream) -> Script {
    Script {
        history,
        stream,
        sessions: r#"{"data":[],"next_page":null}"#.to_owned(),
    }
}

fn empty_history() -> History {
    History::Events {
        events: Arc::new(Mutex::new(Vec::new())),
        late: None,
    }
}

/// Items until `stop` matches one (inclusive), or panic at the deadline.
async fn items_until(
    rx: &mut Receiver<FeedItem>,
    within: Duration,
    stop: impl Fn(&FeedItem) -> bool,
) -> Vec<FeedItem> {
    let deadline = Instant::now() + within;
    let mut items = Vec::new();
    loop {
        let item = timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("no stop item within {within:?}; got {items:?}"))
            .expect("feed still running");
        let done = stop(&item);
        items.push(item);
        if done {
            return items;
        }
    }
}

fn event_ids(items: &[FeedItem]) -> Vec<String> {
    items
        .iter()
        .filter_map(|i| match i {
            FeedItem::Event(raw) => {
                let v: serde_json::Value = serde_json::from_str(raw).ok()?;
                v["id"].as_str().map(str::to_owned)
            }
            _ => None,
        })
        .collect()
}

/// (3) History pages that never end: the backfill stops at its page cap with a visible gap,
/// then the feed goes live.
#[tokio::test]
async fn endless_history_stops_at_the_page_cap_with_a_gap() {
    let server = hostile::start(script(History::Endless, Stream::Hold)).await;
    let mut cfg = FeedConfig::new("sesn_1");
    cfg.max_history_pages = 25;
    let (_h, mut rx) = feed::spawn(client(&server.base), cfg);
    let items = items_until(&mut rx, Duration::from_secs(30), |i| {
        *i == FeedItem::State(ConnState::Live)
    })
    .await;
    assert_eq!(server.counts.history(), 25);
    let expected: Vec<String> = (0..25).map(|n| format!("sevt_{n:06}")).collect();
    assert_eq!(event_ids(&items), expected);
    let tail = &items[items.len() - 3..];
    assert_eq!(
        tail,
        &[
            FeedItem::Gap {
                reason: "history read stopped at its cap (25 pages, 25 events)".into()
            },
            FeedItem::HistoryLoaded,
            FeedItem::State(ConnState::Live),
        ]
    );
}

/// (3) A repeated cursor stops the read at once (two requests), with a gap.
#[tokio::test]
async fn repeated_cursor_stops_at_once_with_a_gap() {
    let server = hostile::start(script(History::RepeatedCursor, Stream::Hold)).await;
    let (_h, mut rx) = feed::spawn(client(&server.base), FeedConfig::new("sesn_1"));
    let items = items_until(&mut rx, Duration::from_secs(30), |i| {
        matches!(i, FeedItem::Gap { .. })
    })
    .await;
    assert_eq!(server.counts.history(), 2);
    assert_eq!(event_ids(&items), ["sevt_000000", "sevt_000001"]);
    assert_eq!(
        items.last(),
        Some(&FeedItem::Gap {
            reason: "history repeated a page cursor; reading stopped".into()
        })
    );
}

/// (4) A stream that sends one byte and closes: the backoff keeps growing (one byte is not a
/// healthy stream), so reconnects stay few.
#[tokio::test]
async fn one_byte_streams_do_not_reset_the_backoff() {
    let server = hostile::start(script(empty_history(), Stream::OneByteThenClose)).await;
    let mut cfg = FeedConfig::new("sesn_1");
    cfg.backoff_base = Duration::from_millis(100);
    let (_h, mut rx) = feed::spawn(client(&server.base), cfg);
    let watch = async {
        let mut attempts = Vec::new();
        while let Some(item) = rx.recv().await {
            if let FeedItem::State(ConnState::Retrying { attempt, .. }) = item {
                attempts.push(attempt);
            }
        }
        attempts
    };
    let attempts = match timeout(Duration::from_secs(3), watch).await {
        Ok(a) => panic!("feed ended: {a:?}"),
        Err(_) => server.counts.stream(),
    };
    // Delays 0.1, 0.2, 0.4, 0.8, 1.6 s (jitter -25 %): at most 6 connections in 3 s; with the
    // backoff reset on every byte it was one every 0.1 s (about 25).
    assert!(
        (3..=6).contains(&attempts),
        "{attempts} stream connections in 3 s"
    );
    assert_eq!(server.counts.history(), attempts);
}

/// (7) An untrusted far-future `processed_at` never becomes the backfill start: the reconnect
/// asks from the last valid time, and the event that arrived while disconnected is delivered.
#[tokio::test]
async fn future_timestamps_do_not_skip_events_after_a_reconnect() {
    let events = vec![
        event("sevt_a", "2026-01-01T00:00:01Z"),
        event("sevt_b", "2999-01-01T00:00:00Z"),
        event("sevt_c", "garbage"),
    ];
    let history = History::Events {
        events: Arc::new(Mutex::new(events)),
        late: Some(event("sevt_late", "2026-01-01T00:00:02Z")),
    };
    let server = hostile::start(script(history, Stream::CloseFirstThenHold)).await;
    let mut cfg = FeedConfig::new("sesn_1");
    cfg.backoff_base = Duration::from_millis(50);
    let (_h, mut rx) = feed::spawn(client(&server.base), cfg);
    let items = items_until(
        &mut rx,
        Duration::from_secs(30),
        |i| matches!(i, FeedItem::Event(raw) if raw.contains("sevt_late")),
    )
    .await;
    assert_eq!(
        event_ids(&items),
        ["sevt_a", "sevt_b", "sevt_c", "sevt_late"]
    );
    let queries = server.counts.queries();
    assert_eq!(queries.len(), 2, "{queries:?}");
    assert_eq!(queries[0], "order=asc&limit=1000");
    assert_eq!(
        queries[1],
        "order=asc&created_at%5Bgte%5D=2026-01-01T00%3A00%3A01Z&limit=1000"
    );
}

/// A stream frame the parser has to drop (not UTF-8) may have been an event: the feed re-reads
/// history and delivers it.
#[tokio::test]
async fn a_dropped_stream_frame_re_reads_history() {
    let history = History::Events {
        events: Arc::new(Mutex::new(Vec::new())),
        late: Some(event("sevt_lost", "2026-01-01T00:00:01Z")),
    };
    let stream =
        Stream::BytesThenHold(b"event: agent.message\ndata: {\"id\":\"sevt_lost\xff\"}\n\n");
    let server = hostile::start(script(history, stream)).await;
    let (_h, mut rx) = feed::spawn(client(&server.base), FeedConfig::new("sesn_1"));
    let items = items_until(&mut rx, Duration::from_secs(30), |i| {
        matches!(i, FeedItem::Event(_))
    })
    .await;
    assert_eq!(event_ids(&items), ["sevt_lost"]);
    assert_eq!(server.counts.history(), 2);
    assert_eq!(server.counts.stream(), 1);
}

/// (11) A history page over the size cap is re-read with a smaller `limit`, and the events
/// arrive without a gap.
#[tokio::test]
async fn an_oversized_history_page_is_re_read_smaller() {
    let history = History::Huge {
        bytes: Bytes::from(vec![b' '; 70 * 1024 * 1024]),
        fits_at: 100,
        events: vec![event("sevt_1", "2026-01-01T00:00:01Z")],
    };
    let server = hostile::start(script(history, Stream::Hold)).await;
    let (_h, mut rx) = feed::spawn(client(&server.base), FeedConfig::new("sesn_1"));
    let items = items_until(&mut rx, Duration::from_secs(60), |i| {
        *i == FeedItem::State(ConnState::Live)
    })
    .await;
    assert_eq!(
        server.counts.queries(),
        ["order=asc&limit=1000", "order=asc&limit=100"]
    );
    assert_eq!(event_ids(&items), ["sevt_1"]);
    assert!(!items.iter().any(|i| matches!(i, FeedItem::Gap { .. })));
}

/// (12) A stream that answers 404: the feed says the session is gone and leaves a clear
/// connection state (not "connecting").
#[tokio::test]
async fn a_404_stream_ends_in_gone_and_down() {
    let server = hostile::start(script(empty_history(), Stream::NotFound)).await;
    let (handle, mut rx) = feed::spawn(client(&server.base), FeedConfig::new("sesn_1"));
    let items = items_until(&mut rx, Duration::from_secs(30), |i| {
        matches!(i, FeedItem::State(ConnState::Down { .. }))
    })
    .await;
    let reason = "not found (404 not_found_error: no such session (request-id req_404))";
    assert_eq!(
        items,
        [
            FeedItem::State(ConnState::Connecting),
            FeedItem::Gone {
                reason: reason.into()
            },
            FeedItem::State(ConnState::Down {
                reason: reason.into()
            }),
        ]
    );
    assert_eq!(timeout(Duration::from_secs(5), rx.recv()).await, Ok(None));
    assert!(handle.is_finished());
    assert_eq!(server.counts.stream(), 1);
}

// ---------------------------------------------------------------------------------------------
// The real binary.

struct Output {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Run `overseer --base-url BASE ARGS…`; killed (and the test failed) after `within`.
async fn run(base: &str, args: &[&str], within: Duration) -> Output {
    let child = tokio::process::Command::new(BIN)
        .args(["--base-url", base])
        .args(args)
        .env_remove("ANTHROPIC_API_KEY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start overseer");
    let out = timeout(within, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("overseer {args:?} did not exit within {within:?}"))
        .expect("overseer output");
    Output {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// (8) Events the typed parser cannot read (nesting past 128 levels, a lone surrogate) are
/// printed by `tail --jsonl` byte for byte, and as a `[malformed]` line by human `tail`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_prints_unreadable_events_instead_of_dropping_them() {
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let nested = format!(
        r#"{{"type":"agent.message","id":"sevt_deep","processed_at":"2026-01-01T00:00:01Z","x":{deep}}}"#
    );
    let surrogate = r#"{"type":"agent.message","id":"sevt_sur","processed_at":"2026-01-01T00:00:02Z","content":[{"type":"text","text":"a\ud800b"}]}"#.to_owned();
    let plain = event("sevt_ok", "2026-01-01T00:00:03Z");
    let events = vec![nested.clone(), surrogate.clone(), plain.clone()];
    let history = History::Events {
        events: Arc::new(Mutex::new(events)),
        late: None,
    };
    let server = hostile::start(script(history, Stream::Hold)).await;
    let out = run(
        &server.base,
        &["tail", "sesn_1", "--jsonl", "--exit-on-idle"],
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert_eq!(out.stdout, format!("{nested}\n{surrogate}\n{plain}\n"));

    let out = run(
        &server.base,
        &["tail", "sesn_1", "--exit-on-idle"],
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            format!(
                "00:00:01 agent.message                  [malformed] event sevt_deep could not be read ({} bytes)",
                nested.len()
            )
            .as_str(),
            format!(
                "00:00:02 agent.message                  [malformed] event sevt_sur could not be read ({} bytes)",
                surrogate.len()
            )
            .as_str(),
            "00:00:03 agent.message                  sevt_ok",
        ]
    );
}

/// (11) A history page that stays over the size cap at every `limit`: `tail --exit-on-idle`
/// reports the gap on stderr and exits non-zero, after four bounded reads (1000, 100, 10, 1).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_fails_on_a_history_gap() {
    let history = History::Huge {
        bytes: Bytes::from(vec![b' '; 70 * 1024 * 1024]),
        fits_at: 0,
        events: Vec::new(),
    };
    let server = hostile::start(script(history, Stream::Hold)).await;
    let out = run(
        &server.base,
        &["tail", "sesn_1", "--jsonl", "--exit-on-idle"],
        Duration::from_secs(120),
    )
    .await;
    assert_eq!(out.code, Some(1), "stderr: {}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains(
            "overseer: gap: events may be missing: a history page could not be read even one event at a time: "
        ) && out
            .stderr
            .contains("sesn_1: the output is incomplete (1 gap in the history)"),
        "stderr: {}",
        out.stderr
    );
    let limits: Vec<String> = server
        .counts
        .queries()
        .iter()
        .map(|q| q.rsplit('=').next().unwrap_or("").to_owned())
        .collect();
    assert_eq!(limits, ["1000", "100", "10", "1"]);
}

/// (9, 12) One session with a lone surrogate costs that session only; `--json` escapes C1,
/// line separators and bidi controls; the table is sanitized.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_skip_unreadable_items_and_escape_invisibles() {
    let good = |id: &str, title: &str| {
        format!(
            r#"{{"type":"session","id":"{id}","status":"idle","title":"{title}","created_at":"2026-01-01T00:00:00Z","agent":{{"name":"coder"}}}}"#
        )
    };
    let bad = r#"{"type":"session","id":"sesn_bad","status":"idle","title":"x\ud800"}"#;
    let mut s = script(empty_history(), Stream::Hold);
    s.sessions = format!(
        r#"{{"data":[{},{bad},{}],"next_page":null}}"#,
        good("sesn_1", r"evil\u009b2J\u202etxt\u2028end"),
        good("sesn_2", "plain")
    );
    let server = hostile::start(s).await;

    let out = run(
        &server.base,
        &["sessions", "--json"],
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert_eq!(out.stderr, "overseer: skipped 1 unreadable session\n");
    assert!(
        !out.stdout
            .chars()
            .any(|c| matches!(c, '\u{80}'..='\u{9f}' | '\u{2028}' | '\u{202e}')),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains(r#""title": "evil\u009b2J\u202etxt\u2028end""#),
        "{}",
        out.stdout
    );
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    let ids: Vec<&str> = v
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(ids, ["sesn_1", "sesn_2"]);
    assert_eq!(v[0]["title"], "evil\u{9b}2J\u{202e}txt\u{2028}end");

    let out = run(&server.base, &["sessions"], Duration::from_secs(30)).await;
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert_eq!(out.stderr, "overseer: skipped 1 unreadable session\n");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", out.stdout);
    assert!(lines[1].starts_with("sesn_1 idle"), "{}", lines[1]);
    assert!(lines[1].contains("eviltxt end"), "{}", lines[1]);
    assert!(lines[2].starts_with("sesn_2 idle"), "{}", lines[2]);
    assert_eq!(
        server
            .counts
            .sessions
            .load(std::sync::atomic::Ordering::SeqCst),
        2
    );
}
