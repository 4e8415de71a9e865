//! `overseer review DREAM_ID`: the changes a completed `create_new` dream proposes, decisions on
//! them (`--accept`/`--reject`, journaled before they count) and `--apply`, which writes the
//! accepted ones into the input store with preconditions. Exits non-zero when any change ends in
//! conflict, naming each.

use serde::Serialize;

use super::Globals;
use crate::model::review::{ChangeKind, ChangeState, Decision, ReviewQueue};
use crate::review::{Journal, apply, diff};
use crate::text;

#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// The dream (`drm_…`); see `overseer dreams`.
    #[arg(value_name = "DREAM_ID")]
    pub dream_id: String,
    /// Print the changes as a JSON array.
    #[arg(long)]
    pub json: bool,
    /// Accept these changes (ids from the listing; `all` = every pending change).
    #[arg(long, value_name = "ID", num_args = 1..)]
    pub accept: Vec<String>,
    /// Reject these changes (`all` = every pending change).
    #[arg(long, value_name = "ID", num_args = 1..)]
    pub reject: Vec<String>,
    /// Write the accepted changes into the dream's input store.
    #[arg(long)]
    pub apply: bool,
    /// Also print each change's unified diff (table output).
    #[arg(long)]
    pub diff: bool,
}

/// One change as `--json` prints it.
#[derive(Debug, Serialize)]
struct ChangeJson<'a> {
    id: &'a str,
    kind: ChangeKind,
    path: &'a str,
    old_path: Option<&'a str>,
    state: ChangeState,
    diff: String,
}

pub async fn run(args: Args, globals: &Globals) -> anyhow::Result<()> {
    let conn = super::connect(globals).await?;
    let workspace = super::plan(globals, &conn.config)?.workspace_id;
    let dream = conn.client.get_dream(&args.dream_id).await?;
    let (input_store, output_store) = diff::reviewable_stores(&dream)?;
    let (changes, _stats) =
        diff::store_changes(&conn.client, &dream.id, &input_store, &output_store).await?;
    let path = Journal::default_path(&conn.base_url, workspace.as_deref())?;
    let opened = Journal::open(&path, &conn.base_url, workspace.as_deref())?;
    for w in &opened.warnings {
        eprintln!("overseer: warning: {w}");
    }
    let mut journal = opened.journal;
    let mut queue = ReviewQueue::rebuild(&dream.id, changes, &opened.records);

    // Every decision is checked before any is written: a typo in one id writes nothing.
    let mut records = Vec::new();
    for (ids, accept) in [(&args.accept, true), (&args.reject, false)] {
        for id in ids {
            let rec = if id == "all" {
                queue.decide_all(accept)
            } else {
                let d = if accept {
                    Decision::Accept
                } else {
                    Decision::Reject
                };
                queue.decide(id, d)
            }
            .map_err(|e| anyhow::anyhow!("{}: {e}", text::one_line(&dream.id)))?;
            // Later decisions in this run see the earlier ones (e.g. `--accept X --reject all`).
            queue.apply_record(&rec);
            records.push(rec);
        }
    }
    if !records.is_empty() {
        journal.append_all(&records)?;
    }

    if args.apply && apply::has_work(&queue) {
        let report =
            apply::apply_queue(&conn.client, &mut journal, &input_store, &mut queue).await?;
        eprintln!(
            "overseer: applied {} change(s){}{}",
            report.applied.len() + report.already.len(),
            if report.already.is_empty() {
                String::new()
            } else {
                format!(
                    " ({} already written by an earlier run)",
                    report.already.len()
                )
            },
            if report.conflicts.is_empty() {
                String::new()
            } else {
                format!(", {} in conflict", report.conflicts.len())
            }
        );
    }

    if args.json {
        let out: Vec<ChangeJson> = queue
            .changes
            .iter()
            .zip(&queue.entries)
            .map(|(c, e)| ChangeJson {
                id: &c.id,
                kind: c.kind,
                path: &c.path,
                old_path: c.old_path.as_deref(),
                state: e.state,
                diff: c.diff.unified(),
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print!("{}", table(&queue, args.diff));
    }

    let conflicts: Vec<String> = queue
        .conflicts()
        .map(|(c, e)| {
            format!(
                "{} {}: {}",
                c.id,
                text::one_line(&c.path),
                text::one_line(e.conflict_message.as_deref().unwrap_or("conflict"))
            )
        })
        .collect();
    if !conflicts.is_empty() {
        for c in &conflicts {
            eprintln!("overseer: conflict: {c}");
        }
        anyhow::bail!(
            "{} change(s) of {} conflict with the live store; nothing was overwritten",
            conflicts.len(),
            text::one_line(&dream.id)
        );
    }
    if !queue.changes.is_empty() && queue.settled() {
        eprintln!(
            "overseer: every change of {} is applied or rejected; its output store {} can be archived",
            text::one_line(&dream.id),
            text::one_line(&output_store)
        );
    }
    Ok(())
}

/// One line per change (and its diff with `with_diff`); agent text is sanitized.
fn table(queue: &ReviewQueue, with_diff: bool) -> String {
    let mut out = format!("{:<12} {:<8} {:<9} {}\n", "ID", "KIND", "STATE", "PATH");
    for (c, e) in queue.changes.iter().zip(&queue.entries) {
        let path = match &c.old_path {
            Some(old) => format!("{} → {}", text::one_line(old), text::one_line(&c.path)),
            None => text::one_line(&c.path),
        };
        out.push_str(&format!(
            "{:<12} {:<8} {:<9} {}\n",
            c.id,
            c.kind.as_str(),
            e.state.as_str(),
            path
        ));
        if with_diff {
            for line in c.diff.unified().lines() {
                out.push_str("    ");
                out.push_str(&text::one_line(line));
                out.push('\n');
            }
        }
    }
    out
}
