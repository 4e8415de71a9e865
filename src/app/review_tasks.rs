//! The runner's half of the review queue and the dream actions: each `ReviewCmd` becomes a
//! tokio task that answers with a `ReviewMsg` (or a `Msg::Done` toast). The journal is held
//! here, one per dashboard run, behind an async mutex so appends never interleave.

use std::sync::Arc;

use tokio::sync::Mutex;
use tokio::sync::mpsc::UnboundedSender;

use crate::api::Client;
use crate::api::params::{ListDreamsParams, ListParams};
use crate::api::types::DreamStatus;
use crate::app::msg::Msg;
use crate::app::review_view::{JournalSetup, ReviewCmd, ReviewMsg};
use crate::model::review::ReviewQueue;
use crate::review::{Journal, ReviewError, apply, diff};
use crate::text;

#[derive(Default)]
pub struct ReviewTasks {
    journal: Arc<Mutex<Option<Journal>>>,
}

impl ReviewTasks {
    pub fn run(&self, cmd: ReviewCmd, client: Option<Client>, tx: UnboundedSender<Msg>) {
        let Some(client) = client else {
            return;
        };
        let journal = self.journal.clone();
        let raw = tx.clone();
        let toast = move |m: Msg| {
            let _ = raw.send(m);
        };
        let send = move |m: ReviewMsg| {
            let _ = tx.send(Msg::Review(m));
        };
        match cmd {
            ReviewCmd::Load {
                generation,
                dream_id,
                journal: setup,
            } => {
                tokio::spawn(async move {
                    send(match load(&client, dream_id, &setup, &journal).await {
                        Ok(m) => m(generation),
                        Err(error) => ReviewMsg::LoadFailed { generation, error },
                    });
                });
            }
            ReviewCmd::Journal {
                generation,
                records,
            } => {
                tokio::spawn(async move {
                    let mut guard = journal.lock().await;
                    let result = match guard.as_mut() {
                        Some(j) => j.append_all(&records).map_err(|e| e.to_string()),
                        None => Err("the review journal is not open".to_string()),
                    };
                    send(match result {
                        Ok(()) => ReviewMsg::Journaled {
                            generation,
                            records,
                        },
                        Err(error) => ReviewMsg::JournalFailed {
                            generation,
                            error: format!("decision not saved: {error}"),
                        },
                    });
                });
            }
            ReviewCmd::Apply {
                generation,
                queue,
                input_store,
            } => {
                tokio::spawn(async move {
                    let mut guard = journal.lock().await;
                    let result = match guard.as_mut() {
                        Some(j) => apply_all(&client, j, &input_store, &queue, generation, &send)
                            .await
                            .map_err(|e| format!("apply stopped: {e}")),
                        None => Err("the review journal is not open".to_string()),
                    };
                    send(ReviewMsg::ApplyFinished { generation, result });
                });
            }
            ReviewCmd::ArchiveStore { store_id } => {
                let tx = toast;
                tokio::spawn(async move {
                    let r = client.archive_memory_store(&store_id).await;
                    tx(done(r.map(|_| format!("archived output store {store_id}"))));
                });
            }
            ReviewCmd::CancelDream { dream_id } => {
                let tx = toast;
                tokio::spawn(async move {
                    let r = client.cancel_dream(&dream_id).await;
                    tx(done(r.map(|_| format!("canceled dream {dream_id}"))));
                });
            }
            ReviewCmd::ArchiveDream { dream_id } => {
                let tx = toast;
                tokio::spawn(async move {
                    let r = client.archive_dream(&dream_id).await;
                    tx(done(r.map(|_| format!("archived dream {dream_id}"))));
                });
            }
            ReviewCmd::StartDream(params) => {
                let tx = toast;
                tokio::spawn(async move {
                    let r = client.create_dream(&params).await;
                    tx(done(r.map(|d| {
                        format!("started dream {}", text::one_line(&d.id))
                    })));
                });
            }
            ReviewCmd::FormChoices => {
                tokio::spawn(async move {
                    let params = ListParams {
                        limit: Some(100),
                        ..Default::default()
                    };
                    match client.list_memory_stores(&params).await {
                        Ok(page) => send(ReviewMsg::FormChoices {
                            stores: page
                                .data
                                .into_iter()
                                .map(|s| (text::one_line(&s.id), text::one_line(&s.name)))
                                .collect(),
                            sessions: Vec::new(),
                        }),
                        Err(e) => send(ReviewMsg::LoadFailed {
                            generation: u64::MAX,
                            error: format!("memory stores: {e}"),
                        }),
                    }
                });
            }
        }
    }
}

fn done(r: Result<String, crate::api::ApiError>) -> Msg {
    match r {
        Ok(text) => Msg::Done { text, error: false },
        Err(e) => Msg::Done {
            text: e.to_string(),
            error: true,
        },
    }
}

type Loaded = Box<dyn FnOnce(u64) -> ReviewMsg + Send>;

/// The dream (or the newest completed one), its changes and the journal replayed over them.
async fn load(
    client: &Client,
    dream_id: Option<String>,
    setup: &JournalSetup,
    journal: &Mutex<Option<Journal>>,
) -> Result<Loaded, String> {
    let dream = match dream_id {
        Some(id) => client.get_dream(&id).await.map_err(|e| e.to_string())?,
        None => {
            let params = ListDreamsParams {
                statuses: vec![DreamStatus::Completed],
                limit: Some(20),
                ..Default::default()
            };
            let page = client
                .list_dreams(&params)
                .await
                .map_err(|e| e.to_string())?;
            page.data
                .into_iter()
                .find(|d| d.status == DreamStatus::Completed)
                .ok_or_else(|| "no completed dream to review".to_string())?
        }
    };
    let (input_store, output_store) = diff::reviewable_stores(&dream).map_err(|e| e.to_string())?;
    let (changes, _stats) = diff::store_changes(client, &dream.id, &input_store, &output_store)
        .await
        .map_err(|e| e.to_string())?;
    let mut guard = journal.lock().await;
    let opened = Journal::open(&setup.path, &setup.base_url, setup.workspace.as_deref())
        .map_err(|e| e.to_string())?;
    let warnings = opened.warnings.iter().map(|w| w.to_string()).collect();
    let queue = ReviewQueue::rebuild(&dream.id, changes, &opened.records);
    *guard = Some(opened.journal);
    Ok(Box::new(move |generation| ReviewMsg::Loaded {
        generation,
        input_store,
        output_store,
        queue: Box::new(queue),
        warnings,
    }))
}

/// Plan and run every accepted change, sending each journaled step back as it happens.
async fn apply_all(
    client: &Client,
    journal: &mut Journal,
    store_id: &str,
    queue: &ReviewQueue,
    generation: u64,
    send: &(impl Fn(ReviewMsg) + Send + Sync),
) -> Result<String, ReviewError> {
    let steps = apply::plan(queue)?;
    let report = apply::execute(client, journal, store_id, &steps, |r| {
        send(ReviewMsg::ApplyRecord {
            generation,
            record: r.clone(),
        })
    })
    .await?;
    let mut line = format!(
        "applied {} change(s)",
        report.applied.len() + report.already.len()
    );
    if !report.conflicts.is_empty() {
        line.push_str(&format!(
            ", {} in conflict (nothing overwritten)",
            report.conflicts.len()
        ));
    }
    Ok(line)
}
