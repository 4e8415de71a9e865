//! Client-side state, pure: no I/O, no async.

pub mod event_view;
pub mod memory_tree;
pub mod nav;
pub mod needs;
pub mod resources;
pub mod review;
pub mod sessions;
pub mod spend;
pub mod threads;
pub mod transcript;
