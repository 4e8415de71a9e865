//! The HTTP client: headers, retries, errors, pagination, typed endpoints.
//! CONTRACT STUB (owner: api helper) — keep these names and signatures; add freely.

use std::fmt;

use super::{ApiError, Query};

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

/// The API key. Never printed: `Debug` shows `ApiKey(***)` and there is no `Display`.
#[derive(Clone)]
#[allow(dead_code)] // read by the client body (next commit)
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(key.into())
    }
    /// Only for building the request header.
    #[allow(dead_code)]
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
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, api_key: Option<ApiKey>) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            api_key,
            workspace_id: None,
            max_retries: 4,
        }
    }
}

/// One page of a cursor-paginated list.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    #[serde(default)]
    pub next_page: Option<String>,
    #[serde(default)]
    pub prev_page: Option<String>,
}

/// Cheap to clone (shared connection pool).
#[derive(Clone)]
pub struct Client {
    _private: (),
}

impl Client {
    pub fn new(_cfg: ClientConfig) -> Result<Client, ApiError> {
        todo!("api helper")
    }
    pub fn base_url(&self) -> &str {
        todo!("api helper")
    }
    /// GET with retries; the raw 2xx body. Used by the feed to page history without a typed parse.
    pub async fn get_raw(
        &self,
        _beta: Beta,
        _path: &str,
        _query: &Query,
    ) -> Result<bytes::Bytes, ApiError> {
        todo!("api helper")
    }
    /// Open an SSE stream (retries until a 200 arrives; mid-stream failures are the caller's).
    /// The response body is `text/event-stream`; parse it with `api::sse`.
    pub async fn open_stream(
        &self,
        _beta: Beta,
        _path: &str,
        _query: &Query,
    ) -> Result<reqwest::Response, ApiError> {
        todo!("api helper")
    }
}
