//! `overseer tail`: print a session's events, history then live, one line each.
//!
//! stdout carries only events (a short human line, or the event JSON with `--jsonl`); connection
//! changes and errors go to stderr. A user event is printed once, when it is processed, so the
//! output order matches `GET /events` (which orders by `processed_at`).

use std::io::Write;

use serde_json::Value;

use crate::model::event_view::{Tone, summarize};
use crate::text;

use super::Globals;
use crate::api::feed::{self, ConnState, FeedConfig, FeedItem};
use crate::api::{Beta, Client, Query};

/// A line on stderr; a closed stderr is not worth a panic.
macro_rules! note {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// The session to follow (`sesn_...`).
    #[arg(value_name = "SESSION_ID")]
    pub session_id: String,
    /// Print each event's full JSON, one per line.
    #[arg(long)]
    pub jsonl: bool,
    /// Show live typing previews (stderr) from `event_deltas`.
    #[arg(long)]
    pub deltas: bool,
    /// Follow one thread of a multiagent session (`sthr_...`).
    #[arg(long, value_name = "ID")]
    pub thread: Option<String>,
    /// Exit once history is printed and the session is idle (not waiting on a human) or
    /// terminated: at once if it already is, else at the first such live event.
    #[arg(long)]
    pub exit_on_idle: bool,
}

pub async fn run(args: Args, globals: &Globals) -> anyhow::Result<()> {
    if args.session_id.trim().is_empty() {
        anyhow::bail!("SESSION_ID is empty (expected a session id like sesn_...)");
    }
    let conn = super::connect(globals).await?;
    follow(conn.client, args).await
}

/// Where a session stands, as far as the events printed so far tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standing {
    /// No status event seen yet.
    Unknown,
    Busy,
    /// Idle with a stop reason other than `requires_action`.
    Settled,
    Terminated,
}

/// Follow with an already-built client (tests drive this directly).
pub async fn follow(client: Client, args: Args) -> anyhow::Result<()> {
    let mut cfg = FeedConfig::new(args.session_id.clone());
    cfg.thread_id = args.thread.clone();
    cfg.deltas = args.deltas;
    let (_handle, mut rx) = feed::spawn(client.clone(), cfg);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut standing = Standing::Unknown;
    let mut history_done = false;
    // Windows of history the feed could not read: the output is incomplete, so `tail` fails.
    let mut gaps = 0u32;
    while let Some(item) = rx.recv().await {
        let mut exit = false;
        match item {
            FeedItem::Event(raw) | FeedItem::Updated(raw) => {
                let Ok(event) = serde_json::from_str::<Value>(&raw) else {
                    // Valid enough for the feed (it has an id and a type) but not for a full
                    // parse (nesting past serde's limit, a lone surrogate): never dropped.
                    if malformed_is_queued(&raw) {
                        continue;
                    }
                    let written = if args.jsonl {
                        write_raw(&mut out, &raw)
                    } else {
                        writeln!(out, "{}", malformed_line(&raw))
                    };
                    if written.is_err() {
                        return Ok(());
                    }
                    continue;
                };
                if is_queued(&event) {
                    // Printed when processed (its `Updated` copy), where history puts it.
                    continue;
                }
                if write_event(&mut out, &raw, &event, args.jsonl).is_err() {
                    return Ok(()); // stdout closed (e.g. piped into `head`).
                }
                standing = next_standing(standing, &event, args.thread.as_deref());
                exit = history_done
                    && args.exit_on_idle
                    && matches!(standing, Standing::Settled | Standing::Terminated);
            }
            FeedItem::HistoryLoaded => {
                history_done = true;
                if args.exit_on_idle {
                    if standing == Standing::Unknown
                        && session_is_idle(&client, &args.session_id).await
                    {
                        standing = Standing::Settled;
                    }
                    exit = matches!(standing, Standing::Settled | Standing::Terminated);
                }
            }
            FeedItem::Preview { text, .. } => {
                if args.deltas {
                    let last = text.lines().last().unwrap_or("");
                    note!("… {}", clean(last, 160));
                }
            }
            FeedItem::PreviewDiscarded { .. } => {}
            FeedItem::State(state) => match state {
                ConnState::Connecting => {}
                ConnState::Live => note!("overseer: live"),
                ConnState::Retrying {
                    attempt, reason, ..
                } => note!(
                    "overseer: reconnecting (attempt {attempt}): {}",
                    clean(&reason, 300)
                ),
                ConnState::Down { reason } => {
                    let _ = out.flush();
                    anyhow::bail!("{}", clean(&reason, 300));
                }
            },
            FeedItem::Gap { reason } => {
                gaps += 1;
                note!(
                    "overseer: gap: events may be missing: {}",
                    clean(&reason, 300)
                );
            }
            FeedItem::Gone { reason } => {
                let _ = out.flush();
                anyhow::bail!("{}: {}", args.session_id, reason);
            }
            FeedItem::Ended => exit = true,
        }
        if exit {
            break;
        }
        if rx.is_empty() && out.flush().is_err() {
            return Ok(());
        }
    }
    let _ = out.flush();
    if gaps > 0 {
        anyhow::bail!(
            "{}: the output is incomplete ({gaps} gap{} in the history)",
            clean(&args.session_id, 80),
            if gaps == 1 { "" } else { "s" }
        );
    }
    Ok(())
}

