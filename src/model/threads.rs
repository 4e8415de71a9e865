//! The threads of a multiagent session as a tree (the coordinator and its sub-agents), and the
//! messages they send each other, folded one event at a time from the primary stream (wire §3:
//! `session.thread_created`, `session.thread_status_*`, `agent.thread_message_sent/received`)
//! and merged with the thread listing (`GET /v1/sessions/{id}/threads`, which has each thread's
//! usage). Pure: no I/O. Every event costs O(threads), never O(history).

use std::collections::HashSet;

use serde_json::Value;

use crate::api::types::SessionThread;
use crate::model::event_view::content_text;
use crate::model::sessions::parse_ts;
use crate::text;

/// Messages kept for the conversation view (the oldest go first).
pub const MAX_MESSAGES: usize = 2_000;
/// Threads kept (the API allows 25 concurrent threads; this also bounds a hostile listing).
pub const MAX_THREADS: usize = 500;
/// Characters kept of one message (the conversation is for reading, the inspector has it all).
pub const MESSAGE_CHARS: usize = 4_000;

/// One thread of the session.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ThreadNode {
    /// `sthr_…`; empty for the primary thread while its id is unknown.
    pub id: String,
    /// `None` for the primary (coordinator) thread.
    pub parent: Option<String>,
    /// Sanitized.
    pub agent_name: String,
    /// The wire status (`running`, `idle`, `rescheduling`, `terminated`).
    pub status: String,
    /// Why it went idle (`end_turn`, `requires_action` …), when it is idle.
    pub stop: Option<String>,
    /// Start of the time-in-state clock (unix seconds).
    pub since: Option<i64>,
    /// Input + output + cache tokens, from the listing.
    pub tokens: Option<u64>,
    /// Active seconds, from the listing.
    pub active_seconds: Option<f64>,
    pub archived: bool,
}

impl ThreadNode {
    pub fn is_primary(&self) -> bool {
        self.parent.is_none()
    }
}

/// One message between two agents (from the primary stream, in order).
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadMessage {
    pub event_id: String,
    pub at: Option<i64>,
    /// Sanitized agent names.
    pub from: String,
    pub to: String,
    /// Which side is the primary thread (renamed when the listing names it).
    pub from_primary: bool,
    pub to_primary: bool,
    /// The sub-agent thread on the other side.
    pub thread_id: String,
    /// Sanitized (newlines kept), at most [`MESSAGE_CHARS`] characters.
    pub text: String,
}

/// A row of the tree as drawn: the node and its place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeRow {
    pub node: usize,
    pub depth: usize,
    /// The last child of its parent (draws `└─` instead of `├─`).
    pub last: bool,
}

/// The thread tree of one session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ThreadTree {
    pub session_id: String,
    nodes: Vec<ThreadNode>,
    messages: Vec<ThreadMessage>,
    seen: HashSet<String>,
    /// Bumped on every change (views cache on it).
    pub generation: u64,
}

/// The wire types that can change the tree (a cheap pre-filter on raw JSON).
pub fn may_concern(raw: &str) -> bool {
    raw.contains("session.thread_")
        || raw.contains("agent.thread_message_")
        || raw.contains("session.status_")
}

impl ThreadTree {
    pub fn new(session_id: impl Into<String>) -> Self {
        ThreadTree {
            session_id: session_id.into(),
            ..Default::default()
        }
    }

    pub fn nodes(&self) -> &[ThreadNode] {
        &self.nodes
    }

    pub fn messages(&self) -> &[ThreadMessage] {
        &self.messages
    }

    pub fn node(&self, id: &str) -> Option<&ThreadNode> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// The primary thread, when the session has threads.
    pub fn primary(&self) -> Option<&ThreadNode> {
        self.nodes.iter().find(|n| n.is_primary())
    }

    fn primary_index(&mut self) -> usize {
        match self.nodes.iter().position(ThreadNode::is_primary) {
            Some(i) => i,
            None => {
                self.nodes.insert(0, ThreadNode::default());
                0
            }
        }
    }

