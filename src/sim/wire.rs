//! Wire plumbing shared by every endpoint: query decoding, the error body, opaque page cursors.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::clock::{Micros, parse_rfc3339};

tokio::task_local! {
    /// The `request-id` of the request being served, so error bodies can repeat it.
    pub static REQUEST_ID: String;
}

// ---------------------------------------------------------------------------------------------
// Errors

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub kind: &'static str,
    pub message: String,
    /// Extra headers (e.g. `retry-after`).
    pub headers: Vec<(&'static str, String)>,
    /// Extra fields of the `error` object (`details`, `conflicting_memory_id`), as the API adds them.
    pub fields: serde_json::Map<String, Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        let mut headers = Vec::new();
        // Conflicts here are not transient: tell the SDK not to retry them.
        if status == StatusCode::CONFLICT {
            headers.push(("x-should-retry", "false".to_string()));
        }
        ApiError {
            status,
            kind,
            message: message.into(),
            headers,
            fields: serde_json::Map::new(),
        }
    }
    /// Add a field to the `error` object.
    pub fn with(mut self, key: &str, value: Value) -> Self {
        self.fields.insert(key.to_string(), value);
        self
    }
    /// `error.details.error_code`, the code the SDK maps to a specific exception class.
    pub fn code(self, error_code: &str) -> Self {
        self.with("details", json!({"error_code": error_code}))
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request_error", message)
    }
    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found_error",
            format!("{what} {id} not found"),
        )
    }
    /// A 409 that is neither a memory precondition nor a path collision: the SDK's
    /// `conflict_error` (the same type dream conflicts use).
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict_error", message)
    }
    /// 401: `presented` says whether a key came with the request (wrong) or none did (missing).
    pub fn unauthorized(presented: bool) -> Self {
        let message = if presented {
            "invalid x-api-key"
        } else {
            "missing API key: send an x-api-key header (or Authorization: Bearer)"
        };
        Self::new(StatusCode::UNAUTHORIZED, "authentication_error", message)
    }
}

pub fn current_request_id() -> String {
    REQUEST_ID
        .try_with(|id| id.clone())
        .unwrap_or_else(|_| "req_unknown".to_string())
}

pub fn error_body(kind: &str, message: &str) -> Value {
    json!({
        "type": "error",
        "error": {"type": kind, "message": message},
        "request_id": current_request_id(),
    })
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = error_body(self.kind, &self.message);
        if let Some(e) = body.get_mut("error").and_then(Value::as_object_mut) {
            e.extend(self.fields);
        }
        let mut resp = (self.status, axum::Json(body)).into_response();
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                resp.headers_mut().insert(name, v);
            }
        }
        resp
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

// ---------------------------------------------------------------------------------------------
// Query strings: `k=v`, `k[]=v` (repeated), `k[sub]=v`, percent-encoded or not.

