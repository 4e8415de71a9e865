//! The Needs-you queue: one row per *call* that waits for a human, across sessions and threads.
//!
//! A call is an `agent.tool_use` / `agent.mcp_tool_use` that waits for a `user.tool_confirmation`
//! (kind [`CallKind::ToolConfirmation`]) or an `agent.custom_tool_use` that waits for a
//! `user.custom_tool_result` ([`CallKind::CustomTool`]). Built from a session's events, one at a
//! time ([`SessionNeeds::apply`]), so a live feed updates the rows without re-reading history.
//!
//! When a call is a row (wire §6, "never on a guess"):
//! - a tool confirmation once a `requires_action` stop reason lists its id; a custom tool use from
//!   the moment it appears (the client may answer it before the session goes idle);
//! - it leaves when the API shows it answered (the echoed confirmation / result with its id), or
//!   when a later idle that speaks for it no longer lists it, or when its thread or the session ends.
//!
//! Which idle speaks for a call: its own thread's `session.thread_status_idle` (sub-agent calls)
//! and the session's `session.status_idle`. A primary `requires_action` speaks for sub-agent calls
//! only when it lists at least one sub-agent call (the primary then aggregates every blocking id, as
//! the simulator does); otherwise a primary `requires_action` leaves sub-agent calls to their own
//! thread. A primary idle with any other stop reason (end_turn after an interrupt, budget, retries)
//! ends every call of the session.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;

use crate::api::types::StopReason;
use crate::api::{EventBody, EventParams, SessionEvent};
use crate::text;

/// What the header's "Needs you" counts: calls waiting for a human, plus sessions stopped at
/// their budget (`budget_reached`: only a person can raise or remove the budget).
pub fn needs_you_count(calls: usize, budget_reached: usize) -> usize {
    calls + budget_reached
}

/// At most this many cells in a row's one-line input summary.
pub const SUMMARY_CELLS: usize = 200;

/// What answers a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallKind {
    /// An `agent.tool_use` / `agent.mcp_tool_use`: answered by `user.tool_confirmation`.
    ToolConfirmation,
    /// An `agent.custom_tool_use`: answered by `user.custom_tool_result`.
    CustomTool,
}

impl CallKind {
    /// The name used in `overseer needs --json`.
    pub fn as_str(self) -> &'static str {
        match self {
            CallKind::ToolConfirmation => "tool_confirmation",
            CallKind::CustomTool => "custom_tool",
        }
    }
}

/// Where the dashboard's answer to a row stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SendState {
    /// Nothing sent yet.
    #[default]
    Idle,
    /// Sent; waiting for the API to echo it (the echo removes the row).
    Pending,
    /// The send failed with this one-line error; the row can be answered again.
    Failed(String),
}

/// One call waiting for a human.
#[derive(Debug, Clone, PartialEq)]
pub struct NeedsRow {
    pub session_id: String,
    /// The id of the use event (the `tool_use_id` / `custom_tool_use_id` of the answer).
    pub event_id: String,
    pub kind: CallKind,
    /// The tool's name (for MCP tools, without the server).
    pub name: String,
    /// The MCP server, for `agent.mcp_tool_use`.
    pub mcp_server: Option<String>,
    /// The tool input, verbatim.
    pub input: Value,
    /// One line, sanitized, at most [`SUMMARY_CELLS`] cells.
    pub summary: String,
    /// The sub-agent thread; `None` on the primary thread.
    pub thread_id: Option<String>,
    /// The agent that made the call, when known (sanitized).
    pub agent_name: Option<String>,
    /// The use's `processed_at`.
    pub waiting_since: Option<String>,
    pub send: SendState,
}

impl NeedsRow {
    /// The tool as shown: `name`, or `server/name` for MCP tools (not sanitized).
    pub fn tool(&self) -> String {
        match &self.mcp_server {
            Some(server) => format!("{server}/{}", self.name),
            None => self.name.clone(),
        }
    }

    /// The row as `overseer needs --json` prints it.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "session_id": self.session_id,
            "event_id": self.event_id,
            "kind": self.kind.as_str(),
            "tool": self.tool(),
            "input": self.input,
            "thread_id": self.thread_id,
            "waiting_since": self.waiting_since,
        })
    }
}

/// Why a call that was seen is not waiting (any more).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// The API echoed an answer with its id.
    Answered,
    /// A later idle no longer listed it (or stopped for another reason).
    NoLongerListed,
    /// Its thread or the session ended.
    Ended,
}

