//! Dream review, pure: the changes a dream proposes (from two store listings), their diffs, and
//! the reviewer's decisions as a state machine. No I/O: `review::diff` feeds the listings in,
//! `review::journal` makes every [`Record`] durable before [`ReviewQueue::apply_record`] counts it,
//! and `review::apply` writes accepted changes.
//!
//! Flow for a decision (Elm style): `queue.decide(..)` validates and returns the [`Record`] to
//! journal (the queue is unchanged); once the journal append returned, `queue.apply_record(&rec)`
//! makes it count. Replaying a journal on load uses the same `apply_record`.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

// ---------------------------------------------------------------------------------------------
// Changes

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
    /// Same memory at a new path, with or without edits (one change showing both paths).
    Renamed,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Modified => "modified",
            ChangeKind::Deleted => "deleted",
            ChangeKind::Renamed => "renamed",
        }
    }
}

/// One memory as a store listing shows it (`view=basic`): no content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listed {
    pub memory_id: String,
    pub path: String,
    pub sha: String,
}

/// One side of a change: the reviewed (input store) or proposed (output store) memory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Side {
    pub memory_id: String,
    pub path: String,
    pub sha: String,
    /// `None` for a pure rename (equal hashes: the content was never fetched).
    pub content: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Stable across machines: see [`change_id`].
    pub id: String,
    pub dream_id: String,
    pub kind: ChangeKind,
    /// The output path (the input path for a deletion).
    pub path: String,
    /// The input path of a rename, else `None`.
    pub old_path: Option<String>,
    /// The input store's memory (`None` when added).
    pub reviewed: Option<Side>,
    /// The output store's memory (`None` when deleted).
    pub proposed: Option<Side>,
    pub diff: Diff,
}

impl Change {
    pub fn reviewed_sha(&self) -> Option<&str> {
        self.reviewed.as_ref().map(|s| s.sha.as_str())
    }
    pub fn proposed_sha(&self) -> Option<&str> {
        self.proposed.as_ref().map(|s| s.sha.as_str())
    }
}

