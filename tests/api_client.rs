//! The API client against the built-in simulator over real loopback HTTP: every endpoint the
//! dashboard uses, pagination, every error class, preconditions, retries under faults.
//!
//! The simulator is an independent implementation of the wire (it does not use `api` types),
//! so these tests check the client against the protocol.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures::{StreamExt, TryStreamExt};
use overseer::api::client::ApiKey;
use overseer::api::events::{EventBody, EventParams, SESSION_EVENT_TYPES};
use overseer::api::types::{
    CreateDreamParams, CreateMemoryParams, CreateSessionParams, DeploymentStatus, DreamStatus,
    ListDeploymentRunsParams, ListDeploymentsParams, ListDreamsParams, ListEventsParams,
    ListMemoriesParams, ListMemoryVersionsParams, ListParams, ListSessionsParams,
    ListThreadsParams, MemoryListItem, MemoryOperation, MemoryView, Order, Patch, PausedReason,
    Precondition, SessionStatus, TimeRange, TriggerContext, UpdateMemoryParams,
    UpdateSessionParams,
};
use overseer::api::{ApiError, Client, ClientConfig};
use overseer::sim::{self, Faults, SimHandle, SimOptions};
use sha2::{Digest, Sha256};

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// Options for a simulator whose world stands (almost) still, so two reads of the same list
/// agree even on a slow machine: sessions do not change state and no schedule fires.
fn frozen() -> SimOptions {
    SimOptions {
        speed: 1e-6,
        heartbeat: Duration::from_millis(200),
        ..SimOptions::default()
    }
}

async fn start_sim(opts: SimOptions) -> SimHandle {
    sim::start(opts, loopback()).await.unwrap()
}

async fn demo() -> SimHandle {
    start_sim(frozen()).await
}

/// A client with a tiny backoff so retries cost milliseconds.
fn client_for(base: &str, key: Option<&str>, max_retries: u32) -> Client {
    let mut cfg = ClientConfig::new(base, key.map(ApiKey::new));
    cfg.max_retries = max_retries;
    cfg.backoff_base = Duration::from_millis(1);
    cfg.backoff_cap = Duration::from_millis(5);
    cfg.max_retry_after = Duration::from_millis(5);
    Client::new(cfg).unwrap()
}

fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A pass-through proxy in front of the simulator that counts the requests it forwards, to
/// prove what was (not) retried.
struct CountingProxy {
    base: String,
    count: Arc<AtomicUsize>,
}

async fn counting_proxy(target: String) -> CountingProxy {
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    let http = reqwest::Client::new();
    let app = axum::Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let http = http.clone();
            let target = target.clone();
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                let url = format!(
                    "{target}{}",
                    uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")
                );
                let mut req = http.request(method, url).body(body);
                for (k, v) in &headers {
                    if k != "host" {
                        req = req.header(k, v);
                    }
                }
                let resp = req.send().await.unwrap();
                let status = StatusCode::from_u16(resp.status().as_u16()).unwrap();
                let mut out_headers = HeaderMap::new();
                for (k, v) in resp.headers() {
                    if k != "content-length" && k != "transfer-encoding" {
                        out_headers.insert(k.clone(), v.clone());
                    }
                }
                let body = resp.bytes().await.unwrap();
                let mut r: Response = (status, body).into_response();
                r.headers_mut().extend(out_headers);
                r
            }
        },
    );
    let listener = tokio::net::TcpListener::bind(loopback()).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    CountingProxy {
        base: format!("http://{addr}"),
        count,
    }
}

impl CountingProxy {
    fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }
}

#[tokio::test]
async fn agents_and_environments_list_across_pages_and_get() {
    let sim = demo().await;
    let c = client_for(&sim.base_url(), None, 2);

    let big = c.list_agents(&ListParams::limit(100)).await.unwrap();
    assert!(big.data.len() >= 3, "demo has several agents");
    assert_eq!(big.next_page, None);
    let paged: Vec<_> = c
        .agents_all(ListParams::limit(2))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        paged, big.data,
        "pages of 2 give the same agents in the same order"
    );
    let first = c.get_agent(&big.data[0].id, None).await.unwrap();
    assert_eq!(first, big.data[0]);
    assert!(!first.name.is_empty());
    assert!(!first.model.id.is_empty());

    let envs = c.list_environments(&ListParams::limit(100)).await.unwrap();
    assert!(!envs.data.is_empty());
    let paged: Vec<_> = c
        .environments_all(ListParams::limit(1))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(paged, envs.data);
    let env = c.get_environment(&envs.data[0].id).await.unwrap();
    assert_eq!(env.id, envs.data[0].id);
    assert!(!env.config_type().is_empty());

    let e = c.get_agent("agent_does_not_exist", None).await.unwrap_err();
    assert_eq!(e.status(), Some(404));
    assert_eq!(e.error_type(), Some("not_found_error"));
    assert!(
        e.request_id().is_some_and(|id| id.starts_with("req_")),
        "{e}"
    );
}

