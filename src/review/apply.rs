//! The applier: writes accepted changes into the dream's input store, each guarded by the
//! content it was reviewed against, each step journaled.
//!
//! Per change: journal `apply_intent` → write → journal `apply_done` or `apply_conflict`.
//! - modified: update with `precondition {content_sha256: reviewed}`;
//! - renamed: update of `path` (+ `content` when edited) with the same precondition;
//! - deleted: delete with `expected_content_sha256: reviewed`;
//! - added: create, which the API refuses (409) while the path is taken.
//!
//! A 409 makes the change a conflict carrying the live version (reviewed / live / proposed);
//! nothing is overwritten and the other changes go on. A change whose intent is already on
//! record (the last run died between intent and done) is first checked against the live store:
//! if the live memory already holds what we meant to write (or the delete already happened) it
//! is recorded as applied without writing again, so every accepted change lands exactly once.
//!
//! `plan` is pure; `execute` does the I/O and returns every record it journaled, in order, also
//! handing each to `sink` as soon as it is durable (the TUI turns them into messages).

use crate::api::ApiError;
use crate::api::Client;
use crate::api::types::{
    CreateMemoryParams, ListMemoriesParams, Memory, MemoryListItem, MemoryView, Precondition,
    UpdateMemoryParams,
};
use crate::model::review::{
    AppliedChange, ChangeKind, ChangeState, LiveVersion, Record, ReviewQueue, content_sha256,
};

use super::{Journal, ReviewError};

/// One write to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplyStep {
    pub dream_id: String,
    pub change_id: String,
    pub change: AppliedChange,
    /// The input store's memory the write must find: its id and hash (precondition).
    pub memory_id: Option<String>,
    pub precondition_sha: Option<String>,
    /// New content (`None`: a delete, or a rename that keeps the bytes).
    pub content: Option<String>,
    /// The hash the memory has after the write (`None` for a delete).
    pub target_sha: Option<String>,
    /// An intent for this change is already journaled: check the live store first.
    pub resumed: bool,
}

/// The steps for every accepted change of the queue, in queue order.
pub fn plan(queue: &ReviewQueue) -> Result<Vec<ApplyStep>, ReviewError> {
    let mut steps = Vec::new();
    for i in queue.to_apply() {
        let c = &queue.changes[i];
        let e = &queue.entries[i];
        let content = queue.content_to_write(i).map(str::to_string);
        let needs_content = match c.kind {
            ChangeKind::Added | ChangeKind::Modified => true,
            // A rename with edits must write its bytes; a pure rename keeps them.
            ChangeKind::Renamed => c.reviewed_sha() != c.proposed_sha() || e.edited.is_some(),
            ChangeKind::Deleted => false,
        };
        if needs_content && content.is_none() {
            return Err(ReviewError::MissingContent {
                change_id: c.id.clone(),
            });
        }
        let content = if needs_content { content } else { None };
        let target_sha = match c.kind {
            ChangeKind::Deleted => None,
            _ => content
                .as_deref()
                .map(content_sha256)
                .or_else(|| c.proposed_sha().map(str::to_string)),
        };
        // A re-accepted conflict writes over exactly the live version the reviewer saw.
        let (memory_id, precondition_sha) = match (&e.live, c.kind) {
            (_, ChangeKind::Added) => (None, None),
            (Some(live), _) if e.conflict_message.is_some() => {
                (Some(live.memory_id.clone()), Some(live.sha.clone()))
            }
            _ => (
                c.reviewed.as_ref().map(|s| s.memory_id.clone()),
                c.reviewed_sha().map(str::to_string),
            ),
        };
        steps.push(ApplyStep {
            dream_id: c.dream_id.clone(),
            change_id: c.id.clone(),
            change: AppliedChange::of(c),
            memory_id,
            precondition_sha,
            content,
            target_sha,
            resumed: e.intent,
        });
    }
    Ok(steps)
}

/// What an apply run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// Written by this run.
    pub applied: Vec<String>,
    /// Found already written (a resumed run) and recorded without writing.
    pub already: Vec<String>,
    pub conflicts: Vec<String>,
    /// Every record journaled, in order.
    pub records: Vec<Record>,
}