    /// The node for a sub-agent thread id, created (under the primary) when new.
    fn child_index(&mut self, id: &str, name: Option<&str>) -> Option<usize> {
        if let Some(i) = self.nodes.iter().position(|n| n.id == id) {
            if let Some(name) = name.filter(|n| !n.is_empty())
                && self.nodes[i].agent_name.is_empty()
            {
                self.nodes[i].agent_name = text::one_line(name);
            }
            return Some(i);
        }
        if self.nodes.len() >= MAX_THREADS {
            return None;
        }
        let p = self.primary_index();
        let parent = Some(self.nodes[p].id.clone());
        self.nodes.push(ThreadNode {
            id: id.to_string(),
            parent,
            agent_name: text::one_line(name.unwrap_or("")),
            status: "idle".into(),
            ..Default::default()
        });
        Some(self.nodes.len() - 1)
    }

    /// Name of the agent on a thread (the primary's for an unknown or empty id).
    fn name_of(&self, thread_id: Option<&str>) -> String {
        let node = match thread_id.filter(|t| !t.is_empty()) {
            Some(t) => self.node(t),
            None => self.primary(),
        };
        match node
            .map(|n| n.agent_name.as_str())
            .filter(|n| !n.is_empty())
        {
            Some(n) => n.to_string(),
            None if thread_id.is_some_and(|t| !t.is_empty()) => {
                text::one_line(thread_id.unwrap_or(""))
            }
            None => "coordinator".into(),
        }
    }

    /// The agent name of the primary thread (from the session's agent snapshot).
    pub fn set_primary_name(&mut self, name: &str) {
        let p = self.primary_index();
        if self.nodes[p].agent_name.is_empty() && !name.is_empty() {
            self.nodes[p].agent_name = text::one_line(name);
            self.rename_primary();
            self.generation += 1;
        }
    }

    /// Messages folded before the primary had a name say who it is now.
    fn rename_primary(&mut self) {
        let Some(name) = self
            .primary()
            .map(|p| p.agent_name.clone())
            .filter(|n| !n.is_empty())
        else {
            return;
        };
        for m in &mut self.messages {
            if m.from_primary {
                m.from = name.clone();
            }
            if m.to_primary {
                m.to = name.clone();
            }
        }
    }

