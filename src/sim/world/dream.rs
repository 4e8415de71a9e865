//! Dreams: how one is added, with its timeline planned ahead. The dream's own session shows
//! the work as it happens: it lists and reads the input store's notes, then writes its
//! consolidation (`sim::memory::plan_consolidation`) into the output store, each write landing
//! at the moment the session's tool result says so.

use std::collections::VecDeque;

use serde_json::{Value, json};

use super::*;
use crate::sim::clock::{MINUTE, Micros, SECOND};
use crate::sim::memory::{Consolidation, DreamOp, plan_consolidation};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum DreamPlan {
    Completed,
    Running,
    Failed,
    /// Created through the API: pending now, runs for a while.
    Fresh,
}

/// Most notes one tool result lists or shows (the rest is counted).
const SHOWN_LINES: usize = 40;

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
        let session_at = at + 5 * SECOND;
        let session_idx =
            self.create_session(dreamer, &env, Some(format!("Dream {id}")), session_at);
        let session_id = session_idx.map(|i| self.sessions[i].id.clone());
        let (start_at, clone_at, finish_at) = match plan {
            DreamPlan::Completed => (at + 4 * SECOND, at + 10 * SECOND, at + 11 * MINUTE),
            DreamPlan::Running => (
                at + 4 * SECOND,
                at + 10 * SECOND,
                (self.clock.origin() + 3 * MINUTE).max(at + 4 * MINUTE),
            ),
            DreamPlan::Failed => (at + 4 * SECOND, at + 10 * SECOND, at + 30 * MINUTE),
            DreamPlan::Fresh => (at + 5 * SECOND, at + 12 * SECOND, at + 90 * SECOND),
        };
        let will_fail = plan == DreamPlan::Failed;
        // A dream that will fail never gets an output store: its session only reads, planned
        // now from the input store. The others plan from their output store once it is cloned
        // (`dream_work_to`), so the plan matches what is there.
        if will_fail && let Some(i) = session_idx {
            let notes = self.store_notes(store);
            let work = plan_consolidation(&notes, session_ids.len());
            let mount = format!("/mnt/memory/{}", slug(&self.store_name(store)));
            let timeline = Timeline {
                start: session_at,
                writes_from: clone_at + SECOND,
                finish: finish_at,
            };
            let (beats, _) = script(
                &mut self.idg,
                &mount,
                &notes,
                &work,
                session_ids.len(),
                timeline,
                true,
            );
            self.sessions[i].start_script(beats, session_at);
        }
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
            will_fail,
            work: VecDeque::new(),
            repeat: plan == DreamPlan::Running,
            planned: will_fail,
        });
        // A demo dream is brought up to the present (a follow-up starts in the present).
        if plan != DreamPlan::Fresh && at <= self.clock.origin() {
            let t = self.clock.origin().min(finish_at.max(at));
            self.advance_dreams_to(t);
            if let Some(i) = session_idx {
                self.run_session_to(i, self.clock.origin());
            }
        }
        self.dreams.len() - 1
    }

    /// Write the dream's planned changes due by `now` into its output store. A write the store
    /// refuses (someone changed the output store meanwhile) fails the dream, as the API's
    /// `internal_error` would say, instead of being dropped.
    pub fn dream_work_to(&mut self, i: usize, now: Micros) {
        let Some(d) = self.dreams.get(i) else {
            return;
        };
        if d.status != "running" {
            return;
        }
        let Some(out) = d.outputs.first().cloned() else {
            return;
        };
        let actor = json!({"type": "session_actor", "session_id": d.session_id.clone().unwrap_or_default()});
        if !d.planned {
            self.plan_dream_work(i, &out);
        }
        let d = &self.dreams[i];
        if d.repeat && d.finish_at <= now {
            let (store, sessions, at) =
                (d.input_store_id.clone(), d.session_ids.clone(), d.finish_at);
            self.dreams[i].repeat = false;
            let dreamer = self
                .agents
                .iter()
                .find(|a| a.persona == Persona::Dreamer)
                .map(|a| a.id.clone());
            if let Some(dreamer) = dreamer {
                self.add_dream(&dreamer, &store, &sessions, at, DreamPlan::Running);
            }
        }
        while let Some((at, op)) = self.dreams[i].work.front().cloned() {
            if at > now {
                break;
            }
            self.dreams[i].work.pop_front();
            if let Err(e) = self.apply_dream_op(&out, &op, &actor, at) {
                let d = &mut self.dreams[i];
                d.status = "failed";
                d.ended_at = Some(at);
                d.work.clear();
                d.error = Some(
                    json!({"type": "internal_error", "message": format!("The dream stopped after an internal error: {}", e.message)}),
                );
                return;
            }
        }
    }
}

