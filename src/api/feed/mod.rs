//! `SessionFeed`: the one gapless way to follow a session or thread
//! (stream first, backfill, merge by id, reconnect with backoff, re-backfill).
//!
//! The server has no resume, so the feed makes its own guarantee, "every event exactly once, in
//! order": it opens the SSE stream first (the server starts buffering live events), then pages
//! through history, then reads the stream, dropping every event whose id it has already seen.
//! Any end of the stream (EOF, an `error` frame, a read error, silence longer than the heartbeat
//! allowance) reconnects with exponential backoff and jitter and re-backfills from the last
//! `processed_at` seen. A malformed stream frame may have been an event, so it triggers the same
//! backfill without dropping the connection. The stream is not read while a backfill runs, so
//! live events stay queued behind the history that precedes them and come out in order.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use rustc_hash::FxHashSet;
use serde::Deserialize;
use tokio::sync::mpsc;

use super::limits;
use super::sse::{FrameKind, Parsed, SseParser};
use super::{ApiError, Beta, Client, Query};

mod head;
mod merge;
mod previews;

pub use head::EventHead;
pub use merge::{Merge, Offer};
pub use previews::Previews;

#[derive(Debug, Clone)]
pub struct FeedConfig {
    pub session_id: String,
    /// Follow one thread (`/threads/{id}/stream` + `/threads/{id}/events`).
    pub thread_id: Option<String>,
    /// Ask for `event_deltas[]` previews.
    pub deltas: bool,
    /// No bytes for this long (heartbeats included) = the stream is dead.
    pub heartbeat_allowance: Duration,
    /// Bounded channel capacity (backpressure).
    pub buffer: usize,
    /// First reconnect delay; doubles per failed attempt (with jitter) up to `backoff_max`.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Consecutive failed backfills before the feed reports a `Gap` and carries on live.
    pub backfill_attempts: u32,
    /// History page size.
    pub page_limit: u32,
    /// At most this many history pages per backfill; past it the feed reports a `Gap`.
    pub max_history_pages: u32,
    /// At most this many history events per backfill; past it the feed reports a `Gap`.
    pub max_history_items: u64,
    /// A stream counts as healthy (the reconnect backoff starts over) once it has stayed open
    /// this long or delivered a new event; bytes alone (pings, garbage) do not count.
    pub healthy_after: Duration,
}

