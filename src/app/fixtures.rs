//! Deterministic sample data for snapshots, benchmarks and docs: a fleet of sessions in
//! every derived state and a transcript with every kind of row, including hostile text.
//! Times are fixed ([`NOW`]) so frames are reproducible.

use serde_json::{Value, json};

use crate::api::feed::{ConnState, FeedItem};
use crate::app::msg::Msg;
use crate::app::state::{ListConn, State};
use crate::app::update::update;
use crate::model::sessions::{Evidence, SessionSummary};

/// 2026-11-26T12:00:00Z.
pub const NOW: i64 = 1_795_694_400;

fn ts(secs_before_now: i64) -> String {
    jiff::Timestamp::from_second(NOW - secs_before_now)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn session_json(i: usize, title: &str, status: &str, archived: bool, age: i64) -> Value {
    let models = ["claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5"];
    let agents = ["coder", "researcher", "triager", "reviewer"];
    json!({
        "id": format!("sesn_{i:06}"),
        "type": "session",
        "title": title,
        "status": status,
        "archived_at": if archived { Value::String(ts(60)) } else { Value::Null },
        "created_at": ts(age + 3600),
        "updated_at": ts(age),
        "agent": {"type": "agent", "name": agents[i % agents.len()],
                  "model": {"id": models[i % models.len()]}},
        "usage": {"input_tokens": 1200 * (i as u64 + 1), "output_tokens": 310 * (i as u64 + 1),
                  "cache_read_input_tokens": 4000 * (i as u64 % 5),
                  "list_cost": {"amount": format!("{}", 37 * (i + 1) + (i * i) % 91), "currency": "USD"}},
    })
}

fn ev(ty: &str, id: &str, age: i64, extra: Value) -> Value {
    let mut v = json!({"type": ty, "id": id, "processed_at": ts(age)});
    if let (Some(obj), Value::Object(more)) = (v.as_object_mut(), extra) {
        obj.extend(more);
    }
    v
}

/// The demo fleet: (session, its recent status events newest first).
pub fn fleet() -> Vec<(SessionSummary, Evidence)> {
    let specs: Vec<(&str, &str, bool, i64, Vec<Value>)> = vec![
        (
            "Fix flaky checkout test",
            "running",
            false,
            40,
            vec![ev("session.status_running", "e1", 40, json!({}))],
        ),
        (
            "Migrate billing to v2 API",
            "idle",
            false,
            300,
            vec![ev(
                "session.status_idle",
                "e2",
                300,
                json!({"stop_reason": {"type": "requires_action", "event_ids": ["tu_1", "tu_2"]}}),
            )],
        ),
        (
            "Answer customer ticket #4411",
            "idle",
            false,
            95,
            vec![
                ev(
                    "session.status_idle",
                    "e3",
                    95,
                    json!({"stop_reason": {"type": "requires_action", "event_ids": ["ct_1"]}}),
                ),
                ev(
                    "agent.custom_tool_use",
                    "ct_1",
                    96,
                    json!({"name": "lookup_order"}),
                ),
            ],
        ),
        (
            "Research: vector DB options",
            "running",
            false,
            1300,
            vec![],
        ),
        (
            "Nightly dependency bumps",
            "idle",
            false,
            7200,
            vec![
                ev(
                    "session.status_idle",
                    "e4",
                    7200,
                    json!({"stop_reason": {"type": "retries_exhausted"}}),
                ),
                ev(
                    "session.error",
                    "e5",
                    7201,
                    json!({"error": {"type": "model_overloaded_error", "message": "overloaded", "retry_status": {"type": "exhausted"}}}),
                ),
            ],
        ),
        (
            "Summarise incident INC-208",
            "idle",
            false,
            600,
            vec![ev(
                "session.status_idle",
                "e6",
                600,
                json!({"stop_reason": {"type": "budget_reached"}}),
            )],
        ),
        (
            "Index docs site",
            "rescheduling",
            false,
            20,
            vec![ev("session.status_rescheduled", "e7", 20, json!({}))],
        ),
        (
            "Write release notes 3.2",
            "idle",
            false,
            86_400 * 2,
            vec![ev(
                "session.status_idle",
                "e8",
                86_400 * 2,
                json!({"stop_reason": {"type": "end_turn"}}),
            )],
        ),
        (
            "Refactor auth middleware",
            "terminated",
            false,
            86_400 * 3,
            vec![],
        ),
        (
            "Old spike: GraphQL gateway",
            "idle",
            true,
            86_400 * 9,
            vec![],
        ),
        // Hostile title: escape sequences, a bidi override and wide characters.
        (
            "\u{1b}[31mevil\u{1b}[0m \u{202e}txt.exe 日本語のタイトル",
            "running",
            false,
            5,
            vec![],
        ),
        (
            "Multiagent: quarterly report",
            "running",
            false,
            200,
            vec![],
        ),
    ];
    specs
        .into_iter()
        .enumerate()
        .filter_map(|(i, (title, status, archived, age, events))| {
            let mut v = session_json(i, title, status, archived, age);
            if i == 11 {
                v["agent"]["multiagent"] = json!({"type": "multiagent_20261001"});
            }
            let s = SessionSummary::from_json(&v)?;
            Some((s, Evidence::from_newest_first(&events)))
        })
        .collect()
}

/// `n` plain sessions for scale tests.
pub fn many_sessions(n: usize) -> Vec<SessionSummary> {
    let statuses = ["running", "idle", "idle", "terminated", "rescheduling"];
    (0..n)
        .filter_map(|i| {
            SessionSummary::from_json(&session_json(
                i,
                &format!("session number {i}"),
                statuses[i % statuses.len()],
                false,
                120 + (i as i64 * 37) % 90_000,
            ))
        })
        .collect()
}

/// The sample transcript of the watched session: one of every kind of row.
pub fn transcript_events() -> Vec<String> {
    let evs = vec![
        ev(
            "user.message",
            "ev_01",
            900,
            json!({"content": [{"type": "text", "text": "Please migrate billing to the v2 API and keep tests green."}]}),
        ),
        ev("session.status_running", "ev_02", 899, json!({})),
        ev("span.model_request_start", "ev_03", 898, json!({})),
        ev("agent.thinking", "ev_04", 897, json!({})),
        ev(
            "agent.message",
            "ev_05",
            890,
            json!({"content": [{"type": "text", "text": "I'll start by reading the billing client.\tThen 日本語 wide text, and a hostile \u{1b}]0;pwned\u{7}title \u{202e}gnirts."}]}),
        ),
        ev(
            "agent.tool_use",
            "ev_06",
            889,
            json!({"name": "bash", "input": {"command": "rg -n 'billing.v1' src/"}, "evaluated_permission": "allow"}),
        ),
        ev(
            "span.model_request_end",
            "ev_07",
            888,
            json!({"model_request_start_id": "ev_03", "model_usage": {"input_tokens": 15230, "output_tokens": 412, "cache_read_input_tokens": 12000, "cache_creation_input_tokens": 0}}),
        ),
        ev(
            "agent.tool_result",
            "ev_08",
            887,
            json!({"tool_use_id": "ev_06", "content": [{"type": "text", "text": "src/billing/client.rs:12: use billing.v1::Client;"}]}),
        ),
        ev(
            "agent.tool_use",
            "ev_09",
            700,
            json!({"name": "edit", "input": {"file_path": "src/billing/client.rs", "old": "v1", "new": "v2"}, "evaluated_permission": "allow"}),
        ),
        ev(
            "agent.tool_result",
            "ev_10",
            699,
            json!({"tool_use_id": "ev_09", "is_error": true, "content": [{"type": "text", "text": "edit failed: old text not found"}]}),
        ),
        ev(
            "session.error",
            "ev_11",
            650,
            json!({"error": {"type": "model_overloaded_error", "message": "The model is overloaded", "retry_status": {"type": "retrying"}}}),
        ),
        ev("session.status_rescheduled", "ev_12", 649, json!({})),
        ev("session.status_running", "ev_13", 640, json!({})),
        ev(
            "session.thread_created",
            "ev_14",
            500,
            json!({"session_thread_id": "sthr_tests", "agent_name": "test-runner"}),
        ),
        ev(
            "agent.thread_message_sent",
            "ev_15",
            499,
            json!({"to_session_thread_id": "sthr_tests", "to_agent_name": "test-runner", "content": [{"type": "text", "text": "Run the billing test suite."}]}),
        ),
        ev(
            "agent.thread_message_received",
            "ev_16",
            420,
            json!({"from_session_thread_id": "sthr_tests", "from_agent_name": "test-runner", "session_thread_id": "sthr_tests", "content": [{"type": "text", "text": "42 passed, 0 failed"}]}),
        ),
        ev(
            "agent.mcp_tool_use",
            "tu_1",
            310,
            json!({"mcp_server_name": "stripe", "name": "create_price", "input": {"amount": 1200, "currency": "usd"}, "evaluated_permission": "ask", "evaluation": {"type": "always_ask"}}),
        ),
        ev(
            "agent.tool_use",
            "tu_2",
            305,
            json!({"name": "bash", "input": {"command": "git push origin billing-v2"}, "evaluated_permission": "ask", "evaluation": {"type": "always_ask"}}),
        ),
        ev(
            "span.outcome_evaluation_end",
            "ev_19",
            303,
            json!({"outcome_evaluation_start_id": "x", "outcome_id": "outc_1", "iteration": 0, "result": "needs_revision", "explanation": "Tests pass but the changelog is missing.", "usage": {}}),
        ),
        ev(
            "session.usage",
            "ev_20",
            302,
            json!({"usage": {"input_tokens": 48000, "output_tokens": 3100, "list_cost": {"amount": "412", "currency": "USD"}}}),
        ),
        ev(
            "future.event_type",
            "ev_21",
            301,
            json!({"payload": {"x": 1}}),
        ),
        ev(
            "session.status_idle",
            "ev_22",
            300,
            json!({"stop_reason": {"type": "requires_action", "event_ids": ["tu_1", "tu_2"]}}),
        ),
    ];
    evs.into_iter().map(|v| v.to_string()).collect()
}

/// `n` typical (~250 byte) events for scale tests.
pub fn many_events(n: usize) -> impl Iterator<Item = String> {
    (0..n).map(|i| {
        let age = 1_000_000 - (i as i64) % 1_000_000;
        match i % 4 {
            0 => ev("agent.message", &format!("evt_{i:09}"), age, json!({"content": [{"type": "text", "text": format!("Step {i}: looked at the next file and found nothing unusual there.")}]})),
            1 => ev("agent.tool_use", &format!("evt_{i:09}"), age, json!({"name": "bash", "input": {"command": format!("cat src/module_{i}.rs | head -n 40")}})),
            2 => ev("agent.tool_result", &format!("evt_{i:09}"), age, json!({"tool_use_id": format!("evt_{:09}", i - 1), "content": [{"type": "text", "text": "fn main() { println!(\"hello\"); }"}]})),
            _ => ev("span.model_request_end", &format!("evt_{i:09}"), age, json!({"model_request_start_id": "x", "model_usage": {"input_tokens": 900, "output_tokens": 40}})),
        }
        .to_string()
    })
}

/// A state showing the demo fleet, with the "Migrate billing" session open and live.
pub fn demo_state(width: u16, height: u16) -> State {
    let mut state = State::new(NOW);
    state.profile = "demo".into();
    state.base_url = "http://127.0.0.1:4010".into();
    state.demo = true;
    let fleet = fleet();
    let summaries: Vec<SessionSummary> = fleet.iter().map(|(s, _)| s.clone()).collect();
    let _ = update(&mut state, Msg::Resize(width, height));
    let _ = update(&mut state, Msg::SessionsLoaded(summaries));
    for (s, e) in fleet {
        let _ = update(
            &mut state,
            Msg::SessionEvidence {
                id: s.id,
                evidence: e,
            },
        );
    }
    let _ = update(&mut state, Msg::ListConn(ListConn::Ok));
    // Open the session that needs approval.
    state.watched = None;
    if let Some(pos) = state.sessions.view_position("sesn_000001") {
        state.list.cursor = pos;
    }
    let _ = update(
        &mut state,
        Msg::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Enter,
        )),
    );
    let feed = |state: &mut State, item: FeedItem| {
        let _ = update(
            state,
            Msg::Feed {
                session_id: "sesn_000001".into(),
                item,
            },
        );
    };
    feed(&mut state, FeedItem::State(ConnState::Live));
    for raw in transcript_events() {
        feed(&mut state, FeedItem::Event(raw));
    }
    feed(&mut state, FeedItem::HistoryLoaded);
    state.focus = crate::app::state::Pane::Sessions;
    state.toast = None;
    state
}