#[derive(Debug, Clone, Default)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex_val(bytes[i + 1]), hex_val(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Query {
    pub fn parse(raw: Option<&str>) -> Self {
        let mut pairs = Vec::new();
        for part in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            let mut key = percent_decode(k);
            if key.ends_with("[]") {
                key.truncate(key.len() - 2);
            }
            pairs.push((key, percent_decode(v)));
        }
        Query { pairs }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a list parameter (`k[]=a&k[]=b`, `k=a`, or `k=a,b`).
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, v)| v.split(','))
            .filter(|v| !v.is_empty())
            .collect()
    }

    pub fn bool(&self, key: &str) -> ApiResult<bool> {
        match self.get(key) {
            None => Ok(false),
            Some("true") | Some("1") => Ok(true),
            Some("false") | Some("0") | Some("") => Ok(false),
            Some(v) => Err(ApiError::bad_request(format!(
                "{key}: expected true or false, got {v:?}"
            ))),
        }
    }

    pub fn limit(&self, default: usize, max: usize) -> ApiResult<usize> {
        match self.get("limit") {
            None | Some("") => Ok(default),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(ApiError::bad_request(format!(
                    "limit: must be an integer between 1 and {max}"
                ))),
            },
        }
    }

    /// `order=asc|desc`; returns true for descending.
    pub fn order_desc(&self, default_desc: bool) -> ApiResult<bool> {
        match self.get("order") {
            None | Some("") => Ok(default_desc),
            Some("asc") => Ok(false),
            Some("desc") => Ok(true),
            Some(v) => Err(ApiError::bad_request(format!(
                "order: expected 'asc' or 'desc', got {v:?}"
            ))),
        }
    }

    /// One of a closed set of values, or None when absent.
    pub fn enum_value(&self, key: &str, allowed: &[&str]) -> ApiResult<Option<String>> {
        match self.get(key) {
            None | Some("") => Ok(None),
            Some(v) if allowed.contains(&v) => Ok(Some(v.to_string())),
            Some(v) => Err(ApiError::bad_request(format!(
                "{key}: {v:?} is not one of {}",
                allowed.join(", ")
            ))),
        }
    }

    pub fn enum_list(&self, key: &str, allowed: &[&str]) -> ApiResult<Vec<String>> {
        let mut out = Vec::new();
        for v in self.all(key) {
            if !allowed.contains(&v) {
                return Err(ApiError::bad_request(format!(
                    "{key}[]: {v:?} is not one of {}",
                    allowed.join(", ")
                )));
            }
            out.push(v.to_string());
        }
        Ok(out)
    }

    pub fn time_range(&self, field: &str) -> ApiResult<TimeRange> {
        let mut range = TimeRange::default();
        for (op, slot) in [
            ("gt", &mut range.gt),
            ("gte", &mut range.gte),
            ("lt", &mut range.lt),
            ("lte", &mut range.lte),
        ] {
            let key = format!("{field}[{op}]");
            if let Some(v) = self.get(&key) {
                match parse_rfc3339(v) {
                    Some(t) => *slot = Some(t),
                    None => {
                        return Err(ApiError::bad_request(format!(
                            "{key}: {v:?} is not an RFC 3339 timestamp"
                        )));
                    }
                }
            }
        }
        Ok(range)
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct TimeRange {
    pub gt: Option<Micros>,
    pub gte: Option<Micros>,
    pub lt: Option<Micros>,
    pub lte: Option<Micros>,
}

impl TimeRange {
    pub fn contains(&self, t: Micros) -> bool {
        self.gt.is_none_or(|b| t > b)
            && self.gte.is_none_or(|b| t >= b)
            && self.lt.is_none_or(|b| t < b)
            && self.lte.is_none_or(|b| t <= b)
    }
}

// ---------------------------------------------------------------------------------------------
// Cursors: `page_` + hex of "v1|<order>|<direction>|<key>". Opaque to clients, checked on use.

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum CursorKey {
    Time(Micros, u64),
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub desc: bool,
    /// Backward cursors (`prev_page`) page towards the start of the order.
    pub backward: bool,
    pub key: CursorKey,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let key = match &self.key {
            CursorKey::Time(t, s) => format!("t|{t}|{s}"),
            CursorKey::Text(p) => format!("s|{p}"),
        };
        let raw = format!(
            "v1|{}|{}|{key}",
            if self.desc { "d" } else { "a" },
            if self.backward { "b" } else { "f" }
        );
        let mut out = String::from("page_");
        for b in raw.bytes() {
            out.push_str(&format!("{b:02x}"));
        }
        out
    }

    pub fn decode(s: &str) -> Option<Cursor> {
        let hex = s.strip_prefix("page_")?;
        if hex.len() % 2 != 0 {
            return None;
        }
        let bytes: Option<Vec<u8>> = hex
            .as_bytes()
            .chunks(2)
            .map(|c| Some(hex_val(c[0])? * 16 + hex_val(c[1])?))
            .collect();
        let raw = String::from_utf8(bytes?).ok()?;
        let mut parts = raw.splitn(5, '|');
        if parts.next()? != "v1" {
            return None;
        }
        let desc = match parts.next()? {
            "d" => true,
            "a" => false,
            _ => return None,
        };
        let backward = match parts.next()? {
            "b" => true,
            "f" => false,
            _ => return None,
        };
        let key = match parts.next()? {
            "t" => {
                let rest = parts.next()?;
                let (t, s) = rest.split_once('|')?;
                CursorKey::Time(t.parse().ok()?, s.parse().ok()?)
            }
            "s" => CursorKey::Text(parts.next()?.to_string()),
            _ => return None,
        };
        Some(Cursor {
            desc,
            backward,
            key,
        })
    }
}

/// Reads `page` and checks it was made for this order.
pub fn page_cursor(query: &Query, desc: bool) -> ApiResult<Option<Cursor>> {
    match query.get("page") {
        None | Some("") => Ok(None),
        Some(p) => match Cursor::decode(p) {
            Some(c) if c.desc == desc => Ok(Some(c)),
            Some(_) => Err(ApiError::bad_request(
                "page: cursor was made for a different order",
            )),
            None => Err(ApiError::bad_request("page: invalid page cursor")),
        },
    }
}

pub struct Page<'a, T> {
    pub items: Vec<&'a T>,
    pub next: Option<Cursor>,
    pub prev: Option<Cursor>,
}