impl Closed {
    pub fn describe(self) -> &'static str {
        match self {
            Closed::Answered => "it has already been answered",
            Closed::NoLongerListed => "the session no longer waits for it",
            Closed::Ended => "its session or thread has ended",
        }
    }
}

/// A human's answer to a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Allow,
    Deny {
        message: Option<String>,
    },
    /// A custom tool's result; `is_error` marks it as an error text.
    Result {
        text: String,
        is_error: bool,
    },
}

impl Answer {
    /// The kind of call this answer is for.
    pub fn kind(&self) -> CallKind {
        match self {
            Answer::Allow | Answer::Deny { .. } => CallKind::ToolConfirmation,
            Answer::Result { .. } => CallKind::CustomTool,
        }
    }

    /// The event that carries this answer for the call `event_id`. Sub-agent calls are routed by
    /// the id alone (wire §6: the confirmation params carry no `session_thread_id`).
    pub fn to_params(&self, event_id: &str) -> EventParams {
        match self {
            Answer::Allow => EventParams::allow(event_id),
            Answer::Deny { message } => EventParams::deny(event_id, message.clone()),
            Answer::Result { text, is_error } => {
                EventParams::custom_tool_result(event_id, text.clone(), *is_error)
            }
        }
    }

    /// A verb for messages ("approve", "deny", "answer").
    pub fn verb(&self) -> &'static str {
        match self {
            Answer::Allow => "approve",
            Answer::Deny { .. } => "deny",
            Answer::Result { .. } => "answer",
        }
    }
}

/// Why an answer must not be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No call with this id among the events read.
    Unknown,
    /// The call exists but does not wait (any more).
    NotWaiting(Closed),
    /// A tool confirmation that no `requires_action` has listed yet.
    NotYetListed,
    /// The answer is for the other kind of call.
    WrongKind { call: CallKind },
}

impl Refusal {
    /// One sentence, for a call `event_id` of session `session_id` and the attempted `answer`.
    pub fn sentence(&self, session_id: &str, event_id: &str, answer: &Answer) -> String {
        let (s, e) = (text::one_line(session_id), text::one_line(event_id));
        match self {
            Refusal::Unknown => {
                format!("session {s} has no tool call {e} waiting for a human")
            }
            Refusal::NotWaiting(why) => {
                format!(
                    "cannot {} {e} in session {s}: {}",
                    answer.verb(),
                    why.describe()
                )
            }
            Refusal::NotYetListed => format!(
                "cannot {} {e} in session {s}: the session has not asked for a confirmation of it",
                answer.verb()
            ),
            Refusal::WrongKind { call } => match call {
                CallKind::CustomTool => format!(
                    "cannot {} {e} in session {s}: it is a custom tool use; answer it with \
                     `overseer answer` (--text or --error)",
                    answer.verb()
                ),
                CallKind::ToolConfirmation => format!(
                    "cannot answer {e} in session {s}: it is a tool use waiting for a \
                     confirmation; use `overseer approve` or `overseer deny`"
                ),
            },
        }
    }
}

#[derive(Debug, Clone)]
struct OpenCall {
    row: NeedsRow,
    /// Listed by a `requires_action` (tool confirmations are rows only once listed).
    listed: bool,
    since: Option<jiff::Timestamp>,
    /// Order of arrival, the tie-breaker for equal times.
    seq: u64,
}

impl OpenCall {
    fn is_row(&self) -> bool {
        self.listed || self.row.kind == CallKind::CustomTool
    }
}

/// The waiting calls of one session, fed its events in order.
#[derive(Debug, Clone, Default)]
pub struct SessionNeeds {
    session_id: String,
    primary_agent: Option<String>,
    thread_agents: HashMap<String, String>,
    open: Vec<OpenCall>,
    closed: HashMap<String, Closed>,
    /// Ids listed by a `requires_action` before their use arrived (merged thread histories).
    listed_early: HashSet<String>,
    /// Ids answered before their use arrived.
    answered_early: HashSet<String>,
    /// Ids of the events that changed something, so a cross-posted copy applies once.
    seen: HashSet<String>,
    seq: u64,
}

impl SessionNeeds {
    pub fn new(session_id: impl Into<String>) -> Self {
        SessionNeeds {
            session_id: session_id.into(),
            ..SessionNeeds::default()
        }
    }

    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    /// The primary agent's name (from the session object), shown on primary-thread rows.
    pub fn set_primary_agent(&mut self, name: &str) {
        let name = text::one_line(name);
        for c in self.open.iter_mut().filter(|c| c.row.thread_id.is_none()) {
            c.row.agent_name = Some(name.clone());
        }
        self.primary_agent = Some(name);
    }

