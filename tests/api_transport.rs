//! The client's transport against a tiny scripted axum server over loopback: headers, query
//! encoding, retries, error lines, decode errors, pagination and stream opening.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use overseer::api::client::ApiKey;
use overseer::api::events::{EventBody, EventParams};
use overseer::api::types::{
    CreateDreamParams, ListEventsParams, ListMemoriesParams, ListParams, ListSessionsParams, Order,
    Precondition, SessionStatus, UpdateMemoryParams,
};
use overseer::api::{ApiError, Client, ClientConfig, Query};
use serde_json::{Value, json};

#[derive(Clone, Debug)]
struct Seen {
    method: Method,
    path: String,
    query: String,
    headers: HeaderMap,
    body: Bytes,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// What the server answers: status, extra headers, body.
struct Reply(u16, Vec<(&'static str, String)>, String);

impl Reply {
    fn json(status: u16, v: Value) -> Reply {
        Reply(status, vec![], v.to_string())
    }
}

type Script = Arc<dyn Fn(&Seen, usize) -> Reply + Send + Sync>;

struct Server {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// Serve `script(request, index)` for every request.
async fn serve(script: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Server {
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let script: Script = Arc::new(script);
    let seen2 = seen.clone();
    let app = axum::Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let seen = seen2.clone();
            let script = script.clone();
            async move {
                let req = Seen {
                    method,
                    path: uri.path().to_owned(),
                    query: uri.query().unwrap_or("").to_owned(),
                    headers,
                    body,
                };
                let index = {
                    let mut s = seen.lock().unwrap();
                    s.push(req.clone());
                    s.len() - 1
                };
                let Reply(status, headers, body) = script(&req, index);
                let mut resp: Response =
                    (StatusCode::from_u16(status).unwrap(), body).into_response();
                for (k, v) in headers {
                    resp.headers_mut().insert(k, v.parse().unwrap());
                }
                resp
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Server {
        base: format!("http://{addr}"),
        seen,
    }
}

fn client(base: &str, key: Option<&str>) -> Client {
    let mut cfg = ClientConfig::new(base, key.map(ApiKey::new));
    cfg.backoff_base = Duration::from_millis(1);
    cfg.backoff_cap = Duration::from_millis(4);
    cfg.max_retry_after = Duration::from_millis(20);
    cfg.max_retries = 3;
    Client::new(cfg).unwrap()
}

fn err_body(kind: &str, msg: &str) -> String {
    json!({"type": "error", "error": {"type": kind, "message": msg}, "request_id": "req_body"})
        .to_string()
}

fn session_json(id: &str) -> Value {
    json!({"type": "session", "id": id, "status": "idle", "agent": {"type": "agent", "id": "agent_1", "name": "a", "model": "m"}})
}

#[tokio::test]
async fn sends_the_documented_headers_per_resource_family() {
    let srv = serve(|req, _| match req.path.as_str() {
        "/v1/sessions" => Reply::json(200, json!({"data": [], "next_page": null})),
        "/v1/memory_stores/memstore_1/memories/mem_1" => Reply::json(
            200,
            json!({"type": "memory", "id": "mem_1", "path": "/a", "content_sha256": "x"}),
        ),
        "/v1/dreams" => Reply::json(
            200,
            json!({"type": "dream", "id": "drm_1", "status": "pending"}),
        ),
        _ => Reply::json(404, json!({})),
    })
    .await;
    let mut cfg = ClientConfig::new(&srv.base, Some(ApiKey::new("sk-test-1")));
    cfg.workspace_id = Some("wrkspc_1".into());
    let c = Client::new(cfg).unwrap();

    let params = ListSessionsParams {
        statuses: vec![SessionStatus::Idle, SessionStatus::Running],
        order: Some(Order::Asc),
        limit: Some(2),
        ..Default::default()
    };
    c.list_sessions(&params).await.unwrap();
    let upd = UpdateMemoryParams {
        content: Some("new".into()),
        path: None,
        precondition: Some(Precondition::content_sha256("abc")),
    };
    c.update_memory("memstore_1", "mem_1", &upd).await.unwrap();
    let dream = c
        .create_dream(&CreateDreamParams::new(
            "memstore_1",
            vec!["sesn_1".into()],
            "claude-opus-5-5",
        ))
        .await
        .unwrap();
    assert_eq!(dream.id, "drm_1");

    let reqs = srv.requests();
    assert_eq!(reqs.len(), 3);
    for r in &reqs {
        assert_eq!(r.header("x-api-key"), Some("sk-test-1"));
        assert_eq!(r.header("anthropic-version"), Some("2026-10-21"));
        assert_eq!(r.header("anthropic-workspace-id"), Some("wrkspc_1"));
        assert_eq!(
            r.header("user-agent"),
            Some(concat!("overseer/", env!("CARGO_PKG_VERSION")))
        );
    }
    assert_eq!(reqs[0].method, Method::GET);
    assert_eq!(
        reqs[0].header("anthropic-beta"),
        Some("managed-agents-2026-04-01")
    );
    assert_eq!(reqs[0].header("content-type"), None);
    assert_eq!(
        reqs[0].query,
        "statuses%5B%5D=idle&statuses%5B%5D=running&order=asc&limit=2"
    );
    assert_eq!(reqs[1].method, Method::POST);
    assert_eq!(
        reqs[1].header("anthropic-beta"),
        Some("agent-memory-2026-07-22")
    );
    assert_eq!(reqs[1].header("content-type"), Some("application/json"));
    assert_eq!(
        serde_json::from_slice::<Value>(&reqs[1].body).unwrap(),
        json!({"content": "new", "precondition": {"type": "content_sha256", "content_sha256": "abc"}})
    );
    assert_eq!(
        reqs[2].header("anthropic-beta"),
        Some("dreaming-2026-04-21")
    );
}

#[tokio::test]
async fn no_key_means_no_key_header() {
    let srv = serve(|_, _| Reply::json(200, json!({"data": []}))).await;
    let c = client(&srv.base, None);
    c.list_agents(&ListParams::default()).await.unwrap();
    assert_eq!(srv.requests()[0].header("x-api-key"), None);
    assert_eq!(srv.requests()[0].header("anthropic-workspace-id"), None);
}

#[tokio::test]
async fn retries_5xx_529_and_429_then_succeeds() {
    let srv = serve(|_, i| match i {
        0 => Reply(503, vec![], "upstream down".into()),
        1 => Reply(529, vec![], err_body("overloaded_error", "busy")),
        2 => Reply(
            429,
            vec![("retry-after-ms", "5".into())],
            err_body("rate_limit_error", "slow"),
        ),
        _ => Reply::json(200, session_json("sesn_1")),
    })
    .await;
    let c = client(&srv.base, None);
    let s = c.get_session("sesn_1").await.unwrap();
    assert_eq!(s.id, "sesn_1");
    assert_eq!(srv.requests().len(), 4);
    assert_eq!(c.consecutive_failures(), 0, "a success resets the count");
}

#[tokio::test]
async fn gives_up_after_max_retries_with_the_last_error() {
    let srv = serve(|_, i| {
        Reply(
            500,
            vec![("request-id", format!("req_{i}"))],
            err_body("api_error", "boom"),
        )
    })
    .await;
    let c = client(&srv.base, None);
    let e = c.get_session("sesn_1").await.unwrap_err();
    assert_eq!(srv.requests().len(), 4, "1 attempt + max_retries 3");
    assert_eq!(c.consecutive_failures(), 4);
    assert_eq!(e.status(), Some(500));
    assert_eq!(e.request_id(), Some("req_3"));
    assert_eq!(e.to_string(), "500 api_error: boom (request-id req_3)");
}

#[tokio::test]
async fn conflicts_and_other_4xx_are_never_retried() {
    for (status, kind) in [
        (409, "memory_precondition_failed_error"),
        (409, "memory_path_conflict_error"),
        (400, "invalid_request_error"),
        (401, "authentication_error"),
        (403, "permission_error"),
        (404, "not_found_error"),
        (422, "invalid_request_error"),
    ] {
        let srv = serve(move |_, _| Reply(status, vec![], err_body(kind, "no"))).await;
        let c = client(&srv.base, None);
        let e = c
            .update_memory("memstore_1", "mem_1", &UpdateMemoryParams::default())
            .await
            .unwrap_err();
        assert_eq!(srv.requests().len(), 1, "{status} was retried");
        assert_eq!(e.status(), Some(status));
        assert_eq!(e.error_type(), Some(kind));
        assert_eq!(e.request_id(), Some("req_body"));
    }
}

#[tokio::test]
async fn x_should_retry_overrides_the_status_rule() {
    let srv =
        serve(|_, _| Reply(503, vec![("x-should-retry", "false".into())], String::new())).await;
    let c = client(&srv.base, None);
    let e = c.get_dream("drm_1").await.unwrap_err();
    assert_eq!(srv.requests().len(), 1);
    assert_eq!(e.to_string(), "503 api_error: Service Unavailable");

    let srv = serve(|_, i| match i {
        0 => Reply(
            400,
            vec![("x-should-retry", "true".into())],
            err_body("invalid_request_error", "flaky"),
        ),
        _ => Reply::json(200, json!({"id": "drm_1", "status": "running"})),
    })
    .await;
    let c = client(&srv.base, None);
    assert_eq!(c.get_dream("drm_1").await.unwrap().id, "drm_1");
    assert_eq!(srv.requests().len(), 2);
}

#[tokio::test]
async fn non_json_error_body_gives_a_sensible_line() {
    let srv = serve(|_, _| {
        Reply(
            404,
            vec![("request-id", "req_hdr".into())],
            "<html><h1>Not here</h1></html>".into(),
        )
    })
    .await;
    let c = client(&srv.base, None);
    let e = c.get_agent("agent_1", Some(2)).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "404 not_found_error: Not Found (non-JSON body: <html><h1>Not here</h1></html>) (request-id req_hdr)"
    );
    assert_eq!(srv.requests()[0].query, "version=2");
}

#[tokio::test]
async fn malformed_success_body_is_a_decode_error_naming_the_path() {
    let srv = serve(|_, _| Reply(200, vec![], "{\"data\": [1, 2".into())).await;
    let c = client(&srv.base, None);
    let e = c
        .list_memory_stores(&ListParams::default())
        .await
        .unwrap_err();
    match &e {
        ApiError::Decode { path, message } => {
            assert_eq!(path, "/v1/memory_stores");
            assert_eq!(
                message,
                "invalid type: integer `1`, expected struct MemoryStore at line 1 column 11"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(srv.requests().len(), 1, "decode errors are not retried");

    let srv = serve(|_, _| Reply(200, vec![], json!({"id": 5}).to_string())).await;
    let c = client(&srv.base, None);
    let e = c.get_session("sesn_1").await.unwrap_err();
    assert!(
        e.to_string()
            .starts_with("malformed response from /v1/sessions/sesn_1: invalid type"),
        "{e}"
    );
}

#[tokio::test]
async fn network_errors_are_retried_then_reported() {
    // Bind and drop to get a port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = client(&format!("http://127.0.0.1:{port}"), None);
    let e = c.get_session("sesn_1").await.unwrap_err();
    match &e {
        ApiError::Network(m) => assert!(m.starts_with("cannot connect"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(e.is_transient());
}

#[tokio::test]
async fn pagination_follows_next_page_until_empty() {
    // 7 sessions, pages of `limit`, cursor = index of the next item.
    let srv = serve(|req, _| {
        let q: Vec<(String, String)> = req
            .query
            .split('&')
            .filter_map(|kv| kv.split_once('=').map(|(k, v)| (k.into(), v.into())))
            .collect();
        let get = |k: &str| q.iter().find(|(kk, _)| kk == k).map(|(_, v)| v.clone());
        let limit: usize = get("limit").and_then(|l| l.parse().ok()).unwrap_or(20);
        let start: usize = get("page")
            .and_then(|p| p.strip_prefix("page_").and_then(|n| n.parse().ok()))
            .unwrap_or(0);
        let end = (start + limit).min(7);
        let data: Vec<Value> = (start..end)
            .map(|i| session_json(&format!("sesn_{i}")))
            .collect();
        let next = (end < 7).then(|| format!("page_{end}"));
        Reply::json(
            200,
            json!({"data": data, "next_page": next, "prev_page": null}),
        )
    })
    .await;
    let c = client(&srv.base, None);
    let all: Vec<String> = c
        .sessions_all(ListSessionsParams {
            limit: Some(3),
            ..Default::default()
        })
        .map(|r| r.unwrap().id)
        .collect()
        .await;
    assert_eq!(all, (0..7).map(|i| format!("sesn_{i}")).collect::<Vec<_>>());
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(reqs[0].query, "limit=3");
    assert_eq!(reqs[1].query, "limit=3&page=page_3");
    assert_eq!(reqs[2].query, "limit=3&page=page_6");
}

#[tokio::test]
async fn a_repeating_cursor_cannot_loop_forever() {
    let srv = serve(|_, _| {
        Reply::json(
            200,
            json!({"data": [{"id": "agent_1"}], "next_page": "same"}),
        )
    })
    .await;
    let c = client(&srv.base, None);
    let all: Vec<_> = c.agents_all(ListParams::default()).collect().await;
    assert_eq!(
        all.len(),
        3,
        "first page, then the page at `same`, then the stop"
    );
    assert_eq!(all[1].as_ref().unwrap().id, "agent_1");
    assert_eq!(
        all[2].as_ref().unwrap_err().to_string(),
        "stopped listing /v1/agents after 2 items: the server repeated a page cursor — showing the first 2"
    );
    assert_eq!(srv.requests().len(), 2);
}

#[tokio::test]
async fn an_error_mid_pagination_is_yielded_and_ends_the_stream() {
    let srv = serve(|_, i| match i {
        0 => Reply::json(200, json!({"data": [{"id": "a"}], "next_page": "p2"})),
        _ => Reply(404, vec![], err_body("not_found_error", "gone")),
    })
    .await;
    let c = client(&srv.base, None);
    let all: Vec<_> = c.environments_all(ListParams::default()).collect().await;
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].as_ref().unwrap().id, "a");
    assert_eq!(all[1].as_ref().unwrap_err().status(), Some(404));
}

#[tokio::test]
async fn events_list_and_send_echo() {
    let srv = serve(|req, _| match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/v1/sessions/sesn_1/events") => Reply::json(
            200,
            json!({"data": [
                {"type": "user.message", "id": "sevt_1", "processed_at": "t1", "content": [{"type": "text", "text": "hi"}]},
                {"type": "agent.brand_new", "id": "sevt_2", "processed_at": "t2", "x": 1}
            ], "next_page": null}),
        ),
        ("POST", "/v1/sessions/sesn_1/events") => {
            let body: Value = serde_json::from_slice(&req.body).unwrap();
            let mut echoed = body["events"].as_array().unwrap().clone();
            for (i, e) in echoed.iter_mut().enumerate() {
                e["id"] = json!(format!("sevt_echo_{i}"));
                e["processed_at"] = Value::Null;
            }
            Reply::json(200, json!({"data": echoed}))
        }
        ("POST", "/v1/sessions/sesn_2/events") => Reply(204, vec![], String::new()),
        _ => Reply::json(404, json!({})),
    })
    .await;
    let c = client(&srv.base, None);
    let params = ListEventsParams {
        types: vec!["user.message".into(), "agent.message".into()],
        created_at: overseer::api::types::TimeRange {
            gt: Some("2026-01-01T00:00:00Z".into()),
            ..Default::default()
        },
        order: Some(Order::Desc),
        ..Default::default()
    };
    let page = c.list_events("sesn_1", &params).await.unwrap();
    assert_eq!(page.data.len(), 2);
    assert!(matches!(page.data[0].body, EventBody::UserMessage(_)));
    assert_eq!(page.data[1].type_name(), "agent.brand_new");
    assert_eq!(
        srv.requests()[0].query,
        "order=desc&types%5B%5D=user.message&types%5B%5D=agent.message&created_at%5Bgt%5D=2026-01-01T00%3A00%3A00Z"
    );

    let echoed = c
        .send_events(
            "sesn_1",
            vec![EventParams::allow("sevt_9"), EventParams::user_text("go")],
        )
        .await
        .unwrap();
    assert_eq!(echoed.len(), 2);
    assert_eq!(echoed[0].id.as_deref(), Some("sevt_echo_0"));
    assert_eq!(echoed[0].type_name(), "user.tool_confirmation");
    assert_eq!(echoed[1].type_name(), "user.message");
    let sent: Value = serde_json::from_slice(&srv.requests()[1].body).unwrap();
    assert_eq!(
        sent,
        json!({"events": [
            {"type": "user.tool_confirmation", "tool_use_id": "sevt_9", "result": "allow"},
            {"type": "user.message", "content": [{"type": "text", "text": "go"}]}
        ]})
    );
    assert_eq!(
        c.send_event("sesn_2", EventParams::interrupt())
            .await
            .unwrap(),
        vec![]
    );
}

#[tokio::test]
async fn open_stream_retries_until_200_and_hands_over_the_body() {
    let srv = serve(|req, i| match i {
        0 => Reply(503, vec![], String::new()),
        _ => {
            assert_eq!(req.path, "/v1/sessions/sesn_1/events/stream");
            Reply(
                200,
                vec![("content-type", "text/event-stream".into())],
                "event: ping\ndata: {}\n\n".into(),
            )
        }
    })
    .await;
    let c = client(&srv.base, Some("k"));
    let resp = c
        .open_session_stream("sesn_1", &["agent.message"])
        .await
        .unwrap();
    assert_eq!(resp.text().await.unwrap(), "event: ping\ndata: {}\n\n");
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[1].query, "event_deltas%5B%5D=agent.message");
    assert_eq!(reqs[1].header("accept"), Some("text/event-stream"));

    let srv = serve(|_, _| Reply(404, vec![], err_body("not_found_error", "no session"))).await;
    let c = client(&srv.base, None);
    let e = c
        .open_stream(
            overseer::api::Beta::ManagedAgents,
            "/v1/sessions/x/events/stream",
            &Query::new(),
        )
        .await
        .unwrap_err();
    assert!(e.is_not_found());
    assert_eq!(srv.requests().len(), 1);
}

#[tokio::test]
async fn memory_endpoints_build_the_right_requests() {
    let srv = serve(|req, _| match (req.method.as_str(), req.path.as_str()) {
        ("DELETE", _) => Reply::json(200, json!({"id": "mem_1", "type": "memory_deleted"})),
        ("GET", "/v1/memory_stores/memstore_1/memories") => Reply::json(
            200,
            json!({"data": [{"type": "memory_prefix", "path": "/notes/"}], "next_page": null}),
        ),
        _ => Reply::json(
            200,
            json!({"type": "memory_version", "id": "memver_1", "operation": "modified"}),
        ),
    })
    .await;
    let c = client(&srv.base, None);
    let d = c
        .delete_memory("memstore_1", "mem_1", Some("abc123"))
        .await
        .unwrap();
    assert_eq!(d.kind, "memory_deleted");
    let page = c
        .list_memories(
            "memstore_1",
            &ListMemoriesParams {
                path_prefix: Some("/notes/".into()),
                depth: Some(1),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.data[0].path(), Some("/notes/"));
    let v = c
        .redact_memory_version("memstore_1", "memver_1")
        .await
        .unwrap();
    assert_eq!(v.id, "memver_1");
    let reqs = srv.requests();
    assert_eq!(reqs[0].path, "/v1/memory_stores/memstore_1/memories/mem_1");
    assert_eq!(reqs[0].query, "expected_content_sha256=abc123");
    assert_eq!(reqs[1].query, "path_prefix=%2Fnotes%2F&depth=1");
    assert_eq!(reqs[2].method, Method::POST);
    assert_eq!(
        reqs[2].path,
        "/v1/memory_stores/memstore_1/memory_versions/memver_1/redact"
    );
    assert!(reqs[2].body.is_empty(), "action endpoints send no body");
    assert_eq!(reqs[2].header("content-type"), None);
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_and_is_retried() {
    let hits = Arc::new(Mutex::new(0usize));
    let hits2 = hits.clone();
    let app = axum::Router::new().fallback(move || {
        let hits = hits2.clone();
        async move {
            *hits.lock().unwrap() += 1;
            // Far longer than the client's timeout; the test never waits for it.
            tokio::time::sleep(Duration::from_secs(3600)).await;
            "late"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let mut cfg = ClientConfig::new(format!("http://{addr}"), None);
    cfg.request_timeout = Duration::from_millis(500);
    cfg.backoff_base = Duration::from_millis(1);
    cfg.max_retries = 2;
    let c = Client::new(cfg).unwrap();
    let e = c.get_session("sesn_1").await.unwrap_err();
    match &e {
        ApiError::Network(m) => assert!(m.starts_with("timed out"), "{m}"),
        other => panic!("{other:?}"),
    }
    // On a loaded machine the last request may reach the handler only after the client gave
    // up on it: wait (generously) for it to be counted.
    for _ in 0..2000 {
        if *hits.lock().unwrap() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(*hits.lock().unwrap(), 3, "one attempt and two retries");
}

/// A server on its own port that records whether any request carried `x-api-key`.
async fn key_trap() -> (String, Arc<Mutex<Vec<Option<String>>>>) {
    let keys: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
    let keys2 = keys.clone();
    let app = axum::Router::new().fallback(move |headers: HeaderMap| {
        let keys = keys2.clone();
        async move {
            let key = headers
                .get("x-api-key")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            keys.lock().unwrap().push(key);
            (
                StatusCode::OK,
                json!({"data": [], "next_page": null}).to_string(),
            )
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), keys)
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_refused_and_the_key_never_leaves() {
    let (trap, keys) = key_trap().await;
    let target = format!("{trap}/v1/sessions");
    let srv =
        serve(move |_, _| Reply(307, vec![("location", target.clone())], String::new())).await;
    let c = client(&srv.base, Some("sk-secret"));
    let e = c
        .list_sessions(&ListSessionsParams::default())
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "refused a redirect from {} to {trap}: the API key is never sent to another origin",
            srv.base
        )
    );
    assert!(
        keys.lock().unwrap().is_empty(),
        "the second server saw no request"
    );
    assert_eq!(srv.requests().len(), 1, "not retried");
    assert_eq!(srv.requests()[0].header("x-api-key"), Some("sk-secret"));
}

#[tokio::test]
async fn a_redirect_within_the_origin_is_followed_with_the_key() {
    let srv = serve(|req, _| match req.path.as_str() {
        "/old/v1/sessions" => Reply(
            307,
            vec![("location", "/v1/sessions".into())],
            String::new(),
        ),
        _ => Reply::json(
            200,
            json!({"data": [session_json("sesn_1")], "next_page": null}),
        ),
    })
    .await;
    let c = client(&format!("{}/old", srv.base), Some("sk-secret"));
    let page = c
        .list_sessions(&ListSessionsParams::default())
        .await
        .unwrap();
    assert_eq!(page.data[0].id, "sesn_1");
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[1].path, "/v1/sessions");
    assert_eq!(reqs[1].header("x-api-key"), Some("sk-secret"));
}

#[tokio::test]
async fn endless_same_origin_redirects_stop() {
    let srv = serve(|req, _| {
        let next = format!("{}x", req.path);
        Reply(302, vec![("location", next)], String::new())
    })
    .await;
    let c = client(&srv.base, None);
    let e = c.get_session("s").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("more than 5 redirects from {}", srv.base)
    );
    assert_eq!(
        srv.requests().len(),
        6,
        "the first request and five redirects"
    );
}

/// Accepts connections and never answers (keeps them open).
async fn silent_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            held.push(sock);
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_stream_open_that_never_answers_fails_within_the_header_timeout() {
    let base = silent_server().await;
    let mut cfg = ClientConfig::new(&base, None);
    cfg.header_timeout = Duration::from_millis(200);
    cfg.max_retries = 0;
    let c = Client::new(cfg).unwrap();
    let started = std::time::Instant::now();
    let e = c.open_session_stream("sesn_1", &[]).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        e.to_string(),
        format!(
            "network: timed out: no answer within 0.2 s ({base}/v1/sessions/sesn_1/events/stream)"
        )
    );
}

#[tokio::test]
async fn a_body_that_stalls_fails_within_the_idle_timeout() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut held = Vec::new();
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf).await;
            let _ = sock
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"id\":")
                .await;
            held.push(sock);
        }
    });
    let base = format!("http://{addr}");
    let mut cfg = ClientConfig::new(&base, None);
    cfg.body_idle_timeout = Duration::from_millis(200);
    cfg.max_retries = 0;
    let c = Client::new(cfg).unwrap();
    let e = c.get_session("sesn_1").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("network: timed out: the answer stalled for 0.2 s ({base}/v1/sessions/sesn_1)")
    );
}

#[tokio::test]
async fn a_reset_while_reading_says_so() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf).await;
            let _ = sock
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"id\":")
                .await;
            // Linger 0: close sends RST instead of FIN.
            let _ = sock.set_zero_linger();
            drop(sock);
        }
    });
    let base = format!("http://{addr}");
    let mut cfg = ClientConfig::new(&base, None);
    cfg.max_retries = 0;
    let c = Client::new(cfg).unwrap();
    let e = c.get_session("sesn_1").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("network: connection reset while reading ({base}/v1/sessions/sesn_1)")
    );
}

