//! The fetch status every resource view shows (loading, or its last failure), shared by the
//! view states without them importing `state`.

/// A read-only view's fetch status.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fetch {
    /// A request is out and nothing has arrived for the current level yet.
    pub loading: bool,
    /// The last failure (cleared by the next success).
    pub error: Option<String>,
}
