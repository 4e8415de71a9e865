//! The HTTP client: headers, retries, errors, pagination, typed endpoints.
//!
//! One `Client` talks to the real API and to the simulator alike. Every request goes through
//! one retry loop (connection errors, 408, 429, 5xx, 529; `x-should-retry` overrides; never
//! other 4xx), every list through one pagination stream, every failure becomes an `ApiError`.
//! The typed endpoints live one file per resource, thin `impl Client` blocks over that path.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use bytes::Bytes;
use futures::Stream;
use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::HttpError;
use super::events::{EventParams, SendEventsRequest, SendEventsResponse, SessionEvent};
use super::query::encode_path_segment as seg;
use super::types::{
    Agent, CreateDreamParams, CreateMemoryParams, CreateMemoryStoreParams, CreateSessionParams,
    Deleted, Deployment, DeploymentRun, Dream, Environment, ListDeploymentRunsParams,
    ListDeploymentsParams, ListDreamsParams, ListEventsParams, ListMemoriesParams,
    ListMemoryVersionsParams, ListParams, ListQuery, ListSessionsParams, ListThreadsParams, Memory,
    MemoryListItem, MemoryStore, MemoryVersion, MemoryView, Session, SessionThread,
    UpdateMemoryParams, UpdateSessionParams,
};
use super::{ApiError, Query};

pub use super::limits::MAX_BODY_BYTES;
use super::limits::{self, MAX_ERROR_BODY_BYTES};

/// The `anthropic-version` the official SDK 2.14.0 sends.
pub const ANTHROPIC_VERSION: &str = "2026-10-21";

/// Which `anthropic-beta` header a resource family needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Beta {
    /// agents, environments, sessions (+events, threads), deployments, deployment_runs
    ManagedAgents,
    /// memory_stores, memories, memory_versions
    Memory,
    /// dreams
    Dreams,
}

impl Beta {
    pub fn header_value(self) -> &'static str {
        match self {
            Beta::ManagedAgents => "managed-agents-2026-04-01",
            Beta::Memory => "agent-memory-2026-07-22",
            Beta::Dreams => "dreaming-2026-04-21",
        }
    }
}

/// The API key. Never printed: `Debug` shows `ApiKey(***)` and there is no `Display`.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(key.into())
    }
    /// Only for building the request header.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// e.g. `https://api.anthropic.com` or `http://127.0.0.1:4010` (no trailing slash needed).
    pub base_url: String,
    pub api_key: Option<ApiKey>,
    pub workspace_id: Option<String>,
    /// Retries after the first attempt for retryable failures.
    pub max_retries: u32,
    /// First backoff delay; doubles per retry (×(1−0.25·rand) jitter).
    pub backoff_base: Duration,
    /// Largest computed backoff delay.
    pub backoff_cap: Duration,
    /// Largest delay a server may ask for with `retry-after(-ms)`.
    pub max_retry_after: Duration,
    /// Whole-request timeout for non-stream requests (an open stream has none; the feed
    /// watches heartbeats instead).
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    /// Until the status line and headers arrive, for every request including a stream open.
    pub header_timeout: Duration,
    /// Longest silence while reading a non-stream body.
    pub body_idle_timeout: Duration,
    /// A `*_all` listing stops (and says so) after this many pages …
    pub max_list_pages: u32,
    /// … or this many items.
    pub max_list_items: usize,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, api_key: Option<ApiKey>) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            api_key,
            workspace_id: None,
            max_retries: 4,
            backoff_base: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
            request_timeout: limits::REQUEST_TIMEOUT,
            connect_timeout: limits::CONNECT_TIMEOUT,
            header_timeout: limits::HEADER_TIMEOUT,
            body_idle_timeout: limits::BODY_IDLE_TIMEOUT,
            max_list_pages: limits::MAX_LIST_PAGES,
            max_list_items: limits::MAX_LIST_ITEMS,
        }
    }
}

/// One page of a cursor-paginated list.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    #[serde(default)]
    pub next_page: Option<String>,
    /// Only `GET /v1/sessions` has it; absent elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev_page: Option<String>,
}

