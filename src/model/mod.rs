//! Client-side state, pure: no I/O, no async.

pub mod sessions;
pub mod transcript;
