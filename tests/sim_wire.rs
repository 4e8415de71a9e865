//! The simulator speaks the wire: auth, request ids, error bodies, cursors and filters, fault
//! injection, determinism for a seed, the firehose scenario and deployment schedules.

use std::collections::HashSet;
use std::time::Duration;

use overseer::sim::{Faults, Scenario, SimHandle, SimOptions, start};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

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

async fn sim(opts: SimOptions) -> SimHandle {
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

fn slow() -> SimOptions {
    // Nearly frozen time: the world does not move under the test.
    SimOptions {
        speed: 0.0001,
        heartbeat: Duration::from_millis(200),
        ..Default::default()
    }
}

async fn get(c: &Client, url: &str) -> (StatusCode, Value) {
    let r = c
        .get(url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn ok(c: &Client, url: &str) -> Value {
    let (s, v) = get(c, url).await;
    assert_eq!(s, StatusCode::OK, "GET {url}: {v}");
    v
}

fn ids(v: &Value) -> Vec<String> {
    v["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x["id"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn sim_auth_accepts_only_the_configured_key_both_ways() {
    let h = sim(SimOptions {
        api_key: Some("sk-right".into()),
        ..slow()
    })
    .await;
    let (c, base) = (client(), h.base_url());
    let url = format!("{base}/v1/sessions");
    let r = c
        .get(&url)
        .header("x-api-key", "sk-wrong")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let rid = r.headers()["request-id"].to_str().unwrap_or("").to_string();
    let body: Value = r.json().await.unwrap_or_default();
    assert_eq!(body["type"], "error");
    assert_eq!(body["error"]["type"], "authentication_error");
    assert_eq!(
        body["request_id"],
        rid.as_str(),
        "the body repeats the request-id header"
    );
    let r = c.get(&url).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "no key at all");
    let body: Value = r.json().await.unwrap_or_default();
    assert_eq!(body["error"]["type"], "authentication_error");
    assert_eq!(
        body["error"]["message"],
        "missing API key: send an x-api-key header (or Authorization: Bearer)"
    );
    let r = c
        .get(&url)
        .header("x-api-key", "sk-right")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::OK);
    let r = c
        .get(&url)
        .bearer_auth("sk-right")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn sim_errors_have_the_real_shape_and_request_ids() {
    let h = sim(slow()).await;
    let (c, base) = (client(), h.base_url());
    let r = c
        .get(format!("{base}/v1/sessions?beta=true"))
        .header("anthropic-version", "2023-06-01")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["request-id"]
            .to_str()
            .unwrap_or("")
            .starts_with("req_")
    );
    for (url, status, kind) in [
        (
            format!("{base}/v1/sessions/sesn_missing"),
            StatusCode::NOT_FOUND,
            "not_found_error",
        ),
        (
            format!("{base}/v1/sessions?page=page_garbage"),
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
        ),
        (
            format!("{base}/v1/sessions?statuses[]=sleeping"),
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
        ),
        (
            format!("{base}/v1/sessions?order=sideways"),
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
        ),
        (
            format!("{base}/v1/sessions?limit=0"),
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
        ),
        (
            format!("{base}/v1/sessions?created_at%5Bgte%5D=yesterday"),
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
        ),
        (
            format!("{base}/v1/nothing/here"),
            StatusCode::NOT_FOUND,
            "not_found_error",
        ),
    ] {
        let r = c.get(&url).send().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.status(), status, "{url}");
        let rid = r.headers()["request-id"].to_str().unwrap_or("").to_string();
        let body: Value = r.json().await.unwrap_or_default();
        assert_eq!(body["error"]["type"], kind, "{url}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
        assert_eq!(body["request_id"], rid.as_str());
    }
    let r = c
        .get(format!("{base}/v1/sessions"))
        .header("anthropic-version", "1999-01-01")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap_or_default();
    assert_eq!(body["error"]["type"], "invalid_request_error");
    assert_eq!(
        body["error"]["message"],
        "anthropic-version: \"1999-01-01\" is not a supported version"
    );
    let r = c
        .post(format!("{base}/v1/memory_stores"))
        .body("{not json")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap_or_default();
    assert_eq!(body["error"]["type"], "invalid_request_error");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("request body is not valid JSON: ")),
        "{body}"
    );
}

