//! Sessions index and derived session states.
//!
//! The Session resource only has `status` (`running` / `idle` / `rescheduling` / `terminated`);
//! *why* a session is idle (waiting for an approval, for a custom tool result, out of budget,
//! out of retries) is only in its events. [`Evidence`] folds a session's latest status and error
//! events into the facts the derivation needs; the poller feeds it recent events and the live
//! feed of the watched session keeps it current. [`sync`] merges what a poll round learned.

use std::collections::{HashMap, HashSet};

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config as MatchConfig, Matcher, Utf32Str};
use serde_json::Value;

use crate::text;

pub mod sync;

/// What a person supervising the session needs to know, derived from status + events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DerivedState {
    NeedsApproval,
    NeedsInput,
    Errored,
    BudgetReached,
    Running,
    Rescheduling,
    Idle,
    Terminated,
    Archived,
}

impl DerivedState {
    pub const ALL: [DerivedState; 9] = [
        DerivedState::NeedsApproval,
        DerivedState::NeedsInput,
        DerivedState::Errored,
        DerivedState::BudgetReached,
        DerivedState::Running,
        DerivedState::Rescheduling,
        DerivedState::Idle,
        DerivedState::Terminated,
        DerivedState::Archived,
    ];

    pub fn label(self) -> &'static str {
        match self {
            DerivedState::Running => "running",
            DerivedState::Idle => "idle",
            DerivedState::NeedsApproval => "needs approval",
            DerivedState::NeedsInput => "needs input",
            DerivedState::Rescheduling => "rescheduling",
            DerivedState::Errored => "errored",
            DerivedState::BudgetReached => "budget reached",
            DerivedState::Terminated => "terminated",
            DerivedState::Archived => "archived",
        }
    }

    /// A glyph per state, so state never depends on colour alone.
    pub fn glyph(self) -> &'static str {
        match self {
            DerivedState::Running => "▶",
            DerivedState::Idle => "○",
            DerivedState::NeedsApproval => "⚑",
            DerivedState::NeedsInput => "✎",
            DerivedState::Rescheduling => "↻",
            DerivedState::Errored => "✖",
            DerivedState::BudgetReached => "$",
            DerivedState::Terminated => "■",
            DerivedState::Archived => "▪",
        }
    }

    /// A human has to act.
    pub fn needs_you(self) -> bool {
        matches!(self, DerivedState::NeedsApproval | DerivedState::NeedsInput)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// Parse an RFC 3339 timestamp to unix seconds.
pub fn parse_ts(v: Option<&Value>) -> Option<i64> {
    let s = v?.as_str()?;
    s.parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
}

/// The list columns of one session, parsed leniently from the Session JSON.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SessionSummary {
    pub id: String,
    /// Sanitized; the id when the session has no title.
    pub title: String,
    pub agent: String,
    pub model: String,
    /// The wire `status` as given.
    pub status: String,
    pub archived: bool,
    /// When it was archived (the archived state's clock starts here).
    pub archived_at: Option<i64>,
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
    /// Input + output tokens (as `overseer sessions` counts them).
    pub tokens: u64,
    /// `usage.list_cost` in minor units (cents for USD).
    pub cost_minor: Option<i64>,
    pub currency: String,
    pub multiagent: bool,
    /// `budget.max_list_cost` in minor units, when the session has a budget.
    pub budget_minor: Option<i64>,
}

fn u64_at(v: &Value, path: &[&str]) -> u64 {
    let mut cur = v;
    for p in path {
        match cur.get(p) {
            Some(x) => cur = x,
            None => return 0,
        }
    }
    cur.as_u64().unwrap_or(0)
}

/// One page of `GET /v1/sessions`, read leniently: each item is parsed on its own, so one
/// unreadable session (a lone surrogate, nesting past the parser's limit, no id) costs that
/// session only.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SessionPage {
    pub sessions: Vec<SessionSummary>,
    /// Items that could not be read.
    pub skipped: usize,
    /// Items on the page, readable or not (an empty page ends the listing).
    pub items: usize,
    pub next_page: Option<String>,
}

impl SessionPage {
    /// `Err` only when the page itself is not `{"data": [...], "next_page": ...}`.
    pub fn parse(body: &[u8]) -> Result<SessionPage, serde_json::Error> {
        #[derive(serde::Deserialize)]
        struct Raw<'a> {
            #[serde(borrow)]
            data: Vec<&'a serde_json::value::RawValue>,
            #[serde(default)]
            next_page: Option<String>,
        }
        let raw: Raw<'_> = serde_json::from_slice(body)?;
        let mut page = SessionPage {
            items: raw.data.len(),
            next_page: raw.next_page,
            ..SessionPage::default()
        };
        for item in raw.data {
            match serde_json::from_str::<Value>(item.get())
                .ok()
                .as_ref()
                .and_then(SessionSummary::from_json)
            {
                Some(s) => page.sessions.push(s),
                None => page.skipped += 1,
            }
        }
        Ok(page)
    }
}

