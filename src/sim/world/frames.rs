//! Ids and ordering counters, stored events, and the SSE frames live streams carry.

use std::sync::{Arc, OnceLock};

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

/// A session's (or thread's) live channel, made on the first `subscribe`: a broadcast buffer
/// holds 16,384 slots, far too much to keep for each of 100,000 fleet sessions nobody watches.
#[derive(Debug, Default)]
pub struct FrameTx(OnceLock<broadcast::Sender<Arc<Frame>>>);

impl FrameTx {
    /// Deliver to every open stream; without one there is nobody to tell (history has it).
    pub fn send(&self, frame: Arc<Frame>) -> usize {
        self.0.get().and_then(|tx| tx.send(frame).ok()).unwrap_or(0)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Frame>> {
        self.0
            .get_or_init(|| broadcast::channel(16_384).0)
            .subscribe()
    }
}

pub fn channel() -> FrameTx {
    FrameTx::default()
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
