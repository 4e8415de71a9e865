//! The memory browser's requests: one folder of the tree, one memory with its versions, the
//! agent-writes audit, and the writes (edit, revert, delete, redact, archive), each write
//! carrying the precondition the person saw. Each request is one [`MemCmd`] in and one
//! [`MemMsg`] out, so the dashboard runner only spawns and forwards.

use futures::StreamExt;

use crate::api::types::{
    Actor, ListMemoriesParams, ListMemoryVersionsParams, Memory, MemoryListItem, MemoryVersion,
    MemoryView, Precondition, UpdateMemoryParams,
};
use crate::api::{ApiError, Client};

/// Items of one folder listed at most (the tree says when it stopped).
pub const MAX_FOLDER_ITEMS: usize = 2_000;
/// Versions of one memory fetched (with content, for diffs).
pub const VERSIONS_PER_MEMORY: u32 = 20;
/// Pages of store-wide versions the audit reads at most, and the entries it keeps.
pub const AUDIT_PAGES: usize = 5;
pub const AUDIT_PAGE_SIZE: u32 = 100;
pub const AUDIT_MAX: usize = 200;

/// Which write an update is (for the sentence after it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    Edit,
    Revert,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MemCmd {
    /// `depth=1` listing of one folder (`prefix` ends in `/`).
    LoadFolder {
        store_id: String,
        prefix: String,
    },
    /// The memory in full and its newest versions (with content).
    LoadMemory {
        store_id: String,
        memory_id: String,
    },
    /// Newest store-wide versions written by session actors.
    LoadAudit {
        store_id: String,
    },
    /// Update the content, only if it still hashes to `expected_sha256`.
    Update {
        store_id: String,
        memory_id: String,
        path: String,
        content: String,
        expected_sha256: String,
        kind: WriteKind,
    },
    /// Delete, only if the content still hashes to `expected_sha256`.
    Delete {
        store_id: String,
        memory_id: String,
        path: String,
        expected_sha256: String,
    },
    RedactVersion {
        store_id: String,
        memory_id: String,
        version_id: String,
    },
    ArchiveStore {
        store_id: String,
        name: String,
    },
}

/// A failure as one line (with the request-id) and whether it was a 409 precondition.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub text: String,
    pub conflict: bool,
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure {
            conflict: e.is_conflict(),
            text: crate::text::one_line(&e.to_string()),
        }
    }
}

#[derive(Debug, Clone)]
pub enum MemMsg {
    Folder {
        store_id: String,
        prefix: String,
        result: Result<(Vec<MemoryListItem>, bool), Failure>,
    },
    Memory {
        store_id: String,
        memory_id: String,
        result: Result<(Box<Memory>, Vec<MemoryVersion>), Failure>,
    },
    Audit {
        store_id: String,
        result: Result<(Vec<MemoryVersion>, bool), Failure>,
    },
    /// An update finished; on a 409 `live` is the memory as it is now (when it could be read).
    Updated {
        store_id: String,
        memory_id: String,
        kind: WriteKind,
        result: Result<Box<Memory>, Failure>,
        live: Option<Box<Memory>>,
    },
    /// A delete, redact or archive finished: one line; `path` = the memory's path, if any.
    Done {
        store_id: String,
        memory_id: Option<String>,
        path: Option<String>,
        result: Result<String, Failure>,
    },
}

