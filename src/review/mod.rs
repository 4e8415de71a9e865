//! Dream review, the durable half: the diff of a dream's output store against its input store
//! (`diff`), the decision journal (`journal`) and the applier (`apply`). The pure half (changes,
//! diffs, decisions) is `model::review`.
//!
//! A caller (the headless `review` command or the TUI's runner) does:
//! 1. `diff::dream_changes` → changes; `Journal::open` → records;
//!    `ReviewQueue::rebuild(changes, records)` → the queue as it was left;
//! 2. per decision: `queue.decide(..)` → record → `journal.append` → `queue.apply_record`;
//! 3. `apply::plan(&queue)` → steps → `apply::execute(..)`, which journals each step before and
//!    after its write and hands every record back to fold into the queue.

pub mod apply;
pub mod diff;
pub mod journal;

use crate::api::ApiError;
pub use journal::{Journal, JournalError, JournalWarning};

#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("dream {dream_id} cannot be reviewed: {reason}")]
    NotReviewable { dream_id: String, reason: String },
    #[error("memory store {store_id} has more than {max} memories; stopped listing it")]
    TooLarge { store_id: String, max: usize },
    #[error("change {change_id}: the content to write is unknown (it was never fetched)")]
    MissingContent { change_id: String },
}