/// Paths of the streaming and history endpoints (for the feed).
mod agents;
mod deployments;
mod dreams;
mod events;
mod memory;
mod sessions;
pub use sessions::{LENIENT_MAX_PAGES, SessionListing};
mod threads;

pub mod paths {
    use super::seg;

    pub fn session_events(session_id: &str) -> String {
        format!("/v1/sessions/{}/events", seg(session_id))
    }
    pub fn session_stream(session_id: &str) -> String {
        format!("/v1/sessions/{}/events/stream", seg(session_id))
    }
    pub fn thread_events(session_id: &str, thread_id: &str) -> String {
        format!(
            "/v1/sessions/{}/threads/{}/events",
            seg(session_id),
            seg(thread_id)
        )
    }
    /// NB `/stream`, not `/events/stream`.
    pub fn thread_stream(session_id: &str, thread_id: &str) -> String {
        format!(
            "/v1/sessions/{}/threads/{}/stream",
            seg(session_id),
            seg(thread_id)
        )
    }
}

/// Cheap to clone (shared connection pool).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    has_key: bool,
    workspace_id: Option<String>,
    max_retries: u32,
    backoff_base: Duration,
    backoff_cap: Duration,
    max_retry_after: Duration,
    request_timeout: Duration,
    header_timeout: Duration,
    body_idle_timeout: Duration,
    max_list_pages: u32,
    max_list_items: usize,
    /// Failed attempts since the last success (any request): the header's "retrying n".
    consecutive_failures: AtomicU32,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("api_key", &if self.inner.has_key { "***" } else { "none" })
            .field("workspace_id", &self.inner.workspace_id)
            .field("max_retries", &self.inner.max_retries)
            .finish()
    }
}

/// A failed attempt: the error, whether to try again, and the server's requested delay.
struct Failure {
    error: ApiError,
    retry: bool,
    server_delay: Option<Duration>,
}

