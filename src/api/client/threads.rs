//! Threads of a multiagent session: list, get, archive, history, stream.

use futures::Stream;

use super::*;

impl Client {
    pub async fn list_threads(
        &self,
        session_id: &str,
        params: &ListThreadsParams,
    ) -> Result<Page<SessionThread>, ApiError> {
        let path = format!("{}/threads", session_path(session_id));
        self.list(Beta::ManagedAgents, &path, params).await
    }
    pub fn threads_all(
        &self,
        session_id: &str,
        params: ListThreadsParams,
    ) -> impl Stream<Item = Result<SessionThread, ApiError>> + Send + 'static {
        let path = format!("{}/threads", session_path(session_id));
        self.list_all(Beta::ManagedAgents, path, params)
    }
    pub async fn get_thread(
        &self,
        session_id: &str,
        thread_id: &str,
    ) -> Result<SessionThread, ApiError> {
        let path = format!("{}/threads/{}", session_path(session_id), seg(thread_id));
        self.get_one(Beta::ManagedAgents, &path).await
    }
    /// Archiving terminates the thread.
    pub async fn archive_thread(
        &self,
        session_id: &str,
        thread_id: &str,
    ) -> Result<SessionThread, ApiError> {
        let path = format!(
            "{}/threads/{}/archive",
            session_path(session_id),
            seg(thread_id)
        );
        self.action(Beta::ManagedAgents, &path).await
    }
    /// Thread history (the endpoint takes `limit` and `page`).
    pub async fn list_thread_events(
        &self,
        session_id: &str,
        thread_id: &str,
        params: &ListEventsParams,
    ) -> Result<Page<SessionEvent>, ApiError> {
        let path = paths::thread_events(session_id, thread_id);
        self.list(Beta::ManagedAgents, &path, params).await
    }
    pub fn thread_events_all(
        &self,
        session_id: &str,
        thread_id: &str,
        params: ListEventsParams,
    ) -> impl Stream<Item = Result<SessionEvent, ApiError>> + Send + 'static {
        let path = paths::thread_events(session_id, thread_id);
        self.list_all(Beta::ManagedAgents, path, params)
    }
    pub async fn open_thread_stream(
        &self,
        session_id: &str,
        thread_id: &str,
        deltas: &[&str],
    ) -> Result<reqwest::Response, ApiError> {
        let q = Query::new().push_array("event_deltas", deltas.iter().copied());
        let path = paths::thread_stream(session_id, thread_id);
        self.open_stream(Beta::ManagedAgents, &path, &q).await
    }
}
