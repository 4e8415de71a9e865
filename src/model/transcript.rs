//! The stored events of one session, compact and indexed.
//!
//! Layout, chosen for size and speed (see `heap_bytes`):
//! - every event's raw JSON lives in an append-only text arena made of large chunks, so growth never
//!   copies old events and never doubles capacity;
//! - a 28-byte header per event points into the arena (raw text, id, `processed_at`) and carries the
//!   interned type and class;
//! - a hash table maps a 32-bit hash of the id to the event index (ids live only in the arena; the
//!   rare hash collision goes to a small overflow map keyed by the full id);
//! - sorted index vectors per class and per (thread, class) answer "rows i..j of the filtered view"
//!   with binary searches, never a scan of history;
//! - tool uses are paired with their results and confirmations as they arrive, in either order.
//!
//! Upsert semantics: an event whose id was seen before is a duplicate, except when the stored copy
//! has no `processed_at` (a queued user event) and the new copy has one: then the new copy replaces
//! the stored one **in place** (`Upsert::Updated`) — the event keeps the position where it was first
//! seen, so indexes held by a view stay valid. (`GET /events` orders by `processed_at`; a consumer that
//! must reproduce that order, like `overseer tail`, prints a user event when it is processed.)

use std::hash::Hasher;

use rustc_hash::{FxBuildHasher, FxHashMap, FxHasher};

/// The few top-level fields of an event the transcript indexes (parsed without a typed parse).
pub use crate::api::feed::EventHead;

/// Coarse kind of an event, for filters and glyphs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventClass {
    /// user.message, agent.message, system.message, thread messages
    Message,
    /// tool uses and results (built-in, MCP, custom), confirmations
    Tool,
    /// session.error, tool results with is_error, malformed data
    Error,
    /// session.status_*, thread status, session.updated/usage/deleted
    Status,
    /// span.*
    Span,
    /// anything else, including unknown types
    Other,
}

impl EventClass {
    pub const ALL: [EventClass; 6] = [
        EventClass::Message,
        EventClass::Tool,
        EventClass::Error,
        EventClass::Status,
        EventClass::Span,
        EventClass::Other,
    ];

    fn slot(self) -> usize {
        match self {
            EventClass::Message => 0,
            EventClass::Tool => 1,
            EventClass::Error => 2,
            EventClass::Status => 3,
            EventClass::Span => 4,
            EventClass::Other => 5,
        }
    }

    fn from_slot(slot: u8) -> EventClass {
        EventClass::ALL
            .get(usize::from(slot))
            .copied()
            .unwrap_or(EventClass::Other)
    }

    /// The class of an event of type `type_name` (`is_error` from the event's top level).
    pub fn of(type_name: &str, is_error: bool) -> EventClass {
        match type_name {
            "user.message"
            | "agent.message"
            | "system.message"
            | "agent.thread_message_sent"
            | "agent.thread_message_received" => EventClass::Message,
            "agent.tool_result"
            | "agent.mcp_tool_result"
            | "user.custom_tool_result"
            | "user.tool_result" => {
                if is_error {
                    EventClass::Error
                } else {
                    EventClass::Tool
                }
            }
            "agent.tool_use"
            | "agent.mcp_tool_use"
            | "agent.custom_tool_use"
            | "user.tool_confirmation" => EventClass::Tool,
            "session.error" | "workflow_run.error" => EventClass::Error,
            "session.updated" | "session.usage" | "session.deleted" | "session.thread_created" => {
                EventClass::Status
            }
            t if t.starts_with("session.status_")
                || t.starts_with("session.thread_status_")
                || t.starts_with("workflow_run.status_") =>
            {
                EventClass::Status
            }
            t if t.starts_with("span.") => EventClass::Span,
            _ => EventClass::Other,
        }
    }
}

/// Which events a view shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Empty = all classes.
    pub classes: Vec<EventClass>,
    /// `Some(id)`: only events of that thread (`session_thread_id`); `Some("")` = primary only.
    pub thread: Option<String>,
}

/// A stored event: its small parsed header plus its raw JSON text.
#[derive(Debug, Clone, Copy)]
pub struct EventRef<'a> {
    pub index: usize,
    pub type_name: &'a str,
    pub id: &'a str,
    pub class: EventClass,
    pub raw: &'a str,
}

/// What happened when an event was offered to the transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    Inserted(usize),
    /// A user event seen before whose `processed_at` changed.
    Updated(usize),
    Duplicate,
    Invalid,
}

/// 32-bit hash of an event id, for the id table.
fn id_hash(id: &str) -> u32 {
    let mut h = FxHasher::default();
    h.write(id.as_bytes());
    let full = h.finish();
    (full ^ (full >> 32)) as u32
}

