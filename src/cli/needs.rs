//! `overseer needs`: the calls waiting for a human, across sessions and threads, oldest first.

use super::Globals;
use crate::model::needs::NeedsRow;
use crate::ops::needs::{Limits, gather};
use crate::text;

#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// Print the calls as a JSON array.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: Args, globals: &Globals) -> anyhow::Result<()> {
    let conn = super::connect(globals).await?;
    let gathered = gather(&conn.client, Limits::default()).await?;
    for note in &gathered.notes {
        eprintln!("overseer: {}", text::one_line(note));
    }
    let rows = gathered.queue.rows();
    if args.json {
        let json: Vec<serde_json::Value> = rows.iter().map(|r| r.to_json()).collect();
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        print!("{}", table(&rows, jiff::Timestamp::now()));
    }
    Ok(())
}

/// One header line and one line per call; every field is sanitized.
fn table(rows: &[&NeedsRow], now: jiff::Timestamp) -> String {
    let width_of = |f: &dyn Fn(&NeedsRow) -> String, min: usize, max: usize| {
        rows.iter()
            .map(|r| text::width(&f(r)))
            .max()
            .unwrap_or(0)
            .clamp(min, max)
    };
    let session = |r: &NeedsRow| text::one_line(&r.session_id);
    let agent = |r: &NeedsRow| text::one_line(r.agent_name.as_deref().unwrap_or("-"));
    let thread = |r: &NeedsRow| text::one_line(r.thread_id.as_deref().unwrap_or("-"));
    let tool = |r: &NeedsRow| {
        let kind = match r.kind {
            crate::model::needs::CallKind::ToolConfirmation => "",
            crate::model::needs::CallKind::CustomTool => " (custom)",
        };
        format!("{}{kind}", text::one_line(&r.tool()))
    };
    let (ws, wa, wt, wo) = (
        width_of(&session, 7, 40),
        width_of(&agent, 5, 24),
        width_of(&thread, 6, 40),
        width_of(&tool, 4, 40),
    );
    let mut out = format!(
        "{} {} {} {} {:>5}  INPUT\n",
        text::fit("SESSION", ws),
        text::fit("AGENT", wa),
        text::fit("THREAD", wt),
        text::fit("TOOL", wo),
        "AGE",
    );
    for r in rows {
        let age = r
            .waiting_since
            .as_deref()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
            .map_or("-".to_string(), |t| {
                let secs = now.as_second().saturating_sub(t.as_second()).max(0);
                text::compact_age(secs.unsigned_abs())
            });
        out.push_str(&format!(
            "{} {} {} {} {:>5}  {}\n",
            text::fit(&session(r), ws),
            text::fit(&agent(r), wa),
            text::fit(&thread(r), wt),
            text::fit(&tool(r), wo),
            age,
            text::truncate(&r.summary, 80),
        ));
    }
    if rows.is_empty() {
        out.push_str("(no calls wait for a human)\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::SessionEvent;
    use crate::model::needs::SessionNeeds;

    #[test]
    fn table_lists_calls_with_age_and_sanitized_fields() {
        let mut n = SessionNeeds::new("sesn_1");
        n.set_primary_agent("Repo\u{1b}[2J Engineer");
        for raw in [
            r#"{"type":"agent.tool_use","id":"u1","processed_at":"2026-01-01T00:00:00Z","name":"bash","input":{"command":"rm -rf\u001b]0;x\u0007 build"},"evaluated_permission":"ask"}"#,
            r#"{"type":"agent.custom_tool_use","id":"k1","processed_at":"2026-01-01T00:04:00Z","session_thread_id":"sthr_9","name":"lookup","input":{"q":1}}"#,
            r#"{"type":"session.status_idle","id":"i","processed_at":"2026-01-01T00:05:00Z","stop_reason":{"type":"requires_action","event_ids":["u1","k1"]}}"#,
        ] {
            n.apply(&SessionEvent::parse(raw));
        }
        let now: jiff::Timestamp = "2026-01-01T00:10:00Z".parse().unwrap();
        let t = table(&n.rows(), now);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3, "{t}");
        assert!(!t.contains('\u{1b}') && !t.contains('\u{7}'), "{t:?}");
        assert_eq!(
            lines[0],
            "SESSION AGENT         THREAD TOOL              AGE  INPUT"
        );
        assert_eq!(
            lines[1],
            "sesn_1  Repo Engineer -      bash              10m  rm -rf build"
        );
        assert_eq!(
            lines[2],
            "sesn_1  -             sthr_9 lookup (custom)    6m  {\"q\":1}"
        );
    }

    #[test]
    fn empty_table_says_so() {
        let t = table(&[], jiff::Timestamp::UNIX_EPOCH);
        assert!(t.ends_with("(no calls wait for a human)\n"), "{t}");
    }
}
