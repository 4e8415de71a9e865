//! The Managed Agents HTTP client. Knows the wire, knows nothing of the UI.
//!
//! - `client`: `Client` (headers, retries, pagination, typed endpoints), `ClientConfig`, `Page`.
//! - `types`: every resource and request parameter, read-tolerant.
//! - `events`: every session event type; `SessionEvent::parse` never fails.
//! - `error`: the one `ApiError`, one human line per failure.
//! - `query`: the bracket-form query string.
//! - `feed` / `sse`: the gapless session feed and the SSE frame parser.

pub mod client;
pub mod error;
pub mod events;
pub mod feed;
pub mod limits;
pub mod params;
pub mod query;
pub mod sse;
pub mod types;

pub use client::{ApiKey, Beta, Client, ClientConfig, Page};
pub use error::{ApiError, HttpError};
pub use events::{EventBody, EventParams, SessionEvent};
pub use query::Query;
