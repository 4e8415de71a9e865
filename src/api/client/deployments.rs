//! Deployments and their runs.

use futures::Stream;

use super::*;
use crate::api::types::{CreateDeploymentParams, UpdateDeploymentParams};

impl Client {
    pub async fn list_deployments(
        &self,
        params: &ListDeploymentsParams,
    ) -> Result<Page<Deployment>, ApiError> {
        self.list(Beta::ManagedAgents, "/v1/deployments", params)
            .await
    }
    pub fn deployments_all(
        &self,
        params: ListDeploymentsParams,
    ) -> impl Stream<Item = Result<Deployment, ApiError>> + Send + 'static {
        self.list_all(Beta::ManagedAgents, "/v1/deployments".into(), params)
    }
    /// `POST /v1/deployments`; a bad schedule, agent or environment is a 400.
    pub async fn create_deployment(
        &self,
        params: &CreateDeploymentParams,
    ) -> Result<Deployment, ApiError> {
        self.create(Beta::ManagedAgents, "/v1/deployments", params)
            .await
    }
    /// `POST /v1/deployments/{id}`: only the fields set change.
    pub async fn update_deployment(
        &self,
        deployment_id: &str,
        params: &UpdateDeploymentParams,
    ) -> Result<Deployment, ApiError> {
        self.create(Beta::ManagedAgents, &deployment_path(deployment_id), params)
            .await
    }
    pub async fn get_deployment(&self, deployment_id: &str) -> Result<Deployment, ApiError> {
        self.get_one(Beta::ManagedAgents, &deployment_path(deployment_id))
            .await
    }
    pub async fn pause_deployment(&self, deployment_id: &str) -> Result<Deployment, ApiError> {
        let path = format!("{}/pause", deployment_path(deployment_id));
        self.action(Beta::ManagedAgents, &path).await
    }
    pub async fn unpause_deployment(&self, deployment_id: &str) -> Result<Deployment, ApiError> {
        let path = format!("{}/unpause", deployment_path(deployment_id));
        self.action(Beta::ManagedAgents, &path).await
    }
    /// "Run now": creates a session (or records why it could not).
    pub async fn run_deployment(&self, deployment_id: &str) -> Result<DeploymentRun, ApiError> {
        let path = format!("{}/run", deployment_path(deployment_id));
        self.action(Beta::ManagedAgents, &path).await
    }
    pub async fn archive_deployment(&self, deployment_id: &str) -> Result<Deployment, ApiError> {
        let path = format!("{}/archive", deployment_path(deployment_id));
        self.action(Beta::ManagedAgents, &path).await
    }
    pub async fn list_deployment_runs(
        &self,
        params: &ListDeploymentRunsParams,
    ) -> Result<Page<DeploymentRun>, ApiError> {
        self.list(Beta::ManagedAgents, "/v1/deployment_runs", params)
            .await
    }
    pub fn deployment_runs_all(
        &self,
        params: ListDeploymentRunsParams,
    ) -> impl Stream<Item = Result<DeploymentRun, ApiError>> + Send + 'static {
        self.list_all(Beta::ManagedAgents, "/v1/deployment_runs".into(), params)
    }
    pub async fn get_deployment_run(&self, run_id: &str) -> Result<DeploymentRun, ApiError> {
        let path = format!("/v1/deployment_runs/{}", seg(run_id));
        self.get_one(Beta::ManagedAgents, &path).await
    }
}
