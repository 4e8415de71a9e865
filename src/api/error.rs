//! One typed error for every failure the API client can see.

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
    /// A 2xx answer that is not JSON at all (an HTML page: a proxy, a login page, a wrong base URL).
    #[error("the server answered {content_type}, not JSON — is the base URL right? ({url})")]
    NotJson { url: String, content_type: String },
    /// A redirect that was not followed (to another origin, or too many).
    #[error("{0}")]
    Redirect(String),
    /// A listing stopped before its end (page/item cap, or a repeated cursor); the items
    /// before it were delivered.
    #[error("stopped listing {path} after {items} items: {why} — showing the first {items}")]
    ListStopped {
        path: String,
        items: usize,
        why: String,
    },
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
    /// The body's `error` object as sent (for `details.error_code`, `conflicting_memory_id` …).
    pub error_object: Option<serde_json::Value>,
}

impl HttpError {
    pub fn one_line(&self) -> String {
        let mut s = format!("{} {}: {}", self.status, self.error_type, self.message);
        if let Some(id) = &self.request_id {
            s.push_str(&format!(" (request-id {id})"));
        }
        s
    }

    /// Build from a non-2xx answer. Never fails: a body that is not the documented
    /// `{"type":"error","error":{"type","message"},"request_id"}` still gives a sensible line.
    pub fn from_parts(
        status: u16,
        header_request_id: Option<String>,
        retry_after: Option<Duration>,
        body: &[u8],
    ) -> HttpError {
        let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        let err = parsed.as_ref().and_then(|v| v.get("error"));
        let text = |v: Option<&serde_json::Value>, key: &str| {
            v.and_then(|v| v.get(key))
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        };
        let error_type = text(err, "type")
            .map(|t| single_line(&t, 80))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| default_error_type(status).to_owned());
        let message = text(err, "message")
            .filter(|m| !m.trim().is_empty())
            .map(|m| single_line(&m, 300))
            .unwrap_or_else(|| fallback_message(status, body, parsed.is_some()));
        let request_id = header_request_id
            .or_else(|| text(parsed.as_ref(), "request_id"))
            .map(|id| single_line(&id, 120))
            .filter(|id| !id.is_empty());
        HttpError {
            status,
            error_type,
            message,
            request_id,
            retry_after,
            error_object: err.filter(|e| e.is_object()).cloned(),
        }
    }

    /// A string field of the error, looked up in `error.details` first, then in `error`
    /// (e.g. `error_code`, `conflicting_memory_id`). Raw server text: sanitize before display.
    pub fn detail(&self, key: &str) -> Option<&str> {
        let e = self.error_object.as_ref()?;
        e.get("details")
            .and_then(|d| d.get(key))
            .or_else(|| e.get(key))
            .and_then(serde_json::Value::as_str)
    }
}

/// The `error.type` the API uses for a status, for bodies that do not say.
fn default_error_type(status: u16) -> &'static str {
    match status {
        400 => "invalid_request_error",
        401 => "authentication_error",
        402 => "billing_error",
        403 => "permission_error",
        404 => "not_found_error",
        408 => "timeout_error",
        409 => "conflict_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        529 => "overloaded_error",
        500..=599 => "api_error",
        _ => "http_error",
    }
}

fn reason(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or(match status {
            529 => "Overloaded",
            _ => "Unexpected status",
        })
}

fn fallback_message(status: u16, body: &[u8], was_json: bool) -> String {
    let snippet = single_line(&String::from_utf8_lossy(body), 120);
    if snippet.is_empty() {
        reason(status).to_owned()
    } else if was_json {
        format!("{} (unrecognised error body: {snippet})", reason(status))
    } else {
        format!("{} (non-JSON body: {snippet})", reason(status))
    }
}