impl World {
    /// A canceled dream writes nothing more, and its session is interrupted.
    pub fn stop_dream_session(&mut self, i: usize, at: Micros) {
        let Some(d) = self.dreams.get_mut(i) else {
            return;
        };
        d.work.clear();
        d.repeat = false;
        let sid = d.session_id.clone();
        if let Some(idx) = self
            .sessions
            .iter()
            .position(|s| Some(&s.id) == sid.as_ref())
        {
            self.send_event(idx, json!({"type": "user.interrupt"}), at);
        }
    }
}

impl World {
    fn store_notes(&self, store: &str) -> Vec<(String, String)> {
        self.memories
            .iter()
            .filter(|m| m.store_id == store)
            .map(|m| (m.path.clone(), m.content.clone()))
            .collect()
    }

    /// Plan dream `i`'s writes from its freshly cloned output store `out` and start its
    /// session's script (from the session's start: what is already due shows at once).
    fn plan_dream_work(&mut self, i: usize, out: &str) {
        let d = &self.dreams[i];
        let (input, sessions, session_id) = (
            d.input_store_id.clone(),
            d.session_ids.len(),
            d.session_id.clone(),
        );
        let timeline = Timeline {
            start: d.created_at + 5 * SECOND,
            writes_from: d.clone_at + SECOND,
            finish: d.finish_at,
        };
        let notes = self.store_notes(out);
        let work = plan_consolidation(&notes, sessions);
        let mount = format!("/mnt/memory/{}", slug(&self.store_name(&input)));
        let (beats, writes) = script(
            &mut self.idg,
            &mount,
            &notes,
            &work,
            sessions,
            timeline,
            false,
        );
        let d = &mut self.dreams[i];
        d.planned = true;
        d.work = writes;
        if let Some(s) = self
            .sessions
            .iter_mut()
            .find(|s| Some(&s.id) == session_id.as_ref())
        {
            s.start_script(beats, timeline.start);
        }
    }
}

/// The mount slug of a store name (`/mnt/memory/<slug>`).
fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() { "store".into() } else { s }
}

#[derive(Clone, Copy)]
struct Timeline {
    /// The session starts.
    start: Micros,
    /// The output store exists from here on.
    writes_from: Micros,
    finish: Micros,
}

/// Events at absolute times, turned into beats (delays) at the end.
struct Events<'a> {
    idg: &'a mut Gen,
    at: Vec<(Micros, Value)>,
}

impl Events<'_> {
    fn ev(&mut self, t: Micros, v: Value) {
        self.at.push((t, v));
    }

    /// A tool call at `t` and its result `took` later; returns the result's time.
    fn call(&mut self, t: Micros, took: Micros, name: &str, input: Value, result: &str) -> Micros {
        let id = self.idg.id("sevt_");
        self.ev(
            t,
            json!({"type": "agent.tool_use", "id": id, "name": name, "input": input, "evaluated_permission": "allow", "evaluation": {"type": "always_allow"}}),
        );
        self.ev(
            t + took,
            json!({"type": "agent.tool_result", "tool_use_id": id, "content": [{"type": "text", "text": result}], "is_error": false}),
        );
        t + took
    }

    fn say(&mut self, t: Micros, text: &str) {
        self.ev(
            t,
            json!({"type": "agent.message", "content": [{"type": "text", "text": text}]}),
        );
    }
}

/// A note as the `read` tool shows it: numbered lines, the first [`SHOWN_LINES`].
fn numbered(content: &str) -> String {
    let lines: Vec<&str> = content.lines().collect();
    let mut out: Vec<String> = lines
        .iter()
        .take(SHOWN_LINES)
        .enumerate()
        .map(|(i, l)| format!("{:>6}\t{l}", i + 1))
        .collect();
    if lines.len() > SHOWN_LINES {
        out.push(format!("… {} more lines", lines.len() - SHOWN_LINES));
    }
    out.join("\n")
}