// ---------------------------------------------------------------------------------------------
// Resource views: memory stores, memories, dreams, deployments (wire JSON, fixed times).

fn from<T: serde::de::DeserializeOwned + Default>(v: Value) -> T {
    serde_json::from_value(v).unwrap_or_default()
}

pub fn memory_stores() -> Vec<crate::api::types::MemoryStore> {
    vec![
        from(
            json!({"type": "memory_store", "id": "memstore_eng", "name": "engineering-notes",
            "description": "Conventions, runbooks and gotchas the coding agents learned.",
            "metadata": {}, "created_at": ts(40 * 86_400), "updated_at": ts(700), "archived_at": null}),
        ),
        from(
            json!({"type": "memory_store", "id": "memstore_sup", "name": "support-playbook",
            "description": "How we answer tickets: tone, refunds, escalation paths.",
            "metadata": {}, "created_at": ts(30 * 86_400), "updated_at": ts(2 * 3600), "archived_at": null}),
        ),
        from(
            json!({"type": "memory_store", "id": "memstore_old", "name": "old-\u{1b}[31mscratch",
            "description": "", "metadata": {}, "created_at": ts(90 * 86_400),
            "updated_at": ts(60 * 86_400), "archived_at": ts(50 * 86_400)}),
        ),
    ]
}