impl Client {
    pub fn new(cfg: ClientConfig) -> Result<Client, ApiError> {
        let base_url = cfg.base_url.trim().trim_end_matches('/').to_owned();
        let parsed = reqwest::Url::parse(&base_url)
            .map_err(|e| ApiError::Config(format!("base URL `{base_url}`: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ApiError::Config(format!(
                "base URL `{base_url}`: scheme must be http or https"
            )));
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            HeaderName::from_static("anthropic-version"),
            HeaderValue::from_static(ANTHROPIC_VERSION),
        );
        let ua = format!("overseer/{}", env!("CARGO_PKG_VERSION"));
        headers.insert(
            USER_AGENT,
            HeaderValue::from_str(&ua).map_err(|e| ApiError::Config(e.to_string()))?,
        );
        if let Some(key) = &cfg.api_key {
            // Never echo the key in the message.
            let mut v = HeaderValue::from_str(key.expose()).map_err(|_| {
                ApiError::Config("the API key contains characters not allowed in a header".into())
            })?;
            v.set_sensitive(true);
            headers.insert(HeaderName::from_static("x-api-key"), v);
        }
        if let Some(ws) = &cfg.workspace_id {
            let v = HeaderValue::from_str(ws).map_err(|_| {
                ApiError::Config(format!("workspace id `{ws}` is not a valid header"))
            })?;
            headers.insert(HeaderName::from_static("anthropic-workspace-id"), v);
        }
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .connect_timeout(cfg.connect_timeout)
            .redirect(same_origin_redirects())
            .build()
            .map_err(|e| ApiError::Config(e.to_string()))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                has_key: cfg.api_key.is_some(),
                workspace_id: cfg.workspace_id,
                max_retries: cfg.max_retries,
                backoff_base: cfg.backoff_base,
                backoff_cap: cfg.backoff_cap,
                max_retry_after: cfg.max_retry_after,
                request_timeout: cfg.request_timeout,
                header_timeout: cfg.header_timeout,
                body_idle_timeout: cfg.body_idle_timeout,
                max_list_pages: cfg.max_list_pages,
                max_list_items: cfg.max_list_items,
                consecutive_failures: AtomicU32::new(0),
            }),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Failed attempts (network errors and error answers) since the last successful answer
    /// to any request. 0 = the connection looks healthy.
    pub fn consecutive_failures(&self) -> u32 {
        self.inner.consecutive_failures.load(Ordering::Relaxed)
    }

    fn note_success(&self) {
        self.inner.consecutive_failures.store(0, Ordering::Relaxed);
    }

    /// GET with retries; the raw 2xx body. Used by the feed to page history without a typed parse.
    pub async fn get_raw(
        &self,
        beta: Beta,
        path: &str,
        query: &Query,
    ) -> Result<bytes::Bytes, ApiError> {
        self.execute(Method::GET, beta, path, query, None).await
    }

    /// Open an SSE stream (retries 429/5xx until a 200 arrives; a network failure, and any
    /// mid-stream failure, is the caller's).
    /// The response body is `text/event-stream`; parse it with `api::sse`.
    pub async fn open_stream(
        &self,
        beta: Beta,
        path: &str,
        query: &Query,
    ) -> Result<reqwest::Response, ApiError> {
        let url = self.url(path, query);
        let mut attempt = 0;
        loop {
            let req = self
                .request(Method::GET, beta, &url, None)
                .header(ACCEPT, "text/event-stream");
            let failure = match self.send(req, &url).await {
                Ok(resp) if resp.status().is_success() => {
                    tracing::debug!(
                        method = "GET",
                        path,
                        status = resp.status().as_u16(),
                        request_id = header_str(resp.headers(), "request-id"),
                        "stream open"
                    );
                    self.note_success();
                    return Ok(resp);
                }
                Ok(resp) => self.failure_from_response(resp, "GET", path).await,
                // No answer (a timeout, a reset): handed straight to the caller, whose own
                // backoff retries and who can read history meanwhile (the feed does); retried
                // here too, a stream that never answers would hide for minutes.
                Err(failure) if matches!(failure.error, ApiError::Network(_)) => {
                    let mut last = self.inner.max_retries;
                    self.after_failure(failure, &mut last, "GET", path).await?;
                    continue;
                }
                Err(failure) => failure,
            };
            self.after_failure(failure, &mut attempt, "GET", path)
                .await?;
        }
    }

    // -----------------------------------------------------------------------------------------
    // Transport

    fn url(&self, path: &str, query: &Query) -> String {
        let mut url = String::with_capacity(self.inner.base_url.len() + path.len() + 64);
        url.push_str(&self.inner.base_url);
        if !path.starts_with('/') {
            url.push('/');
        }
        url.push_str(path);
        let q = query.encode();
        if !q.is_empty() {
            url.push('?');
            url.push_str(&q);
        }
        url
    }

    fn request(
        &self,
        method: Method,
        beta: Beta,
        url: &str,
        body: Option<&Bytes>,
    ) -> reqwest::RequestBuilder {
        let mut req = self
            .inner
            .http
            .request(method, url)
            .header("anthropic-beta", beta.header_value());
        if let Some(b) = body {
            req = req.header(CONTENT_TYPE, "application/json").body(b.clone());
        }
        req
    }

    /// One attempt: send and wait at most the header timeout for the status line and headers.
    async fn send(
        &self,
        req: reqwest::RequestBuilder,
        url: &str,
    ) -> Result<reqwest::Response, Failure> {
        match tokio::time::timeout(self.inner.header_timeout, req.send()).await {
            Ok(Ok(resp)) => Ok(resp),
            Ok(Err(e)) => Err(network_failure(&e, url)),
            Err(_) => Err(Failure {
                error: ApiError::Network(format!(
                    "timed out: no answer within {} ({url})",
                    seconds(self.inner.header_timeout)
                )),
                retry: true,
                server_delay: None,
            }),
        }
    }

    /// Send with retries and return the whole 2xx body.
    async fn execute(
        &self,
        method: Method,
        beta: Beta,
        path: &str,
        query: &Query,
        body: Option<Bytes>,
    ) -> Result<Bytes, ApiError> {
        let url = self.url(path, query);
        let mut attempt = 0;
        loop {
            let req = self
                .request(method.clone(), beta, &url, body.as_ref())
                .header(ACCEPT, "application/json")
                .timeout(self.inner.request_timeout);
            let failure = match self.send(req, &url).await {
                Ok(resp) if resp.status().is_success() => {
                    let status = resp.status().as_u16();
                    let request_id = header_str(resp.headers(), "request-id").map(str::to_owned);
                    let content_type = header_str(resp.headers(), "content-type")
                        .unwrap_or("")
                        .to_owned();
                    let idle = self.inner.body_idle_timeout;
                    match read_body(resp, MAX_BODY_BYTES, idle, &url).await {
                        Ok(BodyRead::TooLarge) => {
                            return Err(ApiError::Decode {
                                path: url,
                                message: format!(
                                    "the answer is larger than {} MiB",
                                    MAX_BODY_BYTES / (1024 * 1024)
                                ),
                            });
                        }
                        Ok(BodyRead::Complete(bytes)) => {
                            if let Some(content_type) = not_json(&content_type, &bytes) {
                                return Err(ApiError::NotJson { url, content_type });
                            }
                            tracing::debug!(
                                method = method.as_str(),
                                path,
                                status,
                                request_id,
                                "ok"
                            );
                            self.note_success();
                            return Ok(bytes);
                        }
                        Err(failure) => failure,
                    }
                }
                Ok(resp) => {
                    self.failure_from_response(resp, method.as_str(), path)
                        .await
                }
                Err(failure) => failure,
            };
            self.after_failure(failure, &mut attempt, method.as_str(), path)
                .await?;
        }
    }

    async fn failure_from_response(
        &self,
        resp: reqwest::Response,
        method: &str,
        path: &str,
    ) -> Failure {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let request_id = header_str(&headers, "request-id").map(str::to_owned);
        let server_delay = retry_after(&headers, self.inner.max_retry_after);
        // A body that cannot be read still leaves the status to report.
        let idle = self.inner.body_idle_timeout;
        let body = match read_body(resp, MAX_ERROR_BODY_BYTES, idle, "").await {
            Ok(BodyRead::Complete(b)) => b,
            Ok(BodyRead::TooLarge) | Err(_) => Bytes::new(),
        };
        let error = HttpError::from_parts(status, request_id, server_delay, &body);
        tracing::debug!(
            method,
            path,
            status,
            request_id = error.request_id.as_deref(),
            error_type = error.error_type.as_str(),
            "error answer"
        );
        Failure {
            retry: should_retry(status, &headers),
            server_delay,
            error: ApiError::Http(Box::new(error)),
        }
    }

    /// Sleep before the next attempt, or give up with the error.
    async fn after_failure(
        &self,
        failure: Failure,
        attempt: &mut u32,
        method: &str,
        path: &str,
    ) -> Result<(), ApiError> {
        // Only faults count against the connection; a 4xx answer means it works.
        if failure.retry {
            self.inner
                .consecutive_failures
                .fetch_add(1, Ordering::Relaxed);
        } else {
            self.note_success();
        }
        if !failure.retry || *attempt >= self.inner.max_retries {
            return Err(failure.error);
        }
        let delay = failure.server_delay.unwrap_or_else(|| {
            backoff_delay(
                *attempt,
                self.inner.backoff_base,
                self.inner.backoff_cap,
                rand::random::<f64>(),
            )
        });
        *attempt += 1;
        tracing::debug!(
            method,
            path,
            attempt = *attempt,
            delay_ms = delay.as_millis() as u64,
            error = %failure.error,
            "retrying"
        );
        tokio::time::sleep(delay).await;
        Ok(())
    }

    fn decode<T: DeserializeOwned>(path: &str, bytes: &[u8]) -> Result<T, ApiError> {
        serde_json::from_slice(bytes).map_err(|e| ApiError::Decode {
            path: path.to_owned(),
            message: e.to_string(),
        })
    }

    /// GET and decode.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        beta: Beta,
        path: &str,
        query: &Query,
    ) -> Result<T, ApiError> {
        let bytes = self.execute(Method::GET, beta, path, query, None).await?;
        Self::decode(path, &bytes)
    }

    /// POST (a JSON body, or none for action endpoints) and decode.
    pub async fn post_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        beta: Beta,
        path: &str,
        query: &Query,
        body: Option<&B>,
    ) -> Result<T, ApiError> {
        let body = match body {
            Some(b) => {
                Some(Bytes::from(serde_json::to_vec(b).map_err(|e| {
                    ApiError::Config(format!("request body: {e}"))
                })?))
            }
            None => None,
        };
        let bytes = self.execute(Method::POST, beta, path, query, body).await?;
        Self::decode(path, &bytes)
    }

    /// DELETE and decode.
    pub async fn delete_json<T: DeserializeOwned>(
        &self,
        beta: Beta,
        path: &str,
        query: &Query,
    ) -> Result<T, ApiError> {
        let bytes = self
            .execute(Method::DELETE, beta, path, query, None)
            .await?;
        Self::decode(path, &bytes)
    }

    /// One page of any list.
    pub async fn list<T: DeserializeOwned, P: ListQuery>(
        &self,
        beta: Beta,
        path: &str,
        params: &P,
    ) -> Result<Page<T>, ApiError> {
        self.get_json(beta, path, &params.to_query()).await
    }

    /// Every item of any list, following `next_page` until it is empty. An error ends the
    /// stream after being yielded. The listing is bounded: after `max_list_pages` pages or
    /// `max_list_items` items, or at a `next_page` cursor already seen, it stops and its last
    /// item is `ApiError::ListStopped` (the items before it are all delivered).
    pub fn list_all<T, P>(
        &self,
        beta: Beta,
        path: String,
        params: P,
    ) -> impl Stream<Item = Result<T, ApiError>> + Send + 'static
    where
        T: DeserializeOwned + Send + 'static,
        P: ListQuery + Send + 'static,
    {
        struct State<T, P> {
            client: Client,
            path: String,
            params: P,
            buffer: VecDeque<T>,
            seen_cursors: HashSet<String>,
            pages: u32,
            items: usize,
            /// Set once the last page is read; `Some(why)` when the listing stopped early.
            end: Option<Option<String>>,
        }
        let state = State {
            client: self.clone(),
            path,
            params,
            buffer: VecDeque::new(),
            seen_cursors: HashSet::new(),
            pages: 0,
            items: 0,
            end: None,
        };
        let max_pages = self.inner.max_list_pages;
        let max_items = self.inner.max_list_items;
        futures::stream::unfold(state, move |mut st| async move {
            loop {
                if st.items < max_items
                    && let Some(item) = st.buffer.pop_front()
                {
                    st.items += 1;
                    return Some((Ok(item), st));
                }
                // Items still buffered here means the item cap was reached.
                let stop = match &st.end {
                    _ if !st.buffer.is_empty() => Some(format!("at most {max_items} items")),
                    Some(None) => return None,
                    Some(Some(why)) => Some(why.clone()),
                    None if st.items >= max_items => Some(format!("at most {max_items} items")),
                    None => None,
                };
                if let Some(why) = stop {
                    st.end = Some(None);
                    st.buffer.clear();
                    let error = ApiError::ListStopped {
                        path: st.path.clone(),
                        items: st.items,
                        why,
                    };
                    return Some((Err(error), st));
                }
                let query = st.params.to_query();
                let page: Result<Page<T>, ApiError> =
                    st.client.get_json(beta, &st.path, &query).await;
                match page {
                    Ok(page) => {
                        st.pages += 1;
                        st.buffer.extend(page.data);
                        st.end = match page.next_page.filter(|p| !p.is_empty()) {
                            None => Some(None),
                            Some(next) if !st.seen_cursors.insert(next.clone()) => {
                                Some(Some("the server repeated a page cursor".to_owned()))
                            }
                            Some(_) if st.pages >= max_pages => {
                                Some(Some(format!("at most {max_pages} pages")))
                            }
                            Some(next) => {
                                st.params.set_page(Some(next));
                                None
                            }
                        };
                    }
                    Err(e) => {
                        st.end = Some(None);
                        return Some((Err(e), st));
                    }
                }
            }
        })
    }

    /// GET one resource (no query).
    async fn get_one<T: DeserializeOwned>(&self, beta: Beta, path: &str) -> Result<T, ApiError> {
        self.get_json(beta, path, &Query::new()).await
    }

    /// POST a JSON body to a create/update endpoint.
    async fn create<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        beta: Beta,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        self.post_json(beta, path, &Query::new(), Some(body)).await
    }

    /// POST with no body: `/archive`, `/cancel`, `/pause`, `/run` … answer the resource.
    async fn action<T: DeserializeOwned>(&self, beta: Beta, path: &str) -> Result<T, ApiError> {
        self.post_json::<(), _>(beta, path, &Query::new(), None)
            .await
    }
}