// ---------------------------------------------------------------------------------------------
// Storage pieces.

/// Elements per chunk of a `ChunkedVec`.
const CHUNK: usize = 4096;

/// An append-only vector that grows in fixed chunks: no copying of old elements and at most one
/// partly used chunk of slack (a plain `Vec` may hold twice what it needs after doubling).
#[derive(Debug, Clone)]
struct ChunkedVec<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for ChunkedVec<T> {
    fn default() -> Self {
        ChunkedVec {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T: Copy> ChunkedVec<T> {
    fn push(&mut self, value: T) {
        let needs_chunk = match self.chunks.last() {
            None => true,
            Some(last) => last.len() == CHUNK,
        };
        if needs_chunk {
            // The first chunk grows like a Vec so tiny transcripts stay tiny; later ones are exact.
            let cap = if self.chunks.is_empty() { 8 } else { CHUNK };
            self.chunks.push(Vec::with_capacity(cap));
        }
        if let Some(last) = self.chunks.last_mut() {
            if last.len() == last.capacity() && last.capacity() < CHUNK {
                last.reserve_exact((last.capacity() * 2).min(CHUNK) - last.len());
            }
            last.push(value);
            self.len += 1;
        }
    }

    fn get(&self, i: usize) -> Option<T> {
        self.chunks.get(i / CHUNK)?.get(i % CHUNK).copied()
    }

    fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.chunks.get_mut(i / CHUNK)?.get_mut(i % CHUNK)
    }

    fn len(&self) -> usize {
        self.len
    }

    fn heap_bytes(&self) -> usize {
        self.chunks.capacity() * std::mem::size_of::<Vec<T>>()
            + self
                .chunks
                .iter()
                .map(|c| c.capacity() * std::mem::size_of::<T>())
                .sum::<usize>()
    }
}

impl ChunkedVec<u32> {
    /// Number of elements `< value` (the vector is sorted ascending).
    fn lower_bound(&self, value: u32) -> usize {
        // Chunks are sorted and ordered: find the first chunk whose last element is >= value.
        let chunk = self
            .chunks
            .partition_point(|c| c.last().is_some_and(|&last| last < value));
        match self.chunks.get(chunk) {
            None => self.len,
            Some(c) => chunk * CHUNK + c.partition_point(|&x| x < value),
        }
    }
}

/// Bytes per arena chunk: big enough that per-chunk overhead and tail slack are negligible.
const ARENA_CHUNK: usize = 1 << 20;

/// Append-only text storage in chunks; a chunk is never reallocated once created.
#[derive(Debug, Default)]
struct Arena {
    chunks: Vec<String>,
}

impl Arena {
    /// Store `text`; returns (chunk, offset).
    fn push(&mut self, text: &str) -> (u32, u32) {
        let fits = self
            .chunks
            .last()
            .is_some_and(|c| c.capacity() - c.len() >= text.len());
        if !fits {
            self.chunks
                .push(String::with_capacity(ARENA_CHUNK.max(text.len())));
        }
        let chunk_index = self.chunks.len() - 1;
        let mut offset = 0;
        if let Some(c) = self.chunks.last_mut() {
            offset = c.len();
            c.push_str(text);
        }
        (chunk_index as u32, offset as u32)
    }

    fn get(&self, chunk: u32, offset: u32, len: u32) -> &str {
        let start = offset as usize;
        self.chunks
            .get(chunk as usize)
            .and_then(|c| c.get(start..start + len as usize))
            .unwrap_or("")
    }

    fn heap_bytes(&self) -> usize {
        self.chunks.capacity() * std::mem::size_of::<String>()
            + self.chunks.iter().map(String::capacity).sum::<usize>()
    }
}

/// Strings used by many events (type names, thread ids), stored once.
#[derive(Debug, Default)]
struct Interner {
    names: Vec<Box<str>>,
    ids: FxHashMap<Box<str>, u32>,
}

impl Interner {
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.into());
        self.ids.insert(name.into(), id);
        id
    }
    fn lookup(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }
    fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map(|s| &**s).unwrap_or("")
    }
    fn heap_bytes(&self) -> usize {
        let strings: usize = self.names.iter().map(|s| s.len() * 2).sum();
        strings
            + self.names.capacity() * std::mem::size_of::<Box<str>>()
            + map_heap_bytes(self.ids.capacity(), std::mem::size_of::<(Box<str>, u32)>())
    }
}

/// Estimated heap bytes of a std `HashMap` with `capacity` and entries of `entry` bytes
/// (SwissTable: power-of-two buckets at most 7/8 full, one control byte per bucket).
fn map_heap_bytes(capacity: usize, entry: usize) -> usize {
    if capacity == 0 {
        return 0;
    }
    let buckets = (capacity * 8 / 7).next_power_of_two();
    buckets * (entry + 1) + 16
}

