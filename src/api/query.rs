//! Query strings in the API's bracket form: `statuses[]=idle`, `created_at[gte]=...`.

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub fn new() -> Self {
        Self::default()
    }
    /// Add `key=value`. Chainable.
    pub fn push(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.pairs.push((key.into(), value.into()));
        self
    }
    /// Add `key=value` when `value` is `Some`.
    pub fn push_opt(self, key: impl Into<String>, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(v) => self.push(key, v),
            None => self,
        }
    }
    /// Add `key[]=v` for every value.
    pub fn push_array<I, V>(mut self, key: &str, values: I) -> Self
    where
        I: IntoIterator<Item = V>,
        V: Into<String>,
    {
        for v in values {
            self.pairs.push((format!("{key}[]"), v.into()));
        }
        self
    }
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }
    /// Percent-encoded `a=b&c=d` (brackets encoded as `%5B`/`%5D`), empty when no pairs.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        for (i, (k, v)) in self.pairs.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            percent_encode_into(&mut out, k);
            out.push('=');
            percent_encode_into(&mut out, v);
        }
        out
    }
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
    /// Replace every `key` pair with one `key=value` (appended at the end).
    pub fn set(mut self, key: &str, value: impl Into<String>) -> Self {
        self.pairs.retain(|(k, _)| k != key);
        self.pairs.push((key.to_owned(), value.into()));
        self
    }
    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// RFC 3986 unreserved characters pass; every other byte becomes `%XX` (uppercase hex).
fn percent_encode_into(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 0xf) as usize] as char);
        }
    }
}

/// Percent-encode one path segment (ids from the user or the server go into paths).
pub fn encode_path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    percent_encode_into(&mut out, s);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_brackets_and_reserved_characters() {
        let q = Query::new()
            .push_array("statuses", ["idle", "running"])
            .push("created_at[gte]", "2026-01-01T00:00:00+00:00")
            .push("path_prefix", "/notes dir/é&x=1");
        assert_eq!(
            q.encode(),
            "statuses%5B%5D=idle&statuses%5B%5D=running&created_at%5Bgte%5D=2026-01-01T00%3A00%3A00%2B00%3A00&path_prefix=%2Fnotes%20dir%2F%C3%A9%26x%3D1"
        );
        assert_eq!(Query::new().encode(), "");
        assert!(Query::new().is_empty());
    }

    #[test]
    fn set_replaces_and_get_reads() {
        let q = Query::new()
            .push("limit", "5")
            .push("page", "a")
            .set("page", "b");
        assert_eq!(q.get("page"), Some("b"));
        assert_eq!(q.encode(), "limit=5&page=b");
        assert_eq!(encode_path_segment("sesn_1/../x"), "sesn_1%2F..%2Fx");
    }
}