impl SessionSummary {
    /// `None` when the object has no string `id`.
    pub fn from_json(v: &Value) -> Option<SessionSummary> {
        let id = v.get("id")?.as_str()?.to_string();
        let title = v
            .get("title")
            .and_then(Value::as_str)
            .map(text::one_line)
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| text::one_line(&id));
        let agent = v.get("agent").cloned().unwrap_or(Value::Null);
        let model = match agent.get("model") {
            Some(Value::String(s)) => s.clone(),
            Some(m) => m
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            None => String::new(),
        };
        let usage = v.get("usage").cloned().unwrap_or(Value::Null);
        // The same count `overseer sessions` prints (cache reads and writes are not in it).
        let tokens = u64_at(&usage, &["input_tokens"]) + u64_at(&usage, &["output_tokens"]);
        let cost = usage.get("list_cost");
        let cost_minor = cost.and_then(|c| match c.get("amount") {
            Some(Value::String(s)) => s.parse::<i64>().ok(),
            Some(Value::Number(n)) => n.as_i64(),
            _ => None,
        });
        Some(SessionSummary {
            title,
            agent: text::one_line(agent.get("name").and_then(Value::as_str).unwrap_or("")),
            model: text::one_line(&model),
            status: v
                .get("status")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            archived: v.get("archived_at").is_some_and(|a| !a.is_null()),
            archived_at: parse_ts(v.get("archived_at")),
            created_at: parse_ts(v.get("created_at")),
            updated_at: parse_ts(v.get("updated_at")),
            tokens,
            cost_minor,
            currency: cost
                .and_then(|c| c.get("currency"))
                .and_then(Value::as_str)
                .unwrap_or("USD")
                .to_string(),
            multiagent: agent.get("multiagent").is_some_and(|m| !m.is_null()),
            budget_minor: match v.pointer("/budget/max_list_cost/amount") {
                Some(Value::String(s)) => s.parse::<i64>().ok(),
                Some(Value::Number(n)) => n.as_i64(),
                _ => None,
            },
            id,
        })
    }
}

/// Why the session last went idle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    EndTurn,
    RequiresAction { event_ids: Vec<String> },
    RetriesExhausted,
    BudgetReached,
    Refusal,
    Other(String),
}

/// Facts from a session's status and error events, folded in time order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    /// The wire status the latest status event implies (`running`, `idle`, …).
    pub status: Option<&'static str>,
    pub stop: Option<Stop>,
    /// `retry_status.type` of the latest `session.error` of the current turn.
    pub error_retry: Option<String>,
    /// Sanitized message of that error.
    pub error_message: Option<String>,
    /// When the latest status event happened (start of the time-in-state clock).
    pub since: Option<i64>,
    pub last_event_at: Option<i64>,
    /// Ids of `agent.custom_tool_use` events seen (recent ones).
    custom_tool_uses: Vec<String>,
}

impl Evidence {
    /// Fold events given newest first (the order of `GET /events?order=desc`).
    pub fn from_newest_first(events: &[Value]) -> Evidence {
        let mut e = Evidence::default();
        for ev in events.iter().rev() {
            e.observe(ev);
        }
        e
    }

    /// Fold one event that happened after all events folded so far.
    pub fn observe(&mut self, ev: &Value) {
        let at = parse_ts(ev.get("processed_at"));
        if at.is_some() && at > self.last_event_at {
            self.last_event_at = at;
        }
        let kind = ev.get("type").and_then(Value::as_str).unwrap_or("");
        let status = match kind {
            "session.status_running" => Some("running"),
            "session.status_idle" => Some("idle"),
            "session.status_rescheduled" => Some("rescheduling"),
            "session.status_terminated" => Some("terminated"),
            _ => None,
        };
        if let Some(status) = status {
            if self.status != Some(status) || status == "idle" {
                self.since = at.or(self.since);
            }
            self.status = Some(status);
        }
        match kind {
            "session.status_running" => {
                self.stop = None;
                self.error_retry = None;
                self.error_message = None;
            }
            "session.status_idle" => {
                let reason = ev.get("stop_reason");
                let ty = reason.and_then(|r| r.get("type")).and_then(Value::as_str);
                self.stop = Some(match ty {
                    Some("end_turn") => Stop::EndTurn,
                    Some("requires_action") => Stop::RequiresAction {
                        event_ids: reason
                            .and_then(|r| r.get("event_ids"))
                            .and_then(Value::as_array)
                            .map(|ids| {
                                ids.iter()
                                    .filter_map(|i| i.as_str().map(String::from))
                                    .collect()
                            })
                            .unwrap_or_default(),
                    },
                    Some("retries_exhausted") => Stop::RetriesExhausted,
                    Some("budget_reached") => Stop::BudgetReached,
                    Some("refusal") => Stop::Refusal,
                    other => Stop::Other(other.unwrap_or("").to_string()),
                });
            }
            "session.error" => {
                let err = ev.get("error");
                self.error_retry = err
                    .and_then(|e| e.get("retry_status"))
                    .and_then(|r| r.get("type"))
                    .and_then(Value::as_str)
                    .map(String::from);
                self.error_message = err
                    .and_then(|e| e.get("message"))
                    .and_then(Value::as_str)
                    .map(text::one_line);
            }
            "agent.custom_tool_use" => {
                if let Some(id) = ev.get("id").and_then(Value::as_str) {
                    if self.custom_tool_uses.len() >= 64 {
                        self.custom_tool_uses.remove(0);
                    }
                    self.custom_tool_uses.push(id.to_string());
                }
            }
            _ => {}
        }
    }