enum Outcome {
    Done {
        already: bool,
    },
    Conflict {
        live: Option<LiveVersion>,
        message: String,
    },
}

/// Run the steps against `store_id` (the dream's input store). Stops at the first error that is
/// not a conflict (network, auth, …): what was journaled stays, a re-run resumes.
pub async fn execute(
    client: &Client,
    journal: &mut Journal,
    store_id: &str,
    steps: &[ApplyStep],
    mut sink: impl FnMut(&Record),
) -> Result<ApplyReport, ReviewError> {
    let mut report = ApplyReport::default();
    for step in steps {
        let mut outcome = None;
        if step.resumed {
            outcome = check_live(client, store_id, step).await?;
        } else {
            let intent = Record::ApplyIntent {
                dream_id: step.dream_id.clone(),
                change_id: step.change_id.clone(),
                change: step.change.clone(),
                target_sha: step.target_sha.clone(),
            };
            journal.append(&intent)?;
            sink(&intent);
            report.records.push(intent);
        }
        let outcome = match outcome {
            Some(o) => o,
            None => write(client, store_id, step).await?,
        };
        let record = match outcome {
            Outcome::Done { already } => {
                if already {
                    report.already.push(step.change_id.clone());
                } else {
                    report.applied.push(step.change_id.clone());
                }
                Record::ApplyDone {
                    dream_id: step.dream_id.clone(),
                    change_id: step.change_id.clone(),
                    already,
                }
            }
            Outcome::Conflict { live, message } => {
                report.conflicts.push(step.change_id.clone());
                Record::ApplyConflict {
                    dream_id: step.dream_id.clone(),
                    change_id: step.change_id.clone(),
                    live,
                    message,
                }
            }
        };
        journal.append(&record)?;
        sink(&record);
        report.records.push(record);
    }
    Ok(report)
}

/// Plan and execute every accepted change of `queue`, folding each record into it.
pub async fn apply_queue(
    client: &Client,
    journal: &mut Journal,
    store_id: &str,
    queue: &mut ReviewQueue,
) -> Result<ApplyReport, ReviewError> {
    let steps = plan(queue)?;
    execute(client, journal, store_id, &steps, |r| queue.apply_record(r)).await
}

fn live_of(m: Memory) -> LiveVersion {
    LiveVersion {
        memory_id: m.id,
        path: m.path,
        sha: m.content_sha256,
        content: m.content,
    }
}

