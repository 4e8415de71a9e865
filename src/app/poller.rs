//! The session list poller: notices changes in a fleet of 10,000+ sessions without re-reading
//! the whole list, at a bounded request rate.
//!
//! The Session resource has a `status` but not *why* (that is in its events), and the list
//! filters by `statuses[]` and `created_at[…]` — not by `updated_at`. So after one full read at
//! start-up, each round (every `interval`, 2 s ±10 %) asks:
//!
//! 1. **hot** — every running or rescheduling session (`statuses[]=running&statuses[]=
//!    rescheduling`, all pages up to [`HOT_PAGES`]). One that appears has started (upserted with
//!    its status since its `updated_at`); one that was hot last round and is gone has stopped:
//!    its recent status events (the *evidence*: end of turn, an approval, a custom tool, budget,
//!    retries) are read in the same round.
//! 2. **new** — every [`NEW_EVERY`] rounds, `created_at[gte]=<newest seen − 60 s>&order=asc`:
//!    sessions created since (the look-back covers sessions stamped a little in the past, such
//!    as a deployment's jittered fire), merged by id.
//! 3. **sweep** — every [`SWEEP_EVERY`] rounds one page of the whole list, newest first,
//!    starting over at the end. It catches what the other two cannot see: a turn shorter than a
//!    round, an archive or delete by someone else. Changed sessions get their evidence read; a
//!    sweep that reached the end drops the sessions it no longer found.
//! 4. **evidence backfill** — with what the round has left under the rate cap, the evidence of
//!    the most recently updated sessions never read (which idle session waits for a human is
//!    only in its events).
//!
//! The start-up read stops at [`MAX_PAGES`] pages (20,000 sessions; the list then says it
//! shows the first N) and reads the evidence of the [`EVIDENCE_AT_START`] newest sessions at
//! once. The watched session needs none of this: its live feed updates its row. A round's
//! findings go to `update` as one `Msg::SessionsSynced`, merged by id (newer `updated_at` wins)
//! with one re-sort. The pause after a round is stretched so that rounds average at most
//! `rate_cap` requests a second (1.8): at 10,000 sessions with 2 % running a round costs about
//! 3.5 requests (two or three hot pages, a quarter of a new-session look and of a sweep
//! page, the evidence of the sessions that stopped), so the pause stays near the interval.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use serde_json::Value;
use tokio::sync::{Notify, mpsc::UnboundedSender};

use crate::api::client::Page;
use crate::api::{ApiError, Beta, Client, Query};
use crate::app::msg::Msg;
use crate::app::state::ListConn;
use crate::model::sessions::sync::{Coverage, SessionSync};
use crate::model::sessions::{Evidence, SessionPage, SessionSummary};

/// Event types that tell why a session is in its state.
const EVIDENCE_TYPES: [&str; 6] = [
    "session.status_idle",
    "session.status_running",
    "session.status_rescheduled",
    "session.status_terminated",
    "session.error",
    "agent.custom_tool_use",
];
/// Pages of 100 sessions a full read (start-up or one sweep) covers at most.
pub const MAX_PAGES: usize = 200;
/// Pages of running/rescheduling sessions read per round at most (5,000 sessions).
pub const HOT_PAGES: usize = 50;
/// Pages of new sessions read per round at most.
const NEW_PAGES: usize = 10;
/// Rounds between two looks for new sessions.
pub const NEW_EVERY: u64 = 4;
/// Rounds between two sweep pages (half-way between two looks for new sessions).
pub const SWEEP_EVERY: u64 = 4;
/// How far before the newest known session the look for new ones starts.
const NEW_LOOKBACK_SECS: i64 = 60;
/// Evidence read at start-up at once (newest updated first).
pub const EVIDENCE_AT_START: usize = 60;
/// Evidence reads per round at most (stopped sessions first; the rest wait).
const EVIDENCE_PER_ROUND: usize = 20;

/// How the poller paces itself.
#[derive(Debug, Clone, Copy)]
pub struct PollConfig {
    /// The pause between rounds (jittered ±10 %).
    pub interval: Duration,
    /// Requests a second that rounds average at most (the pause stretches to keep it).
    pub rate_cap: f64,
}