fn session_path(id: &str) -> String {
    format!("/v1/sessions/{}", seg(id))
}
fn store_path(id: &str) -> String {
    format!("/v1/memory_stores/{}", seg(id))
}
fn memory_path(store_id: &str, memory_id: &str) -> String {
    format!("{}/memories/{}", store_path(store_id), seg(memory_id))
}
fn dream_path(id: &str) -> String {
    format!("/v1/dreams/{}", seg(id))
}
fn deployment_path(id: &str) -> String {
    format!("/v1/deployments/{}", seg(id))
}
fn view_query(view: Option<MemoryView>) -> Query {
    Query::new().push_opt("view", view.map(|v| v.as_str().to_owned()))
}

enum BodyRead {
    Complete(Bytes),
    TooLarge,
}

/// Read a body chunk by chunk, stopping once it exceeds `max` bytes or the server stays
/// silent for `idle`.
async fn read_body(
    mut resp: reqwest::Response,
    max: usize,
    idle: Duration,
    url: &str,
) -> Result<BodyRead, Failure> {
    if resp.content_length().is_some_and(|n| n > max as u64) {
        return Ok(BodyRead::TooLarge);
    }
    let mut buf = bytes::BytesMut::new();
    loop {
        let chunk = match tokio::time::timeout(idle, resp.chunk()).await {
            Ok(Ok(Some(chunk))) => chunk,
            Ok(Ok(None)) => break,
            Ok(Err(e)) => return Err(network_failure(&e, url)),
            Err(_) => {
                return Err(Failure {
                    error: ApiError::Network(with_url(
                        format!("timed out: the answer stalled for {}", seconds(idle)),
                        url,
                    )),
                    retry: true,
                    server_delay: None,
                });
            }
        };
        if buf.len() + chunk.len() > max {
            return Ok(BodyRead::TooLarge);
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(BodyRead::Complete(buf.freeze()))
}

/// `"30 s"`, `"0.2 s"`.
fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s} s")
    }
}

