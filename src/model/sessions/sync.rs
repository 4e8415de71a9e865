//! What one round of the session poller learned, and how it merges into the index: by id, the
//! newer `updated_at` winning, with one re-sort per round however many sessions changed.

use super::{Evidence, SessionEntry, SessionIndex, SessionSummary, derive};

/// How much of the fleet the list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Coverage {
    /// Nothing new to say.
    #[default]
    Unchanged,
    /// A full read went to the end: every session is in the list.
    Complete,
    /// A full read stopped at its page cap: the list holds the newest `n` sessions plus the ones
    /// seen changing since.
    FirstOnly(usize),
}

/// One poll round's findings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionSync {
    /// Sessions that are new or changed (status, `updated_at`, usage …).
    pub upserts: Vec<SessionSummary>,
    /// Recent status/error events of sessions, folded (why a session is idle).
    pub evidence: Vec<(String, Evidence)>,
    /// Sessions that no longer exist.
    pub removed: Vec<String>,
    pub coverage: Coverage,
}

impl SessionSync {
    pub fn is_empty(&self) -> bool {
        self.upserts.is_empty()
            && self.evidence.is_empty()
            && self.removed.is_empty()
            && self.coverage == Coverage::Unchanged
    }
}

impl Evidence {
    /// What the list knows when it sees a session's status change without its events: that
    /// status, since the session's `updated_at` (the clock is late by at most one poll).
    pub fn assumed(status: &str, since: Option<i64>) -> Evidence {
        let status = match status {
            "running" => "running",
            "rescheduling" => "rescheduling",
            "terminated" => "terminated",
            "idle" => "idle",
            _ => return Evidence::default(),
        };
        Evidence {
            status: Some(status),
            since,
            last_event_at: since,
            ..Evidence::default()
        }
    }
}

impl SessionIndex {
    /// Merge a poll round. Returns whether anything the list shows changed (then the view
    /// was rebuilt once).
    pub fn apply_sync(&mut self, sync: SessionSync) -> bool {
        let mut changed = false;
        match sync.coverage {
            Coverage::Unchanged => {}
            Coverage::Complete => changed |= self.capped.take().is_some(),
            Coverage::FirstOnly(n) => {
                changed |= self.capped != Some(n);
                self.capped = Some(n);
            }
        }
        for s in sync.upserts {
            changed |= self.merge_summary(s);
        }
        for (id, evidence) in sync.evidence {
            if let Some(&i) = self.by_id.get(&id) {
                let e = &mut self.entries[i];
                if e.evidence != evidence {
                    e.evidence = evidence;
                    e.state = derive(&e.summary, &e.evidence);
                    changed = true;
                }
            }
        }
        if !sync.removed.is_empty() {
            let gone: std::collections::HashSet<&str> =
                sync.removed.iter().map(String::as_str).collect();
            let before = self.entries.len();
            self.entries
                .retain(|e| !gone.contains(e.summary.id.as_str()));
            if self.entries.len() != before {
                self.by_id = self
                    .entries
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (e.summary.id.clone(), i))
                    .collect();
                self.marks.retain(|id| !gone.contains(id.as_str()));
                changed = true;
            }
        }
        if changed {
            self.rebuild();
        }
        changed
    }

    /// Insert or update one session unless what is known is newer. A status change the
    /// evidence has not seen resets the evidence to that status (its events are not read for a
    /// session that merely started running).
    fn merge_summary(&mut self, s: SessionSummary) -> bool {
        let Some(&i) = self.by_id.get(&s.id) else {
            self.by_id.insert(s.id.clone(), self.entries.len());
            self.entries.push(SessionEntry::new(s, Evidence::default()));
            return true;
        };
        let e = &mut self.entries[i];
        if e.summary == s || e.summary.updated_at > s.updated_at {
            return false;
        }
        let stale = e.evidence.since.is_none_or(|t| Some(t) < s.updated_at);
        if e.evidence.status.is_some_and(|st| st != s.status) && stale {
            e.evidence = Evidence::assumed(&s.status, s.updated_at);
        }
        e.summary = s;
        e.state = derive(&e.summary, &e.evidence);
        true
    }

    /// `Some(n)` when the list holds only the first `n` sessions of a capped full read.
    pub fn capped(&self) -> Option<usize> {
        self.capped
    }
}

