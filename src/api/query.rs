//! Query strings in the API's bracket form: `statuses[]=idle`, `created_at[gte]=...`.
//! CONTRACT STUB (owner: api helper) — keep these names; add freely.

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
        todo!("api helper")
    }
}
