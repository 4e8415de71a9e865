//! `SessionFeed`: the one gapless way to follow a session or thread
//! (stream first, backfill, merge by id, reconnect with backoff, re-backfill).
//! CONTRACT STUB (owner: feed helper) — keep these names and signatures; add freely.

use std::time::{Duration, SystemTime};

use super::Client;

#[derive(Debug, Clone)]
pub struct FeedConfig {
    pub session_id: String,
    /// Follow one thread (`/threads/{id}/stream` + `/threads/{id}/events`).
    pub thread_id: Option<String>,
    /// Ask for `event_deltas[]` previews.
    pub deltas: bool,
    /// No bytes for this long (heartbeats included) = the stream is dead.
    pub heartbeat_allowance: Duration,
    /// Bounded channel capacity (backpressure).
    pub buffer: usize,
}

impl FeedConfig {
    pub fn new(session_id: impl Into<String>) -> Self {
        FeedConfig {
            session_id: session_id.into(),
            thread_id: None,
            deltas: false,
            heartbeat_allowance: Duration::from_secs(45),
            buffer: 1024,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ConnState {
    Connecting,
    Live,
    Retrying {
        attempt: u32,
        next_at: SystemTime,
        reason: String,
    },
    Down {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum FeedItem {
    /// A persisted event seen for the first time (raw JSON), in order.
    Event(String),
    /// A user event seen before whose `processed_at` is now set (raw JSON of the new copy).
    Updated(String),
    /// Live typing preview for `event_id` (the whole text so far).
    Preview {
        event_id: String,
        kind: String,
        text: String,
    },
    /// The preview will not be replaced by a final event (closed by `span.model_request_end`).
    PreviewDiscarded {
        event_id: String,
    },
    /// History is fully loaded (first backfill done).
    HistoryLoaded,
    State(ConnState),
    /// A backfill failed after retries: events in this window may be missing.
    Gap {
        reason: String,
    },
    /// 404 or `session.deleted`.
    Gone {
        reason: String,
    },
    /// `session.status_terminated` seen; the feed has stopped.
    Ended,
}

/// Stops the feed task when dropped.
pub struct FeedHandle {
    _private: (),
}

/// Start following. Items arrive on the bounded receiver; a slow reader applies backpressure.
pub fn spawn(
    _client: Client,
    _cfg: FeedConfig,
) -> (FeedHandle, tokio::sync::mpsc::Receiver<FeedItem>) {
    todo!("feed helper")
}
