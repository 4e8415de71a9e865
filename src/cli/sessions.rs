//! `overseer sessions`: list sessions of any endpoint, as a table or JSON.

use futures::StreamExt;

use super::Globals;
use crate::api::types::{ListSessionsParams, Session, SessionStatus};
use crate::text;

#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// Print the sessions as a JSON array (the API's objects).
    #[arg(long)]
    pub json: bool,
    /// Only sessions in this status (rescheduling, running, idle, terminated); repeatable.
    #[arg(long = "status", value_name = "S")]
    pub statuses: Vec<String>,
    /// Only sessions of this agent.
    #[arg(long, value_name = "AGENT_ID")]
    pub agent: Option<String>,
    /// Include archived sessions.
    #[arg(long)]
    pub archived: bool,
    /// Stop after this many sessions (all pages are followed until then).
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
}

pub async fn run(args: Args, globals: &Globals) -> anyhow::Result<()> {
    let statuses = args
        .statuses
        .iter()
        .map(|s| parse_status(s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let conn = super::connect(globals).await?;
    let params = ListSessionsParams {
        statuses,
        agent_id: args.agent.clone(),
        include_archived: args.archived.then_some(true),
        limit: Some(100),
        ..ListSessionsParams::default()
    };
    let max = args.limit.unwrap_or(usize::MAX);
    let mut stream = Box::pin(conn.client.sessions_all(params).take(max));
    let mut sessions = Vec::new();
    while let Some(item) = stream.next().await {
        sessions.push(item?);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&sessions)?);
    } else {
        print!("{}", table(&sessions));
    }
    Ok(())
}

fn parse_status(s: &str) -> anyhow::Result<SessionStatus> {
    let status = SessionStatus::from(s);
    if !status.is_known() {
        anyhow::bail!(
            "unknown status `{s}` (expected one of: {})",
            SessionStatus::KNOWN.join(", ")
        );
    }
    Ok(status)
}

/// A plain table: one header line and one line per session; agent text is sanitized.
fn table(sessions: &[Session]) -> String {
    let id_width = sessions
        .iter()
        .map(|s| text::width(&text::one_line(&s.id)))
        .max()
        .unwrap_or(2)
        .max(2);
    let mut out = format!(
        "{:<id_width$} {:<12} {:<36} {:<20} {:>9} {:>9}  {}\n",
        "ID", "STATUS", "TITLE", "AGENT", "TOKENS", "COST", "CREATED"
    );
    for s in sessions {
        let status = if s.archived_at.is_some() {
            format!("{} (arch)", s.status.as_str())
        } else {
            s.status.as_str().to_string()
        };
        let title = text::one_line(s.title.as_deref().unwrap_or("(untitled)"));
        let agent = text::one_line(&s.agent.name);
        let tokens = s.usage.input_tokens.unwrap_or(0) + s.usage.output_tokens.unwrap_or(0);
        let cost = s
            .usage
            .list_cost
            .as_ref()
            .and_then(|m| m.cents())
            .map_or("-".to_string(), |c| format!("${}.{:02}", c / 100, c % 100));
        out.push_str(&format!(
            "{} {} {} {} {:>9} {:>9}  {}\n",
            text::fit(&text::one_line(&s.id), id_width),
            text::fit(&status, 12),
            text::fit(&title, 36),
            text::fit(&agent, 20),
            text::compact_count(tokens),
            cost,
            text::one_line(&s.created_at),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_sanitizes_and_aligns() {
        let mut s = Session {
            id: "sesn_1".into(),
            title: Some("evil\u{1b}[2Jtitle\u{202e}x".into()),
            created_at: "2026-11-26T10:00:00Z".into(),
            ..Session::default()
        };
        s.agent.name = "coder".into();
        s.usage.input_tokens = Some(1500);
        s.usage.output_tokens = Some(500);
        s.usage.list_cost = Some(crate::api::types::Money::usd_cents(1234));
        let t = table(&[s]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(!t.contains('\u{1b}') && !t.contains('\u{202e}'), "{t:?}");
        assert!(lines[1].starts_with("sesn_1 "), "{t}");
        assert!(lines[1].contains("eviltitlex"), "{t}");
        assert!(
            lines[1].contains("2.0k") && lines[1].contains("$12.34"),
            "{t}"
        );
    }

    #[test]
    fn unknown_status_is_a_clear_error() {
        let e = parse_status("sleeping").unwrap_err().to_string();
        assert!(e.contains("sleeping") && e.contains("running"), "{e}");
        assert_eq!(parse_status("idle").unwrap(), SessionStatus::Idle);
    }
}
