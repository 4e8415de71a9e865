//! Sanitize untrusted text, measure width in cells, wrap, pretty JSON. Owner: tui helper.
