//! The hostile fault modes (`--faults endless-pages,hang-stream,…`; see the `sim` module doc),
//! each one small and here: [`intercept`] answers a request (or never does) before it reaches
//! auth and the handlers; [`run`] passes it to the handler and bends the answer.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::sim::scenario::LONE_SURROGATE_MARK;
use crate::sim::state::AppState;
use crate::sim::stats::{Route, route};

/// Cursors the list faults hand out; the handlers never see them.
const ENDLESS: &str = "sim_endless_";
const REPEAT: &str = "sim_repeat";

/// The size every padded `big-page` answer reaches: 1 MiB past the client's cap.
const BIG_PAGE_BYTES: usize = crate::api::limits::MAX_BODY_BYTES + (1 << 20);

/// Bodies read whole to be rewritten are bounded too (a 20 MB event fits many times over).
const REWRITE_MAX_BYTES: usize = 256 << 20;

/// Redirect, HTML and hangs: answered here, before auth, as a proxy in front of the API would.
/// (Takes the method and URI, not the request: its body is not `Sync`, and this awaits.)
pub(super) async fn intercept(state: &AppState, method: &Method, uri: &Uri) -> Option<Response> {
    let f = &state.faults;
    if let Some(origin) = &f.redirect {
        let target = format!(
            "{origin}{}",
            uri.path_and_query().map_or("/", |p| p.as_str())
        );
        let mut resp = StatusCode::TEMPORARY_REDIRECT.into_response();
        if let Ok(v) = HeaderValue::from_str(&target) {
            resp.headers_mut().insert(header::LOCATION, v);
        }
        return Some(resp);
    }
    if f.html {
        let page = "<!DOCTYPE html>\n<html><head><title>Welcome to nginx!</title></head>\n<body><h1>Welcome to nginx!</h1><p>If you see this page, the web server is working.</p></body></html>\n";
        return Some(
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                page,
            )
                .into_response(),
        );
    }
    let hang = match route(method, uri.path()) {
        Route::Stream => f.hang_stream,
        Route::List { .. } => f.hang_list,
        Route::Other => false,
    };
    if hang {
        // Accepted and never answered: only the simulator stopping ends the wait.
        state.shutdown.cancelled().await;
        return Some(StatusCode::SERVICE_UNAVAILABLE.into_response());
    }
    None
}