#[tokio::test]
async fn an_html_answer_names_the_content_type_and_the_url() {
    let srv = serve(|_, _| {
        Reply(
            200,
            vec![("content-type", "text/html; charset=utf-8".into())],
            "<!doctype html><html><body>Sign in</body></html>".into(),
        )
    })
    .await;
    let c = client(&srv.base, None);
    let e = c.get_session("sesn_1").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "the server answered text/html, not JSON — is the base URL right? ({}/v1/sessions/sesn_1)",
            srv.base
        )
    );
    assert_eq!(srv.requests().len(), 1, "not retried");
}

#[tokio::test]
async fn a_listing_whose_next_page_never_ends_stops_at_the_page_cap() {
    let srv = serve(|_, i| {
        Reply::json(
            200,
            json!({"data": [{"id": format!("agent_{i}")}], "next_page": format!("p{i}")}),
        )
    })
    .await;
    let mut cfg = ClientConfig::new(&srv.base, None);
    cfg.max_list_pages = 4;
    let c = Client::new(cfg).unwrap();
    let all: Vec<_> = c.agents_all(ListParams::default()).collect().await;
    assert_eq!(all.len(), 5, "four items, then the stop");
    assert_eq!(all[3].as_ref().unwrap().id, "agent_3");
    assert_eq!(
        all[4].as_ref().unwrap_err().to_string(),
        "stopped listing /v1/agents after 4 items: at most 4 pages — showing the first 4"
    );
    assert_eq!(srv.requests().len(), 4);
}

#[tokio::test]
async fn a_listing_stops_at_the_item_cap() {
    let srv = serve(|_, i| {
        Reply::json(
            200,
            json!({"data": [{"id": format!("a{i}")}, {"id": format!("b{i}")}, {"id": format!("c{i}")}],
                   "next_page": format!("p{i}")}),
        )
    })
    .await;
    let mut cfg = ClientConfig::new(&srv.base, None);
    cfg.max_list_items = 5;
    let c = Client::new(cfg).unwrap();
    let all: Vec<_> = c.agents_all(ListParams::default()).collect().await;
    let ids: Vec<_> = all
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|a| a.id.clone())
        .collect();
    assert_eq!(ids, ["a0", "b0", "c0", "a1", "b1"]);
    assert_eq!(
        all[5].as_ref().unwrap_err().to_string(),
        "stopped listing /v1/agents after 5 items: at most 5 items — showing the first 5"
    );
    assert_eq!(all.len(), 6);
    assert_eq!(srv.requests().len(), 2);
}