fn memory_json(i: usize, path: &str, content: &str, age: i64) -> Value {
    json!({"type": "memory", "id": format!("mem_{i:03}"), "memory_store_id": "memstore_eng",
        "path": path, "content": content,
        "content_sha256": format!("{:08x}{}", (i as u32).wrapping_mul(2_654_435_761), "0".repeat(56)),
        "content_size_bytes": content.len(), "memory_version_id": format!("memver_{i:03}"),
        "created_at": ts(age + 86_400), "updated_at": ts(age)})
}

/// The engineering store's memories (listing order is not path order).
pub fn memories() -> Vec<crate::api::types::Memory> {
    let specs = [
        ("/runbooks/deploy.md", "Deploy with `make ship`.", 900),
        (
            "/conventions/rust.md",
            "Use thiserror in libraries.",
            3 * 3600,
        ),
        (
            "/gotchas/flaky-checkout.md",
            "The checkout test races the mock clock.",
            700,
        ),
        (
            "/conventions/git.md",
            "Rebase, never merge main into branches.",
            5 * 86_400,
        ),
        (
            "/people/reviewers.md",
            "Ask Dana for billing reviews.",
            2 * 86_400,
        ),
    ];
    specs
        .iter()
        .enumerate()
        .map(|(i, (p, c, age))| from(memory_json(i + 1, p, c, *age)))
        .collect()
}

