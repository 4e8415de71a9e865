//! A tool call as a person thinks of it: the use, its confirmation and its result together, with
//! its kind, permission, status, duration and the tokens of the model request that made it.
//! Pure; built once per selection from the transcript (bounded: each event goes through
//! [`JsonTree`], and the model request is looked for among a few neighbouring events only).

use crate::model::json_tree::JsonTree;
use crate::model::transcript::{EventClass, EventRef, Filter, Transcript};

/// How far from the use the `span.model_request_end` is looked for.
const SPAN_WINDOW: usize = 64;
/// How many tool and error events one `[`/`]` jump looks at before it gives up.
pub const JUMP_SCAN: usize = 20_000;
/// Uses and confirmations larger than this are not parsed to see whether they were denied.
const DENY_PARSE_MAX: usize = 256 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolKind {
    /// The use is not in this transcript (only its result or confirmation is).
    Unknown,
    Builtin,
    Mcp(String),
    Custom,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    WaitingForYou,
    Running,
    Ok,
    Error,
    Denied,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::WaitingForYou => "waiting for you",
            Status::Running => "running",
            Status::Ok => "ok",
            Status::Error => "error",
            Status::Denied => "denied",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub use_index: Option<usize>,
    pub result_index: Option<usize>,
    pub confirm_index: Option<usize>,
    pub kind: ToolKind,
    pub name: String,
    pub permission: Option<String>,
    pub status: Status,
    /// From the use's `processed_at` to the result's.
    pub duration_ms: Option<i64>,
    /// (input, output) tokens of the model request that asked for the call.
    pub tokens: Option<(u64, u64)>,
    pub thread: Option<String>,
    pub deny_message: Option<String>,
    pub input: JsonTree,
    pub output: JsonTree,
    /// The tree of the event the call was built from (its Raw tab), built once with the rest.
    pub selected: JsonTree,
}

fn is_use(t: &str) -> bool {
    matches!(
        t,
        "agent.tool_use" | "agent.mcp_tool_use" | "agent.custom_tool_use"
    )
}

fn is_result(t: &str) -> bool {
    matches!(
        t,
        "agent.tool_result"
            | "agent.mcp_tool_result"
            | "user.custom_tool_result"
            | "user.tool_result"
    )
}

/// Is the event at `index` part of a tool call?
pub fn is_call_event(type_name: &str) -> bool {
    is_use(type_name) || is_result(type_name) || type_name == "user.tool_confirmation"
}

fn millis(ts: &str) -> Option<i64> {
    ts.parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_millisecond())
}

impl Call {
    /// The call the event at `index` belongs to (`None` for events that are not tool events).
    pub fn of(t: &Transcript, index: usize) -> Option<Call> {
        let e = t.get(index)?;
        if !is_call_event(e.type_name) {
            return None;
        }
        let use_index = if is_use(e.type_name) {
            Some(index)
        } else {
            t.tool_pair(index)
        };
        let result_index = match use_index {
            Some(u) if u == index => t.tool_pair(u),
            Some(u) => t
                .tool_pair(u)
                .filter(|&r| t.get(r).is_some_and(|r| is_result(r.type_name))),
            None => None,
        }
        .or_else(|| is_result(e.type_name).then_some(index));
        let confirm_index = use_index
            .and_then(|u| t.tool_confirmation(u))
            .or_else(|| (e.type_name == "user.tool_confirmation").then_some(index));
        let tree = |i: Option<usize>| i.and_then(|i| t.get(i)).map(|e| JsonTree::build(e.raw));
        let use_tree = tree(use_index);
        let result_tree = tree(result_index);
        let confirm_tree = tree(confirm_index);
        // The selected event is one of the three: its tree is reused, not built again.
        let selected = [
            (use_index, &use_tree),
            (result_index, &result_tree),
            (confirm_index, &confirm_tree),
        ]
        .into_iter()
        .find(|(i, _)| *i == Some(index))
        .and_then(|(_, t)| t.clone())
        .unwrap_or_else(|| JsonTree::build(e.raw));
        let use_type = use_index
            .and_then(|u| t.get(u))
            .map(|e| e.type_name)
            .unwrap_or("");
        let field = |tree: &Option<JsonTree>, k: &str| {
            tree.as_ref().and_then(|x| x.field(k)).map(str::to_string)
        };
        let kind = match use_type {
            "agent.mcp_tool_use" => {
                ToolKind::Mcp(field(&use_tree, "mcp_server_name").unwrap_or_default())
            }
            "agent.custom_tool_use" => ToolKind::Custom,
            "" => ToolKind::Unknown,
            _ => ToolKind::Builtin,
        };
        let permission = field(&use_tree, "evaluated_permission");
        let confirm = field(&confirm_tree, "result");
        let is_error = field(&result_tree, "is_error").as_deref() == Some("true");
        let status = if confirm.as_deref() == Some("deny") {
            Status::Denied
        } else if result_tree.is_some() {
            if is_error { Status::Error } else { Status::Ok }
        } else if permission.as_deref() == Some("deny") {
            Status::Denied
        } else if (permission.as_deref() == Some("ask") && confirm.is_none())
            || kind == ToolKind::Custom
        {
            Status::WaitingForYou
        } else {
            Status::Running
        };
        let duration_ms = match (use_index, result_index) {
            (Some(u), Some(r)) => {
                let a = t.processed_at(u).and_then(millis);
                let b = t.processed_at(r).and_then(millis);
                a.zip(b).map(|(a, b)| b - a)
            }
            _ => None,
        };
        let tokens = use_index.and_then(|u| model_tokens(t, u));
        let input = use_tree
            .as_ref()
            .and_then(|x| x.child("input"))
            .unwrap_or_default();
        let output = result_tree
            .as_ref()
            .and_then(|x| x.child("content"))
            .unwrap_or_default();
        Some(Call {
            use_index,
            result_index,
            confirm_index,
            kind,
            name: field(&use_tree, "name").unwrap_or_else(|| "(use not seen)".into()),
            permission,
            status,
            duration_ms,
            tokens,
            thread: field(&use_tree, "session_thread_id")
                .or_else(|| field(&result_tree, "session_thread_id")),
            deny_message: field(&confirm_tree, "deny_message"),
            input,
            output,
            selected,
        })
    }