/// Run the handler with the answer-bending faults around it.
pub(super) async fn run(state: &AppState, mut req: Request, next: Next) -> Response {
    let f = &state.faults;
    let route = route(req.method(), req.uri().path());
    let path = req.uri().path().to_owned();
    let is_list = matches!(route, Route::List { .. });
    // A list fault's own cursor means "the first page again": take it off before the handler.
    let mut synthetic: Option<u64> = None;
    if is_list && (f.endless_pages || f.repeat_cursor) {
        let (uri, page) = without_page(req.uri());
        if let Some(page) = page {
            if page == REPEAT {
                synthetic = Some(0);
            } else if let Some(n) = page.strip_prefix(ENDLESS).and_then(|n| n.parse().ok()) {
                synthetic = Some(n);
            }
            if synthetic.is_some()
                && let Some(uri) = uri
            {
                *req.uri_mut() = uri;
            }
        }
    }
    let limit = query_param(req.uri(), "limit").and_then(|l| l.parse::<u32>().ok());
    let resp = next.run(req).await;
    if resp.status() != StatusCode::OK {
        return resp;
    }
    if route == Route::Stream && f.one_byte_stream {
        let mut resp = resp;
        *resp.body_mut() = Body::from(":");
        resp.headers_mut().remove(header::CONTENT_LENGTH);
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let surrogates = state.hostile && (path == "/v1/sessions" || is_session_object(&path));
    let paging = is_list && (f.endless_pages || f.repeat_cursor);
    let pad = f.big_page
        && matches!(route, Route::List { history: true, .. })
        && limit.unwrap_or(1000) > 100;
    if !(surrogates || paging || pad) {
        return Response::from_parts(parts, body);
    }
    let Ok(bytes) = axum::body::to_bytes(body, REWRITE_MAX_BYTES).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut bytes = bytes.to_vec();
    if surrogates {
        bytes = with_lone_surrogates(&bytes);
    }
    if paging {
        let next = if f.repeat_cursor {
            REPEAT.to_owned()
        } else {
            format!("{ENDLESS}{}", synthetic.unwrap_or(0) + 1)
        };
        bytes = with_next_page(&bytes, &next, synthetic.is_some());
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    if pad {
        // JSON allows trailing whitespace: the page is valid, just too big for the client.
        let chunk = Bytes::from(vec![b' '; 1 << 20]);
        let first = Bytes::from(bytes);
        let rest = BIG_PAGE_BYTES
            .saturating_sub(first.len())
            .div_ceil(chunk.len());
        let chunks = std::iter::once(first)
            .chain(std::iter::repeat_n(chunk, rest))
            .map(Ok::<_, std::io::Error>);
        return Response::from_parts(parts, Body::from_stream(futures::stream::iter(chunks)));
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// `/v1/sessions/{id}`
fn is_session_object(path: &str) -> bool {
    path.strip_prefix("/v1/sessions/")
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

fn query_param<'a>(uri: &'a Uri, key: &str) -> Option<&'a str> {
    uri.query()?
        .split('&')
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
}

/// The URI without its `page` parameter (None if unchanged), and that parameter.
fn without_page(uri: &Uri) -> (Option<Uri>, Option<String>) {
    let Some(query) = uri.query() else {
        return (None, None);
    };
    let mut page = None;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|kv| match kv.strip_prefix("page=") {
            Some(p) => {
                page = Some(p.to_owned());
                false
            }
            None => true,
        })
        .collect();
    if page.is_none() {
        return (None, None);
    }
    let pq = if kept.is_empty() {
        uri.path().to_owned()
    } else {
        format!("{}?{}", uri.path(), kept.join("&"))
    };
    (pq.parse().ok(), page)
}

/// Replace the page's `next_page` with `next`: when it is null, or always (`force`, a page
/// past the real end). The top-level key is the last `"next_page":` in the body: it follows
/// `data` (written first, or sorted first), and cursors never contain it.
fn with_next_page(body: &[u8], next: &str, force: bool) -> Vec<u8> {
    const KEY: &[u8] = b"\"next_page\":";
    let Some(at) = body.windows(KEY.len()).rposition(|w| w == KEY) else {
        return body.to_vec();
    };
    let start = at + KEY.len();
    let rest = &body[start..];
    let len = if rest.starts_with(b"null") {
        4
    } else if rest.first() == Some(&b'"') {
        match rest[1..].iter().position(|&b| b == b'"') {
            Some(end) if force => end + 2,
            _ => return body.to_vec(),
        }
    } else {
        return body.to_vec();
    };
    let mut out = Vec::with_capacity(body.len() + next.len() + 2);
    out.extend_from_slice(&body[..start]);
    out.push(b'"');
    out.extend_from_slice(next.as_bytes());
    out.push(b'"');
    out.extend_from_slice(&rest[len..]);
    out
}

/// The marker character (as serde_json writes it, raw UTF-8) becomes the escape of a lone
/// surrogate: valid JSON syntax that no UTF-8 string can hold.
fn with_lone_surrogates(body: &[u8]) -> Vec<u8> {
    let mut mark = [0u8; 4];
    let mark = LONE_SURROGATE_MARK.encode_utf8(&mut mark).as_bytes();
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i..].starts_with(mark) {
            out.extend_from_slice(br"\ud800");
            i += mark.len();
        } else {
            out.push(body[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_told_apart() {
        let get = Method::GET;
        assert_eq!(
            route(&get, "/v1/sessions/sesn_1/events/stream"),
            Route::Stream
        );
        assert_eq!(
            route(&get, "/v1/sessions"),
            Route::List {
                history: false,
                sessions: true
            }
        );
        assert_eq!(
            route(&get, "/v1/sessions/sesn_1/threads/sthr_1/events"),
            Route::List {
                history: true,
                sessions: false
            }
        );
        assert_eq!(route(&get, "/v1/sessions/sesn_1"), Route::Other);
        assert_eq!(route(&Method::POST, "/v1/sessions"), Route::Other);
        assert!(is_session_object("/v1/sessions/sesn_1"));
        assert!(!is_session_object("/v1/sessions/sesn_1/events"));
    }

    #[test]
    fn next_page_is_replaced_only_at_the_end_unless_forced() {
        let end = br#"{"data":[{"next_page":null}],"next_page":null,"prev_page":"c1"}"#;
        assert_eq!(
            String::from_utf8_lossy(&with_next_page(end, "sim_repeat", false)),
            r#"{"data":[{"next_page":null}],"next_page":"sim_repeat","prev_page":"c1"}"#
        );
        let more = br#"{"data":[1],"next_page":"abc"}"#;
        assert_eq!(with_next_page(more, "x", false), more.to_vec());
        assert_eq!(
            String::from_utf8_lossy(&with_next_page(more, "sim_endless_2", true)),
            r#"{"data":[1],"next_page":"sim_endless_2"}"#
        );
    }

    #[test]
    fn the_page_parameter_is_taken_off() {
        let uri: Uri = "/v1/sessions?limit=100&page=sim_endless_3&order=asc"
            .parse()
            .unwrap_or_default();
        let (uri, page) = without_page(&uri);
        assert_eq!(page.as_deref(), Some("sim_endless_3"));
        assert_eq!(
            uri.map(|u| u.to_string()).as_deref(),
            Some("/v1/sessions?limit=100&order=asc")
        );
        let plain: Uri = "/v1/sessions?limit=1".parse().unwrap_or_default();
        assert_eq!(without_page(&plain), (None, None));
    }

    #[test]
    fn the_marker_becomes_a_lone_surrogate_escape() {
        let body = format!(r#"{{"title":"a{LONE_SURROGATE_MARK}b"}}"#);
        let out = with_lone_surrogates(body.as_bytes());
        assert_eq!(out, br#"{"title":"a\ud800b"}"#.to_vec());
        assert!(serde_json::from_slice::<serde_json::Value>(&out).is_err());
    }
}