/// `"what (url)"`, or just `what` when there is no URL to name.
fn with_url(what: String, url: &str) -> String {
    if url.is_empty() {
        what
    } else {
        format!("{what} ({url})")
    }
}

/// A 2xx answer that is clearly not JSON (an HTML page from a proxy or a wrong base URL) gets
/// its own line instead of a parser message: the content type to name, or `None` when the
/// body may be JSON (or is empty).
fn not_json(content_type: &str, body: &[u8]) -> Option<String> {
    let ct = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    let html = ct == "text/html" || (!ct.contains("json") && first == Some(&b'<'));
    html.then(|| {
        if ct.is_empty() {
            "HTML".to_owned()
        } else {
            crate::text::one_line(&ct)
        }
    })
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// Connection errors and timeouts: retryable, one line naming what happened and the URL. A
/// refused redirect is not retryable.
fn network_failure(e: &reqwest::Error, url: &str) -> Failure {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut innermost = None;
    let mut reset = false;
    while let Some(s) = src {
        if let Some(refused) = s.downcast_ref::<RedirectRefused>() {
            return Failure {
                error: ApiError::Redirect(refused.to_string()),
                retry: false,
                server_delay: None,
            };
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            reset |= matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted
            );
        }
        innermost = Some(s.to_string());
        src = s.source();
    }
    let reading = e.is_body() || e.is_decode();
    let what = if e.is_timeout() {
        "timed out".to_owned()
    } else if reset && reading {
        "connection reset while reading".to_owned()
    } else if reset {
        "connection reset".to_owned()
    } else if e.is_connect() {
        match innermost {
            Some(c) if !c.is_empty() => format!("cannot connect: {}", crate::text::one_line(&c)),
            _ => "cannot connect".to_owned(),
        }
    } else if reading {
        "connection lost while reading the answer".to_owned()
    } else {
        match innermost {
            Some(c) if !c.is_empty() => format!("request failed: {}", crate::text::one_line(&c)),
            _ => "request failed".to_owned(),
        }
    };
    Failure {
        error: ApiError::Network(with_url(what, url)),
        retry: true,
        server_delay: None,
    }
}