/// One memory in full, with hostile text, and its versions (newest first).
pub fn memory_detail() -> (
    crate::api::types::Memory,
    Vec<crate::api::types::MemoryVersion>,
) {
    let content = "# Flaky checkout test\n\nThe checkout test races the mock clock: \u{1b}[2J\
        freeze time before creating the cart, otherwise the discount expiry check fails about \
        one run in twenty.\n\n\u{202e}- see PR 4411\n- owner: payments team\n\tindented with a tab";
    let memory = from(memory_json(3, "/gotchas/flaky-checkout.md", content, 700));
    let versions = vec![
        from(
            json!({"type": "memory_version", "id": "memver_3c", "memory_id": "mem_003",
            "memory_store_id": "memstore_eng", "operation": "modified", "created_at": ts(700),
            "path": "/gotchas/flaky-checkout.md",
            "created_by": {"type": "session_actor", "session_id": "sesn_000001"}}),
        ),
        from(
            json!({"type": "memory_version", "id": "memver_3b", "memory_id": "mem_003",
            "memory_store_id": "memstore_eng", "operation": "modified", "created_at": ts(3 * 86_400),
            "path": "/gotchas/flaky-checkout.md",
            "created_by": {"type": "user_actor", "user_id": "user_dana"}}),
        ),
        from(
            json!({"type": "memory_version", "id": "memver_3a", "memory_id": "mem_003",
            "memory_store_id": "memstore_eng", "operation": "created", "created_at": ts(9 * 86_400),
            "path": "/gotchas/flaky-checkout.md",
            "created_by": {"type": "api_actor", "api_key_id": "apikey_01"}}),
        ),
    ];
    (memory, versions)
}

