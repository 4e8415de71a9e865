//! The stored events of one session, compact and indexed.
//! CONTRACT STUB (owner: feed helper) — keep these names and signatures; add freely.

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

#[derive(Debug, Default)]
pub struct Transcript {
    _private: (),
}

impl Transcript {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn len(&self) -> usize {
        todo!("feed helper")
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Offer one event's raw JSON; merges by id.
    pub fn upsert(&mut self, _raw: &str) -> Upsert {
        todo!("feed helper")
    }
    pub fn get(&self, _index: usize) -> Option<EventRef<'_>> {
        todo!("feed helper")
    }
    pub fn find(&self, _id: &str) -> Option<usize> {
        todo!("feed helper")
    }
    /// Number of events `filter` shows.
    pub fn count(&self, _filter: &Filter) -> usize {
        todo!("feed helper")
    }
    /// Rows `range` of the filtered view, without scanning history.
    pub fn rows(&self, _filter: &Filter, _range: std::ops::Range<usize>) -> Vec<EventRef<'_>> {
        todo!("feed helper")
    }
    /// For a tool use (built-in, MCP or custom), its result; for a result, its use.
    pub fn tool_pair(&self, _index: usize) -> Option<usize> {
        todo!("feed helper")
    }
}