    /// Blocking events still waiting for a human.
    pub fn pending(&self) -> usize {
        match &self.stop {
            Some(Stop::RequiresAction { event_ids }) if self.status == Some("idle") => {
                event_ids.len()
            }
            _ => 0,
        }
    }
}

/// Derive the state from the resource's status and the evidence from events.
pub fn derive(s: &SessionSummary, e: &Evidence) -> DerivedState {
    if s.archived {
        return DerivedState::Archived;
    }
    // The polled status can lag the live feed; the newer of the two wins.
    let status = match (e.status, e.since, s.updated_at) {
        (Some(st), Some(since), Some(updated)) if since >= updated => st,
        (Some(st), _, None) => st,
        _ => s.status.as_str(),
    };
    match status {
        "running" => DerivedState::Running,
        "rescheduling" => DerivedState::Rescheduling,
        "terminated" if e.error_retry.as_deref() == Some("terminal") => DerivedState::Errored,
        "terminated" => DerivedState::Terminated,
        _ => match &e.stop {
            Some(Stop::RequiresAction { event_ids }) => {
                if event_ids.iter().any(|id| e.custom_tool_uses.contains(id)) {
                    DerivedState::NeedsInput
                } else {
                    DerivedState::NeedsApproval
                }
            }
            Some(Stop::RetriesExhausted) => DerivedState::Errored,
            Some(Stop::BudgetReached) => DerivedState::BudgetReached,
            _ => DerivedState::Idle,
        },
    }
}

/// Columns the list sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    State,
    Title,
    Agent,
    Model,
    TimeInState,
    LastEvent,
    Tokens,
    Cost,
    Pending,
}

impl SortKey {
    pub const ALL: [SortKey; 9] = [
        SortKey::State,
        SortKey::Title,
        SortKey::Agent,
        SortKey::Model,
        SortKey::TimeInState,
        SortKey::LastEvent,
        SortKey::Tokens,
        SortKey::Cost,
        SortKey::Pending,
    ];
    pub fn label(self) -> &'static str {
        match self {
            SortKey::State => "state",
            SortKey::Title => "title",
            SortKey::Agent => "agent",
            SortKey::Model => "model",
            SortKey::TimeInState => "in state",
            SortKey::LastEvent => "last event",
            SortKey::Tokens => "tokens",
            SortKey::Cost => "cost",
            SortKey::Pending => "pending",
        }
    }
    pub fn next(self) -> SortKey {
        let i = SortKey::ALL.iter().position(|k| *k == self).unwrap_or(0);
        SortKey::ALL[(i + 1) % SortKey::ALL.len()]
    }
}

/// One session as the list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionEntry {
    pub summary: SessionSummary,
    pub evidence: Evidence,
    pub state: DerivedState,
}

impl SessionEntry {
    fn new(summary: SessionSummary, evidence: Evidence) -> Self {
        let state = derive(&summary, &evidence);
        SessionEntry {
            summary,
            evidence,
            state,
        }
    }
    /// Start of the time-in-state clock.
    pub fn since(&self) -> Option<i64> {
        if self.state == DerivedState::Archived
            && let Some(at) = self.summary.archived_at
        {
            return Some(at);
        }
        self.evidence
            .since
            .or(self.summary.updated_at)
            .or(self.summary.created_at)
    }
    pub fn last_event_at(&self) -> Option<i64> {
        self.evidence.last_event_at.or(self.summary.updated_at)
    }
    fn haystack(&self) -> String {
        format!(
            "{} {} {} {} {}",
            self.summary.title,
            self.summary.agent,
            self.summary.model,
            self.state.label(),
            self.summary.id
        )
    }