pub fn dreams() -> Vec<crate::api::types::Dream> {
    let dream = |id: &str,
                 status: &str,
                 input: &str,
                 output: Option<&str>,
                 created: i64,
                 ended: Option<i64>,
                 error: Value| {
        from(json!({"type": "dream", "id": id, "status": status,
            "inputs": [{"type": "memory_store", "memory_store_id": input},
                       {"type": "sessions", "session_ids": ["sesn_000000", "sesn_000001", "sesn_000002"]}],
            "model": {"id": "claude-opus-5-5"}, "instructions": null,
            "output_behavior": {"type": "create_new"},
            "outputs": output.map(|o| vec![json!({"type": "memory_store", "memory_store_id": o})]).unwrap_or_default(),
            "session_id": format!("sesn_dream_{id}"),
            "usage": {"input_tokens": 52000, "output_tokens": 4100},
            "error": error, "created_at": ts(created),
            "ended_at": ended.map(ts), "archived_at": null}))
    };
    vec![
        dream(
            "dream_run",
            "running",
            "memstore_sup",
            Some("memstore_sup_d2"),
            120,
            None,
            Value::Null,
        ),
        dream(
            "dream_new",
            "pending",
            "memstore_eng",
            None,
            30,
            None,
            Value::Null,
        ),
        dream(
            "dream_ok",
            "completed",
            "memstore_eng",
            Some("memstore_eng_d1"),
            3 * 3600,
            Some(3 * 3600 - 540),
            Value::Null,
        ),
        dream(
            "dream_bad",
            "failed",
            "memstore_eng",
            None,
            26 * 3600,
            Some(26 * 3600 - 60),
            json!({"type": "model_overloaded_error", "message": "The model was overloaded; \u{1b}]0;pwn\u{7}try again later."}),
        ),
        dream(
            "dream_stop",
            "canceled",
            "memstore_sup",
            None,
            2 * 86_400,
            Some(2 * 86_400 - 30),
            Value::Null,
        ),
    ]
}