/// Per-event header: 28 bytes.
#[derive(Debug, Clone, Copy)]
struct Header {
    chunk: u32,
    offset: u32,
    len: u32,
    /// Offset of the id text within the raw JSON.
    id_offset: u32,
    /// Offset of the `processed_at` text within the raw JSON.
    processed_offset: u32,
    type_id: u16,
    /// 0 = the id has escapes and lives in `Transcript::escaped_ids`.
    id_len: u8,
    /// 0 = `processed_at` is null or absent.
    processed_len: u8,
    class: u8,
}

/// Thread intern id of the primary thread (events without `session_thread_id`).
const PRIMARY_THREAD: u32 = 0;

/// Where a borrowed field of `raw` sits, if it is a sub-slice of it (no escapes) and short enough.
fn span_in(raw: &str, field: &str, max_len: usize) -> Option<(u32, usize)> {
    let base = raw.as_ptr() as usize;
    let start = field.as_ptr() as usize;
    if start < base || start + field.len() > base + raw.len() || field.len() > max_len {
        return None;
    }
    Some(((start - base) as u32, field.len()))
}

// ---------------------------------------------------------------------------------------------

/// The stored events of one session (or thread), in the order they were first seen.
#[derive(Debug)]
pub struct Transcript {
    arena: Arena,
    headers: ChunkedVec<Header>,
    /// 32-bit id hash → event index.
    by_hash: std::collections::HashMap<u32, u32, FxBuildHasher>,
    /// Ids whose hash collided with a different id already in `by_hash`.
    overflow: FxHashMap<Box<str>, u32>,
    /// Ids that contain JSON escapes (cannot point into the raw text).
    escaped_ids: FxHashMap<u32, Box<str>>,
    types: Interner,
    threads: Interner,
    /// Sorted event indexes per class (all threads).
    by_class: [ChunkedVec<u32>; 6],
    /// Sorted event indexes per thread (intern id) per class; 0 = primary.
    by_thread_class: Vec<[ChunkedVec<u32>; 6]>,
    /// Result/confirmation → use, use → result.
    pairs: FxHashMap<u32, u32>,
    /// Use → confirmation.
    confirmations: FxHashMap<u32, u32>,
    /// Answers seen before the use they answer: use id → answer indexes.
    orphans: FxHashMap<Box<str>, Vec<u32>>,
    raw_bytes: usize,
}

impl Default for Transcript {
    fn default() -> Self {
        Self::new()
    }
}