    /// Each plain query word (not `'exact`, `!not`, `^prefix`, `suffix$`) must match the title or
    /// agent fuzzily but tightly, or be a substring of the id, model, state or title: scattered
    /// letters across a long title or an id do not count as a match.
    fn words_match(&self, words: &[String]) -> bool {
        if words.is_empty() {
            return true;
        }
        let fuzzy: Vec<char> = format!("{} {}", self.summary.title, self.summary.agent)
            .to_lowercase()
            .chars()
            .collect();
        let exact = format!(
            "{} {} {}",
            self.summary.id,
            self.summary.model,
            self.state.label()
        )
        .to_lowercase();
        words.iter().all(|w| {
            let w: Vec<char> = w.chars().collect();
            exact.contains(&w.iter().collect::<String>())
                || tightest_span(&fuzzy, &w).is_some_and(|span| span <= w.len() * 3 / 2 + 2)
        })
    }
}

/// Cells of the shortest stretch of `hay` that holds `needle` as a subsequence.
fn tightest_span(hay: &[char], needle: &[char]) -> Option<usize> {
    let first = *needle.first()?;
    let mut best: Option<usize> = None;
    for start in (0..hay.len()).filter(|&i| hay[i] == first) {
        let mut at = start;
        let mut ok = true;
        for &c in &needle[1..] {
            match hay[at + 1..].iter().position(|&h| h == c) {
                Some(p) => at += 1 + p,
                None => {
                    ok = false;
                    break;
                }
            }
        }
        if !ok {
            break;
        }
        let span = at - start + 1;
        best = Some(best.map_or(span, |b| b.min(span)));
    }
    best
}

/// The plain words of a filter, lowercased (the special atoms are left to the pattern).
fn plain_words(filter: &str) -> Vec<String> {
    filter
        .split_whitespace()
        .filter(|w| !w.starts_with(['\'', '!', '^']) && !w.ends_with('$'))
        .map(str::to_lowercase)
        .collect()
}

impl SortKey {
    /// The direction `s` picks first: largest, latest, most urgent first; text A→Z.
    pub fn default_descending(self) -> bool {
        !matches!(self, SortKey::Title | SortKey::Agent | SortKey::Model)
    }
}

/// All known sessions plus the list's sorted, filtered view of them.
#[derive(Debug, Default)]
pub struct SessionIndex {
    entries: Vec<SessionEntry>,
    by_id: HashMap<String, usize>,
    /// Indices into `entries`, filtered and sorted; rebuilt on change, never on draw.
    view: Vec<u32>,
    counts: [usize; 9],
    spend_minor: i64,
    pub sort: SortKey,
    pub descending: bool,
    filter: String,
    pub show_archived: bool,
    /// Only these states (the Needs-you view); `None` = all.
    only_states: Option<Vec<DerivedState>>,
    marks: HashSet<String>,
    /// `Some(n)`: the last full read stopped at its page cap after `n` sessions.
    capped: Option<usize>,
}

impl SessionIndex {
    /// Sorted by state, most urgent first.
    pub fn new() -> Self {
        SessionIndex {
            descending: true,
            ..Self::default()
        }
    }

    /// Replace the known sessions with a fresh poll (evidence is kept per id).
    pub fn replace_all(&mut self, sessions: Vec<SessionSummary>) {
        let mut old: HashMap<String, Evidence> = self
            .entries
            .drain(..)
            .map(|e| (e.summary.id, e.evidence))
            .collect();
        self.by_id.clear();
        for s in sessions {
            if self.by_id.contains_key(&s.id) {
                continue;
            }
            let ev = old.remove(&s.id).unwrap_or_default();
            self.by_id.insert(s.id.clone(), self.entries.len());
            self.entries.push(SessionEntry::new(s, ev));
        }
        self.marks.retain(|id| self.by_id.contains_key(id));
        self.rebuild();
    }

    /// `sessions` is exactly what is known already (same sessions, same order, same fields).
    pub fn same_sessions(&self, sessions: &[SessionSummary]) -> bool {
        self.entries.len() == sessions.len()
            && self
                .entries
                .iter()
                .zip(sessions)
                .all(|(e, s)| e.summary == *s)
    }

    /// Insert or replace one session.
    pub fn upsert(&mut self, summary: SessionSummary) {
        match self.by_id.get(&summary.id) {
            Some(&i) => {
                let ev = std::mem::take(&mut self.entries[i].evidence);
                self.entries[i] = SessionEntry::new(summary, ev);
            }
            None => {
                self.by_id.insert(summary.id.clone(), self.entries.len());
                self.entries
                    .push(SessionEntry::new(summary, Evidence::default()));
            }
        }
        self.rebuild();
    }

