//! One event as one row of the stream: kind glyph, tone, time and a sanitized summary.
//! Computed only for rows on screen (and for exports), from the raw JSON the transcript keeps.

use serde_json::Value;

use crate::text;

/// Which semantic style a row takes (maps 1:1 to `event_*` theme keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    User,
    Agent,
    Thinking,
    Tool,
    ToolResult,
    Error,
    Status,
    Span,
    Thread,
    Other,
    Gap,
}

/// Local marker rows overseer inserts into a transcript (never sent by the API).
pub const MARKER_PREFIX: &str = "overseer.";

#[derive(Debug, Clone, PartialEq)]
pub struct EventSummary {
    pub glyph: &'static str,
    pub tone: Tone,
    /// `HH:MM:SS` of `processed_at` (UTC), or blank while queued.
    pub time: String,
    /// Short kind label, e.g. `tool bash`, `agent`, `idle`.
    pub kind: String,
    /// One line, sanitized.
    pub text: String,
    pub thread: Option<String>,
}

/// The `id` of an event's raw JSON, without parsing the rest of it.
pub fn event_id(raw: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Id {
        id: Option<String>,
    }
    serde_json::from_str::<Id>(raw).ok()?.id
}

/// Concatenated text blocks of a `content` array (other blocks as `[image]` etc.).
pub fn content_text(content: Option<&Value>) -> String {
    let Some(blocks) = content.and_then(Value::as_array) else {
        return String::new();
    };
    let mut out = String::new();
    for b in blocks {
        if !out.is_empty() {
            out.push(' ');
        }
        match b.get("type").and_then(Value::as_str) {
            Some("text") => out.push_str(b.get("text").and_then(Value::as_str).unwrap_or("")),
            Some(other) => {
                out.push('[');
                out.push_str(other);
                out.push(']');
            }
            None => {}
        }
    }
    out
}

/// What a person reads of an event, sanitized (tabs expanded, newlines kept): the text of its
/// content blocks, one block per paragraph, or a tool use's input pretty-printed. `None` when
/// the event has neither.
pub fn readable_body(raw: &str) -> Option<String> {
    let ev: Value = serde_json::from_str(raw).ok()?;
    if let Some(blocks) = ev.get("content").and_then(Value::as_array)
        && !blocks.is_empty()
    {
        let parts: Vec<String> = blocks
            .iter()
            .map(|b| match b.get("type").and_then(Value::as_str) {
                Some("text") => b
                    .get("text")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                Some(other) => format!("[{other}]"),
                None => String::new(),
            })
            .collect();
        return Some(text::sanitize(&parts.join("\n\n")));
    }
    let input = ev.get("input")?;
    serde_json::to_string_pretty(input)
        .ok()
        .map(|s| text::sanitize(&s))
}

/// The `YYYY-MM-DD` of an event's `processed_at` (UTC).
pub fn date(raw: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct At {
        processed_at: Option<String>,
    }
    let at = serde_json::from_str::<At>(raw).ok()?.processed_at?;
    at.parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.strftime("%Y-%m-%d").to_string())
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A compact one-line rendering of a tool input: the most telling field first.
pub(crate) fn input_summary(input: Option<&Value>) -> String {
    let Some(input) = input else {
        return String::new();
    };
    for key in ["command", "file_path", "path", "url", "query", "pattern"] {
        if let Some(s) = input.get(key).and_then(Value::as_str) {
            return s.to_string();
        }
    }
    match input {
        Value::Object(m) if m.is_empty() => String::new(),
        v => v.to_string(),
    }
}