    /// A sub-agent thread's agent name (e.g. from the threads list).
    pub fn set_thread_agent(&mut self, thread_id: &str, name: &str) {
        let name = text::one_line(name);
        for c in self
            .open
            .iter_mut()
            .filter(|c| c.row.thread_id.as_deref() == Some(thread_id))
        {
            c.row.agent_name = Some(name.clone());
        }
        self.thread_agents.insert(thread_id.to_string(), name);
    }

    /// Feed one event of the session's primary history or stream.
    pub fn apply(&mut self, ev: &SessionEvent) {
        self.apply_in_thread(ev, None);
    }

    /// Feed one event read from the history of `thread` (thread histories do not mark their own
    /// events with `session_thread_id`). A copy already applied from the primary stream (same id)
    /// is ignored.
    pub fn apply_in_thread(&mut self, ev: &SessionEvent, thread: Option<&str>) {
        let thread = ev
            .session_thread_id
            .as_deref()
            .or(thread)
            .map(str::to_string);
        if let Some(id) = &ev.id
            && is_relevant(&ev.body)
            && !self.seen.insert(id.clone())
        {
            return;
        }
        match &ev.body {
            // Calls that run (allow) or were refused (deny) never wait for a human.
            EventBody::AgentToolUse(u)
                if asks(u.evaluated_permission.as_ref().map(|p| p.as_str())) =>
            {
                let kind = CallKind::ToolConfirmation;
                self.open_call(ev, thread, kind, &u.name, None, &u.input);
            }
            EventBody::AgentMcpToolUse(u)
                if asks(u.evaluated_permission.as_ref().map(|p| p.as_str())) =>
            {
                let (kind, server) = (CallKind::ToolConfirmation, Some(u.mcp_server_name.as_str()));
                self.open_call(ev, thread, kind, &u.name, server, &u.input);
            }
            EventBody::AgentCustomToolUse(u) => {
                self.open_call(ev, thread, CallKind::CustomTool, &u.name, None, &u.input);
            }
            EventBody::UserToolConfirmation(c) => self.answered(&c.tool_use_id),
            EventBody::UserCustomToolResult(r) => self.answered(&r.custom_tool_use_id),
            EventBody::SessionStatusIdle(idle) => self.idle(None, &idle.stop_reason),
            EventBody::SessionThreadStatusIdle(idle) => {
                if let (Some(t), Some(name)) = (&thread, &idle.agent_name) {
                    self.learn_thread_agent(t, name);
                }
                // A thread idle without a thread id cannot be placed; it is ignored.
                if let Some(t) = &thread {
                    self.idle(Some(t.as_str()), &idle.stop_reason);
                }
            }
            EventBody::SessionThreadCreated(c) => {
                if let Some(t) = &thread {
                    self.learn_thread_agent(t, &c.agent_name);
                }
            }
            EventBody::SessionThreadStatusRunning(s)
            | EventBody::SessionThreadStatusRescheduled(s) => {
                if let Some(t) = &thread {
                    self.learn_thread_agent(t, &s.agent_name);
                }
            }
            EventBody::SessionThreadStatusTerminated(s) => {
                if let Some(t) = thread.as_deref() {
                    self.learn_thread_agent(t, &s.agent_name);
                    self.close_where(Closed::Ended, |c| c.row.thread_id.as_deref() == Some(t));
                }
            }
            EventBody::SessionStatusTerminated | EventBody::SessionDeleted => {
                self.close_where(Closed::Ended, |_| true);
            }
            _ => {}
        }
    }

    /// The rows of this session, oldest first.
    pub fn rows(&self) -> Vec<&NeedsRow> {
        let mut open: Vec<&OpenCall> = self.open.iter().filter(|c| c.is_row()).collect();
        open.sort_by(|a, b| order(a, b));
        open.into_iter().map(|c| &c.row).collect()
    }

