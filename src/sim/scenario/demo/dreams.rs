//! The demo's dreams: one completed, one running, one failed.

use crate::sim::clock::{HOUR, MINUTE, Micros};
use crate::sim::world::*;

pub fn add(w: &mut World, now: Micros, dreamer: &str, eng: &str, sup: &str) {
    let session_ids: Vec<String> = w.sessions.iter().take(3).map(|s| s.id.clone()).collect();
    w.add_dream(
        dreamer,
        eng,
        &session_ids,
        now - 3 * HOUR,
        DreamPlan::Completed,
    );
    w.add_dream(
        dreamer,
        sup,
        &session_ids,
        now - 2 * MINUTE,
        DreamPlan::Running,
    );
    w.add_dream(
        dreamer,
        eng,
        &session_ids,
        now - 26 * HOUR,
        DreamPlan::Failed,
    );
}