/// [`is_queued`] for an event only its header can be read of.
fn malformed_is_queued(raw: &str) -> bool {
    let Some(head) = feed::EventHead::parse(raw) else {
        return false;
    };
    let type_name = head.type_name.as_deref().unwrap_or("");
    (type_name.starts_with("user.") || type_name == "system.message") && head.processed_at.is_none()
}

/// The human line of an event whose body cannot be read: its time, type and id if readable.
fn malformed_line(raw: &str) -> String {
    let head = feed::EventHead::parse(raw).unwrap_or_default();
    let time = head
        .processed_at
        .as_deref()
        .and_then(|p| p.parse::<jiff::Timestamp>().ok())
        .map(|t| t.strftime("%H:%M:%S").to_string())
        .unwrap_or_else(|| "--:--:--".to_owned());
    let type_name = clean(head.type_name.as_deref().unwrap_or("?"), 60);
    let id = clean(head.id.as_deref().unwrap_or("?"), 80);
    format!(
        "{time} {type_name:<30} [malformed] event {id} could not be read ({} bytes)",
        raw.len()
    )
}

/// An event's JSON as the API sent it, on one line.
fn write_raw(out: &mut impl Write, raw: &str) -> std::io::Result<()> {
    // Raw line breaks in valid JSON are whitespace between tokens (inside strings they are
    // escaped), so flattening them keeps the JSON intact and one per line.
    if raw.contains(['\n', '\r']) {
        let flat: String = raw
            .chars()
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
            .collect();
        writeln!(out, "{flat}")
    } else {
        writeln!(out, "{raw}")
    }
}

/// A client-originated event still queued (`processed_at` null).
fn is_queued(event: &Value) -> bool {
    let type_name = event.get("type").and_then(Value::as_str).unwrap_or("");
    let client_sent = type_name.starts_with("user.") || type_name == "system.message";
    client_sent && event.get("processed_at").is_none_or(Value::is_null)
}

fn next_standing(current: Standing, event: &Value, thread: Option<&str>) -> Standing {
    let type_name = event.get("type").and_then(Value::as_str).unwrap_or("");
    let of_thread = |e: &Value| {
        e.get("session_thread_id").and_then(Value::as_str) == thread && thread.is_some()
    };
    let idle_standing = |e: &Value| {
        let stop = e
            .get("stop_reason")
            .and_then(|s| s.get("type"))
            .and_then(Value::as_str)
            .unwrap_or("");
        if stop == "requires_action" {
            Standing::Busy
        } else {
            Standing::Settled
        }
    };
    match (type_name, thread) {
        ("session.status_terminated", _) => Standing::Terminated,
        (_, _) if current == Standing::Terminated => Standing::Terminated,
        ("session.status_idle", None) => idle_standing(event),
        ("session.status_running" | "session.status_rescheduled", None) => Standing::Busy,
        ("session.thread_status_idle", Some(_)) if of_thread(event) => idle_standing(event),
        ("session.thread_status_running" | "session.thread_status_rescheduled", Some(_))
            if of_thread(event) =>
        {
            Standing::Busy
        }
        ("session.thread_status_terminated", Some(_)) if of_thread(event) => Standing::Terminated,
        _ => current,
    }
}

/// With no status event in history, ask the session itself (sessions start idle).
async fn session_is_idle(client: &Client, session_id: &str) -> bool {
    let path = format!("/v1/sessions/{}", feed::path_segment(session_id));
    match client
        .get_raw(Beta::ManagedAgents, &path, &Query::new())
        .await
    {
        Ok(body) => serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v.get("status").and_then(Value::as_str).map(|s| s == "idle"))
            .unwrap_or(false),
        Err(_) => false,
    }
}

fn write_event(out: &mut impl Write, raw: &str, event: &Value, jsonl: bool) -> std::io::Result<()> {
    if jsonl {
        write_raw(out, raw)
    } else {
        writeln!(out, "{}", human_line(raw, event))
    }
}

