//! The session feed against the in-process simulator: thread feeds, deleted and missing
//! sessions, and live typing previews.

use std::collections::HashMap;
use std::time::Duration;

use futures::StreamExt;
use overseer::api::feed::{self, ConnState, FeedConfig, FeedItem};
use overseer::api::types::ListEventsParams;
use overseer::api::{Beta, Client, ClientConfig, Query};
use overseer::sim::{Scenario, SimHandle, SimOptions};
use serde_json::Value;
use tokio::sync::mpsc::Receiver;
use tokio::time::{Instant, timeout_at};

async fn sim(scenario: Scenario, speed: f64) -> (SimHandle, Client) {
    let opts = SimOptions {
        scenario,
        speed,
        events: 300,
        ..SimOptions::default()
    };
    let handle = overseer::sim::start(opts, ([127, 0, 0, 1], 0).into())
        .await
        .expect("sim starts");
    let client = Client::new(ClientConfig::new(handle.base_url(), None)).expect("client");
    (handle, client)
}

async fn get_json(client: &Client, path: &str, q: &Query) -> Value {
    let body = client
        .get_raw(Beta::ManagedAgents, path, q)
        .await
        .expect("GET");
    serde_json::from_slice(&body).expect("JSON")
}

async fn all_ids(client: &Client, path: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut page: Option<String> = None;
    loop {
        let q = Query::new()
            .push("limit", "1000")
            .push_opt("page", page.take());
        let v = get_json(client, path, &q).await;
        for e in v["data"].as_array().expect("data") {
            ids.push(e["id"].as_str().expect("id").to_owned());
        }
        match v["next_page"].as_str() {
            Some(p) if !p.is_empty() => page = Some(p.to_owned()),
            _ => return ids,
        }
    }
}

/// Every event id of a session's (or thread's) history, listed through the client.
async fn history_ids(client: &Client, sid: &str, thread: Option<&str>) -> Vec<String> {
    let params = ListEventsParams {
        limit: Some(1000),
        ..ListEventsParams::default()
    };
    let events: Vec<_> = match thread {
        Some(tid) => {
            client
                .thread_events_all(sid, tid, params)
                .collect::<Vec<_>>()
                .await
        }
        None => client.events_all(sid, params).collect::<Vec<_>>().await,
    };
    events
        .into_iter()
        .map(|e| {
            e.expect("history page")
                .id
                .expect("persisted events have ids")
        })
        .collect()
}

/// What the feed delivered by the time history was loaded must be exactly the history that
/// existed before it started (`before`), then only events that history lists next (`after`,
/// listed once the feed got there, may have grown with live events).
fn assert_exact_history(delivered: &[String], before: &[String], after: &[String]) {
    assert!(
        delivered.len() >= before.len(),
        "{} delivered, {} in history before the feed started",
        delivered.len(),
        before.len()
    );
    assert_eq!(&delivered[..before.len()], before);
    assert!(delivered.len() <= after.len());
    assert_eq!(delivered, &after[..delivered.len()]);
}

/// Next item, or panic after the deadline.
async fn next(rx: &mut Receiver<FeedItem>, deadline: Instant) -> FeedItem {
    timeout_at(deadline, rx.recv())
        .await
        .expect("feed item before the deadline")
        .expect("feed still running")
}

