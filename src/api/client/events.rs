//! Session events: history, sending, the live stream.

use futures::Stream;

use super::*;

impl Client {
    /// History (never contains previews). Default order `asc` by `processed_at`.
    pub async fn list_events(
        &self,
        session_id: &str,
        params: &ListEventsParams,
    ) -> Result<Page<SessionEvent>, ApiError> {
        self.list(
            Beta::ManagedAgents,
            &paths::session_events(session_id),
            params,
        )
        .await
    }
    pub fn events_all(
        &self,
        session_id: &str,
        params: ListEventsParams,
    ) -> impl Stream<Item = Result<SessionEvent, ApiError>> + Send + 'static {
        self.list_all(
            Beta::ManagedAgents,
            paths::session_events(session_id),
            params,
        )
    }
    /// Send user events; the answer echoes them with server ids. A 204 / empty body gives `[]`.
    pub async fn send_events(
        &self,
        session_id: &str,
        events: Vec<EventParams>,
    ) -> Result<Vec<SessionEvent>, ApiError> {
        let path = paths::session_events(session_id);
        let body = serde_json::to_vec(&SendEventsRequest { events })
            .map_err(|e| ApiError::Config(format!("request body: {e}")))?;
        let bytes = self
            .execute(
                Method::POST,
                Beta::ManagedAgents,
                &path,
                &Query::new(),
                Some(Bytes::from(body)),
            )
            .await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Vec::new());
        }
        Ok(Self::decode::<SendEventsResponse>(&path, &bytes)?.data)
    }
    /// Send one event.
    pub async fn send_event(
        &self,
        session_id: &str,
        event: EventParams,
    ) -> Result<Vec<SessionEvent>, ApiError> {
        self.send_events(session_id, vec![event]).await
    }
    /// The live SSE stream of a session; `deltas` e.g. `["agent.message"]` for previews.
    pub async fn open_session_stream(
        &self,
        session_id: &str,
        deltas: &[&str],
    ) -> Result<reqwest::Response, ApiError> {
        let q = Query::new().push_array("event_deltas", deltas.iter().copied());
        self.open_stream(Beta::ManagedAgents, &paths::session_stream(session_id), &q)
            .await
    }
}
