//! `demo`: a believable fleet at work.

mod agents;
mod deployments;
mod dreams;
mod memory;
mod sessions;

use crate::sim::world::World;

/// Build the demo world; a seed that cannot be written is a startup error, never silence.
pub fn build_demo(w: &mut World) -> Result<(), String> {
    let now = w.clock.origin();
    let cast = agents::add(w, now);
    let (eng, sup) = memory::seed_stores(w, now)?;
    sessions::add(w, now, &cast, &eng, &sup);
    memory::agent_writes(w, now, &eng)?;
    dreams::add(w, now, &cast.dreamer, &eng, &sup);
    deployments::add(w, now, &cast);
    // Any sessions the runs above created are brought up to date.
    w.advance_to(now);
    w.sessions.sort_by_key(|s| (s.created_at, s.seq));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::clock::{HOUR, MINUTE};
    use crate::sim::world::{Persona, Session};
    use serde_json::{Value, json};

    fn idles(s: &Session) -> Vec<Value> {
        s.history
            .iter()
            .filter(|e| e.kind == "session.status_idle")
            .filter_map(|e| serde_json::from_str::<Value>(&e.json).ok())
            .collect()
    }

    #[test]
    fn an_answer_before_the_block_only_leaves_the_other_call_pending() {
        let mut w = World::new(3, 1.0);
        assert_eq!(build_demo(&mut w), Ok(()));
        let coder = w
            .agents
            .iter()
            .find(|a| a.persona == Persona::Coder)
            .map(|a| a.id.clone())
            .unwrap_or_default();
        let env = w.environments[0].id.clone();
        let t0 = w.clock.origin() + HOUR;
        let idx = w
            .create_session(&coder, &env, Some("early answer".into()), t0)
            .unwrap_or(0);
        w.say_to(idx, "Fix it", t0);
        // Step until the first `ask` call is out, then answer it straight away.
        let mut t = t0;
        let first = loop {
            t += 50_000;
            w.run_session_to(idx, t);
            let s = &w.sessions[idx];
            if let Some(id) = s.awaiting.first() {
                break id.clone();
            }
            assert!(t < t0 + 10 * MINUTE, "the coder never asked");
        };
        assert!(w.sessions[idx].blocked_on.is_empty(), "not blocked yet");
        w.send_event(
            idx,
            json!({"type": "user.tool_confirmation", "tool_use_id": first, "result": "allow"}),
            t,
        );
        w.run_session_to(idx, t + 5 * MINUTE);
        let s = &w.sessions[idx];
        let waits: Vec<Value> = idles(s)
            .into_iter()
            .filter(|v| v["stop_reason"]["type"] == "requires_action")
            .collect();
        assert_eq!(waits.len(), 1);
        assert_eq!(
            waits[0]["stop_reason"]["event_ids"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );
        assert_ne!(waits[0]["stop_reason"]["event_ids"][0], json!(first));
        assert_eq!(s.blocked_on.len(), 1);
    }

    #[test]
    fn demo_is_identical_for_a_seed() {
        let (mut a, mut b) = (World::new(9, 1.0), World::new(9, 1.0));
        assert_eq!(build_demo(&mut a), Ok(()));
        assert_eq!(build_demo(&mut b), Ok(()));
        let ids = |w: &World| {
            w.sessions
                .iter()
                .map(|s| (s.id.clone(), s.history.len()))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&a), ids(&b));
    }
}
