//! Agents and environments.

use futures::Stream;

use super::*;

impl Client {
    pub async fn list_agents(&self, params: &ListParams) -> Result<Page<Agent>, ApiError> {
        self.list(Beta::ManagedAgents, "/v1/agents", params).await
    }
    pub fn agents_all(
        &self,
        params: ListParams,
    ) -> impl Stream<Item = Result<Agent, ApiError>> + Send + 'static {
        self.list_all(Beta::ManagedAgents, "/v1/agents".into(), params)
    }
    /// `version: None` = the latest.
    pub async fn get_agent(&self, agent_id: &str, version: Option<u64>) -> Result<Agent, ApiError> {
        let q = Query::new().push_opt("version", version.map(|v| v.to_string()));
        self.get_json(
            Beta::ManagedAgents,
            &format!("/v1/agents/{}", seg(agent_id)),
            &q,
        )
        .await
    }

    pub async fn list_environments(
        &self,
        params: &ListParams,
    ) -> Result<Page<Environment>, ApiError> {
        self.list(Beta::ManagedAgents, "/v1/environments", params)
            .await
    }
    pub fn environments_all(
        &self,
        params: ListParams,
    ) -> impl Stream<Item = Result<Environment, ApiError>> + Send + 'static {
        self.list_all(Beta::ManagedAgents, "/v1/environments".into(), params)
    }
    pub async fn get_environment(&self, environment_id: &str) -> Result<Environment, ApiError> {
        let path = format!("/v1/environments/{}", seg(environment_id));
        self.get_one(Beta::ManagedAgents, &path).await
    }
}