impl PollConfig {
    pub fn new(interval: Duration) -> PollConfig {
        PollConfig {
            interval,
            rate_cap: 1.8,
        }
    }

    /// Requests a round may make and still keep the rate at its pause.
    fn round_budget(&self) -> usize {
        (self.interval.as_secs_f64() * self.rate_cap).floor() as usize
    }
}

/// What the poller remembers between rounds (ids, not rows: the model holds the rows).
#[derive(Debug, Default)]
struct Tracker {
    /// (status, updated_at) last sent for each session.
    known: HashMap<String, (String, Option<i64>)>,
    created: HashMap<String, Option<i64>>,
    /// `updated_at` at the last evidence read, per session.
    evidence_at: HashMap<String, Option<i64>>,
    hot: HashSet<String>,
    newest_created: Option<i64>,
    /// Evidence to read, most urgent first (stopped or changed sessions).
    urgent: VecDeque<String>,
    /// Evidence never read, newest updated first.
    backfill: VecDeque<String>,
    sweep: Sweep,
    round: u64,
}

#[derive(Debug, Default)]
struct Sweep {
    cursor: Option<String>,
    pages: usize,
    seen: HashSet<String>,
    /// Sessions created before this (seconds) must be found by the sweep to be kept.
    before: Option<i64>,
}

impl Tracker {
    /// Note a list of sessions; the new or changed ones go into `sync`. Returns the ids that
    /// changed since last seen (not the new ones).
    fn observe(&mut self, list: Vec<SessionSummary>, sync: &mut SessionSync) -> Vec<String> {
        let mut changed = Vec::new();
        for s in list {
            if s.created_at > self.newest_created {
                self.newest_created = s.created_at;
            }
            let now = (s.status.clone(), s.updated_at);
            match self.known.get(&s.id) {
                Some(before) if *before == now => continue,
                Some((_, at)) if *at > s.updated_at => continue,
                Some(_) => changed.push(s.id.clone()),
                None => {}
            }
            self.known.insert(s.id.clone(), now);
            self.created.insert(s.id.clone(), s.created_at);
            sync.upserts.push(s);
        }
        changed
    }

    fn forget(&mut self, id: &str) {
        self.known.remove(id);
        self.created.remove(id);
        self.evidence_at.remove(id);
        self.hot.remove(id);
    }

    /// Queue an evidence read unless it is queued already or current (read after the session's
    /// last update).
    fn want_evidence(&mut self, id: &str) {
        let current = self
            .evidence_at
            .get(id)
            .is_some_and(|at| self.known.get(id).is_some_and(|(_, updated)| updated <= at));
        if !current && !self.urgent.iter().any(|u| u == id) {
            self.urgent.push_back(id.to_string());
        }
    }

    /// The hot set now; returns the sessions that left it (they stopped).
    fn set_hot(&mut self, hot: HashSet<String>) -> Vec<String> {
        let left: Vec<String> = self.hot.difference(&hot).cloned().collect();
        self.hot = hot;
        left
    }

    /// Up to `n` evidence reads: urgent first, then backfill of sessions never read.
    fn take_evidence(&mut self, urgent_max: usize, spare: usize) -> Vec<String> {
        let mut out = Vec::new();
        while out.len() < urgent_max {
            let Some(id) = self.urgent.pop_front() else {
                break;
            };
            if self.known.contains_key(&id) {
                out.push(id);
            }
        }
        let limit = out.len() + spare;
        while out.len() < limit {
            let Some(id) = self.backfill.pop_front() else {
                break;
            };
            if self.known.contains_key(&id) && !self.evidence_at.contains_key(&id) {
                out.push(id);
            }
        }
        out
    }

    /// After the start-up read: every session's evidence is to be read, newest updated first.
    fn plan_backfill(&mut self) {
        let mut ids: Vec<(&String, Option<i64>)> =
            self.known.iter().map(|(id, (_, at))| (id, *at)).collect();
        ids.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        self.backfill = ids.into_iter().map(|(id, _)| id.clone()).collect();
    }

