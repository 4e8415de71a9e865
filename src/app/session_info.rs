//! The requests behind the threads tree and the session detail view, run by the runner as
//! tokio tasks: list a session's threads (with their usage), read one session, and write its
//! title or metadata (`POST /v1/sessions/{id}`). Each answers with one [`InfoMsg`]; failures are
//! one line with the request id.

use std::sync::Arc;

use futures::StreamExt;
use tokio::sync::Notify;

use crate::api::Client;
use crate::api::params::UpdateSessionParams;
use crate::api::types::{ListThreadsParams, Session, SessionThread};

/// Threads listed for the tree at most (the API allows 25 at a time).
const MAX_THREADS: usize = 500;

#[derive(Debug, Clone, PartialEq)]
pub enum InfoCmd {
    /// `GET /v1/sessions/{id}/threads`, every page (capped).
    ListThreads { session_id: String },
    /// `GET /v1/sessions/{id}`.
    LoadSession { session_id: String },
    /// `POST /v1/sessions/{id}` with a title or a metadata patch; `what` names it in the toast.
    Update {
        session_id: String,
        params: UpdateSessionParams,
        what: &'static str,
    },
}

#[derive(Debug, Clone)]
pub enum InfoMsg {
    ThreadsListed {
        session_id: String,
        result: Result<Vec<SessionThread>, String>,
    },
    /// Time to list the threads again (while the threads view is open).
    ThreadsPoll { session_id: String },
    SessionLoaded {
        session_id: String,
        result: Result<Box<Session>, String>,
    },
    Updated {
        session_id: String,
        what: &'static str,
        result: Result<Box<Session>, String>,
    },
}

/// Run one request; the runner sends the answer back as `Msg::Info` (this file does not know
/// `Msg`, so the two do not import each other).
pub async fn run(client: Client, wake: Arc<Notify>, cmd: InfoCmd) -> InfoMsg {
    match cmd {
        InfoCmd::ListThreads { session_id } => {
            let params = ListThreadsParams {
                limit: Some(100),
                ..Default::default()
            };
            let mut stream = std::pin::pin!(client.threads_all(&session_id, params));
            let mut out = Vec::new();
            let mut error = None;
            while let Some(item) = stream.next().await {
                match item {
                    Ok(t) if out.len() < MAX_THREADS => out.push(t),
                    Ok(_) | Err(crate::api::ApiError::ListStopped { .. }) => break,
                    Err(e) => {
                        error = Some(e.to_string());
                        break;
                    }
                }
            }
            InfoMsg::ThreadsListed {
                session_id,
                result: match error {
                    Some(e) => Err(e),
                    None => Ok(out),
                },
            }
        }
        InfoCmd::LoadSession { session_id } => {
            let result = client
                .get_session(&session_id)
                .await
                .map(Box::new)
                .map_err(|e| e.to_string());
            InfoMsg::SessionLoaded { session_id, result }
        }
        InfoCmd::Update {
            session_id,
            params,
            what,
        } => {
            let result = client
                .update_session(&session_id, &params)
                .await
                .map(Box::new)
                .map_err(|e| e.to_string());
            if result.is_ok() {
                // The list shows the new title on its next poll: make that now.
                wake.notify_one();
            }
            InfoMsg::Updated {
                session_id,
                what,
                result,
            }
        }
    }
}
