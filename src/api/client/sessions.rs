//! Sessions.

use futures::Stream;

use super::*;

impl Client {
    pub async fn list_sessions(
        &self,
        params: &ListSessionsParams,
    ) -> Result<Page<Session>, ApiError> {
        self.list(Beta::ManagedAgents, "/v1/sessions", params).await
    }
    pub fn sessions_all(
        &self,
        params: ListSessionsParams,
    ) -> impl Stream<Item = Result<Session, ApiError>> + Send + 'static {
        self.list_all(Beta::ManagedAgents, "/v1/sessions".into(), params)
    }
    pub async fn get_session(&self, session_id: &str) -> Result<Session, ApiError> {
        self.get_one(Beta::ManagedAgents, &session_path(session_id))
            .await
    }
    /// Title and metadata (patch). Emits `session.updated`.
    pub async fn update_session(
        &self,
        session_id: &str,
        params: &UpdateSessionParams,
    ) -> Result<Session, ApiError> {
        self.create(Beta::ManagedAgents, &session_path(session_id), params)
            .await
    }
    pub async fn create_session(&self, params: &CreateSessionParams) -> Result<Session, ApiError> {
        self.create(Beta::ManagedAgents, "/v1/sessions", params)
            .await
    }
    pub async fn archive_session(&self, session_id: &str) -> Result<Session, ApiError> {
        let path = format!("{}/archive", session_path(session_id));
        self.action(Beta::ManagedAgents, &path).await
    }
    /// → `{id, type:"session_deleted"}`.
    pub async fn delete_session(&self, session_id: &str) -> Result<Deleted, ApiError> {
        self.delete_json(
            Beta::ManagedAgents,
            &session_path(session_id),
            &Query::new(),
        )
        .await
    }
}

/// At most this many pages are read by [`Client::sessions_leniently`] (a server whose pages
/// never end costs time, not a hang).
pub const LENIENT_MAX_PAGES: usize = 1_000;

/// The sessions read, how many items could not be read, and why the listing stopped early.
#[derive(Debug, Default)]
pub struct SessionListing {
    pub sessions: Vec<Session>,
    pub skipped: usize,
    pub stopped_early: Option<String>,
}

#[derive(serde::Deserialize)]
struct RawPage {
    data: Vec<Box<serde_json::value::RawValue>>,
    #[serde(default)]
    next_page: Option<String>,
}

impl Client {
    /// Page through `/v1/sessions` parsing each item on its own: one unreadable session (a lone
    /// surrogate, a wrong type) costs that session only, never the list. At most `max`
    /// sessions and [`LENIENT_MAX_PAGES`] pages; a repeated cursor ends the listing.
    pub async fn sessions_leniently(
        &self,
        mut params: ListSessionsParams,
        max: usize,
    ) -> Result<SessionListing, ApiError> {
        let mut listing = SessionListing::default();
        let mut cursors = HashSet::new();
        for _ in 0..LENIENT_MAX_PAGES {
            let body = self
                .get_raw(Beta::ManagedAgents, "/v1/sessions", &params.to_query())
                .await?;
            let page: RawPage = serde_json::from_slice(&body).map_err(|e| ApiError::Decode {
                path: "/v1/sessions".into(),
                message: e.to_string(),
            })?;
            for raw in &page.data {
                if listing.sessions.len() >= max {
                    return Ok(listing);
                }
                match serde_json::from_str::<Session>(raw.get()) {
                    Ok(session) => listing.sessions.push(session),
                    Err(_) => listing.skipped += 1,
                }
            }
            if listing.sessions.len() >= max {
                return Ok(listing);
            }
            match page.next_page.filter(|p| !p.is_empty()) {
                // A cursor with nothing on its page: the list is over.
                Some(_) if page.data.is_empty() => return Ok(listing),
                Some(next) => {
                    if !cursors.insert(next.clone()) {
                        listing.stopped_early =
                            Some("the server repeated a page cursor".to_owned());
                        return Ok(listing);
                    }
                    params.set_page(Some(next));
                }
                None => return Ok(listing),
            }
        }
        listing.stopped_early = Some(format!("stopped after {LENIENT_MAX_PAGES} pages"));
        Ok(listing)
    }
}
