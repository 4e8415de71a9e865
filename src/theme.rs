//! Semantic styles loaded from themes/*.toml. Owner: tui helper.
