//! Human answers to calls that wait: what kind of call an id names, whether it still waits,
//! and what the agent says once it has the answer.

use serde_json::Value;

use super::Session;

/// How a human answered a call.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Allowed,
    Denied(Option<String>),
    /// A custom tool's result: its text, and whether the client said it failed.
    Custom {
        text: String,
        is_error: bool,
    },
}

/// What an event id names, as far as answering goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    /// `agent.tool_use` / `agent.mcp_tool_use`: answered with `user.tool_confirmation`.
    ToolUse,
    /// `agent.custom_tool_use`: answered with `user.custom_tool_result`.
    Custom,
    /// Any other event.
    Other,
}

/// Longest piece of a human's answer the agent quotes back.
const QUOTE_CHARS: usize = 400;

fn quote(text: &str) -> String {
    let t = text.trim();
    if t.chars().count() <= QUOTE_CHARS {
        return t.to_string();
    }
    let cut: String = t.chars().take(QUOTE_CHARS).collect();
    format!("{cut}…")
}

/// The text blocks of a `user.custom_tool_result`'s content, joined.
pub fn result_text(ev: &Value) -> String {
    ev.get("content")
        .and_then(Value::as_array)
        .map(|blocks| {
            blocks
                .iter()
                .filter_map(|b| b.get("text").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

impl Session {
    /// The event with this id, from the session's history (cross-posted sub-agent calls
    /// included), newest first.
    pub fn event_by_id(&self, id: &str) -> Option<Value> {
        self.history
            .iter()
            .rev()
            .find(|e| e.id == id)
            .and_then(|e| serde_json::from_str(&e.json).ok())
    }

    pub fn call_kind(&self, id: &str) -> Option<CallKind> {
        let ev = self.event_by_id(id)?;
        Some(match ev.get("type").and_then(Value::as_str) {
            Some("agent.tool_use" | "agent.mcp_tool_use") => CallKind::ToolUse,
            Some("agent.custom_tool_use") => CallKind::Custom,
            _ => CallKind::Other,
        })
    }

    /// Still waits for a human: asked, and not answered (nor about to be, from the inbox).
    pub fn waits_for_answer(&self, id: &str) -> bool {
        self.blocked_on
            .iter()
            .chain(self.awaiting.iter())
            .any(|x| x == id)
            && !self.answers.contains_key(id)
    }

    /// Already answered (processed, or queued to be).
    pub fn answered(&self, id: &str) -> bool {
        self.answers.contains_key(id)
            || self.inbox.iter().any(|q| {
                ["tool_use_id", "custom_tool_use_id"]
                    .iter()
                    .any(|k| q.event.get(*k).and_then(Value::as_str) == Some(id))
            })
    }

    /// A short description of a call for the agent to refer to: its command, or name and input.
    fn describe_call(&self, id: &str) -> String {
        let Some(ev) = self.event_by_id(id) else {
            return "that call".to_string();
        };
        let name = ev.get("name").and_then(Value::as_str).unwrap_or("tool");
        match ev.pointer("/input/command").and_then(Value::as_str) {
            Some(cmd) => format!("`{cmd}`"),
            None => name.to_string(),
        }
    }

    /// The message the agent writes once `uses` are answered.
    pub fn reflect(&self, uses: &[String], done: &str) -> String {
        let mut denied = Vec::new();
        let mut ran = Vec::new();
        let mut custom = Vec::new();
        for id in uses {
            match self.answers.get(id) {
                Some(Answer::Denied(msg)) => denied.push((id, msg.clone())),
                Some(Answer::Custom { text, is_error }) => {
                    custom.push((id, text.clone(), *is_error))
                }
                Some(Answer::Allowed) => ran.push(id),
                // Interrupted or never answered: nothing to say about it.
                None => {}
            }
        }
        if denied.is_empty() && custom.is_empty() {
            return done.to_string();
        }
        let mut parts = Vec::new();
        for (id, text, is_error) in &custom {
            let name = self.describe_call(id);
            if *is_error {
                parts.push(format!(
                    "{name} failed: \"{}\". I can't confirm the details from the system, so I won't promise anything yet; I'll ask the customer to confirm the order number and details first.",
                    quote(text)
                ));
            } else {
                parts.push(format!(
                    "{name} returned: \"{}\". Based on that, my draft reply: \"Thanks for flagging this. I've checked your order ({}) and will arrange the next step right away.\" Shall I send it?",
                    quote(text),
                    quote(text)
                ));
            }
        }
        for (id, msg) in &denied {
            let call = self.describe_call(id);
            let why = match msg.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
                Some(m) => format!("You denied {call}: \"{}\".", quote(m)),
                None => format!("You denied {call} without a reason."),
            };
            parts.push(format!("{why} I did not run it."));
        }
        if !denied.is_empty() {
            if !ran.is_empty() {
                let names: Vec<String> = ran.iter().map(|id| self.describe_call(id)).collect();
                parts.push(format!("I did run {}.", names.join(" and ")));
            }
            parts.push(
                "Changing course: I leave that step out and claim nothing it would have done; tell me how you'd like to continue, or I can show you what I have so far instead."
                    .to_string(),
            );
        }
        parts.join(" ")
    }
}