/// Run one request to its answer.
pub async fn run(client: &Client, cmd: MemCmd) -> MemMsg {
    match cmd {
        MemCmd::LoadFolder { store_id, prefix } => {
            let result = load_folder(client, &store_id, &prefix)
                .await
                .map_err(Failure::from);
            MemMsg::Folder {
                store_id,
                prefix,
                result,
            }
        }
        MemCmd::LoadMemory {
            store_id,
            memory_id,
        } => {
            let result = load_memory(client, &store_id, &memory_id)
                .await
                .map_err(Failure::from);
            MemMsg::Memory {
                store_id,
                memory_id,
                result,
            }
        }
        MemCmd::LoadAudit { store_id } => {
            let result = load_audit(client, &store_id).await.map_err(Failure::from);
            MemMsg::Audit { store_id, result }
        }
        MemCmd::Update {
            store_id,
            memory_id,
            content,
            expected_sha256,
            kind,
            ..
        } => {
            let params = UpdateMemoryParams {
                content: Some(content),
                path: None,
                precondition: Some(Precondition::content_sha256(expected_sha256)),
            };
            let r = client.update_memory(&store_id, &memory_id, &params).await;
            let mut live = None;
            if let Err(e) = &r
                && e.is_conflict()
            {
                live = client
                    .get_memory(&store_id, &memory_id, Some(MemoryView::Full))
                    .await
                    .ok()
                    .map(Box::new);
            }
            MemMsg::Updated {
                store_id,
                memory_id,
                kind,
                result: r.map(Box::new).map_err(Failure::from),
                live,
            }
        }
        MemCmd::Delete {
            store_id,
            memory_id,
            path,
            expected_sha256,
        } => {
            let r = client
                .delete_memory(&store_id, &memory_id, Some(&expected_sha256))
                .await;
            MemMsg::Done {
                store_id,
                memory_id: Some(memory_id),
                result: r.map(|_| format!("deleted {path}")).map_err(Failure::from),
                path: Some(path),
            }
        }
        MemCmd::RedactVersion {
            store_id,
            memory_id,
            version_id,
        } => {
            let r = client.redact_memory_version(&store_id, &version_id).await;
            MemMsg::Done {
                store_id,
                memory_id: Some(memory_id),
                path: None,
                result: r
                    .map(|_| format!("redacted version {version_id}"))
                    .map_err(Failure::from),
            }
        }
        MemCmd::ArchiveStore { store_id, name } => {
            let r = client.archive_memory_store(&store_id).await;
            MemMsg::Done {
                store_id,
                memory_id: None,
                path: None,
                result: r
                    .map(|_| format!("archived store {name}"))
                    .map_err(Failure::from),
            }
        }
    }
}

async fn load_folder(
    client: &Client,
    store_id: &str,
    prefix: &str,
) -> Result<(Vec<MemoryListItem>, bool), ApiError> {
    let params = ListMemoriesParams {
        path_prefix: (prefix != "/").then(|| prefix.to_string()),
        depth: Some(1),
        view: Some(MemoryView::Basic),
        limit: Some(100),
        page: None,
    };
    let stream = client.memories_all(store_id, params);
    let mut stream = std::pin::pin!(stream);
    let mut out = Vec::new();
    while let Some(item) = stream.next().await {
        if out.len() == MAX_FOLDER_ITEMS {
            return Ok((out, true));
        }
        out.push(item?);
    }
    Ok((out, false))
}

async fn load_memory(
    client: &Client,
    store_id: &str,
    memory_id: &str,
) -> Result<(Box<Memory>, Vec<MemoryVersion>), ApiError> {
    let memory = client
        .get_memory(store_id, memory_id, Some(MemoryView::Full))
        .await?;
    let params = ListMemoryVersionsParams {
        memory_id: Some(memory_id.to_string()),
        view: Some(MemoryView::Full),
        limit: Some(VERSIONS_PER_MEMORY),
        ..Default::default()
    };
    let versions = client.list_memory_versions(store_id, &params).await?.data;
    Ok((Box::new(memory), versions))
}

/// Newest first; `true` when the page cap stopped the scan before the oldest version.
async fn load_audit(
    client: &Client,
    store_id: &str,
) -> Result<(Vec<MemoryVersion>, bool), ApiError> {
    let mut out = Vec::new();
    let mut page = None;
    for _ in 0..AUDIT_PAGES {
        let params = ListMemoryVersionsParams {
            view: Some(MemoryView::Basic),
            limit: Some(AUDIT_PAGE_SIZE),
            page: page.take(),
            ..Default::default()
        };
        let p = client.list_memory_versions(store_id, &params).await?;
        for v in p.data {
            if matches!(v.created_by, Some(Actor::SessionActor { .. })) {
                out.push(v);
                if out.len() == AUDIT_MAX {
                    return Ok((out, true));
                }
            }
        }
        match p.next_page {
            Some(next) => page = Some(next),
            None => return Ok((out, false)),
        }
    }
    Ok((out, true))
}