/// First 12 hex digits of sha256 over the dream id, kind, both paths and both hashes: the same
/// change of the same dream has the same id on any machine, and a change whose input moved on
/// (another reviewed hash) gets a new id, so old decisions never attach to new content.
pub fn change_id(
    dream_id: &str,
    kind: ChangeKind,
    path: &str,
    old_path: Option<&str>,
    reviewed_sha: Option<&str>,
    proposed_sha: Option<&str>,
) -> String {
    let mut h = Sha256::new();
    for part in [
        dream_id,
        kind.as_str(),
        path,
        old_path.unwrap_or(""),
        reviewed_sha.unwrap_or(""),
        proposed_sha.unwrap_or(""),
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex(&h.finalize())[..12].to_string()
}

/// Lowercase hex SHA-256 of the UTF-8 bytes, as the API computes `content_sha256`.
pub fn content_sha256(content: &str) -> String {
    hex(&Sha256::digest(content.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// What comparing two listings (path + hash) tells before any content is fetched.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListingDiff {
    /// Same path, different hash: (input, output).
    pub modified: Vec<(Listed, Listed)>,
    /// Same hash, path only in the input / only in the output: (input, output). No fetch needed.
    pub renamed: Vec<(Listed, Listed)>,
    /// Only in the output (after hash renames were taken out).
    pub added: Vec<Listed>,
    /// Only in the input (after hash renames were taken out).
    pub deleted: Vec<Listed>,
}

impl ListingDiff {
    /// The memories whose content must be fetched (everything except pure renames), as
    /// (is_output_side, memory).
    pub fn to_fetch(&self) -> Vec<(bool, &Listed)> {
        let mut out = Vec::new();
        for (i, o) in &self.modified {
            out.push((false, i));
            out.push((true, o));
        }
        out.extend(self.added.iter().map(|o| (true, o)));
        out.extend(self.deleted.iter().map(|i| (false, i)));
        out
    }
}

/// Compare two listings by path and `content_sha256`. Renames are matched by equal hash first
/// (a path gone from the input and a new path in the output holding the same bytes); when
/// several candidates share a hash they pair in path order, so the result is deterministic.
pub fn compare_listings(input: &[Listed], output: &[Listed]) -> ListingDiff {
    let in_by_path: HashMap<&str, &Listed> = input.iter().map(|m| (m.path.as_str(), m)).collect();
    let out_by_path: HashMap<&str, &Listed> = output.iter().map(|m| (m.path.as_str(), m)).collect();
    let mut d = ListingDiff::default();
    let mut gone: Vec<&Listed> = Vec::new();
    for m in input {
        match out_by_path.get(m.path.as_str()) {
            Some(o) if o.sha != m.sha => d.modified.push((m.clone(), (*o).clone())),
            Some(_) => {}
            None => gone.push(m),
        }
    }
    let mut new: Vec<&Listed> = output
        .iter()
        .filter(|o| !in_by_path.contains_key(o.path.as_str()))
        .collect();
    gone.sort_by(|a, b| a.path.cmp(&b.path));
    new.sort_by(|a, b| a.path.cmp(&b.path));
    d.modified.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    // Hash → the new paths holding it, in path order.
    let mut new_by_sha: HashMap<&str, std::collections::VecDeque<&Listed>> = HashMap::new();
    for o in &new {
        new_by_sha.entry(o.sha.as_str()).or_default().push_back(o);
    }
    let mut taken: HashSet<&str> = HashSet::new();
    for i in gone {
        match new_by_sha
            .get_mut(i.sha.as_str())
            .and_then(|q| q.pop_front())
        {
            Some(o) => {
                taken.insert(o.path.as_str());
                d.renamed.push((i.clone(), o.clone()));
            }
            None => d.deleted.push(i.clone()),
        }
    }
    d.added = new
        .into_iter()
        .filter(|o| !taken.contains(o.path.as_str()))
        .cloned()
        .collect();
    d
}

/// The rename-with-edits heuristic: a deleted and an added memory with the same file name (last
/// path segment) in different folders whose contents are at least this similar (similar's line
/// ratio) are one renamed change. Best ratio first; each memory pairs at most once.
pub const RENAME_SIMILARITY: f32 = 0.5;

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Build the changes once the contents of [`ListingDiff::to_fetch`] are known (`contents` maps
/// memory id → content). A memory whose content is missing gets an empty diff.
pub fn build_changes(
    dream_id: &str,
    listing: &ListingDiff,
    contents: &HashMap<String, String>,
) -> Vec<Change> {
    let side = |l: &Listed, fetched: bool| Side {
        memory_id: l.memory_id.clone(),
        path: l.path.clone(),
        sha: l.sha.clone(),
        content: if fetched {
            contents.get(&l.memory_id).cloned()
        } else {
            None
        },
    };
    let mut changes = Vec::new();
    for (i, o) in &listing.modified {
        changes.push(make_change(
            dream_id,
            ChangeKind::Modified,
            Some(side(i, true)),
            Some(side(o, true)),
        ));
    }
    for (i, o) in &listing.renamed {
        changes.push(make_change(
            dream_id,
            ChangeKind::Renamed,
            Some(side(i, false)),
            Some(side(o, false)),
        ));
    }
    // Rename with edits: candidate pairs by file name, scored, best first.
    let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
    for (di, del) in listing.deleted.iter().enumerate() {
        for (ai, add) in listing.added.iter().enumerate() {
            if file_name(&del.path) != file_name(&add.path) {
                continue;
            }
            let (Some(a), Some(b)) = (contents.get(&del.memory_id), contents.get(&add.memory_id))
            else {
                continue;
            };
            let ratio = similar::TextDiff::from_lines(a.as_str(), b.as_str()).ratio();
            if ratio >= RENAME_SIMILARITY {
                pairs.push((ratio, di, ai));
            }
        }
    }
    pairs.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let (mut used_del, mut used_add) = (HashSet::new(), HashSet::new());
    for (_, di, ai) in pairs {
        if used_del.contains(&di) || used_add.contains(&ai) {
            continue;
        }
        used_del.insert(di);
        used_add.insert(ai);
        changes.push(make_change(
            dream_id,
            ChangeKind::Renamed,
            Some(side(&listing.deleted[di], true)),
            Some(side(&listing.added[ai], true)),
        ));
    }
    for (ai, a) in listing.added.iter().enumerate() {
        if !used_add.contains(&ai) {
            changes.push(make_change(
                dream_id,
                ChangeKind::Added,
                None,
                Some(side(a, true)),
            ));
        }
    }
    for (di, d) in listing.deleted.iter().enumerate() {
        if !used_del.contains(&di) {
            changes.push(make_change(
                dream_id,
                ChangeKind::Deleted,
                Some(side(d, true)),
                None,
            ));
        }
    }
    changes.sort_by(|a, b| a.path.cmp(&b.path).then(a.id.cmp(&b.id)));
    changes
}

pub(super) fn make_change(
    dream_id: &str,
    kind: ChangeKind,
    reviewed: Option<Side>,
    proposed: Option<Side>,
) -> Change {
    let path = proposed
        .as_ref()
        .or(reviewed.as_ref())
        .map(|s| s.path.clone())
        .unwrap_or_default();
    let old_path = match kind {
        ChangeKind::Renamed => reviewed.as_ref().map(|s| s.path.clone()),
        _ => None,
    };
    let id = change_id(
        dream_id,
        kind,
        &path,
        old_path.as_deref(),
        reviewed.as_ref().map(|s| s.sha.as_str()),
        proposed.as_ref().map(|s| s.sha.as_str()),
    );
    let old_text = reviewed.as_ref().and_then(|s| s.content.as_deref());
    let new_text = proposed.as_ref().and_then(|s| s.content.as_deref());
    let diff = match (kind, old_text, new_text) {
        // A pure rename: same bytes, nothing fetched, nothing to show line by line.
        (ChangeKind::Renamed, None, None) => Diff::default(),
        _ => Diff::between(old_text.unwrap_or(""), new_text.unwrap_or("")),
    };
    Change {
        id,
        dream_id: dream_id.to_string(),
        kind,
        path,
        old_path,
        reviewed,
        proposed,
        diff,
    }
}

// ---------------------------------------------------------------------------------------------
// Diff data

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineTag {
    Context,
    Removed,
    Added,
}

/// A piece of a diff line; `emphasized` marks the words that changed inside a changed line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub emphasized: bool,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub tag: LineTag,
    /// Without the trailing newline.
    pub spans: Vec<Span>,
}

impl DiffLine {
    pub fn text(&self) -> String {
        self.spans.iter().map(|s| s.text.as_str()).collect()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hunk {
    /// `@@ -a,b +c,d @@`
    pub header: String,
    pub lines: Vec<DiffLine>,
}

/// A unified diff (3 lines of context) as data the UI can style.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diff {
    pub hunks: Vec<Hunk>,
}

impl Diff {
    pub fn between(old: &str, new: &str) -> Diff {
        let td = similar::TextDiff::from_lines(old, new);
        let mut hunks = Vec::new();
        for group in td.grouped_ops(3) {
            let header = similar::udiff::UnifiedHunkHeader::new(&group).to_string();
            let mut lines = Vec::new();
            for op in &group {
                for change in td.iter_inline_changes(op) {
                    let tag = match change.tag() {
                        similar::ChangeTag::Equal => LineTag::Context,
                        similar::ChangeTag::Delete => LineTag::Removed,
                        similar::ChangeTag::Insert => LineTag::Added,
                    };
                    let mut spans: Vec<Span> = Vec::new();
                    for (emphasized, text) in change.iter_strings_lossy() {
                        let text = text.trim_end_matches(['\n', '\r']);
                        if text.is_empty() {
                            continue;
                        }
                        match spans.last_mut() {
                            Some(last) if last.emphasized == emphasized => last.text.push_str(text),
                            _ => spans.push(Span {
                                emphasized,
                                text: text.to_string(),
                            }),
                        }
                    }
                    lines.push(DiffLine { tag, spans });
                }
            }
            hunks.push(Hunk { header, lines });
        }
        Diff { hunks }
    }

    pub fn is_empty(&self) -> bool {
        self.hunks.is_empty()
    }

    /// The diff as unified text (hunk headers and ` `/`-`/`+` lines; no file header).
    pub fn unified(&self) -> String {
        let mut out = String::new();
        for h in &self.hunks {
            out.push_str(&h.header);
            out.push('\n');
            for l in &h.lines {
                out.push(match l.tag {
                    LineTag::Context => ' ',
                    LineTag::Removed => '-',
                    LineTag::Added => '+',
                });
                out.push_str(&l.text());
                out.push('\n');
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Decisions

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeState {
    Pending,
    Accepted,
    Rejected,
    Applied,
    Conflict,
}

impl ChangeState {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeState::Pending => "pending",
            ChangeState::Accepted => "accepted",
            ChangeState::Rejected => "rejected",
            ChangeState::Applied => "applied",
            ChangeState::Conflict => "conflict",
        }
    }
}

/// What a reviewer can say about one change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    Accept,
    Reject,
    /// Accept with this text written instead of the proposal.
    Edit {
        content: String,
    },
    /// Leave it pending, look at it later.
    Skip,
}

/// The live version met at apply time when a precondition failed (`None` = no memory there).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveVersion {
    pub memory_id: String,
    pub path: String,
    pub sha: String,
    pub content: Option<String>,
}

/// One line of the journal after its header. Every decision and every apply step is one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    Decision {
        dream_id: String,
        change_id: String,
        #[serde(flatten)]
        decision: Decision,
        /// What the input store held when this was decided (absent in older journals).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seen: Option<Seen>,
    },
    /// Accept or reject every change still pending (one record: one undo).
    Bulk {
        dream_id: String,
        accept: bool,
        change_ids: Vec<String>,
        /// Per change id, in the same order: what the input store held (absent in older
        /// journals).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        seen: Vec<Seen>,
    },
    /// Takes back the last decision record of this dream.
    Undo { dream_id: String },
    /// About to write `change` into the input store; `target_sha` is what will be there after.
    ApplyIntent {
        dream_id: String,
        change_id: String,
        change: AppliedChange,
        target_sha: Option<String>,
    },
    ApplyDone {
        dream_id: String,
        change_id: String,
        /// True when a re-run found the write already done and did not write again.
        #[serde(default)]
        already: bool,
    },
    ApplyConflict {
        dream_id: String,
        change_id: String,
        live: Option<LiveVersion>,
        message: String,
    },
}

impl Record {
    pub fn dream_id(&self) -> &str {
        match self {
            Record::Decision { dream_id, .. }
            | Record::Bulk { dream_id, .. }
            | Record::Undo { dream_id }
            | Record::ApplyIntent { dream_id, .. }
            | Record::ApplyDone { dream_id, .. }
            | Record::ApplyConflict { dream_id, .. } => dream_id,
        }
    }
}

/// What the journal keeps of a change it started applying: enough to show it (and to recognise
/// its residue in a recomputed diff) after the input store moved on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedChange {
    pub kind: ChangeKind,
    pub path: String,
    pub old_path: Option<String>,
    pub reviewed_sha: Option<String>,
    pub proposed_sha: Option<String>,
    /// The input store's memory id (modified, deleted, renamed).
    pub memory_id: Option<String>,
}

impl AppliedChange {
    pub fn of(c: &Change) -> AppliedChange {
        AppliedChange {
            kind: c.kind,
            path: c.path.clone(),
            old_path: c.old_path.clone(),
            reviewed_sha: c.reviewed_sha().map(str::to_string),
            proposed_sha: c.proposed_sha().map(str::to_string),
            memory_id: c.reviewed.as_ref().map(|s| s.memory_id.clone()),
        }
    }
}

/// What the input store held when a decision was made: the change as the reviewer saw it, with
/// the input side's hash, memory id and content (for a decision on a conflict: the live version
/// it was decided against). A later run compares it with the input store as it is then: a memory
/// that moved on since it was accepted comes back as a conflict, three-way, not as a new change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    pub change: AppliedChange,
    /// The input content decided against (`None`: nothing there, or a pure rename never fetched).
    pub content: Option<String>,
}