    /// The other end of the call from event `index`: the result from the use or the
    /// confirmation, the use from the result.
    pub fn partner(&self, index: usize) -> Option<usize> {
        if Some(index) == self.result_index {
            self.use_index
        } else {
            self.result_index
        }
    }

    pub fn kind_label(&self) -> String {
        match &self.kind {
            ToolKind::Unknown => "kind unknown".into(),
            ToolKind::Builtin => "built-in".into(),
            ToolKind::Mcp(s) => format!("MCP · {s}"),
            ToolKind::Custom => "custom".into(),
        }
    }
}

/// Is this an error (a failed tool result, a session error) or a denied call (a confirmation
/// that denied it, or a use the policy denied)? What `[`/`]` jump between.
pub fn is_problem(e: &EventRef<'_>) -> bool {
    if e.class == EventClass::Error {
        return true;
    }
    matches!(
        e.type_name,
        "user.tool_confirmation" | "agent.tool_use" | "agent.mcp_tool_use"
    ) && denied(e.raw)
}

fn denied(raw: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct Head {
        result: Option<String>,
        evaluated_permission: Option<String>,
    }
    if raw.len() > DENY_PARSE_MAX || memchr::memmem::find(raw.as_bytes(), b"deny").is_none() {
        return false;
    }
    serde_json::from_str::<Head>(raw).is_ok_and(|h| {
        h.result.as_deref() == Some("deny") || h.evaluated_permission.as_deref() == Some("deny")
    })
}

/// The next (`forward`) or previous error or denied call from event `from` among the events
/// of `thread` (as a [`Filter`] thread), looking at no more than [`JUMP_SCAN`] tool and error
/// events (the class indexes skip everything else without reading it).
pub fn next_problem(
    t: &Transcript,
    thread: Option<String>,
    from: usize,
    forward: bool,
) -> Option<usize> {
    let filter = Filter {
        classes: vec![EventClass::Tool, EventClass::Error],
        thread,
    };
    const STEP: usize = 512;
    if forward {
        let start = t.rank(&filter, from + 1);
        let end = start + JUMP_SCAN;
        let mut at = start;
        while at < end {
            let rows = t.rows(&filter, at..(at + STEP).min(end));
            if rows.is_empty() {
                return None;
            }
            if let Some(e) = rows.iter().find(|e| is_problem(e)) {
                return Some(e.index);
            }
            at += STEP;
        }
    } else {
        let end = t.rank(&filter, from);
        let stop = end.saturating_sub(JUMP_SCAN);
        let mut at = end;
        while at > stop {
            let lo = at.saturating_sub(STEP).max(stop);
            let rows = t.rows(&filter, lo..at);
            if let Some(e) = rows.iter().rev().find(|e| is_problem(e)) {
                return Some(e.index);
            }
            at = lo;
        }
    }
    None
}

