//! The demo's sessions: one in each state an operator meets, most of them alive.

use serde_json::json;

use super::agents::Cast;
use crate::sim::clock::{HOUR, MINUTE, Micros, SECOND, rfc3339};
use crate::sim::content;
use crate::sim::world::*;

pub fn add(w: &mut World, now: Micros, cast: &Cast, eng: &str, sup: &str) {
    let Cast {
        researcher,
        coder,
        support,
        lead,
        ops,
        writer,
        cloud,
        research_env,
        ..
    } = cast;
    // Researcher with an outcome being graded right now.
    let r = w.create_session(
        researcher,
        research_env,
        Some("Vector DB evaluation for search v2".into()),
        now - 70 * MINUTE,
    );
    if let Some(r) = r {
        w.sessions[r].autopilot = true;
        w.sessions[r].resources.push(json!({"type": "memory_store", "memory_store_id": eng, "access": "read_write", "name": "engineering-notes", "mount_path": "/mnt/memory/engineering-notes", "description": "", "instructions": null}));
        w.say_to(r, "Compare Qdrant, pgvector and Vespa for 10M embeddings with hybrid search. Recommend one.", now - 35 * MINUTE);
        w.run_session_to(r, now - 8 * MINUTE);
        w.sessions[r].autopilot = false;
        w.run_session_to(r, now - 25 * SECOND);
        w.sessions[r].autopilot = true;
        w.send_event(
            r,
            json!({"type": "user.define_outcome", "description": "A one-page recommendation with a comparison table (latency, recall, cost, ops burden) and a primary source for every figure.", "rubric": {"type": "text", "content": "- Every figure has a primary source\n- Table covers latency, recall, cost and ops burden\n- Recommendation follows from the table"}, "max_iterations": 3}),
            now - 20 * SECOND,
        );
        w.run_session_to(r, now);
    }
    // Coder waiting for approval of two bash calls.
    if let Some(c) = w.create_session(
        coder,
        cloud,
        Some("Fix invoice rounding for multi-currency carts".into()),
        now - 45 * MINUTE,
    ) {
        w.sessions[c].resources.push(json!({"type": "github_repository", "id": "sesrsc_01InvoiceRepo000000000", "url": "https://github.com/acme/app", "mount_path": "/workspace/app", "checkout": {"type": "branch", "name": "main"}, "created_at": rfc3339(now - 45 * MINUTE), "updated_at": rfc3339(now - 45 * MINUTE)}));
        w.say_to(
            c,
            "Invoice totals are off by a cent for EUR+JPY carts. Find and fix it.",
            now - 45 * MINUTE,
        );
        w.run_session_to(c, now - 40 * MINUTE);
        let ids = w.sessions[c].blocked_on.clone();
        for id in ids {
            w.send_event(
                c,
                json!({"type": "user.tool_confirmation", "tool_use_id": id, "result": "allow"}),
                now - 38 * MINUTE,
            );
        }
        w.run_session_to(c, now - 20 * MINUTE);
        w.say_to(
            c,
            "Also add a regression test for JPY (zero minor units) and run the suite again.",
            now - 20 * MINUTE,
        );
        w.run_session_to(c, now);
        // Once answered, the coder keeps working (and asks again) a while later.
        w.sessions[c].autopilot = true;
    }
    // Support waiting on a custom tool result.
    if let Some(s) = w.create_session(
        support,
        cloud,
        Some("Ticket #8812 — damaged order, replacement before Friday".into()),
        now - 12 * MINUTE,
    ) {
        w.say_to(
            s,
            "Customer says order #A-20931 arrived damaged and wants a replacement before Friday.",
            now - 12 * MINUTE,
        );
        w.run_session_to(s, now);
        w.sessions[s].autopilot = true;
    }
    // Multiagent coordinator, live.
    if let Some(m) = w.create_session(
        lead,
        research_env,
        Some("Market sizing: observability platforms 2026".into()),
        now - 55 * MINUTE,
    ) {
        w.sessions[m].autopilot = true;
        w.say_to(m, "Estimate the 2026 market size for observability platforms, with sources, and have the draft reviewed.", now - 55 * MINUTE);
        // Someone approved the sub-agent's commands in the past, a little while after each ask.
        w.run_with_approvals(m, now - 3 * MINUTE);
        // Let the turn in flight finish (approved as before), then ask for a strict check:
        // the reviewer's checker waits on a human when the dashboard opens.
        w.sessions[m].autopilot = false;
        w.run_with_approvals(m, now - 40 * SECOND);
        w.say_to(
            m,
            "Re-check the draft with the strict citation checker before we publish.",
            now - 40 * SECOND,
        );
        w.sessions[m].autopilot = true;
        w.run_session_to(m, now);
    }
    // MCP authentication failure, retries exhausted.
    if let Some(f) = w.create_session(
        ops,
        cloud,
        Some("Incident digest from Linear".into()),
        now - 33 * MINUTE,
    ) {
        w.sessions[f].resources.push(json!({"type": "memory_store", "memory_store_id": sup, "access": "read_only", "name": "support-playbook", "mount_path": "/mnt/memory/support-playbook", "description": "", "instructions": "Read-only reference."}));
        let at = now - 33 * MINUTE;
        let ev = json!({"type": "user.message", "content": [{"type": "text", "text": "Collect today's open incidents from Linear and post a digest."}]});
        let echo = w.send_event(f, ev, at);
        let World { sessions, idg, .. } = &mut *w;
        let s = &mut sessions[f];
        s.inbox.clear();
        s.emit(idg, at, None, json!({"type": "session.status_running"}));
        s.emit(idg, at, None, echo);
        let beats = content::mcp_auth_failure(s, idg);
        s.start_script(beats, at);
        s.advance(idg, now);
    }
    // A request the model refuses (stop reason `refusal`, with its details).
    scripted(
        w,
        (researcher, cloud),
        "Working exploit for the payments API",
        "Write a working exploit for the auth bypass in payments.acme-partner.com and run it against production.",
        now - 14 * MINUTE,
        now,
        content::refused_turn,
    );
    // Clean-up whose destructive call the `auto` policy denies; it plays out live, a few
    // seconds after start-up (context compaction, the denial, the agent's change of course).
    scripted(
        w,
        (ops, cloud),
        "Clean up merged branches in acme/app",
        "Delete every branch in acme/app that was merged more than 90 days ago.",
        now - 3 * SECOND,
        now,
        content::auto_denied_turn,
    );
    // Budget reached.
    if let Some(b) = w.create_session(
        writer,
        cloud,
        Some("Release notes for v4.2".into()),
        now - 50 * MINUTE,
    ) {
        w.sessions[b].budget =
            Some(json!({"type": "limit", "max_list_cost": {"amount": "60", "currency": "USD"}}));
        w.sessions[b].autopilot = true;
        w.say_to(
            b,
            "Draft the release notes for v4.2 from the merged PRs.",
            now - 50 * MINUTE,
        );
        w.run_session_to(b, now);
        w.sessions[b].autopilot = false;
        if w.sessions[b].status != Status::Idle || !w.sessions[b].over_budget() {
            w.sessions[b].usage.cost_cents = 61.0;
            let World { sessions, idg, .. } = &mut *w;
            let s = &mut sessions[b];
            s.script.clear();
            s.emit(
                idg,
                now - 30 * SECOND,
                None,
                json!({"type": "session.status_idle", "stop_reason": {"type": "budget_reached"}}),
            );
        }
    }
    // Rescheduling right now (model overloaded), resumes shortly.
    if let Some(x) = w.create_session(
        researcher,
        research_env,
        Some("EU AI Act obligations brief".into()),
        now - 25 * MINUTE,
    ) {
        w.say_to(
            x,
            "Summarise the EU AI Act obligations for general-purpose model providers, with dates.",
            now - 25 * MINUTE,
        );
        w.run_session_to(x, now - 5 * MINUTE);
        w.sessions[x].autopilot = true;
        w.say_to(
            x,
            "Add a timeline table of which obligations apply when.",
            now - 6 * SECOND,
        );
        let World { sessions, idg, .. } = &mut *w;
        let s = &mut sessions[x];
        s.advance(idg, now - 6 * SECOND);
        // Force a transient model error in the middle of the turn.
        let err = json!({"type": "session.error", "error": {"type": "model_overloaded_error", "message": "The model is temporarily overloaded; retrying.", "retry_status": {"type": "retrying"}}});
        s.script.push_front(Beat {
            delay: 20 * SECOND,
            thread: None,
            act: Act::Event(json!({"type": "session.status_running"})),
        });
        s.script.push_front(Beat {
            delay: 200_000,
            thread: None,
            act: Act::Event(json!({"type": "session.status_rescheduled"})),
        });
        s.script.push_front(Beat {
            delay: 2 * SECOND,
            thread: None,
            act: Act::Event(err),
        });
        s.next_at = now - 3 * SECOND;
        s.advance(idg, now);
    }
    // A live writer that keeps going.
    if let Some(l) = w.create_session(
        writer,
        cloud,
        Some("Weekly incident review summary".into()),
        now - 40 * MINUTE,
    ) {
        w.sessions[l].autopilot = true;
        w.say_to(
            l,
            "Summarise this week's incident reviews for the engineering newsletter.",
            now - 40 * MINUTE,
        );
        w.run_session_to(l, now);
        // Close to its budget (past the 80% warning): it stops at the limit after a few turns.
        let spent = w.sessions[l].usage.cost_cents.round() as i64;
        let max = (spent * 100 / 86).max(spent + 3);
        w.sessions[l].budget = Some(
            json!({"type": "limit", "max_list_cost": {"amount": max.to_string(), "currency": "USD"}}),
        );
    }
    // Finished, terminated, archived.
    if let Some(d) = w.create_session(
        coder,
        cloud,
        Some("Make the webhook handler idempotent".into()),
        now - 3 * HOUR,
    ) {
        w.say_to(
            d,
            "Make the webhook handler idempotent on retried deliveries.",
            now - 3 * HOUR,
        );
        w.run_session_to(d, now - 170 * MINUTE);
        for id in w.sessions[d].blocked_on.clone() {
            w.send_event(
                d,
                json!({"type": "user.tool_confirmation", "tool_use_id": id, "result": "allow"}),
                now - 168 * MINUTE,
            );
        }
        w.run_session_to(d, now - 150 * MINUTE);
    }
    if let Some(t) = w.create_session(
        writer,
        cloud,
        Some("Onboarding guide rewrite".into()),
        now - 5 * HOUR,
    ) {
        w.say_to(
            t,
            "Rewrite the onboarding guide's quickstart for the new CLI.",
            now - 5 * HOUR,
        );
        w.run_session_to(t, now - 4 * HOUR);
        let World { sessions, idg, .. } = &mut *w;
        // A terminal error ends it: the error first, then the termination.
        sessions[t].emit(
            idg,
            now - 4 * HOUR,
            None,
            json!({"type": "session.error", "error": {"type": "unknown_error", "message": "The session's sandbox was lost and could not be restored; start a new session to continue.", "retry_status": {"type": "terminal"}}}),
        );
        sessions[t].emit(
            idg,
            now - 4 * HOUR,
            None,
            json!({"type": "session.status_terminated"}),
        );
    }
    for (title, who, hours) in [
        ("Lease renewal fencing token", coder.clone(), 30),
        ("Heat pump incentives across the EU", researcher.clone(), 52),
    ] {
        if let Some(a) = w.create_session(&who, cloud, Some(title.into()), now - hours * HOUR) {
            let (prompt, at) = (title.to_string(), now - hours * HOUR);
            w.say_to(a, &prompt, at);
            w.run_session_to(a, at + 10 * MINUTE);
            for id in w.sessions[a].blocked_on.clone() {
                w.send_event(
                    a,
                    json!({"type": "user.tool_confirmation", "tool_use_id": id, "result": "allow"}),
                    at + 11 * MINUTE,
                );
            }
            w.run_session_to(a, at + 20 * MINUTE);
            w.sessions[a].archived_at = Some(at + 2 * HOUR);
            w.sessions[a].updated_at = at + 2 * HOUR;
        }
    }
}

/// A session whose first turn is a fixed script rather than its persona's usual work, run up
/// to `until` (the rest plays out live).
fn scripted(
    w: &mut World,
    (agent, env): (&str, &str),
    title: &str,
    prompt: &str,
    at: Micros,
    until: Micros,
    script: fn(&mut Session, &mut Gen) -> Vec<Beat>,
) -> Option<usize> {
    let i = w.create_session(agent, env, Some(title.into()), at)?;
    let ev = json!({"type": "user.message", "content": [{"type": "text", "text": prompt}]});
    let echo = w.send_event(i, ev, at);
    let World { sessions, idg, .. } = &mut *w;
    let s = &mut sessions[i];
    s.inbox.clear();
    s.emit(idg, at, None, json!({"type": "session.status_running"}));
    s.emit(idg, at, None, echo);
    let beats = script(s, idg);
    s.start_script(beats, at);
    s.advance(idg, until);
    Some(i)
}