impl FeedConfig {
    pub fn new(session_id: impl Into<String>) -> Self {
        FeedConfig {
            session_id: session_id.into(),
            thread_id: None,
            deltas: false,
            heartbeat_allowance: limits::STREAM_IDLE_TIMEOUT,
            buffer: 1024,
            backoff_base: limits::RECONNECT_BACKOFF_BASE,
            backoff_max: limits::RECONNECT_BACKOFF_MAX,
            backfill_attempts: 4,
            page_limit: 1000,
            max_history_pages: limits::MAX_HISTORY_PAGES,
            max_history_items: limits::MAX_HISTORY_ITEMS,
            healthy_after: limits::STREAM_HEALTHY_AFTER,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ConnState {
    Connecting,
    Live,
    Retrying {
        attempt: u32,
        next_at: SystemTime,
        reason: String,
    },
    Down {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum FeedItem {
    /// A persisted event seen for the first time (raw JSON), in order.
    Event(String),
    /// A user event seen before whose `processed_at` is now set (raw JSON of the new copy).
    Updated(String),
    /// Live typing preview for `event_id` (the whole text so far).
    Preview {
        event_id: String,
        kind: String,
        text: String,
    },
    /// The preview will not be replaced by a final event (closed by `span.model_request_end`).
    PreviewDiscarded {
        event_id: String,
    },
    /// History is fully loaded (first backfill done).
    HistoryLoaded,
    State(ConnState),
    /// A backfill failed after retries: events in this window may be missing.
    Gap {
        reason: String,
    },
    /// 404 or `session.deleted`.
    Gone {
        reason: String,
    },
    /// `session.status_terminated` seen; the feed has stopped.
    Ended,
}

/// Stops the feed task when dropped.
pub struct FeedHandle {
    task: tokio::task::AbortHandle,
}

impl FeedHandle {
    /// True once the feed has stopped (ended, gone, down, or its receiver was dropped).
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

impl Drop for FeedHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Start following. Items arrive on the bounded receiver; a slow reader applies backpressure.
/// Must be called inside a tokio runtime.
pub fn spawn(
    client: Client,
    cfg: FeedConfig,
) -> (FeedHandle, tokio::sync::mpsc::Receiver<FeedItem>) {
    let (tx, rx) = mpsc::channel(cfg.buffer.max(1));
    let task = tokio::spawn(async move {
        let mut feed = Feed::new(client, cfg, tx);
        feed.run().await;
    });
    (
        FeedHandle {
            task: task.abort_handle(),
        },
        rx,
    )
}

// ---------------------------------------------------------------------------------------------
// The feed task.

/// Why the feed stops or reconnects.
enum Flow {
    Continue,
    /// Send these and stop.
    Stop(FeedItem),
    /// The receiver is gone.
    Closed,
    /// The backfill stopped early (a cap, a repeated cursor, an unreadable page): events in
    /// this window may be missing. Reported as a `Gap`; the feed carries on live.
    Gap(String),
}

#[derive(Deserialize)]
struct RawPage<'a> {
    #[serde(borrow)]
    data: Vec<&'a serde_json::value::RawValue>,
    #[serde(default)]
    next_page: Option<String>,
}

/// A stream item queued for processing (frames parsed but not yet merged).
enum Pending {
    Event(String),
    Error(String),
    /// A frame the parser dropped (too large, not UTF-8).
    Malformed,
}

enum StreamEnd {
    /// Reconnect (EOF, error frame, read error, silence).
    Reconnect(String),
    /// A malformed frame: backfill, then keep reading.
    Resync,
    Stop(FeedItem),
    Closed,
}

/// Percent-encode one path segment (ids are plain, but user-typed ids must not change the path).
pub fn path_segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Non-retryable API answers: the feed cannot succeed by trying again.
fn is_fatal(e: &ApiError) -> bool {
    match e.status() {
        Some(s) => matches!(s, 400 | 401 | 402 | 403 | 404 | 405 | 410 | 422),
        None => matches!(e, ApiError::Config(_)),
    }
}

struct Feed {
    client: Client,
    cfg: FeedConfig,
    tx: mpsc::Sender<FeedItem>,
    merge: Merge,
    previews: Previews,
    history_loaded: bool,
    /// Why the last attempt failed (shown in `Retrying`).
    last_reason: Option<String>,
    /// When the last backfill started: malformed frames re-read history at most once per
    /// [`RESYNC_GAP`], so a stream of garbage cannot turn into a storm of history requests.
    last_backfill: Option<tokio::time::Instant>,
    /// Events delivered so far (new or updated): a stream that delivers one is healthy.
    delivered: u64,
}

/// The shortest time between two history re-reads caused by malformed frames.
const RESYNC_GAP: Duration = Duration::from_secs(1);

impl Feed {
    fn new(client: Client, cfg: FeedConfig, tx: mpsc::Sender<FeedItem>) -> Self {
        Feed {
            client,
            cfg,
            tx,
            merge: Merge::new(),
            previews: Previews::default(),
            history_loaded: false,
            last_reason: None,
            last_backfill: None,
            delivered: 0,
        }
    }

    fn stream_path(&self) -> String {
        let sid = path_segment(&self.cfg.session_id);
        match &self.cfg.thread_id {
            Some(t) => format!("/v1/sessions/{sid}/threads/{}/stream", path_segment(t)),
            None => format!("/v1/sessions/{sid}/events/stream"),
        }
    }

    fn history_path(&self) -> String {
        let sid = path_segment(&self.cfg.session_id);
        match &self.cfg.thread_id {
            Some(t) => format!("/v1/sessions/{sid}/threads/{}/events", path_segment(t)),
            None => format!("/v1/sessions/{sid}/events"),
        }
    }

    async fn send(&self, item: FeedItem) -> bool {
        self.tx.send(item).await.is_ok()
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let base = self.cfg.backoff_base.as_secs_f64();
        let exp = base * 2f64.powi(attempt.saturating_sub(1).min(20) as i32);
        let capped = exp.min(self.cfg.backoff_max.as_secs_f64());
        let jitter = 1.0 - 0.25 * rand::random::<f64>();
        Duration::from_secs_f64(capped * jitter)
    }

    async fn run(&mut self) {
        if !self.send(FeedItem::State(ConnState::Connecting)).await {
            return;
        }
        let mut attempt: u32 = 0;
        let mut failed_backfills: u32 = 0;
        loop {
            if attempt > 0 {
                let reason = self.last_reason.take().unwrap_or_default();
                let delay = self.backoff(attempt);
                let state = ConnState::Retrying {
                    attempt,
                    next_at: SystemTime::now() + delay,
                    reason,
                };
                if !self.send(FeedItem::State(state)).await {
                    return;
                }
                tokio::time::sleep(delay).await;
            }
            // 1. Stream first, so nothing emitted during the backfill is missed.
            let mut query = Query::new();
            if self.cfg.deltas {
                query = query.push_array("event_deltas", ["agent.message", "agent.thinking"]);
            }
            let response = match self
                .client
                .open_stream(Beta::ManagedAgents, &self.stream_path(), &query)
                .await
            {
                Ok(r) => r,
                Err(e) => {
                    if e.status() == Some(400) && self.cfg.deltas {
                        // Some servers reject `event_deltas[]` (e.g. on thread streams): previews
                        // are best-effort, the events are not. Follow without them.
                        tracing::warn!(error = %e, "stream rejected event_deltas; following without previews");
                        self.cfg.deltas = false;
                        continue;
                    }
                    if let Some(stop) = self.fatal_item(&e) {
                        self.finish(stop).await;
                        return;
                    }
                    self.last_reason = Some(e.to_string());
                    attempt += 1;
                    continue;
                }
            };
            let mut conn = Connection {
                opened: tokio::time::Instant::now(),
                response,
                parser: SseParser::new(),
                pending: VecDeque::new(),
            };
            // 2. Backfill, then 3. read the stream; a malformed frame loops back to 2.
            let mut live = false;
            let reason = loop {
                match self.backfill().await {
                    Ok(Flow::Continue) => failed_backfills = 0,
                    Ok(Flow::Gap(reason)) => {
                        failed_backfills = 0;
                        if !self.send(FeedItem::Gap { reason }).await {
                            return;
                        }
                    }
                    Ok(Flow::Stop(item)) => {
                        self.finish(item).await;
                        return;
                    }
                    Ok(Flow::Closed) => return,
                    Err(e) => {
                        if let Some(stop) = self.fatal_item(&e) {
                            self.finish(stop).await;
                            return;
                        }
                        failed_backfills += 1;
                        if failed_backfills < self.cfg.backfill_attempts {
                            break format!("history: {e}");
                        }
                        failed_backfills = 0;
                        let gap = FeedItem::Gap {
                            reason: format!("history could not be read: {e}"),
                        };
                        if !self.send(gap).await {
                            return;
                        }
                    }
                }
                if !self.history_loaded {
                    self.history_loaded = true;
                    if !self.send(FeedItem::HistoryLoaded).await {
                        return;
                    }
                }
                if !live {
                    live = true;
                    if !self.send(FeedItem::State(ConnState::Live)).await {
                        return;
                    }
                }
                match self.read_stream(&mut conn, &mut attempt).await {
                    StreamEnd::Resync => continue,
                    StreamEnd::Reconnect(reason) => break reason,
                    StreamEnd::Stop(item) => {
                        self.finish(item).await;
                        return;
                    }
                    StreamEnd::Closed => return,
                }
            };
            drop(conn);
            for item in self.previews.discard_all() {
                if !self.send(item).await {
                    return;
                }
            }
            self.last_reason = Some(reason);
            attempt += 1;
        }
    }

    /// The item that ends the feed for a non-retryable error, if `e` is one.
    fn fatal_item(&self, e: &ApiError) -> Option<FeedItem> {
        if e.status() == Some(404) {
            return Some(FeedItem::Gone {
                reason: format!("not found ({e})"),
            });
        }
        if is_fatal(e) {
            return Some(FeedItem::State(ConnState::Down {
                reason: e.to_string(),
            }));
        }
        None
    }

    async fn finish(&mut self, item: FeedItem) {
        if matches!(item, FeedItem::Ended) && !self.history_loaded {
            self.history_loaded = true;
            if !self.send(FeedItem::HistoryLoaded).await {
                return;
            }
        }
        // A gone session is also a dead connection: the header must not stay "connecting".
        let down = match &item {
            FeedItem::Gone { reason } => Some(ConnState::Down {
                reason: reason.clone(),
            }),
            _ => None,
        };
        if !self.send(item).await {
            return;
        }
        if let Some(state) = down {
            let _ = self.send(FeedItem::State(state)).await;
        }
    }

    /// Page through history from the last `processed_at` seen (all of it the first time).
    /// Bounded: at most `max_history_pages` pages and `max_history_items` events, a repeated
    /// cursor stops at once, and a page too large (or unreadable) is re-read with a smaller
    /// `limit` before the window is reported as a gap.
    async fn backfill(&mut self) -> Result<Flow, ApiError> {
        self.last_backfill = Some(tokio::time::Instant::now());
        let path = self.history_path();
        let mut base = Query::new();
        if self.cfg.thread_id.is_none() {
            // Thread history takes only `limit` and `page`: it is re-read whole and deduped.
            base = base.push("order", "asc");
            if let Some(ts) = self.merge.last_processed_at() {
                base = base.push("created_at[gte]", ts.to_owned());
            }
        }
        let mut limit = self.cfg.page_limit.max(1);
        let mut page: Option<String> = None;
        let mut cursors: FxHashSet<String> = FxHashSet::default();
        let (mut pages, mut items) = (0u32, 0u64);
        loop {
            if pages >= self.cfg.max_history_pages || items >= self.cfg.max_history_items {
                return Ok(Flow::Gap(format!(
                    "history read stopped at its cap ({pages} pages, {items} events)"
                )));
            }
            pages += 1;
            let query = base
                .clone()
                .push("limit", limit.to_string())
                .push_opt("page", page.clone());
            let body = match self
                .client
                .get_raw(Beta::ManagedAgents, &path, &query)
                .await
            {
                Ok(body) => Ok(body),
                // A body over the size cap: a smaller page may fit.
                Err(ApiError::Decode { message, .. }) => Err(message),
                Err(e) => return Err(e),
            };
            let parsed = match &body {
                Ok(body) => serde_json::from_slice::<RawPage<'_>>(body).map_err(|e| e.to_string()),
                Err(message) => Err(message.clone()),
            };
            let parsed = match parsed {
                Ok(parsed) => parsed,
                Err(message) if limit > 1 => {
                    tracing::warn!(limit, %message, "history page unreadable; re-reading smaller");
                    limit = (limit / 10).max(1);
                    continue;
                }
                Err(message) => {
                    return Ok(Flow::Gap(format!(
                        "a history page could not be read even one event at a time: {message}"
                    )));
                }
            };
            items += parsed.data.len() as u64;
            for raw in &parsed.data {
                match self.handle_event(raw.get()).await {
                    Flow::Continue => {}
                    other => return Ok(other),
                }
            }
            match parsed.next_page {
                Some(next) if !next.is_empty() && !parsed.data.is_empty() => {
                    if !cursors.insert(next.clone()) {
                        return Ok(Flow::Gap(
                            "history repeated a page cursor; reading stopped".to_owned(),
                        ));
                    }
                    page = Some(next);
                }
                _ => return Ok(Flow::Continue),
            }
        }
    }

    /// Merge one persisted event and deliver it if new.
    async fn handle_event(&mut self, raw: &str) -> Flow {
        let (offer, head) = self.merge.offer(raw);
        let Some(head) = head else {
            return Flow::Continue;
        };
        let type_name = head.type_name.as_deref().unwrap_or("");
        let item = match offer {
            Offer::New => FeedItem::Event(raw.to_owned()),
            Offer::Updated => FeedItem::Updated(raw.to_owned()),
            Offer::Duplicate | Offer::Invalid => return Flow::Continue,
        };
        if let Some(id) = head.id.as_deref() {
            self.previews.finish(id);
        }
        let stop = match type_name {
            "session.deleted" => {
                return Flow::Stop(FeedItem::Gone {
                    reason: "session deleted".to_owned(),
                });
            }
            "session.status_terminated" => true,
            // On a thread's own stream the event may not name the thread it is about.
            "session.thread_status_terminated" => {
                self.cfg.thread_id.is_some()
                    && head
                        .session_thread_id
                        .as_deref()
                        .is_none_or(|t| Some(t) == self.cfg.thread_id.as_deref())
            }
            _ => false,
        };
        if !self.send(item).await {
            return Flow::Closed;
        }
        self.delivered += 1;
        if type_name == "span.model_request_end" {
            for item in self.previews.discard_all() {
                if !self.send(item).await {
                    return Flow::Closed;
                }
            }
        }
        if stop {
            return Flow::Stop(FeedItem::Ended);
        }
        Flow::Continue
    }

    /// A malformed or dropped stream frame: re-read history before handling anything after it
    /// (it may have been an event: completeness and order depend on it), but not sooner than
    /// RESYNC_GAP after the last re-read; the frames behind it wait meanwhile.
    async fn resync(&self) -> StreamEnd {
        tracing::warn!(
            session = %self.cfg.session_id,
            "malformed stream frame; re-reading history"
        );
        if let Some(last) = self.last_backfill {
            tokio::time::sleep_until(last + RESYNC_GAP).await;
        }
        StreamEnd::Resync
    }

    /// Read the stream until it ends; merge every event frame.
    async fn read_stream(&mut self, conn: &mut Connection, attempt: &mut u32) -> StreamEnd {
        loop {
            while let Some(item) = conn.pending.pop_front() {
                match item {
                    Pending::Error(data) => {
                        return StreamEnd::Reconnect(format!("stream error: {}", one_line(&data)));
                    }
                    Pending::Malformed => return self.resync().await,
                    Pending::Event(data) => {
                        let head = EventHead::parse(&data);
                        let Some(head) = head else {
                            return self.resync().await;
                        };
                        let type_name = head.type_name.as_deref().unwrap_or("");
                        if matches!(type_name, "event_start" | "event_delta") {
                            if let Some(item) = self.previews.apply(type_name, &data)
                                && !self.send(item).await
                            {
                                return StreamEnd::Closed;
                            }
                            continue;
                        }
                        if head.id.is_none() {
                            tracing::debug!(kind = type_name, "stream frame without id skipped");
                            continue;
                        }
                        let before = self.delivered;
                        match self.handle_event(&data).await {
                            Flow::Continue | Flow::Gap(_) => {}
                            Flow::Stop(item) => return StreamEnd::Stop(item),
                            Flow::Closed => return StreamEnd::Closed,
                        }
                        if self.delivered > before {
                            // A real event: the connection works, the backoff starts over.
                            *attempt = 0;
                        }
                    }
                }
            }
            let chunk =
                match tokio::time::timeout(self.cfg.heartbeat_allowance, conn.response.chunk())
                    .await
                {
                    Err(_) => {
                        return StreamEnd::Reconnect(format!(
                            "no data for {:?}",
                            self.cfg.heartbeat_allowance
                        ));
                    }
                    Ok(Err(e)) => return StreamEnd::Reconnect(format!("stream read: {e}")),
                    Ok(Ok(None)) => return StreamEnd::Reconnect("stream closed".to_owned()),
                    Ok(Ok(Some(bytes))) => bytes,
                };
            // Bytes alone (a ping, one garbage byte) do not prove the stream works; staying
            // open for a while does.
            if conn.opened.elapsed() >= self.cfg.healthy_after {
                *attempt = 0;
            }
            let pending = &mut conn.pending;
            conn.parser
                .push_marking_drops(&chunk, |parsed| match parsed {
                    Parsed::Frame(frame) => match frame.kind() {
                        FrameKind::Event(data) => {
                            pending.push_back(Pending::Event(data.to_owned()))
                        }
                        FrameKind::Error(data) => {
                            pending.push_back(Pending::Error(data.to_owned()))
                        }
                        FrameKind::Skip => {}
                    },
                    // Too large or not UTF-8: it may have been an event, like a malformed frame.
                    Parsed::Dropped => pending.push_back(Pending::Malformed),
                });
        }
    }
}

struct Connection {
    opened: tokio::time::Instant,
    response: reqwest::Response,
    parser: SseParser,
    pending: VecDeque<Pending>,
}

/// The message of an error frame (or its first 200 characters), on one line.
fn one_line(data: &str) -> String {
    #[derive(Deserialize)]
    struct ErrorBody {
        error: ErrorDetail,
    }
    #[derive(Deserialize)]
    struct ErrorDetail {
        #[serde(rename = "type", default)]
        kind: String,
        #[serde(default)]
        message: String,
    }
    match serde_json::from_str::<ErrorBody>(data) {
        Ok(b) => format!("{}: {}", b.error.kind, b.error.message),
        Err(_) => data
            .chars()
            .take(200)
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::transcript::{Transcript, Upsert};
    use proptest::prelude::*;

    fn user(id: &str, processed: Option<&str>) -> String {
        match processed {
            Some(p) => format!(r#"{{"type":"user.message","id":"{id}","processed_at":"{p}"}}"#),
            None => format!(r#"{{"type":"user.message","id":"{id}","processed_at":null}}"#),
        }
    }

    fn agent(id: &str, processed: &str) -> String {
        format!(r#"{{"type":"agent.message","id":"{id}","processed_at":"{processed}"}}"#)
    }

    #[test]
    fn merge_delivers_once_and_upserts_processed_user_events() {
        let mut m = Merge::new();
        assert_eq!(m.offer(&user("u", None)).0, Offer::New);
        assert_eq!(m.last_processed_at(), None);
        assert_eq!(m.offer(&agent("a", "2026-01-01T00:00:01Z")).0, Offer::New);
        assert_eq!(
            m.offer(&agent("a", "2026-01-01T00:00:01Z")).0,
            Offer::Duplicate
        );
        assert_eq!(m.offer(&user("u", None)).0, Offer::Duplicate);
        assert_eq!(
            m.offer(&user("u", Some("2026-01-01T00:00:02Z"))).0,
            Offer::Updated
        );
        assert_eq!(
            m.offer(&user("u", Some("2026-01-01T00:00:02Z"))).0,
            Offer::Duplicate
        );
        assert_eq!(m.last_processed_at(), Some("2026-01-01T00:00:02Z"));
        assert_eq!(m.offer("{oops").0, Offer::Invalid);
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn last_processed_at_compares_as_time() {
        let mut m = Merge::new();
        m.offer(&agent("a", "2026-01-01T00:00:05.5Z"));
        m.offer(&agent("b", "2026-01-01T00:00:05Z"));
        assert_eq!(m.last_processed_at(), Some("2026-01-01T00:00:05.5Z"));
        m.offer(&agent("c", "2026-01-01T00:00:06Z"));
        assert_eq!(m.last_processed_at(), Some("2026-01-01T00:00:06Z"));
    }

    #[test]
    fn untrusted_processed_at_never_moves_the_backfill_start() {
        let mut m = Merge::new();
        m.offer(&agent("a", "2026-01-01T00:00:05Z"));
        // Garbage, far future, and an invalid date are delivered but not believed.
        assert_eq!(m.offer(&agent("b", "tomorrow-ish")).0, Offer::New);
        assert_eq!(m.offer(&agent("c", "9999-12-31T23:59:59Z")).0, Offer::New);
        assert_eq!(m.offer(&agent("d", "2026-13-45T99:00:00Z")).0, Offer::New);
        assert_eq!(m.last_processed_at(), Some("2026-01-01T00:00:05Z"));
        // A few seconds ahead (clock skew) is believed; a later valid one still moves it.
        let soon = jiff::Timestamp::now()
            .checked_add(jiff::SignedDuration::from_secs(10))
            .unwrap()
            .to_string();
        m.offer(&agent("e", &soon));
        assert_eq!(m.last_processed_at(), Some(soon.as_str()));
        let far = jiff::Timestamp::now()
            .checked_add(jiff::SignedDuration::from_secs(3600))
            .unwrap()
            .to_string();
        m.offer(&agent("f", &far));
        assert_eq!(m.last_processed_at(), Some(soon.as_str()));
        assert_eq!(m.len(), 6);
    }

    #[test]
    fn previews_accumulate_and_are_replaced_or_discarded() {
        let mut p = Previews::default();
        let start = r#"{"type":"event_start","event":{"type":"agent.message","id":"m1"}}"#;
        assert_eq!(
            p.apply("event_start", start),
            Some(FeedItem::Preview {
                event_id: "m1".into(),
                kind: "agent.message".into(),
                text: String::new()
            })
        );
        let d = |i: usize, t: &str| {
            format!(
                r#"{{"type":"event_delta","event_id":"m1","delta":{{"type":"content_delta","index":{i},"content":{{"type":"text","text":"{t}"}}}}}}"#
            )
        };
        p.apply("event_delta", &d(0, "Hel"));
        assert_eq!(
            p.apply("event_delta", &d(0, "lo")),
            Some(FeedItem::Preview {
                event_id: "m1".into(),
                kind: "agent.message".into(),
                text: "Hello".into()
            })
        );
        assert_eq!(p.apply("event_delta", &d(5, "skip")), None);
        let Some(FeedItem::Preview { text, .. }) = p.apply("event_delta", &d(1, "World")) else {
            panic!("expected a preview");
        };
        assert_eq!(text, "Hello\nWorld");
        p.finish("m1");
        assert!(p.discard_all().is_empty());
        p.apply(
            "event_start",
            r#"{"type":"event_start","event":{"type":"agent.thinking","id":"t1"}}"#,
        );
        assert_eq!(
            p.discard_all(),
            vec![FeedItem::PreviewDiscarded {
                event_id: "t1".into()
            }]
        );
    }

    #[test]
    fn path_segments_are_escaped() {
        assert_eq!(path_segment("sesn_01AB-c"), "sesn_01AB-c");
        assert_eq!(path_segment("a/b?c"), "a%2Fb%3Fc");
    }

    /// A ground-truth session log: (id, processed_at, is_user). User events are first seen queued.
    fn log_strategy() -> impl Strategy<Value = Vec<bool>> {
        proptest::collection::vec(proptest::bool::weighted(0.25), 1..60)
    }

    /// The final copy of event `i`.
    fn final_copy(i: usize, is_user: bool) -> String {
        let ts = format!("2026-01-01T00:{:02}:{:02}Z", i / 60, i % 60);
        if is_user {
            user(&format!("e{i}"), Some(&ts))
        } else {
            agent(&format!("e{i}"), &ts)
        }
    }

    proptest! {
        /// Any interleaving of stream copies (queued then processed) and history snapshots, with
        /// repeats, delivers each id exactly once and ends with every event's final copy.
        #[test]
        fn any_interleaving_yields_the_same_transcript(
            log in log_strategy(),
            order in proptest::collection::vec(any::<prop::sample::Index>(), 0..200),
        ) {
            // Every copy any source could produce.
            let mut copies: Vec<String> = Vec::new();
            for (i, &is_user) in log.iter().enumerate() {
                if is_user {
                    copies.push(user(&format!("e{i}"), None));
                }
                copies.push(final_copy(i, is_user));
            }
            // Random interleaving with repeats, then everything once more (the last backfill).
            let mut offered: Vec<&str> = order.iter().map(|ix| copies[ix.index(copies.len())].as_str()).collect();
            offered.extend(copies.iter().map(String::as_str));

            let mut merge = Merge::new();
            let mut transcript = Transcript::new();
            let mut delivered: Vec<String> = Vec::new();
            for raw in offered {
                match merge.offer(raw).0 {
                    Offer::New => {
                        delivered.push(EventHead::parse(raw).and_then(|h| h.id.map(|s| s.into_owned())).unwrap_or_default());
                        prop_assert!(matches!(transcript.upsert(raw), Upsert::Inserted(_)));
                    }
                    Offer::Updated => prop_assert!(matches!(transcript.upsert(raw), Upsert::Updated(_))),
                    Offer::Duplicate => prop_assert_eq!(transcript.upsert(raw), Upsert::Duplicate),
                    Offer::Invalid => prop_assert!(false, "valid input rejected"),
                }
            }
            // Exactly once.
            let mut ids = delivered.clone();
            ids.sort();
            ids.dedup();
            prop_assert_eq!(ids.len(), delivered.len());
            prop_assert_eq!(delivered.len(), log.len());
            // Final copies only.
            for (i, &is_user) in log.iter().enumerate() {
                let idx = transcript.find(&format!("e{i}")).unwrap();
                prop_assert_eq!(transcript.get(idx).unwrap().raw, final_copy(i, is_user));
            }
            let last = format!("2026-01-01T00:{:02}:{:02}Z", (log.len() - 1) / 60, (log.len() - 1) % 60);
            prop_assert_eq!(merge.last_processed_at(), Some(last.as_str()));
        }
    }
}