fn usage_summary(u: Option<&Value>) -> String {
    let n = |k: &str| {
        u.and_then(|u| u.get(k))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    format!(
        "in {} · out {} · cache {}",
        text::compact_count(n("input_tokens")),
        text::compact_count(n("output_tokens")),
        text::compact_count(n("cache_read_input_tokens") + n("cache_creation_input_tokens"))
    )
}

fn stop_summary(ev: &Value) -> String {
    let reason = ev.get("stop_reason");
    let ty = reason.map(|r| str_of(r, "type")).unwrap_or("");
    match ty {
        "requires_action" => {
            let n = reason
                .and_then(|r| r.get("event_ids"))
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            format!("requires action ({n} waiting)")
        }
        "refusal" => {
            let cat = ev
                .get("stop_details")
                .map(|d| str_of(d, "category"))
                .unwrap_or("");
            format!("refusal {cat}")
        }
        "" => String::new(),
        other => other.replace('_', " "),
    }
}

/// Time of day of an RFC 3339 timestamp, `HH:MM:SS`.
pub fn clock(ts: Option<&str>) -> String {
    ts.and_then(|s| s.parse::<jiff::Timestamp>().ok())
        .map(|t| t.strftime("%H:%M:%S").to_string())
        .unwrap_or_default()
}

/// Summarize one raw event. Never fails: unparseable or unknown events are shown raw.
pub fn summarize(raw: &str) -> EventSummary {
    let ev: Value = match serde_json::from_str(raw) {
        Ok(v) => v,
        Err(_) => {
            return EventSummary {
                glyph: "?",
                tone: Tone::Error,
                time: String::new(),
                kind: "malformed".into(),
                text: text::one_line(raw),
                thread: None,
            };
        }
    };
    let ty = str_of(&ev, "type");
    let time = clock(ev.get("processed_at").and_then(Value::as_str));
    let thread = ev
        .get("session_thread_id")
        .and_then(Value::as_str)
        .map(String::from);
    let (glyph, tone, kind, body): (&'static str, Tone, String, String) = match ty {
        "user.message" => (
            "›",
            Tone::User,
            "user".into(),
            content_text(ev.get("content")),
        ),
        "system.message" => (
            "›",
            Tone::User,
            "system".into(),
            content_text(ev.get("content")),
        ),
        "user.interrupt" => ("⏹", Tone::User, "interrupt".into(), String::new()),
        "user.tool_confirmation" => {
            let result = str_of(&ev, "result");
            let msg = str_of(&ev, "deny_message");
            (
                "✓",
                Tone::User,
                format!("confirm {result}"),
                msg.to_string(),
            )
        }
        "user.custom_tool_result" | "user.tool_result" => {
            let err = ev.get("is_error").and_then(Value::as_bool) == Some(true);
            let tone = if err { Tone::Error } else { Tone::User };
            (
                "↩",
                tone,
                "user result".into(),
                content_text(ev.get("content")),
            )
        }
        "user.define_outcome" => (
            "◎",
            Tone::User,
            "outcome".into(),
            str_of(&ev, "description").into(),
        ),
        "agent.message" => (
            "●",
            Tone::Agent,
            "agent".into(),
            content_text(ev.get("content")),
        ),
        "agent.thinking" => ("…", Tone::Thinking, "thinking".into(), String::new()),
        "agent.tool_use" | "agent.mcp_tool_use" | "agent.custom_tool_use" => {
            let name = str_of(&ev, "name");
            let server = str_of(&ev, "mcp_server_name");
            let label = match ty {
                "agent.mcp_tool_use" => format!("mcp {server}/{name}"),
                "agent.custom_tool_use" => format!("custom {name}"),
                _ => format!("tool {name}"),
            };
            let perm = match str_of(&ev, "evaluated_permission") {
                "ask" => "⚑ ask · ",
                "deny" => "⊘ denied · ",
                _ => "",
            };
            (
                "⚙",
                Tone::Tool,
                label,
                format!("{perm}{}", input_summary(ev.get("input"))),
            )
        }
        "agent.tool_result" | "agent.mcp_tool_result" => {
            let err = ev.get("is_error").and_then(Value::as_bool) == Some(true);
            let (tone, kind) = if err {
                (Tone::Error, "result ✖")
            } else {
                (Tone::ToolResult, "result")
            };
            ("↳", tone, kind.into(), content_text(ev.get("content")))
        }
        "agent.thread_message_sent" => {
            let to = ev
                .get("to_agent_name")
                .and_then(Value::as_str)
                .unwrap_or("primary");
            (
                "⇢",
                Tone::Thread,
                format!("→ {to}"),
                content_text(ev.get("content")),
            )
        }
        "agent.thread_message_received" => {
            let from = ev
                .get("from_agent_name")
                .and_then(Value::as_str)
                .unwrap_or("primary");
            (
                "⇠",
                Tone::Thread,
                format!("← {from}"),
                content_text(ev.get("content")),
            )
        }
        "agent.thread_context_compacted" => ("⇲", Tone::Status, "compacted".into(), String::new()),
        "session.status_running" => ("▶", Tone::Status, "running".into(), String::new()),
        "session.status_idle" => ("○", Tone::Status, "idle".into(), stop_summary(&ev)),
        "session.status_rescheduled" => ("↻", Tone::Status, "rescheduled".into(), String::new()),
        "session.status_terminated" => ("■", Tone::Status, "terminated".into(), String::new()),
        "session.error" => {
            let e = ev.get("error").cloned().unwrap_or(Value::Null);
            let retry = e
                .get("retry_status")
                .map(|r| str_of(r, "type"))
                .unwrap_or("");
            (
                "✖",
                Tone::Error,
                "error".into(),
                format!(
                    "{} · {} [{}]",
                    str_of(&e, "type"),
                    str_of(&e, "message"),
                    retry
                ),
            )
        }
        "session.deleted" => ("✖", Tone::Status, "deleted".into(), String::new()),
        "session.updated" => ("✎", Tone::Status, "updated".into(), String::new()),
        "session.usage" => {
            let cost = ev
                .get("usage")
                .and_then(|u| u.get("list_cost"))
                .and_then(|c| c.get("amount"))
                .and_then(|a| {
                    a.as_str()
                        .and_then(|s| s.parse::<i64>().ok())
                        .or_else(|| a.as_i64())
                });
            let cost = cost
                .map(|c| format!(" · {}", crate::model::sessions::format_money(c, "USD")))
                .unwrap_or_default();
            (
                "Σ",
                Tone::Span,
                "usage".into(),
                format!("{}{cost}", usage_summary(ev.get("usage"))),
            )
        }
        "session.thread_created" => (
            "⑂",
            Tone::Thread,
            "thread".into(),
            format!("created {}", str_of(&ev, "agent_name")),
        ),
        t if t.starts_with("session.thread_status_") => {
            let status = &t["session.thread_status_".len()..];
            let detail = if status == "idle" {
                stop_summary(&ev)
            } else {
                String::new()
            };
            (
                "⑂",
                Tone::Thread,
                format!("{} {status}", str_of(&ev, "agent_name")),
                detail,
            )
        }
        "span.model_request_start" => ("┌", Tone::Span, "model".into(), "request".into()),
        "span.model_request_end" => {
            let err = ev.get("is_error").and_then(Value::as_bool) == Some(true);
            let tone = if err { Tone::Error } else { Tone::Span };
            (
                "└",
                tone,
                "model".into(),
                usage_summary(ev.get("model_usage")),
            )
        }
        "span.outcome_evaluation_start" | "span.outcome_evaluation_ongoing" => (
            "◎",
            Tone::Span,
            "grading".into(),
            format!(
                "iteration {}",
                ev.get("iteration").and_then(Value::as_u64).unwrap_or(0) + 1
            ),
        ),
        "span.outcome_evaluation_end" => {
            let result = str_of(&ev, "result");
            let tone = if matches!(result, "failed" | "interrupted") {
                Tone::Error
            } else {
                Tone::Status
            };
            (
                "◎",
                tone,
                format!("verdict {result}"),
                str_of(&ev, "explanation").into(),
            )
        }
        t if t.starts_with("workflow_run.") => {
            let tone = if t.ends_with("error") {
                Tone::Error
            } else {
                Tone::Thread
            };
            (
                "⚏",
                tone,
                t["workflow_run.".len()..].replace('_', " "),
                str_of(&ev, "name").into(),
            )
        }
        "overseer.gap" => ("⚠", Tone::Gap, "gap".into(), str_of(&ev, "reason").into()),
        "overseer.reconnected" => (
            "⟳",
            Tone::Gap,
            "reconnected".into(),
            str_of(&ev, "reason").into(),
        ),
        "overseer.ended" => (
            "■",
            Tone::Gap,
            "stream ended".into(),
            str_of(&ev, "reason").into(),
        ),
        _ => (
            "·",
            Tone::Other,
            if ty.is_empty() {
                "?".into()
            } else {
                ty.to_string()
            },
            raw.to_string(),
        ),
    };
    EventSummary {
        glyph,
        tone,
        time,
        kind: text::one_line(&kind),
        text: text::one_line(&body),
        thread,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summarizes_common_kinds() {
        let s = summarize(
            r#"{"type":"agent.message","id":"e1","processed_at":"2026-11-26T10:11:12Z","content":[{"type":"text","text":"Hello\nworld"}]}"#,
        );
        assert_eq!(
            (
                s.glyph,
                s.tone,
                s.time.as_str(),
                s.kind.as_str(),
                s.text.as_str()
            ),
            ("●", Tone::Agent, "10:11:12", "agent", "Hello world")
        );
        let s = summarize(
            r#"{"type":"agent.tool_use","id":"e2","name":"bash","input":{"command":"ls -la"},"evaluated_permission":"ask"}"#,
        );
        assert_eq!(
            (s.kind.as_str(), s.text.as_str()),
            ("tool bash", "⚑ ask · ls -la")
        );
        let s = summarize(
            r#"{"type":"agent.tool_result","id":"e3","is_error":true,"content":[{"type":"text","text":"boom"}]}"#,
        );
        assert_eq!((s.tone, s.text.as_str()), (Tone::Error, "boom"));
        let s = summarize(
            r#"{"type":"session.status_idle","id":"e4","stop_reason":{"type":"requires_action","event_ids":["a","b"]}}"#,
        );
        assert_eq!(s.text, "requires action (2 waiting)");
        let s = summarize(
            r#"{"type":"span.model_request_end","id":"e5","model_usage":{"input_tokens":1200,"output_tokens":30}}"#,
        );
        assert_eq!(s.text, "in 1.2k · out 30 · cache 0");
        let s = summarize(
            r#"{"type":"session.error","id":"e6","error":{"type":"model_overloaded_error","message":"busy","retry_status":{"type":"retrying"}}}"#,
        );
        assert_eq!(
            (s.tone, s.text.as_str()),
            (Tone::Error, "model_overloaded_error · busy [retrying]")
        );
    }

    #[test]
    fn unknown_and_malformed_are_shown_raw_and_sanitized() {
        let s = summarize(r#"{"type":"future.thing","id":"x","v":"\u001b[31m"}"#);
        assert_eq!((s.kind.as_str(), s.tone), ("future.thing", Tone::Other));
        assert!(!s.text.contains('\u{1b}'));
        let s = summarize("{not json \u{1b}]0;pwn\u{7}");
        assert_eq!(
            (s.kind.as_str(), s.text.as_str()),
            ("malformed", "{not json")
        );
    }

    #[test]
    fn hostile_agent_text_is_neutralised() {
        let raw = serde_json::json!({"type":"agent.message","id":"e","content":[{"type":"text","text":"ok\u{202e}evil\u{1b}[2J\t世界"}]}).to_string();
        assert_eq!(summarize(&raw).text, "okevil 世界");
    }

    #[test]
    fn readable_body_shows_block_text_and_tool_input() {
        let result = r#"{"type":"agent.tool_result","content":[{"type":"text","text":"   1\tuse crate::money;\n   2\tfn main() {}"},{"type":"image"}]}"#;
        assert_eq!(
            readable_body(result).as_deref(),
            Some("   1    use crate::money;\n   2    fn main() {}\n\n[image]")
        );
        let tool = r#"{"type":"agent.tool_use","name":"bash","input":{"command":"ls\u001b[2J"}}"#;
        assert_eq!(
            readable_body(tool).as_deref(),
            // A control character stays escaped: nothing reaches the terminal.
            Some("{\n  \"command\": \"ls\\u001b[2J\"\n}")
        );
        assert_eq!(readable_body(r#"{"type":"session.status_idle"}"#), None);
        assert_eq!(
            date(r#"{"processed_at":"2026-11-26T23:59:59Z"}"#).as_deref(),
            Some("2026-11-26")
        );
    }
}