/// Why a redirect was not followed (carried through reqwest's error chain).
#[derive(Debug)]
struct RedirectRefused(String);

impl fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RedirectRefused {}

/// `scheme://host:port` of a URL.
fn origin(url: &reqwest::Url) -> String {
    url.origin().ascii_serialization()
}

/// Follow redirects only within the origin of the first request, at most
/// `limits::MAX_REDIRECTS`: the API key never travels to another host, scheme or port.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let Some(first) = attempt.previous().first() else {
            return attempt.follow();
        };
        let (from, to) = (origin(first), origin(attempt.url()));
        if from != to {
            let why = format!(
                "refused a redirect from {} to {}: the API key is never sent to another origin",
                crate::text::one_line(&from),
                crate::text::one_line(&to)
            );
            return attempt.error(RedirectRefused(why));
        }
        if attempt.previous().len() > limits::MAX_REDIRECTS {
            let why = format!(
                "more than {} redirects from {}",
                limits::MAX_REDIRECTS,
                crate::text::one_line(&from)
            );
            return attempt.error(RedirectRefused(why));
        }
        attempt.follow()
    })
}

/// `x-should-retry` wins; otherwise 408, 429 and 5xx (incl. 529) retry, every other 4xx is an
/// answer (a 409 conflict must reach the caller at once).
pub(crate) fn should_retry(status: u16, headers: &HeaderMap) -> bool {
    match header_str(headers, "x-should-retry") {
        Some("true") => true,
        Some("false") => false,
        _ => matches!(status, 408 | 429) || status >= 500,
    }
}

