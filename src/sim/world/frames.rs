//! Ids and ordering counters, stored events, and the SSE frames live streams carry.

use std::sync::Arc;

use tokio::sync::broadcast;

use crate::sim::clock::Micros;
use crate::sim::ids::IdGen;

/// One SSE frame as the server will write it.
#[derive(Debug)]
pub struct Frame {
    pub event_type: String,
    pub data: Arc<str>,
    pub id: Option<String>,
    /// `Some(kind)` for `event_start`/`event_delta` previews of `kind`; sent only to opted-in streams.
    pub preview: Option<&'static str>,
    /// `session.deleted`: the stream ends after this frame.
    pub ends_stream: bool,
}

pub type FrameTx = broadcast::Sender<Arc<Frame>>;

pub fn channel() -> FrameTx {
    broadcast::channel(16_384).0
}

/// A processed event in a session's or thread's history.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub seq: u64,
    pub id: String,
    pub kind: String,
    pub processed_at: Micros,
    pub json: Arc<str>,
}

/// Identifier and ordering counters shared by every resource.
#[derive(Debug)]
pub struct Gen {
    pub ids: IdGen,
    pub seq: u64,
}

impl Gen {
    pub fn id(&mut self, prefix: &str) -> String {
        self.ids.next(prefix)
    }
    pub fn seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }
}
