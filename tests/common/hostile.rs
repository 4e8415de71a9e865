//! A tiny hostile Managed Agents server for tests: each route misbehaves in one scripted way
//! and counts the requests it gets, so tests can assert that overseer's cost stays bounded.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;

/// What `GET /v1/sessions/{id}/events` answers.
#[derive(Clone)]
pub enum History {
    /// Pages that never end: each has one new event and a new cursor.
    Endless,
    /// One event and always the same `next_page` cursor.
    RepeatedCursor,
    /// These events (raw JSON), in one page, filtered by `created_at[gte]` as text (like the
    /// API, which compares times). Once the first read is served, `late` is appended (an
    /// event that arrives while the client is disconnected).
    Events {
        events: Arc<Mutex<Vec<String>>>,
        late: Option<String>,
    },
    /// A body of `bytes` bytes (over the client's size cap) while `limit` is above `fits_at`;
    /// at or below it, `events` as one page. `fits_at: 0` = always too large.
    Huge {
        bytes: Bytes,
        fits_at: u32,
        events: Vec<String>,
    },
}

/// What `GET /v1/sessions/{id}/events/stream` answers.
#[derive(Clone)]
pub enum Stream {
    /// One byte (`:`), then the connection closes.
    OneByteThenClose,
    /// 404 with an API error body.
    NotFound,
    /// The first connection closes after a moment without a byte; later ones stay open silently.
    CloseFirstThenHold,
    /// Stay open, silent.
    Hold,
    /// These bytes, then stay open.
    BytesThenHold(&'static [u8]),
}

pub struct Script {
    pub history: History,
    pub stream: Stream,
    /// The body of `GET /v1/sessions`.
    pub sessions: String,
}

#[derive(Default)]
pub struct Counts {
    pub history: AtomicUsize,
    pub stream: AtomicUsize,
    pub sessions: AtomicUsize,
    /// Query strings of the history requests, in order.
    pub history_queries: Mutex<Vec<String>>,
}

impl Counts {
    pub fn history(&self) -> usize {
        self.history.load(Ordering::SeqCst)
    }
    pub fn stream(&self) -> usize {
        self.stream.load(Ordering::SeqCst)
    }
    pub fn queries(&self) -> Vec<String> {
        self.history_queries
            .lock()
            .map(|q| q.clone())
            .unwrap_or_default()
    }
}

struct Shared {
    script: Script,
    counts: Arc<Counts>,
}

pub struct Hostile {
    pub base: String,
    pub counts: Arc<Counts>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Start the server on 127.0.0.1 (an ephemeral port).
pub async fn start(script: Script) -> Hostile {
    let counts = Arc::new(Counts::default());
    let shared = Arc::new(Shared {
        script,
        counts: counts.clone(),
    });
    let app = Router::new()
        .route("/v1/sessions", get(sessions))
        .route("/v1/sessions/{id}", get(session))
        .route("/v1/sessions/{id}/events", get(history))
        .route("/v1/sessions/{id}/events/stream", get(stream))
        .with_state(shared);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Hostile {
        base: format!("http://{addr}"),
        counts,
        task,
    }
}

/// A minimal persisted event.
pub fn event(id: &str, processed_at: &str) -> String {
    format!(
        r#"{{"type":"agent.message","id":"{id}","processed_at":"{processed_at}","content":[{{"type":"text","text":"{id}"}}]}}"#
    )
}

fn json(body: String) -> Response {
    ([("content-type", "application/json")], body).into_response()
}

fn page(events: &[String], next: Option<&str>) -> Response {
    let next = next.map_or("null".to_owned(), |n| format!("\"{n}\""));
    json(format!(
        r#"{{"data":[{}],"next_page":{next}}}"#,
        events.join(",")
    ))
}

fn param<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
}

async fn sessions(State(s): State<Arc<Shared>>) -> Response {
    s.counts.sessions.fetch_add(1, Ordering::SeqCst);
    json(s.script.sessions.clone())
}

async fn session(Path(id): Path<String>) -> Response {
    json(format!(
        r#"{{"type":"session","id":"{id}","status":"idle","created_at":"2026-01-01T00:00:00Z"}}"#
    ))
}

async fn history(State(s): State<Arc<Shared>>, RawQuery(q): RawQuery) -> Response {
    let q = q.unwrap_or_default();
    let n = s.counts.history.fetch_add(1, Ordering::SeqCst);
    if let Ok(mut log) = s.counts.history_queries.lock() {
        log.push(q.clone());
    }
    match &s.script.history {
        History::Endless => page(
            &[event(&format!("sevt_{n:06}"), "2026-01-01T00:00:00Z")],
            Some(&format!("page_{n}")),
        ),
        History::RepeatedCursor => page(
            &[event(&format!("sevt_{n:06}"), "2026-01-01T00:00:00Z")],
            Some("page_same"),
        ),
        History::Events { events, late } => {
            let gte = param(&q, "created_at%5Bgte%5D").map(|v| v.replace("%3A", ":"));
            let mut all = events.lock().map(|e| e.clone()).unwrap_or_default();
            all.retain(|e| {
                let at = e
                    .split("\"processed_at\":\"")
                    .nth(1)
                    .and_then(|r| r.split('"').next())
                    .unwrap_or("");
                gte.as_deref().is_none_or(|g| at >= g)
            });
            if n == 0
                && let Some(late) = late
                && let Ok(mut events) = events.lock()
            {
                events.push(late.clone());
            }
            page(&all, None)
        }
        History::Huge {
            bytes,
            fits_at,
            events,
        } => {
            let limit: u32 = param(&q, "limit")
                .and_then(|l| l.parse().ok())
                .unwrap_or(1000);
            if limit <= *fits_at {
                page(events, None)
            } else {
                ([("content-type", "application/json")], bytes.clone()).into_response()
            }
        }
    }
}

async fn stream(State(s): State<Arc<Shared>>) -> Response {
    let n = s.counts.stream.fetch_add(1, Ordering::SeqCst);
    let sse = |body: Body| {
        Response::builder()
            .header("content-type", "text/event-stream")
            .body(body)
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
    };
    let hold = || Body::from_stream(futures::stream::pending::<Result<Bytes, std::io::Error>>());
    match s.script.stream {
        Stream::OneByteThenClose => sse(Body::from(":")),
        Stream::NotFound => (
            StatusCode::NOT_FOUND,
            [("content-type", "application/json")],
            r#"{"type":"error","error":{"type":"not_found_error","message":"no such session"},"request_id":"req_404"}"#,
        )
            .into_response(),
        Stream::CloseFirstThenHold if n == 0 => {
            let closing = futures::stream::once(async {
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                Ok::<_, std::io::Error>(Bytes::new())
            });
            sse(Body::from_stream(closing))
        }
        Stream::CloseFirstThenHold | Stream::Hold => sse(hold()),
        Stream::BytesThenHold(bytes) => {
            let first = futures::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from_static(bytes)) });
            sse(Body::from_stream(futures::StreamExt::chain(
                first,
                futures::stream::pending(),
            )))
        }
    }
}
