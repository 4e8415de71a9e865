//! Replies: JSON bodies, error envelopes (via `wire::ApiError`), paging helpers, body parsing.

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::sim::clock::Micros;
use crate::sim::wire::{ApiError, ApiResult, Cursor, CursorKey, Page, paginate};

pub(super) type Reply = ApiResult<Response>;

pub(super) fn ok(v: Value) -> Reply {
    Ok((StatusCode::OK, axum::Json(v)).into_response())
}

pub(super) fn raw_json(body: String) -> Response {
    let mut resp = Response::new(Body::from(body));
    resp.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    resp
}

pub(super) fn page_json(
    data: Vec<Value>,
    next: Option<Cursor>,
    prev: Option<Option<Cursor>>,
) -> Reply {
    let mut v = json!({"data": data, "next_page": next.map(|c| c.encode())});
    if let Some(prev) = prev {
        v["prev_page"] = json!(prev.map(|c| c.encode()));
    }
    ok(v)
}

pub(super) fn body_json(body: &Bytes) -> ApiResult<Map<String, Value>> {
    if body.is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::bad_request("request body must be a JSON object")),
        Err(e) => Err(ApiError::bad_request(format!(
            "request body is not valid JSON: {e}"
        ))),
    }
}

pub(super) fn opt_str<'a>(m: &'a Map<String, Value>, key: &str) -> ApiResult<Option<&'a str>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::bad_request(format!("{key}: expected a string"))),
    }
}

pub(super) fn time_key(t: Micros, seq: u64) -> CursorKey {
    CursorKey::Time(t, seq)
}

pub(super) fn list_sorted<'a, T>(
    items: impl Iterator<Item = &'a T>,
    key: impl Fn(&T) -> CursorKey + Copy,
    desc: bool,
    cursor: Option<&Cursor>,
    limit: usize,
    keep: impl Fn(&T) -> bool,
) -> (Vec<&'a T>, Option<Cursor>, Option<Cursor>)
where
    T: 'a,
{
    let mut sorted: Vec<&T> = items.collect();
    sorted.sort_by_key(|t| key(t));
    let Page { items, next, prev } =
        paginate(&sorted, |t| key(t), desc, cursor, limit, |t| keep(t));
    (items.into_iter().copied().collect(), next, prev)
}