/// The reviewer-side state of one change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub state: ChangeState,
    /// The text to write instead of the proposal (edited-accepted).
    pub edited: Option<String>,
    pub skipped: bool,
    /// An apply intent is on record (a re-run must check the live store before writing).
    pub intent: bool,
    /// After a conflict: the live version met, shown three-way. Re-accepting a conflict
    /// writes over exactly this live version (its hash becomes the precondition).
    pub live: Option<LiveVersion>,
    pub conflict_message: Option<String>,
    /// What the last decision was made against (from its record).
    pub seen: Option<Seen>,
}

impl Entry {
    fn pending() -> Entry {
        Entry {
            state: ChangeState::Pending,
            edited: None,
            skipped: false,
            intent: false,
            live: None,
            conflict_message: None,
            seen: None,
        }
    }

    /// The input hash the last decision was made against (`None`: unknown or nothing there).
    pub(super) fn decided_against(&self) -> Option<Option<&str>> {
        self.seen.as_ref().map(|s| s.change.reviewed_sha.as_deref())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecideError {
    #[error("no change {0} in this dream")]
    UnknownChange(String),
    #[error("change {0} is already applied; it cannot be decided again")]
    AlreadyApplied(String),
    #[error("change {0} is being applied; wait for the apply to finish")]
    Applying(String),
    #[error("nothing to undo")]
    NothingToUndo,
    #[error("the last decision can no longer be undone: change {0} was applied")]
    UndoAfterApply(String),
    #[error("no pending change left")]
    NothingPending,
}

/// The review queue of one dream: its changes and the decisions about them.
#[derive(Clone, Debug)]
pub struct ReviewQueue {
    pub dream_id: String,
    pub changes: Vec<Change>,
    pub entries: Vec<Entry>,
    index: HashMap<String, usize>,
    /// Per decision record: the entries it changed, as they were before (for undo).
    undo: Vec<Vec<(usize, Entry)>>,
}

impl ReviewQueue {
    pub fn new(dream_id: impl Into<String>, changes: Vec<Change>) -> ReviewQueue {
        let index = changes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        let entries = changes.iter().map(|_| Entry::pending()).collect();
        ReviewQueue {
            dream_id: dream_id.into(),
            changes,
            entries,
            index,
            undo: Vec::new(),
        }
    }

    pub fn position(&self, change_id: &str) -> Option<usize> {
        self.index.get(change_id).copied()
    }

    pub fn state(&self, change_id: &str) -> Option<ChangeState> {
        self.position(change_id).map(|i| self.entries[i].state)
    }

    fn decidable(&self, change_id: &str) -> Result<usize, DecideError> {
        let i = self
            .position(change_id)
            .ok_or_else(|| DecideError::UnknownChange(change_id.to_string()))?;
        let e = &self.entries[i];
        match e.state {
            ChangeState::Applied => Err(DecideError::AlreadyApplied(change_id.to_string())),
            _ if e.intent && e.state != ChangeState::Conflict => {
                Err(DecideError::Applying(change_id.to_string()))
            }
            _ => Ok(i),
        }
    }

    /// Validate a decision; returns the record to journal. The queue changes only when that
    /// record is given to [`apply_record`](Self::apply_record).
    pub fn decide(&self, change_id: &str, decision: Decision) -> Result<Record, DecideError> {
        let i = self.decidable(change_id)?;
        Ok(Record::Decision {
            dream_id: self.dream_id.clone(),
            change_id: change_id.to_string(),
            decision,
            seen: Some(self.seen_of(i)),
        })
    }

    /// Accept or reject every pending change (skipped ones included).
    pub fn decide_all(&self, accept: bool) -> Result<Record, DecideError> {
        let pending: Vec<usize> = (0..self.changes.len())
            .filter(|&i| self.entries[i].state == ChangeState::Pending && !self.entries[i].intent)
            .collect();
        if pending.is_empty() {
            return Err(DecideError::NothingPending);
        }
        Ok(Record::Bulk {
            dream_id: self.dream_id.clone(),
            accept,
            change_ids: pending
                .iter()
                .map(|&i| self.changes[i].id.clone())
                .collect(),
            seen: pending.iter().map(|&i| self.seen_of(i)).collect(),
        })
    }

    /// What a decision on change `i` is made against: the reviewed input, or after a conflict
    /// the live version shown beside it.
    fn seen_of(&self, i: usize) -> Seen {
        let (c, e) = (&self.changes[i], &self.entries[i]);
        let mut change = AppliedChange::of(c);
        let mut content = c.reviewed.as_ref().and_then(|s| s.content.clone());
        if e.conflict_message.is_some() {
            change.reviewed_sha = e.live.as_ref().map(|l| l.sha.clone());
            if let Some(l) = &e.live {
                change.memory_id = Some(l.memory_id.clone());
            }
            content = e.live.as_ref().and_then(|l| l.content.clone());
        }
        Seen { change, content }
    }

    /// The record that takes back the last decision, if it can still be taken back.
    pub fn undo(&self) -> Result<Record, DecideError> {
        let last = self.undo.last().ok_or(DecideError::NothingToUndo)?;
        for (i, _) in last {
            let e = &self.entries[*i];
            if e.state == ChangeState::Applied || e.intent {
                return Err(DecideError::UndoAfterApply(self.changes[*i].id.clone()));
            }
        }
        Ok(Record::Undo {
            dream_id: self.dream_id.clone(),
        })
    }

    /// Make a (journaled) record count. Records that no longer fit (an unknown change, a
    /// decision on an applied change) are ignored, so a replay never fails.
    pub fn apply_record(&mut self, r: &Record) {
        if r.dream_id() != self.dream_id {
            return;
        }
        match r {
            Record::Decision {
                change_id,
                decision,
                seen,
                ..
            } => {
                let Ok(i) = self.decidable(change_id) else {
                    return;
                };
                let before = self.entries[i].clone();
                set_decision(&mut self.entries[i], decision, seen.as_ref());
                self.undo.push(vec![(i, before)]);
            }
            Record::Bulk {
                accept,
                change_ids,
                seen,
                ..
            } => {
                let decision = if *accept {
                    Decision::Accept
                } else {
                    Decision::Reject
                };
                let mut saved = Vec::new();
                for (k, id) in change_ids.iter().enumerate() {
                    if let Ok(i) = self.decidable(id) {
                        saved.push((i, self.entries[i].clone()));
                        set_decision(&mut self.entries[i], &decision, seen.get(k));
                    }
                }
                if !saved.is_empty() {
                    self.undo.push(saved);
                }
            }
            Record::Undo { .. } => {
                if self.undo().is_ok()
                    && let Some(saved) = self.undo.pop()
                {
                    for (i, e) in saved {
                        self.entries[i] = e;
                    }
                }
            }
            Record::ApplyIntent { change_id, .. } => {
                if let Some(i) = self.position(change_id) {
                    self.entries[i].intent = true;
                }
            }
            Record::ApplyDone { change_id, .. } => {
                if let Some(i) = self.position(change_id) {
                    let e = &mut self.entries[i];
                    e.state = ChangeState::Applied;
                    e.intent = false;
                }
            }
            Record::ApplyConflict {
                change_id,
                live,
                message,
                ..
            } => {
                if let Some(i) = self.position(change_id) {
                    let e = &mut self.entries[i];
                    e.state = ChangeState::Conflict;
                    e.intent = false;
                    e.live = live.clone();
                    e.conflict_message = Some(message.clone());
                }
            }
        }
    }

    /// Changes to write, in queue order: accepted ones (including re-accepted conflicts).
    pub fn to_apply(&self) -> Vec<usize> {
        (0..self.changes.len())
            .filter(|&i| self.entries[i].state == ChangeState::Accepted)
            .collect()
    }

    /// Every change is applied or rejected: the output store can be archived.
    pub fn settled(&self) -> bool {
        self.entries
            .iter()
            .all(|e| matches!(e.state, ChangeState::Applied | ChangeState::Rejected))
    }

    pub fn conflicts(&self) -> impl Iterator<Item = (&Change, &Entry)> {
        self.changes
            .iter()
            .zip(&self.entries)
            .filter(|(_, e)| e.state == ChangeState::Conflict)
    }

    /// The content an accepted change writes (the edit, else the proposal).
    pub fn content_to_write(&self, i: usize) -> Option<&str> {
        self.entries[i]
            .edited
            .as_deref()
            .or_else(|| self.changes[i].proposed.as_ref()?.content.as_deref())
    }
}

fn set_decision(e: &mut Entry, d: &Decision, seen: Option<&Seen>) {
    e.skipped = false;
    if let Some(seen) = seen {
        e.seen = Some(seen.clone());
    }
    match d {
        Decision::Accept => {
            e.state = ChangeState::Accepted;
            e.edited = None;
        }
        Decision::Reject => {
            e.state = ChangeState::Rejected;
            e.edited = None;
        }
        Decision::Edit { content } => {
            e.state = ChangeState::Accepted;
            e.edited = Some(content.clone());
        }
        Decision::Skip => {
            e.state = ChangeState::Pending;
            e.skipped = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(id: &str, path: &str, content: &str) -> Listed {
        Listed {
            memory_id: id.into(),
            path: path.into(),
            sha: content_sha256(content),
        }
    }

    #[test]
    fn sha_matches_the_api_definition() {
        assert_eq!(
            content_sha256(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn change_id_is_stable_and_depends_on_every_part() {
        let a = change_id(
            "drm_1",
            ChangeKind::Modified,
            "/a.md",
            None,
            Some("aa"),
            Some("bb"),
        );
        assert_eq!(a.len(), 12);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(
            a,
            change_id(
                "drm_1",
                ChangeKind::Modified,
                "/a.md",
                None,
                Some("aa"),
                Some("bb")
            )
        );
        let others = [
            change_id(
                "drm_2",
                ChangeKind::Modified,
                "/a.md",
                None,
                Some("aa"),
                Some("bb"),
            ),
            change_id(
                "drm_1",
                ChangeKind::Renamed,
                "/a.md",
                None,
                Some("aa"),
                Some("bb"),
            ),
            change_id(
                "drm_1",
                ChangeKind::Modified,
                "/a.md",
                None,
                Some("ab"),
                Some("bb"),
            ),
            change_id(
                "drm_1",
                ChangeKind::Modified,
                "/a.md",
                Some("/b.md"),
                Some("aa"),
                Some("bb"),
            ),
        ];
        for o in others {
            assert_ne!(a, o);
        }
        // Parts are separated: moving a byte from one part to the next changes the id.
        assert_ne!(
            change_id("d", ChangeKind::Added, "/ab", None, None, Some("c")),
            change_id("d", ChangeKind::Added, "/a", None, None, Some("bc"))
        );
    }

    #[test]
    fn listings_split_into_the_four_kinds_and_unchanged_is_never_fetched() {
        let input = vec![
            l("i1", "/same.md", "same"),
            l("i2", "/mod.md", "old"),
            l("i3", "/gone.md", "bye"),
            l("i4", "/old/place.md", "moved"),
        ];
        let output = vec![
            l("o1", "/same.md", "same"),
            l("o2", "/mod.md", "new"),
            l("o4", "/new/place.md", "moved"),
            l("o5", "/fresh.md", "hi"),
        ];
        let d = compare_listings(&input, &output);
        assert_eq!(d.modified.len(), 1);
        assert_eq!(d.modified[0].0.memory_id, "i2");
        assert_eq!(d.renamed.len(), 1);
        assert_eq!(
            (d.renamed[0].0.path.as_str(), d.renamed[0].1.path.as_str()),
            ("/old/place.md", "/new/place.md")
        );
        assert_eq!(d.added, vec![l("o5", "/fresh.md", "hi")]);
        assert_eq!(d.deleted, vec![l("i3", "/gone.md", "bye")]);
        let fetch: Vec<&str> = d
            .to_fetch()
            .iter()
            .map(|(_, m)| m.memory_id.as_str())
            .collect();
        assert_eq!(fetch, vec!["i2", "o2", "o5", "i3"]);
    }

    #[test]
    fn duplicate_hash_renames_pair_in_path_order() {
        let input = vec![l("i1", "/b.md", "x"), l("i2", "/a.md", "x")];
        let output = vec![l("o1", "/d.md", "x"), l("o2", "/c.md", "x")];
        let d = compare_listings(&input, &output);
        let pairs: Vec<(&str, &str)> = d
            .renamed
            .iter()
            .map(|(i, o)| (i.path.as_str(), o.path.as_str()))
            .collect();
        assert_eq!(pairs, vec![("/a.md", "/c.md"), ("/b.md", "/d.md")]);
        assert!(d.added.is_empty() && d.deleted.is_empty());
    }

    fn contents(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn rename_with_edits_is_one_change_when_similar_enough() {
        let old = "# Deploy\n- step one\n- step two\n- step three\n";
        let edited = "# Deploy\n- step one\n- step two\n- step 3\n";
        let unrelated = "completely\ndifferent\ntext\nhere\n";
        let input = vec![l("i1", "/ops/deploy.md", old), l("i2", "/x/notes.md", old)];
        let output = vec![
            l("o1", "/archive/deploy.md", edited),
            l("o2", "/y/notes.md", unrelated),
        ];
        let d = compare_listings(&input, &output);
        let c = contents(&[("i1", old), ("i2", old), ("o1", edited), ("o2", unrelated)]);
        let changes = build_changes("drm_1", &d, &c);
        let kinds: Vec<(ChangeKind, &str, Option<&str>)> = changes
            .iter()
            .map(|c| (c.kind, c.path.as_str(), c.old_path.as_deref()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (
                    ChangeKind::Renamed,
                    "/archive/deploy.md",
                    Some("/ops/deploy.md")
                ),
                (ChangeKind::Deleted, "/x/notes.md", None),
                (ChangeKind::Added, "/y/notes.md", None),
            ]
        );
        assert_eq!(
            changes[0].diff.unified(),
            "@@ -1,4 +1,4 @@\n # Deploy\n - step one\n - step two\n-- step three\n+- step 3\n"
        );
    }

    #[test]
    fn diff_marks_changed_words_inside_lines() {
        let d = Diff::between(
            "alpha beta gamma\nsame\n",
            "alpha delta gamma\nsame\nnew line\n",
        );
        assert_eq!(d.hunks.len(), 1);
        assert_eq!(d.hunks[0].header, "@@ -1,2 +1,3 @@");
        let removed = &d.hunks[0].lines[0];
        assert_eq!(removed.tag, LineTag::Removed);
        let emph: Vec<&str> = removed
            .spans
            .iter()
            .filter(|s| s.emphasized)
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!(emph, vec!["beta"]);
        let added = &d.hunks[0].lines[1];
        assert_eq!(added.tag, LineTag::Added);
        assert_eq!(added.text(), "alpha delta gamma");
        assert_eq!(
            d.unified(),
            "@@ -1,2 +1,3 @@\n-alpha beta gamma\n+alpha delta gamma\n same\n+new line\n"
        );
        assert!(Diff::between("x\n", "x\n").is_empty());
    }

    fn queue() -> ReviewQueue {
        let input = vec![l("i1", "/a.md", "a"), l("i2", "/b.md", "b")];
        let output = vec![
            l("o1", "/a.md", "A"),
            l("o2", "/b.md", "B"),
            l("o3", "/c.md", "c"),
        ];
        let d = compare_listings(&input, &output);
        let c = contents(&[
            ("i1", "a"),
            ("i2", "b"),
            ("o1", "A"),
            ("o2", "B"),
            ("o3", "c"),
        ]);
        ReviewQueue::new("drm_1", build_changes("drm_1", &d, &c))
    }

    fn states(q: &ReviewQueue) -> Vec<ChangeState> {
        q.entries.iter().map(|e| e.state).collect()
    }

    fn run(q: &mut ReviewQueue, r: Result<Record, DecideError>) {
        let r = r.unwrap();
        q.apply_record(&r);
    }

    #[test]
    fn decisions_count_only_when_applied_and_undo_takes_back_the_last() {
        use ChangeState::*;
        let mut q = queue();
        let ids: Vec<String> = q.changes.iter().map(|c| c.id.clone()).collect();
        let rec = q.decide(&ids[0], Decision::Accept).unwrap();
        assert_eq!(states(&q), vec![Pending, Pending, Pending]);
        q.apply_record(&rec);
        assert_eq!(states(&q), vec![Accepted, Pending, Pending]);
        {
            let r = q.decide(
                &ids[1],
                Decision::Edit {
                    content: "edited".into(),
                },
            );
            run(&mut q, r);
        }
        assert_eq!(q.content_to_write(1), Some("edited"));
        assert_eq!(q.content_to_write(0), Some("A"));
        {
            let r = q.decide(&ids[2], Decision::Skip);
            run(&mut q, r);
        }
        assert!(q.entries[2].skipped);
        assert_eq!(states(&q), vec![Accepted, Accepted, Pending]);
        {
            let r = q.undo();
            run(&mut q, r);
        }
        assert!(!q.entries[2].skipped);
        {
            let r = q.undo();
            run(&mut q, r);
        }
        assert_eq!(states(&q), vec![Accepted, Pending, Pending]);
        assert_eq!(q.content_to_write(1), Some("B"));
        {
            let r = q.decide_all(false);
            run(&mut q, r);
        }
        assert_eq!(states(&q), vec![Accepted, Rejected, Rejected]);
        {
            let r = q.undo();
            run(&mut q, r);
        }
        assert_eq!(states(&q), vec![Accepted, Pending, Pending]);
        {
            let r = q.undo();
            run(&mut q, r);
        }
        assert_eq!(q.undo(), Err(DecideError::NothingToUndo));
        assert_eq!(
            q.decide("nope", Decision::Accept),
            Err(DecideError::UnknownChange("nope".into()))
        );
    }

    #[test]
    fn applied_changes_are_final_and_settle_the_dream() {
        use ChangeState::*;
        let mut q = queue();
        let ids: Vec<String> = q.changes.iter().map(|c| c.id.clone()).collect();
        {
            let r = q.decide(&ids[0], Decision::Accept);
            run(&mut q, r);
        }
        assert_eq!(q.to_apply(), vec![0]);
        q.apply_record(&Record::ApplyIntent {
            dream_id: "drm_1".into(),
            change_id: ids[0].clone(),
            change: AppliedChange::of(&q.changes[0]),
            target_sha: Some(content_sha256("A")),
        });
        assert_eq!(
            q.decide(&ids[0], Decision::Reject),
            Err(DecideError::Applying(ids[0].clone()))
        );
        assert_eq!(q.undo(), Err(DecideError::UndoAfterApply(ids[0].clone())));
        q.apply_record(&Record::ApplyDone {
            dream_id: "drm_1".into(),
            change_id: ids[0].clone(),
            already: false,
        });
        assert_eq!(
            q.decide(&ids[0], Decision::Reject),
            Err(DecideError::AlreadyApplied(ids[0].clone()))
        );
        assert!(!q.settled());
        {
            let r = q.decide(&ids[1], Decision::Accept);
            run(&mut q, r);
        }
        q.apply_record(&Record::ApplyConflict {
            dream_id: "drm_1".into(),
            change_id: ids[1].clone(),
            live: None,
            message: "changed".into(),
        });
        assert_eq!(states(&q), vec![Applied, Conflict, Pending]);
        assert_eq!(q.conflicts().count(), 1);
        {
            let r = q.decide(&ids[1], Decision::Reject);
            run(&mut q, r);
        }
        {
            let r = q.decide_all(false);
            run(&mut q, r);
        }
        assert_eq!(states(&q), vec![Applied, Rejected, Rejected]);
        assert!(q.settled());
        // Records of another dream never touch this queue.
        q.apply_record(&Record::Undo {
            dream_id: "drm_2".into(),
        });
        assert_eq!(states(&q), vec![Applied, Rejected, Rejected]);
    }

    #[test]
    fn rebuild_keeps_applied_changes_and_drops_the_residue_of_an_edit() {
        let q = queue();
        let modified_b = q.changes[1].clone();
        let rec_edit = Record::Decision {
            dream_id: "drm_1".into(),
            change_id: modified_b.id.clone(),
            decision: Decision::Edit {
                content: "edited".into(),
            },
            seen: None,
        };
        let intent = Record::ApplyIntent {
            dream_id: "drm_1".into(),
            change_id: modified_b.id.clone(),
            change: AppliedChange::of(&modified_b),
            target_sha: Some(content_sha256("edited")),
        };
        let done = Record::ApplyDone {
            dream_id: "drm_1".into(),
            change_id: modified_b.id.clone(),
            already: false,
        };
        // After the apply, the input holds "edited" at /b.md: the recomputed diff shows a new
        // modified change edited → B, which is only our own write.
        let input = vec![l("i1", "/a.md", "a"), l("i2", "/b.md", "edited")];
        let output = vec![
            l("o1", "/a.md", "A"),
            l("o2", "/b.md", "B"),
            l("o3", "/c.md", "c"),
        ];
        let d = compare_listings(&input, &output);
        let c = contents(&[
            ("i1", "a"),
            ("i2", "edited"),
            ("o1", "A"),
            ("o2", "B"),
            ("o3", "c"),
        ]);
        let recomputed = build_changes("drm_1", &d, &c);
        assert_eq!(recomputed.len(), 3);
        let q2 = ReviewQueue::rebuild("drm_1", recomputed, &[rec_edit, intent, done]);
        assert_eq!(q2.changes.len(), 3);
        let b = q2.position(&modified_b.id).unwrap();
        assert_eq!(q2.entries[b].state, ChangeState::Applied);
        assert_eq!(q2.changes[b].path, "/b.md");
    }

    /// The changes of `queue()` recomputed after the input's /a.md became `a_now`.
    fn recomputed(a_now: &str) -> Vec<Change> {
        let input = vec![l("i1", "/a.md", a_now), l("i2", "/b.md", "b")];
        let output = vec![
            l("o1", "/a.md", "A"),
            l("o2", "/b.md", "B"),
            l("o3", "/c.md", "c"),
        ];
        let d = compare_listings(&input, &output);
        let c = contents(&[
            ("i1", a_now),
            ("i2", "b"),
            ("o1", "A"),
            ("o2", "B"),
            ("o3", "c"),
        ]);
        build_changes("drm_1", &d, &c)
    }

    #[test]
    fn an_accepted_change_whose_input_moved_on_comes_back_as_a_three_way_conflict() {
        use ChangeState::*;
        let mut q = queue();
        let ids: Vec<String> = q.changes.iter().map(|c| c.id.clone()).collect();
        let mut journal = Vec::new();
        for (id, d) in [
            (&ids[0], Decision::Accept),
            (&ids[1], Decision::Reject),
            (&ids[2], Decision::Skip),
        ] {
            let r = q.decide(id, d).unwrap();
            q.apply_record(&r);
            journal.push(r);
        }
        // The journal line says what was decided against.
        let line = serde_json::to_string(&journal[0]).unwrap();
        assert!(
            line.contains(r#""seen":{"change":{"kind":"modified","path":"/a.md""#),
            "{line}"
        );
        assert!(
            line.ends_with(r#""memory_id":"i1"},"content":"a"}}"#),
            "{line}"
        );

        // Someone edits /a.md in the input store; the re-diff gives it a new id.
        let changes = recomputed("a2");
        assert!(!changes.iter().any(|c| c.id == ids[0]));
        let q2 = ReviewQueue::rebuild("drm_1", changes, &journal);
        let rows: Vec<(&str, &str, ChangeState)> = q2
            .changes
            .iter()
            .zip(&q2.entries)
            .map(|(c, e)| (c.path.as_str(), c.id.as_str(), e.state))
            .collect();
        assert_eq!(
            rows,
            vec![
                ("/a.md", ids[0].as_str(), Conflict),
                ("/b.md", ids[1].as_str(), Rejected),
                ("/c.md", ids[2].as_str(), Pending),
            ]
        );
        let (c, e) = (&q2.changes[0], &q2.entries[0]);
        assert_eq!(c.reviewed.as_ref().unwrap().content.as_deref(), Some("a"));
        assert_eq!(e.live.as_ref().unwrap().content.as_deref(), Some("a2"));
        assert_eq!(c.proposed.as_ref().unwrap().content.as_deref(), Some("A"));
        assert_eq!(
            e.conflict_message.as_deref(),
            Some("/a.md changed in the input store since it was reviewed")
        );
        assert_eq!(c.diff.unified(), "@@ -1 +1 @@\n-a\n+A\n");
        assert!(
            q2.to_apply().is_empty(),
            "nothing is written before a new decision"
        );

        // Decided again, against the live version: stays accepted across runs and apply
        // writes over exactly that version.
        let r = q2.decide(&ids[0], Decision::Accept).unwrap();
        journal.push(r);
        let q3 = ReviewQueue::rebuild("drm_1", recomputed("a2"), &journal);
        assert_eq!(q3.entries[0].state, Accepted);
        assert_eq!(q3.to_apply(), vec![0]);
        // (`apply::plan` takes the live version as the precondition when a conflict message
        // is on the entry.)
        assert!(q3.entries[0].conflict_message.is_some());
        assert_eq!(
            q3.entries[0].live.as_ref().map(|l| l.sha.clone()),
            Some(content_sha256("a2"))
        );
        assert_eq!(q3.content_to_write(0), Some("A"));

        // And if it moves again, the conflict is against what was decided last.
        let q4 = ReviewQueue::rebuild("drm_1", recomputed("a3"), &journal);
        assert_eq!(q4.entries[0].state, Conflict);
        assert_eq!(
            q4.changes[0].reviewed.as_ref().unwrap().content.as_deref(),
            Some("a2")
        );
        assert_eq!(
            q4.entries[0].live.as_ref().unwrap().content.as_deref(),
            Some("a3")
        );
    }

    #[test]
    fn an_undone_decision_whose_input_moved_on_leaves_a_new_pending_change() {
        let mut q = queue();
        let ids: Vec<String> = q.changes.iter().map(|c| c.id.clone()).collect();
        let mut journal = Vec::new();
        let r = q.decide(&ids[0], Decision::Accept).unwrap();
        q.apply_record(&r);
        journal.push(r);
        let r = q.undo().unwrap();
        q.apply_record(&r);
        journal.push(r);
        let changes = recomputed("a2");
        let new_id = changes[0].id.clone();
        let q2 = ReviewQueue::rebuild("drm_1", changes, &journal);
        assert_eq!(q2.changes.len(), 3);
        assert_eq!(q2.changes[0].id, new_id);
        assert_eq!(q2.entries[0].state, ChangeState::Pending);
        assert_eq!(
            q2.changes[0].reviewed.as_ref().unwrap().content.as_deref(),
            Some("a2")
        );
    }
}
