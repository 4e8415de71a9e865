//! Dreams: how one is added, with its timeline planned ahead.

use serde_json::json;

use super::*;
use crate::sim::clock::{MINUTE, Micros, SECOND};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum DreamPlan {
    Completed,
    Running,
    Failed,
    /// Created through the API: pending now, runs for a while.
    Fresh,
}

impl World {
    pub fn add_dream(
        &mut self,
        dreamer: &str,
        store: &str,
        session_ids: &[String],
        at: Micros,
        plan: DreamPlan,
    ) -> usize {
        let env = self
            .environments
            .first()
            .map(|e| e.id.clone())
            .unwrap_or_default();
        let id = self.idg.id("drm_");
        let seq = self.idg.seq();
        let session_idx =
            self.create_session(dreamer, &env, Some(format!("Dream {id}")), at + 5 * SECOND);
        let session_id = session_idx.map(|i| self.sessions[i].id.clone());
        if let Some(i) = session_idx {
            self.say_to(
                i,
                "Consolidate the memory store using the listed sessions.",
                at + 5 * SECOND,
            );
        }
        let (start_at, clone_at, finish_at) = match plan {
            DreamPlan::Completed => (at + 4 * SECOND, at + 10 * SECOND, at + 11 * MINUTE),
            DreamPlan::Running => (
                at + 4 * SECOND,
                at + 10 * SECOND,
                self.clock.origin() + 3 * MINUTE,
            ),
            DreamPlan::Failed => (at + 4 * SECOND, at + 10 * SECOND, at + 30 * MINUTE),
            DreamPlan::Fresh => (at + 5 * SECOND, at + 12 * SECOND, at + 90 * SECOND),
        };
        self.dreams.push(Dream {
            seq,
            id,
            status: "pending",
            input_store_id: store.to_string(),
            session_ids: session_ids.to_vec(),
            model: json!({"id": "claude-opus-5-5", "speed": "standard"}),
            instructions: Some("Merge duplicate notes, update stale facts, and drop anything about retired systems.".into()),
            output_behavior: json!({"type": "create_new"}),
            outputs: Vec::new(),
            session_id,
            usage: [0; 4],
            error: None,
            created_at: at,
            ended_at: None,
            archived_at: None,
            start_at,
            clone_at,
            finish_at,
            will_fail: plan == DreamPlan::Failed,
        });
        if plan != DreamPlan::Fresh {
            let t = self.clock.origin().min(finish_at.max(at));
            self.advance_dreams_to(t);
            if let Some(i) = session_idx {
                self.run_session_to(i, self.clock.origin());
            }
        }
        self.dreams.len() - 1
    }
}
