//! Session behaviour: the inbox of user events, the script of timed beats, blocking on
//! confirmations, interrupts, outcomes, budgets; plus the world tick for dreams and schedules.

use rand::Rng;
use serde_json::{Value, json};

use super::clock::{MINUTE, Micros, SECOND};
use super::content;
use super::world::{
    Act, ActiveOutcome, Answer, Beat, Gen, Persona, Queued, START_OUTCOME, Session, Status, World,
    result_text,
};

fn kind_of(v: &Value) -> &str {
    v.get("type").and_then(Value::as_str).unwrap_or("")
}

impl Session {
    /// Index of the next inbox item that can be processed now: interrupts jump the queue, answers
    /// apply at once, new work waits until the current turn is over.
    fn next_processable(&self) -> Option<usize> {
        if let Some(i) = self
            .inbox
            .iter()
            .position(|q| kind_of(&q.event) == "user.interrupt")
        {
            return Some(i);
        }
        for (i, q) in self.inbox.iter().enumerate() {
            match kind_of(&q.event) {
                "user.tool_confirmation" | "user.custom_tool_result" | "user.tool_result" => {
                    return Some(i);
                }
                _ if !self.busy() => return Some(i),
                _ => {}
            }
        }
        None
    }

    /// Run everything due up to `now`.
    pub fn advance(&mut self, idg: &mut Gen, now: Micros) {
        for _ in 0..1_000_000 {
            if self.status == Status::Terminated {
                self.script.clear();
                self.inbox.clear();
                return;
            }
            let beat_due =
                self.blocked_on.is_empty() && !self.script.is_empty() && self.next_at <= now;
            if let Some(i) = self.next_processable() {
                let at = self.inbox[i].queued_at.max(self.last_ts);
                if !(beat_due && self.next_at < at) {
                    if let Some(q) = self.inbox.remove(i) {
                        self.process(idg, q, at);
                    }
                    continue;
                }
            }
            if beat_due {
                if let Some(beat) = self.script.pop_front() {
                    let at = self.next_at;
                    self.apply(idg, beat, at);
                    if let Some(front) = self.script.front() {
                        self.next_at = at + front.delay;
                    } else if self.blocked_on.is_empty() {
                        self.turn_over(at);
                    }
                }
                continue;
            }
            if self.autopilot
                && !self.busy()
                && self.inbox.is_empty()
                && self.status == Status::Idle
                && let Some(at) = self.autopilot_at.filter(|&t| t <= now)
            {
                self.autopilot_at = None;
                // Researchers get graded work every third turn, so an outcome is often in flight.
                if self.persona == Persona::Researcher && self.turns % 3 == 2 {
                    let ev = json!({
                        "type": "user.define_outcome",
                        "id": idg.id("sevt_"),
                        "outcome_id": idg.id("outc_"),
                        "description": content::outcome_goal(&mut self.rng),
                        "rubric": {"type": "text", "content": "- Every figure has a primary source\n- The comparison covers cost, performance and risk\n- The recommendation follows from the evidence"},
                        "max_iterations": 3,
                    });
                    self.emit(idg, at, None, ev.clone());
                    let mut marker = ev;
                    marker["type"] = json!(START_OUTCOME);
                    self.inbox.push_back(Queued {
                        event: marker,
                        queued_at: at,
                    });
                    continue;
                }
                let prompt = content::follow_up(self.persona, &mut self.rng);
                let ev = json!({
                    "type": "user.message",
                    "id": idg.id("sevt_"),
                    "content": [{"type": "text", "text": prompt}],
                    "processed_at": null,
                });
                self.echo_queued(&ev);
                self.inbox.push_back(Queued {
                    event: ev,
                    queued_at: at,
                });
                continue;
            }
            break;
        }
    }

    fn turn_over(&mut self, at: Micros) {
        self.turns += 1;
        if self.autopilot && self.status == Status::Idle && !self.over_budget() {
            let gap = self.rng.random_range(40 * SECOND..120 * SECOND);
            self.autopilot_at = Some(at + gap);
        }
    }

    /// Start a script at `at`.
    pub fn start_script(&mut self, beats: Vec<Beat>, at: Micros) {
        self.script.extend(beats);
        if let Some(front) = self.script.front() {
            self.next_at = at + front.delay;
        }
    }