#[cfg(test)]
mod tests {
    use super::super::DerivedState;
    use super::*;

    fn summary(id: &str, status: &str, updated: i64) -> SessionSummary {
        SessionSummary {
            id: id.into(),
            title: id.into(),
            status: status.into(),
            created_at: Some(100),
            updated_at: Some(updated),
            ..SessionSummary::default()
        }
    }

    fn idle_because(stop: &str, at: i64) -> Evidence {
        let ts = jiff::Timestamp::from_second(at)
            .map(|t| t.to_string())
            .unwrap_or_default();
        Evidence::from_newest_first(&[serde_json::json!({
            "type": "session.status_idle", "processed_at": ts,
            "stop_reason": {"type": stop, "event_ids": ["sevt_1"]}
        })])
    }

    #[test]
    fn a_round_merges_by_id_and_newer_wins() {
        let mut idx = SessionIndex::new();
        let first = SessionSync {
            upserts: vec![summary("a", "idle", 100), summary("b", "idle", 100)],
            coverage: Coverage::FirstOnly(2),
            ..SessionSync::default()
        };
        assert!(idx.apply_sync(first));
        assert_eq!(idx.len(), 2);
        assert_eq!(idx.capped(), Some(2));
        // b starts running; an older copy of a (from a slow page) does not undo a newer one.
        let round = SessionSync {
            upserts: vec![summary("b", "running", 200), summary("a", "running", 90)],
            ..SessionSync::default()
        };
        assert!(idx.apply_sync(round));
        assert_eq!(idx.get("b").map(|e| e.state), Some(DerivedState::Running));
        assert_eq!(idx.get("b").and_then(|e| e.since()), Some(200));
        assert_eq!(idx.get("a").map(|e| e.state), Some(DerivedState::Idle));
        // The same round again changes nothing and asks for no redraw.
        let same = SessionSync {
            upserts: vec![summary("b", "running", 200)],
            ..SessionSync::default()
        };
        assert!(!idx.apply_sync(same));
        // b stops for an approval: only its events say so.
        let stop = SessionSync {
            evidence: vec![("b".into(), idle_because("requires_action", 230))],
            ..SessionSync::default()
        };
        assert!(idx.apply_sync(stop));
        assert_eq!(
            idx.get("b").map(|e| e.state),
            Some(DerivedState::NeedsApproval)
        );
        assert_eq!(idx.needs_you(), 1);
        // A sweep that went to the end drops the deleted and clears the cap.
        let sweep = SessionSync {
            removed: vec!["a".into()],
            coverage: Coverage::Complete,
            ..SessionSync::default()
        };
        assert!(idx.apply_sync(sweep));
        assert_eq!(idx.len(), 1);
        assert_eq!(idx.capped(), None);
        assert_eq!(idx.view_get(0).map(|e| e.summary.id.as_str()), Some("b"));
        assert!(!idx.apply_sync(SessionSync::default()));
    }

    #[test]
    fn evidence_newer_than_the_summary_is_kept() {
        let mut idx = SessionIndex::new();
        idx.apply_sync(SessionSync {
            upserts: vec![summary("a", "running", 100)],
            ..SessionSync::default()
        });
        idx.apply_sync(SessionSync {
            evidence: vec![("a".into(), idle_because("end_turn", 150))],
            ..SessionSync::default()
        });
        assert_eq!(idx.get("a").map(|e| e.state), Some(DerivedState::Idle));
        // A sweep page read before the stop still says running at 120: the evidence stands.
        idx.apply_sync(SessionSync {
            upserts: vec![summary("a", "running", 120)],
            ..SessionSync::default()
        });
        assert_eq!(idx.get("a").map(|e| e.state), Some(DerivedState::Idle));
        assert_eq!(idx.get("a").and_then(|e| e.since()), Some(150));
    }
}
