//! The Managed Agents HTTP client. Knows the wire, knows nothing of the UI.

pub mod client;
pub mod error;
pub mod events;
pub mod feed;
pub mod query;
pub mod sse;
pub mod types;

pub use client::{Beta, Client, ClientConfig, Page};
pub use error::ApiError;
pub use query::Query;