    pub fn len(&self) -> usize {
        self.open.iter().filter(|c| c.is_row()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The row for `event_id`, if it is one.
    pub fn row(&self, event_id: &str) -> Option<&NeedsRow> {
        self.open
            .iter()
            .find(|c| c.row.event_id == event_id && c.is_row())
            .map(|c| &c.row)
    }

    /// Whether `answer` may be sent for `event_id` now; the waiting row if so.
    pub fn check(&self, event_id: &str, answer: &Answer) -> Result<&NeedsRow, Refusal> {
        if let Some(c) = self.open.iter().find(|c| c.row.event_id == event_id) {
            if c.row.kind != answer.kind() {
                return Err(Refusal::WrongKind { call: c.row.kind });
            }
            if !c.is_row() {
                return Err(Refusal::NotYetListed);
            }
            return Ok(&c.row);
        }
        match self.closed.get(event_id) {
            Some(why) => Err(Refusal::NotWaiting(*why)),
            None => Err(Refusal::Unknown),
        }
    }

    /// How a known call ended, if it did.
    pub fn closed(&self, event_id: &str) -> Option<Closed> {
        self.closed.get(event_id).copied()
    }

    /// Mark a row as sent (awaiting the echo). False when it is not a row.
    pub fn mark_pending(&mut self, event_id: &str) -> bool {
        self.set_send(event_id, SendState::Pending)
    }

    /// Mark a row's send as failed with a one-line (sanitized) error; it can be retried.
    pub fn mark_failed(&mut self, event_id: &str, error: &str) -> bool {
        self.set_send(event_id, SendState::Failed(text::one_line(error)))
    }

    fn set_send(&mut self, event_id: &str, state: SendState) -> bool {
        match self
            .open
            .iter_mut()
            .find(|c| c.row.event_id == event_id && c.is_row())
        {
            Some(c) => {
                c.row.send = state;
                true
            }
            None => false,
        }
    }

    fn learn_thread_agent(&mut self, thread: &str, name: &str) {
        if !name.is_empty() && !self.thread_agents.contains_key(thread) {
            self.set_thread_agent(thread, name);
        }
    }

    fn open_call(
        &mut self,
        ev: &SessionEvent,
        thread: Option<String>,
        kind: CallKind,
        name: &str,
        mcp_server: Option<&str>,
        input: &Value,
    ) {
        let Some(id) = ev.id.clone() else { return };
        if self.answered_early.remove(&id) {
            self.closed.insert(id, Closed::Answered);
            return;
        }
        if self.closed.contains_key(&id) || self.open.iter().any(|c| c.row.event_id == id) {
            return;
        }
        let agent_name = match &thread {
            Some(t) => self.thread_agents.get(t).cloned(),
            None => self.primary_agent.clone(),
        };
        let summary = text::truncate(
            &text::one_line(&super::event_view::input_summary(Some(input))),
            SUMMARY_CELLS,
        );
        self.seq += 1;
        let listed = self.listed_early.remove(&id);
        self.open.push(OpenCall {
            row: NeedsRow {
                session_id: self.session_id.clone(),
                event_id: id,
                kind,
                name: name.to_string(),
                mcp_server: mcp_server.map(str::to_string),
                input: input.clone(),
                summary,
                thread_id: thread,
                agent_name,
                waiting_since: ev.processed_at.clone(),
                send: SendState::Idle,
            },
            listed,
            since: ev
                .processed_at
                .as_deref()
                .and_then(|t| t.parse::<jiff::Timestamp>().ok()),
            seq: self.seq,
        });
    }

    fn answered(&mut self, id: &str) {
        if let Some(i) = self.open.iter().position(|c| c.row.event_id == id) {
            self.open.remove(i);
            self.closed.insert(id.to_string(), Closed::Answered);
        } else if !self.closed.contains_key(id) {
            self.answered_early.insert(id.to_string());
        }
        self.listed_early.remove(id);
    }

    /// An idle of the primary (`thread: None`) or of a sub-agent thread.
    fn idle(&mut self, thread: Option<&str>, stop: &StopReason) {
        match stop {
            StopReason::RequiresAction { event_ids } => {
                let ids: HashSet<&str> = event_ids.iter().map(String::as_str).collect();
                let mut aggregates = false;
                for id in &ids {
                    match self.open.iter_mut().find(|c| c.row.event_id == *id) {
                        Some(c) => {
                            c.listed = true;
                            aggregates |= c.row.thread_id.is_some();
                        }
                        None if !self.closed.contains_key(*id) => {
                            self.listed_early.insert((*id).to_string());
                        }
                        None => {}
                    }
                }
                self.close_where(Closed::NoLongerListed, |c| {
                    !ids.contains(c.row.event_id.as_str())
                        && match thread {
                            Some(t) => c.row.thread_id.as_deref() == Some(t),
                            None => c.row.thread_id.is_none() || aggregates,
                        }
                });
            }
            _ => match thread {
                Some(t) => self.close_where(Closed::NoLongerListed, |c| {
                    c.row.thread_id.as_deref() == Some(t)
                }),
                None => self.close_where(Closed::NoLongerListed, |_| true),
            },
        }
    }

    fn close_where(&mut self, why: Closed, pred: impl Fn(&OpenCall) -> bool) {
        let closed = &mut self.closed;
        self.open.retain(|c| {
            if pred(c) {
                closed.insert(c.row.event_id.clone(), why);
                false
            } else {
                true
            }
        });
    }
}

/// A use waits for a confirmation when its permission was evaluated to `ask` (or not given).
fn asks(permission: Option<&str>) -> bool {
    permission.is_none_or(|p| p == "ask")
}

fn order(a: &OpenCall, b: &OpenCall) -> std::cmp::Ordering {
    // Unparseable times sort last, then arrival order.
    (a.since.is_none(), a.since, a.seq).cmp(&(b.since.is_none(), b.since, b.seq))
}

/// Events that can change the queue; only these are deduplicated by id.
fn is_relevant(body: &EventBody) -> bool {
    matches!(
        body,
        EventBody::AgentToolUse(_)
            | EventBody::AgentMcpToolUse(_)
            | EventBody::AgentCustomToolUse(_)
            | EventBody::UserToolConfirmation(_)
            | EventBody::UserCustomToolResult(_)
            | EventBody::SessionStatusIdle(_)
            | EventBody::SessionThreadStatusIdle(_)
            | EventBody::SessionThreadStatusTerminated(_)
            | EventBody::SessionStatusTerminated
    )
}

/// The `types[]` filter that reads only the events the queue needs from a history.
pub const EVENT_TYPES: &[&str] = &[
    "agent.tool_use",
    "agent.mcp_tool_use",
    "agent.custom_tool_use",
    "user.tool_confirmation",
    "user.custom_tool_result",
    "session.status_idle",
    "session.status_terminated",
    "session.thread_created",
    "session.thread_status_idle",
    "session.thread_status_terminated",
];

/// The queue across sessions.
#[derive(Debug, Clone, Default)]
pub struct NeedsQueue {
    sessions: BTreeMap<String, SessionNeeds>,
}

impl NeedsQueue {
    pub fn new() -> Self {
        NeedsQueue::default()
    }

    /// The session's part of the queue, created on first use.
    pub fn session_mut(&mut self, session_id: &str) -> &mut SessionNeeds {
        self.sessions
            .entry(session_id.to_string())
            .or_insert_with(|| SessionNeeds::new(session_id))
    }

    pub fn session(&self, session_id: &str) -> Option<&SessionNeeds> {
        self.sessions.get(session_id)
    }

    /// Put a session's part in place (e.g. one gathered from history), replacing any older one.
    pub fn insert(&mut self, needs: SessionNeeds) {
        self.sessions.insert(needs.session_id.clone(), needs);
    }

    /// Forget a session (archived, deleted, no longer watched).
    pub fn remove(&mut self, session_id: &str) -> Option<SessionNeeds> {
        self.sessions.remove(session_id)
    }

    /// Feed one event of a session's primary stream.
    pub fn apply(&mut self, session_id: &str, ev: &SessionEvent) {
        self.session_mut(session_id).apply(ev);
    }

    /// Every row, oldest first (ties: session, then arrival).
    pub fn rows(&self) -> Vec<&NeedsRow> {
        let mut all: Vec<(&OpenCall, &str)> = self
            .sessions
            .values()
            .flat_map(|s| {
                s.open
                    .iter()
                    .filter(|c| c.is_row())
                    .map(|c| (c, s.session_id.as_str()))
            })
            .collect();
        all.sort_by(|(a, sa), (b, sb)| {
            (a.since.is_none(), a.since, *sa, a.seq).cmp(&(b.since.is_none(), b.since, *sb, b.seq))
        });
        all.into_iter().map(|(c, _)| &c.row).collect()
    }

    pub fn len(&self) -> usize {
        self.sessions.values().map(SessionNeeds::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(json: &str) -> SessionEvent {
        SessionEvent::parse(json)
    }

    fn ids(n: &SessionNeeds) -> Vec<&str> {
        n.rows().iter().map(|r| r.event_id.as_str()).collect()
    }

    fn ask(id: &str, at: &str, cmd: &str) -> SessionEvent {
        ev(&format!(
            r#"{{"type":"agent.tool_use","id":"{id}","processed_at":"{at}","name":"bash","input":{{"command":"{cmd}"}},"evaluated_permission":"ask"}}"#
        ))
    }

    fn idle_ra(id: &str, at: &str, ids: &[&str]) -> SessionEvent {
        ev(&format!(
            r#"{{"type":"session.status_idle","id":"{id}","processed_at":"{at}","stop_reason":{{"type":"requires_action","event_ids":{}}}}}"#,
            serde_json::to_string(ids).unwrap()
        ))
    }

    fn confirm(id: &str, tool_use_id: &str) -> SessionEvent {
        ev(&format!(
            r#"{{"type":"user.tool_confirmation","id":"{id}","processed_at":"2026-01-01T00:00:09Z","tool_use_id":"{tool_use_id}","result":"allow"}}"#
        ))
    }

    #[test]
    fn several_ids_answered_one_at_a_time() {
        let mut n = SessionNeeds::new("sesn_1");
        n.set_primary_agent("coder");
        n.apply(&ask("u1", "2026-01-01T00:00:01Z", "rm -rf build"));
        n.apply(&ask("u2", "2026-01-01T00:00:02Z", "make\\tinstall"));
        // Asked but not yet listed: not a row.
        assert!(n.is_empty());
        n.apply(&idle_ra("i1", "2026-01-01T00:00:03Z", &["u2", "u1"]));
        assert_eq!(ids(&n), ["u1", "u2"]);
        let r = n.row("u1").unwrap();
        assert_eq!(r.kind, CallKind::ToolConfirmation);
        assert_eq!(r.tool(), "bash");
        assert_eq!(r.summary, "rm -rf build");
        assert_eq!(r.agent_name.as_deref(), Some("coder"));
        assert_eq!(r.thread_id, None);
        assert_eq!(r.waiting_since.as_deref(), Some("2026-01-01T00:00:01Z"));
        assert_eq!(n.row("u2").unwrap().summary, "make install");

        n.apply(&confirm("c1", "u1"));
        assert_eq!(ids(&n), ["u2"]);
        assert_eq!(n.closed("u1"), Some(Closed::Answered));
        // The server re-emits idle with the remainder: no change.
        n.apply(&idle_ra("i2", "2026-01-01T00:00:10Z", &["u2"]));
        assert_eq!(ids(&n), ["u2"]);
        n.apply(&confirm("c2", "u2"));
        assert!(n.is_empty());
        assert_eq!(
            n.check("u2", &Answer::Allow),
            Err(Refusal::NotWaiting(Closed::Answered))
        );
        assert_eq!(n.check("nope", &Answer::Allow), Err(Refusal::Unknown));
    }

    #[test]
    fn later_requires_action_that_no_longer_lists_a_call_removes_it() {
        let mut n = SessionNeeds::new("s");
        n.apply(&ask("u1", "2026-01-01T00:00:01Z", "a"));
        n.apply(&ask("u2", "2026-01-01T00:00:02Z", "b"));
        n.apply(&idle_ra("i1", "2026-01-01T00:00:03Z", &["u1", "u2"]));
        n.apply(&idle_ra("i2", "2026-01-01T00:00:04Z", &["u2"]));
        assert_eq!(ids(&n), ["u2"]);
        assert_eq!(n.closed("u1"), Some(Closed::NoLongerListed));
        assert_eq!(
            n.check("u1", &Answer::Deny { message: None }),
            Err(Refusal::NotWaiting(Closed::NoLongerListed))
        );
        // An end_turn (e.g. after an interrupt) ends the rest.
        n.apply(&ev(
            r#"{"type":"session.status_idle","id":"i3","processed_at":"2026-01-01T00:00:05Z","stop_reason":{"type":"end_turn"}}"#,
        ));
        assert!(n.is_empty());
        assert_eq!(n.closed("u2"), Some(Closed::NoLongerListed));
    }

    #[test]
    fn mcp_and_custom_calls_and_kind_checks() {
        let mut n = SessionNeeds::new("s");
        n.apply(&ev(
            r#"{"type":"agent.mcp_tool_use","id":"m1","processed_at":"2026-01-01T00:00:02Z","mcp_server_name":"github","name":"create_issue","input":{"query":"x\u001b[31my"},"evaluated_permission":"ask"}"#,
        ));
        n.apply(&ev(
            r#"{"type":"agent.custom_tool_use","id":"k1","processed_at":"2026-01-01T00:00:01Z","name":"lookup_order","input":{"order_id":"A-17"}}"#,
        ));
        // A custom tool use waits from the moment it appears.
        assert_eq!(ids(&n), ["k1"]);
        n.apply(&idle_ra("i1", "2026-01-01T00:00:03Z", &["m1", "k1"]));
        assert_eq!(ids(&n), ["k1", "m1"]);
        let m = n.row("m1").unwrap();
        assert_eq!(m.tool(), "github/create_issue");
        assert_eq!(m.mcp_server.as_deref(), Some("github"));
        assert_eq!(m.summary, "xy");
        assert_eq!(m.input["query"], "x\u{1b}[31my");
        let k = n.row("k1").unwrap();
        assert_eq!(k.kind, CallKind::CustomTool);
        assert_eq!(k.summary, r#"{"order_id":"A-17"}"#);
        assert_eq!(
            k.to_json(),
            serde_json::json!({"session_id":"s","event_id":"k1","kind":"custom_tool","tool":"lookup_order","input":{"order_id":"A-17"},"thread_id":null,"waiting_since":"2026-01-01T00:00:01Z"})
        );

        assert_eq!(
            n.check("k1", &Answer::Allow),
            Err(Refusal::WrongKind {
                call: CallKind::CustomTool
            })
        );
        let answer = Answer::Result {
            text: "shipped".into(),
            is_error: false,
        };
        assert_eq!(
            n.check("m1", &answer),
            Err(Refusal::WrongKind {
                call: CallKind::ToolConfirmation
            })
        );
        assert_eq!(
            n.check("k1", &answer).map(|r| r.event_id.as_str()),
            Ok("k1")
        );
        n.apply(&ev(
            r#"{"type":"user.custom_tool_result","id":"r1","processed_at":"2026-01-01T00:00:04Z","custom_tool_use_id":"k1","content":[{"type":"text","text":"shipped"}]}"#,
        ));
        assert_eq!(ids(&n), ["m1"]);
    }

    #[test]
    fn allowed_and_denied_uses_never_wait() {
        let mut n = SessionNeeds::new("s");
        n.apply(&ev(
            r#"{"type":"agent.tool_use","id":"a","processed_at":"2026-01-01T00:00:01Z","name":"read","input":{},"evaluated_permission":"allow"}"#,
        ));
        n.apply(&idle_ra("i", "2026-01-01T00:00:02Z", &["a"]));
        assert!(n.is_empty());
        assert_eq!(n.check("a", &Answer::Allow), Err(Refusal::Unknown));
    }

    #[test]
    fn sub_agent_calls_carry_thread_and_agent_and_dedupe_cross_posts() {
        let mut n = SessionNeeds::new("s");
        n.set_primary_agent("lead");
        n.apply(&ev(
            r#"{"type":"session.thread_created","id":"t0","processed_at":"2026-01-01T00:00:00Z","session_thread_id":"sthr_r","agent_name":"Reviewer"}"#,
        ));
        let use_json = r#"{"type":"agent.tool_use","id":"u9","processed_at":"2026-01-01T00:00:01Z","session_thread_id":"sthr_r","name":"bash","input":{"command":"check"},"evaluated_permission":"ask"}"#;
        n.apply(&ev(use_json));
        n.apply(&ev(
            r#"{"type":"session.thread_status_idle","id":"ti","processed_at":"2026-01-01T00:00:02Z","session_thread_id":"sthr_r","agent_name":"Reviewer","stop_reason":{"type":"requires_action","event_ids":["u9"]}}"#,
        ));
        assert_eq!(ids(&n), ["u9"]);
        let r = n.row("u9").unwrap();
        assert_eq!(r.thread_id.as_deref(), Some("sthr_r"));
        assert_eq!(r.agent_name.as_deref(), Some("Reviewer"));
        // The same use read again from the thread's own history (no session_thread_id there).
        n.apply_in_thread(
            &ev(r#"{"type":"agent.tool_use","id":"u9","processed_at":"2026-01-01T00:00:01Z","name":"bash","input":{"command":"check"},"evaluated_permission":"ask"}"#),
            Some("sthr_r"),
        );
        assert_eq!(n.len(), 1);
        // A primary requires_action for the primary's own call leaves the sub-agent call alone.
        n.apply(&ask("p1", "2026-01-01T00:00:03Z", "ls"));
        n.apply(&idle_ra("i1", "2026-01-01T00:00:04Z", &["p1"]));
        assert_eq!(ids(&n), ["u9", "p1"]);
        assert_eq!(n.row("p1").unwrap().agent_name.as_deref(), Some("lead"));
        // The thread ends: its call goes, the primary's stays.
        n.apply(&ev(
            r#"{"type":"session.thread_status_terminated","id":"tt","processed_at":"2026-01-01T00:00:05Z","session_thread_id":"sthr_r","agent_name":"Reviewer"}"#,
        ));
        assert_eq!(ids(&n), ["p1"]);
        assert_eq!(n.closed("u9"), Some(Closed::Ended));
    }

    #[test]
    fn aggregating_primary_idle_speaks_for_threads() {
        let mut n = SessionNeeds::new("s");
        let sub = |id: &str, at: &str| {
            ev(&format!(
                r#"{{"type":"agent.tool_use","id":"{id}","processed_at":"{at}","session_thread_id":"sthr_a","name":"bash","input":{{}},"evaluated_permission":"ask"}}"#
            ))
        };
        n.apply(&sub("x1", "2026-01-01T00:00:01Z"));
        n.apply(&sub("x2", "2026-01-01T00:00:02Z"));
        n.apply(&idle_ra("i1", "2026-01-01T00:00:03Z", &["x1", "x2"]));
        assert_eq!(ids(&n), ["x1", "x2"]);
        n.apply(&idle_ra("i2", "2026-01-01T00:00:04Z", &["x2"]));
        assert_eq!(ids(&n), ["x2"]);
        // The same idle read twice (cross-posted copy) changes nothing.
        n.apply(&idle_ra("i1", "2026-01-01T00:00:03Z", &["x1", "x2"]));
        assert_eq!(ids(&n), ["x2"]);
    }

    #[test]
    fn out_of_order_merge_listing_and_answer_before_use() {
        let mut n = SessionNeeds::new("s");
        n.apply(&idle_ra("i1", "2026-01-01T00:00:03Z", &["late"]));
        n.apply(&confirm("c", "gone"));
        n.apply(&ask("late", "2026-01-01T00:00:01Z", "x"));
        n.apply(&ask("gone", "2026-01-01T00:00:01Z", "y"));
        assert_eq!(ids(&n), ["late"]);
        assert_eq!(n.closed("gone"), Some(Closed::Answered));
    }

    #[test]
    fn terminated_session_ends_every_call_and_send_state_round_trips() {
        let mut q = NeedsQueue::new();
        q.apply("b", &ask("u1", "2026-01-01T00:00:05Z", "x"));
        q.apply("b", &idle_ra("i", "2026-01-01T00:00:06Z", &["u1"]));
        q.apply(
            "a",
            &ev(r#"{"type":"agent.custom_tool_use","id":"k","processed_at":"2026-01-01T00:00:01.5Z","name":"n","input":{}}"#),
        );
        q.apply(
            "a",
            &ev(r#"{"type":"agent.custom_tool_use","id":"k0","processed_at":"2026-01-01T00:00:01Z","name":"n","input":{}}"#),
        );
        let rows: Vec<(&str, &str)> = q
            .rows()
            .iter()
            .map(|r| (r.session_id.as_str(), r.event_id.as_str()))
            .collect();
        assert_eq!(rows, [("a", "k0"), ("a", "k"), ("b", "u1")]);
        let b = q.session_mut("b");
        assert!(b.mark_pending("u1"));
        assert_eq!(b.row("u1").unwrap().send, SendState::Pending);
        assert!(b.mark_failed("u1", "409\nconflict\u{1b}[0m"));
        assert_eq!(
            b.row("u1").unwrap().send,
            SendState::Failed("409 conflict".into())
        );
        assert!(!b.mark_pending("nope"));
        q.apply("a", &ev(r#"{"type":"session.status_terminated","id":"t","processed_at":"2026-01-01T00:00:09Z"}"#));
        assert_eq!(q.len(), 1);
        assert_eq!(q.session("a").unwrap().closed("k"), Some(Closed::Ended));
    }

    #[test]
    fn refusal_sentences_are_clear() {
        let deny = Answer::Deny {
            message: Some("no".into()),
        };
        assert_eq!(
            Refusal::NotWaiting(Closed::Answered).sentence("s1", "e1", &deny),
            "cannot deny e1 in session s1: it has already been answered"
        );
        assert_eq!(
            Refusal::Unknown.sentence("s1", "e\u{202e}1", &Answer::Allow),
            "session s1 has no tool call e1 waiting for a human"
        );
        assert_eq!(
            deny.to_params("e1"),
            EventParams::deny("e1", Some("no".into()))
        );
    }
}