    pub fn remove(&mut self, id: &str) {
        if self.by_id.contains_key(id) {
            let rest: Vec<SessionSummary> = self
                .entries
                .iter()
                .filter(|e| e.summary.id != id)
                .map(|e| e.summary.clone())
                .collect();
            self.replace_all(rest);
        }
    }

    pub fn set_evidence(&mut self, id: &str, evidence: Evidence) {
        if let Some(&i) = self.by_id.get(id) {
            let e = &mut self.entries[i];
            e.evidence = evidence;
            e.state = derive(&e.summary, &e.evidence);
            self.rebuild();
        }
    }

    /// Fold one live event of session `id` into its evidence. Rebuilds the view only when
    /// something the list shows changed.
    pub fn observe_event(&mut self, id: &str, ev: &Value) -> bool {
        let Some(&i) = self.by_id.get(id) else {
            return false;
        };
        let e = &mut self.entries[i];
        let before = (e.state, e.evidence.since, e.evidence.pending());
        e.evidence.observe(ev);
        e.state = derive(&e.summary, &e.evidence);
        let changed = before != (e.state, e.evidence.since, e.evidence.pending());
        if changed {
            self.rebuild();
        }
        changed
    }

    pub fn get(&self, id: &str) -> Option<&SessionEntry> {
        self.by_id.get(id).map(|&i| &self.entries[i])
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = &SessionEntry> {
        self.entries.iter()
    }
    /// Rows in the filtered, sorted view.
    pub fn view_len(&self) -> usize {
        self.view.len()
    }
    pub fn view_get(&self, row: usize) -> Option<&SessionEntry> {
        self.view.get(row).map(|&i| &self.entries[i as usize])
    }
    pub fn view_position(&self, id: &str) -> Option<usize> {
        let &i = self.by_id.get(id)?;
        self.view.iter().position(|&v| v as usize == i)
    }
    /// Sessions per derived state (all sessions, filter ignored).
    pub fn counts(&self) -> [usize; 9] {
        self.counts
    }
    pub fn needs_you(&self) -> usize {
        self.counts[DerivedState::NeedsApproval.index()]
            + self.counts[DerivedState::NeedsInput.index()]
    }
    /// Total list cost in minor units (of sessions in the main currency).
    pub fn spend_minor(&self) -> i64 {
        self.spend_minor
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }
    pub fn set_filter(&mut self, filter: &str) {
        if self.filter != filter {
            self.filter = filter.to_string();
            self.rebuild();
        }
    }
    pub fn set_sort(&mut self, key: SortKey, descending: bool) {
        self.sort = key;
        self.descending = descending;
        self.rebuild();
    }
    /// Restrict the view to some states (`None` = all).
    pub fn set_state_filter(&mut self, states: Option<&[DerivedState]>) {
        self.only_states = states.map(<[DerivedState]>::to_vec);
        self.rebuild();
    }
    pub fn state_filter(&self) -> Option<&[DerivedState]> {
        self.only_states.as_deref()
    }
    pub fn set_show_archived(&mut self, on: bool) {
        self.show_archived = on;
        self.rebuild();
    }

    pub fn is_marked(&self, id: &str) -> bool {
        self.marks.contains(id)
    }
    pub fn toggle_mark(&mut self, id: &str) {
        if !self.marks.remove(id) && self.by_id.contains_key(id) {
            self.marks.insert(id.to_string());
        }
    }
    pub fn marked_count(&self) -> usize {
        self.marks.len()
    }
    pub fn clear_marks(&mut self) {
        self.marks.clear();
    }
    /// Marked ids in view order.
    pub fn marked(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.marks.iter().cloned().collect();
        ids.sort_by_key(|id| self.view_position(id).unwrap_or(usize::MAX));
        ids
    }

    fn rebuild(&mut self) {
        let mut counts = [0usize; 9];
        for e in &self.entries {
            counts[e.state.index()] += 1;
        }
        self.counts = counts;
        self.spend_minor = self
            .entries
            .iter()
            .filter_map(|e| e.summary.cost_minor)
            .sum();
        let pattern = (!self.filter.trim().is_empty())
            .then(|| Pattern::parse(&self.filter, CaseMatching::Ignore, Normalization::Smart));
        let words = plain_words(&self.filter);
        let mut matcher = Matcher::new(MatchConfig::DEFAULT);
        let mut buf = Vec::new();
        let mut view: Vec<u32> = Vec::with_capacity(self.entries.len());
        // Match score per entry (ranks the view while a filter is active).
        let mut scores: HashMap<u32, u32> = HashMap::new();
        for (i, e) in self.entries.iter().enumerate() {
            if e.state == DerivedState::Archived && !self.show_archived {
                continue;
            }
            if let Some(only) = &self.only_states
                && !only.contains(&e.state)
            {
                continue;
            }
            if let Some(p) = &pattern {
                let hay = e.haystack();
                let Some(score) = p.score(Utf32Str::new(&hay, &mut buf), &mut matcher) else {
                    continue;
                };
                if !e.words_match(&words) {
                    continue;
                }
                scores.insert(i as u32, score);
            }
            view.push(i as u32);
        }
        let entries = &self.entries;
        let key = self.sort;
        let descending = self.descending;
        view.sort_by(|&a, &b| {
            let (x, y) = (&entries[a as usize], &entries[b as usize]);
            // Ascending: A→Z, smallest, oldest, least urgent first; `descending` flips it.
            let ord = match key {
                // Less urgent first, and within a state the shortest time in it first.
                SortKey::State => y.state.cmp(&x.state).then(y.since().cmp(&x.since())),
                SortKey::Title => x
                    .summary
                    .title
                    .to_lowercase()
                    .cmp(&y.summary.title.to_lowercase()),
                SortKey::Agent => x.summary.agent.cmp(&y.summary.agent),
                SortKey::Model => x.summary.model.cmp(&y.summary.model),
                // Shortest time in state first.
                SortKey::TimeInState => y.since().cmp(&x.since()),
                SortKey::LastEvent => x.last_event_at().cmp(&y.last_event_at()),
                SortKey::Tokens => x.summary.tokens.cmp(&y.summary.tokens),
                SortKey::Cost => x.summary.cost_minor.cmp(&y.summary.cost_minor),
                SortKey::Pending => x.evidence.pending().cmp(&y.evidence.pending()),
            };
            let ord = if descending { ord.reverse() } else { ord };
            let rank = scores
                .get(&b)
                .copied()
                .unwrap_or(0)
                .cmp(&scores.get(&a).copied().unwrap_or(0));
            rank.then(ord)
                .then_with(|| {
                    x.summary
                        .title
                        .to_lowercase()
                        .cmp(&y.summary.title.to_lowercase())
                })
                .then_with(|| x.summary.id.cmp(&y.summary.id))
        });
        self.view = view;
    }
}

/// `1234` minor units → `$12.34`.
pub fn format_money(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let m = minor.unsigned_abs();
    let symbol = match currency {
        "USD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        _ => "",
    };
    let suffix = if symbol.is_empty() {
        format!(" {currency}")
    } else {
        String::new()
    };
    format!("{sign}{symbol}{}.{:02}{suffix}", m / 100, m % 100)
}

#[cfg(test)]
mod page_tests {
    use super::*;

