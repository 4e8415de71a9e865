//! Rebuilding a dream's review queue after a restart: the recomputed changes plus the
//! journal's records. The journal knows what each decision was made against, so a change whose
//! input memory moved on between two runs comes back as a conflict (reviewed, live, proposed),
//! never as a new pending change nor as something to write blindly.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::review::{
    AppliedChange, Change, ChangeKind, ChangeState, LiveVersion, Record, ReviewQueue, Seen, Side,
    make_change,
};

impl ReviewQueue {
    /// Rebuild from recomputed changes plus the journal's records of this dream (others are
    /// ignored). The journal knows every change it decided or applied (paths, hashes and the
    /// input content decided against), so a journaled change whose id the recomputed diff no
    /// longer shows is matched to the recomputed change that is the same proposal (same output
    /// path and hash; for a deletion, the same path) over an input that moved on since:
    /// - accepted against other content than the input holds now: a *conflict* showing
    ///   reviewed (what was decided on), live (the input now) and proposed, to decide again;
    /// - accepted against exactly this live version (a conflict decided again): stays
    ///   accepted, and apply writes over that version;
    /// - rejected or applied: stays so (the recomputed change is the residue of our own apply,
    ///   or of an edit made after it);
    /// - never decided (skipped, undone): the recomputed change replaces it, pending.
    ///
    /// Changes the journal applied (or started to) that the diff no longer shows come back
    /// from the journal.
    pub fn rebuild(dream_id: &str, changes: Vec<Change>, records: &[Record]) -> ReviewQueue {
        let mine: Vec<&Record> = records
            .iter()
            .filter(|r| r.dream_id() == dream_id)
            .collect();
        let (q, undecided) = Self::assemble(dream_id, &changes, &mine, &HashSet::new());
        if undecided.is_empty() {
            return q;
        }
        Self::assemble(dream_id, &changes, &mine, &undecided).0
    }

    /// One pass of [`rebuild`](Self::rebuild). `standalone`: journal ids never decided, whose
    /// recomputed changes stand on their own. Returns the queue and the matched journal ids that
    /// turned out undecided.
    fn assemble(
        dream_id: &str,
        changes: &[Change],
        records: &[&Record],
        standalone: &HashSet<String>,
    ) -> (ReviewQueue, HashSet<String>) {
        let known = journal_knowledge(records);
        let present: HashSet<&str> = changes.iter().map(|c| c.id.as_str()).collect();
        let mut by_path: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, c) in changes.iter().enumerate() {
            by_path.entry(c.path.as_str()).or_default().push(i);
        }
        // Journal id → (the recomputed change that is its proposal, a rename's residue).
        let mut matched: BTreeMap<&str, (usize, Option<usize>)> = BTreeMap::new();
        let mut absorbed: HashSet<usize> = HashSet::new();
        for (id, k) in &known {
            if present.contains(id) || standalone.contains(*id) {
                continue;
            }
            let a = k.ident;
            let candidates = by_path.get(a.path.as_str()).map_or(&[][..], Vec::as_slice);
            let primary = candidates.iter().copied().find(|&i| {
                let c = &changes[i];
                !absorbed.contains(&i)
                    && !known.contains_key(c.id.as_str())
                    && match &a.proposed_sha {
                        Some(sha) => c.proposed_sha() == Some(sha.as_str()),
                        None => c.kind == ChangeKind::Deleted && a.kind == ChangeKind::Deleted,
                    }
            });
            let Some(primary) = primary else {
                continue;
            };
            absorbed.insert(primary);
            // A rename whose input moved on is seen as an addition at the new path plus a
            // deletion at the old one: both are this change.
            let residue = match (a.kind, &a.old_path, changes[primary].kind) {
                (ChangeKind::Renamed, Some(old), ChangeKind::Added) => {
                    by_path.get(old.as_str()).and_then(|v| {
                        v.iter().copied().find(|&i| {
                            changes[i].kind == ChangeKind::Deleted
                                && !absorbed.contains(&i)
                                && !known.contains_key(changes[i].id.as_str())
                        })
                    })
                }
                _ => None,
            };
            if let Some(r) = residue {
                absorbed.insert(r);
            }
            matched.insert(*id, (primary, residue));
        }
        // The residue of our own apply (the input now holds what we wrote at that path).
        let residue_of_apply = |c: &Change| {
            known.iter().any(|(id, k)| {
                k.intent
                    && !present.contains(id)
                    && k.ident.path == c.path
                    && k.target.is_some()
                    && c.reviewed_sha() == k.target
            })
        };
        let mut all: Vec<Change> = changes
            .iter()
            .enumerate()
            .filter(|(i, c)| !absorbed.contains(i) && !residue_of_apply(c))
            .map(|(_, c)| c.clone())
            .collect();
        for (id, k) in &known {
            if present.contains(id) {
                continue;
            }
            match matched.get(id) {
                Some(&(primary, _)) => all.push(change_from_journal(
                    dream_id,
                    id,
                    k.ident,
                    k.content,
                    changes[primary].proposed.as_ref(),
                )),
                None if k.intent => {
                    all.push(change_from_journal(dream_id, id, k.ident, k.content, None))
                }
                None => {}
            }
        }
        all.sort_by(|a, b| a.path.cmp(&b.path).then(a.id.cmp(&b.id)));
        let mut q = ReviewQueue::new(dream_id, all);
        for r in records {
            q.apply_record(r);
        }
        let mut undecided = HashSet::new();
        for (id, (primary, residue)) in matched {
            let Some(i) = q.position(id) else {
                continue;
            };
            let c = &changes[primary];
            // The input as it is now: the recomputed change's input side (for a broken rename,
            // the deletion's).
            let live = c
                .reviewed
                .as_ref()
                .or_else(|| residue.and_then(|r| changes[r].reviewed.as_ref()))
                .map(|s| LiveVersion {
                    memory_id: s.memory_id.clone(),
                    path: s.path.clone(),
                    sha: s.sha.clone(),
                    content: s.content.clone(),
                });
            let change = &q.changes[i];
            let e = &mut q.entries[i];
            if e.intent {
                // A resumed apply checks the live store itself.
                continue;
            }
            let message = moved_on_message(change, live.as_ref());
            match e.state {
                ChangeState::Accepted => {
                    let against = e.decided_against().unwrap_or_else(|| change.reviewed_sha());
                    if against != live.as_ref().map(|l| l.sha.as_str()) {
                        e.state = ChangeState::Conflict;
                    }
                    e.live = live;
                    e.conflict_message.get_or_insert(message);
                }
                ChangeState::Conflict => {
                    // Refresh to the input as it is now.
                    if e.live.as_ref().map(|l| &l.sha) != live.as_ref().map(|l| &l.sha) {
                        e.conflict_message = Some(message);
                    }
                    e.live = live;
                }
                ChangeState::Pending => {
                    undecided.insert(id.to_string());
                }
                ChangeState::Rejected | ChangeState::Applied => {}
            }
        }
        (q, undecided)
    }
}

