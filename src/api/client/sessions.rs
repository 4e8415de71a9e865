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