/// The dream session's script (user message, listing, reads, writes, summary, idle) and the
/// writes with the times their tool results show them done.
fn script(
    idg: &mut Gen,
    mount: &str,
    notes: &[(String, String)],
    work: &Consolidation,
    sessions: usize,
    t: Timeline,
    will_fail: bool,
) -> (Vec<Beat>, VecDeque<(Micros, DreamOp)>) {
    let mut e = Events {
        idg,
        at: Vec::new(),
    };
    let span = (t.finish - t.start).max(10 * SECOND);
    let took = (span / 200).clamp(200_000, 2 * SECOND);
    e.ev(
        t.start,
        json!({"type": "user.message", "content": [{"type": "text", "text": format!("Consolidate the memory store at {mount} using the {sessions} listed sessions.")}]}),
    );
    e.ev(t.start, json!({"type": "session.status_running"}));
    e.ev(t.start + SECOND / 2, json!({"type": "agent.thinking"}));
    // Reading: the first 45% of the run.
    let reads_end = t.start + span * 45 / 100;
    let steps = 2 + work.reads.len() as i64;
    let step = ((reads_end - t.start - SECOND) / steps.max(1)).max(took + 1);
    let mut at = t.start + SECOND;
    e.say(
        at,
        &format!("Reading the {sessions} sessions and the notes under {mount}."),
    );
    at += step;
    let mut paths: Vec<&str> = notes.iter().map(|(p, _)| p.as_str()).collect();
    paths.sort_unstable();
    let mut listing: Vec<String> = paths
        .iter()
        .take(SHOWN_LINES)
        .map(|p| format!("{mount}{p}"))
        .collect();
    if paths.len() > SHOWN_LINES {
        listing.push(format!("… and {} more", paths.len() - SHOWN_LINES));
    }
    e.call(
        at,
        took,
        "glob",
        json!({"pattern": "**/*.md", "path": mount}),
        &listing.join("\n"),
    );
    for path in &work.reads {
        at += step;
        let content = notes
            .iter()
            .find(|(p, _)| p == path)
            .map_or("", |(_, c)| c.as_str());
        e.call(
            at,
            took,
            "read",
            json!({"file_path": format!("{mount}{path}")}),
            &numbered(content),
        );
    }
    let mut writes = VecDeque::new();
    if will_fail {
        e.say(
            reads_end,
            "Cross-checking these notes against the sessions before writing anything.",
        );
        // The dream fails at its end; its session stops there.
        e.ev(
            t.finish,
            json!({"type": "session.status_idle", "stop_reason": {"type": "end_turn"}}),
        );
        return (beats(e.at, t.start), writes);
    }
    e.say(
        reads_end,
        "Found notes to merge, stale facts, a retired system and a misfiled note. Writing the consolidated store.",
    );
    // Writing: from the clone on, up to 95% of the run.
    let from = t.writes_from.max(t.start + span / 2);
    let until = t.start + span * 95 / 100;
    let calls: i64 = work
        .ops
        .iter()
        .map(|op| match op {
            DreamOp::Move {
                content: Some(_), ..
            } => 2,
            _ => 1,
        })
        .sum();
    let step = ((until - from) / calls.max(1)).max(took + 1);
    let mut at = from;
    for op in &work.ops {
        let fp = |p: &str| format!("{mount}{p}");
        let done = match op {
            DreamOp::Update { path, content } => e.call(
                at,
                took,
                "write",
                json!({"file_path": fp(path), "content": content}),
                &format!("The file {} has been updated successfully.", fp(path)),
            ),
            DreamOp::Create { path, content } => e.call(
                at,
                took,
                "write",
                json!({"file_path": fp(path), "content": content}),
                &format!("File created successfully at: {}", fp(path)),
            ),
            DreamOp::Delete { path } => e.call(
                at,
                took,
                "bash",
                json!({"command": format!("rm {}", fp(path))}),
                "",
            ),
            DreamOp::Move { from, to, content } => {
                let dir = to.rsplit_once('/').map_or("", |(d, _)| d);
                let moved = e.call(
                    at,
                    took,
                    "bash",
                    json!({"command": format!("mkdir -p {} && mv {} {}", fp(dir), fp(from), fp(to))}),
                    "",
                );
                match content {
                    Some(c) => {
                        at += step;
                        e.call(
                            at,
                            took,
                            "write",
                            json!({"file_path": fp(to), "content": c}),
                            &format!("The file {} has been updated successfully.", fp(to)),
                        )
                    }
                    None => moved,
                }
            }
        };
        writes.push_back((done, op.clone()));
        at += step;
    }
    let end = t.start + span * 97 / 100;
    e.say(end, &work.summary);
    e.ev(
        end + SECOND / 2,
        json!({"type": "session.status_idle", "stop_reason": {"type": "end_turn"}}),
    );
    (beats(e.at, t.start), writes)
}

/// Absolute times → beats with delays, from `start`.
fn beats(mut at: Vec<(Micros, Value)>, start: Micros) -> Vec<Beat> {
    at.sort_by_key(|(t, _)| *t);
    let mut prev = start;
    at.into_iter()
        .map(|(t, v)| {
            let t = t.max(prev);
            let delay = t - prev;
            prev = t;
            Beat {
                delay,
                thread: None,
                act: Act::Event(v),
            }
        })
        .collect()
}