    #[test]
    fn one_unreadable_session_costs_only_itself() {
        let body = br#"{"data":[{"id":"sesn_1","title":"a"},{"id":"sesn_bad","title":"x\ud800"},{"title":"no id"},{"id":"sesn_2"}],"next_page":"p2"}"#;
        let page = SessionPage::parse(body).unwrap();
        let ids: Vec<&str> = page.sessions.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["sesn_1", "sesn_2"]);
        assert_eq!((page.skipped, page.items), (2, 4));
        assert_eq!(page.next_page.as_deref(), Some("p2"));
        assert!(SessionPage::parse(b"[1]").is_err());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn session(id: &str, status: &str) -> SessionSummary {
        SessionSummary::from_json(&json!({
            "id": id, "type": "session", "status": status, "title": format!("t-{id}"),
            "agent": {"name": "coder", "model": {"id": "claude-opus-5-5"}},
            "created_at": "2026-11-26T10:00:00Z", "updated_at": "2026-11-26T10:00:00Z",
            "archived_at": null,
            "usage": {"input_tokens": 100, "output_tokens": 20, "cache_read_input_tokens": 5,
                      "list_cost": {"amount": "1234", "currency": "USD"}}
        }))
        .unwrap()
    }

    fn idle(ts: &str, stop: Value) -> Value {
        json!({"type": "session.status_idle", "id": "e", "processed_at": ts, "stop_reason": stop})
    }

    #[test]
    fn summary_parses_columns_and_sanitizes_title() {
        let mut v = json!({"id": "sesn_1", "status": "idle", "title": "evil\u{1b}[2J\u{202e}title",
            "agent": {"name": "a", "model": "claude-x"}, "archived_at": "2026-01-01T00:00:00Z"});
        let s = SessionSummary::from_json(&v).unwrap();
        assert_eq!(s.title, "eviltitle");
        assert_eq!(s.model, "claude-x");
        assert!(s.archived);
        v["title"] = Value::Null;
        assert_eq!(SessionSummary::from_json(&v).unwrap().title, "sesn_1");
        let s = session("a", "idle");
        assert_eq!((s.tokens, s.cost_minor), (120, Some(1234)));
        assert_eq!(SessionSummary::from_json(&json!({"status": "idle"})), None);
    }

