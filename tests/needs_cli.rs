//! `overseer needs | approve | deny | answer | interrupt | send` (the real binary) against
//! `overseer sim` (the real binary): what the commands print and send is checked through the API.
//! Each test has its own simulator, so the calls one test answers are still waiting in another.

use std::collections::BTreeSet;
use std::process::Command;
use std::time::{Duration, Instant};

use overseer::api::{Beta, Client, ClientConfig, Query};
use serde_json::Value;

#[path = "common/sim_bin.rs"]
mod sim_bin;
use sim_bin::start_sim;

const BIN: &str = env!("CARGO_BIN_EXE_overseer");
/// The machine is slow and shared: "eventually" waits this long.
const PATIENCE: Duration = Duration::from_secs(90);

struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(base: &str, args: &[&str]) -> Out {
    let out = Command::new(BIN)
        .args(["--base-url", base])
        .args(args)
        .env_remove("ANTHROPIC_API_KEY")
        .output()
        .expect("run overseer");
    Out {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn needs(base: &str) -> Vec<Value> {
    let out = run(base, &["needs", "--json"]);
    assert_eq!(out.code, Some(0), "needs --json failed: {}", out.stderr);
    match serde_json::from_str(&out.stdout) {
        Ok(Value::Array(rows)) => rows,
        other => panic!("needs --json printed no array: {other:?}\n{}", out.stdout),
    }
}

/// Wait (bounded) until `needs --json` lists at least `n` rows of `kind`; return all rows.
fn wait_rows(base: &str, kind: &str, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let rows = needs(base);
        if rows.iter().filter(|r| r["kind"] == kind).count() >= n {
            return rows;
        }
        assert!(
            Instant::now() < deadline,
            "the simulator never had {n} waiting {kind} calls: {rows:?}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// A tool-confirmation row whose session waits for at least `n` confirmations.
fn confirmations_in_one_session(base: &str, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let rows = wait_rows(base, "tool_confirmation", 1);
        for r in rows.iter().filter(|r| r["kind"] == "tool_confirmation") {
            let same: Vec<Value> = rows
                .iter()
                .filter(|o| o["kind"] == "tool_confirmation" && o["session_id"] == r["session_id"])
                .cloned()
                .collect();
            if same.len() >= n {
                return same;
            }
        }
        assert!(
            Instant::now() < deadline,
            "no session waits for {n} confirmations: {rows:?}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn client(base: &str) -> Client {
    let mut cfg = ClientConfig::new(base, None);
    cfg.max_retries = 5;
    cfg.backoff_base = Duration::from_millis(10);
    Client::new(cfg).expect("client")
}

async fn get_json(client: &Client, path: &str, query: &Query) -> Value {
    let body = client
        .get_raw(Beta::ManagedAgents, path, query)
        .await
        .expect("GET succeeds");
    serde_json::from_slice(&body).expect("JSON body")
}

/// The session's whole history, as the API returns it.
async fn history(client: &Client, sid: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut page: Option<String> = None;
    loop {
        let q = Query::new()
            .push("limit", "1000")
            .push_opt("page", page.take());
        let v = get_json(client, &format!("/v1/sessions/{sid}/events"), &q).await;
        out.extend(v["data"].as_array().expect("data array").iter().cloned());
        match v["next_page"].as_str() {
            Some(p) if !p.is_empty() => page = Some(p.to_owned()),
            _ => return out,
        }
    }
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or("")
}

/// The calls the API shows waiting, read directly: for every idle session, the ids its latest
/// `session.status_idle` lists as `requires_action`, minus those with an answer in history.
async fn waiting_per_api(client: &Client) -> BTreeSet<(String, String)> {
    let sessions = get_json(client, "/v1/sessions", &Query::new().push("limit", "100")).await;
    let mut out = BTreeSet::new();
    for s in sessions["data"].as_array().expect("sessions") {
        if s["status"] != "idle" {
            continue;
        }
        let sid = str_of(s, "id");
        let h = history(client, sid).await;
        let Some(idle) = h.iter().rev().find(|e| e["type"] == "session.status_idle") else {
            continue;
        };
        if idle["stop_reason"]["type"] != "requires_action" {
            continue;
        }
        for id in idle["stop_reason"]["event_ids"].as_array().expect("ids") {
            let id = id.as_str().expect("id");
            let answered = h.iter().any(|e| {
                e["tool_use_id"].as_str() == Some(id)
                    || e["custom_tool_use_id"].as_str() == Some(id)
            });
            if !answered {
                out.insert((sid.to_string(), id.to_string()));
            }
        }
    }
    out
}

/// Wait (bounded) until the session's history holds an event matching `pred`; return it.
async fn wait_event(client: &Client, sid: &str, pred: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(e) = history(client, sid).await.into_iter().find(&pred) {
            return e;
        }
        assert!(
            Instant::now() < deadline,
            "the expected event never reached {sid}'s history"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The id in a success line's `(event sevt_…)`.
fn echoed_id(stdout: &str) -> String {
    let tail = stdout.rsplit("(event ").next().unwrap_or("");
    let id = tail.trim_end().trim_end_matches(')');
    assert!(id.starts_with("sevt_"), "no echoed id in {stdout:?}");
    id.to_string()
}

fn row_ids(rows: &[Value]) -> BTreeSet<(String, String)> {
    rows.iter()
        .map(|r| (str_of(r, "session_id").into(), str_of(r, "event_id").into()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn needs_json_lists_the_waiting_calls_the_api_shows() {
    let (_sim, base) = start_sim(&[]);
    let api = client(&base);
    wait_rows(&base, "custom_tool", 1);
    wait_rows(&base, "tool_confirmation", 1);
    // Blocked calls stay blocked until someone answers, so: before ⊆ needs ⊆ after.
    let before = waiting_per_api(&api).await;
    let rows = needs(&base);
    let after = waiting_per_api(&api).await;
    let listed = row_ids(&rows);
    assert!(before.is_subset(&listed), "{before:?} vs {listed:?}");
    assert!(listed.is_subset(&after), "{listed:?} vs {after:?}");

    // Oldest first.
    let times: Vec<&str> = rows.iter().map(|r| str_of(r, "waiting_since")).collect();
    let mut sorted = times.clone();
    sorted.sort_by_key(|t| {
        t.parse::<jiff::Timestamp>()
            .expect("waiting_since is a time")
    });
    assert_eq!(times, sorted);

    for r in &rows {
        let keys: BTreeSet<&str> = r
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            BTreeSet::from([
                "session_id",
                "event_id",
                "kind",
                "tool",
                "input",
                "thread_id",
                "waiting_since"
            ])
        );
        let h = history(&api, str_of(r, "session_id")).await;
        let ev = h
            .iter()
            .find(|e| e["id"] == r["event_id"])
            .expect("the call is in the session's history");
        let (kind, tool) = match str_of(ev, "type") {
            "agent.tool_use" => ("tool_confirmation", str_of(ev, "name").to_string()),
            "agent.mcp_tool_use" => (
                "tool_confirmation",
                format!("{}/{}", str_of(ev, "mcp_server_name"), str_of(ev, "name")),
            ),
            "agent.custom_tool_use" => ("custom_tool", str_of(ev, "name").to_string()),
            other => panic!("row for a {other} event"),
        };
        assert_eq!(r["kind"], kind);
        assert_eq!(r["tool"], tool.as_str());
        assert_eq!(r["input"], ev["input"]);
        assert_eq!(r["waiting_since"], ev["processed_at"]);
        assert_eq!(
            r["thread_id"],
            ev.get("session_thread_id").cloned().unwrap_or(Value::Null)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_sends_allow_and_the_call_leaves_needs_and_a_second_approve_is_refused() {
    let (_sim, base) = start_sim(&[]);
    let api = client(&base);
    // A session with two confirmations stays blocked after the first is answered.
    let rows = confirmations_in_one_session(&base, 2);
    let (sid, eid) = (str_of(&rows[0], "session_id"), str_of(&rows[0], "event_id"));

    let out = run(&base, &["approve", sid, eid]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    assert!(
        out.stdout
            .starts_with(&format!("approved {eid} in session {sid} (event sevt_")),
        "{}",
        out.stdout
    );
    let conf = wait_event(&api, sid, |e| {
        e["type"] == "user.tool_confirmation" && e["tool_use_id"] == eid
    })
    .await;
    assert_eq!(conf["result"], "allow");
    assert!(conf.get("deny_message").is_none(), "{conf}");
    assert!(
        !row_ids(&needs(&base)).contains(&(sid.to_string(), eid.to_string())),
        "the approved call is still listed"
    );

    // Wait until the session re-lists only the remaining call, so its history is at rest.
    let other = str_of(&rows[1], "event_id").to_string();
    wait_event(&api, sid, |e| {
        e["type"] == "session.status_idle"
            && e["stop_reason"]["event_ids"] == serde_json::json!([other])
    })
    .await;
    let count = history(&api, sid).await.len();
    let again = run(&base, &["approve", sid, eid]);
    assert_eq!(again.code, Some(1));
    assert_eq!(
        again.stderr.trim(),
        format!("overseer: cannot approve {eid} in session {sid}: it has already been answered")
    );
    assert_eq!(again.stdout, "");
    assert_eq!(history(&api, sid).await.len(), count, "something was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deny_with_a_message_carries_it() {
    let (_sim, base) = start_sim(&[]);
    let api = client(&base);
    let rows = wait_rows(&base, "tool_confirmation", 1);
    let row = rows
        .iter()
        .find(|r| r["kind"] == "tool_confirmation")
        .expect("row");
    let (sid, eid) = (str_of(row, "session_id"), str_of(row, "event_id"));
    let out = run(
        &base,
        &["deny", sid, eid, "--message", "not on main, please"],
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stdout
            .starts_with(&format!("denied {eid} in session {sid}")),
        "{}",
        out.stdout
    );
    let conf = wait_event(&api, sid, |e| {
        e["type"] == "user.tool_confirmation" && e["tool_use_id"] == eid
    })
    .await;
    assert_eq!(conf["result"], "deny");
    assert_eq!(conf["deny_message"], "not on main, please");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answer_sends_the_custom_tool_result() {
    let (_sim, base) = start_sim(&[]);
    let api = client(&base);
    let rows = wait_rows(&base, "custom_tool", 2);
    let mut customs = rows.iter().filter(|r| r["kind"] == "custom_tool");
    let first = customs.next().expect("row");
    let second = customs.next().expect("row");

    let (sid, eid) = (str_of(first, "session_id"), str_of(first, "event_id"));
    let out = run(
        &base,
        &[
            "answer",
            sid,
            eid,
            "--text",
            "order A-20931 shipped on 2 Dec",
        ],
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let res = wait_event(&api, sid, |e| {
        e["type"] == "user.custom_tool_result" && e["custom_tool_use_id"] == eid
    })
    .await;
    assert_eq!(
        res["content"],
        serde_json::json!([{"type": "text", "text": "order A-20931 shipped on 2 Dec"}])
    );
    assert_ne!(res["is_error"], true);

    let (sid, eid) = (str_of(second, "session_id"), str_of(second, "event_id"));
    let out = run(
        &base,
        &["answer", sid, eid, "--error", "order service down"],
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let res = wait_event(&api, sid, |e| {
        e["type"] == "user.custom_tool_result" && e["custom_tool_use_id"] == eid
    })
    .await;
    assert_eq!(res["is_error"], true);
    assert_eq!(res["content"][0]["text"], "order service down");
    let listed = row_ids(&needs(&base));
    assert!(!listed.contains(&(
        str_of(first, "session_id").into(),
        str_of(first, "event_id").into()
    )));
    assert!(!listed.contains(&(sid.into(), eid.into())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupt_stops_the_session_and_send_posts_a_message() {
    let (_sim, base) = start_sim(&[]);
    let api = client(&base);
    let rows = wait_rows(&base, "tool_confirmation", 1);
    let row = rows
        .iter()
        .find(|r| r["kind"] == "tool_confirmation")
        .expect("row");
    let (sid, eid) = (str_of(row, "session_id"), str_of(row, "event_id"));

    // A mistyped thread is refused and interrupts nothing.
    let count = history(&api, sid).await.len();
    let out = run(&base, &["interrupt", sid, "--thread", "sthr_nope"]);
    assert_eq!(out.code, Some(1));
    assert_eq!(
        out.stderr.trim(),
        format!("overseer: session {sid} has no thread sthr_nope")
    );
    assert_eq!(history(&api, sid).await.len(), count);

    let out = run(&base, &["interrupt", sid]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stdout
            .starts_with(&format!("interrupted session {sid}")),
        "{}",
        out.stdout
    );
    let echoed = echoed_id(&out.stdout);
    let int = wait_event(&api, sid, |e| e["id"] == echoed.as_str()).await;
    assert_eq!(int["type"], "user.interrupt");
    assert!(int.get("session_thread_id").is_none(), "{int}");
    // The session goes idle and no longer waits for the call.
    let deadline = Instant::now() + PATIENCE;
    loop {
        let s = get_json(&api, &format!("/v1/sessions/{sid}"), &Query::new()).await;
        let h = history(&api, sid).await;
        let last_idle = h.iter().rev().find(|e| e["type"] == "session.status_idle");
        if s["status"] == "idle"
            && last_idle.is_some_and(|e| e["stop_reason"]["type"] == "end_turn")
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the session never went idle: {s}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(!row_ids(&needs(&base)).contains(&(sid.into(), eid.into())));

    let out = run(&base, &["send", sid, "Please summarise where you stopped."]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stdout
            .starts_with(&format!("sent a message to session {sid}")),
        "{}",
        out.stdout
    );
    let msg = wait_event(&api, sid, |e| {
        e["type"] == "user.message"
            && e["content"][0]["text"] == "Please summarise where you stopped."
    })
    .await;
    assert_eq!(msg["content"].as_array().map(Vec::len), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_kind_and_unknown_ids_are_refused_and_send_nothing() {
    let (_sim, base) = start_sim(&[]);
    let api = client(&base);
    let rows = wait_rows(&base, "custom_tool", 1);
    let rows = if rows.iter().any(|r| r["kind"] == "tool_confirmation") {
        rows
    } else {
        wait_rows(&base, "tool_confirmation", 1)
    };
    let custom = rows
        .iter()
        .find(|r| r["kind"] == "custom_tool")
        .expect("custom row");
    let confirm = rows
        .iter()
        .find(|r| r["kind"] == "tool_confirmation")
        .expect("confirmation row");
    let (csid, ceid) = (str_of(custom, "session_id"), str_of(custom, "event_id"));
    let (tsid, teid) = (str_of(confirm, "session_id"), str_of(confirm, "event_id"));
    let (ccount, tcount) = (
        history(&api, csid).await.len(),
        history(&api, tsid).await.len(),
    );

    let refused = |args: &[&str], stderr: String| {
        let out = run(&base, args);
        assert_eq!(out.code, Some(1), "{args:?}: {}", out.stdout);
        assert_eq!(out.stderr.trim(), stderr, "{args:?}");
        assert_eq!(out.stdout, "", "{args:?}");
    };
    refused(
        &["approve", csid, ceid],
        format!(
            "overseer: cannot approve {ceid} in session {csid}: it is a custom tool use; answer it with `overseer answer` (--text or --error)"
        ),
    );
    refused(
        &["deny", csid, ceid, "--message", "no"],
        format!(
            "overseer: cannot deny {ceid} in session {csid}: it is a custom tool use; answer it with `overseer answer` (--text or --error)"
        ),
    );
    refused(
        &["answer", tsid, teid, "--text", "done"],
        format!(
            "overseer: cannot answer {teid} in session {tsid}: it is a tool use waiting for a confirmation; use `overseer approve` or `overseer deny`"
        ),
    );
    refused(
        &["approve", tsid, "sevt_doesnotexist"],
        format!("overseer: session {tsid} has no tool call sevt_doesnotexist waiting for a human"),
    );
    let out = run(&base, &["approve", "sesn_doesnotexist", teid]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr.starts_with("overseer: 404 not_found_error: ")
            && out.stderr.contains("sesn_doesnotexist"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    let out = run(&base, &["answer", tsid, teid]);
    assert_eq!(
        out.code,
        Some(2),
        "clap requires --text or --error: {}",
        out.stderr
    );

    assert_eq!(
        history(&api, csid).await.len(),
        ccount,
        "something was sent to {csid}"
    );
    assert_eq!(
        history(&api, tsid).await.len(),
        tcount,
        "something was sent to {tsid}"
    );
    // Both calls still wait.
    let listed = row_ids(&needs(&base));
    assert!(listed.contains(&(csid.into(), ceid.into())));
    assert!(listed.contains(&(tsid.into(), teid.into())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sub_agent_calls_carry_their_thread_and_a_thread_can_be_interrupted_alone() {
    // Fast, so the multiagent session's autopilot soon has a sub-agent ask for permission.
    let (_sim, base) = start_sim(&["--speed", "20"]);
    let api = client(&base);
    let deadline = Instant::now() + PATIENCE;
    let row = loop {
        if let Some(r) = needs(&base).into_iter().find(|r| !r["thread_id"].is_null()) {
            break r;
        }
        assert!(Instant::now() < deadline, "no sub-agent call ever waited");
        std::thread::sleep(Duration::from_millis(500));
    };
    let (sid, eid) = (str_of(&row, "session_id"), str_of(&row, "event_id"));
    let tid = str_of(&row, "thread_id");
    assert!(tid.starts_with("sthr_"), "{row}");
    // The API's threads list knows the thread, and the thread's history holds the call.
    let threads = get_json(&api, &format!("/v1/sessions/{sid}/threads"), &Query::new()).await;
    let thread = threads["data"]
        .as_array()
        .expect("threads")
        .iter()
        .find(|t| t["id"] == tid)
        .expect("the row's thread is listed");
    assert!(!thread["parent_thread_id"].is_null());

    let out = run(&base, &["approve", sid, eid]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let conf = wait_event(&api, sid, |e| {
        e["type"] == "user.tool_confirmation" && e["tool_use_id"] == eid
    })
    .await;
    assert_eq!(conf["result"], "allow");
    // Routed by the call's id: the server marks the echo with the sub-agent's thread.
    assert_eq!(conf["session_thread_id"], tid);
    assert!(!row_ids(&needs(&base)).contains(&(sid.into(), eid.into())));

    let out = run(&base, &["interrupt", sid, "--thread", tid]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(
        out.stdout.lines().next().map(|l| l.starts_with(&format!(
            "interrupted thread {tid} of session {sid} (event sevt_"
        ))),
        Some(true),
        "{}",
        out.stdout
    );
    let echoed = echoed_id(&out.stdout);
    let int = wait_event(&api, sid, |e| e["id"] == echoed.as_str()).await;
    assert_eq!(int["type"], "user.interrupt");
    assert_eq!(int["session_thread_id"], tid);
}

/// Wait until the session ends a turn after the event at `after` (an index into its history);
/// the history.
async fn turn_ended_after(client: &Client, sid: &str, after: usize) -> Vec<Value> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let h = history(client, sid).await;
        if h.iter()
            .skip(after + 1)
            .any(|e| e["type"] == "session.status_idle" && e["stop_reason"]["type"] == "end_turn")
        {
            return h;
        }
        assert!(
            Instant::now() < deadline,
            "{sid} never ended its turn after event {after}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

fn message_after(h: &[Value], at: usize) -> String {
    h[at..]
        .iter()
        .find(|e| e["type"] == "agent.message")
        .and_then(|e| e["content"][0]["text"].as_str())
        .unwrap_or("")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deny_and_answer_shape_what_the_agent_says_next() {
    let (_sim, base) = start_sim(&[]);
    let api = client(&base);
    // Deny one of two calls with a reason, allow the other: the agent reads the reason, runs
    // only the allowed call, and says it did not run the denied one.
    let rows = confirmations_in_one_session(&base, 2);
    let sid = str_of(&rows[0], "session_id");
    let (allowed, denied) = (str_of(&rows[0], "event_id"), str_of(&rows[1], "event_id"));
    let out = run(
        &base,
        &[
            "deny",
            sid,
            denied,
            "--message",
            "no pushes during the freeze",
        ],
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let out = run(&base, &["approve", sid, allowed]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let at = history(&api, sid)
        .await
        .iter()
        .position(|e| e["type"] == "user.tool_confirmation" && e["tool_use_id"] == denied)
        .expect("the denial is in history");
    let h = turn_ended_after(&api, sid, at).await;
    let next = message_after(&h, at);
    assert!(
        next.contains("You denied") && next.contains("\"no pushes during the freeze\""),
        "{next}"
    );
    assert!(next.contains("I did not run it."), "{next}");
    let ran = |id: &str| {
        h.iter()
            .any(|e| e["type"] == "agent.tool_result" && e["tool_use_id"] == id)
    };
    assert!(ran(allowed), "the allowed call ran");
    assert!(!ran(denied), "the denied call never ran");

    // A custom tool's answer is quoted in the agent's next message.
    let rows = wait_rows(&base, "custom_tool", 1);
    let row = rows
        .iter()
        .find(|r| r["kind"] == "custom_tool")
        .expect("custom row");
    let (sid, eid) = (str_of(row, "session_id"), str_of(row, "event_id"));
    let out = run(
        &base,
        &[
            "answer",
            sid,
            eid,
            "--text",
            "order A-20931 shipped on 2 Dec",
        ],
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let at = history(&api, sid)
        .await
        .iter()
        .position(|e| e["type"] == "user.custom_tool_result" && e["custom_tool_use_id"] == eid)
        .expect("the answer is in history");
    let h = turn_ended_after(&api, sid, at).await;
    let next = message_after(&h, at);
    assert!(
        next.contains("returned: \"order A-20931 shipped on 2 Dec\""),
        "{next}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_send_is_one_line_with_the_request_id_sends_nothing_and_a_retry_works() {
    // The first five POSTs to /events fail: all the attempts of one command.
    let (_sim, base) = start_sim(&["--faults", "fail-writes=5"]);
    let api = client(&base);
    let rows = wait_rows(&base, "tool_confirmation", 1);
    let row = rows
        .iter()
        .find(|r| r["kind"] == "tool_confirmation")
        .expect("row");
    let (sid, eid) = (str_of(row, "session_id"), str_of(row, "event_id"));
    let count = history(&api, sid).await.len();

    let out = run(&base, &["approve", sid, eid]);
    assert_eq!(out.code, Some(1), "{}", out.stdout);
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(
        out.stderr.starts_with(
            "overseer: 500 api_error: Internal server error (simulated write failure). (request-id req_"
        ),
        "{}",
        out.stderr
    );
    assert_eq!(history(&api, sid).await.len(), count, "nothing was sent");
    assert!(row_ids(&needs(&base)).contains(&(sid.into(), eid.into())));

    let out = run(&base, &["approve", sid, eid]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let conf = wait_event(&api, sid, |e| {
        e["type"] == "user.tool_confirmation" && e["tool_use_id"] == eid
    })
    .await;
    assert_eq!(conf["result"], "allow");
}