/// Server text for an error line: sanitized (`crate::text`: no escapes, controls or bidi
/// overrides), whitespace collapsed to single spaces, cut to `max` chars.
fn single_line(s: &str, max: usize) -> String {
    let s = crate::text::sanitize(s);
    let mut out = String::new();
    let mut count = 0;
    for word in s.split(|c: char| c.is_whitespace() || c.is_control()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
            count += 1;
        }
        for c in word.chars() {
            if count >= max {
                out.push('…');
                return out;
            }
            out.push(c);
            count += 1;
        }
    }
    out
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
    /// `error.type` of an HTTP error.
    pub fn error_type(&self) -> Option<&str> {
        match self {
            ApiError::Http(h) => Some(&h.error_type),
            _ => None,
        }
    }
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }
    /// 409: a precondition or path conflict, or a state conflict. An answer, not a fault.
    pub fn is_conflict(&self) -> bool {
        self.status() == Some(409)
    }
    /// 409 `memory_precondition_failed_error`: the memory changed since it was read.
    pub fn is_precondition_failed(&self) -> bool {
        self.is_conflict() && self.error_type() == Some("memory_precondition_failed_error")
    }
    /// `details.error_code` of an HTTP error (e.g. `environment_archived`).
    pub fn error_code(&self) -> Option<&str> {
        match self {
            ApiError::Http(h) => h.detail("error_code"),
            _ => None,
        }
    }
    /// On a 409 `memory_path_conflict_error`: the memory already at that path.
    pub fn conflicting_memory_id(&self) -> Option<&str> {
        match self {
            ApiError::Http(h) => h.detail("conflicting_memory_id"),
            _ => None,
        }
    }
    /// 401 / 403.
    pub fn is_auth(&self) -> bool {
        matches!(self.status(), Some(401 | 403))
    }
    /// Whether trying again later could help (network, 408, 429, 5xx).
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Network(_) => true,
            ApiError::Http(h) => matches!(h.status, 408 | 429) || h.status >= 500,
            ApiError::Decode { .. }
            | ApiError::Config(_)
            | ApiError::NotJson { .. }
            | ApiError::Redirect(_)
            | ApiError::ListStopped { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_body_gives_type_message_and_request_id() {
        let body = br#"{"type":"error","error":{"type":"not_found_error","message":"No session sesn_1"},"request_id":"req_body"}"#;
        let e = HttpError::from_parts(404, None, None, body);
        assert_eq!(
            e.one_line(),
            "404 not_found_error: No session sesn_1 (request-id req_body)"
        );
        // The header wins over the body.
        let e = HttpError::from_parts(404, Some("req_hdr".into()), None, body);
        assert_eq!(e.request_id.as_deref(), Some("req_hdr"));
    }

    #[test]
    fn non_json_and_empty_bodies_still_read_well() {
        let e = HttpError::from_parts(
            502,
            None,
            None,
            b"<html>\n<body>Bad gateway</body>\n</html>",
        );
        assert_eq!(
            e.one_line(),
            "502 api_error: Bad Gateway (non-JSON body: <html> <body>Bad gateway</body> </html>)"
        );
        let e = HttpError::from_parts(529, Some("req_9".into()), None, b"");
        assert_eq!(
            e.one_line(),
            "529 overloaded_error: Overloaded (request-id req_9)"
        );
        let e = HttpError::from_parts(401, None, None, br#"{"detail":"nope"}"#);
        assert_eq!(
            e.one_line(),
            "401 authentication_error: Unauthorized (unrecognised error body: {\"detail\":\"nope\"})"
        );
    }

    #[test]
    fn control_characters_never_reach_the_line() {
        let body = "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"a\\u001b[31mb\\nc\"}}";
        let e = HttpError::from_parts(500, None, None, body.as_bytes());
        assert_eq!(e.message, "ab c", "the whole escape sequence goes");
    }

    proptest::proptest! {
        #[test]
        fn any_error_answer_gives_one_clean_line(
            status in 100u16..1000,
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400),
            rid in proptest::option::of(".{0,20}"),
        ) {
            let e = HttpError::from_parts(status, rid, None, &body);
            let line = e.one_line();
            proptest::prop_assert!(line.starts_with(&status.to_string()));
            proptest::prop_assert!(!line.chars().any(char::is_control), "{:?}", line);
            proptest::prop_assert!(!e.error_type.is_empty());
        }
    }

    #[test]
    fn bidi_overrides_never_reach_the_line() {
        let body = "{\"error\":{\"type\":\"api_error\",\"message\":\"ok\\u202egnp.exe\"}}";
        let e = HttpError::from_parts(500, None, None, body.as_bytes());
        assert!(!e.message.contains('\u{202e}'), "{:?}", e.message);
        assert!(e.message.starts_with("ok"), "{:?}", e.message);
    }

    #[test]
    fn hostile_type_and_request_id_are_flattened() {
        let body = "{\"error\":{\"type\":\"evil\\u001b]0;pwn\\u0007\",\"message\":\"m\"},\"request_id\":\"req\\n2\"}";
        let e = HttpError::from_parts(400, None, None, body.as_bytes());
        assert_eq!(e.one_line(), "400 evil: m (request-id req 2)");
        let e = HttpError::from_parts(400, None, None, br#"{"error":{"type":"","message":""}}"#);
        assert_eq!(
            e.one_line(),
            "400 invalid_request_error: Bad Request (unrecognised error body: {\"error\":{\"type\":\"\",\"message\":\"\"}})"
        );
    }

    #[test]
    fn details_are_reachable() {
        let body = br#"{"type":"error","error":{"type":"memory_path_conflict_error","message":"exists","conflicting_memory_id":"mem_7","details":{"error_code":"path_taken"}}}"#;
        let e = ApiError::Http(Box::new(HttpError::from_parts(409, None, None, body)));
        assert_eq!(e.conflicting_memory_id(), Some("mem_7"));
        assert_eq!(e.error_code(), Some("path_taken"));
        let e = ApiError::Http(Box::new(HttpError::from_parts(409, None, None, b"nope")));
        assert_eq!(e.conflicting_memory_id(), None);
    }

    #[test]
    fn classification() {
        let conflict = ApiError::Http(Box::new(HttpError::from_parts(
            409,
            None,
            None,
            br#"{"type":"error","error":{"type":"memory_precondition_failed_error","message":"changed"}}"#,
        )));
        assert!(conflict.is_conflict() && conflict.is_precondition_failed());
        assert!(!conflict.is_transient());
        assert!(ApiError::Network("reset".into()).is_transient());
        let e = ApiError::Http(Box::new(HttpError::from_parts(429, None, None, b"")));
        assert!(e.is_transient());
        assert_eq!(e.to_string(), "429 rate_limit_error: Too Many Requests");
    }
}
