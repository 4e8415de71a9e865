//! Every bound the HTTP client puts on a server, in one place. A hostile or broken server
//! costs at most these amounts of time and memory, then gets a clear error line.

use std::time::Duration;

/// Time to establish the TCP (+TLS) connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Time from sending a request until the status line and headers arrive. Applies to every
/// request, the opening of an event stream included (a server that accepts and never answers
/// cannot hold a feed forever).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(30);

/// Longest silence while reading a (non-stream) response body. An open event stream has its
/// own idle limit instead (the feed watches for heartbeats).
pub const BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Whole-request limit for non-stream requests (headers and body together).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Redirects followed within the same origin before giving up. Redirects to another origin are
/// never followed (the API key must not travel there).
pub const MAX_REDIRECTS: usize = 5;

/// Pages a `*_all` listing reads before it stops and says so.
pub const MAX_LIST_PAGES: u32 = 1_000;

/// Items a `*_all` listing yields before it stops and says so.
pub const MAX_LIST_ITEMS: usize = 100_000;

/// The largest 2xx body the client reads (a full page of 1,000 events or 20 full memories is
/// a few MB); a bigger answer is a `Decode` error rather than unbounded memory.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// How much of an error body is read to build the error line.
pub const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

/// The feed's defaults (each overridable in `FeedConfig`).
/// Silence on an open stream (no event, no ping) before it is treated as dropped.
pub const STREAM_IDLE_TIMEOUT: Duration = Duration::from_secs(45);
/// First reconnect delay; doubles per failed attempt, with jitter, up to the maximum.
pub const RECONNECT_BACKOFF_BASE: Duration = Duration::from_millis(200);
pub const RECONNECT_BACKOFF_MAX: Duration = Duration::from_secs(10);
/// A stream counts as healthy (the backoff starts over) after delivering a new event or
/// staying open this long; pings and garbage bytes do not count.
pub const STREAM_HEALTHY_AFTER: Duration = Duration::from_secs(30);
/// History pages and events one backfill reads before it stops with a visible gap.
pub const MAX_HISTORY_PAGES: u32 = 5_000;
pub const MAX_HISTORY_ITEMS: u64 = 5_000_000;
/// A `processed_at` further ahead of the local clock than this is not believed as the
/// starting point of the next backfill.
pub const MAX_FUTURE_SKEW_SECS: i64 = 300;