#[tokio::test]
async fn sessions_list_with_filters_pages_and_order() {
    let sim = demo().await;
    let c = client_for(&sim.base_url(), None, 2);

    let all = c
        .list_sessions(&ListSessionsParams {
            limit: Some(100),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(all.data.len() >= 4, "demo has several sessions");
    let ids: Vec<String> = all.data.iter().map(|s| s.id.clone()).collect();
    let paged: Vec<String> = c
        .sessions_all(ListSessionsParams {
            limit: Some(2),
            ..Default::default()
        })
        .map_ok(|s| s.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        paged, ids,
        "limit=2 pages give every session once, in order"
    );
    let unique: BTreeSet<&String> = paged.iter().collect();
    assert_eq!(unique.len(), paged.len());

    // Default order is newest first; asc reverses it.
    let created: Vec<&str> = all.data.iter().map(|s| s.created_at.as_str()).collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "{created:?}");
    let asc = c
        .list_sessions(&ListSessionsParams {
            limit: Some(100),
            order: Some(Order::Asc),
            ..Default::default()
        })
        .await
        .unwrap();
    let asc_ids: Vec<String> = asc.data.iter().rev().map(|s| s.id.clone()).collect();
    assert_eq!(asc_ids, ids);

    // statuses[] filter.
    let idle = c
        .list_sessions(&ListSessionsParams {
            statuses: vec![SessionStatus::Idle],
            limit: Some(100),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(idle.data.iter().all(|s| s.status == SessionStatus::Idle));
    let n_idle = all
        .data
        .iter()
        .filter(|s| s.status == SessionStatus::Idle)
        .count();
    assert_eq!(idle.data.len(), n_idle);

    // agent_id filter.
    let agent_id = all.data[0].agent.id.clone();
    let by_agent = c
        .list_sessions(&ListSessionsParams {
            agent_id: Some(agent_id.clone()),
            limit: Some(100),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(!by_agent.data.is_empty());
    assert!(by_agent.data.iter().all(|s| s.agent.id == agent_id));

    let one = c.get_session(&ids[0]).await.unwrap();
    assert_eq!(one.id, ids[0]);

    // An unknown status value is a 400 from the server, not a client failure.
    let e = c
        .list_sessions(&ListSessionsParams {
            statuses: vec![SessionStatus::Other("napping".into())],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400));
    assert_eq!(e.error_type(), Some("invalid_request_error"));
}

#[tokio::test]
async fn session_create_update_archive_delete() {
    let sim = demo().await;
    let c = client_for(&sim.base_url(), None, 2);
    let agent = c
        .list_agents(&ListParams::limit(1))
        .await
        .unwrap()
        .data
        .remove(0);
    let env = c
        .list_environments(&ListParams::limit(1))
        .await
        .unwrap()
        .data
        .remove(0);

    let s = c
        .create_session(&CreateSessionParams {
            agent: agent.id.clone(),
            environment_id: env.id.clone(),
            title: Some("integration".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(s.title.as_deref(), Some("integration"));
    assert_eq!(s.agent.id, agent.id);

    let updated = c
        .update_session(
            &s.id,
            &UpdateSessionParams {
                title: Patch::Set("renamed".into()),
                metadata: Some([("team".to_string(), Some("core".to_string()))].into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.title.as_deref(), Some("renamed"));
    assert_eq!(
        updated.metadata.get("team").map(String::as_str),
        Some("core")
    );

    let archived = c.archive_session(&s.id).await.unwrap();
    assert!(archived.archived_at.is_some());
    let listed: Vec<String> = c
        .sessions_all(ListSessionsParams::default())
        .map_ok(|s| s.id)
        .try_collect()
        .await
        .unwrap();
    assert!(
        !listed.contains(&s.id),
        "archived sessions are hidden by default"
    );
    let listed: Vec<String> = c
        .sessions_all(ListSessionsParams {
            include_archived: Some(true),
            ..Default::default()
        })
        .map_ok(|s| s.id)
        .try_collect()
        .await
        .unwrap();
    assert!(listed.contains(&s.id));

    let deleted = c.delete_session(&s.id).await.unwrap();
    assert_eq!(
        (deleted.id.as_str(), deleted.kind.as_str()),
        (s.id.as_str(), "session_deleted")
    );
    let e = c.get_session(&s.id).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
}

/// The demo session with the longest history.
async fn busiest_session(c: &Client) -> (String, usize) {
    let sessions: Vec<_> = c
        .sessions_all(ListSessionsParams::default())
        .try_collect()
        .await
        .unwrap();
    let mut best = (String::new(), 0);
    for s in sessions {
        // A running session (time is frozen) also keeps a new message queued until its turn ends.
        if s.status != overseer::api::types::SessionStatus::Idle {
            continue;
        }
        let events: Vec<_> = c
            .events_all(&s.id, ListEventsParams::default())
            .try_collect()
            .await
            .unwrap();
        // A session waiting on a call keeps a new message queued until the call is answered
        // (as the API does), so the echo-in-history check needs a session that never asks.
        let asks = events.iter().any(|e| match &e.body {
            EventBody::SessionStatusIdle(idle) => matches!(
                idle.stop_reason,
                overseer::api::types::StopReason::RequiresAction { .. }
            ),
            _ => false,
        });
        if asks {
            continue;
        }
        let n = events.len();
        if n > best.1 {
            best = (s.id, n);
        }
    }
    best
}

#[tokio::test]
async fn events_list_pages_filters_and_send_echo() {
    let sim = demo().await;
    let c = client_for(&sim.base_url(), None, 2);
    let (sid, _) = busiest_session(&c).await;

    let all = c
        .list_events(
            &sid,
            &ListEventsParams {
                limit: Some(1000),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(all.data.len() >= 10, "{}", all.data.len());
    // The simulator only emits documented types; every one parses into a typed variant.
    for e in &all.data {
        assert!(e.is_known(), "{:?}", e.body);
        assert!(
            SESSION_EVENT_TYPES.contains(&e.type_name()),
            "history never holds previews: {}",
            e.type_name()
        );
    }
    let processed: Vec<&str> = all
        .data
        .iter()
        .filter_map(|e| e.processed_at.as_deref())
        .collect();
    assert!(
        processed.windows(2).all(|w| w[0] <= w[1]),
        "default order is asc"
    );

    // Small pages give the same events.
    let ids: Vec<_> = all.data.iter().map(|e| e.id.clone()).collect();
    let paged: Vec<_> = c
        .events_all(
            &sid,
            ListEventsParams {
                limit: Some(3),
                ..Default::default()
            },
        )
        .map_ok(|e| e.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(paged, ids);

    // order=desc reverses.
    let desc = c
        .list_events(
            &sid,
            &ListEventsParams {
                limit: Some(1000),
                order: Some(Order::Desc),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut rev: Vec<_> = desc.data.iter().map(|e| e.id.clone()).collect();
    rev.reverse();
    assert_eq!(rev, ids);

    // types[] filter.
    let only: Vec<_> = c
        .events_all(
            &sid,
            ListEventsParams {
                types: vec!["session.status_idle".into()],
                ..Default::default()
            },
        )
        .try_collect()
        .await
        .unwrap();
    let expected = all
        .data
        .iter()
        .filter(|e| e.type_name() == "session.status_idle")
        .count();
    assert_eq!(only.len(), expected);
    assert!(
        only.iter()
            .all(|e| matches!(e.body, EventBody::SessionStatusIdle(_)))
    );

    // created_at[gt] keeps only later events.
    let mid = all.data[all.data.len() / 2].processed_at.clone().unwrap();
    let later: Vec<_> = c
        .events_all(
            &sid,
            ListEventsParams {
                created_at: TimeRange {
                    gt: Some(mid.clone()),
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .try_collect()
        .await
        .unwrap();
    assert!(!later.is_empty());
    assert!(
        later
            .iter()
            .all(|e| e.processed_at.as_deref().unwrap_or("") > mid.as_str())
    );

    // Send a message: the echo carries a server id and the same type and text.
    let echoed = c
        .send_event(&sid, EventParams::user_text("status report, please"))
        .await
        .unwrap();
    assert_eq!(echoed.len(), 1);
    assert_eq!(echoed[0].type_name(), "user.message");
    let echo_id = echoed[0].id.clone().unwrap();
    match &echoed[0].body {
        EventBody::UserMessage(m) => {
            assert_eq!(
                overseer::api::events::content_text(&m.content),
                "status report, please"
            )
        }
        other => panic!("{other:?}"),
    }
    let history: Vec<_> = c
        .events_all(&sid, ListEventsParams::default())
        .map_ok(|e| e.id)
        .try_collect()
        .await
        .unwrap();
    assert!(history.contains(&Some(echo_id)));

    let e = c
        .send_event("sesn_nope", EventParams::interrupt())
        .await
        .unwrap_err();
    assert!(e.is_not_found());
}

#[tokio::test]
async fn threads_list_get_events_and_streams_open() {
    let sim = demo().await;
    let c = client_for(&sim.base_url(), None, 2);
    let sessions: Vec<_> = c
        .sessions_all(ListSessionsParams::default())
        .try_collect()
        .await
        .unwrap();
    // The demo's one multiagent session: the lead and its two predefined sub-agents.
    let lead = sessions
        .iter()
        .find(|s| s.title.as_deref() == Some("Market sizing: observability platforms 2026"))
        .expect("the demo's coordinator session");
    let sid = lead.id.clone();
    let threads = c
        .list_threads(&sid, &ListThreadsParams::default())
        .await
        .unwrap()
        .data;
    let names: Vec<_> = threads
        .iter()
        .map(|t| (t.agent.name.as_deref().unwrap_or(""), t.is_primary()))
        .collect();
    assert_eq!(
        names,
        [
            ("Research Lead", true),
            ("Deep Researcher", false),
            ("Citation Reviewer", false)
        ]
    );
    let primary = &threads[0];
    for t in &threads[1..] {
        assert_eq!(t.parent_thread_id.as_deref(), Some(primary.id.as_str()));
        assert_eq!(t.session_id, sid);
    }
    // A single-agent session has no threads listed.
    let solo = sessions
        .iter()
        .find(|s| s.title.as_deref() == Some("Release notes for v4.2"))
        .expect("the demo's budget session");
    let none = c
        .list_threads(&solo.id, &ListThreadsParams::default())
        .await
        .unwrap();
    assert_eq!(none.data, []);
    let paged: Vec<_> = c
        .threads_all(
            &sid,
            ListThreadsParams {
                limit: Some(1),
                ..Default::default()
            },
        )
        .try_collect()
        .await
        .unwrap();
    assert_eq!(paged, threads);
    let child = &threads[1];
    let got = c.get_thread(&sid, &child.id).await.unwrap();
    assert_eq!(got.id, child.id);
    assert_eq!(got.session_id, sid);
    let events: Vec<_> = c
        .thread_events_all(
            &sid,
            &child.id,
            ListEventsParams {
                limit: Some(2),
                ..Default::default()
            },
        )
        .try_collect()
        .await
        .unwrap();
    assert!(events.iter().all(|e| e.id.is_some()));
    // The researcher is woken by the lead's message and searches before it answers.
    let first: Vec<_> = events.iter().take(5).map(|e| e.type_name()).collect();
    assert_eq!(
        first,
        [
            "session.thread_status_running",
            "agent.thread_message_received",
            "span.model_request_start",
            "agent.thinking",
            "agent.tool_use"
        ]
    );

    let resp = c.open_thread_stream(&sid, &child.id, &[]).await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let resp = c
        .open_session_stream(&sid, &["agent.message"])
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(ct.starts_with("text/event-stream"), "{ct}");
    // The first bytes arrive (a ping at the latest, after the 200 ms heartbeat).
    let mut body = resp.bytes_stream();
    let first = tokio::time::timeout(Duration::from_secs(20), body.next())
        .await
        .expect("a frame within 20 s")
        .expect("the stream is open")
        .unwrap();
    assert!(!first.is_empty());

    let e = c.open_session_stream("sesn_nope", &[]).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
}

#[tokio::test]
async fn memory_crud_with_preconditions_and_conflicts_not_retried() {
    let sim = demo().await;
    let proxy = counting_proxy(sim.base_url()).await;
    let c = client_for(&proxy.base, None, 5);

    let stores = c.list_memory_stores(&ListParams::limit(100)).await.unwrap();
    assert!(!stores.data.is_empty());
    let paged: Vec<_> = c
        .memory_stores_all(ListParams::limit(1))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(paged, stores.data);
    let store = c.get_memory_store(&stores.data[0].id).await.unwrap();
    assert_eq!(store, stores.data[0]);
    let sid = store.id.clone();

    // Create.
    let body = "first draft\n";
    let m = c
        .create_memory(
            &sid,
            &CreateMemoryParams {
                path: "/it/notes.md".into(),
                content: body.into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(m.path, "/it/notes.md");
    assert_eq!(m.content_sha256, sha256_hex(body));
    let full = c
        .get_memory(&sid, &m.id, Some(MemoryView::Full))
        .await
        .unwrap();
    assert_eq!(full.content.as_deref(), Some(body));

    // Same path again: a 409 path conflict, sent exactly once.
    let before = proxy.count();
    let e = c
        .create_memory(
            &sid,
            &CreateMemoryParams {
                path: "/it/notes.md".into(),
                content: "x".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(409));
    assert_eq!(e.error_type(), Some("memory_path_conflict_error"));
    assert_eq!(
        proxy.count() - before,
        1,
        "a 409 is an answer, never retried"
    );

    // Update with the right precondition.
    let v2 = "second draft\n";
    let m2 = c
        .update_memory(
            &sid,
            &m.id,
            &UpdateMemoryParams {
                content: Some(v2.into()),
                path: None,
                precondition: Some(Precondition::content_sha256(&m.content_sha256)),
            },
        )
        .await
        .unwrap();
    assert_eq!(m2.content_sha256, sha256_hex(v2));
    assert_ne!(m2.memory_version_id, m.memory_version_id);

    // A stale precondition: 409, once, nothing written.
    let before = proxy.count();
    let e = c
        .update_memory(
            &sid,
            &m.id,
            &UpdateMemoryParams {
                content: Some("blind overwrite".into()),
                path: None,
                precondition: Some(Precondition::content_sha256(&m.content_sha256)),
            },
        )
        .await
        .unwrap_err();
    assert!(e.is_precondition_failed(), "{e}");
    assert_eq!(proxy.count() - before, 1);
    let still = c.get_memory(&sid, &m.id, None).await.unwrap();
    assert_eq!(still.content.as_deref(), Some(v2));

    // Listing with a prefix and depth.
    let items: Vec<_> = c
        .memories_all(
            &sid,
            ListMemoriesParams {
                path_prefix: Some("/it/".into()),
                ..Default::default()
            },
        )
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].path(), Some("/it/notes.md"));
    let top: Vec<_> = c
        .memories_all(
            &sid,
            ListMemoriesParams {
                depth: Some(1),
                ..Default::default()
            },
        )
        .try_collect()
        .await
        .unwrap();
    assert!(
        top.iter()
            .any(|i| matches!(i, MemoryListItem::MemoryPrefix(p) if p.path == "/it/")),
        "{top:?}"
    );

    // Delete with a stale hash: 409, once; then with the right one.
    let before = proxy.count();
    let e = c
        .delete_memory(&sid, &m.id, Some(&m.content_sha256))
        .await
        .unwrap_err();
    assert!(e.is_precondition_failed(), "{e}");
    assert_eq!(proxy.count() - before, 1);
    let d = c
        .delete_memory(&sid, &m.id, Some(&m2.content_sha256))
        .await
        .unwrap();
    assert_eq!(d.kind, "memory_deleted");
    assert!(
        c.get_memory(&sid, &m.id, None)
            .await
            .unwrap_err()
            .is_not_found()
    );

    // Versions: created, modified, deleted — newest first.
    let versions: Vec<_> = c
        .memory_versions_all(
            &sid,
            ListMemoryVersionsParams {
                memory_id: Some(m.id.clone()),
                limit: Some(1),
                ..Default::default()
            },
        )
        .try_collect()
        .await
        .unwrap();
    let ops: Vec<_> = versions.iter().map(|v| v.operation.clone()).collect();
    assert_eq!(
        ops,
        [
            MemoryOperation::Deleted,
            MemoryOperation::Modified,
            MemoryOperation::Created
        ]
    );
    let modified = &versions[1];
    let got = c
        .get_memory_version(&sid, &modified.id, Some(MemoryView::Full))
        .await
        .unwrap();
    assert_eq!(got.content.as_deref(), Some(v2));
    let only_created: Vec<_> = c
        .memory_versions_all(
            &sid,
            ListMemoryVersionsParams {
                memory_id: Some(m.id.clone()),
                operation: Some(MemoryOperation::Created),
                ..Default::default()
            },
        )
        .try_collect()
        .await
        .unwrap();
    assert_eq!(only_created.len(), 1);

    let redacted = c.redact_memory_version(&sid, &modified.id).await.unwrap();
    assert!(redacted.redacted_at.is_some());
    assert_eq!(redacted.content, None);
    assert_eq!(redacted.path, None);
    assert!(redacted.redacted_by.is_some());
}

#[tokio::test]
async fn dreams_create_get_cancel_archive_list() {
    let sim = demo().await;
    let c = client_for(&sim.base_url(), None, 2);
    let existing: Vec<_> = c
        .dreams_all(ListDreamsParams::default())
        .try_collect()
        .await
        .unwrap();
    let store = c
        .list_memory_stores(&ListParams::limit(1))
        .await
        .unwrap()
        .data
        .remove(0);
    let session = c
        .list_sessions(&ListSessionsParams {
            limit: Some(1),
            ..Default::default()
        })
        .await
        .unwrap()
        .data
        .remove(0);

    let d = c
        .create_dream(&CreateDreamParams::new(
            &store.id,
            vec![session.id.clone()],
            "claude-opus-5-5",
        ))
        .await
        .unwrap();
    assert_eq!(d.status, DreamStatus::Pending);
    assert!(d.outputs.is_empty());
    assert_eq!(d.input_store_id(), Some(store.id.as_str()));
    assert_eq!(d.input_session_ids(), std::slice::from_ref(&session.id));
    let got = c.get_dream(&d.id).await.unwrap();
    assert_eq!(got.id, d.id);

    let listed: Vec<_> = c
        .dreams_all(ListDreamsParams {
            limit: Some(1),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    // The demo holds three dreams (running 2 min ago, completed 3 h ago, failed 26 h ago);
    // the new one comes first.
    let statuses: Vec<_> = existing.iter().map(|d| d.status.clone()).collect();
    assert_eq!(
        statuses,
        [
            DreamStatus::Running,
            DreamStatus::Completed,
            DreamStatus::Failed
        ]
    );
    let ids: Vec<_> = listed.iter().map(|x| x.id.as_str()).collect();
    let mut want = vec![d.id.as_str()];
    want.extend(existing.iter().map(|x| x.id.as_str()));
    assert_eq!(ids, want, "newest first, one per page");

    // The world stands still, so the new dream is still pending and cancels.
    let canceled = c.cancel_dream(&d.id).await.unwrap();
    assert_eq!(canceled.status, DreamStatus::Canceled);
    assert_eq!(
        c.get_dream(&d.id).await.unwrap().status,
        DreamStatus::Canceled
    );
    // Canceling again changes nothing: the same dream, same end time.
    let again = c.cancel_dream(&d.id).await.unwrap();
    assert_eq!(again.status, DreamStatus::Canceled);
    assert_eq!(again.ended_at, canceled.ended_at);
    let archived = c.archive_dream(&d.id).await.unwrap();
    assert!(archived.archived_at.is_some());
    let visible: Vec<_> = c
        .dreams_all(ListDreamsParams::default())
        .try_collect()
        .await
        .unwrap();
    assert!(
        visible.iter().all(|x| x.id != d.id),
        "archived dreams are hidden by default"
    );
    let with_archived: Vec<_> = c
        .dreams_all(ListDreamsParams {
            include_archived: Some(true),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        with_archived.iter().filter(|x| x.id == d.id).count(),
        1,
        "listed once with include_archived"
    );

    // A dream without sessions is a 400 with the server's message.
    let mut bad = CreateDreamParams::new(&store.id, vec![], "claude-opus-5-5");
    bad.instructions = Some("x".into());
    let e = c.create_dream(&bad).await.unwrap_err();
    assert_eq!(e.status(), Some(400));
    assert!(
        e.to_string()
            .starts_with("400 invalid_request_error: inputs:"),
        "{e}"
    );
}

#[tokio::test]
async fn deployments_pause_unpause_run_and_runs() {
    let sim = demo().await;
    let c = client_for(&sim.base_url(), None, 2);
    let deps: Vec<_> = c
        .deployments_all(ListDeploymentsParams {
            limit: Some(1),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert!(!deps.is_empty());
    let active = deps
        .iter()
        .find(|d| d.status == DeploymentStatus::Active && d.archived_at.is_none())
        .expect("an active deployment");
    let got = c.get_deployment(&active.id).await.unwrap();
    assert_eq!(got.id, active.id);

    let paused = c.pause_deployment(&active.id).await.unwrap();
    assert_eq!(paused.status, DeploymentStatus::Paused);
    assert_eq!(paused.paused_reason, Some(PausedReason::Manual));
    let only_paused: Vec<_> = c
        .deployments_all(ListDeploymentsParams {
            status: Some(DeploymentStatus::Paused),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert!(only_paused.iter().any(|d| d.id == active.id));
    assert!(
        only_paused
            .iter()
            .all(|d| d.status == DeploymentStatus::Paused)
    );
    let unpaused = c.unpause_deployment(&active.id).await.unwrap();
    assert_eq!(unpaused.status, DeploymentStatus::Active);
    assert_eq!(unpaused.paused_reason, None);

    let run = c.run_deployment(&active.id).await.unwrap();
    assert_eq!(run.deployment_id, active.id);
    assert_eq!(run.trigger_context, TriggerContext::Manual);
    assert!(
        run.session_id.is_some() != run.error.is_some(),
        "exactly one of session_id / error"
    );
    let runs: Vec<_> = c
        .deployment_runs_all(ListDeploymentRunsParams {
            deployment_id: Some(active.id.clone()),
            limit: Some(1),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert!(runs.iter().any(|r| r.id == run.id));
    assert!(runs.iter().all(|r| r.deployment_id == active.id));
    let got = c.get_deployment_run(&run.id).await.unwrap();
    assert_eq!(got, run);
    if let Some(sid) = &run.session_id {
        assert_eq!(
            c.get_session(sid).await.unwrap().deployment_id.as_deref(),
            Some(active.id.as_str())
        );
    }
}

#[tokio::test]
async fn wrong_or_missing_key_is_a_401_line_and_not_retried() {
    let sim = start_sim(SimOptions {
        api_key: Some("sk-right".into()),
        ..frozen()
    })
    .await;
    let proxy = counting_proxy(sim.base_url()).await;

    let wrong = client_for(&proxy.base, Some("sk-wrong"), 5);
    let e = wrong.list_agents(&ListParams::default()).await.unwrap_err();
    assert_eq!(e.status(), Some(401));
    assert_eq!(e.error_type(), Some("authentication_error"));
    assert!(e.is_auth());
    assert_eq!(proxy.count(), 1);
    let line = e.to_string();
    assert!(line.starts_with("401 authentication_error: "), "{line}");
    assert!(line.contains("(request-id req_"), "{line}");
    assert!(!line.contains("sk-wrong"));

    let none = client_for(&proxy.base, None, 5);
    assert_eq!(
        none.list_agents(&ListParams::default())
            .await
            .unwrap_err()
            .status(),
        Some(401)
    );

    let right = client_for(&proxy.base, Some("sk-right"), 5);
    assert!(
        !right
            .list_agents(&ListParams::default())
            .await
            .unwrap()
            .data
            .is_empty()
    );
}

#[tokio::test]
async fn every_call_eventually_succeeds_under_error_rate_faults() {
    let sim = start_sim(SimOptions {
        faults: Faults {
            error_rate: 0.3,
            ..Faults::default()
        },
        ..frozen()
    })
    .await;
    let proxy = counting_proxy(sim.base_url()).await;
    // 0.3^13 per call: effectively never exhausted.
    let c = client_for(&proxy.base, None, 12);

    let mut calls = 0;
    let sessions: Vec<_> = c
        .sessions_all(ListSessionsParams {
            limit: Some(2),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    calls += sessions.len().div_ceil(2);
    for s in &sessions {
        assert_eq!(c.get_session(&s.id).await.unwrap().id, s.id);
        let page = c
            .list_events(
                &s.id,
                &ListEventsParams {
                    limit: Some(5),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(page.data.len() <= 5);
        calls += 2;
    }
    let agents: Vec<_> = c
        .agents_all(ListParams::limit(1))
        .try_collect()
        .await
        .unwrap();
    calls += agents.len();
    let stores: Vec<_> = c
        .memory_stores_all(ListParams::limit(1))
        .try_collect()
        .await
        .unwrap();
    calls += stores.len();
    let store = &stores[0].id;
    let m = c
        .create_memory(
            store,
            &CreateMemoryParams {
                path: "/faults/a.md".into(),
                content: "a".into(),
            },
        )
        .await
        .unwrap();
    let m = c
        .update_memory(
            store,
            &m.id,
            &UpdateMemoryParams {
                content: Some("b".into()),
                path: None,
                precondition: Some(Precondition::content_sha256(sha256_hex("a"))),
            },
        )
        .await
        .unwrap();
    assert_eq!(m.content_sha256, sha256_hex("b"));
    calls += 2;

    let sent = proxy.count();
    assert!(
        sent > calls,
        "with a 30% error rate some of {calls} calls must have been retried (sent {sent})"
    );
    assert_eq!(c.consecutive_failures(), 0);
}

#[tokio::test]
async fn retries_exhausted_under_total_failure_give_the_last_error_line() {
    let sim = start_sim(SimOptions {
        faults: Faults {
            error_rate: 1.0,
            ..Faults::default()
        },
        ..frozen()
    })
    .await;
    let proxy = counting_proxy(sim.base_url()).await;
    let c = client_for(&proxy.base, None, 3);
    let e = c.list_agents(&ListParams::default()).await.unwrap_err();
    assert_eq!(proxy.count(), 4, "one attempt and three retries");
    assert!(e.is_transient());
    assert!(matches!(e.status(), Some(429 | 500 | 529)), "{e}");
    assert!(e.request_id().is_some());
    assert_eq!(c.consecutive_failures(), 4);
    assert!(matches!(e, ApiError::Http(_)));
}

/// Both sides read the same reference: everything the simulator serves parses into typed
/// variants, with no `Other`/`Unknown` fallbacks.
#[tokio::test]
async fn simulator_objects_use_only_documented_values() {
    use overseer::api::types::{Actor, DreamInput, DreamOutput, SessionResource};
    let sim = demo().await;
    let c = client_for(&sim.base_url(), None, 2);

    let sessions: Vec<_> = c
        .sessions_all(ListSessionsParams {
            include_archived: Some(true),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    for s in &sessions {
        assert!(s.status.is_known(), "{}: {}", s.id, s.status);
        assert!(
            s.resources
                .iter()
                .all(|r| !matches!(r, SessionResource::Unknown(_))),
            "{:?}",
            s.resources
        );
        assert!(s.outcome_evaluations.iter().all(|o| o.result.is_known()));
        let threads: Vec<_> = c
            .threads_all(&s.id, ListThreadsParams::default())
            .try_collect()
            .await
            .unwrap();
        assert!(threads.iter().all(|t| t.status.is_known()));
        let events: Vec<_> = c
            .events_all(&s.id, ListEventsParams::default())
            .try_collect()
            .await
            .unwrap();
        for e in &events {
            assert!(e.is_known(), "{}: {:?}", s.id, e.body);
        }
    }

    let dreams: Vec<_> = c
        .dreams_all(ListDreamsParams {
            include_archived: Some(true),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert!(!dreams.is_empty());
    for d in &dreams {
        assert!(d.status.is_known(), "{}", d.status);
        assert!(
            d.inputs
                .iter()
                .all(|i| !matches!(i, DreamInput::Unknown(_)))
        );
        assert!(
            d.outputs
                .iter()
                .all(|o| !matches!(o, DreamOutput::Unknown(_)))
        );
        assert!(d.input_store_id().is_some());
    }

    let deployments: Vec<_> = c
        .deployments_all(ListDeploymentsParams {
            include_archived: Some(true),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    for d in &deployments {
        assert!(d.status.is_known());
        assert!(!matches!(d.paused_reason, Some(PausedReason::Unknown(_))));
        assert_eq!(
            d.paused_reason.is_some(),
            d.status == DeploymentStatus::Paused,
            "{}",
            d.id
        );
    }
    let runs: Vec<_> = c
        .deployment_runs_all(ListDeploymentRunsParams::default())
        .try_collect()
        .await
        .unwrap();
    for r in &runs {
        assert!(!matches!(r.trigger_context, TriggerContext::Unknown(_)));
        assert!(r.session_id.is_some() != r.error.is_some(), "{}", r.id);
    }

    let stores: Vec<_> = c
        .memory_stores_all(ListParams {
            include_archived: Some(true),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    for st in &stores {
        let items: Vec<_> = c
            .memories_all(
                &st.id,
                ListMemoriesParams {
                    view: Some(MemoryView::Full),
                    ..Default::default()
                },
            )
            .try_collect()
            .await
            .unwrap();
        for i in &items {
            match i {
                MemoryListItem::Memory(m) => {
                    let content = m.content.as_deref().expect("view=full has content");
                    assert_eq!(m.content_sha256, sha256_hex(content), "{}", m.path);
                    assert_eq!(m.content_size_bytes, content.len() as u64);
                }
                other => panic!("depth not given, so no prefixes: {other:?}"),
            }
        }
        let versions: Vec<_> = c
            .memory_versions_all(&st.id, ListMemoryVersionsParams::default())
            .try_collect()
            .await
            .unwrap();
        for v in &versions {
            assert!(v.operation.is_known());
            assert!(
                !matches!(v.created_by, Some(Actor::Unknown(_))),
                "{:?}",
                v.created_by
            );
        }
    }
}

#[tokio::test]
async fn firehose_history_pages_completely_and_parses() {
    let sim = start_sim(SimOptions {
        scenario: overseer::sim::Scenario::Firehose,
        events: 2_500,
        ..frozen()
    })
    .await;
    let c = client_for(&sim.base_url(), None, 2);
    let sessions: Vec<_> = c
        .sessions_all(ListSessionsParams::default())
        .try_collect()
        .await
        .unwrap();
    let mut total = 0;
    for s in &sessions {
        let events: Vec<_> = c
            .events_all(
                &s.id,
                ListEventsParams {
                    limit: Some(1000),
                    ..Default::default()
                },
            )
            .try_collect()
            .await
            .unwrap();
        let ids: BTreeSet<_> = events.iter().map(|e| e.id.clone()).collect();
        assert_eq!(ids.len(), events.len(), "no event twice across pages");
        assert!(events.iter().all(|e| e.is_known()));
        total += events.len();
    }
    assert!(total >= 2_500, "{total}");
}
