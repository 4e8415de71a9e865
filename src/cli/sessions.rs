//! `overseer sessions`: list sessions of any endpoint, as a table or JSON.

use std::io::Write;

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
    let listing = conn
        .client
        .sessions_leniently(params, max)
        .await
        .map_err(|e| anyhow::anyhow!("{}", text::one_line(&e.to_string())))?;
    let mut stdout = std::io::stdout().lock();
    if args.json {
        writeln!(
            stdout,
            "{}",
            escape_invisibles(&serde_json::to_string_pretty(&listing.sessions)?)
        )?;
    } else {
        write!(stdout, "{}", table(&listing.sessions))?;
    }
    stdout.flush()?;
    if listing.skipped > 0 {
        eprintln!(
            "overseer: skipped {} unreadable session{}",
            listing.skipped,
            if listing.skipped == 1 { "" } else { "s" }
        );
    }
    if let Some(why) = listing.stopped_early {
        eprintln!(
            "overseer: the list may be incomplete: {why} — showing the first {}",
            listing.sessions.len()
        );
    }
    Ok(())
}

/// JSON text with every control, C1, line/paragraph separator and bidi character written as a
/// `\u` escape: serde_json escapes only U+0000–U+001F, and a terminal acts on the rest. Such
/// characters appear only inside strings, so the JSON stays the same value.
fn escape_invisibles(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        let escape = matches!(
            c,
            '\u{7F}'..='\u{9F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{061C}'
        );
        if escape {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
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
    fn json_escapes_c1_separators_and_bidi() {
        let v = serde_json::json!({"t": "a\u{9b}2J\u{85}b\u{2028}c\u{202e}d\u{2066}e\u{7f}\u{1b}"});
        let out = escape_invisibles(&serde_json::to_string(&v).unwrap());
        assert_eq!(
            out,
            r#"{"t":"a\u009b2J\u0085b\u2028c\u202ed\u2066e\u007f\u001b"}"#
        );
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn unknown_status_is_a_clear_error() {
        let e = parse_status("sleeping").unwrap_err().to_string();
        assert!(e.contains("sleeping") && e.contains("running"), "{e}");
        assert_eq!(parse_status("idle").unwrap(), SessionStatus::Idle);
    }
}
