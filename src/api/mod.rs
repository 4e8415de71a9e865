//! The Managed Agents HTTP client. Knows the wire, knows nothing of the UI.
//!
//! - `client`: `Client` (the one request path: headers, retries, errors, pagination) and one
//!   file per resource of thin typed endpoints; `ClientConfig`, `Page`.
//! - `limits`: every timeout and cap the client puts on a server.
//! - `types`: every resource, by resource, read-tolerant (re-exports `params`).
//! - `params`: list filters (one generic query builder) and create/update bodies.
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