/// One page of `items` (sorted ascending by `key`) in the requested order, starting after the
/// cursor, keeping only items that pass `keep`.
pub fn paginate<'a, T>(
    items: &'a [T],
    key: impl Fn(&T) -> CursorKey,
    desc: bool,
    cursor: Option<&Cursor>,
    limit: usize,
    keep: impl Fn(&T) -> bool,
) -> Page<'a, T> {
    // Index range [lo, hi) of candidates, walked from the start of the order.
    let backward = cursor.is_some_and(|c| c.backward);
    let (lo, hi) = match cursor {
        None => (0, items.len()),
        Some(c) => {
            // Moving "forward in asc" means keys > cursor.
            let after_in_asc = desc == c.backward;
            if after_in_asc {
                (items.partition_point(|t| key(t) <= c.key), items.len())
            } else {
                (0, items.partition_point(|t| key(t) < c.key))
            }
        }
    };
    let walk_asc = desc == backward;
    let mut picked: Vec<&T> = Vec::with_capacity(limit.min(1024));
    let mut more = false;
    let mut push = |t: &'a T| -> bool {
        if !keep(t) {
            return true;
        }
        if picked.len() == limit {
            more = true;
            return false;
        }
        picked.push(t);
        true
    };
    if walk_asc {
        for t in &items[lo..hi] {
            if !push(t) {
                break;
            }
        }
    } else {
        for t in items[lo..hi].iter().rev() {
            if !push(t) {
                break;
            }
        }
    }
    if backward {
        picked.reverse();
    }
    let first = picked.first().map(|t| key(t));
    let last = picked.last().map(|t| key(t));
    let (next, prev) = if backward {
        // Walking backward: "more" means there are earlier pages; the page after is the cursor's.
        (
            last.map(|k| Cursor {
                desc,
                backward: false,
                key: k,
            }),
            if more {
                first.map(|k| Cursor {
                    desc,
                    backward: true,
                    key: k,
                })
            } else {
                None
            },
        )
    } else {
        (
            if more {
                last.map(|k| Cursor {
                    desc,
                    backward: false,
                    key: k,
                })
            } else {
                None
            },
            if cursor.is_some() {
                first.map(|k| Cursor {
                    desc,
                    backward: true,
                    key: k,
                })
            } else {
                None
            },
        )
    };
    Page {
        items: picked,
        next,
        prev,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decodes_brackets_and_percent_encoding() {
        let q = Query::parse(Some(
            "statuses%5B%5D=idle&statuses[]=running&created_at%5Bgte%5D=2026-01-01T00%3A00%3A00%2B00%3A00&beta=true",
        ));
        assert_eq!(q.all("statuses"), vec!["idle", "running"]);
        let r = q.time_range("created_at").unwrap_or_default();
        assert_eq!(r.gte, parse_rfc3339("2026-01-01T00:00:00Z"));
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = Cursor {
            desc: true,
            backward: false,
            key: CursorKey::Time(12, 34),
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        let p = Cursor {
            desc: false,
            backward: true,
            key: CursorKey::Text("/a|b".into()),
        };
        assert_eq!(Cursor::decode(&p.encode()), Some(p));
        assert_eq!(Cursor::decode("page_zz"), None);
        assert_eq!(Cursor::decode("nope"), None);
    }

    #[test]
    fn paginates_both_orders_and_back() {
        let items: Vec<u64> = (0..10).collect();
        let key = |n: &u64| CursorKey::Time(*n as i64, *n);
        let p1 = paginate(&items, key, true, None, 4, |_| true);
        assert_eq!(p1.items, vec![&9, &8, &7, &6]);
        assert!(p1.prev.is_none());
        let c = p1.next.clone().unwrap_or(Cursor {
            desc: true,
            backward: false,
            key: key(&0),
        });
        let p2 = paginate(&items, key, true, Some(&c), 4, |_| true);
        assert_eq!(p2.items, vec![&5, &4, &3, &2]);
        let back = p2.prev.clone().unwrap_or(c.clone());
        let p0 = paginate(&items, key, true, Some(&back), 4, |_| true);
        assert_eq!(p0.items, vec![&9, &8, &7, &6]);
        let c3 = p2.next.unwrap_or(c);
        let p3 = paginate(&items, key, true, Some(&c3), 4, |_| true);
        assert_eq!(p3.items, vec![&1, &0]);
        assert!(p3.next.is_none());
        let asc = paginate(&items, key, false, None, 3, |n| n % 2 == 0);
        assert_eq!(asc.items, vec![&0, &2, &4]);
    }
}