    fn apply(&mut self, idg: &mut Gen, beat: Beat, at: Micros) {
        match beat.act {
            Act::Event(v) => {
                self.emit(idg, at, beat.thread, v);
            }
            Act::Preview(kind, v) => self.preview(beat.thread, kind, &v),
            Act::Block => {
                if !self.awaiting.is_empty() {
                    self.blocked_on = std::mem::take(&mut self.awaiting);
                    let ids = self.blocked_on.clone();
                    self.emit(
                        idg,
                        at,
                        None,
                        json!({"type": "session.status_idle", "stop_reason": {"type": "requires_action", "event_ids": ids}}),
                    );
                }
            }
            Act::Reflect { uses, done } => {
                let text = self.reflect(&uses, &done);
                self.emit(
                    idg,
                    at,
                    beat.thread,
                    json!({"type": "agent.message", "content": [{"type": "text", "text": text}]}),
                );
            }
            Act::Usage => {
                let usage = self.usage.to_json(self.active_seconds(at));
                let budget = self.budget.clone();
                self.emit(
                    idg,
                    at,
                    None,
                    json!({"type": "session.usage", "usage": usage, "budget": budget}),
                );
                if self.over_budget() {
                    self.script.clear();
                    self.awaiting.clear();
                    self.autopilot = false;
                    self.emit(idg, at, None, json!({"type": "session.status_idle", "stop_reason": {"type": "budget_reached"}}));
                }
            }
        }
    }

    /// The child thread a tool-use event id belongs to, if any.
    pub fn thread_of_event(&self, event_id: &str) -> Option<usize> {
        self.threads.iter().position(|t| {
            t.parent.is_some() && t.history.iter().rev().take(400).any(|e| e.id == event_id)
        })
    }