    #[test]
    fn derivation_from_stop_reasons_and_errors() {
        let s = session("a", "idle");
        let d = |events: Vec<Value>| derive(&s, &Evidence::from_newest_first(&events));
        assert_eq!(d(vec![]), DerivedState::Idle);
        assert_eq!(
            d(vec![idle(
                "2026-11-26T10:01:00Z",
                json!({"type": "end_turn"})
            )]),
            DerivedState::Idle
        );
        assert_eq!(
            d(vec![idle(
                "2026-11-26T10:01:00Z",
                json!({"type": "requires_action", "event_ids": ["tu1"]})
            )]),
            DerivedState::NeedsApproval
        );
        assert_eq!(
            d(vec![
                idle(
                    "2026-11-26T10:01:00Z",
                    json!({"type": "requires_action", "event_ids": ["ct1"]})
                ),
                json!({"type": "agent.custom_tool_use", "id": "ct1", "processed_at": "2026-11-26T10:00:59Z"}),
            ]),
            DerivedState::NeedsInput
        );
        assert_eq!(
            d(vec![
                idle("2026-11-26T10:01:00Z", json!({"type": "retries_exhausted"})),
                json!({"type": "session.error", "id": "x", "processed_at": "2026-11-26T10:00:59Z",
                       "error": {"type": "model_overloaded_error", "message": "busy", "retry_status": {"type": "exhausted"}}}),
            ]),
            DerivedState::Errored
        );
        assert_eq!(
            d(vec![idle(
                "2026-11-26T10:01:00Z",
                json!({"type": "budget_reached"})
            )]),
            DerivedState::BudgetReached
        );
        let t = session("b", "terminated");
        let terminal = Evidence::from_newest_first(&[json!({"type": "session.error", "id": "x",
            "processed_at": "2026-11-26T09:00:00Z", "error": {"retry_status": {"type": "terminal"}}})]);
        assert_eq!(derive(&t, &terminal), DerivedState::Errored);
        assert_eq!(derive(&t, &Evidence::default()), DerivedState::Terminated);
        assert_eq!(
            derive(&session("c", "rescheduling"), &Evidence::default()),
            DerivedState::Rescheduling
        );
    }

    #[test]
    fn newer_live_status_beats_polled_status_and_running_clears_stop() {
        let s = session("a", "idle");
        let mut e = Evidence::from_newest_first(&[idle(
            "2026-11-26T10:01:00Z",
            json!({"type": "requires_action", "event_ids": ["tu1", "tu2"]}),
        )]);
        assert_eq!(e.pending(), 2);
        e.observe(&json!({"type": "session.status_running", "id": "r", "processed_at": "2026-11-26T10:02:00Z"}));
        assert_eq!(derive(&s, &e), DerivedState::Running);
        assert_eq!(e.pending(), 0);
        assert_eq!(e.since, parse_ts(Some(&json!("2026-11-26T10:02:00Z"))));
    }

    #[test]
    fn index_filters_sorts_counts_and_marks() {
        let mut idx = SessionIndex::new();
        let mut arch = session("z", "idle");
        arch.archived = true;
        let mut big = session("b", "running");
        big.tokens = 10_000;
        big.title = "deploy frontend".into();
        idx.replace_all(vec![session("a", "idle"), big, arch]);
        assert_eq!(idx.view_len(), 2);
        assert_eq!(idx.counts()[DerivedState::Archived.index()], 1);
        assert_eq!(idx.view_get(0).unwrap().summary.id, "b"); // running sorts before idle
        idx.set_sort(SortKey::Tokens, false);
        assert_eq!(idx.view_get(0).unwrap().summary.id, "a");
        idx.set_sort(SortKey::Tokens, true);
        assert_eq!(idx.view_get(0).unwrap().summary.id, "b");
        idx.set_filter("dplyfront");
        assert_eq!(idx.view_len(), 1);
        idx.set_filter("!deploy");
        assert_eq!(idx.view_get(0).unwrap().summary.id, "a");
        idx.set_filter("");
        idx.set_show_archived(true);
        assert_eq!(idx.view_len(), 3);
        idx.toggle_mark("a");
        idx.toggle_mark("nope");
        assert_eq!(idx.marked(), vec!["a".to_string()]);
        idx.replace_all(vec![session("b", "running")]);
        assert!(idx.marked().is_empty());
        assert_eq!(idx.spend_minor(), 1234);
    }

