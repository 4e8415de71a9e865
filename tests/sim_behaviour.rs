//! The simulator behaves like the service: state machine, echoes, approvals, interrupts,
//! outcomes, streams, memory preconditions and dreams. Real HTTP over loopback.

use std::time::Duration;

use overseer::sim::{SimHandle, SimOptions, start};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const PATIENCE: Duration = Duration::from_secs(20);

/// A plain HTTP client that sends every beta the simulator's resources need, as the SDK does.
fn client() -> Client {
    let mut h = reqwest::header::HeaderMap::new();
    h.insert(
        "anthropic-beta",
        reqwest::header::HeaderValue::from_static(
            "managed-agents-2026-04-01,agent-memory-2026-07-22,dreaming-2026-04-21",
        ),
    );
    Client::builder()
        .default_headers(h)
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn sim(speed: f64) -> SimHandle {
    let opts = SimOptions {
        speed,
        heartbeat: Duration::from_millis(200),
        ..Default::default()
    };
    match start(
        opts,
        "127.0.0.1:0".parse().unwrap_or_else(|e| panic!("{e}")),
    )
    .await
    {
        Ok(h) => h,
        Err(e) => panic!("simulator did not start: {e}"),
    }
}

async fn get(c: &Client, url: String) -> Value {
    let r = c
        .get(&url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    assert_eq!(r.status(), StatusCode::OK, "GET {url}");
    r.json().await.unwrap_or_else(|e| panic!("GET {url}: {e}"))
}

async fn post(c: &Client, url: String, body: Value) -> (StatusCode, Value) {
    let r = c
        .post(&url)
        .json(&body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {url}: {e}"));
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Poll `f` until it yields a value (generous timeout for a loaded machine).
async fn eventually<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What reading the next frame gave: a frame, the server closing the stream, or nothing
/// within the patience (a stalled stream is not a closed one).
#[derive(Debug, PartialEq)]
enum Next {
    Frame(String, String),
    Closed,
    TimedOut,
}

struct Sse {
    resp: reqwest::Response,
    buf: String,
}

impl Sse {
    async fn open(c: &Client, url: String) -> Sse {
        let resp = c
            .get(&url)
            .send()
            .await
            .unwrap_or_else(|e| panic!("stream {url}: {e}"));
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap_or("")
                .starts_with("text/event-stream")
        );
        Sse {
            resp,
            buf: String::new(),
        }
    }

    /// Next frame as (event, data), pings included.
    async fn frame(&mut self) -> Next {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let raw: String = self.buf.drain(..end + 2).collect();
                let mut event = String::new();
                let mut data = String::new();
                for line in raw.lines() {
                    if let Some(v) = line.strip_prefix("event: ") {
                        event = v.to_string();
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        data = v.to_string();
                    }
                }
                return Next::Frame(event, data);
            }
            let chunk = match tokio::time::timeout(PATIENCE, self.resp.chunk()).await {
                Err(_) => return Next::TimedOut,
                Ok(Ok(Some(chunk))) => chunk,
                // The server ended the body (or broke the connection).
                Ok(Ok(None) | Err(_)) => return Next::Closed,
            };
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// Next non-ping event as JSON, checking the framing rule (event name == data.type).
    async fn event(&mut self) -> Option<Value> {
        loop {
            let (event, data) = match self.frame().await {
                Next::Frame(event, data) => (event, data),
                Next::Closed => return None,
                Next::TimedOut => panic!("the stream stalled: no frame within {PATIENCE:?}"),
            };
            if event == "ping" {
                continue;
            }
            let v: Value = serde_json::from_str(&data)
                .unwrap_or_else(|e| panic!("frame data is not JSON ({e}): {data}"));
            assert_eq!(
                v["type"],
                event.as_str(),
                "event: line and data.type differ"
            );
            return Some(v);
        }
    }

    async fn until(&mut self, pred: impl Fn(&Value) -> bool) -> Vec<Value> {
        let mut seen = Vec::new();
        while let Some(v) = self.event().await {
            let done = pred(&v);
            seen.push(v);
            if done {
                return seen;
            }
        }
        panic!(
            "stream ended before the expected event; saw {:?}",
            seen.iter().map(|v| v["type"].clone()).collect::<Vec<_>>()
        );
    }
}

async fn agent_and_env(c: &Client, base: &str, agent_name: &str) -> (String, String) {
    let agents = get(c, format!("{base}/v1/agents?limit=100")).await;
    let agent = agents["data"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["name"] == agent_name))
        .map(|a| a["id"].as_str().unwrap_or("").to_string())
        .unwrap_or_else(|| panic!("no agent {agent_name}"));
    let envs = get(c, format!("{base}/v1/environments")).await;
    (
        agent,
        envs["data"][0]["id"].as_str().unwrap_or("").to_string(),
    )
}

async fn new_session(c: &Client, base: &str, agent_name: &str) -> String {
    let (agent, env) = agent_and_env(c, base, agent_name).await;
    let (status, s) = post(
        c,
        format!("{base}/v1/sessions"),
        json!({"agent": agent, "environment_id": env, "title": "test"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(s["status"], "idle", "sessions start idle");
    s["id"].as_str().unwrap_or("").to_string()
}

async fn history(c: &Client, base: &str, sid: &str) -> Vec<Value> {
    get(c, format!("{base}/v1/sessions/{sid}/events?limit=1000")).await["data"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn message(text: &str) -> Value {
    json!({"events": [{"type": "user.message", "content": [{"type": "text", "text": text}]}]})
}

fn is_idle(v: &Value, reason: &str) -> bool {
    v["type"] == "session.status_idle" && v["stop_reason"]["type"] == reason
}

#[tokio::test]
async fn sim_turn_echoes_then_processes_and_returns_to_idle() {
    let h = sim(40.0).await;
    let (c, base) = (client(), h.base_url());
    let sid = new_session(&c, &base, "Deep Researcher").await;
    let mut stream = Sse::open(
        &c,
        format!("{base}/v1/sessions/{sid}/events/stream?event_deltas[]=agent.message"),
    )
    .await;
    let (status, sent) = post(
        &c,
        format!("{base}/v1/sessions/{sid}/events"),
        message("Survey vector databases"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let echo = &sent["data"][0];
    assert_eq!(echo["type"], "user.message");
    assert!(
        echo["processed_at"].is_null(),
        "the echo is queued, not processed: {echo}"
    );
    let id = echo["id"].as_str().unwrap_or("").to_string();
    assert!(id.starts_with("sevt_"));

    let seen = stream.until(|v| is_idle(v, "end_turn")).await;
    let types: Vec<&str> = seen.iter().filter_map(|v| v["type"].as_str()).collect();
    let copies: Vec<&Value> = seen.iter().filter(|v| v["id"] == id.as_str()).collect();
    assert_eq!(copies.len(), 2, "echo and processed copy: {types:?}");
    assert!(copies[0]["processed_at"].is_null());
    assert!(copies[1]["processed_at"].is_string());
    let pos = |t: &str| {
        types
            .iter()
            .position(|x| *x == t)
            .unwrap_or_else(|| panic!("missing {t} in {types:?}"))
    };
    assert!(pos("session.status_running") < pos("span.model_request_start"));
    assert!(pos("event_start") < pos("event_delta"));
    assert!(pos("event_delta") < pos("agent.message"));
    for t in [
        "agent.thinking",
        "agent.tool_use",
        "agent.tool_result",
        "span.model_request_end",
        "session.usage",
    ] {
        assert!(types.contains(&t), "missing {t} in {types:?}");
    }
    let end = seen
        .iter()
        .find(|v| v["type"] == "span.model_request_end")
        .cloned()
        .unwrap_or_default();
    assert!(end["model_usage"]["output_tokens"].as_u64().unwrap_or(0) > 0);

    let session = get(&c, format!("{base}/v1/sessions/{sid}")).await;
    assert_eq!(session["status"], "idle");
    let hist = history(&c, &base, &sid).await;
    let held: Vec<&Value> = hist.iter().filter(|v| v["id"] == id.as_str()).collect();
    assert_eq!(held.len(), 1, "history holds only the processed copy");
    assert!(held[0]["processed_at"].is_string());
    assert!(
        hist.iter()
            .all(|v| v["type"] != "event_delta" && v["type"] != "event_start"),
        "no previews in history"
    );
}

#[tokio::test]
async fn sim_confirmations_unblock_one_id_at_a_time() {
    let h = sim(40.0).await;
    let (c, base) = (client(), h.base_url());
    let sid = new_session(&c, &base, "Repo Engineer").await;
    post(
        &c,
        format!("{base}/v1/sessions/{sid}/events"),
        message("Fix the rounding bug"),
    )
    .await;
    let ids: Vec<String> = eventually("requires_action", || {
        let (c, base, sid) = (c.clone(), base.clone(), sid.clone());
        async move {
            let hist = history(&c, &base, &sid).await;
            hist.iter()
                .rev()
                .find(|v| is_idle(v, "requires_action"))
                .map(|v| {
                    v["stop_reason"]["event_ids"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
        }
    })
    .await;
    assert_eq!(ids.len(), 2, "the coder asks for two bash calls");
    let session = get(&c, format!("{base}/v1/sessions/{sid}")).await;
    assert_eq!(session["status"], "idle");
    let hist = history(&c, &base, &sid).await;
    for id in &ids {
        let call = hist
            .iter()
            .find(|v| v["id"] == id.as_str())
            .cloned()
            .unwrap_or_default();
        assert_eq!(call["type"], "agent.tool_use");
        assert_eq!(call["evaluated_permission"], "ask");
        assert_eq!(call["evaluation"]["type"], "always_ask");
    }

    let (bad, err) = post(&c, format!("{base}/v1/sessions/{sid}/events"), json!({"events": [{"type": "user.tool_confirmation", "tool_use_id": "sevt_nope", "result": "allow"}]})).await;
    assert_eq!(bad, StatusCode::BAD_REQUEST);
    assert_eq!(err["error"]["type"], "invalid_request_error");
    assert_eq!(
        err["error"]["message"],
        "user.tool_confirmation: tool_use_id \"sevt_nope\" does not match any event in this session"
    );

    let mut stream = Sse::open(&c, format!("{base}/v1/sessions/{sid}/stream")).await;
    post(&c, format!("{base}/v1/sessions/{sid}/events"), json!({"events": [{"type": "user.tool_confirmation", "tool_use_id": ids[0], "result": "allow"}]})).await;
    let seen = stream.until(|v| v["type"] == "session.status_idle").await;
    let idle = seen.last().cloned().unwrap_or_default();
    assert_eq!(
        idle["stop_reason"]["event_ids"],
        json!([ids[1]]),
        "re-emitted with the remaining id"
    );
    assert!(
        seen.iter()
            .any(|v| v["type"] == "user.tool_confirmation" && v["processed_at"].is_string())
    );

    post(&c, format!("{base}/v1/sessions/{sid}/events"), json!({"events": [{"type": "user.tool_confirmation", "tool_use_id": ids[1], "result": "deny", "deny_message": "not on main"}]})).await;
    let seen = stream.until(|v| is_idle(v, "end_turn")).await;
    assert!(seen.iter().any(|v| v["type"] == "session.status_running"));
    let results: Vec<&Value> = seen
        .iter()
        .filter(|v| v["type"] == "agent.tool_result")
        .collect();
    assert!(
        results.iter().any(|v| v["tool_use_id"] == ids[0].as_str()),
        "the allowed call ran"
    );
    assert!(
        !results.iter().any(|v| v["tool_use_id"] == ids[1].as_str()),
        "the denied call never ran"
    );
}

#[tokio::test]
async fn sim_custom_tool_result_unblocks() {
    let h = sim(40.0).await;
    let (c, base) = (client(), h.base_url());
    let sid = new_session(&c, &base, "Support Concierge").await;
    post(
        &c,
        format!("{base}/v1/sessions/{sid}/events"),
        message("Where is order A-1?"),
    )
    .await;
    let call: Value = eventually("custom tool use", || {
        let (c, base, sid) = (c.clone(), base.clone(), sid.clone());
        async move {
            let hist = history(&c, &base, &sid).await;
            let blocked = hist.iter().any(|v| is_idle(v, "requires_action"));
            hist.iter()
                .find(|v| v["type"] == "agent.custom_tool_use")
                .filter(|_| blocked)
                .cloned()
        }
    })
    .await;
    assert_eq!(call["name"], "lookup_order");
    let mut stream = Sse::open(&c, format!("{base}/v1/sessions/{sid}/events/stream")).await;
    let (status, _) = post(
        &c,
        format!("{base}/v1/sessions/{sid}/events"),
        json!({"events": [{"type": "user.custom_tool_result", "custom_tool_use_id": call["id"], "content": [{"type": "text", "text": "shipped"}]}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let seen = stream.until(|v| is_idle(v, "end_turn")).await;
    assert!(seen.iter().any(|v| v["type"] == "agent.message"));
}

#[tokio::test]
async fn sim_interrupt_jumps_the_queue() {
    let h = sim(2.0).await;
    let (c, base) = (client(), h.base_url());
    let sid = new_session(&c, &base, "Deep Researcher").await;
    let mut stream = Sse::open(&c, format!("{base}/v1/sessions/{sid}/events/stream")).await;
    post(
        &c,
        format!("{base}/v1/sessions/{sid}/events"),
        message("first"),
    )
    .await;
    stream
        .until(|v| v["type"] == "span.model_request_start")
        .await;
    let (_, queued) = post(
        &c,
        format!("{base}/v1/sessions/{sid}/events"),
        message("second, queued behind the first"),
    )
    .await;
    let queued_id = queued["data"][0]["id"].as_str().unwrap_or("").to_string();
    let (_, interrupt) = post(
        &c,
        format!("{base}/v1/sessions/{sid}/events"),
        json!({"events": [{"type": "user.interrupt"}]}),
    )
    .await;
    let interrupt_id = interrupt["data"][0]["id"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let seen = stream
        .until(|v| v["id"] == queued_id.as_str() && v["processed_at"].is_string())
        .await;
    let at = |pred: &dyn Fn(&Value) -> bool| {
        seen.iter()
            .position(pred)
            .unwrap_or_else(|| panic!("expected event missing from the stream"))
    };
    let interrupted = at(&|v| v["id"] == interrupt_id.as_str() && v["processed_at"].is_string());
    let idle = at(&|v| is_idle(v, "end_turn"));
    let second = seen.len() - 1;
    assert!(
        interrupted < idle && idle < second,
        "interrupt, then idle, then the queued message: {interrupted} {idle} {second}"
    );
}

#[tokio::test]
async fn sim_outcome_is_graded_with_spans() {
    let h = sim(60.0).await;
    let (c, base) = (client(), h.base_url());
    let sid = new_session(&c, &base, "Deep Researcher").await;
    let mut stream = Sse::open(&c, format!("{base}/v1/sessions/{sid}/events/stream")).await;
    let (status, sent) = post(
        &c,
        format!("{base}/v1/sessions/{sid}/events"),
        json!({"events": [{"type": "user.define_outcome", "description": "A cited table", "rubric": {"type": "text", "content": "- cited"}, "max_iterations": 3}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let outcome_id = sent["data"][0]["outcome_id"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(outcome_id.starts_with("outc_"));
    assert!(sent["data"][0]["processed_at"].is_string());
    let seen = stream.until(|v| is_idle(v, "end_turn")).await;
    let starts = seen
        .iter()
        .filter(|v| v["type"] == "span.outcome_evaluation_start")
        .count();
    let ends: Vec<&Value> = seen
        .iter()
        .filter(|v| v["type"] == "span.outcome_evaluation_end")
        .collect();
    assert!(starts >= 2 && starts == ends.len());
    assert!(
        seen.iter()
            .any(|v| v["type"] == "span.outcome_evaluation_ongoing")
    );
    assert_eq!(ends[0]["result"], "needs_revision");
    let last = ends.last().map(|v| v["result"].clone()).unwrap_or_default();
    assert!(
        last == "satisfied" || last == "max_iterations_reached",
        "{last}"
    );
    let session = get(&c, format!("{base}/v1/sessions/{sid}")).await;
    assert_eq!(
        session["outcome_evaluations"][0]["outcome_id"],
        outcome_id.as_str()
    );
    assert_eq!(session["outcome_evaluations"][0]["result"], last);
}

#[tokio::test]
async fn sim_streams_do_not_replay_and_serve_both_paths() {
    let h = sim(40.0).await;
    let (c, base) = (client(), h.base_url());
    let sid = new_session(&c, &base, "Docs Writer").await;
    post(
        &c,
        format!("{base}/v1/sessions/{sid}/events"),
        message("first turn"),
    )
    .await;
    eventually("first turn over", || {
        let (c, base, sid) = (c.clone(), base.clone(), sid.clone());
        async move {
            history(&c, &base, &sid)
                .await
                .iter()
                .any(|v| is_idle(v, "end_turn"))
                .then_some(())
        }
    })
    .await;
    let before: Vec<String> = history(&c, &base, &sid)
        .await
        .iter()
        .filter_map(|v| v["id"].as_str().map(str::to_string))
        .collect();
    let mut a = Sse::open(&c, format!("{base}/v1/sessions/{sid}/events/stream")).await;
    let mut b = Sse::open(&c, format!("{base}/v1/sessions/{sid}/stream")).await;
    // A heartbeat arrives while nothing happens, and nothing old is replayed.
    let Next::Frame(event, data) = a.frame().await else {
        panic!("no frame on the stream");
    };
    assert_eq!((event.as_str(), data.as_str()), ("ping", "{}"));
    post(
        &c,
        format!("{base}/v1/sessions/{sid}/events"),
        message("second turn"),
    )
    .await;
    let seen_a = a.until(|v| is_idle(v, "end_turn")).await;
    let seen_b = b.until(|v| is_idle(v, "end_turn")).await;
    assert!(
        seen_a
            .iter()
            .all(|v| !before.iter().any(|id| v["id"] == id.as_str())),
        "no replay of history"
    );
    let ids = |s: &[Value]| {
        s.iter()
            .map(|v| (v["id"].clone(), v["processed_at"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(&seen_a),
        ids(&seen_b),
        "both stream paths carry the same events"
    );
    assert!(
        seen_a.iter().all(|v| v["type"] != "event_delta"),
        "no previews without event_deltas[]"
    );
}

#[tokio::test]
async fn sim_delete_conflicts_while_running_and_ends_streams() {
    let h = sim(1.0).await;
    let (c, base) = (client(), h.base_url());
    let sid = new_session(&c, &base, "Docs Writer").await;
    let mut stream = Sse::open(&c, format!("{base}/v1/sessions/{sid}/events/stream")).await;
    post(
        &c,
        format!("{base}/v1/sessions/{sid}/events"),
        message("write"),
    )
    .await;
    stream
        .until(|v| v["type"] == "session.status_running")
        .await;
    let r = c
        .delete(format!("{base}/v1/sessions/{sid}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(r.headers()["x-should-retry"], "false");
    let body: Value = r.json().await.unwrap_or_default();
    assert_eq!(body["error"]["type"], "conflict_error");
    assert_eq!(
        body["error"]["message"],
        "cannot delete a session while it is running; interrupt it first"
    );
    post(
        &c,
        format!("{base}/v1/sessions/{sid}/events"),
        json!({"events": [{"type": "user.interrupt"}]}),
    )
    .await;
    stream.until(|v| v["type"] == "session.status_idle").await;
    let r = c
        .delete(format!("{base}/v1/sessions/{sid}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap_or_default();
    assert_eq!(body, json!({"id": sid, "type": "session_deleted"}));
    stream.until(|v| v["type"] == "session.deleted").await;
    assert_eq!(
        stream.frame().await,
        Next::Closed,
        "the stream ends after session.deleted"
    );
    let r = c
        .get(format!("{base}/v1/sessions/{sid}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let body: Value = r.json().await.unwrap_or_default();
    assert_eq!(body["error"]["type"], "not_found_error");
    assert_eq!(body["error"]["message"], format!("session {sid} not found"));
}

#[tokio::test]
async fn sim_updates_emit_session_updated_and_archive() {
    let h = sim(1.0).await;
    let (c, base) = (client(), h.base_url());
    let sid = new_session(&c, &base, "Docs Writer").await;
    let mut stream = Sse::open(&c, format!("{base}/v1/sessions/{sid}/events/stream")).await;
    let (status, s) = post(
        &c,
        format!("{base}/v1/sessions/{sid}"),
        json!({"title": "Renamed", "metadata": {"team": "docs"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s["title"], "Renamed");
    let ev = stream
        .until(|v| v["type"] == "session.updated")
        .await
        .pop()
        .unwrap_or_default();
    assert_eq!(ev["title"], "Renamed");
    assert_eq!(ev["metadata"], json!({"team": "docs"}));
    assert!(ev.get("budget").is_none(), "only changed fields");
    let (status, s) = post(&c, format!("{base}/v1/sessions/{sid}/archive"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(s["archived_at"].is_string());
    let (status, err) = post(
        &c,
        format!("{base}/v1/sessions/{sid}/events"),
        message("hello?"),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(err["type"], "error");
    assert_eq!(err["error"]["type"], "conflict_error");
    assert_eq!(
        err["error"]["message"],
        "session is archived and cannot receive events"
    );
}

fn sha(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn sim_memory_preconditions_versions_and_sha() {
    let h = sim(1.0).await;
    let (c, base) = (client(), h.base_url());
    let (_, store) = post(
        &c,
        format!("{base}/v1/memory_stores"),
        json!({"name": "tests"}),
    )
    .await;
    let st = store["id"].as_str().unwrap_or("").to_string();
    assert!(st.starts_with("memstore_"));
    let (status, m) = post(
        &c,
        format!("{base}/v1/memory_stores/{st}/memories"),
        json!({"path": "/a/b.md", "content": "héllo"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(m["content_sha256"], sha("héllo").as_str());
    assert_eq!(m["content_size_bytes"], 6);
    assert!(m["content"].is_null(), "create answers with the basic view");
    let mid = m["id"].as_str().unwrap_or("").to_string();

    let (status, err) = post(
        &c,
        format!("{base}/v1/memory_stores/{st}/memories"),
        json!({"path": "/a/b.md", "content": "x"}),
    )
    .await;
    assert_eq!(
        (status, err["error"]["type"].as_str()),
        (StatusCode::CONFLICT, Some("memory_path_conflict_error"))
    );
    assert_eq!(
        err["error"]["conflicting_memory_id"], mid,
        "the API names the memory already at that path"
    );

    let url = format!("{base}/v1/memory_stores/{st}/memories/{mid}");
    let stale = json!({"content": "new", "precondition": {"type": "content_sha256", "content_sha256": sha("other")}});
    let r = c
        .post(&url)
        .json(&stale)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(r.headers()["x-should-retry"], "false");
    let body: Value = r.json().await.unwrap_or_default();
    assert_eq!(body["error"]["type"], "memory_precondition_failed_error");
    assert_eq!(
        get(&c, url.clone()).await["content"],
        "héllo",
        "nothing was written"
    );

    let (status, m2) = post(&c, url.clone(), json!({"content": "new", "path": "/a/c.md", "precondition": {"type": "content_sha256", "content_sha256": sha("héllo")}})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (m2["path"].as_str(), m2["content_sha256"].as_str()),
        (Some("/a/c.md"), Some(sha("new").as_str()))
    );
    assert_eq!(m2["id"], mid.as_str(), "a rename keeps the id");

    let r = c
        .delete(format!("{url}?expected_content_sha256={}", sha("héllo")))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let body: Value = r.json().await.unwrap_or_default();
    assert_eq!(body["error"]["type"], "memory_precondition_failed_error");
    let r = c
        .delete(format!("{url}?expected_content_sha256={}", sha("new")))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::OK);

    let versions = get(
        &c,
        format!("{base}/v1/memory_stores/{st}/memory_versions?memory_id={mid}"),
    )
    .await;
    let ops: Vec<&str> = versions["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["operation"].as_str())
        .collect();
    assert_eq!(ops, vec!["deleted", "modified", "created"], "newest first");
    assert_eq!(versions["data"][2]["created_by"]["type"], "api_actor");
    let vid = versions["data"][2]["id"].as_str().unwrap_or("").to_string();
    let full = get(
        &c,
        format!("{base}/v1/memory_stores/{st}/memory_versions/{vid}"),
    )
    .await;
    assert_eq!(full["content"], "héllo");
    let (_, red) = post(
        &c,
        format!("{base}/v1/memory_stores/{st}/memory_versions/{vid}/redact"),
        json!({}),
    )
    .await;
    assert!(red["content"].is_null() && red["path"].is_null() && red["content_sha256"].is_null());
    assert!(red["redacted_at"].is_string());
}

async fn store_contents(c: &Client, base: &str, store: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut page: Option<String> = None;
    loop {
        let mut url = format!("{base}/v1/memory_stores/{store}/memories?limit=100");
        if let Some(p) = &page {
            url.push_str(&format!("&page={p}"));
        }
        let v = get(c, url).await;
        for m in v["data"].as_array().into_iter().flatten() {
            out.push((
                m["path"].as_str().unwrap_or("").to_string(),
                m["content_sha256"].as_str().unwrap_or("").to_string(),
            ));
        }
        match v["next_page"].as_str() {
            Some(p) => page = Some(p.to_string()),
            None => return out,
        }
    }
}

/// (added, modified, deleted, renamed) from input store `a` to output store `b`, as a reviewer sees it.
fn diff_kinds(a: &[(String, String)], b: &[(String, String)]) -> (usize, usize, usize, usize) {
    let in_a = |p: &str| a.iter().find(|(x, _)| x == p).map(|(_, s)| s.clone());
    let in_b = |p: &str| b.iter().find(|(x, _)| x == p).map(|(_, s)| s.clone());
    let modified = b
        .iter()
        .filter(|(p, s)| in_a(p).is_some_and(|old| old != *s))
        .count();
    let renamed = b
        .iter()
        .filter(|(p, s)| {
            in_a(p).is_none() && a.iter().any(|(ap, asha)| asha == s && in_b(ap).is_none())
        })
        .count();
    let added = b
        .iter()
        .filter(|(p, s)| in_a(p).is_none() && !a.iter().any(|(_, asha)| asha == s))
        .count();
    let deleted = a
        .iter()
        .filter(|(p, s)| in_b(p).is_none() && !b.iter().any(|(_, bs)| bs == s))
        .count();
    (added, modified, deleted, renamed)
}

#[tokio::test]
async fn sim_dream_on_a_three_note_store_still_changes_it_in_all_four_ways() {
    let h = sim(60.0).await;
    let (c, base) = (client(), h.base_url());
    let (_, store) = post(
        &c,
        format!("{base}/v1/memory_stores"),
        json!({"name": "tiny"}),
    )
    .await;
    let st = store["id"].as_str().unwrap_or("").to_string();
    for (path, content) in [
        ("/deploy.md", "- make release\n"),
        ("/deploy-old.md", "- tag then release\n"),
        ("/rota.md", "- Dana primary\n"),
    ] {
        post(
            &c,
            format!("{base}/v1/memory_stores/{st}/memories"),
            json!({"path": path, "content": content}),
        )
        .await;
    }
    let sessions = get(&c, format!("{base}/v1/sessions?limit=1")).await;
    let (status, d) = post(
        &c,
        format!("{base}/v1/dreams"),
        json!({"inputs": [{"type": "memory_store", "memory_store_id": st}, {"type": "sessions", "session_ids": [sessions["data"][0]["id"]]}], "model": "claude-opus-5-5"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let id = d["id"].as_str().unwrap_or("").to_string();
    let done = eventually("dream completes", || {
        let (c, url) = (c.clone(), format!("{base}/v1/dreams/{id}"));
        async move { Some(get(&c, url).await).filter(|d| d["status"] == "completed") }
    })
    .await;
    let output = done["outputs"][0]["memory_store_id"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let b = store_contents(&c, &base, &output).await;
    assert_eq!(
        diff_kinds(&store_contents(&c, &base, &st).await, &b),
        (1, 1, 1, 1)
    );
    let paths: Vec<&str> = b.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(paths.len(), 3);
    for p in ["/deploy-old.md", "/archive/rota.md", "/summary.md"] {
        assert!(paths.contains(&p), "{p} in {paths:?}");
    }
}

#[tokio::test]
async fn sim_dream_create_validates_inputs_as_the_api_does() {
    let h = sim(1.0).await;
    let (c, base) = (client(), h.base_url());
    let stores = get(&c, format!("{base}/v1/memory_stores")).await;
    let (s0, s1) = (
        stores["data"][0]["id"].clone(),
        stores["data"][1]["id"].clone(),
    );
    let sessions = get(&c, format!("{base}/v1/sessions?limit=1")).await;
    let sid = sessions["data"][0]["id"].clone();
    let cases = [
        (
            json!([{"type": "memory_store", "memory_store_id": s0}, {"type": "memory_store", "memory_store_id": s1}, {"type": "sessions", "session_ids": [sid]}]),
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "inputs: exactly one memory_store input is required".to_string(),
        ),
        (
            json!([{"type": "memory_store", "memory_store_id": s0}, {"type": "sessions", "session_ids": [sid, sid]}]),
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "inputs: session_ids must be unique".to_string(),
        ),
        (
            json!([{"type": "memory_store", "memory_store_id": s0}, {"type": "sessions", "session_ids": []}]),
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "inputs: a sessions input with 1-100 session_ids is required".to_string(),
        ),
        (
            json!([{"type": "memory_store", "memory_store_id": s0}, {"type": "sessions", "session_ids": ["sesn_01Nope"]}]),
            StatusCode::NOT_FOUND,
            "not_found_error",
            String::new(),
        ),
    ];
    let before = get(&c, format!("{base}/v1/dreams?limit=100")).await["data"]
        .as_array()
        .map(Vec::len);
    for (inputs, status, kind, message) in cases {
        let (got, err) = post(
            &c,
            format!("{base}/v1/dreams"),
            json!({"inputs": inputs, "model": "claude-opus-5-5"}),
        )
        .await;
        assert_eq!(
            (got, err["error"]["type"].as_str()),
            (status, Some(kind)),
            "{inputs}"
        );
        if !message.is_empty() {
            assert_eq!(err["error"]["message"], message.as_str());
        }
    }
    let after = get(&c, format!("{base}/v1/dreams?limit=100")).await["data"]
        .as_array()
        .map(Vec::len);
    assert_eq!(before, after, "a rejected create leaves no dream behind");
}

#[tokio::test]
async fn sim_demo_failed_dream_carries_a_real_error_type() {
    let h = sim(1.0).await;
    let (c, base) = (client(), h.base_url());
    let dreams = get(&c, format!("{base}/v1/dreams?limit=100")).await;
    let failed: Vec<Value> = dreams["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["status"] == "failed")
        .cloned()
        .collect();
    assert_eq!(failed.len(), 1);
    let kind = failed[0]["error"]["type"].as_str().unwrap_or("");
    assert!(["timeout", "internal_error"].contains(&kind), "{kind}");
    assert!(failed[0]["outputs"].as_array().is_some_and(Vec::is_empty));
}

#[tokio::test]
async fn sim_completed_dream_adds_modifies_deletes_and_renames() {
    let h = sim(1.0).await;
    let (c, base) = (client(), h.base_url());
    let dreams = get(&c, format!("{base}/v1/dreams")).await;
    let all = dreams["data"].as_array().cloned().unwrap_or_default();
    let statuses: Vec<&str> = all.iter().filter_map(|d| d["status"].as_str()).collect();
    for s in ["completed", "running", "failed"] {
        assert!(statuses.contains(&s), "demo has a {s} dream: {statuses:?}");
    }
    let done = all
        .iter()
        .find(|d| d["status"] == "completed")
        .cloned()
        .unwrap_or_default();
    let input = done["inputs"][0]["memory_store_id"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let output = done["outputs"][0]["memory_store_id"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert_ne!(input, output);
    let kinds = diff_kinds(
        &store_contents(&c, &base, &input).await,
        &store_contents(&c, &base, &output).await,
    );
    // Merged a duplicate (modify + delete), corrected three stale facts, archived a retired
    // note (rename), refiled one with an edit (seen here as delete + add), wrote a summary.
    assert_eq!(kinds, (2, 4, 2, 1), "(added, modified, deleted, renamed)");
    let session = done["session_id"].as_str().unwrap_or("").to_string();
    let by_dream = get(
        &c,
        format!("{base}/v1/memory_stores/{output}/memory_versions?session_id={session}&limit=100"),
    )
    .await;
    assert_eq!(
        by_dream["data"].as_array().map(Vec::len),
        Some(8),
        "every dream write is attributed to its session"
    );
}

#[tokio::test]
async fn sim_new_dream_runs_to_completion() {
    let h = sim(60.0).await;
    let (c, base) = (client(), h.base_url());
    let stores = get(&c, format!("{base}/v1/memory_stores")).await;
    let store = stores["data"][0]["id"].clone();
    let sessions = get(&c, format!("{base}/v1/sessions?limit=2")).await;
    let (status, d) = post(
        &c,
        format!("{base}/v1/dreams"),
        json!({"inputs": [{"type": "memory_store", "memory_store_id": store}, {"type": "sessions", "session_ids": [sessions["data"][0]["id"]]}], "model": "claude-opus-5-5"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (d["status"].as_str(), d["outputs"].as_array().map(Vec::len)),
        (Some("pending"), Some(0))
    );
    let id = d["id"].as_str().unwrap_or("").to_string();
    let done = eventually("dream completes", || {
        let (c, url) = (c.clone(), format!("{base}/v1/dreams/{id}"));
        async move { Some(get(&c, url).await).filter(|d| d["status"] == "completed") }
    })
    .await;
    assert_eq!(done["outputs"].as_array().map(Vec::len), Some(1));
    assert!(done["ended_at"].is_string());
    let (status, err) = post(&c, format!("{base}/v1/dreams/{id}/cancel"), json!({})).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a completed dream cannot be canceled"
    );
    assert_eq!(err["error"]["type"], "invalid_request_error");
    assert_eq!(err["error"]["message"], "dream is already completed");
}

#[tokio::test]
async fn sim_thread_scoped_interrupt_stops_only_that_sub_agent() {
    let h = sim(3.0).await;
    let (c, base) = (client(), h.base_url());
    let sid = new_session(&c, &base, "Research Lead").await;
    let threads = get(&c, format!("{base}/v1/sessions/{sid}/threads")).await;
    let children: Vec<String> = threads["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["parent_thread_id"].is_string())
        .filter_map(|t| t["id"].as_str().map(str::to_string))
        .collect();
    assert_eq!(children.len(), 2);
    let mut stream = Sse::open(&c, format!("{base}/v1/sessions/{sid}/events/stream")).await;
    post(
        &c,
        format!("{base}/v1/sessions/{sid}/events"),
        message("Size the market"),
    )
    .await;
    stream
        .until(|v| {
            v["type"] == "session.thread_status_running"
                && v["session_thread_id"] == children[0].as_str()
        })
        .await;
    let (status, _) = post(
        &c,
        format!("{base}/v1/sessions/{sid}/events"),
        json!({"events": [{"type": "user.interrupt", "session_thread_id": children[0]}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let seen = stream
        .until(|v| {
            v["type"] == "session.thread_status_running"
                && v["session_thread_id"] == children[1].as_str()
        })
        .await;
    assert!(
        seen.iter()
            .any(|v| v["type"] == "session.thread_status_idle"
                && v["session_thread_id"] == children[0].as_str()),
        "the interrupted sub-agent went idle"
    );
    assert!(
        !seen.iter().any(|v| v["type"] == "session.status_idle"),
        "the session itself kept running"
    );
    let session = get(&c, format!("{base}/v1/sessions/{sid}")).await;
    assert_eq!(session["status"], "running");
}

#[tokio::test]
async fn sim_answer_sent_before_the_session_blocks_is_not_lost() {
    let h = sim(4.0).await;
    let (c, base) = (client(), h.base_url());
    let sid = new_session(&c, &base, "Repo Engineer").await;
    let mut stream = Sse::open(&c, format!("{base}/v1/sessions/{sid}/events/stream")).await;
    post(
        &c,
        format!("{base}/v1/sessions/{sid}/events"),
        message("Fix it"),
    )
    .await;
    let first = stream
        .until(|v| v["type"] == "agent.tool_use" && v["evaluated_permission"] == "ask")
        .await
        .pop()
        .unwrap_or_default();
    let first_id = first["id"].as_str().unwrap_or("").to_string();
    // Answer at once, typically before the session has gone idle for it.
    let (status, _) = post(&c, format!("{base}/v1/sessions/{sid}/events"), json!({"events": [{"type": "user.tool_confirmation", "tool_use_id": first_id, "result": "allow"}]})).await;
    assert_eq!(status, StatusCode::OK);
    let seen = stream
        .until(|v| {
            is_idle(v, "requires_action")
                && v["stop_reason"]["event_ids"]
                    .as_array()
                    .is_some_and(|ids| ids.len() == 1)
        })
        .await;
    let second = seen
        .last()
        .map(|v| v["stop_reason"]["event_ids"][0].clone())
        .unwrap_or_default();
    assert_ne!(
        second,
        json!(first_id),
        "only the unanswered call is still pending"
    );
    post(&c, format!("{base}/v1/sessions/{sid}/events"), json!({"events": [{"type": "user.tool_confirmation", "tool_use_id": second, "result": "allow"}]})).await;
    let rest = stream.until(|v| is_idle(v, "end_turn")).await;
    let results: Vec<Value> = seen
        .iter()
        .chain(rest.iter())
        .filter(|v| v["type"] == "agent.tool_result")
        .map(|v| v["tool_use_id"].clone())
        .collect();
    assert!(
        results.contains(&json!(first_id)) && results.contains(&second),
        "both calls ran: {results:?}"
    );
}

#[tokio::test]
async fn sim_update_existing_dream_writes_into_its_input_store() {
    let h = sim(60.0).await;
    let (c, base) = (client(), h.base_url());
    let (_, store) = post(
        &c,
        format!("{base}/v1/memory_stores"),
        json!({"name": "in-place"}),
    )
    .await;
    let st = store["id"].as_str().unwrap_or("").to_string();
    for k in 0..8 {
        post(
            &c,
            format!("{base}/v1/memory_stores/{st}/memories"),
            json!({"path": format!("/notes/{k}.md"), "content": format!("note {k}")}),
        )
        .await;
    }
    let sessions = get(&c, format!("{base}/v1/sessions?limit=1")).await;
    let body = json!({
        "inputs": [{"type": "memory_store", "memory_store_id": st}, {"type": "sessions", "session_ids": [sessions["data"][0]["id"]]}],
        "model": "claude-opus-5-5",
        "output_behavior": {"type": "update_existing", "memory_store_id": st},
    });
    let (status, d) = post(&c, format!("{base}/v1/dreams"), body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    let (status, err) = post(&c, format!("{base}/v1/dreams"), body).await;
    assert_eq!(
        (status, err["error"]["type"].as_str()),
        (StatusCode::CONFLICT, Some("conflict_error"))
    );
    let id = d["id"].as_str().unwrap_or("").to_string();
    let done = eventually("dream completes", || {
        let (c, url) = (c.clone(), format!("{base}/v1/dreams/{id}"));
        async move { Some(get(&c, url).await).filter(|d| d["status"] == "completed") }
    })
    .await;
    assert_eq!(done["outputs"][0]["memory_store_id"], st.as_str());
    let session = done["session_id"].as_str().unwrap_or("").to_string();
    let writes = get(
        &c,
        format!("{base}/v1/memory_stores/{st}/memory_versions?session_id={session}&limit=100"),
    )
    .await;
    assert_eq!(
        writes["data"].as_array().map(Vec::len),
        Some(6),
        "the dream's writes landed in the input store"
    );
}

// ---------------------------------------------------------------------------------------------
// The simulator reacts to human answers.

/// Wait until the session's latest idle is `requires_action`; its event ids.
async fn blocked_ids(c: &Client, base: &str, sid: &str) -> Vec<String> {
    eventually("requires_action", || {
        let (c, base, sid) = (c.clone(), base.to_string(), sid.to_string());
        async move {
            let hist = history(&c, &base, &sid).await;
            hist.iter()
                .rev()
                .find(|v| v["type"] == "session.status_idle")
                .filter(|v| is_idle(v, "requires_action"))
                .map(|v| {
                    v["stop_reason"]["event_ids"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
        }
    })
    .await
}

/// Wait until the session's history ends its turn; the history.
async fn after_turn(c: &Client, base: &str, sid: &str) -> Vec<Value> {
    eventually("end_turn", || {
        let (c, base, sid) = (c.clone(), base.to_string(), sid.to_string());
        async move {
            let hist = history(&c, &base, &sid).await;
            hist.last()
                .filter(|v| is_idle(v, "end_turn"))
                .map(|_| hist.clone())
        }
    })
    .await
}

#[track_caller]
fn index_of(hist: &[Value], pred: impl Fn(&Value) -> bool) -> usize {
    hist.iter()
        .position(pred)
        .unwrap_or_else(|| panic!("event not in history"))
}

fn text_of(v: &Value) -> String {
    v["content"][0]["text"].as_str().unwrap_or("").to_string()
}

async fn answer(c: &Client, base: &str, sid: &str, events: Value) -> (StatusCode, Value) {
    post(
        c,
        format!("{base}/v1/sessions/{sid}/events"),
        json!({ "events": events }),
    )
    .await
}

async fn coder_waiting(c: &Client, base: &str) -> (String, Vec<String>) {
    let sid = new_session(c, base, "Repo Engineer").await;
    post(
        c,
        format!("{base}/v1/sessions/{sid}/events"),
        message("Fix the rounding bug"),
    )
    .await;
    let ids = blocked_ids(c, base, &sid).await;
    assert_eq!(ids.len(), 2, "the coder asks for two bash calls");
    (sid, ids)
}

#[tokio::test]
async fn sim_allow_runs_the_tool_after_the_confirmation_and_the_turn_goes_on() {
    let h = sim(40.0).await;
    let (c, base) = (client(), h.base_url());
    let (sid, ids) = coder_waiting(&c, &base).await;
    let hist = history(&c, &base, &sid).await;
    let push_cmd = hist
        .iter()
        .find(|v| v["id"] == ids[1].as_str())
        .map(|v| v["input"]["command"].as_str().unwrap_or("").to_string())
        .unwrap_or_default();
    assert!(push_cmd.starts_with("git push origin HEAD:"), "{push_cmd}");
    let (status, _) = answer(
        &c,
        &base,
        &sid,
        json!([
            {"type": "user.tool_confirmation", "tool_use_id": ids[0], "result": "allow"},
            {"type": "user.tool_confirmation", "tool_use_id": ids[1], "result": "allow"},
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let hist = after_turn(&c, &base, &sid).await;
    for id in &ids {
        let confirmed = index_of(&hist, |v| {
            v["type"] == "user.tool_confirmation" && v["tool_use_id"] == id.as_str()
        });
        let result = index_of(&hist, |v| {
            v["type"] == "agent.tool_result" && v["tool_use_id"] == id.as_str()
        });
        assert!(confirmed < result, "the result follows the confirmation");
        assert_eq!(hist[result]["is_error"], false);
    }
    let push_result = &hist[index_of(&hist, |v| {
        v["type"] == "agent.tool_result" && v["tool_use_id"] == ids[1].as_str()
    })];
    let branch = push_cmd.trim_start_matches("git push origin HEAD:");
    assert!(text_of(push_result).contains(&format!("HEAD -> {branch}")));
    let last_message = hist
        .iter()
        .rev()
        .find(|v| v["type"] == "agent.message")
        .map(text_of)
        .unwrap_or_default();
    assert!(
        last_message.starts_with(&format!("Tests pass and the branch is pushed as {branch}.")),
        "{last_message}"
    );
}

#[tokio::test]
async fn sim_deny_is_read_and_the_agent_changes_course() {
    let h = sim(40.0).await;
    let (c, base) = (client(), h.base_url());
    let (sid, ids) = coder_waiting(&c, &base).await;
    let (status, _) = answer(&c, &base, &sid, json!([
        {"type": "user.tool_confirmation", "tool_use_id": ids[0], "result": "allow"},
        {"type": "user.tool_confirmation", "tool_use_id": ids[1], "result": "deny", "deny_message": "no pushes during the freeze"},
    ]))
    .await;
    assert_eq!(status, StatusCode::OK);
    let hist = after_turn(&c, &base, &sid).await;
    let denied = index_of(&hist, |v| {
        v["type"] == "user.tool_confirmation" && v["tool_use_id"] == ids[1].as_str()
    });
    assert_eq!(hist[denied]["result"], "deny");
    let next = hist[denied..]
        .iter()
        .find(|v| v["type"] == "agent.message")
        .map(text_of)
        .unwrap_or_default();
    assert!(next.contains("You denied `git push origin HEAD:"), "{next}");
    assert!(next.contains("\"no pushes during the freeze\""), "{next}");
    assert!(next.contains("I did not run it."), "{next}");
    assert!(
        !hist
            .iter()
            .any(|v| v["type"] == "agent.tool_result" && v["tool_use_id"] == ids[1].as_str()),
        "the denied call has no result"
    );
    assert!(
        hist[denied..]
            .iter()
            .filter(|v| v["type"] == "agent.message")
            .all(|v| !text_of(v).contains("pushed as")),
        "no message claims the push happened"
    );
}

async fn support_waiting(c: &Client, base: &str) -> (String, String) {
    let sid = new_session(c, base, "Support Concierge").await;
    post(
        c,
        format!("{base}/v1/sessions/{sid}/events"),
        message("Where is order A-1?"),
    )
    .await;
    let ids = blocked_ids(c, base, &sid).await;
    assert_eq!(ids.len(), 1);
    (sid, ids[0].clone())
}

#[tokio::test]
async fn sim_custom_tool_answer_shapes_the_next_message() {
    let h = sim(40.0).await;
    let (c, base) = (client(), h.base_url());
    for (text, is_error, says) in [
        (
            "Order A-1: delivered 3 March, box crushed",
            false,
            "returned: \"Order A-1: delivered 3 March, box crushed\"",
        ),
        (
            "order A-1 not found",
            true,
            "failed: \"order A-1 not found\"",
        ),
    ] {
        let (sid, call) = support_waiting(&c, &base).await;
        let (status, _) = answer(&c, &base, &sid, json!([
            {"type": "user.custom_tool_result", "custom_tool_use_id": call, "content": [{"type": "text", "text": text}], "is_error": is_error},
        ]))
        .await;
        assert_eq!(status, StatusCode::OK);
        let hist = after_turn(&c, &base, &sid).await;
        let answered = index_of(&hist, |v| v["type"] == "user.custom_tool_result");
        let next = hist[answered..]
            .iter()
            .find(|v| v["type"] == "agent.message")
            .map(text_of)
            .unwrap_or_default();
        assert!(next.contains(says), "{next}");
        assert!(
            !next.contains("replacement with express shipping"),
            "the canned reply is not used once the answer is known: {next}"
        );
    }
}

#[tokio::test]
async fn sim_invalid_answers_are_400_and_change_nothing() {
    let h = sim(40.0).await;
    let (c, base) = (client(), h.base_url());
    let (sid, ids) = coder_waiting(&c, &base).await;
    let (support, call) = support_waiting(&c, &base).await;
    let cases = [
        (
            sid.clone(),
            json!({"type": "user.tool_confirmation", "tool_use_id": "sevt_nope", "result": "allow"}),
            "user.tool_confirmation: tool_use_id \"sevt_nope\" does not match any event in this session",
        ),
        (
            sid.clone(),
            json!({"type": "user.custom_tool_result", "custom_tool_use_id": ids[0], "content": [{"type": "text", "text": "x"}]}),
            "is not a custom tool use; answer a tool use with user.tool_confirmation",
        ),
        (
            support.clone(),
            json!({"type": "user.tool_confirmation", "tool_use_id": call, "result": "allow"}),
            "is a custom tool use; answer it with user.custom_tool_result",
        ),
    ];
    for (session, ev, msg) in cases {
        let before = history(&c, &base, &session).await;
        let (status, err) = answer(&c, &base, &session, json!([ev])).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
        assert_eq!(err["error"]["type"], "invalid_request_error");
        let text = err["error"]["message"].as_str().unwrap_or("");
        assert!(text.contains(msg), "{text}");
        assert_eq!(
            history(&c, &base, &session).await,
            before,
            "nothing changed"
        );
    }
    // Already answered: the first answer counts, the second is refused.
    answer(
        &c,
        &base,
        &sid,
        json!([{"type": "user.tool_confirmation", "tool_use_id": ids[0], "result": "allow"}]),
    )
    .await;
    let remaining = blocked_ids(&c, &base, &sid).await;
    assert_eq!(remaining, vec![ids[1].clone()]);
    let before = history(&c, &base, &sid).await;
    let (status, err) = answer(
        &c,
        &base,
        &sid,
        json!([{"type": "user.tool_confirmation", "tool_use_id": ids[0], "result": "deny"}]),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["error"]["type"], "invalid_request_error");
    assert_eq!(
        err["error"]["message"],
        format!("user.tool_confirmation: {:?} was already answered", ids[0])
    );
    assert_eq!(history(&c, &base, &sid).await, before, "nothing changed");
}

#[tokio::test]
async fn sim_sub_agent_call_answered_resumes_its_thread() {
    let h = sim(40.0).await;
    let (c, base) = (client(), h.base_url());
    let sid = new_session(&c, &base, "Research Lead").await;
    post(
        &c,
        format!("{base}/v1/sessions/{sid}/events"),
        message("Run the strict citation check on the draft."),
    )
    .await;
    let ids = blocked_ids(&c, &base, &sid).await;
    assert_eq!(ids.len(), 1);
    let hist = history(&c, &base, &sid).await;
    let call = hist
        .iter()
        .find(|v| v["id"] == ids[0].as_str())
        .cloned()
        .unwrap_or_default();
    assert_eq!(call["type"], "agent.tool_use");
    let tid = call["session_thread_id"].as_str().unwrap_or("").to_string();
    assert!(
        tid.starts_with("sthr_"),
        "cross-posted with its thread: {call}"
    );
    // As the wire says: answer by tool_use_id only; the server routes it to the thread.
    let (status, sent) = answer(
        &c,
        &base,
        &sid,
        json!([
            {"type": "user.tool_confirmation", "tool_use_id": ids[0], "result": "allow"},
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sent["data"][0]["session_thread_id"], tid.as_str());
    after_turn(&c, &base, &sid).await;
    let thread: Vec<Value> = get(
        &c,
        format!("{base}/v1/sessions/{sid}/threads/{tid}/events?limit=1000"),
    )
    .await["data"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let result = index_of(&thread, |v| {
        v["type"] == "agent.tool_result" && v["tool_use_id"] == ids[0].as_str()
    });
    let waited = index_of(&thread, |v| {
        v["type"] == "session.thread_status_idle"
            && v["stop_reason"]["type"] == "requires_action"
            && v["stop_reason"]["event_ids"] == json!([ids[0]])
    });
    assert!(waited < result);
    assert!(
        thread[waited..result]
            .iter()
            .any(|v| v["type"] == "session.thread_status_running"),
        "the thread runs again before its result"
    );
    let last = thread.last().cloned().unwrap_or_default();
    assert_eq!(last["type"], "session.thread_status_idle", "{last}");
    assert_eq!(last["stop_reason"]["type"], "end_turn");
}

#[tokio::test]
async fn sim_demo_fleet_has_calls_waiting_for_a_human() {
    // Three times real time: the patience below covers a minute of simulated time.
    let h = sim(3.0).await;
    let (c, base) = (client(), h.base_url());
    let sessions = get(&c, format!("{base}/v1/sessions?limit=100")).await;
    let sid_of = |title: &str| {
        sessions["data"]
            .as_array()
            .and_then(|a| a.iter().find(|s| s["title"] == title))
            .map(|s| s["id"].as_str().unwrap_or("").to_string())
            .unwrap_or_else(|| panic!("no demo session {title}"))
    };
    let coder = sid_of("Fix invoice rounding for multi-currency carts");
    let ids = blocked_ids(&c, &base, &coder).await;
    let hist = history(&c, &base, &coder).await;
    assert_eq!(ids.len(), 2, "two bash calls wait");
    for id in &ids {
        let call = hist
            .iter()
            .find(|v| v["id"] == id.as_str())
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            (
                call["type"].as_str(),
                call["name"].as_str(),
                call["evaluated_permission"].as_str()
            ),
            (Some("agent.tool_use"), Some("bash"), Some("ask"))
        );
    }
    let support = sid_of("Ticket #8812 — damaged order, replacement before Friday");
    let ids = blocked_ids(&c, &base, &support).await;
    let hist = history(&c, &base, &support).await;
    assert_eq!(ids.len(), 1);
    assert!(
        hist.iter()
            .any(|v| v["id"] == ids[0].as_str() && v["type"] == "agent.custom_tool_use")
    );
    let lead = sid_of("Market sizing: observability platforms 2026");
    let ids = blocked_ids(&c, &base, &lead).await;
    let hist = history(&c, &base, &lead).await;
    assert!(
        ids.iter()
            .any(|id| hist.iter().any(|v| v["id"] == id.as_str()
                && v["type"] == "agent.tool_use"
                && v["session_thread_id"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("sthr_")))),
        "a sub-agent's call waits: {ids:?}"
    );
}

#[tokio::test]
async fn sim_answers_to_calls_that_never_waited_or_in_a_bad_batch_change_nothing() {
    let h = sim(40.0).await;
    let (c, base) = (client(), h.base_url());
    let (sid, ids) = coder_waiting(&c, &base).await;
    // One bad event spoils the batch: the good answer in it is not applied either.
    let before = history(&c, &base, &sid).await;
    let (status, err) = answer(
        &c,
        &base,
        &sid,
        json!([
            {"type": "user.tool_confirmation", "tool_use_id": ids[0], "result": "allow"},
            {"type": "user.tool_confirmation", "tool_use_id": "sevt_nope", "result": "allow"},
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(err["error"]["type"], "invalid_request_error");
    assert_eq!(history(&c, &base, &sid).await, before, "nothing changed");
    assert_eq!(blocked_ids(&c, &base, &sid).await, ids, "both still wait");
    answer(
        &c,
        &base,
        &sid,
        json!([
            {"type": "user.tool_confirmation", "tool_use_id": ids[0], "result": "allow"},
            {"type": "user.tool_confirmation", "tool_use_id": ids[1], "result": "allow"},
        ]),
    )
    .await;
    let hist = after_turn(&c, &base, &sid).await;
    // A message is not a call; a call that ran on its own never waited for a human.
    let message = hist
        .iter()
        .find(|v| v["type"] == "agent.message")
        .and_then(|v| v["id"].as_str())
        .unwrap_or_default()
        .to_string();
    let ran_alone = hist
        .iter()
        .find(|v| v["type"] == "agent.tool_use" && v["evaluated_permission"] != "ask")
        .and_then(|v| v["id"].as_str())
        .map(str::to_string)
        .expect("the coder reads the code without asking");
    let cases = [
        (
            message.clone(),
            format!("user.tool_confirmation: {message:?} is not a tool use"),
        ),
        (
            ran_alone.clone(),
            format!("user.tool_confirmation: {ran_alone:?} is not waiting for an answer"),
        ),
    ];
    for (id, says) in cases {
        let before = history(&c, &base, &sid).await;
        let (status, err) = answer(
            &c,
            &base,
            &sid,
            json!([{"type": "user.tool_confirmation", "tool_use_id": id, "result": "allow"}]),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
        assert_eq!(err["error"]["type"], "invalid_request_error");
        assert_eq!(err["error"]["message"], says);
        assert_eq!(history(&c, &base, &sid).await, before, "nothing changed");
    }
}

// ---------------------------------------------------------------------------------------------
// The simulator behaves like the API: session create forms, agent versions, error envelopes,
// sendable-event rules, event variety, dream write failures.

async fn all_session_ids(c: &Client, base: &str) -> Vec<String> {
    let v = get(
        c,
        format!("{base}/v1/sessions?limit=100&include_archived=true"),
    )
    .await;
    assert!(v["next_page"].is_null(), "fits one page");
    v["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["id"].as_str().map(str::to_string))
        .collect()
}

async fn env_named(c: &Client, base: &str, name: &str) -> String {
    let envs = get(c, format!("{base}/v1/environments")).await;
    envs["data"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["name"] == name))
        .and_then(|e| e["id"].as_str())
        .unwrap_or_else(|| panic!("no environment {name}"))
        .to_string()
}

const CODER_V1: &str = "You are a senior engineer. Write a failing test first. Never push to main.";
const CODER_V2: &str = "You are a senior engineer. Write a failing test first. Never push to main. Ask before running shell commands.";

#[tokio::test]
async fn sim_session_create_takes_every_agent_form() {
    let h = sim(0.0001).await;
    let (c, base) = (client(), h.base_url());
    let (coder, _) = agent_and_env(&c, &base, "Repo Engineer").await;
    let env = env_named(&c, &base, "prod-cloud").await;
    let create = |agent: Value| {
        let (c, url, env) = (c.clone(), format!("{base}/v1/sessions"), env.clone());
        async move { post(&c, url, json!({"agent": agent, "environment_id": env})).await }
    };
    // A bare id: the latest version, recorded on the session.
    let (status, s) = create(json!(coder)).await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(
        (
            s["agent"]["version"].as_u64(),
            s["agent"]["system"].as_str()
        ),
        (Some(2), Some(CODER_V2))
    );
    assert_eq!(s["agent"]["type"], "agent");
    assert!(
        s["agent"].get("metadata").is_none(),
        "a snapshot, not the agent object"
    );
    // A pinned version.
    let (status, s) = create(json!({"type": "agent", "id": coder, "version": 1})).await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(
        (
            s["agent"]["version"].as_u64(),
            s["agent"]["system"].as_str()
        ),
        (Some(1), Some(CODER_V1))
    );
    let pinned = s["id"].clone();
    let listed = get(
        &c,
        format!("{base}/v1/sessions?agent_id={coder}&agent_version=1"),
    )
    .await;
    assert_eq!(
        listed["data"]
            .as_array()
            .map(|a| a.iter().map(|s| s["id"].clone()).collect::<Vec<_>>()),
        Some(vec![pinned])
    );
    // Overrides replace what they name and keep the rest of that version.
    let (status, s) = create(json!({
        "type": "agent_with_overrides", "id": coder, "version": 1,
        "model": {"id": "claude-opus-5-5", "effort": "max"},
        "system": "Be brief.",
        "tools": [{"type": "custom", "name": "lookup", "description": "Look it up.", "input_schema": {"type": "object"}}],
    }))
    .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(s["agent"]["version"], 1);
    assert_eq!(
        s["agent"]["model"],
        json!({"id": "claude-opus-5-5", "effort": {"type": "max"}})
    );
    assert_eq!(s["agent"]["system"], "Be brief.");
    assert_eq!(s["agent"]["tools"][0]["name"], "lookup");
    assert_eq!(s["agent"]["name"], "Repo Engineer");
    // Every refusal is the API's error, and leaves no session behind.
    let before = all_session_ids(&c, &base).await;
    let cases = [
        (json!({"type": "agent", "id": coder, "version": 9}), StatusCode::NOT_FOUND, "not_found_error", format!("agent {coder} version 9 not found")),
        (json!({"type": "agent", "id": "agent_nope"}), StatusCode::NOT_FOUND, "not_found_error", "agent agent_nope not found".to_string()),
        (json!({"type": "agent", "id": coder, "system": "x"}), StatusCode::BAD_REQUEST, "invalid_request_error", "agent.system: not allowed with agent.type \"agent\"".to_string()),
        (json!({"type": "agent_copy", "id": coder}), StatusCode::BAD_REQUEST, "invalid_request_error", "agent.type: expected \"agent\" or \"agent_with_overrides\", got \"agent_copy\"".to_string()),
        (json!({"type": "agent_with_overrides", "id": coder, "tools": [{"type": "mcp_toolset", "mcp_server_name": "jira"}]}), StatusCode::BAD_REQUEST, "invalid_request_error", "tools: mcp_toolset names MCP server \"jira\", which is not in mcp_servers".to_string()),
        (json!(42), StatusCode::BAD_REQUEST, "invalid_request_error", "agent: required (an agent id, {type: \"agent\", id, version?} or {type: \"agent_with_overrides\", id, ...})".to_string()),
    ];
    for (agent, status, kind, message) in cases {
        let (got, err) = create(agent.clone()).await;
        assert_eq!(
            (
                got,
                err["error"]["type"].as_str(),
                err["error"]["message"].as_str()
            ),
            (status, Some(kind), Some(message.as_str())),
            "{agent}"
        );
    }
    assert_eq!(all_session_ids(&c, &base).await, before);
}

#[tokio::test]
async fn sim_session_create_returns_resources_and_vaults_as_the_api_does() {
    let h = sim(0.0001).await;
    let (c, base) = (client(), h.base_url());
    let (coder, _) = agent_and_env(&c, &base, "Repo Engineer").await;
    let env = env_named(&c, &base, "prod-cloud").await;
    let stores = get(&c, format!("{base}/v1/memory_stores")).await;
    let eng = stores["data"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["name"] == "engineering-notes"))
        .map(|s| s["id"].clone())
        .unwrap_or_else(|| panic!("no engineering-notes store: {stores}"));
    let (status, s) = post(
        &c,
        format!("{base}/v1/sessions"),
        json!({"agent": coder, "environment_id": env, "vault_ids": ["vlt_01Alpha", "vlt_01Beta"], "resources": [
            {"type": "github_repository", "url": "https://github.com/acme/app.git", "authorization_token": "ghp_secret", "checkout": {"type": "branch", "name": "main"}},
            {"type": "file", "file_id": "file_011Spec"},
            {"type": "memory_store", "memory_store_id": eng, "instructions": "Notes on deploys."},
        ]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(s["vault_ids"], json!(["vlt_01Alpha", "vlt_01Beta"]));
    let r = &s["resources"];
    assert_eq!(r.as_array().map(Vec::len), Some(3));
    assert!(
        r[0]["id"]
            .as_str()
            .is_some_and(|i| i.starts_with("sesrsc_")),
        "{r}"
    );
    assert_eq!(
        (
            r[0]["type"].as_str(),
            r[0]["url"].as_str(),
            r[0]["mount_path"].as_str()
        ),
        (
            Some("github_repository"),
            Some("https://github.com/acme/app.git"),
            Some("/workspace/app")
        )
    );
    assert_eq!(r[0]["checkout"], json!({"type": "branch", "name": "main"}));
    assert!(
        r[0].get("authorization_token").is_none(),
        "tokens are write-only"
    );
    assert!(r[0]["created_at"].is_string());
    assert_eq!(
        (r[1]["file_id"].as_str(), r[1]["mount_path"].as_str()),
        (
            Some("file_011Spec"),
            Some("/mnt/session/uploads/file_011Spec")
        )
    );
    assert_eq!(
        r[2],
        json!({"type": "memory_store", "memory_store_id": eng, "access": "read_write", "name": "engineering-notes", "description": r[2]["description"], "instructions": "Notes on deploys.", "mount_path": "/mnt/memory/engineering-notes"})
    );
    assert!(
        r[2].get("id").is_none(),
        "memory store resources have no id"
    );
    // Refusals: exact type, message and details; nothing created.
    let before = all_session_ids(&c, &base).await;
    let many: serde_json::Map<String, Value> =
        (0..17).map(|i| (format!("k{i}"), json!("v"))).collect();
    let cases = [
        (
            json!({"agent": coder, "environment_id": "env_nope"}),
            StatusCode::NOT_FOUND,
            "not_found_error",
            "environment env_nope not found",
            Some("environment_not_found"),
        ),
        (
            json!({"agent": coder, "environment_id": env, "metadata": many}),
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "metadata: at most 16 pairs",
            Some("invalid_metadata"),
        ),
        (
            json!({"agent": coder, "environment_id": env, "vault_ids": ["vault-1"]}),
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "vault_ids[0]: expected a vault id (vlt_...), got \"vault-1\"",
            None,
        ),
        (
            json!({"agent": coder, "environment_id": env, "resources": [{"type": "memory_store", "memory_store_id": "memstore_nope"}]}),
            StatusCode::NOT_FOUND,
            "not_found_error",
            "memory store memstore_nope not found",
            None,
        ),
        (
            json!({"agent": coder, "environment_id": env, "resources": [{"type": "memory_store", "memory_store_id": eng, "access": "write"}]}),
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "resources[0].access: expected read_write or read_only, got \"write\"",
            None,
        ),
        (
            json!({"agent": coder, "environment_id": env, "resources": [{"type": "github_repository", "url": "https://gitlab.com/a/b"}]}),
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "resources[0].url: expected https://github.com/<owner>/<repo>, got \"https://gitlab.com/a/b\"",
            None,
        ),
        (
            json!({"agent": coder, "environment_id": env, "resources": [{"type": "bucket"}]}),
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "resources[0].type: expected github_repository, file or memory_store, got \"bucket\"",
            None,
        ),
        (
            json!({"agent": coder, "environment_id": env, "budget": {"type": "limit", "max_list_cost": {"amount": 25, "currency": "USD"}}}),
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "budget: expected {type: \"limit\", max_list_cost: {amount: \"<minor units as a string>\", currency: \"USD\"}}",
            None,
        ),
        (
            json!({"agent": coder, "environment_id": env, "initial_events": [{"type": "system.message", "content": [{"type": "text", "text": "x"}]}]}),
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "initial_events: only user.message and user.define_outcome are allowed",
            None,
        ),
    ];
    for (body, status, kind, message, code) in cases {
        let (got, err) = post(&c, format!("{base}/v1/sessions"), body.clone()).await;
        assert_eq!(
            (
                got,
                err["error"]["type"].as_str(),
                err["error"]["message"].as_str()
            ),
            (status, Some(kind), Some(message)),
            "{body}"
        );
        assert_eq!(
            err["error"]["details"]["error_code"].as_str(),
            code,
            "{err}"
        );
    }
    assert_eq!(all_session_ids(&c, &base).await, before);
}

#[tokio::test]
async fn sim_agent_versions_are_real() {
    let h = sim(0.0001).await;
    let (c, base) = (client(), h.base_url());
    let (coder, _) = agent_and_env(&c, &base, "Repo Engineer").await;
    let v = get(&c, format!("{base}/v1/agents/{coder}/versions")).await;
    let versions: Vec<_> = v["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            (
                a["version"].as_u64(),
                a["system"].as_str().map(str::to_string),
            )
        })
        .collect();
    assert_eq!(
        versions,
        vec![
            (Some(2), Some(CODER_V2.to_string())),
            (Some(1), Some(CODER_V1.to_string()))
        ],
        "newest first"
    );
    assert!(v["next_page"].is_null());
    // Paged like every list.
    let p1 = get(&c, format!("{base}/v1/agents/{coder}/versions?limit=1")).await;
    assert_eq!(p1["data"][0]["version"], 2);
    let next = p1["next_page"]
        .as_str()
        .unwrap_or_else(|| panic!("a second page: {p1}"));
    let p2 = get(
        &c,
        format!("{base}/v1/agents/{coder}/versions?limit=1&page={next}"),
    )
    .await;
    assert_eq!(
        (p2["data"][0]["version"].as_u64(), p2["next_page"].is_null()),
        (Some(1), true)
    );
    // One version by number; unknown ones are 404.
    let one = get(&c, format!("{base}/v1/agents/{coder}?version=1")).await;
    assert_eq!(
        (one["version"].as_u64(), one["system"].as_str()),
        (Some(1), Some(CODER_V1))
    );
    assert_eq!(
        get(&c, format!("{base}/v1/agents/{coder}")).await["version"],
        2
    );
    let r = c
        .get(format!("{base}/v1/agents/{coder}?version=3"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let err: Value = r.json().await.unwrap_or_default();
    assert_eq!(
        (
            err["error"]["type"].as_str(),
            err["error"]["message"].as_str()
        ),
        (
            Some("not_found_error"),
            Some(format!("agent {coder} version 3 not found").as_str())
        )
    );
    let r = c
        .get(format!("{base}/v1/agents/{coder}?version=0"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn sim_session_update_honours_agent_tools_and_mcp_servers() {
    let h = sim(0.0001).await;
    let (c, base) = (client(), h.base_url());
    let sid = new_session(&c, &base, "Repo Engineer").await;
    let url = format!("{base}/v1/sessions/{sid}");
    let tools = json!([{"type": "custom", "name": "deploy", "description": "Deploy it.", "input_schema": {"type": "object"}}]);
    let servers = json!([{"type": "url", "name": "linear", "url": "https://mcp.linear.app/sse"}]);
    let (status, s) = post(
        &c,
        url.clone(),
        json!({"agent": {"tools": tools, "mcp_servers": servers}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(
        (&s["agent"]["tools"], &s["agent"]["mcp_servers"]),
        (&tools, &servers)
    );
    assert_eq!(
        s["agent"]["system"], CODER_V2,
        "the rest of the snapshot stays"
    );
    let hist = history(&c, &base, &sid).await;
    let updated = hist
        .iter()
        .rev()
        .find(|e| e["type"] == "session.updated")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        updated["agent"]["tools"], tools,
        "session.updated carries the full agent snapshot"
    );
    let (status, err) = post(
        &c,
        url.clone(),
        json!({"agent": {"model": "claude-haiku-5-5"}}),
    )
    .await;
    assert_eq!(
        (status, err["error"]["message"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("agent.model: only tools and mcp_servers can be changed on a session")
        )
    );
    // A running session's agent cannot change: 409 conflict_error.
    let (status, _) = post(&c, format!("{url}/events"), message("Fix the rounding bug")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(get(&c, url.clone()).await["status"], "running");
    let (status, err) = post(&c, url.clone(), json!({"agent": {"tools": []}})).await;
    assert_eq!(
        (status, err["error"]["type"].as_str()),
        (StatusCode::CONFLICT, Some("conflict_error"))
    );
    assert_eq!(
        get(&c, url).await["agent"]["tools"],
        tools,
        "nothing changed"
    );
}

#[tokio::test]
async fn sim_post_events_refuses_system_message_and_tool_result_as_the_api_does() {
    let h = sim(0.0001).await;
    let (c, base) = (client(), h.base_url());
    let (coder, _) = agent_and_env(&c, &base, "Repo Engineer").await;
    let env = env_named(&c, &base, "prod-cloud").await;
    let (_, s) = post(
        &c,
        format!("{base}/v1/sessions"),
        json!({"agent": coder, "environment_id": env}),
    )
    .await;
    let url = format!(
        "{base}/v1/sessions/{}/events",
        s["id"].as_str().unwrap_or("")
    );
    let msg = json!({"type": "user.message", "content": [{"type": "text", "text": "hi"}]});
    let sys = json!({"type": "system.message", "content": [{"type": "text", "text": "Be terse."}]});
    let cases = [
        (
            json!([sys]),
            "system.message must immediately follow the user.message, user.tool_result or user.custom_tool_result it accompanies",
        ),
        (
            json!([sys, msg]),
            "system.message must be the last event of the request",
        ),
        (
            json!([msg, sys, sys]),
            "events: at most one system.message per request",
        ),
        (
            json!([{"type": "system.message", "content": [{"type": "image", "source": {"type": "url", "url": "https://x"}}]}]),
            "system.message: content may only hold text blocks",
        ),
        (
            json!([{"type": "user.tool_result", "tool_use_id": "sevt_x", "content": []}]),
            "user.tool_result: only accepted on sessions in a self_hosted environment; in a cloud environment the sandbox runs the tools and answers them itself",
        ),
    ];
    for (events, message) in cases {
        let (status, err) = post(&c, url.clone(), json!({"events": events})).await;
        assert_eq!(
            (
                status,
                err["error"]["type"].as_str(),
                err["error"]["message"].as_str()
            ),
            (
                StatusCode::BAD_REQUEST,
                Some("invalid_request_error"),
                Some(message)
            ),
            "{events}"
        );
    }
    assert_eq!(
        history(&c, &base, s["id"].as_str().unwrap_or(""))
            .await
            .len(),
        0,
        "refused requests add nothing"
    );
    let (status, echo) = post(&c, url, json!({"events": [msg, sys]})).await;
    assert_eq!(status, StatusCode::OK, "{echo}");
    assert_eq!(echo["data"][1]["type"], "system.message");
}

/// The first event of `hist` after index `i` that matches.
fn after(hist: &[Value], i: usize, pred: impl Fn(&Value) -> bool) -> Option<&Value> {
    hist.iter().skip(i + 1).find(|e| pred(e))
}

#[tokio::test]
async fn sim_demo_history_shows_refusal_auto_deny_compaction_terminal_error_and_exhausted_retries()
{
    let h = sim(4.0).await;
    let (c, base) = (client(), h.base_url());
    let found = eventually("every kind of event in the demo's history", || {
        let (c, base) = (c.clone(), base.clone());
        async move {
            let mut seen = [false; 5];
            for sid in all_session_ids(&c, &base).await {
                let hist = history(&c, &base, &sid).await;
                for (i, e) in hist.iter().enumerate() {
                    if is_idle(e, "refusal") {
                        assert_eq!(e["stop_details"]["type"], "refusal");
                        assert_eq!(e["stop_details"]["category"], "cyber");
                        assert!(e["stop_details"]["explanation"].is_string());
                        seen[0] = true;
                    }
                    if e["type"] == "agent.mcp_tool_use" && e["evaluated_permission"] == "deny" {
                        assert_eq!(e["evaluation"], json!({"type": "auto", "evaluated_permission": {"type": "deny", "reason_code": "high_risk"}}));
                        // The call never runs: a synthetic error result, no human asked, then the agent reacts.
                        let id = e["id"].clone();
                        let result = after(&hist, i, |r| r["mcp_tool_use_id"] == id);
                        let reply = after(&hist, i, |r| r["type"] == "agent.message");
                        if let (Some(r), Some(m)) = (result, reply) {
                            assert_eq!(r["is_error"], true);
                            assert!(m["content"][0]["text"].as_str().is_some_and(|t| t.contains("blocked by the permission policy")));
                            assert!(!hist.iter().any(|x| x["stop_reason"]["event_ids"].as_array().is_some_and(|ids| ids.contains(&id))));
                            seen[1] = true;
                        }
                    }
                    if e["type"] == "agent.thread_context_compacted" {
                        seen[2] = true;
                    }
                    if e["type"] == "session.error" && e["error"]["retry_status"]["type"] == "terminal" {
                        assert_eq!(hist.get(i + 1).map(|n| n["type"].clone()), Some(json!("session.status_terminated")));
                        seen[3] = true;
                    }
                    if e["type"] == "session.error" && e["error"]["retry_status"]["type"] == "exhausted" {
                        assert!(hist.get(i + 1).is_some_and(|n| is_idle(n, "retries_exhausted")));
                        seen[4] = true;
                    }
                }
            }
            (seen == [true; 5]).then_some(seen)
        }
    })
    .await;
    assert_eq!(found, [true; 5]);
}

#[tokio::test]
async fn sim_dream_whose_write_is_refused_fails_with_an_error() {
    let h = sim(60.0).await;
    let (c, base) = (client(), h.base_url());
    let (status, store) = post(
        &c,
        format!("{base}/v1/memory_stores"),
        json!({"name": "near the limit"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{store}");
    let st = store["id"].as_str().unwrap_or("").to_string();
    // The dream merges /b.md into /a.md, which is already at the size limit: the write is refused.
    for (path, content) in [
        ("/a.md", "x".repeat(102_400)),
        ("/b.md", "- one\n".to_string()),
        ("/c.md", "- two\n".to_string()),
    ] {
        let (status, m) = post(
            &c,
            format!("{base}/v1/memory_stores/{st}/memories"),
            json!({"path": path, "content": content}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{m}");
    }
    let sessions = get(&c, format!("{base}/v1/sessions?limit=1")).await;
    let (status, d) = post(
        &c,
        format!("{base}/v1/dreams"),
        json!({"inputs": [{"type": "memory_store", "memory_store_id": st}, {"type": "sessions", "session_ids": [sessions["data"][0]["id"]]}], "model": "claude-opus-5-5"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    let id = d["id"].as_str().unwrap_or("").to_string();
    let done = eventually("the dream ends", || {
        let (c, url) = (c.clone(), format!("{base}/v1/dreams/{id}"));
        async move {
            Some(get(&c, url).await)
                .filter(|d| d["status"] == "failed" || d["status"] == "completed")
        }
    })
    .await;
    assert_eq!(done["status"], "failed", "{done}");
    assert_eq!(
        done["error"],
        json!({"type": "internal_error", "message": "The dream stopped after an internal error: content must be at most 102400 bytes"})
    );
    assert!(done["ended_at"].is_string());
}
