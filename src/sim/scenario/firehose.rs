//! `firehose`: one session with exactly `--events N` history events, then one fixed live burst
//! (`LIVE_TURNS` turns, `LIVE_EVENTS` events), then idle for good (benchmarks, scrolling).

use rand::Rng;
use serde_json::json;

use super::{AgentSpec, toolset};
use crate::sim::clock::{HOUR, Micros, SECOND, rfc3339};
use crate::sim::content;
use crate::sim::world::*;
use std::sync::Arc;

/// Turns in the live burst.
pub const LIVE_TURNS: usize = 200;
/// History events the live burst adds: `session.status_running`, five per turn
/// (model start, message, tool use, model end, tool result), the final `session.status_idle`.
pub const LIVE_EVENTS: usize = 2 + 5 * LIVE_TURNS;

pub fn build_firehose(w: &mut World, events: usize) {
    let now = w.clock.origin();
    let agent = w.add_agent(
        AgentSpec {
            name: "ETL Backfill",
            description: "Loads historical event batches into the warehouse.",
            model: "claude-haiku-5-5",
            persona: Persona::Firehose,
            system: "You load data in batches and validate every batch.",
            tools: json!([toolset(
                &[("bash", "always_allow"), ("read", "always_allow")],
                "always_allow"
            )]),
            mcp_servers: json!([]),
        },
        now - 2 * 24 * HOUR,
    );
    let env = w.add_environment(
        "etl",
        "Warehouse loaders.",
        json!({"type": "cloud", "networking": {"type": "unrestricted"}, "packages": {"type": "packages", "apt": [], "cargo": [], "gem": [], "go": [], "npm": [], "pip": ["pandas", "pyarrow"]}}),
        now - 2 * 24 * HOUR,
    );
    let step = 10_000; // 10 ms between history events
    let start = now - events as Micros * step - 5 * SECOND;
    let Some(idx) = w.create_session(
        &agent,
        &env,
        Some("Firehose: warehouse backfill 2019–2026".into()),
        start - SECOND,
    ) else {
        return;
    };
    let World { sessions, idg, .. } = &mut *w;
    let s = &mut sessions[idx];
    s.history.reserve(events);
    let mut last_tool = String::new();
    let mut last_start = String::new();
    for i in 0..events {
        let at = start + i as Micros * step;
        let id = idg.id("sevt_");
        let ts = rfc3339(at);
        let (kind, json) = match i % 6 {
            0 => {
                last_start = id.clone();
                (
                    "span.model_request_start",
                    format!(
                        r#"{{"type":"span.model_request_start","id":"{id}","processed_at":"{ts}"}}"#
                    ),
                )
            }
            1 => (
                "agent.message",
                format!(
                    r#"{{"type":"agent.message","id":"{id}","processed_at":"{ts}","content":[{{"type":"text","text":"Batch {i}: validated 5000 rows against the schema; 0 rejected. Loading into analytics.events_raw next."}}]}}"#
                ),
            ),
            2 => {
                last_tool = id.clone();
                (
                    "agent.tool_use",
                    format!(
                        r#"{{"type":"agent.tool_use","id":"{id}","processed_at":"{ts}","name":"bash","input":{{"command":"python etl/load.py --batch {i} --validate"}},"evaluated_permission":"allow","evaluation":{{"type":"always_allow"}}}}"#
                    ),
                )
            }
            3 => (
                "span.model_request_end",
                format!(
                    r#"{{"type":"span.model_request_end","id":"{id}","processed_at":"{ts}","model_request_start_id":"{last_start}","is_error":false,"model_usage":{{"input_tokens":4210,"output_tokens":96,"cache_creation_input_tokens":0,"cache_read_input_tokens":38211,"speed":"standard"}}}}"#
                ),
            ),
            4 => (
                "agent.tool_result",
                format!(
                    r#"{{"type":"agent.tool_result","id":"{id}","processed_at":"{ts}","tool_use_id":"{last_tool}","content":[{{"type":"text","text":"loaded 5000 rows in 1.82s"}}],"is_error":false}}"#
                ),
            ),
            _ => (
                "agent.thinking",
                format!(r#"{{"type":"agent.thinking","id":"{id}","processed_at":"{ts}"}}"#),
            ),
        };
        let seq = idg.seq();
        s.history.push(StoredEvent {
            seq,
            id,
            kind: kind.to_string(),
            processed_at: at,
            json: Arc::from(json),
        });
    }
    s.usage.input_tokens = (events as u64 / 6) * 4210;
    s.usage.output_tokens = (events as u64 / 6) * 96;
    s.usage.cost_cents = s.usage.input_tokens as f64 / 1e6 * 100.0
        + s.usage.output_tokens as f64 * 5.0 / 1e6 * 100.0;
    s.last_ts = start + events as Micros * step;
    s.updated_at = s.last_ts;
    s.status = Status::Idle;
    s.stop_reason = Some(json!({"type": "end_turn"}));
    // No autopilot: after the burst nobody prompts it again, so the size stays fixed.
    s.autopilot = false;
    // The live burst: a run of fast turns starting two seconds after start-up.
    let mut beats = Vec::new();
    for _ in 0..LIVE_TURNS {
        let mut sc = content::Script::new(idg, &mut s.rng);
        sc.pace = 0.02;
        content::firehose_live(&mut sc);
        beats.extend(sc.beats);
    }
    beats.push(Beat {
        delay: 10_000,
        thread: None,
        act: Act::Event(
            json!({"type": "session.status_idle", "stop_reason": {"type": "end_turn"}}),
        ),
    });
    beats.insert(
        0,
        Beat {
            delay: 2 * SECOND,
            thread: None,
            act: Act::Event(json!({"type": "session.status_running"})),
        },
    );
    debug_assert_eq!(
        beats
            .iter()
            .filter(|b| matches!(b.act, Act::Event(_)))
            .count(),
        LIVE_EVENTS,
        "the live burst's size is fixed"
    );
    s.start_script(beats, now);
    let _ = w.rng.random::<u8>();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::clock::MINUTE;

    #[test]
    fn the_burst_is_fixed_and_then_nothing_more_happens() {
        let mut w = World::new(4, 1.0);
        build_firehose(&mut w, 300);
        assert_eq!(w.sessions[0].history.len(), 300);
        let end = w.clock.origin() + 60 * MINUTE;
        w.advance_to(end);
        assert_eq!(w.sessions[0].history.len(), 300 + LIVE_EVENTS);
        assert_eq!(w.sessions[0].status, Status::Idle);
        w.advance_to(end + 600 * MINUTE);
        assert_eq!(
            w.sessions[0].history.len(),
            300 + LIVE_EVENTS,
            "idle for good"
        );
    }
}