    /// Fold one event of the primary stream. Returns whether the tree changed.
    pub fn observe(&mut self, ev: &Value) -> bool {
        let ty = ev.get("type").and_then(Value::as_str).unwrap_or("");
        let s = |k: &str| ev.get(k).and_then(Value::as_str);
        let at = parse_ts(ev.get("processed_at"));
        let changed = match ty {
            "session.thread_created" => {
                let (Some(tid), name) = (s("session_thread_id"), s("agent_name")) else {
                    return false;
                };
                let known = self.nodes.iter().any(|n| n.id == tid);
                match self.child_index(tid, name) {
                    Some(i) if !known => {
                        self.nodes[i].since = at;
                        true
                    }
                    _ => false,
                }
            }
            t if t.starts_with("session.thread_status_") => {
                let status = match &t["session.thread_status_".len()..] {
                    "running" => "running",
                    "idle" => "idle",
                    "rescheduled" => "rescheduling",
                    "terminated" => "terminated",
                    _ => return false,
                };
                let Some(tid) = s("session_thread_id") else {
                    return false;
                };
                // The primary gets status events for itself too (its id is the listing's).
                let i = match self.nodes.iter().position(|n| n.id == tid) {
                    Some(i) => i,
                    None => match self.child_index(tid, s("agent_name")) {
                        Some(i) => i,
                        None => return false,
                    },
                };
                let stop = ev
                    .pointer("/stop_reason/type")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                self.set_status(i, status, stop, at)
            }
            "session.status_running"
            | "session.status_idle"
            | "session.status_rescheduled"
            | "session.status_terminated" => {
                // Only a multiagent session (one with threads) has a tree.
                if self.nodes.is_empty() {
                    return false;
                }
                let status = match ty {
                    "session.status_running" => "running",
                    "session.status_idle" => "idle",
                    "session.status_rescheduled" => "rescheduling",
                    _ => "terminated",
                };
                let stop = ev
                    .pointer("/stop_reason/type")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let p = self.primary_index();
                let mut changed = self.set_status(p, status, stop, at);
                if status == "terminated" {
                    for i in 0..self.nodes.len() {
                        changed |= self.set_status(i, "terminated", None, at);
                    }
                }
                changed
            }
            "agent.thread_message_sent" | "agent.thread_message_received" => {
                let Some(id) = s("id") else { return false };
                if self.seen.contains(id) {
                    return false;
                }
                let sent = ty == "agent.thread_message_sent";
                // The sender's thread is the event's own (`session_thread_id`, absent on the
                // primary); the other side is named by the payload.
                let own = s("session_thread_id");
                let (other, other_name) = if sent {
                    (s("to_session_thread_id"), s("to_agent_name"))
                } else {
                    (s("from_session_thread_id"), s("from_agent_name"))
                };
                let other_id = other.unwrap_or("").to_string();
                if !other_id.is_empty() && self.node(&other_id).is_none() {
                    // A message from the primary's own id names no sub-agent.
                    let is_primary_id = self.primary().is_some_and(|p| p.id == other_id);
                    if !is_primary_id {
                        let _ = self.child_index(&other_id, other_name);
                    }
                }
                let own_name = self.name_of(own);
                let other_label = match other_name.filter(|n| !n.is_empty()) {
                    Some(n) => text::one_line(n),
                    None => self.name_of(other),
                };
                let own_primary = own.is_none_or(|t| t.is_empty());
                // An absent agent name is the primary agent (wire §3.1), unless the id is a
                // sub-agent the tree knows.
                let other_primary = other_name.is_none_or(str::is_empty)
                    && other.is_none_or(|o| self.node(o).is_none_or(ThreadNode::is_primary));
                let (from, to, from_primary, to_primary) = if sent {
                    (own_name, other_label, own_primary, other_primary)
                } else {
                    (other_label, own_name, other_primary, own_primary)
                };
                let body = content_text(ev.get("content"));
                let body: String = body.chars().take(MESSAGE_CHARS).collect();
                if self.messages.len() >= MAX_MESSAGES {
                    let old = self.messages.remove(0);
                    self.seen.remove(&old.event_id);
                }
                self.seen.insert(id.to_string());
                self.messages.push(ThreadMessage {
                    event_id: id.to_string(),
                    at,
                    from,
                    to,
                    from_primary,
                    to_primary,
                    thread_id: own.map_or(other_id, str::to_string),
                    text: text::sanitize(&body),
                });
                true
            }
            _ => false,
        };
        if changed {
            self.generation += 1;
        }
        changed
    }

    /// Set a node's status when the event is not older than what the node shows.
    fn set_status(
        &mut self,
        i: usize,
        status: &str,
        stop: Option<String>,
        at: Option<i64>,
    ) -> bool {
        let Some(n) = self.nodes.get_mut(i) else {
            return false;
        };
        if let (Some(since), Some(at)) = (n.since, at)
            && at < since
        {
            return false;
        }
        if n.status == status && n.stop == stop {
            return false;
        }
        n.status = status.to_string();
        n.stop = if status == "idle" { stop } else { None };
        n.since = at.or(n.since);
        true
    }

    /// Merge the thread listing: ids, parents, names, usage and archive marks. A listed status
    /// replaces the folded one only when the listing is newer than the last status event.
    pub fn apply_listing(&mut self, listed: &[SessionThread]) {
        for t in listed.iter().take(MAX_THREADS) {
            let name = t
                .agent
                .name
                .as_deref()
                .unwrap_or(match t.agent.kind.as_str() {
                    "advisor" => "advisor",
                    _ => "",
                });
            let i = if t.parent_thread_id.is_none() {
                let p = self.primary_index();
                let old = std::mem::replace(&mut self.nodes[p].id, t.id.clone());
                // Children filed under the primary before its id was known follow it.
                for n in &mut self.nodes {
                    if n.parent.as_deref() == Some(old.as_str()) {
                        n.parent = Some(t.id.clone());
                    }
                }
                if !name.is_empty() && self.nodes[p].agent_name != text::one_line(name) {
                    self.nodes[p].agent_name = text::one_line(name);
                    self.rename_primary();
                }
                p
            } else {
                match self.child_index(&t.id, Some(name)) {
                    Some(i) => {
                        self.nodes[i].parent = t.parent_thread_id.clone();
                        i
                    }
                    None => continue,
                }
            };
            let updated = parse_ts(Some(&Value::String(t.updated_at.clone())));
            let n = &mut self.nodes[i];
            let status = t.status.to_string();
            let newer = match (n.since, updated) {
                (Some(since), Some(u)) => u > since,
                (None, _) => true,
                (Some(_), None) => false,
            };
            if newer && n.status != status {
                n.status = status;
                n.stop = None;
                n.since = updated;
            } else if n.since.is_none() {
                n.since = updated.or_else(|| parse_ts(Some(&Value::String(t.created_at.clone()))));
            }
            if let Some(u) = &t.usage {
                n.tokens = Some(u.total_tokens());
            }
            if let Some(st) = &t.stats {
                n.active_seconds = st.active_seconds;
            }
            n.archived = t.archived_at.is_some();
        }
        self.generation += 1;
    }

