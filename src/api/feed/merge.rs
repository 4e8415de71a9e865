//! The merge: pure, no I/O. Which ids were delivered, which user events are still queued, and
//! where the next backfill starts.

use rustc_hash::{FxHashMap, FxHashSet};

use super::head::EventHead;

/// What offering one event to the merge decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    /// First sight of this id.
    New,
    /// Seen before while queued (`processed_at` null); this copy has `processed_at` set.
    Updated,
    Duplicate,
    /// Not a JSON object with a string `id` and `type`.
    Invalid,
}

/// Ids seen so far, stored compactly (one text buffer + a 32-bit hash table; collisions go to a
/// small overflow map), plus which of them are still queued user events.
#[derive(Debug, Default)]
struct SeenIds {
    text: String,
    ends: Vec<u32>,
    table: std::collections::HashMap<u32, u32, rustc_hash::FxBuildHasher>,
    overflow: FxHashMap<Box<str>, u32>,
    queued: FxHashSet<u32>,
}

impl SeenIds {
    fn hash(id: &str) -> u32 {
        use std::hash::Hasher;
        let mut h = rustc_hash::FxHasher::default();
        h.write(id.as_bytes());
        let full = h.finish();
        (full ^ (full >> 32)) as u32
    }

    fn id(&self, slot: u32) -> &str {
        let i = slot as usize;
        let start = if i == 0 {
            0
        } else {
            self.ends.get(i - 1).copied().unwrap_or(0) as usize
        };
        let end = self.ends.get(i).copied().unwrap_or(0) as usize;
        self.text.get(start..end).unwrap_or("")
    }

    fn find(&self, id: &str) -> Option<u32> {
        if let Some(&slot) = self.table.get(&Self::hash(id))
            && self.id(slot) == id
        {
            return Some(slot);
        }
        self.overflow.get(id).copied()
    }

    fn insert(&mut self, id: &str) -> u32 {
        let slot = self.ends.len() as u32;
        self.text.push_str(id);
        self.ends.push(self.text.len() as u32);
        match self.table.entry(Self::hash(id)) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(slot);
            }
            std::collections::hash_map::Entry::Occupied(_) => {
                self.overflow.insert(id.into(), slot);
            }
        }
        slot
    }

    fn len(&self) -> usize {
        self.ends.len()
    }
}

/// How far ahead of the local clock a `processed_at` may be and still be believed (clock skew).
const FUTURE_SKEW_SECS: i64 = crate::api::limits::MAX_FUTURE_SKEW_SECS;

/// The merge state of one feed: which ids were delivered, which user events are still queued,
/// and the latest `processed_at` (where the next backfill starts).
#[derive(Debug, Default)]
pub struct Merge {
    seen: SeenIds,
    /// The latest valid, not-in-the-future `processed_at`, as sent and as parsed.
    last_processed_at: Option<(String, jiff::Timestamp)>,
}

impl Merge {
    pub fn new() -> Self {
        Self::default()
    }

    /// Offer one event's raw JSON. Also returns its parsed header (borrowed from `raw`).
    pub fn offer<'a>(&mut self, raw: &'a str) -> (Offer, Option<EventHead<'a>>) {
        let Some(head) = EventHead::parse(raw) else {
            return (Offer::Invalid, None);
        };
        let id = match (head.id.as_deref(), head.type_name.as_deref()) {
            (Some(id), Some(_)) if !id.is_empty() => id,
            _ => return (Offer::Invalid, Some(head)),
        };
        let processed = head.processed_at.as_deref();
        let offer = match self.seen.find(id) {
            None => {
                let slot = self.seen.insert(id);
                if processed.is_none() {
                    self.seen.queued.insert(slot);
                }
                Offer::New
            }
            Some(slot) => {
                if processed.is_some() && self.seen.queued.remove(&slot) {
                    Offer::Updated
                } else {
                    Offer::Duplicate
                }
            }
        };
        if offer != Offer::Duplicate
            && let Some(p) = processed
        {
            self.note_processed_at(p);
        }
        (offer, Some(head))
    }

    /// Move the backfill start to `p` if it is a later, valid time that is not in the future.
    /// Server timestamps are untrusted: garbage or a far-future time would make the next
    /// backfill start past events that arrive while disconnected.
    fn note_processed_at(&mut self, p: &str) {
        if let Some((last, _)) = &self.last_processed_at
            && p.len() == last.len()
            && p.ends_with('Z')
            && last.ends_with('Z')
            && p <= last.as_str()
        {
            return; // Same format, not later: no parse needed (the hot path).
        }
        let Ok(ts) = p.parse::<jiff::Timestamp>() else {
            return;
        };
        if let Some((_, last)) = &self.last_processed_at
            && ts <= *last
        {
            return;
        }
        if ts.as_second()
            > jiff::Timestamp::now()
                .as_second()
                .saturating_add(FUTURE_SKEW_SECS)
        {
            tracing::debug!(processed_at = p, "processed_at in the future ignored");
            return;
        }
        self.last_processed_at = Some((p.to_owned(), ts));
    }

    /// The latest valid `processed_at` delivered: the next backfill starts there (inclusive).
    pub fn last_processed_at(&self) -> Option<&str> {
        self.last_processed_at.as_ref().map(|(s, _)| s.as_str())
    }

    /// Number of distinct event ids delivered.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