/// The delay the server asks for: `retry-after-ms`, else `retry-after` (seconds or an HTTP
/// date), capped at `max`. `None` when absent, unparsable or not positive.
pub(crate) fn retry_after(headers: &HeaderMap, max: Duration) -> Option<Duration> {
    let positive = |secs: f64| (secs.is_finite() && secs > 0.0).then_some(secs);
    let secs = header_str(headers, "retry-after-ms")
        .and_then(|v| v.parse::<f64>().ok())
        .and_then(|ms| positive(ms / 1000.0))
        .or_else(|| {
            let v = header_str(headers, "retry-after")?;
            match v.parse::<f64>() {
                Ok(s) => positive(s),
                Err(_) => {
                    let when = jiff::fmt::rfc2822::DateTimeParser::new()
                        .parse_timestamp(v)
                        .ok()?;
                    let d = when.duration_since(jiff::Timestamp::now());
                    positive(d.as_secs_f64())
                }
            }
        })?;
    Some(Duration::from_secs_f64(secs).min(max))
}

/// `min(base·2^attempt, cap) × (1 − 0.25·jitter)`, `jitter` in [0, 1).
pub(crate) fn backoff_delay(attempt: u32, base: Duration, cap: Duration, jitter: f64) -> Duration {
    let exp = base.saturating_mul(2u32.saturating_pow(attempt.min(30)));
    let d = exp.min(cap);
    d.mul_f64(1.0 - 0.25 * jitter.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn retry_rules() {
        let none = HeaderMap::new();
        for s in [408, 429, 500, 502, 503, 504, 529] {
            assert!(should_retry(s, &none), "{s}");
        }
        for s in [400, 401, 403, 404, 409, 412, 413, 422] {
            assert!(!should_retry(s, &none), "{s}");
        }
        assert!(!should_retry(503, &headers(&[("x-should-retry", "false")])));
        assert!(should_retry(400, &headers(&[("x-should-retry", "true")])));
    }

    #[test]
    fn retry_after_forms_and_cap() {
        let max = Duration::from_secs(60);
        assert_eq!(
            retry_after(&headers(&[("retry-after-ms", "250")]), max),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            retry_after(
                &headers(&[("retry-after-ms", "250"), ("retry-after", "9")]),
                max
            ),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after", "1.5")]), max),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after", "3600")]), max),
            Some(max)
        );
        assert_eq!(retry_after(&headers(&[("retry-after", "0")]), max), None);
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")]), max), None);
        // An HTTP date in the past asks for no delay; a far future one is capped.
        assert_eq!(
            retry_after(
                &headers(&[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")]),
                max
            ),
            None
        );
        assert_eq!(
            retry_after(
                &headers(&[("retry-after", "Fri, 01 Jan 2100 00:00:00 GMT")]),
                max
            ),
            Some(max)
        );
    }

    #[test]
    fn backoff_doubles_caps_and_jitters_down() {
        let base = Duration::from_millis(500);
        let cap = Duration::from_secs(8);
        assert_eq!(backoff_delay(0, base, cap, 0.0), Duration::from_millis(500));
        assert_eq!(backoff_delay(1, base, cap, 0.0), Duration::from_secs(1));
        assert_eq!(backoff_delay(3, base, cap, 0.0), Duration::from_secs(4));
        assert_eq!(backoff_delay(4, base, cap, 0.0), Duration::from_secs(8));
        assert_eq!(backoff_delay(40, base, cap, 0.0), Duration::from_secs(8));
        assert_eq!(backoff_delay(0, base, cap, 1.0), Duration::from_millis(375));
    }

    #[test]
    fn debug_never_shows_the_key() {
        let cfg = ClientConfig::new("http://127.0.0.1:1", Some(ApiKey::new("sk-secret-123")));
        assert!(!format!("{cfg:?}").contains("sk-secret"));
        let c = Client::new(cfg).unwrap();
        let d = format!("{c:?}");
        assert!(!d.contains("sk-secret"), "{d}");
        assert!(d.contains("***"));
    }

    #[test]
    fn bad_base_urls_are_config_errors() {
        assert!(matches!(
            Client::new(ClientConfig::new("not a url", None)),
            Err(ApiError::Config(_))
        ));
        assert!(matches!(
            Client::new(ClientConfig::new("ftp://x", None)),
            Err(ApiError::Config(_))
        ));
        let c = Client::new(ClientConfig::new("http://127.0.0.1:9/", None)).unwrap();
        assert_eq!(c.base_url(), "http://127.0.0.1:9");
        assert_eq!(
            c.url("/v1/sessions", &Query::new().push("limit", "2")),
            "http://127.0.0.1:9/v1/sessions?limit=2"
        );
    }

    #[test]
    fn html_answers_are_named_and_json_passes() {
        assert_eq!(
            not_json("text/html; charset=utf-8", b"<html>").as_deref(),
            Some("text/html")
        );
        assert_eq!(not_json("", b"  <!doctype html>").as_deref(), Some("HTML"));
        assert_eq!(
            not_json("text/plain", b"<x\x1b[31m>").as_deref(),
            Some("text/plain")
        );
        assert_eq!(not_json("application/json", b"{}"), None);
        assert_eq!(
            not_json("application/json", b"<not json but says so>"),
            None
        );
        assert_eq!(not_json("", b""), None);
        assert_eq!(not_json("text/plain", b"{}"), None);
    }

    #[test]
    fn durations_and_urls_in_lines() {
        assert_eq!(seconds(Duration::from_secs(30)), "30 s");
        assert_eq!(seconds(Duration::from_millis(200)), "0.2 s");
        assert_eq!(
            with_url("timed out".into(), "http://h/x"),
            "timed out (http://h/x)"
        );
        assert_eq!(with_url("timed out".into(), ""), "timed out");
    }

    #[test]
    fn paths_escape_ids() {
        assert_eq!(
            paths::session_stream("sesn_1"),
            "/v1/sessions/sesn_1/events/stream"
        );
        assert_eq!(
            paths::thread_stream("s", "t"),
            "/v1/sessions/s/threads/t/stream"
        );
        assert_eq!(session_path("a/b?c"), "/v1/sessions/a%2Fb%3Fc");
    }
}