/// The live memory by id (`None` when it is gone).
async fn live_by_id(
    client: &Client,
    store_id: &str,
    memory_id: &str,
) -> Result<Option<LiveVersion>, ReviewError> {
    match client
        .get_memory(store_id, memory_id, Some(MemoryView::Full))
        .await
    {
        Ok(m) => Ok(Some(live_of(m))),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The live memory at a path (`None` when the path is free): one listing of its folder.
async fn live_at_path(
    client: &Client,
    store_id: &str,
    path: &str,
) -> Result<Option<LiveVersion>, ReviewError> {
    let folder = match path.rfind('/') {
        Some(i) => &path[..=i],
        None => "/",
    };
    let mut params = ListMemoriesParams {
        path_prefix: Some(folder.to_string()),
        depth: Some(1),
        view: Some(MemoryView::Basic),
        limit: Some(100),
        ..ListMemoriesParams::default()
    };
    for _ in 0..1000 {
        let page = client.list_memories(store_id, &params).await?;
        for item in page.data {
            if let MemoryListItem::Memory(m) = item
                && m.path == path
            {
                return live_by_id(client, store_id, &m.id).await;
            }
        }
        match page.next_page.filter(|p| !p.is_empty()) {
            Some(next) if params.page.as_deref() != Some(next.as_str()) => params.page = Some(next),
            _ => break,
        }
    }
    Ok(None)
}

/// A resumed step: is it already written? `None` = not yet, write it (the precondition still
/// guards the write).
async fn check_live(
    client: &Client,
    store_id: &str,
    step: &ApplyStep,
) -> Result<Option<Outcome>, ReviewError> {
    let c = &step.change;
    match c.kind {
        ChangeKind::Added => match live_at_path(client, store_id, &c.path).await? {
            None => Ok(None),
            Some(live) if Some(&live.sha) == step.target_sha.as_ref() => {
                Ok(Some(Outcome::Done { already: true }))
            }
            Some(live) => Ok(Some(Outcome::Conflict {
                message: format!("{} was created by someone else meanwhile", c.path),
                live: Some(live),
            })),
        },
        ChangeKind::Deleted => {
            let Some(id) = &step.memory_id else {
                return Ok(None);
            };
            match live_by_id(client, store_id, id).await? {
                None => Ok(Some(Outcome::Done { already: true })),
                Some(_) => Ok(None),
            }
        }
        ChangeKind::Modified | ChangeKind::Renamed => {
            let Some(id) = &step.memory_id else {
                return Ok(None);
            };
            match live_by_id(client, store_id, id).await? {
                Some(live)
                    if live.path == c.path && Some(&live.sha) == step.target_sha.as_ref() =>
                {
                    Ok(Some(Outcome::Done { already: true }))
                }
                _ => Ok(None),
            }
        }
    }
}

async fn write(client: &Client, store_id: &str, step: &ApplyStep) -> Result<Outcome, ReviewError> {
    let c = &step.change;
    let precondition = step
        .precondition_sha
        .as_ref()
        .map(|s| Precondition::content_sha256(s.clone()));
    let result: Result<(), ApiError> = match (c.kind, &step.memory_id) {
        (ChangeKind::Added, _) => client
            .create_memory(
                store_id,
                &CreateMemoryParams {
                    path: c.path.clone(),
                    content: step.content.clone().unwrap_or_default(),
                },
            )
            .await
            .map(|_| ()),
        (ChangeKind::Modified, Some(id)) => client
            .update_memory(
                store_id,
                id,
                &UpdateMemoryParams {
                    content: step.content.clone(),
                    path: None,
                    precondition,
                },
            )
            .await
            .map(|_| ()),
        (ChangeKind::Renamed, Some(id)) => client
            .update_memory(
                store_id,
                id,
                &UpdateMemoryParams {
                    content: step.content.clone(),
                    path: Some(c.path.clone()),
                    precondition,
                },
            )
            .await
            .map(|_| ()),
        (ChangeKind::Deleted, Some(id)) => client
            .delete_memory(store_id, id, step.precondition_sha.as_deref())
            .await
            .map(|_| ()),
        (_, None) => {
            return Err(ReviewError::MissingContent {
                change_id: step.change_id.clone(),
            });
        }
    };
    match result {
        Ok(()) => Ok(Outcome::Done { already: false }),
        // Someone deleted it already: the delete's outcome holds.
        Err(e) if e.is_not_found() && c.kind == ChangeKind::Deleted => {
            Ok(Outcome::Done { already: true })
        }
        Err(e) if e.is_not_found() => Ok(Outcome::Conflict {
            live: None,
            message: format!(
                "{} was deleted since it was reviewed",
                c.old_path.as_deref().unwrap_or(&c.path)
            ),
        }),
        Err(e) if e.is_conflict() => {
            let live = match (c.kind, &step.memory_id) {
                (ChangeKind::Added, _) => live_at_path(client, store_id, &c.path).await?,
                (_, Some(id)) => live_by_id(client, store_id, id).await?,
                (_, None) => None,
            };
            let message = match c.kind {
                ChangeKind::Added => format!("{} already exists in the input store", c.path),
                _ if e.error_type() == Some("memory_path_conflict_error") => {
                    format!("{} is taken in the input store", c.path)
                }
                _ => format!(
                    "{} changed since it was reviewed",
                    c.old_path.as_deref().unwrap_or(&c.path)
                ),
            };
            Ok(Outcome::Conflict { live, message })
        }
        Err(e) => Err(e.into()),
    }
}

/// True when a queue has something accepted waiting to be written.
pub fn has_work(queue: &ReviewQueue) -> bool {
    queue
        .entries
        .iter()
        .any(|e| e.state == ChangeState::Accepted)
}