    /// A sweep page arrived. When the sweep is over: the sessions it no longer found (none when
    /// it stopped at the page cap) and, if it did, how many it saw.
    fn sweep_page(
        &mut self,
        ids: &[String],
        next: Option<String>,
    ) -> Option<(Vec<String>, Option<usize>)> {
        if self.sweep.pages == 0 {
            self.sweep.before = self.newest_created.map(|t| t - NEW_LOOKBACK_SECS);
        }
        self.sweep.pages += 1;
        self.sweep.seen.extend(ids.iter().cloned());
        if let Some(next) = next.filter(|n| !n.is_empty() && !ids.is_empty())
            && self.sweep.pages < MAX_PAGES
        {
            self.sweep.cursor = Some(next);
            return None;
        }
        let capped = self.sweep.pages >= MAX_PAGES;
        let sweep = std::mem::take(&mut self.sweep);
        if capped {
            return Some((Vec::new(), Some(sweep.seen.len())));
        }
        let gone: Vec<String> = self
            .created
            .iter()
            .filter(|(id, created)| {
                !sweep.seen.contains(*id) && created.zip(sweep.before).is_some_and(|(c, b)| c < b)
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in &gone {
            self.forget(id);
        }
        Some((gone, None))
    }
}

/// One page of the session list.
async fn list_page(client: &Client, q: Query) -> Result<SessionPage, ApiError> {
    let body = client
        .get_raw(Beta::ManagedAgents, "/v1/sessions", &q)
        .await?;
    // Item by item: one unreadable session costs that session only.
    SessionPage::parse(&body).map_err(|e| ApiError::Decode {
        path: "/v1/sessions".into(),
        message: e.to_string(),
    })
}

/// Every page of a listing (from the `page` cursor `from`) up to `max_pages`; (sessions, pages
/// read, stopped at the cap).
async fn list_all(
    client: &Client,
    base: Query,
    from: Option<String>,
    max_pages: usize,
) -> Result<(Vec<SessionSummary>, usize, bool), ApiError> {
    let mut out = Vec::new();
    let mut page: Option<String> = from;
    for pages in 1..=max_pages {
        let parsed = list_page(client, base.clone().push_opt("page", page.clone())).await?;
        out.extend(parsed.sessions);
        match parsed.next_page {
            Some(next) if !next.is_empty() && parsed.items > 0 => page = Some(next),
            _ => return Ok((out, pages, false)),
        }
    }
    Ok((out, max_pages, true))
}

fn all_sessions() -> Query {
    Query::new()
        .push("limit", "100")
        .push("include_archived", "true")
}

async fn fetch_evidence(client: &Client, id: &str) -> Result<Evidence, ApiError> {
    let q = Query::new()
        .push("order", "desc")
        .push("limit", "25")
        .push_array("types", EVIDENCE_TYPES);
    let path = format!("/v1/sessions/{id}/events");
    let body = client.get_raw(Beta::ManagedAgents, &path, &q).await?;
    let parsed: Page<Value> = serde_json::from_slice(&body).map_err(|e| ApiError::Decode {
        path: path.clone(),
        message: e.to_string(),
    })?;
    Ok(Evidence::from_newest_first(&parsed.data))
}

/// Read the evidence of `ids`, four at a time. A failed read is queued again; a session that
/// is gone (404) is dropped. Returns the requests made.
async fn read_evidence(
    client: &Client,
    t: &mut Tracker,
    ids: Vec<String>,
    sync: &mut SessionSync,
) -> usize {
    let requests = ids.len();
    let results: Vec<(String, Result<Evidence, ApiError>)> = futures::stream::iter(ids)
        .map(|id| {
            let client = client.clone();
            async move {
                let r = fetch_evidence(&client, &id).await;
                (id, r)
            }
        })
        .buffer_unordered(4)
        .collect()
        .await;
    for (id, r) in results {
        match r {
            Ok(evidence) => {
                // The stop event is the session's last update: a sweep that then sees the
                // session idle at that time needs no second read.
                let at = t.known.get(&id).and_then(|(_, at)| *at);
                t.evidence_at
                    .insert(id.clone(), at.max(evidence.last_event_at));
                sync.evidence.push((id, evidence));
            }
            Err(ApiError::Http(h)) if h.status == 404 => {
                t.forget(&id);
                sync.removed.push(id);
            }
            Err(_) => t.urgent.push_back(id),
        }
    }
    requests
}

/// The start-up read: the whole list (capped) and the newest sessions' evidence. The first
/// page goes to the screen at once (a big fleet takes seconds to read).
async fn first_round(
    client: &Client,
    t: &mut Tracker,
    tx: &UnboundedSender<Msg>,
) -> Result<SessionSync, ApiError> {
    let first = list_page(client, all_sessions()).await?;
    let early = SessionSync {
        upserts: first.sessions.clone(),
        ..SessionSync::default()
    };
    if !early.is_empty() {
        let _ = tx.send(Msg::SessionsSynced(Box::new(early)));
    }
    let (mut list, capped) = match first.next_page {
        Some(next) if !next.is_empty() && first.items > 0 => {
            let (rest, _, capped) =
                list_all(client, all_sessions(), Some(next), MAX_PAGES - 1).await?;
            (rest, capped)
        }
        _ => (Vec::new(), false),
    };
    list.splice(0..0, first.sessions);
    let mut sync = SessionSync {
        coverage: if capped {
            Coverage::FirstOnly(list.len())
        } else {
            Coverage::Complete
        },
        ..SessionSync::default()
    };
    t.hot = list
        .iter()
        .filter(|s| matches!(s.status.as_str(), "running" | "rescheduling"))
        .map(|s| s.id.clone())
        .collect();
    t.observe(list, &mut sync);
    t.plan_backfill();
    let ids = t.take_evidence(0, EVIDENCE_AT_START);
    read_evidence(client, t, ids, &mut sync).await;
    Ok(sync)
}

/// One incremental round; returns its findings and the requests it made.
async fn round(
    client: &Client,
    t: &mut Tracker,
    cfg: &PollConfig,
) -> Result<(SessionSync, usize), ApiError> {
    t.round += 1;
    let mut sync = SessionSync::default();
    let mut requests = 0;
    // 1. The hot set.
    let hot_q = all_sessions().push_array("statuses", ["running", "rescheduling"]);
    let (hot, pages, capped) = list_all(client, hot_q, None, HOT_PAGES).await?;
    requests += pages;
    let hot_ids: HashSet<String> = hot.iter().map(|s| s.id.clone()).collect();
    t.observe(hot, &mut sync);
    if !capped {
        for id in t.set_hot(hot_ids) {
            // A stop is news whatever was read before (the row still says running), and it
            // goes ahead of the changes a sweep found: it is what the person waits to see.
            t.urgent.retain(|u| *u != id);
            t.urgent.push_front(id);
        }
    }
    // 2. New sessions.
    if t.round % NEW_EVERY == NEW_EVERY / 2 {
        let from = t.newest_created.map(|c| c - NEW_LOOKBACK_SECS).unwrap_or(0);
        let from = jiff::Timestamp::from_second(from)
            .map(|ts| ts.to_string())
            .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_string());
        let q = all_sessions()
            .push("order", "asc")
            .push("created_at[gte]", from);
        let (list, pages, _) = list_all(client, q, None, NEW_PAGES).await?;
        requests += pages;
        for id in t.observe(list, &mut sync) {
            if !t.hot.contains(&id) {
                t.want_evidence(&id);
            }
        }
    }
    // 3. One page of the sweep.
    if t.round.is_multiple_of(SWEEP_EVERY) {
        let q = all_sessions().push_opt("page", t.sweep.cursor.clone());
        let page = list_page(client, q).await?;
        requests += 1;
        let ids: Vec<String> = page.sessions.iter().map(|s| s.id.clone()).collect();
        for id in t.observe(page.sessions, &mut sync) {
            if !t.hot.contains(&id) {
                t.want_evidence(&id);
            }
        }
        if let Some((gone, capped)) = t.sweep_page(&ids, page.next_page) {
            sync.removed.extend(gone);
            sync.coverage = capped.map_or(Coverage::Complete, Coverage::FirstOnly);
        }
    }
    // 4. Evidence: stopped and changed sessions, then the backfill with what is left.
    let urgent = t.urgent.len().min(EVIDENCE_PER_ROUND);
    let spare = cfg.round_budget().saturating_sub(requests + urgent);
    let ids = t.take_evidence(EVIDENCE_PER_ROUND, spare);
    requests += read_evidence(client, t, ids, &mut sync).await;
    Ok((sync, requests))
}

/// The time from the start of one round to the next: the interval (jittered), stretched so
/// that a round of `requests` averages at most `rate_cap` a second.
fn round_delay(cfg: &PollConfig, requests: usize) -> Duration {
    let base = jittered(cfg.interval);
    let budget = Duration::from_secs_f64(requests as f64 / cfg.rate_cap.max(0.01));
    base.max(budget)
}

pub(crate) fn jittered(base: Duration) -> Duration {
    let f: f64 = rand::random_range(0.9..1.1);
    base.mul_f64(f)
}

/// Consecutive failures after which the list is `down` rather than `retrying`.
const DOWN_AFTER_ATTEMPTS: u32 = 4;
/// Failing this long also counts as `down`.
const DOWN_AFTER: Duration = Duration::from_secs(30);
/// How often a rejected key (401/403) or a missing endpoint (404) is tried again: retrying
/// fast cannot help, `^r` tries at once.
const REJECTED_RETRY: Duration = Duration::from_secs(60);

/// What the header says after the `attempt`-th consecutive failed poll (failing for
/// `failing_for`), and how long to wait before the next one.
fn after_poll_failure(e: &ApiError, attempt: u32, failing_for: Duration) -> (ListConn, Duration) {
    let reason = e.to_string();
    let retry_after = match e {
        ApiError::Http(h) => h.retry_after,
        _ => None,
    };
    if let ApiError::Http(h) = e
        && matches!(h.status, 401 | 403 | 404)
    {
        return (ListConn::Rejected { reason }, REJECTED_RETRY);
    }
    let backoff = Duration::from_secs(1 << attempt.min(6)).min(Duration::from_secs(60));
    let conn = if attempt >= DOWN_AFTER_ATTEMPTS || failing_for >= DOWN_AFTER {
        ListConn::Down { reason }
    } else {
        ListConn::Retrying { attempt, reason }
    };
    (conn, retry_after.unwrap_or_else(|| jittered(backoff)))
}

/// Poll until the receiver is gone: the start-up read, then rounds. `wake` starts the next
/// round at once (`^r`).
pub async fn poll_loop(
    client: Client,
    tx: UnboundedSender<Msg>,
    wake: Arc<Notify>,
    cfg: PollConfig,
) {
    let mut t = Tracker::default();
    let mut started = false;
    let mut attempt: u32 = 0;
    let mut failing_since: Option<std::time::Instant> = None;
    loop {
        let began = std::time::Instant::now();
        let result = if started {
            round(&client, &mut t, &cfg).await
        } else {
            // The start-up burst is not held against the rate: the first screen matters.
            first_round(&client, &mut t, &tx).await.map(|s| (s, 0))
        };
        let delay = match result {
            Ok((sync, requests)) => {
                started = true;
                if attempt > 0 {
                    let _ = tx.send(Msg::ListConn(ListConn::Ok));
                }
                attempt = 0;
                failing_since = None;
                if !sync.is_empty() && tx.send(Msg::SessionsSynced(Box::new(sync))).is_err() {
                    return;
                }
                // From the start of the round: a slow answer does not add to the next wait.
                round_delay(&cfg, requests).saturating_sub(began.elapsed())
            }
            Err(e) => {
                attempt += 1;
                let failing = *failing_since.get_or_insert_with(std::time::Instant::now);
                let (conn, delay) = after_poll_failure(&e, attempt, failing.elapsed());
                if tx.send(Msg::ListConn(conn)).is_err() {
                    return;
                }
                delay
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = wake.notified() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16) -> ApiError {
        ApiError::Http(Box::new(crate::api::error::HttpError {
            status,
            error_type: "authentication_error".into(),
            message: "invalid x-api-key".into(),
            request_id: Some("req_1".into()),
            retry_after: None,
            error_object: None,
        }))
    }

    fn s(id: &str, status: &str, created: i64, updated: i64) -> SessionSummary {
        SessionSummary {
            id: id.into(),
            status: status.into(),
            created_at: Some(created),
            updated_at: Some(updated),
            ..SessionSummary::default()
        }
    }

    #[test]
    fn rejected_keys_are_not_retried_fast_and_failures_end_down() {
        let short = Duration::from_secs(1);
        for status in [401, 403, 404] {
            let (conn, delay) = after_poll_failure(&http(status), 1, short);
            let want =
                format!("{status} authentication_error: invalid x-api-key (request-id req_1)");
            assert_eq!(conn, ListConn::Rejected { reason: want });
            assert_eq!(delay, REJECTED_RETRY);
        }
        let refused = ApiError::Network("connection refused".into());
        let (conn, delay) = after_poll_failure(&refused, 1, short);
        assert_eq!(
            conn,
            ListConn::Retrying {
                attempt: 1,
                reason: "network: connection refused".into()
            }
        );
        assert!(delay <= Duration::from_millis(2400), "{delay:?}");
        let down = ListConn::Down {
            reason: "network: connection refused".into(),
        };
        assert_eq!(after_poll_failure(&refused, 4, short).0, down);
        assert_eq!(
            after_poll_failure(&refused, 2, Duration::from_secs(31)).0,
            down
        );
        assert_eq!(
            after_poll_failure(&http(503), 3, short).0,
            ListConn::Retrying {
                attempt: 3,
                reason: "503 authentication_error: invalid x-api-key (request-id req_1)".into()
            }
        );
    }

    #[test]
    fn big_rounds_stretch_the_pause_to_the_rate_cap() {
        let cfg = PollConfig::new(Duration::from_secs(2));
        assert_eq!(cfg.round_budget(), 3);
        // Three requests fit in a 2 s round at 1.8/s: the pause is the interval (±10 %).
        let d = round_delay(&cfg, 3);
        assert!((1.8..=2.2).contains(&d.as_secs_f64()), "{d:?}");
        // Thirty-six requests need 20 s.
        assert_eq!(round_delay(&cfg, 36), Duration::from_secs(20));
    }

    #[test]
    fn only_new_or_changed_sessions_are_sent_and_a_stop_asks_for_evidence() {
        let mut t = Tracker::default();
        let mut sync = SessionSync::default();
        let changed = t.observe(
            vec![s("a", "idle", 10, 10), s("b", "running", 20, 30)],
            &mut sync,
        );
        assert!(changed.is_empty());
        assert_eq!(sync.upserts.len(), 2);
        assert_eq!(t.newest_created, Some(20));
        t.set_hot(HashSet::from(["b".to_string()]));
        // Same again: nothing to send. An older copy of b is ignored.
        let mut sync = SessionSync::default();
        let changed = t.observe(
            vec![s("a", "idle", 10, 10), s("b", "running", 20, 25)],
            &mut sync,
        );
        assert!(changed.is_empty() && sync.upserts.is_empty());
        // b leaves the hot set: it stopped.
        let left = t.set_hot(HashSet::new());
        assert_eq!(left, vec!["b".to_string()]);
        t.want_evidence("b");
        t.want_evidence("b");
        assert_eq!(t.take_evidence(20, 0), vec!["b".to_string()]);
        // Backfill goes newest first and skips what was read.
        t.plan_backfill();
        t.evidence_at.insert("b".into(), Some(30));
        assert_eq!(t.take_evidence(20, 5), vec!["a".to_string()]);
    }

    #[test]
    fn a_finished_sweep_drops_only_old_sessions_it_did_not_find() {
        let mut t = Tracker::default();
        let mut sync = SessionSync::default();
        t.observe(
            vec![
                s("old", "idle", 1_000, 1_000),
                s("gone", "idle", 2_000, 2_000),
                s("fresh", "idle", 10_000, 10_000),
            ],
            &mut sync,
        );
        // Page one (newest first) has a next page; page two ends the sweep.
        assert_eq!(t.sweep_page(&["old".to_string()], Some("p2".into())), None);
        assert_eq!(t.sweep.cursor.as_deref(), Some("p2"));
        // "fresh" was created within the look-back of the sweep's start: it is kept.
        let gone = t.sweep_page(&[], None);
        assert_eq!(gone, Some((vec!["gone".to_string()], None)));
        assert!(!t.known.contains_key("gone"));
        assert!(t.known.contains_key("fresh"));
        assert_eq!(t.sweep.pages, 0);
        assert_eq!(t.sweep.cursor, None);
    }
}