    #[test]
    fn archived_clock_starts_at_archived_at() {
        let mut v = json!({"id": "s", "status": "idle", "title": "t",
            "updated_at": "2026-11-25T10:00:00Z", "archived_at": "2026-11-26T11:59:00Z"});
        let mut idx = SessionIndex::new();
        idx.replace_all(vec![SessionSummary::from_json(&v).unwrap()]);
        idx.set_evidence(
            "s",
            Evidence::from_newest_first(&[idle(
                "2026-11-25T09:00:00Z",
                json!({"type": "end_turn"}),
            )]),
        );
        let e = idx.get("s").unwrap();
        assert_eq!(e.state, DerivedState::Archived);
        assert_eq!(e.since(), parse_ts(Some(&json!("2026-11-26T11:59:00Z"))));
        v["archived_at"] = Value::Null;
        idx.replace_all(vec![SessionSummary::from_json(&v).unwrap()]);
        let e = idx.get("s").unwrap();
        assert_eq!(e.since(), parse_ts(Some(&json!("2026-11-25T09:00:00Z"))));
    }

    fn titled(id: &str, title: &str, status: &str) -> SessionSummary {
        let mut s = session(id, status);
        s.title = title.into();
        s
    }

    #[test]
    fn filter_is_tight_on_title_and_agent_and_ranked() {
        let mut idx = SessionIndex::new();
        idx.replace_all(vec![
            titled("sesn_01", "Nightly dependency bumps", "idle"),
            titled("sesn_02", "Find stale branches", "idle"),
            titled("sesn_03", "Summarize the last release", "running"),
            titled("sesn_04", "Remove stale feature flags (stale)", "idle"),
            titled("sesn_05", "Write release notes", "idle"),
            titled("sesn_06", "Fix lag sweep", "idle"),
        ]);
        idx.set_filter("stale");
        let ids: Vec<&str> = (0..idx.view_len())
            .map(|r| idx.view_get(r).unwrap().summary.id.as_str())
            .collect();
        // "S..t..a..l..e" scattered across a title is not a match.
        assert_eq!(ids, vec!["sesn_02", "sesn_04"]);
        // Ids, models and states match as substrings.
        idx.set_filter("sesn_05");
        assert_eq!(idx.view_len(), 1);
        idx.set_filter("opus-5");
        assert_eq!(idx.view_len(), 6);
        idx.set_filter("running");
        assert_eq!(idx.view_get(0).unwrap().summary.id, "sesn_03");
        assert_eq!(idx.view_len(), 1);
        // The best match ranks first, whatever the sort says (title A→Z would put F first).
        idx.set_sort(SortKey::Title, false);
        idx.set_filter("flags");
        let ids: Vec<&str> = (0..idx.view_len())
            .map(|r| idx.view_get(r).unwrap().summary.id.as_str())
            .collect();
        assert_eq!(ids, vec!["sesn_04", "sesn_06"]);
    }

    #[test]
    fn descending_means_largest_first_and_waits_longest_first() {
        let mut idx = SessionIndex::new();
        let mut small = titled("a", "beta", "idle");
        small.tokens = 1;
        let mut big = titled("b", "alpha", "idle");
        big.tokens = 9;
        let mut tie = titled("c", "aardvark", "idle");
        tie.tokens = 1;
        idx.replace_all(vec![small, big, tie]);
        let order = |idx: &SessionIndex| -> Vec<String> {
            (0..idx.view_len())
                .map(|r| idx.view_get(r).unwrap().summary.id.clone())
                .collect()
        };
        idx.set_sort(SortKey::Tokens, true);
        // Largest first; the tie broken by title (aardvark before beta), not by id.
        assert_eq!(order(&idx), vec!["b", "c", "a"]);
        idx.set_sort(SortKey::Title, true);
        assert_eq!(order(&idx), vec!["a", "b", "c"]); // Z→A
        assert!(SortKey::Tokens.default_descending() && !SortKey::Title.default_descending());
        // Needs approval: the longest waiting first under the default state sort.
        let waiting = |id: &str, at: &str| {
            let ev = Evidence::from_newest_first(&[idle(
                at,
                json!({"type": "requires_action", "event_ids": ["tu"]}),
            )]);
            (id.to_string(), ev)
        };
        idx.set_sort(SortKey::State, true);
        for (id, ev) in [
            waiting("a", "2026-11-26T10:05:00Z"),
            waiting("b", "2026-11-26T10:01:00Z"),
            waiting("c", "2026-11-26T10:03:00Z"),
        ] {
            idx.set_evidence(&id, ev);
        }
        assert_eq!(order(&idx), vec!["b", "c", "a"]);
    }

    #[test]
    fn money_formats() {
        assert_eq!(format_money(1234, "USD"), "$12.34");
        assert_eq!(format_money(5, "EUR"), "€0.05");
        assert_eq!(format_money(-250, "JPY"), "-2.50 JPY");
    }
}