/// What the journal knows of one change (see [`ReviewQueue::rebuild`]).
struct Known<'a> {
    ident: &'a AppliedChange,
    /// The input content last decided against.
    content: Option<&'a str>,
    intent: bool,
    target: Option<&'a str>,
}

fn journal_knowledge<'a>(records: &[&'a Record]) -> BTreeMap<&'a str, Known<'a>> {
    let mut known: BTreeMap<&str, Known> = BTreeMap::new();
    let mut saw = |id: &'a str, s: &'a Seen| {
        let k = known.entry(id).or_insert(Known {
            ident: &s.change,
            content: None,
            intent: false,
            target: None,
        });
        k.ident = &s.change;
        k.content = s.content.as_deref();
    };
    for r in records {
        match r {
            Record::Decision {
                change_id,
                seen: Some(s),
                ..
            } => saw(change_id, s),
            Record::Bulk {
                change_ids, seen, ..
            } => {
                for (id, s) in change_ids.iter().zip(seen) {
                    saw(id, s);
                }
            }
            _ => {}
        }
    }
    for r in records {
        if let Record::ApplyIntent {
            change_id,
            change,
            target_sha,
            ..
        } = r
        {
            let k = known.entry(change_id).or_insert(Known {
                ident: change,
                content: None,
                intent: false,
                target: None,
            });
            k.intent = true;
            k.target = target_sha.as_deref();
        }
    }
    known
}

/// A change as the journal knows it, under its journaled id; `proposed` is the recomputed
/// output side when the diff still shows the same proposal (with its content).
fn change_from_journal(
    dream_id: &str,
    id: &str,
    a: &AppliedChange,
    content: Option<&str>,
    proposed: Option<&Side>,
) -> Change {
    let proposed = match proposed {
        Some(p) => Some(p.clone()),
        None => a.proposed_sha.as_ref().map(|sha| Side {
            memory_id: String::new(),
            path: a.path.clone(),
            sha: sha.clone(),
            content: None,
        }),
    };
    let reviewed = a.reviewed_sha.as_ref().map(|sha| Side {
        memory_id: a.memory_id.clone().unwrap_or_default(),
        path: a.old_path.clone().unwrap_or_else(|| a.path.clone()),
        sha: sha.clone(),
        // A pure rename never fetched its bytes: they are the proposal's.
        content: content.map(str::to_string).or_else(|| {
            proposed
                .as_ref()
                .filter(|p| &p.sha == sha)
                .and_then(|p| p.content.clone())
        }),
    });
    let mut c = make_change(dream_id, a.kind, reviewed, proposed);
    c.id = id.to_string();
    c
}

/// Why a journaled change whose input moved on is a conflict.
fn moved_on_message(c: &Change, live: Option<&LiveVersion>) -> String {
    let path = c.old_path.as_deref().unwrap_or(&c.path);
    match (c.kind, live) {
        (ChangeKind::Added, Some(_)) => {
            format!(
                "{} was created in the input store since it was reviewed",
                c.path
            )
        }
        (_, None) => format!("{path} was deleted from the input store since it was reviewed"),
        _ => format!("{path} changed in the input store since it was reviewed"),
    }
}