    fn process(&mut self, idg: &mut Gen, q: Queued, at: Micros) {
        let mut ev = q.event;
        let kind = kind_of(&ev).to_string();
        match kind.as_str() {
            "user.interrupt" => {
                let scoped = ev
                    .get("session_thread_id")
                    .and_then(Value::as_str)
                    .and_then(|t| self.thread_index(t))
                    .filter(|&i| self.threads[i].parent.is_some());
                self.emit(idg, at, None, ev);
                if let Some(i) = scoped {
                    // Only that sub-agent stops; the rest of the session carries on.
                    self.script.retain(|b| b.thread != Some(i));
                    if self.threads[i].status == Status::Running {
                        let (tid, name) = (
                            self.threads[i].id.clone(),
                            self.threads[i].agent_name.clone(),
                        );
                        self.emit(
                            idg,
                            at,
                            Some(i),
                            json!({"type": "session.thread_status_idle", "session_thread_id": tid, "agent_name": name, "stop_reason": {"type": "end_turn"}}),
                        );
                    }
                    if self.script.is_empty()
                        && self.blocked_on.is_empty()
                        && self.status == Status::Running
                    {
                        self.emit(idg, at, None, json!({"type": "session.status_idle", "stop_reason": {"type": "end_turn"}}));
                        self.turn_over(at);
                    }
                    return;
                }
                let was_busy = self.busy() || self.status != Status::Idle;
                self.script.clear();
                self.awaiting.clear();
                self.blocked_on.clear();
                if let Some(o) = self.outcome.take()
                    && let Some(start_id) = o.start_id
                {
                    self.emit(
                            idg,
                            at,
                            None,
                            json!({
                                "type": "span.outcome_evaluation_end",
                                "outcome_evaluation_start_id": start_id,
                                "outcome_id": o.outcome_id,
                                "iteration": o.iteration,
                                "result": "interrupted",
                                "explanation": "The user interrupted the session while the grader was evaluating.",
                                "usage": {"input_tokens": 0, "output_tokens": 0, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
                            }),
                        );
                }
                for i in 0..self.threads.len() {
                    let t = &self.threads[i];
                    if t.parent.is_some() && t.status == Status::Running {
                        let (tid, name) = (t.id.clone(), t.agent_name.clone());
                        self.emit(
                            idg,
                            at,
                            Some(i),
                            json!({"type": "session.thread_status_idle", "session_thread_id": tid, "agent_name": name, "stop_reason": {"type": "end_turn"}}),
                        );
                    }
                }
                if was_busy {
                    self.emit(
                        idg,
                        at,
                        None,
                        json!({"type": "session.status_idle", "stop_reason": {"type": "end_turn"}}),
                    );
                    self.turn_over(at);
                }
            }
            "user.tool_confirmation" | "user.custom_tool_result" | "user.tool_result" => {
                let target = ["tool_use_id", "custom_tool_use_id"]
                    .iter()
                    .find_map(|k| ev.get(*k).and_then(Value::as_str))
                    .unwrap_or("")
                    .to_string();
                if let (Some(i), Some(o)) = (self.thread_of_event(&target), ev.as_object_mut()) {
                    o.insert("session_thread_id".into(), json!(self.threads[i].id));
                }
                let denied = ev.get("result").and_then(Value::as_str) == Some("deny");
                let deny_message = ev
                    .get("deny_message")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let answer = match kind.as_str() {
                    "user.custom_tool_result" => Answer::Custom {
                        text: result_text(&ev),
                        is_error: ev.get("is_error").and_then(Value::as_bool) == Some(true),
                    },
                    _ if denied => Answer::Denied(deny_message.clone()),
                    _ => Answer::Allowed,
                };
                self.answers.insert(target.clone(), answer);
                self.emit(idg, at, None, ev);
                // An answer can also arrive before the session has gone idle for it.
                let was_blocking =
                    if let Some(pos) = self.blocked_on.iter().position(|id| *id == target) {
                        self.blocked_on.remove(pos);
                        true
                    } else if let Some(pos) = self.awaiting.iter().position(|id| *id == target) {
                        self.awaiting.remove(pos);
                        false
                    } else {
                        return;
                    };
                if denied {
                    self.script.retain(|b| match &b.act {
                        Act::Event(v) => {
                            let k = kind_of(v);
                            !((k == "agent.tool_result" || k == "agent.mcp_tool_result")
                                && (v.get("tool_use_id").and_then(Value::as_str) == Some(&target)
                                    || v.get("mcp_tool_use_id").and_then(Value::as_str)
                                        == Some(&target)))
                        }
                        _ => true,
                    });
                    // A scripted reply that reads the answers says it; otherwise say it now.
                    let reflected = self.script.iter().any(
                        |b| matches!(&b.act, Act::Reflect { uses, .. } if uses.contains(&target)),
                    );
                    let reason = deny_message.unwrap_or_else(|| "no reason given".to_string());
                    let text = format!(
                        "Understood, I won't run that (denied: {reason}). I'll continue without it."
                    );
                    let thread = self.thread_of_event(&target);
                    if !reflected {
                        self.script.push_front(Beat {
                        delay: 800_000,
                        thread,
                        act: Act::Event(json!({"type": "agent.message", "content": [{"type": "text", "text": text}]})),
                    });
                    }
                }
                if !was_blocking {
                    return;
                }
                if self.blocked_on.is_empty() {
                    self.emit(idg, at, None, json!({"type": "session.status_running"}));
                    if let Some(front) = self.script.front() {
                        self.next_at = at + front.delay;
                    } else {
                        self.emit(idg, at, None, json!({"type": "session.status_idle", "stop_reason": {"type": "end_turn"}}));
                        self.turn_over(at);
                    }
                } else {
                    let ids = self.blocked_on.clone();
                    self.emit(
                        idg,
                        at,
                        None,
                        json!({"type": "session.status_idle", "stop_reason": {"type": "requires_action", "event_ids": ids}}),
                    );
                }
            }
            START_OUTCOME => {
                let outcome_id = ev
                    .get("outcome_id")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let description = ev
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let max_iterations = ev
                    .get("max_iterations")
                    .and_then(Value::as_u64)
                    .unwrap_or(3);
                if self.over_budget() {
                    self.emit(idg, at, None, json!({"type": "session.status_idle", "stop_reason": {"type": "budget_reached"}}));
                    return;
                }
                self.emit(idg, at, None, json!({"type": "session.status_running"}));
                self.outcome = Some(ActiveOutcome {
                    outcome_id: outcome_id.clone(),
                    start_id: None,
                    iteration: 0,
                });
                let beats =
                    content::outcome_work(self, idg, &outcome_id, &description, max_iterations);
                self.start_script(beats, at);
            }
            "system.message" => {
                self.emit(idg, at, None, ev);
            }
            _ => {
                // user.message (and anything else that starts work)
                let prompt = ev
                    .pointer("/content/0/text")
                    .and_then(Value::as_str)
                    .unwrap_or("Continue.")
                    .to_string();
                if self.over_budget() {
                    self.emit(idg, at, None, ev);
                    self.emit(idg, at, None, json!({"type": "session.status_idle", "stop_reason": {"type": "budget_reached"}}));
                    return;
                }
                if self.status != Status::Running {
                    self.emit(idg, at, None, json!({"type": "session.status_running"}));
                }
                self.emit(idg, at, None, ev);
                let beats = content::turn(self, idg, &prompt);
                self.start_script(beats, at);
            }
        }
    }
}

impl World {
    /// Advance everything to the current simulated time.
    pub fn tick(&mut self) {
        let now = self.now();
        self.advance_to(now);
    }