/// `HH:MM:SS type  summary`, sanitized, one line. The summary is the dashboard's own row text
/// (`model::event_view`), so `tail` and the stream pane describe an event the same way.
pub fn human_line(raw: &str, event: &Value) -> String {
    let type_name = event.get("type").and_then(Value::as_str).unwrap_or("?");
    let summary = summarize(raw);
    let time = if summary.time.is_empty() {
        "--:--:--".to_string()
    } else {
        summary.time
    };
    let thread = summary
        .thread
        .map(|t| format!(" [{}]", clean(&t, 40)))
        .unwrap_or_default();
    // No colour here, so an error says so in words.
    let error = if summary.tone == Tone::Error {
        "[error] "
    } else {
        ""
    };
    let line = format!(
        "{time} {:<30}{thread} {error}{}",
        clean(type_name, 60),
        text::truncate(&summary.text, 160)
    );
    line.trim_end().to_owned()
}

/// One sanitized line of at most `max` cells (agent text is untrusted and must not drive the
/// terminal).
fn clean(s: &str, max: usize) -> String {
    text::truncate(&text::one_line(s), max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Value {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn human_lines_are_short_and_clean() {
        let e = v(
            r#"{"type":"agent.message","id":"x","processed_at":"2026-01-01T12:34:56.789Z","content":[{"type":"text","text":"hi\u001b[31m there\nnext"}]}"#,
        );
        assert_eq!(
            human_line(&e.to_string(), &e),
            "12:34:56 agent.message                  hi there next"
        );
        let e = v(
            r#"{"type":"session.status_idle","id":"x","processed_at":"2026-01-01T00:00:01Z","stop_reason":{"type":"end_turn"}}"#,
        );
        assert_eq!(
            human_line(&e.to_string(), &e),
            "00:00:01 session.status_idle            end turn"
        );
        let e = v(
            r#"{"type":"agent.tool_result","id":"x","processed_at":"2026-01-01T00:00:01Z","tool_use_id":"t","is_error":true,"content":[{"type":"text","text":"boom"}]}"#,
        );
        assert_eq!(
            human_line(&e.to_string(), &e),
            "00:00:01 agent.tool_result              [error] boom"
        );
    }

    #[test]
    fn standing_follows_status_events() {
        let idle = |r: &str| {
            v(&format!(
                r#"{{"type":"session.status_idle","stop_reason":{{"type":"{r}"}}}}"#
            ))
        };
        let s = next_standing(Standing::Unknown, &idle("requires_action"), None);
        assert_eq!(s, Standing::Busy);
        let s = next_standing(s, &idle("end_turn"), None);
        assert_eq!(s, Standing::Settled);
        let s = next_standing(s, &v(r#"{"type":"session.status_running"}"#), None);
        assert_eq!(s, Standing::Busy);
        let s = next_standing(s, &v(r#"{"type":"session.status_terminated"}"#), None);
        assert_eq!(s, Standing::Terminated);
        let s = next_standing(s, &idle("end_turn"), None);
        assert_eq!(s, Standing::Terminated);
        // On a thread, only that thread's status counts.
        let t = v(
            r#"{"type":"session.thread_status_idle","session_thread_id":"sthr_1","stop_reason":{"type":"end_turn"}}"#,
        );
        assert_eq!(
            next_standing(Standing::Busy, &t, Some("sthr_2")),
            Standing::Busy
        );
        assert_eq!(
            next_standing(Standing::Busy, &t, Some("sthr_1")),
            Standing::Settled
        );
    }

    #[test]
    fn malformed_events_get_a_line_with_id_and_type() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let raw = format!(
            r#"{{"type":"agent.message","id":"sevt_deep","processed_at":"2026-01-01T01:02:03Z","x":{deep}}}"#
        );
        assert!(serde_json::from_str::<Value>(&raw).is_err());
        assert_eq!(
            malformed_line(&raw),
            format!(
                "01:02:03 agent.message                  [malformed] event sevt_deep could not be read ({} bytes)",
                raw.len()
            )
        );
        assert!(malformed_is_queued(
            r#"{"type":"user.message","id":"u","processed_at":null,"x":"\ud800"}"#
        ));
    }

    #[test]
    fn queued_user_events_wait() {
        assert!(is_queued(&v(
            r#"{"type":"user.message","processed_at":null}"#
        )));
        assert!(is_queued(&v(r#"{"type":"system.message"}"#)));
        assert!(!is_queued(&v(
            r#"{"type":"user.message","processed_at":"2026-01-01T00:00:00Z"}"#
        )));
        assert!(!is_queued(&v(r#"{"type":"agent.message"}"#)));
    }
}