#[tokio::test]
async fn sim_session_pages_cover_everything_once_in_both_directions() {
    let h = sim(slow()).await;
    let (c, base) = (client(), h.base_url());
    let all = ok(
        &c,
        &format!("{base}/v1/sessions?limit=100&include_archived=true"),
    )
    .await;
    let all_ids = ids(&all);
    assert!(all_ids.len() >= 12, "a believable fleet: {}", all_ids.len());
    assert!(all["prev_page"].is_null() && all["next_page"].is_null());
    let created: Vec<&str> = all["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["created_at"].as_str())
        .collect();
    let mut sorted = created.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(created, sorted, "newest first by default");

    let mut walked = Vec::new();
    let mut pages = Vec::new();
    let mut url = format!("{base}/v1/sessions?limit=4&include_archived=true");
    loop {
        let v = ok(&c, &url).await;
        walked.extend(ids(&v));
        pages.push(v.clone());
        match v["next_page"].as_str() {
            Some(p) => {
                assert!(p.starts_with("page_"));
                url = format!("{base}/v1/sessions?limit=4&include_archived=true&page={p}");
            }
            None => break,
        }
    }
    assert_eq!(walked, all_ids);
    // prev_page of the second page leads back to the first.
    let prev = pages[1]["prev_page"].as_str().unwrap_or("").to_string();
    let back = ok(
        &c,
        &format!("{base}/v1/sessions?limit=4&include_archived=true&page={prev}"),
    )
    .await;
    assert_eq!(ids(&back), ids(&pages[0]));
    // A cursor made for one order is rejected for the other.
    let next = pages[0]["next_page"].as_str().unwrap_or("").to_string();
    let (s, body) = get(&c, &format!("{base}/v1/sessions?order=asc&page={next}")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["type"], "invalid_request_error");

    let asc = ok(
        &c,
        &format!("{base}/v1/sessions?limit=100&include_archived=true&order=asc"),
    )
    .await;
    let mut rev = ids(&asc);
    rev.reverse();
    assert_eq!(rev, all_ids);
    let live = ok(&c, &format!("{base}/v1/sessions?limit=100")).await;
    assert!(
        ids(&live).len() < all_ids.len(),
        "archived sessions are hidden by default"
    );
    let filtered = ok(
        &c,
        &format!("{base}/v1/sessions?limit=100&statuses%5B%5D=terminated&statuses[]=rescheduling"),
    )
    .await;
    let st: HashSet<&str> = filtered["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["status"].as_str())
        .collect();
    assert_eq!(st, HashSet::from(["terminated", "rescheduling"]));
}

#[tokio::test]
async fn sim_event_pages_filters_and_time_ranges() {
    let h = sim(slow()).await;
    let (c, base) = (client(), h.base_url());
    let sessions = ok(&c, &format!("{base}/v1/sessions?limit=100")).await;
    let sid = sessions["data"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|s| s["title"] == "Fix invoice rounding for multi-currency carts")
        })
        .map(|s| s["id"].as_str().unwrap_or("").to_string())
        .unwrap_or_default();
    let full = ok(&c, &format!("{base}/v1/sessions/{sid}/events?limit=1000")).await;
    let all = ids(&full);
    assert!(
        all.len() > 30,
        "live sessions come with history: {}",
        all.len()
    );
    let mut walked = Vec::new();
    let mut url = format!("{base}/v1/sessions/{sid}/events?limit=7");
    loop {
        let v = ok(&c, &url).await;
        walked.extend(ids(&v));
        match v["next_page"].as_str() {
            Some(p) => url = format!("{base}/v1/sessions/{sid}/events?limit=7&page={p}"),
            None => break,
        }
    }
    assert_eq!(walked, all, "asc by processed_at, every event once");
    let stamps: Vec<&str> = full["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["processed_at"].as_str())
        .collect();
    assert!(
        stamps.windows(2).all(|w| w[0] < w[1]),
        "strictly increasing, so created_at[gt] resumes exactly"
    );

    let tools = ok(
        &c,
        &format!(
            "{base}/v1/sessions/{sid}/events?types%5B%5D=agent.tool_use&types[]=agent.tool_result"
        ),
    )
    .await;
    let kinds: HashSet<&str> = tools["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["type"].as_str())
        .collect();
    assert_eq!(
        kinds,
        HashSet::from(["agent.tool_use", "agent.tool_result"])
    );

    let mid = stamps[stamps.len() / 2];
    let after = ok(
        &c,
        &format!(
            "{base}/v1/sessions/{sid}/events?created_at%5Bgt%5D={}",
            mid.replace('+', "%2B")
        ),
    )
    .await;
    assert!(
        after["data"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|e| e["processed_at"].as_str().is_some_and(|t| t > mid))
    );
    let expected = stamps.iter().filter(|t| **t > mid).count();
    assert_eq!(after["data"].as_array().map(Vec::len), Some(expected));
    let desc = ok(
        &c,
        &format!("{base}/v1/sessions/{sid}/events?order=desc&limit=3"),
    )
    .await;
    assert_eq!(
        ids(&desc),
        all.iter().rev().take(3).cloned().collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn sim_error_rate_fault_answers_with_retryable_errors() {
    let faults: Faults = "error-rate=1".parse().unwrap_or_else(|e| panic!("{e}"));
    let h = sim(SimOptions { faults, ..slow() }).await;
    let (c, base) = (client(), h.base_url());
    let mut statuses = HashSet::new();
    for _ in 0..40 {
        let r = c
            .get(format!("{base}/v1/agents"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let status = r.status().as_u16();
        statuses.insert(status);
        if status == 429 {
            let ms: u64 = r.headers()["retry-after-ms"]
                .to_str()
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            assert!((50..=200).contains(&ms), "retry-after-ms {ms}");
            assert_eq!(r.headers()["retry-after"], "1");
        }
        let body: Value = r.json().await.unwrap_or_default();
        assert_eq!(body["type"], "error");
    }
    assert!(
        statuses.iter().all(|s| [429, 500, 529].contains(s)),
        "{statuses:?}"
    );
    assert_eq!(
        statuses.len(),
        3,
        "all three kinds show up over 40 requests: {statuses:?}"
    );
}

/// Up to `max` frames other than pings, until the server closes the stream.
async fn read_frames(resp: reqwest::Response, max: usize) -> Vec<(String, String)> {
    let mut resp = resp;
    let mut buf = String::new();
    let mut frames = Vec::new();
    while frames.len() < max {
        let chunk = match tokio::time::timeout(Duration::from_secs(20), resp.chunk()).await {
            Ok(Ok(Some(c))) => c,
            _ => break,
        };
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let raw: String = buf.drain(..end + 2).collect();
            let event = raw
                .lines()
                .find_map(|l| l.strip_prefix("event: "))
                .unwrap_or("")
                .to_string();
            let data = raw
                .lines()
                .find_map(|l| l.strip_prefix("data: "))
                .unwrap_or("")
                .to_string();
            if event != "ping" {
                frames.push((event, data));
            }
        }
    }
    frames
}

#[tokio::test]
async fn sim_stream_faults_drop_and_malformed_frames() {
    // The firehose's live burst gives a steady supply of events.
    let faults: Faults = "drop-stream-after=5"
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    let h = sim(SimOptions {
        scenario: Scenario::Firehose,
        events: 100,
        speed: 5.0,
        faults,
        ..slow()
    })
    .await;
    let (c, base) = (client(), h.base_url());
    let sid = ids(&ok(&c, &format!("{base}/v1/sessions")).await).remove(0);
    let resp = c
        .get(format!("{base}/v1/sessions/{sid}/events/stream"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let frames = read_frames(resp, 1000).await;
    assert_eq!(frames.len(), 5, "the connection closes after 5 events");

    let faults: Faults = "malformed=1".parse().unwrap_or_else(|e| panic!("{e}"));
    let h = sim(SimOptions {
        scenario: Scenario::Firehose,
        events: 100,
        speed: 5.0,
        faults,
        ..slow()
    })
    .await;
    let base = h.base_url();
    let sid = ids(&ok(&c, &format!("{base}/v1/sessions")).await).remove(0);
    let resp = c
        .get(format!("{base}/v1/sessions/{sid}/events/stream"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let frames = read_frames(resp, 60).await;
    assert_eq!(frames.len(), 60);
    // Garbage (truncated JSON, no `event:` line) comes on the wire only; unknown-type events are
    // real events, recorded in history. No real event is lost and history order is kept.
    let parsed = |(e, d): &(String, String)| {
        serde_json::from_str::<Value>(d)
            .ok()
            .filter(|v| v["type"] == e.as_str() && v["id"].as_str().is_some())
    };
    let garbage = frames.iter().filter(|f| parsed(f).is_none()).count();
    let events: Vec<Value> = frames.iter().filter_map(parsed).collect();
    let unknown = events
        .iter()
        .filter(|v| v["type"] == "session.future_feature")
        .count();
    assert!(garbage > 0, "some frames are garbage: {frames:?}");
    assert!(
        unknown > 0,
        "some events are of an unknown type: {frames:?}"
    );
    assert!(
        events.len() > 20,
        "most frames still carry events: {}",
        events.len()
    );
    let hist = ids(&ok(&c, &format!("{base}/v1/sessions/{sid}/events?limit=1000")).await);
    let streamed: Vec<String> = events
        .iter()
        .filter_map(|v| v["id"].as_str().map(str::to_string))
        .collect();
    let positions: Vec<usize> = streamed
        .iter()
        .map(|id| {
            hist.iter()
                .position(|h| h == id)
                .unwrap_or_else(|| panic!("streamed event {id} is in history"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "stream order is history order: {positions:?}"
    );
}

#[tokio::test]
async fn sim_same_seed_same_world() {
    let snapshot = |h: &SimHandle| {
        let base = h.base_url();
        async move {
            let c = client();
            let sessions = ok(
                &c,
                &format!("{base}/v1/sessions?limit=100&include_archived=true"),
            )
            .await;
            let mut out = Vec::new();
            for s in sessions["data"].as_array().into_iter().flatten() {
                let sid = s["id"].as_str().unwrap_or("");
                let events = ok(&c, &format!("{base}/v1/sessions/{sid}/events?limit=50")).await;
                let kinds: Vec<String> = events["data"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| format!("{}:{}", e["id"], e["type"]))
                    .collect();
                // Titles of scheduled runs carry their (wall-clock relative) time.
                let title: String = s["title"]
                    .to_string()
                    .chars()
                    .filter(|ch| !ch.is_ascii_digit())
                    .collect();
                out.push((sid.to_string(), title, s["status"].to_string(), kinds));
            }
            let stores = ok(&c, &format!("{base}/v1/memory_stores?limit=100")).await;
            for st in stores["data"].as_array().into_iter().flatten() {
                let id = st["id"].as_str().unwrap_or("");
                let mems = ok(
                    &c,
                    &format!("{base}/v1/memory_stores/{id}/memories?limit=100"),
                )
                .await;
                out.push((
                    id.to_string(),
                    st["name"].to_string(),
                    String::new(),
                    ids(&mems),
                ));
            }
            out
        }
    };
    let a = sim(SimOptions { seed: 42, ..slow() }).await;
    let b = sim(SimOptions { seed: 42, ..slow() }).await;
    let c = sim(SimOptions { seed: 43, ..slow() }).await;
    let (sa, sb, sc) = (snapshot(&a).await, snapshot(&b).await, snapshot(&c).await);
    assert!(sa.len() > 12);
    assert_eq!(sa, sb, "same seed, same world");
    assert_ne!(sa[0].0, sc[0].0, "another seed, other ids");
}

#[tokio::test]
async fn sim_firehose_serves_its_history() {
    let h = sim(SimOptions {
        scenario: Scenario::Firehose,
        events: 2500,
        ..slow()
    })
    .await;
    let (c, base) = (client(), h.base_url());
    let sid = ids(&ok(&c, &format!("{base}/v1/sessions")).await).remove(0);
    let mut total = 0;
    let mut bytes = 0;
    let mut url = format!("{base}/v1/sessions/{sid}/events?limit=1000");
    loop {
        let r = c.get(&url).send().await.unwrap_or_else(|e| panic!("{e}"));
        let text = r.text().await.unwrap_or_default();
        let v: Value = serde_json::from_str(&text).unwrap_or_default();
        total += v["data"].as_array().map(Vec::len).unwrap_or(0);
        bytes += text.len();
        match v["next_page"].as_str() {
            Some(p) => url = format!("{base}/v1/sessions/{sid}/events?limit=1000&page={p}"),
            None => break,
        }
    }
    assert_eq!(total, 2500);
    let avg = bytes / total;
    assert!(
        (150..=400).contains(&avg),
        "typical events are ~250 bytes, got {avg}"
    );
}

#[tokio::test]
async fn sim_deployments_fire_on_schedule_and_pause() {
    // 600x: a 30-minute schedule fires every 3 real seconds.
    let h = sim(SimOptions {
        speed: 600.0,
        ..slow()
    })
    .await;
    let (c, base) = (client(), h.base_url());
    let deps = ok(&c, &format!("{base}/v1/deployments")).await;
    let all = deps["data"].as_array().cloned().unwrap_or_default();
    let active = all
        .iter()
        .find(|d| d["status"] == "active")
        .cloned()
        .unwrap_or_default();
    let paused = all
        .iter()
        .find(|d| d["status"] == "paused")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        paused["paused_reason"]["type"], "error",
        "the errored deployment paused itself"
    );
    let upcoming = active["schedule"]["upcoming_runs_at"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(upcoming.len(), 5);
    assert!(
        upcoming.iter().all(|t| t
            .as_str()
            .is_some_and(|t| t.contains(":00:00") || t.contains(":30:00"))),
        "{upcoming:?}"
    );
    let errored = ok(&c, &format!("{base}/v1/deployment_runs?has_error=true")).await;
    assert!(errored["data"].as_array().is_some_and(|r| {
        !r.is_empty()
            && r.iter()
                .all(|r| r["session_id"].is_null() && r["error"]["type"].is_string())
    }));

    let did = active["id"].as_str().unwrap_or("").to_string();
    let runs_url =
        format!("{base}/v1/deployment_runs?deployment_id={did}&trigger_type=schedule&limit=1000");
    let before = ids(&ok(&c, &runs_url).await).len();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let now = ok(&c, &runs_url).await;
        if ids(&now).len() > before {
            let run = &now["data"][0];
            assert!(
                run["session_id"]
                    .as_str()
                    .is_some_and(|s| s.starts_with("sesn_"))
            );
            assert_eq!(run["trigger_context"]["type"], "schedule");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no scheduled run fired"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let r = c
        .post(format!("{base}/v1/deployments/{did}/pause"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let d: Value = r.json().await.unwrap_or_default();
    assert_eq!(
        (d["status"].as_str(), d["paused_reason"]["type"].as_str()),
        (Some("paused"), Some("manual"))
    );
    assert_eq!(d["schedule"]["upcoming_runs_at"], json!([]));
    let r = c
        .post(format!("{base}/v1/deployments/{did}/run"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let run: Value = r.json().await.unwrap_or_default();
    assert_eq!(run["trigger_context"], json!({"type": "manual"}));
}

async fn history(c: &Client, base: &str, sid: &str) -> Vec<Value> {
    ok(c, &format!("{base}/v1/sessions/{sid}/events?limit=1000")).await["data"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn last_idle(hist: &[Value]) -> Value {
    hist.iter()
        .rev()
        .find(|e| e["type"] == "session.status_idle")
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn sim_demo_fleet_has_every_state_an_operator_meets() {
    let h = sim(slow()).await;
    let (c, base) = (client(), h.base_url());
    let all = ok(
        &c,
        &format!("{base}/v1/sessions?limit=100&include_archived=true"),
    )
    .await;
    let sessions = all["data"].as_array().cloned().unwrap_or_default();
    let by_title = |t: &str| {
        sessions
            .iter()
            .find(|s| s["title"] == t)
            .cloned()
            .unwrap_or_else(|| panic!("no session {t}"))
    };
    let agents: HashSet<&str> = sessions
        .iter()
        .filter_map(|s| s["agent"]["name"].as_str())
        .collect();
    assert!(agents.len() >= 6, "several agents: {agents:?}");

    // Waiting for approval of two `always_ask` bash calls.
    let coder = by_title("Fix invoice rounding for multi-currency carts");
    let hist = history(&c, &base, coder["id"].as_str().unwrap_or("")).await;
    let idle = last_idle(&hist);
    assert_eq!(idle["stop_reason"]["type"], "requires_action");
    let pending = idle["stop_reason"]["event_ids"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(pending.len(), 2);
    for id in &pending {
        let call = hist
            .iter()
            .find(|e| e["id"] == *id)
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            (call["name"].as_str(), call["evaluation"]["type"].as_str()),
            (Some("bash"), Some("always_ask"))
        );
    }
    assert!(hist.len() >= 30, "history already: {}", hist.len());

    // Waiting for a custom tool result.
    let support = by_title("Ticket #8812 — damaged order, replacement before Friday");
    let hist = history(&c, &base, support["id"].as_str().unwrap_or("")).await;
    let waiting = last_idle(&hist)["stop_reason"]["event_ids"][0].clone();
    assert_eq!(
        hist.iter()
            .find(|e| e["id"] == waiting)
            .map(|e| e["type"].clone()),
        Some(json!("agent.custom_tool_use"))
    );

    // MCP authentication failure, then retries exhausted.
    let failing = by_title("Incident digest from Linear");
    let hist = history(&c, &base, failing["id"].as_str().unwrap_or("")).await;
    let errors: Vec<&Value> = hist
        .iter()
        .filter(|e| e["type"] == "session.error")
        .collect();
    assert!(
        errors
            .iter()
            .all(|e| e["error"]["type"] == "mcp_authentication_failed_error"
                && e["error"]["mcp_server_name"] == "linear")
    );
    assert_eq!(
        errors
            .last()
            .map(|e| e["error"]["retry_status"]["type"].clone()),
        Some(json!("exhausted"))
    );
    assert_eq!(last_idle(&hist)["stop_reason"]["type"], "retries_exhausted");
    assert!(
        hist.iter()
            .any(|e| e["type"] == "session.status_rescheduled")
    );

    // Budget reached, rescheduling, terminated, archived.
    let budget = by_title("Release notes for v4.2");
    assert_eq!(
        last_idle(&history(&c, &base, budget["id"].as_str().unwrap_or("")).await)["stop_reason"]["type"],
        "budget_reached"
    );
    assert!(budget["budget"]["max_list_cost"]["amount"].is_string());
    assert_eq!(
        by_title("EU AI Act obligations brief")["status"],
        "rescheduling"
    );
    assert_eq!(by_title("Onboarding guide rewrite")["status"], "terminated");
    assert!(
        sessions
            .iter()
            .filter(|s| s["archived_at"].is_string())
            .count()
            >= 2
    );

    // Running sessions: the researcher grading an outcome, the coordinator with two sub-agents.
    let researcher = by_title("Vector DB evaluation for search v2");
    assert!(
        researcher["outcome_evaluations"]
            .as_array()
            .is_some_and(|o| o
                .iter()
                .any(|o| o["result"] == "running" || o["result"] == "evaluating"))
    );
    let lead = by_title("Market sizing: observability platforms 2026");
    let lid = lead["id"].as_str().unwrap_or("");
    let threads = ok(&c, &format!("{base}/v1/sessions/{lid}/threads")).await;
    let children: Vec<String> = threads["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["parent_thread_id"].is_string())
        .filter_map(|t| t["id"].as_str().map(str::to_string))
        .collect();
    assert_eq!(children.len(), 2);
    let hist = history(&c, &base, lid).await;
    for t in &children {
        assert!(
            hist.iter()
                .any(|e| e["type"] == "session.thread_status_running"
                    && e["session_thread_id"] == t.as_str()),
            "status of {t} cross-posted"
        );
        let own = ok(
            &c,
            &format!("{base}/v1/sessions/{lid}/threads/{t}/events?limit=1000"),
        )
        .await;
        assert!(
            own["data"]
                .as_array()
                .is_some_and(|e| e.iter().any(|e| e["type"] == "agent.message")),
            "the sub-agent works on its own thread"
        );
    }
    assert!(
        hist.iter()
            .all(|e| e["type"] != "agent.message" || e.get("session_thread_id").is_none()),
        "sub-agent messages stay on their thread"
    );

    // Memory: two stores, ~30 memories, agent writes attributed to sessions.
    let stores = ok(&c, &format!("{base}/v1/memory_stores?limit=100")).await;
    let mut count = 0;
    let mut session_writes = 0;
    for st in stores["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| !s["name"].as_str().unwrap_or("").contains("dream"))
    {
        let id = st["id"].as_str().unwrap_or("");
        count += ok(
            &c,
            &format!("{base}/v1/memory_stores/{id}/memories?limit=100"),
        )
        .await["data"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0);
        let versions = ok(
            &c,
            &format!("{base}/v1/memory_stores/{id}/memory_versions?limit=100"),
        )
        .await;
        session_writes += versions["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|v| v["created_by"]["type"] == "session_actor")
            .count();
    }
    assert!((28..=40).contains(&count), "{count} memories");
    assert!(session_writes >= 4);
}

#[tokio::test]
async fn sim_wrong_method_gets_the_error_body() {
    let h = sim(slow()).await;
    let (c, base) = (client(), h.base_url());
    let r = c
        .put(format!("{base}/v1/sessions"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.headers().contains_key("request-id"));
    let body: Value = r.json().await.unwrap_or_default();
    assert_eq!(
        (body["type"].as_str(), body["error"]["type"].as_str()),
        (Some("error"), Some("invalid_request_error"))
    );
}

#[tokio::test]
async fn sim_dropping_the_handle_stops_the_server() {
    let h = sim(slow()).await;
    let (c, base) = (client(), h.base_url());
    // An open stream must not keep the server alive.
    let sid = ids(&ok(&c, &format!("{base}/v1/sessions")).await).remove(0);
    let stream = c
        .get(format!("{base}/v1/sessions/{sid}/events/stream"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stream.status(), StatusCode::OK);
    drop(h);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if c.get(format!("{base}/v1/sessions")).send().await.is_err() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still serving after the handle was dropped"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn event_count(c: &Client, base: &str, sid: &str) -> usize {
    let mut total = 0;
    let mut url = format!("{base}/v1/sessions/{sid}/events?limit=1000");
    loop {
        let v = ok(c, &url).await;
        total += v["data"].as_array().map(Vec::len).unwrap_or(0);
        match v["next_page"].as_str() {
            Some(p) => url = format!("{base}/v1/sessions/{sid}/events?limit=1000&page={p}"),
            None => return total,
        }
    }
}

#[tokio::test]
async fn sim_firehose_is_exactly_n_plus_one_burst_then_idle_for_good() {
    let h = sim(SimOptions {
        scenario: Scenario::Firehose,
        events: 600,
        speed: 40.0,
        ..Default::default()
    })
    .await;
    let (c, base) = (client(), h.base_url());
    let sid = ids(&ok(&c, &format!("{base}/v1/sessions")).await).remove(0);
    // The burst: running + 200 turns of 5 events + the final idle = 1002 events.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let s = ok(&c, &format!("{base}/v1/sessions/{sid}")).await;
        let n = event_count(&c, &base, &sid).await;
        if s["status"] == "idle" && n == 600 + 1002 {
            break;
        }
        assert!(n <= 1602, "more than the history and one burst: {n}");
        assert!(
            std::time::Instant::now() < deadline,
            "burst never finished: {n} events, status {}",
            s["status"]
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Idle for good: at 40x, 3 s real is 2 simulated minutes, longer than any autopilot gap.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(event_count(&c, &base, &sid).await, 1602);
    let s = ok(&c, &format!("{base}/v1/sessions/{sid}")).await;
    assert_eq!(s["status"], "idle");
}

#[tokio::test]
async fn sim_checks_the_beta_header_per_resource() {
    let h = sim(slow()).await;
    let base = h.base_url();
    let with = |beta: Option<&str>| {
        let mut h = reqwest::header::HeaderMap::new();
        if let Some(b) = beta {
            h.insert(
                "anthropic-beta",
                reqwest::header::HeaderValue::from_str(b).unwrap_or_else(|e| panic!("{e}")),
            );
        }
        Client::builder()
            .default_headers(h)
            .build()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let none = with(None);
    let (s, v) = get(&none, &format!("{base}/v1/sessions")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["error"]["type"], "invalid_request_error");
    assert_eq!(
        v["error"]["message"],
        "this endpoint requires the `anthropic-beta: managed-agents-2026-04-01` header (none was sent)"
    );
    // Unknown paths are 404 whatever the headers.
    let (s, _) = get(&none, &format!("{base}/v1/nothing")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // A comma list containing the token is fine.
    let managed = with(Some("files-api-2025-04-14, managed-agents-2026-04-01"));
    for path in [
        "/v1/sessions",
        "/v1/agents",
        "/v1/environments",
        "/v1/deployments",
        "/v1/deployment_runs",
    ] {
        let (s, v) = get(&managed, &format!("{base}{path}")).await;
        assert_eq!(s, StatusCode::OK, "{path}: {v}");
    }
    // Memory: its own beta, or (leniently) the Managed Agents one.
    let (s, _) = get(&managed, &format!("{base}/v1/memory_stores")).await;
    assert_eq!(s, StatusCode::OK);
    let memory = with(Some("agent-memory-2026-07-22"));
    let (s, _) = get(&memory, &format!("{base}/v1/memory_stores")).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = get(&memory, &format!("{base}/v1/sessions")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(
        v["error"]["message"],
        "this endpoint requires the `anthropic-beta: managed-agents-2026-04-01` header (got `agent-memory-2026-07-22`)"
    );
    // Dreams: the dreaming beta; Managed Agents alone does not grant them.
    let (s, v) = get(&managed, &format!("{base}/v1/dreams")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(
        v["error"]["message"],
        "this endpoint requires the `anthropic-beta: dreaming-2026-04-21` header (got `files-api-2025-04-14,managed-agents-2026-04-01`)"
    );
    let (s, _) = get(
        &with(Some("dreaming-2026-04-21")),
        &format!("{base}/v1/dreams"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    // The stream is gated too.
    let sid = ids(&ok(&managed, &format!("{base}/v1/sessions")).await).remove(0);
    let r = none
        .get(format!("{base}/v1/sessions/{sid}/events/stream"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}