    pub fn advance_to(&mut self, now: Micros) {
        let World { sessions, idg, .. } = self;
        for s in sessions.iter_mut() {
            s.advance(idg, now);
        }
        self.advance_dreams_to(now);
        self.advance_deployments(now);
        if let Some(mut d) = self.driver.take() {
            d.advance(self, now);
            self.driver = Some(d);
        }
    }

    fn advance_deployments(&mut self, now: Micros) {
        let mut due: Vec<(usize, Micros)> = Vec::new();
        for (i, d) in self.deployments.iter_mut().enumerate() {
            let active = d.paused_reason.is_none() && d.archived_at.is_none();
            let Some(s) = d.schedule.as_mut() else {
                continue;
            };
            if !active {
                s.checked_until = now;
                continue;
            }
            // Do not replay more than a day of missed fires.
            let from = s.checked_until.max(now - 24 * 60 * MINUTE);
            let mut t = from;
            while let Some(m) = s.cron.next_after(t, now - t) {
                due.push((i, m));
                t = m;
            }
            s.checked_until = now;
        }
        for (i, m) in due {
            let jitter = self.rng.random_range(SECOND..6 * SECOND);
            self.fire_deployment(i, Some(m), m + jitter);
        }
    }

    pub fn advance_dreams_to(&mut self, now: Micros) {
        for i in 0..self.dreams.len() {
            let d = &self.dreams[i];
            if d.status == "pending" && d.start_at <= now {
                let d = &mut self.dreams[i];
                d.status = "running";
            }
            let d = &self.dreams[i];
            if d.status == "running" && d.outputs.is_empty() && d.clone_at <= now && !d.will_fail {
                let (input, at) = (d.input_store_id.clone(), d.clone_at);
                let name = format!(
                    "{} (dream {})",
                    self.store_name(&input),
                    &self.dreams[i].id[4..12]
                );
                // update_existing writes straight into its input store.
                let in_place = self.dreams[i]
                    .output_behavior
                    .get("type")
                    .and_then(Value::as_str)
                    == Some("update_existing");
                let out = if in_place {
                    Ok(input)
                } else {
                    self.clone_store(&input, &name, at)
                };
                match out {
                    Ok(out) => self.dreams[i].outputs.push(out),
                    Err(e) => self.fail_dream(i, at, &e.message),
                }
            }
            // Its writes land as its session shows them (all are planned before it finishes).
            self.dream_work_to(i, now.min(self.dreams[i].finish_at));
            let d = &self.dreams[i];
            if d.status == "running" && d.finish_at <= now {
                let at = d.finish_at;
                if d.will_fail {
                    let d = &mut self.dreams[i];
                    d.status = "failed";
                    d.ended_at = Some(at);
                    // Alternate the two error types the API documents for dreams.
                    d.error = Some(if d.seq.is_multiple_of(2) {
                        json!({"type": "timeout", "message": "The dream did not finish within its time limit."})
                    } else {
                        json!({"type": "internal_error", "message": "The dream stopped after an internal error; no memories were changed."})
                    });
                } else {
                    let d = &mut self.dreams[i];
                    d.status = "completed";
                    d.ended_at = Some(at);
                    d.usage = [182_340, 14_212, 9_870, 120_455];
                }
            } else if d.status == "running" {
                // Usage grows while it works.
                let d = &mut self.dreams[i];
                let frac = ((now - d.start_at) as f64 / (d.finish_at - d.start_at).max(1) as f64)
                    .clamp(0.0, 1.0);
                d.usage = [
                    (182_340.0 * frac) as u64,
                    (14_212.0 * frac) as u64,
                    9_870,
                    (120_455.0 * frac) as u64,
                ];
            }
        }
    }

    /// A dream whose memory writes the store refused: `failed`, with the API's `internal_error`
    /// naming the write that failed (what was written before it stays written).
    fn fail_dream(&mut self, i: usize, at: Micros, why: &str) {
        if let Some(d) = self.dreams.get_mut(i) {
            d.status = "failed";
            d.ended_at = Some(at);
            d.error = Some(
                json!({"type": "internal_error", "message": format!("The dream stopped: a memory write failed ({why}).")}),
            );
        }
    }
}