    /// The tree in drawing order: the primary, then each child (depth-first, listing order).
    pub fn rows(&self) -> Vec<TreeRow> {
        let mut rows = Vec::with_capacity(self.nodes.len());
        let roots: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| {
                let n = &self.nodes[i];
                n.is_primary()
                    || !self
                        .nodes
                        .iter()
                        .any(|p| Some(p.id.as_str()) == n.parent.as_deref())
            })
            .collect();
        let mut placed = vec![false; self.nodes.len()];
        let mut stack: Vec<(usize, usize, bool)> = roots
            .iter()
            .rev()
            .enumerate()
            .map(|(k, &i)| (i, 0, k == 0))
            .collect();
        while let Some((i, depth, last)) = stack.pop() {
            if placed[i] || depth > 8 {
                continue;
            }
            placed[i] = true;
            rows.push(TreeRow {
                node: i,
                depth,
                last,
            });
            let id = self.nodes[i].id.as_str();
            let children: Vec<usize> = (0..self.nodes.len())
                .filter(|&c| c != i && !placed[c] && self.nodes[c].parent.as_deref() == Some(id))
                .collect();
            for (k, &c) in children.iter().enumerate().rev() {
                stack.push((c, depth + 1, k + 1 == children.len()));
            }
        }
        rows
    }

    /// Index of the first message that involves `thread_id` at or after `from`.
    pub fn next_message_of(&self, thread_id: &str, from: usize) -> Option<usize> {
        self.messages
            .iter()
            .skip(from)
            .position(|m| m.thread_id == thread_id)
            .map(|p| p + from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ts(s: u32) -> String {
        format!("2026-01-01T00:00:{s:02}Z")
    }

    fn tree() -> ThreadTree {
        let mut t = ThreadTree::new("sesn_1");
        t.set_primary_name("lead");
        for ev in [
            json!({"type": "session.thread_created", "id": "e1", "processed_at": ts(1), "session_thread_id": "sthr_r", "agent_name": "researcher"}),
            json!({"type": "session.thread_created", "id": "e2", "processed_at": ts(2), "session_thread_id": "sthr_v", "agent_name": "reviewer"}),
            json!({"type": "agent.thread_message_sent", "id": "e3", "processed_at": ts(3), "to_session_thread_id": "sthr_r", "to_agent_name": "researcher", "content": [{"type": "text", "text": "find sources"}]}),
            json!({"type": "session.thread_status_running", "id": "e4", "processed_at": ts(4), "session_thread_id": "sthr_r", "agent_name": "researcher"}),
            json!({"type": "session.thread_status_idle", "id": "e5", "processed_at": ts(9), "session_thread_id": "sthr_r", "agent_name": "researcher", "stop_reason": {"type": "end_turn"}}),
            json!({"type": "agent.thread_message_received", "id": "e6", "processed_at": ts(10), "from_session_thread_id": "sthr_r", "from_agent_name": "researcher", "content": [{"type": "text", "text": "three sources\u{1b}[31m found"}]}),
        ] {
            t.observe(&ev);
        }
        t
    }

    #[test]
    fn events_build_the_tree_and_the_conversation() {
        let t = tree();
        let rows = t.rows();
        let names: Vec<(&str, usize, bool)> = rows
            .iter()
            .map(|r| (t.nodes()[r.node].agent_name.as_str(), r.depth, r.last))
            .collect();
        assert_eq!(
            names,
            vec![
                ("lead", 0, true),
                ("researcher", 1, false),
                ("reviewer", 1, true)
            ]
        );
        let r = t.node("sthr_r").unwrap();
        assert_eq!(
            (r.status.as_str(), r.stop.as_deref()),
            ("idle", Some("end_turn"))
        );
        assert_eq!(r.since, parse_ts(Some(&json!(ts(9)))));
        let m: Vec<(&str, &str, &str, &str)> = t
            .messages()
            .iter()
            .map(|m| {
                (
                    m.from.as_str(),
                    m.to.as_str(),
                    m.thread_id.as_str(),
                    m.text.as_str(),
                )
            })
            .collect();
        assert_eq!(
            m,
            vec![
                ("lead", "researcher", "sthr_r", "find sources"),
                ("researcher", "lead", "sthr_r", "three sources found"),
            ]
        );
    }

    #[test]
    fn replays_and_older_events_change_nothing() {
        let mut t = tree();
        let g = t.generation;
        // A replayed message and an older status event after a reconnect.
        assert!(!t.observe(&json!({"type": "agent.thread_message_received", "id": "e6", "processed_at": ts(10), "from_session_thread_id": "sthr_r", "content": []})));
        assert!(!t.observe(&json!({"type": "session.thread_status_running", "id": "e4", "processed_at": ts(4), "session_thread_id": "sthr_r"})));
        assert_eq!(t.generation, g);
        assert_eq!(t.messages().len(), 2);
        assert_eq!(t.node("sthr_r").unwrap().status, "idle");
    }

    #[test]
    fn the_listing_names_the_primary_and_brings_usage() {
        let mut t = tree();
        let listed: Vec<SessionThread> = serde_json::from_value(json!([
            {"id": "sthr_p", "parent_thread_id": null, "status": "running", "agent": {"type": "agent", "name": "lead"},
             "usage": {"input_tokens": 100, "output_tokens": 50}, "created_at": ts(0), "updated_at": ts(20)},
            {"id": "sthr_r", "parent_thread_id": "sthr_p", "status": "idle", "agent": {"type": "agent", "name": "researcher"},
             "usage": {"input_tokens": 1000, "output_tokens": 200, "cache_read_input_tokens": 5}, "stats": {"active_seconds": 4.5},
             "created_at": ts(1), "updated_at": ts(9)},
            {"id": "sthr_x", "parent_thread_id": "sthr_p", "status": "terminated", "agent": {"type": "advisor", "model": {"id": "m"}},
             "archived_at": ts(30), "created_at": ts(5), "updated_at": ts(30)}
        ]))
        .unwrap();
        t.apply_listing(&listed);
        let p = t.primary().unwrap();
        assert_eq!(
            (p.id.as_str(), p.status.as_str(), p.tokens),
            ("sthr_p", "running", Some(150))
        );
        let r = t.node("sthr_r").unwrap();
        assert_eq!(
            (r.parent.as_deref(), r.tokens, r.active_seconds),
            (Some("sthr_p"), Some(1205), Some(4.5))
        );
        let x = t.node("sthr_x").unwrap();
        assert_eq!(
            (x.agent_name.as_str(), x.status.as_str(), x.archived),
            ("advisor", "terminated", true)
        );
        assert_eq!(t.rows().len(), 4);
        // The primary's own status events now land on it.
        t.observe(&json!({"type": "session.thread_status_idle", "id": "e9", "processed_at": ts(40), "session_thread_id": "sthr_p", "stop_reason": {"type": "requires_action", "event_ids": ["x"]}}));
        let p = t.primary().unwrap();
        assert_eq!(
            (p.status.as_str(), p.stop.as_deref()),
            ("idle", Some("requires_action"))
        );
    }

    #[test]
    fn a_session_without_threads_has_no_tree() {
        let mut t = ThreadTree::new("sesn_2");
        assert!(
            !t.observe(
                &json!({"type": "session.status_running", "id": "a", "processed_at": ts(1)})
            )
        );
        assert!(t.rows().is_empty());
    }
}
