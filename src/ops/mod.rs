//! Operations that combine the API client with the pure model: shared by the headless commands
//! (`cli/`) and the dashboard's command runner (`app/`). Each is an `async fn` that returns a
//! value (or an [`OpError`]) and never touches UI state, so a runner can turn its result into a
//! `Msg` for `update`.

pub mod act;
pub mod memory;
pub mod needs;

use crate::api::ApiError;
use crate::model::needs::Refusal;

/// Why an operation did not happen. Each variant is one sentence.
#[derive(Debug, thiserror::Error)]
pub enum OpError {
    /// The API refused or could not be reached.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The call does not wait for this answer; nothing was sent.
    #[error("{sentence}")]
    Refused { refusal: Refusal, sentence: String },
    /// The session has no such sub-agent thread; nothing was sent.
    #[error("session {session_id} has no thread {thread_id}")]
    UnknownThread {
        session_id: String,
        thread_id: String,
    },
    /// The request itself is unusable (e.g. an empty message); nothing was sent.
    #[error("{0}")]
    Invalid(String),
}
