//! Sessions index and derived session states. Owner: tui helper.
