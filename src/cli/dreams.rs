//! `overseer dreams`: list dreams, as a table or JSON (the API's objects).

use futures::StreamExt;

use super::Globals;
use crate::api::types::{Dream, ListDreamsParams};
use crate::text;

#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// Print the dreams as a JSON array (the API's objects).
    #[arg(long)]
    pub json: bool,
    /// Include archived dreams.
    #[arg(long)]
    pub archived: bool,
    /// Stop after this many dreams (newest first).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub limit: usize,
}

pub async fn run(args: Args, globals: &Globals) -> anyhow::Result<()> {
    let conn = super::connect(globals).await?;
    let params = ListDreamsParams {
        include_archived: args.archived.then_some(true),
        limit: Some(100),
        ..ListDreamsParams::default()
    };
    let mut stream = Box::pin(conn.client.dreams_all(params).take(args.limit));
    let mut dreams = Vec::new();
    while let Some(d) = stream.next().await {
        dreams.push(d?);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&dreams)?);
    } else {
        print!("{}", table(&dreams));
    }
    Ok(())
}

/// One header line and one line per dream; API text is sanitized.
fn table(dreams: &[Dream]) -> String {
    let id_width = dreams
        .iter()
        .map(|d| text::width(&text::one_line(&d.id)))
        .max()
        .unwrap_or(2)
        .max(2);
    let mut out = format!(
        "{:<id_width$} {:<10} {:<30} {:<30} {}\n",
        "ID", "STATUS", "INPUT STORE", "OUTPUT STORE", "CREATED"
    );
    for d in dreams {
        let status = if d.archived_at.is_some() {
            format!("{} (arch)", d.status.as_str())
        } else {
            d.status.as_str().to_string()
        };
        out.push_str(&format!(
            "{} {} {} {} {}\n",
            text::fit(&text::one_line(&d.id), id_width),
            text::fit(&text::one_line(&status), 10),
            text::fit(&text::one_line(d.input_store_id().unwrap_or("-")), 30),
            text::fit(&text::one_line(d.output_store_id().unwrap_or("-")), 30),
            text::one_line(&d.created_at),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::{DreamInput, DreamOutput, DreamStatus};

    #[test]
    fn table_shows_stores_and_sanitizes() {
        let d = Dream {
            id: "drm_1\u{1b}[2J".into(),
            status: DreamStatus::Completed,
            inputs: vec![DreamInput::MemoryStore {
                memory_store_id: "memstore_in".into(),
            }],
            outputs: vec![DreamOutput::MemoryStore {
                memory_store_id: "memstore_out".into(),
            }],
            created_at: "2026-12-01T00:00:00Z".into(),
            ..Dream::default()
        };
        let t = table(&[d]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(!t.contains('\u{1b}'), "{t:?}");
        assert!(lines[1].starts_with("drm_1 completed "), "{t}");
        assert!(
            lines[1].contains("memstore_in") && lines[1].contains("memstore_out"),
            "{t}"
        );
    }
}
