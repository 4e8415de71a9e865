//! One typed error for every failure the API client can see.
//! CONTRACT STUB (owner: api helper) — keep these names; add freely.

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The server answered with a non-2xx status.
    #[error("{}", .0.one_line())]
    Http(Box<HttpError>),
    /// Connection refused, reset, DNS, timeout: no HTTP answer.
    #[error("network: {0}")]
    Network(String),
    /// A 2xx body that does not parse as what the endpoint returns.
    #[error("malformed response from {path}: {message}")]
    Decode { path: String, message: String },
    /// Bad client set-up (base URL, headers).
    #[error("client configuration: {0}")]
    Config(String),
}

#[derive(Debug, Clone)]
pub struct HttpError {
    pub status: u16,
    /// `error.type` from the body, e.g. `not_found_error`.
    pub error_type: String,
    pub message: String,
    pub request_id: Option<String>,
    pub retry_after: Option<Duration>,
}

impl HttpError {
    pub fn one_line(&self) -> String {
        let mut s = format!("{} {}: {}", self.status, self.error_type, self.message);
        if let Some(id) = &self.request_id {
            s.push_str(&format!(" (request-id {id})"));
        }
        s
    }
}

impl ApiError {
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Http(h) => Some(h.status),
            _ => None,
        }
    }
    pub fn request_id(&self) -> Option<&str> {
        match self {
            ApiError::Http(h) => h.request_id.as_deref(),
            _ => None,
        }
    }
}
