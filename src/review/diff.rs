//! The changes of a `create_new` dream: list both stores in `basic` view (path + hash, pages of
//! 100), fetch full content only for memories whose hash differs (never for unchanged ones, nor
//! for renames with equal hashes), then build the changes (`model::review`).
//! Requests made = list pages of both stores + memories fetched; [`DiffStats`] counts them.

use std::collections::{HashMap, HashSet};

use futures::StreamExt;

use super::ReviewError;
use crate::api::Client;
use crate::api::types::{
    Dream, DreamStatus, ListMemoriesParams, MemoryListItem, MemoryView, OutputBehavior,
};
use crate::model::review::{Change, Listed, build_changes, compare_listings};

/// Stop listing a store past this many memories (rule 7: every listing is bounded).
pub const MAX_MEMORIES: usize = 200_000;
/// Memory fetches in flight at once.
pub const FETCH_CONCURRENCY: usize = 8;

/// The HTTP requests a diff made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DiffStats {
    pub input_pages: usize,
    pub output_pages: usize,
    pub fetched: usize,
}

impl DiffStats {
    pub fn requests(&self) -> usize {
        self.input_pages + self.output_pages + self.fetched
    }
}

/// The input and output store of a dream that can be reviewed: completed, `create_new`, with
/// an output store.
pub fn reviewable_stores(dream: &Dream) -> Result<(String, String), ReviewError> {
    let fail = |reason: &str| ReviewError::NotReviewable {
        dream_id: dream.id.clone(),
        reason: reason.to_string(),
    };
    if dream.status != DreamStatus::Completed {
        return Err(fail(&format!(
            "it is {}, not completed",
            dream.status.as_str()
        )));
    }
    if !matches!(dream.output_behavior, OutputBehavior::CreateNew) {
        return Err(fail(
            "it wrote into its input store (update_existing); audit its memory versions instead",
        ));
    }
    let input = dream
        .input_store_id()
        .ok_or_else(|| fail("it has no input memory store"))?;
    let output = dream
        .output_store_id()
        .ok_or_else(|| fail("it has no output memory store"))?;
    Ok((input.to_string(), output.to_string()))
}

/// Every memory of a store as (id, path, hash), and the number of pages it took.
pub async fn list_store(
    client: &Client,
    store_id: &str,
) -> Result<(Vec<Listed>, usize), ReviewError> {
    let mut params = ListMemoriesParams {
        view: Some(MemoryView::Basic),
        limit: Some(100),
        ..ListMemoriesParams::default()
    };
    let mut out = Vec::new();
    let mut pages = 0;
    let mut seen = HashSet::new();
    loop {
        let page = client.list_memories(store_id, &params).await?;
        pages += 1;
        for item in page.data {
            if let MemoryListItem::Memory(m) = item {
                out.push(Listed {
                    memory_id: m.id,
                    path: m.path,
                    sha: m.content_sha256,
                });
            }
        }
        if out.len() > MAX_MEMORIES {
            return Err(ReviewError::TooLarge {
                store_id: store_id.to_string(),
                max: MAX_MEMORIES,
            });
        }
        match page.next_page.filter(|p| !p.is_empty()) {
            // A server repeating a cursor cannot make this loop.
            Some(next) if seen.insert(next.clone()) => params.page = Some(next),
            _ => break,
        }
    }
    Ok((out, pages))
}

/// The changes from `input` to `output`, as reviewed for `dream_id`.
pub async fn store_changes(
    client: &Client,
    dream_id: &str,
    input_store: &str,
    output_store: &str,
) -> Result<(Vec<Change>, DiffStats), ReviewError> {
    let (a, b) = tokio::join!(
        list_store(client, input_store),
        list_store(client, output_store)
    );
    let (input, input_pages) = a?;
    let (output, output_pages) = b?;
    let listing = compare_listings(&input, &output);
    let wanted: Vec<(String, String)> = listing
        .to_fetch()
        .into_iter()
        .map(|(is_output, m)| {
            let store = if is_output { output_store } else { input_store };
            (store.to_string(), m.memory_id.clone())
        })
        .collect();
    let fetched = wanted.len();
    let mut results = futures::stream::iter(wanted)
        .map(|(store, id)| async move {
            client
                .get_memory(&store, &id, Some(MemoryView::Full))
                .await
                .map(|m| (id, m.content.unwrap_or_default()))
        })
        .buffer_unordered(FETCH_CONCURRENCY);
    let mut contents = HashMap::new();
    while let Some(r) = results.next().await {
        let (id, content) = r?;
        contents.insert(id, content);
    }
    let changes = build_changes(dream_id, &listing, &contents);
    Ok((
        changes,
        DiffStats {
            input_pages,
            output_pages,
            fetched,
        },
    ))
}

/// The changes of a dream (completed, `create_new`).
pub async fn dream_changes(
    client: &Client,
    dream: &Dream,
) -> Result<(Vec<Change>, DiffStats), ReviewError> {
    let (input, output) = reviewable_stores(dream)?;
    store_changes(client, &dream.id, &input, &output).await
}