fn id_of(raw: &str) -> String {
    serde_json::from_str::<Value>(raw).expect("json")["id"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thread_feed_delivers_the_thread_history() {
    let (_sim, client) = sim(Scenario::Demo, 1.0).await;
    let sessions = get_json(&client, "/v1/sessions", &Query::new().push("limit", "100")).await;
    let mut found = None;
    for s in sessions["data"].as_array().expect("sessions") {
        let sid = s["id"].as_str().expect("id");
        let threads = get_json(
            &client,
            &format!("/v1/sessions/{sid}/threads"),
            &Query::new(),
        )
        .await;
        if let Some(t) = threads["data"]
            .as_array()
            .expect("threads")
            .iter()
            .find(|t| !t["parent_thread_id"].is_null())
        {
            found = Some((sid.to_owned(), t["id"].as_str().expect("id").to_owned()));
            break;
        }
    }
    let (sid, tid) = found.expect("the demo has a multiagent session with a child thread");
    let before = history_ids(&client, &sid, Some(&tid)).await;
    assert!(!before.is_empty());
    let mut cfg = FeedConfig::new(sid.clone());
    cfg.thread_id = Some(tid.clone());
    let (_h, mut rx) = feed::spawn(client.clone(), cfg);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut delivered = Vec::new();
    loop {
        match next(&mut rx, deadline).await {
            FeedItem::Event(raw) => delivered.push(id_of(&raw)),
            FeedItem::HistoryLoaded => break,
            _ => {}
        }
    }
    let after = history_ids(&client, &sid, Some(&tid)).await;
    assert_exact_history(&delivered, &before, &after);
    // The hand-paged raw listing agrees with the client's.
    let raw = all_ids(&client, &format!("/v1/sessions/{sid}/threads/{tid}/events")).await;
    assert_eq!(raw, after);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_the_session_ends_the_feed_as_gone() {
    let (_sim, client) = sim(Scenario::Firehose, 1.0).await;
    let sessions = get_json(&client, "/v1/sessions", &Query::new()).await;
    let sid = sessions["data"][0]["id"].as_str().expect("id").to_owned();
    let before = history_ids(&client, &sid, None).await;
    assert!(before.len() >= 300, "{} events", before.len());
    let (_h, mut rx) = feed::spawn(client.clone(), FeedConfig::new(sid.clone()));
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut delivered = Vec::new();
    loop {
        match next(&mut rx, deadline).await {
            FeedItem::Event(raw) => delivered.push(id_of(&raw)),
            FeedItem::State(ConnState::Live) => break,
            _ => {}
        }
    }
    // The 300 history events exactly, plus any of the live burst already processed.
    let after = history_ids(&client, &sid, None).await;
    assert_exact_history(&delivered, &before, &after);
    client.delete_session(&sid).await.expect("delete");
    loop {
        match next(&mut rx, deadline).await {
            FeedItem::Gone { reason } => {
                assert_eq!(reason, "session deleted");
                break;
            }
            FeedItem::Ended => panic!("a deleted session is gone, not ended"),
            _ => {}
        }
    }
    // A feed of a session that does not exist is gone at once.
    let (_h, mut rx) = feed::spawn(client.clone(), FeedConfig::new("sesn_missing"));
    loop {
        match next(&mut rx, deadline).await {
            FeedItem::Gone { reason } => {
                assert!(
                    reason.starts_with("not found (404 not_found_error: "),
                    "{reason}"
                );
                break;
            }
            FeedItem::Event(_) => panic!("no events from a missing session"),
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn previews_grow_into_the_final_message() {
    let (_sim, client) = sim(Scenario::Firehose, 1.0).await;
    let sessions = get_json(&client, "/v1/sessions", &Query::new()).await;
    let sid = sessions["data"][0]["id"].as_str().expect("id").to_owned();
    let mut cfg = FeedConfig::new(sid);
    cfg.deltas = true;
    let (_h, mut rx) = feed::spawn(client, cfg);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last_preview: HashMap<String, String> = HashMap::new();
    let mut exact = 0;
    while exact < 3 {
        match next(&mut rx, deadline).await {
            FeedItem::Preview { event_id, text, .. } => {
                if let Some(before) = last_preview.get(&event_id) {
                    assert!(text.starts_with(before.as_str()), "previews only grow");
                }
                last_preview.insert(event_id, text);
            }
            FeedItem::Event(raw) => {
                let v: Value = serde_json::from_str(&raw).expect("json");
                let id = v["id"].as_str().unwrap_or("");
                if v["type"] == "agent.message"
                    && let Some(preview) = last_preview.remove(id)
                {
                    let text = v["content"][0]["text"].as_str().unwrap_or("");
                    assert!(
                        text.starts_with(preview.as_str()),
                        "{preview:?} vs {text:?}"
                    );
                    if preview == text {
                        exact += 1;
                    }
                }
            }
            FeedItem::PreviewDiscarded { event_id } => {
                last_preview.remove(&event_id);
            }
            _ => {}
        }
    }
}
