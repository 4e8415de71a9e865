//! Client-side state, pure: no I/O, no async.

pub mod deployments;
pub mod event_view;
pub mod json_tree;
pub mod memory_tree;
pub mod nav;
pub mod needs;
pub mod outcome;
pub mod resources;
pub mod review;
pub mod review_rebuild;
pub mod sessions;
pub mod spend;
pub mod threads;
pub mod toolcall;
pub mod transcript;