/// Tokens of the model request that produced the use at `u`: the `span.model_request_end`
/// that closes it, just after the use on the wire (a `span.model_request_start` first means
/// the request that asked for it is not known, and no tokens are claimed).
fn model_tokens(t: &Transcript, u: usize) -> Option<(u64, u64)> {
    let end = (u + 1..(u + SPAN_WINDOW).min(t.len())).find_map(|i| {
        let e = t.get(i)?;
        match e.type_name {
            "span.model_request_end" => Some(Some(i)),
            "span.model_request_start" => Some(None),
            _ => None,
        }
    })??;
    let usage = JsonTree::build(t.get(end)?.raw).child("model_usage")?;
    let n = |k: &str| usage.field(k).and_then(|v| v.parse::<u64>().ok());
    Some((n("input_tokens")?, n("output_tokens").unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transcript(events: &[&str]) -> Transcript {
        let mut t = Transcript::new();
        for e in events {
            t.upsert(e);
        }
        t
    }

    #[test]
    fn a_call_joins_use_confirmation_result_and_tokens() {
        let t = transcript(&[
            r#"{"type":"span.model_request_start","id":"s1","processed_at":"2026-01-01T00:00:00Z"}"#,
            r#"{"type":"agent.mcp_tool_use","id":"u1","name":"query","mcp_server_name":"db","input":{"sql":"select 1"},"evaluated_permission":"ask","session_thread_id":"th_1","processed_at":"2026-01-01T00:00:01Z"}"#,
            r#"{"type":"span.model_request_end","id":"s2","model_usage":{"input_tokens":1200,"output_tokens":34},"processed_at":"2026-01-01T00:00:01Z"}"#,
            r#"{"type":"user.tool_confirmation","id":"c1","tool_use_id":"u1","result":"allow","processed_at":"2026-01-01T00:00:02Z"}"#,
            r#"{"type":"agent.mcp_tool_result","id":"r1","mcp_tool_use_id":"u1","content":[{"type":"text","text":"1"}],"is_error":true,"processed_at":"2026-01-01T00:00:03.500Z"}"#,
        ]);
        for i in [1, 3, 4] {
            let c = Call::of(&t, i).unwrap();
            assert_eq!(
                (c.use_index, c.confirm_index, c.result_index),
                (Some(1), Some(3), Some(4))
            );
            assert_eq!(c.kind, ToolKind::Mcp("db".into()));
            assert_eq!(c.name, "query");
            assert_eq!(c.permission.as_deref(), Some("ask"));
            assert_eq!(c.status, Status::Error);
            assert_eq!(c.duration_ms, Some(2500));
            assert_eq!(c.tokens, Some((1200, 34)));
            assert_eq!(c.thread.as_deref(), Some("th_1"));
            assert_eq!(c.input.rows[1].plain(), "sql: \"select 1\"");
            assert_eq!(c.output.rows.len(), 4);
        }
        assert!(Call::of(&t, 0).is_none());
    }

    #[test]
    fn status_of_waiting_denied_and_running_calls() {
        let t = transcript(&[
            r#"{"type":"agent.tool_use","id":"u1","name":"bash","input":{},"evaluated_permission":"ask"}"#,
            r#"{"type":"agent.tool_use","id":"u2","name":"bash","input":{},"evaluated_permission":"ask"}"#,
            r#"{"type":"user.tool_confirmation","id":"c2","tool_use_id":"u2","result":"deny","deny_message":"no"}"#,
            r#"{"type":"agent.tool_use","id":"u3","name":"read","input":{},"evaluated_permission":"allow"}"#,
            r#"{"type":"agent.custom_tool_use","id":"u4","name":"lookup","input":{}}"#,
        ]);
        let st = |i| Call::of(&t, i).unwrap().status;
        assert_eq!(st(0), Status::WaitingForYou);
        assert_eq!(st(1), Status::Denied);
        assert_eq!(Call::of(&t, 2).unwrap().deny_message.as_deref(), Some("no"));
        assert_eq!(st(3), Status::Running);
        assert_eq!(st(4), Status::WaitingForYou);
        assert_eq!(Call::of(&t, 4).unwrap().kind, ToolKind::Custom);
    }

    #[test]
    fn jumps_find_errors_and_denied_calls_both_ways() {
        let t = transcript(&[
            r#"{"type":"agent.message","id":"m0"}"#,
            r#"{"type":"agent.tool_use","id":"u1","name":"bash","input":{},"evaluated_permission":"ask"}"#,
            r#"{"type":"user.tool_confirmation","id":"c1","tool_use_id":"u1","result":"deny"}"#,
            r#"{"type":"agent.tool_use","id":"u2","name":"bash","input":{"cmd":"deny me"}}"#,
            r#"{"type":"agent.tool_result","id":"r2","tool_use_id":"u2","is_error":false}"#,
            r#"{"type":"agent.tool_use","id":"u3","name":"rm","input":{},"evaluated_permission":"deny"}"#,
            r#"{"type":"agent.tool_use","id":"u4","name":"edit","input":{}}"#,
            r#"{"type":"agent.tool_result","id":"r4","tool_use_id":"u4","is_error":true}"#,
            r#"{"type":"session.error","id":"e5","error":{"type":"x","message":"boom"}}"#,
        ]);
        let next = |from| next_problem(&t, None, from, true);
        let prev = |from| next_problem(&t, None, from, false);
        assert_eq!(next(0), Some(2));
        assert_eq!(next(2), Some(5));
        assert_eq!(next(5), Some(7));
        assert_eq!(next(7), Some(8));
        assert_eq!(next(8), None);
        assert_eq!(prev(8), Some(7));
        assert_eq!(prev(5), Some(2));
        assert_eq!(prev(2), None);
        // The use's partner is its result and back; the confirmation leads to the result too.
        let c = Call::of(&t, 6).unwrap();
        assert_eq!((c.partner(6), c.partner(7)), (Some(7), Some(6)));
        assert_eq!(c.selected.field("id"), Some("u4"));
    }
}
