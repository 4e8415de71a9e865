//! `overseer deployments`: list deployments (table or JSON), or act on one:
//! `pause | unpause | run | archive ID`. An action exits 0 once the API accepted it; a run
//! that the API recorded without a session (its `error` set) is reported and exits 1.

use futures::StreamExt;

use super::Globals;
use crate::api::types::{Deployment, ListDeploymentsParams};
use crate::cron::Cron;
use crate::model::deployments::{next_fires, run_line};
use crate::text;

#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,
    /// Print JSON (the API's objects): the list, or what the action returned.
    #[arg(long, global = true)]
    pub json: bool,
    /// Include archived deployments in the list.
    #[arg(long)]
    pub archived: bool,
    /// Stop after this many deployments (newest first).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub limit: usize,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Action {
    /// Stop scheduled fires (manual runs still work).
    Pause { id: String },
    /// Resume the schedule from now (missed fires are not replayed).
    Unpause { id: String },
    /// Run now: create a session with the deployment's initial events.
    Run { id: String },
    /// Archive (permanent: it never fires or runs again).
    Archive { id: String },
}

pub async fn run(args: Args, globals: &Globals) -> anyhow::Result<()> {
    let conn = super::connect(globals).await?;
    let client = &conn.client;
    match args.action {
        None => {
            let params = ListDeploymentsParams {
                include_archived: args.archived.then_some(true),
                limit: Some(100),
                ..Default::default()
            };
            let mut stream = Box::pin(client.deployments_all(params).take(args.limit));
            let mut list = Vec::new();
            while let Some(d) = stream.next().await {
                list.push(d?);
            }
            if args.json {
                print_json(&list)?;
            } else {
                print!("{}", table(&list, jiff::Timestamp::now().as_second()));
            }
        }
        Some(Action::Run { id }) => {
            let r = client.run_deployment(&id).await?;
            if args.json {
                print_json(&r)?;
            }
            let (line, failed) = run_line(&text::one_line(&id), &r);
            if failed {
                anyhow::bail!("{line}");
            }
            if !args.json {
                println!("{line}");
            }
        }
        Some(Action::Pause { id }) => {
            changed("paused", client.pause_deployment(&id).await?, args.json)?
        }
        Some(Action::Unpause { id }) => {
            changed("unpaused", client.unpause_deployment(&id).await?, args.json)?
        }
        Some(Action::Archive { id }) => {
            changed("archived", client.archive_deployment(&id).await?, args.json)?
        }
    }
    Ok(())
}

fn print_json<T: serde::Serialize>(v: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

/// What a pause, unpause or archive left the deployment as.
fn changed(verb: &str, d: Deployment, json: bool) -> anyhow::Result<()> {
    if json {
        return print_json(&d);
    }
    println!(
        "{verb} {} ({}): {}",
        text::one_line(&d.id),
        text::one_line(&d.name),
        status(&d)
    );
    Ok(())
}

/// `active`, `paused (manual)`, `paused (error: agent_archived_error)`, `archived`.
fn status(d: &Deployment) -> String {
    use crate::api::types::{DeploymentStatus, PausedReason};
    if d.archived_at.is_some() {
        return "archived".into();
    }
    match (&d.status, &d.paused_reason) {
        (DeploymentStatus::Paused, Some(PausedReason::Manual)) => "paused (manual)".into(),
        (DeploymentStatus::Paused, Some(PausedReason::Error { error })) => {
            text::one_line(&format!("paused (error: {})", error.kind))
        }
        (DeploymentStatus::Paused, _) => "paused".into(),
        _ => "active".into(),
    }
}

/// The next fire, computed here from the expression (empty when paused, archived or manual).
fn next(d: &Deployment, now: i64) -> String {
    let active = d.archived_at.is_none() && d.paused_reason.is_none();
    d.schedule
        .as_ref()
        .filter(|_| active)
        .and_then(|s| {
            let c = Cron::parse(&s.expression, &s.timezone).ok()?;
            next_fires(&c, &s.timezone, now, 1).into_iter().next()
        })
        .map(|f| f.local)
        .unwrap_or_else(|| "-".into())
}

/// One header line and one line per deployment; API text is sanitized.
fn table(list: &[Deployment], now: i64) -> String {
    let id_width = list
        .iter()
        .map(|d| text::width(&text::one_line(&d.id)))
        .max()
        .unwrap_or(2)
        .max(2);
    let mut out = format!(
        "{:<id_width$} {:<24} {:<36} {:<28} {:<16} {}\n",
        "ID", "NAME", "STATUS", "SCHEDULE", "NEXT", "AGENT"
    );
    for d in list {
        let schedule = d
            .schedule
            .as_ref()
            .map(|s| format!("{} {}", s.expression, s.timezone))
            .unwrap_or_else(|| "manual".into());
        let version = d
            .agent
            .version
            .map(|v| format!(" v{v}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "{} {} {} {} {} {}\n",
            text::fit(&text::one_line(&d.id), id_width),
            text::fit(&text::one_line(&d.name), 24),
            text::fit(&status(d), 36),
            text::fit(&text::one_line(&schedule), 28),
            text::fit(&next(d, now), 16),
            text::one_line(&format!("{}{version}", d.agent.id)),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn table_shows_status_schedule_and_next_fire() {
        let d: Deployment = serde_json::from_value(json!({"type": "deployment",
            "id": "depl_1\u{1b}[2J", "name": "Nightly", "status": "paused",
            "agent": {"type": "agent", "id": "agent_1", "version": 2},
            "paused_reason": {"type": "error", "error": {"type": "vault_archived_error"}},
            "schedule": {"type": "cron", "expression": "0 2 * * *", "timezone": "UTC"}}))
        .unwrap();
        let mut active = d.clone();
        active.id = "depl_2".into();
        active.status = crate::api::types::DeploymentStatus::Active;
        active.paused_reason = None;
        // 2026-11-26T12:00:00Z: the next 02:00 is tomorrow.
        let t = table(&[d, active], 1_795_694_400);
        assert!(!t.contains('\u{1b}'), "{t:?}");
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(
            lines[1].contains("paused (error: vault_archived_error)"),
            "{t}"
        );
        assert!(lines[1].contains(" - "), "paused: no next fire: {t}");
        assert!(lines[2].contains("Fri 27 Nov 02:00"), "{t}");
        assert!(lines[2].ends_with("agent_1 v2"), "{t}");
    }
}