pub fn deployments() -> Vec<(
    crate::api::types::Deployment,
    Vec<crate::api::types::DeploymentRun>,
)> {
    let digest = from(
        json!({"type": "deployment", "id": "depl_digest", "name": "Stale PR digest",
        "agent": {"type": "agent", "id": "agent_ops", "version": 1}, "environment_id": "env_cloud",
        "initial_events": [{"type": "user.message", "content": [{"type": "text",
            "text": "Post a summary of stale pull requests to #eng-review."}]}],
        "schedule": {"type": "cron", "expression": "*/30 * * * *", "timezone": "UTC",
                     "last_run_at": ts(50 * 60), "upcoming_runs_at": [ts(-10 * 60), ts(-40 * 60)]},
        "status": "active", "paused_reason": null,
        "created_at": ts(9 * 86_400), "updated_at": ts(50 * 60)}),
    );
    let triage = from(
        json!({"type": "deployment", "id": "depl_triage", "name": "Hourly support triage",
        "agent": {"type": "agent", "id": "agent_support", "version": 2}, "environment_id": "env_cloud",
        "schedule": {"type": "cron", "expression": "0 * * * *", "timezone": "Europe/Berlin",
                     "last_run_at": ts(15 * 60), "upcoming_runs_at": []},
        "status": "paused", "paused_reason": {"type": "error", "error": {"type": "vault_archived_error"}},
        "created_at": ts(8 * 86_400), "updated_at": ts(15 * 60)}),
    );
    let run =
        |id: &str, dep: &str, age: i64, trigger: Value, session: Option<&str>, error: Value| {
            from(
                json!({"type": "deployment_run", "id": id, "deployment_id": dep,
            "agent": {"type": "agent", "id": "agent_ops", "version": 1},
            "created_at": ts(age), "trigger_context": trigger,
            "session_id": session, "error": error}),
            )
        };
    let sched = |age: i64| json!({"type": "schedule", "scheduled_at": ts(age)});
    let digest_runs = vec![
        run(
            "drun_d3",
            "depl_digest",
            50 * 60,
            json!({"type": "manual"}),
            Some("sesn_000004"),
            Value::Null,
        ),
        run(
            "drun_d2",
            "depl_digest",
            80 * 60,
            sched(80 * 60),
            Some("sesn_000003"),
            Value::Null,
        ),
        run(
            "drun_d1",
            "depl_digest",
            110 * 60,
            sched(110 * 60),
            Some("sesn_000002"),
            Value::Null,
        ),
    ];
    let triage_runs = vec![
        run(
            "drun_t1",
            "depl_triage",
            135 * 60,
            sched(135 * 60),
            Some("sesn_000005"),
            Value::Null,
        ),
        run(
            "drun_t3",
            "depl_triage",
            15 * 60,
            sched(15 * 60),
            None,
            json!({"type": "vault_archived_error", "message": "Vault vlt_01 is archived."}),
        ),
        run(
            "drun_t2",
            "depl_triage",
            75 * 60,
            sched(75 * 60),
            Some("sesn_000006"),
            Value::Null,
        ),
    ];
    vec![(digest, digest_runs), (triage, triage_runs)]
}

/// The demo state with a resource view open and its data loaded (no network).
pub fn resource_state(width: u16, height: u16, view: crate::app::state::View) -> State {
    use crate::app::msg::ViewData;
    use crate::app::state::View;
    let mut state = demo_state(width, height);
    let _ = update(
        &mut state,
        Msg::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Char(':'),
        )),
    );
    for c in view.name().chars() {
        let _ = update(
            &mut state,
            Msg::Key(crossterm::event::KeyEvent::from(
                crossterm::event::KeyCode::Char(c),
            )),
        );
    }
    let _ = update(
        &mut state,
        Msg::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Enter,
        )),
    );
    if view == View::Dreams {
        let _ = update(
            &mut state,
            Msg::ViewLoaded(ViewData::MemoryStores(memory_stores())),
        );
    }
    let data = match view {
        View::Memory => ViewData::MemoryStores(memory_stores()),
        View::Dreams => ViewData::Dreams(dreams()),
        _ => ViewData::Deployments(deployments()),
    };
    let _ = update(&mut state, Msg::ViewLoaded(data));
    state
}