impl Transcript {
    pub fn new() -> Self {
        let mut threads = Interner::default();
        // Intern id 0 is the primary thread.
        threads.intern("");
        Transcript {
            arena: Arena::default(),
            headers: ChunkedVec::default(),
            by_hash: Default::default(),
            overflow: FxHashMap::default(),
            escaped_ids: FxHashMap::default(),
            types: Interner::default(),
            threads,
            by_class: Default::default(),
            by_thread_class: vec![Default::default()],
            pairs: FxHashMap::default(),
            confirmations: FxHashMap::default(),
            orphans: FxHashMap::default(),
            raw_bytes: 0,
        }
    }
    pub fn len(&self) -> usize {
        self.headers.len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Offer one event's raw JSON; merges by id.
    pub fn upsert(&mut self, raw: &str) -> Upsert {
        let Some(head) = EventHead::parse(raw) else {
            return Upsert::Invalid;
        };
        let (Some(id), Some(type_name)) = (head.id.as_deref(), head.type_name.as_deref()) else {
            return Upsert::Invalid;
        };
        if id.is_empty() || raw.len() > u32::MAX as usize {
            return Upsert::Invalid;
        }
        if let Some(index) = self.find(id) {
            let Some(old) = self.headers.get(index) else {
                return Upsert::Invalid;
            };
            if old.processed_len == 0 && head.processed_at.is_some() {
                let mut header = self.make_header(raw, &head, id, type_name, index as u32);
                // The class index vectors already hold this event: keep its class.
                header.class = old.class;
                if let Some(slot) = self.headers.get_mut(index) {
                    *slot = header;
                }
                self.raw_bytes += raw.len();
                return Upsert::Updated(index);
            }
            return Upsert::Duplicate;
        }
        let index = self.headers.len() as u32;
        let header = self.make_header(raw, &head, id, type_name, index);
        self.headers.push(header);
        self.raw_bytes += raw.len();
        match self.by_hash.entry(id_hash(id)) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(index);
            }
            std::collections::hash_map::Entry::Occupied(_) => {
                self.overflow.insert(id.into(), index);
            }
        }
        let slot = usize::from(header.class);
        if let Some(v) = self.by_class.get_mut(slot) {
            v.push(index);
        }
        let thread = match head.session_thread_id.as_deref() {
            Some(t) if !t.is_empty() => self.threads.intern(t),
            _ => PRIMARY_THREAD,
        };
        while self.by_thread_class.len() <= thread as usize {
            self.by_thread_class.push(Default::default());
        }
        if let Some(v) = self
            .by_thread_class
            .get_mut(thread as usize)
            .and_then(|lists| lists.get_mut(slot))
        {
            v.push(index);
        }
        self.link_tools(index, id, type_name, &head);
        Upsert::Inserted(index as usize)
    }

    fn make_header(
        &mut self,
        raw: &str,
        head: &EventHead<'_>,
        id: &str,
        type_name: &str,
        index: u32,
    ) -> Header {
        let (chunk, offset) = self.arena.push(raw);
        let (id_offset, id_len) = match span_in(raw, id, u8::MAX as usize) {
            Some((o, l)) => (o, l as u8),
            None => {
                self.escaped_ids.insert(index, id.into());
                (0, 0)
            }
        };
        let (processed_offset, processed_len) = match head.processed_at.as_deref() {
            Some(p) => match span_in(raw, p, u8::MAX as usize) {
                Some((o, l)) if l > 0 => (o, l as u8),
                _ => (0, 0),
            },
            None => (0, 0),
        };
        let type_id = self.types.intern(type_name).min(u32::from(u16::MAX)) as u16;
        Header {
            chunk,
            offset,
            len: raw.len() as u32,
            id_offset,
            processed_offset,
            type_id,
            id_len,
            processed_len,
            class: EventClass::of(type_name, head.is_error).slot() as u8,
        }
    }

    fn link_tools(&mut self, index: u32, id: &str, type_name: &str, head: &EventHead<'_>) {
        let is_confirmation = type_name == "user.tool_confirmation";
        if let Some(use_id) = head.answers() {
            match self.find(use_id) {
                Some(use_index) => self.link(use_index as u32, index, is_confirmation),
                None => self.orphans.entry(use_id.into()).or_default().push(index),
            }
        }
        if matches!(
            type_name,
            "agent.tool_use" | "agent.mcp_tool_use" | "agent.custom_tool_use"
        ) && let Some(answers) = self.orphans.remove(id)
        {
            for answer in answers {
                let confirmation = self
                    .get(answer as usize)
                    .is_some_and(|e| e.type_name == "user.tool_confirmation");
                self.link(index, answer, confirmation);
            }
        }
    }

    fn link(&mut self, use_index: u32, answer: u32, is_confirmation: bool) {
        self.pairs.insert(answer, use_index);
        if is_confirmation {
            self.confirmations.insert(use_index, answer);
        } else {
            self.pairs.insert(use_index, answer);
        }
    }

    pub fn get(&self, index: usize) -> Option<EventRef<'_>> {
        let h = self.headers.get(index)?;
        let raw = self.arena.get(h.chunk, h.offset, h.len);
        let id = if h.id_len == 0 {
            self.escaped_ids
                .get(&(index as u32))
                .map(|s| &**s)
                .unwrap_or("")
        } else {
            let start = h.id_offset as usize;
            raw.get(start..start + usize::from(h.id_len)).unwrap_or("")
        };
        Some(EventRef {
            index,
            type_name: self.types.name(u32::from(h.type_id)),
            id,
            class: EventClass::from_slot(h.class),
            raw,
        })
    }

    pub fn find(&self, id: &str) -> Option<usize> {
        if let Some(&index) = self.by_hash.get(&id_hash(id))
            && self.get(index as usize).is_some_and(|e| e.id == id)
        {
            return Some(index as usize);
        }
        self.overflow.get(id).map(|&i| i as usize)
    }

    /// The event's `processed_at`, `None` while a user event is queued.
    pub fn processed_at(&self, index: usize) -> Option<&str> {
        let h = self.headers.get(index)?;
        if h.processed_len == 0 {
            return None;
        }
        let raw = self.arena.get(h.chunk, h.offset, h.len);
        let start = h.processed_offset as usize;
        raw.get(start..start + usize::from(h.processed_len))
    }

    /// Thread ids seen so far (excluding the primary thread), in first-seen order.
    pub fn threads(&self) -> Vec<&str> {
        self.threads.names.iter().skip(1).map(|s| &**s).collect()
    }

    /// For a tool use with a `user.tool_confirmation`, that confirmation.
    pub fn tool_confirmation(&self, index: usize) -> Option<usize> {
        self.confirmations.get(&(index as u32)).map(|&i| i as usize)
    }

    /// The sorted index lists that make up `filter`'s view; `None` = every event.
    fn lists(&self, filter: &Filter) -> Option<Vec<&ChunkedVec<u32>>> {
        let all_classes = filter.classes.is_empty();
        let wanted = |slot: usize| all_classes || filter.classes.iter().any(|c| c.slot() == slot);
        match filter.thread.as_deref() {
            None if all_classes => None,
            None => Some(
                self.by_class
                    .iter()
                    .enumerate()
                    .filter(|(slot, _)| wanted(*slot))
                    .map(|(_, v)| v)
                    .collect(),
            ),
            Some(thread) => {
                let lists = self
                    .threads
                    .lookup(thread)
                    .and_then(|t| self.by_thread_class.get(t as usize));
                Some(match lists {
                    None => Vec::new(),
                    Some(lists) => lists
                        .iter()
                        .enumerate()
                        .filter(|(slot, _)| wanted(*slot))
                        .map(|(_, v)| v)
                        .collect(),
                })
            }
        }
    }

    /// Number of events `filter` shows.
    pub fn count(&self, filter: &Filter) -> usize {
        match self.lists(filter) {
            None => self.len(),
            Some(lists) => lists.iter().map(|l| l.len()).sum(),
        }
    }

    /// How many events of `filter`'s view come before event `index` (its row when shown),
    /// without scanning history.
    pub fn rank(&self, filter: &Filter, index: usize) -> usize {
        match self.lists(filter) {
            None => index.min(self.len()),
            Some(lists) => lists.iter().map(|l| l.lower_bound(index as u32)).sum(),
        }
    }

    /// The row of event `index` in `filter`'s view, if the view shows it.
    pub fn row_of(&self, filter: &Filter, index: usize) -> Option<usize> {
        let row = self.rank(filter, index);
        (self.rows(filter, row..row + 1).first()?.index == index).then_some(row)
    }

    /// Rows `range` of the filtered view, without scanning history.
    pub fn rows(&self, filter: &Filter, range: std::ops::Range<usize>) -> Vec<EventRef<'_>> {
        let Some(lists) = self.lists(filter) else {
            let end = range.end.min(self.len());
            return (range.start.min(end)..end)
                .filter_map(|i| self.get(i))
                .collect();
        };
        let total: usize = lists.iter().map(|l| l.len()).sum();
        let end = range.end.min(total);
        let start = range.start.min(end);
        if start == end {
            return Vec::new();
        }
        // Find the event index of row `start`: the smallest v with (#elements <= v) > start.
        let below = |v: u32| lists.iter().map(|l| l.lower_bound(v)).sum::<usize>();
        let (mut lo, mut hi) = (0u64, self.len() as u64);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if below(mid as u32 + 1) > start {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        // Merge the lists from there.
        let mut cursors: Vec<usize> = lists.iter().map(|l| l.lower_bound(lo as u32)).collect();
        let mut out = Vec::with_capacity(end - start);
        while out.len() < end - start {
            let mut best: Option<(usize, u32)> = None;
            for (k, list) in lists.iter().enumerate() {
                if let Some(v) = cursors.get(k).and_then(|&c| list.get(c))
                    && best.is_none_or(|(_, b)| v < b)
                {
                    best = Some((k, v));
                }
            }
            let Some((k, v)) = best else { break };
            if let Some(c) = cursors.get_mut(k) {
                *c += 1;
            }
            if let Some(e) = self.get(v as usize) {
                out.push(e);
            }
        }
        out
    }

    /// For a tool use (built-in, MCP or custom), its result; for a result, its use.
    /// For a `user.tool_confirmation`, the use it confirms.
    pub fn tool_pair(&self, index: usize) -> Option<usize> {
        self.pairs.get(&(index as u32)).map(|&i| i as usize)
    }

    /// Bytes of raw JSON offered and stored (replaced copies count too: they stay in the arena).
    pub fn raw_bytes(&self) -> usize {
        self.raw_bytes
    }

    /// The transcript's own estimate of its heap footprint (capacities, not lengths).
    pub fn heap_bytes(&self) -> usize {
        let pair = std::mem::size_of::<(u32, u32)>();
        self.arena.heap_bytes()
            + self.headers.heap_bytes()
            + map_heap_bytes(self.by_hash.capacity(), pair)
            + map_heap_bytes(
                self.overflow.capacity(),
                std::mem::size_of::<(Box<str>, u32)>(),
            )
            + self.overflow.keys().map(|k| k.len()).sum::<usize>()
            + map_heap_bytes(
                self.escaped_ids.capacity(),
                std::mem::size_of::<(u32, Box<str>)>(),
            )
            + self.escaped_ids.values().map(|k| k.len()).sum::<usize>()
            + self.types.heap_bytes()
            + self.threads.heap_bytes()
            + self.by_class.iter().map(|v| v.heap_bytes()).sum::<usize>()
            + self.by_thread_class.capacity() * std::mem::size_of::<[ChunkedVec<u32>; 6]>()
            + self
                .by_thread_class
                .iter()
                .flat_map(|l| l.iter())
                .map(|v| v.heap_bytes())
                .sum::<usize>()
            + map_heap_bytes(self.pairs.capacity(), pair)
            + map_heap_bytes(self.confirmations.capacity(), pair)
            + map_heap_bytes(
                self.orphans.capacity(),
                std::mem::size_of::<(Box<str>, Vec<u32>)>(),
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: &str, ty: &str) -> String {
        format!(r#"{{"type":"{ty}","id":"{id}","processed_at":"2026-01-01T00:00:00Z"}}"#)
    }

    #[test]
    fn inserts_then_finds_and_rejects_duplicates() {
        let mut t = Transcript::new();
        assert_eq!(t.upsert(&ev("a", "agent.message")), Upsert::Inserted(0));
        assert_eq!(
            t.upsert(&ev("b", "session.status_idle")),
            Upsert::Inserted(1)
        );
        assert_eq!(t.upsert(&ev("a", "agent.message")), Upsert::Duplicate);
        assert_eq!(t.len(), 2);
        assert_eq!(t.find("b"), Some(1));
        assert_eq!(t.find("zz"), None);
        let e = t.get(1).unwrap();
        assert_eq!(e.id, "b");
        assert_eq!(e.type_name, "session.status_idle");
        assert_eq!(e.class, EventClass::Status);
        assert_eq!(e.raw, ev("b", "session.status_idle"));
        assert_eq!(t.processed_at(1), Some("2026-01-01T00:00:00Z"));
    }

    #[test]
    fn invalid_json_or_missing_fields_are_invalid() {
        let mut t = Transcript::new();
        assert_eq!(t.upsert("not json"), Upsert::Invalid);
        assert_eq!(t.upsert(r#"{"type":"x"}"#), Upsert::Invalid);
        assert_eq!(t.upsert(r#"{"id":"x"}"#), Upsert::Invalid);
        assert_eq!(t.upsert(r#"[1,2]"#), Upsert::Invalid);
        assert_eq!(t.upsert(r#"{"id":5,"type":"x"}"#), Upsert::Invalid);
        assert_eq!(t.upsert(r#"{"id":"","type":"x"}"#), Upsert::Invalid);
        assert!(t.is_empty());
        // An unexpected type on an optional field does not reject the event.
        assert_eq!(
            t.upsert(r#"{"id":"q","type":"future.kind","session_thread_id":7,"is_error":"yes"}"#),
            Upsert::Inserted(0)
        );
        assert_eq!(t.get(0).unwrap().class, EventClass::Other);
    }

    #[test]
    fn queued_user_event_is_replaced_in_place_when_processed() {
        let mut t = Transcript::new();
        let queued = r#"{"type":"user.message","id":"u1","processed_at":null,"content":[]}"#;
        let done = r#"{"type":"user.message","id":"u1","processed_at":"2026-01-01T00:00:02Z","content":[]}"#;
        assert_eq!(t.upsert(queued), Upsert::Inserted(0));
        assert_eq!(t.processed_at(0), None);
        assert_eq!(
            t.upsert(&ev("s", "session.status_running")),
            Upsert::Inserted(1)
        );
        assert_eq!(t.upsert(done), Upsert::Updated(0));
        assert_eq!(t.get(0).unwrap().raw, done);
        assert_eq!(t.processed_at(0), Some("2026-01-01T00:00:02Z"));
        // Once processed, later copies (queued or not) are duplicates.
        assert_eq!(t.upsert(queued), Upsert::Duplicate);
        assert_eq!(t.upsert(done), Upsert::Duplicate);
        assert_eq!(t.find("u1"), Some(0));
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn pairs_every_kind_of_tool_call_in_either_order() {
        let mut t = Transcript::new();
        t.upsert(r#"{"type":"agent.tool_use","id":"tu","name":"bash","input":{}}"#);
        t.upsert(
            r#"{"type":"user.tool_confirmation","id":"c1","tool_use_id":"tu","result":"allow"}"#,
        );
        t.upsert(r#"{"type":"agent.tool_result","id":"tr","tool_use_id":"tu"}"#);
        // Result before its use (e.g. history seen out of order).
        t.upsert(
            r#"{"type":"agent.mcp_tool_result","id":"mr","mcp_tool_use_id":"mu","is_error":true}"#,
        );
        t.upsert(r#"{"type":"agent.mcp_tool_use","id":"mu","name":"x","mcp_server_name":"s"}"#);
        t.upsert(r#"{"type":"agent.custom_tool_use","id":"cu","name":"ask"}"#);
        t.upsert(r#"{"type":"user.custom_tool_result","id":"cr","custom_tool_use_id":"cu"}"#);
        let i = |id: &str| t.find(id).unwrap();
        assert_eq!(t.tool_pair(i("tu")), Some(i("tr")));
        assert_eq!(t.tool_pair(i("tr")), Some(i("tu")));
        assert_eq!(t.tool_pair(i("c1")), Some(i("tu")));
        assert_eq!(t.tool_confirmation(i("tu")), Some(i("c1")));
        assert_eq!(t.tool_pair(i("mu")), Some(i("mr")));
        assert_eq!(t.tool_pair(i("mr")), Some(i("mu")));
        assert_eq!(t.tool_pair(i("cu")), Some(i("cr")));
        assert_eq!(t.tool_pair(i("cr")), Some(i("cu")));
        assert_eq!(t.get(i("mr")).unwrap().class, EventClass::Error);
        assert_eq!(t.get(i("tr")).unwrap().class, EventClass::Tool);
    }

    #[test]
    fn default_is_new_and_keeps_threads_apart_from_primary() {
        let mut t = Transcript::default();
        t.upsert(r#"{"type":"agent.message","id":"a","session_thread_id":"sthr_1"}"#);
        t.upsert(r#"{"type":"agent.message","id":"b"}"#);
        let primary = Filter {
            classes: vec![],
            thread: Some(String::new()),
        };
        let got: Vec<&str> = t.rows(&primary, 0..10).iter().map(|r| r.id).collect();
        assert_eq!(got, vec!["b"]);
    }

    #[test]
    fn escaped_ids_are_found() {
        let mut t = Transcript::new();
        assert_eq!(
            t.upsert(r#"{"type":"agent.message","id":"a\"b\u0041"}"#),
            Upsert::Inserted(0)
        );
        assert_eq!(t.find("a\"bA"), Some(0));
        assert_eq!(t.get(0).unwrap().id, "a\"bA");
    }

    #[test]
    fn filtered_rows_by_class_and_thread() {
        let mut t = Transcript::new();
        let mut msgs = Vec::new();
        for i in 0..10_000 {
            let id = format!("e{i}");
            let raw = match i % 5 {
                0 => {
                    msgs.push(i);
                    format!(r#"{{"type":"agent.message","id":"{id}"}}"#)
                }
                1 => format!(r#"{{"type":"span.model_request_start","id":"{id}"}}"#),
                2 => format!(
                    r#"{{"type":"agent.tool_use","id":"{id}","session_thread_id":"sthr_{}"}}"#,
                    i % 3
                ),
                3 => format!(r#"{{"type":"session.status_idle","id":"{id}"}}"#),
                _ => format!(r#"{{"type":"agent.thinking","id":"{id}"}}"#),
            };
            assert_eq!(t.upsert(&raw), Upsert::Inserted(i));
        }
        let all = Filter::default();
        assert_eq!(t.count(&all), 10_000);
        assert_eq!(t.rows(&all, 9_998..20_000).len(), 2);
        let messages = Filter {
            classes: vec![EventClass::Message],
            thread: None,
        };
        assert_eq!(t.count(&messages), 2_000);
        let rows = t.rows(&messages, 1_500..1_503);
        let got: Vec<usize> = rows.iter().map(|r| r.index).collect();
        assert_eq!(got, vec![msgs[1_500], msgs[1_501], msgs[1_502]]);
        let two = Filter {
            classes: vec![EventClass::Span, EventClass::Status],
            thread: None,
        };
        assert_eq!(t.count(&two), 4_000);
        let got: Vec<usize> = t.rows(&two, 5..9).iter().map(|r| r.index).collect();
        // Spans are at 5k+1, statuses at 5k+3: row 5 is the third status (index 13).
        assert_eq!(got, vec![13, 16, 18, 21]);
        let thread = Filter {
            classes: vec![],
            thread: Some("sthr_1".into()),
        };
        let got: Vec<usize> = t.rows(&thread, 0..3).iter().map(|r| r.index).collect();
        assert_eq!(got, vec![7, 22, 37]);
        assert_eq!(
            t.count(&thread),
            (0..10_000).filter(|i| i % 5 == 2 && i % 3 == 1).count()
        );
        let primary = Filter {
            classes: vec![EventClass::Tool],
            thread: Some(String::new()),
        };
        assert_eq!(t.count(&primary), 0);
        let unknown = Filter {
            classes: vec![],
            thread: Some("sthr_nope".into()),
        };
        assert_eq!(t.count(&unknown), 0);
        assert!(t.rows(&unknown, 0..10).is_empty());
        assert_eq!(t.threads(), vec!["sthr_2", "sthr_1", "sthr_0"]);
    }

    proptest::proptest! {
        /// `rows` over any filter equals a naive scan of the whole transcript.
        #[test]
        fn rows_match_a_naive_scan(
            kinds in proptest::collection::vec((0usize..6, 0usize..3), 0..300),
            classes in proptest::collection::vec(0usize..6, 0..4),
            thread in proptest::option::of(0usize..4),
            start in 0usize..320,
            len in 0usize..40,
        ) {
            let types = ["agent.message", "agent.tool_use", "session.error",
                "session.status_idle", "span.model_request_end", "agent.thinking"];
            let mut t = Transcript::new();
            for (i, (k, th)) in kinds.iter().enumerate() {
                let thread_field = if *th == 0 { String::new() } else { format!(r#","session_thread_id":"t{th}""#) };
                t.upsert(&format!(r#"{{"type":"{}","id":"e{i}"{thread_field}}}"#, types[*k]));
            }
            let filter = Filter {
                classes: classes.iter().map(|&c| EventClass::ALL[c]).collect(),
                thread: thread.map(|th| if th == 0 { String::new() } else { format!("t{th}") }),
            };
            let expected: Vec<usize> = kinds.iter().enumerate().filter(|(_, (k, th))| {
                let class = EventClass::of(types[*k], false);
                (filter.classes.is_empty() || filter.classes.contains(&class))
                    && filter.thread.as_ref().is_none_or(|f| *f == if *th == 0 { String::new() } else { format!("t{th}") })
            }).map(|(i, _)| i).collect();
            proptest::prop_assert_eq!(t.count(&filter), expected.len());
            let got: Vec<usize> = t.rows(&filter, start..start + len).iter().map(|r| r.index).collect();
            let want: Vec<usize> = expected.iter().skip(start).take(len).copied().collect();
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn heap_bytes_stay_near_raw_bytes() {
        let mut t = Transcript::new();
        let pad = "x".repeat(150);
        for i in 0..200_000 {
            let raw = format!(
                r#"{{"type":"agent.message","id":"sevt_{i:020}","processed_at":"2026-01-01T00:00:00.000Z","content":[{{"type":"text","text":"{pad}"}}]}}"#
            );
            t.upsert(&raw);
        }
        let ratio = t.heap_bytes() as f64 / t.raw_bytes() as f64;
        assert!(ratio < 1.3, "heap/raw = {ratio}");
        assert!(t.heap_bytes() > t.raw_bytes());
    }
}

#[cfg(test)]
mod hostile {
    use super::*;
    use proptest::prelude::*;

    fn event_text() -> impl Strategy<Value = String> {
        (
            "[a-z\\\\\"]{1,6}",
            prop::sample::select(vec![
                "agent.tool_result",
                "user.tool_confirmation",
                "agent.tool_use",
                "x",
            ]),
            prop::option::of("[a-z]{1,3}"),
            prop::option::of("[a-z]{1,3}"),
            any::<bool>(),
        )
            .prop_map(|(id, ty, use_id, thread, processed)| {
                let id = serde_json::to_string(&id).unwrap_or_default();
                let at = if processed {
                    "\"2026-01-01T00:00:00Z\""
                } else {
                    "null"
                };
                let mut s = format!(r#"{{"id":{id},"type":"{ty}","processed_at":{at}"#);
                if let Some(u) = use_id {
                    s.push_str(&format!(r#","tool_use_id":"{u}""#));
                }
                if let Some(t) = thread {
                    s.push_str(&format!(r#","session_thread_id":"{t}""#));
                }
                s.push('}');
                s
            })
    }

    proptest! {
        /// Any text, JSON or not, is either stored or rejected, never a panic; whatever is
        /// stored reads back byte for byte and is found by its id.
        #[test]
        fn any_text_is_stored_or_rejected(
            texts in prop::collection::vec(prop_oneof![".{0,80}", event_text()], 0..40)
        ) {
            let mut t = Transcript::new();
            for text in &texts {
                if let Upsert::Inserted(i) | Upsert::Updated(i) = t.upsert(text) {
                    let stored = t.get(i).map(|e| (e.raw.to_owned(), e.id.to_owned()));
                    let Some((raw, id)) = stored else {
                        return Err(TestCaseError::fail("stored event not readable"));
                    };
                    prop_assert_eq!(&raw, text);
                    prop_assert_eq!(t.find(&id), Some(i));
                }
            }
            for i in 0..t.len() {
                if let Some(j) = t.tool_pair(i) {
                    prop_assert!(j < t.len());
                }
            }
            prop_assert_eq!(t.count(&Filter::default()), t.len());
        }
    }
}
