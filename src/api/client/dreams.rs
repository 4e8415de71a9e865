//! Dreams.

use futures::Stream;

use super::*;

impl Client {
    /// Newest first.
    pub async fn list_dreams(&self, params: &ListDreamsParams) -> Result<Page<Dream>, ApiError> {
        self.list(Beta::Dreams, "/v1/dreams", params).await
    }
    pub fn dreams_all(
        &self,
        params: ListDreamsParams,
    ) -> impl Stream<Item = Result<Dream, ApiError>> + Send + 'static {
        self.list_all(Beta::Dreams, "/v1/dreams".into(), params)
    }
    pub async fn get_dream(&self, dream_id: &str) -> Result<Dream, ApiError> {
        self.get_one(Beta::Dreams, &dream_path(dream_id)).await
    }
    /// Returns the dream `pending` with `outputs: []`.
    pub async fn create_dream(&self, params: &CreateDreamParams) -> Result<Dream, ApiError> {
        self.create(Beta::Dreams, "/v1/dreams", params).await
    }
    pub async fn cancel_dream(&self, dream_id: &str) -> Result<Dream, ApiError> {
        let path = format!("{}/cancel", dream_path(dream_id));
        self.action(Beta::Dreams, &path).await
    }
    pub async fn archive_dream(&self, dream_id: &str) -> Result<Dream, ApiError> {
        let path = format!("{}/archive", dream_path(dream_id));
        self.action(Beta::Dreams, &path).await
    }
}
