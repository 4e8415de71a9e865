//! Memory stores, memories and memory versions.

use futures::Stream;

use super::*;

impl Client {
    pub async fn list_memory_stores(
        &self,
        params: &ListParams,
    ) -> Result<Page<MemoryStore>, ApiError> {
        self.list(Beta::Memory, "/v1/memory_stores", params).await
    }
    pub fn memory_stores_all(
        &self,
        params: ListParams,
    ) -> impl Stream<Item = Result<MemoryStore, ApiError>> + Send + 'static {
        self.list_all(Beta::Memory, "/v1/memory_stores".into(), params)
    }
    pub async fn get_memory_store(&self, store_id: &str) -> Result<MemoryStore, ApiError> {
        self.get_one(Beta::Memory, &store_path(store_id)).await
    }

    pub async fn create_memory_store(
        &self,
        params: &CreateMemoryStoreParams,
    ) -> Result<MemoryStore, ApiError> {
        self.create(Beta::Memory, "/v1/memory_stores", params).await
    }
    /// Irreversible; e.g. to discard a dream's output store.
    pub async fn archive_memory_store(&self, store_id: &str) -> Result<MemoryStore, ApiError> {
        let path = format!("{}/archive", store_path(store_id));
        self.action(Beta::Memory, &path).await
    }
    /// Deletes the store with its memories and versions.
    pub async fn delete_memory_store(&self, store_id: &str) -> Result<Deleted, ApiError> {
        self.delete_json(Beta::Memory, &store_path(store_id), &Query::new())
            .await
    }

    /// Items are memories or (with `depth`) `memory_prefix` directory roll-ups.
    pub async fn list_memories(
        &self,
        store_id: &str,
        params: &ListMemoriesParams,
    ) -> Result<Page<MemoryListItem>, ApiError> {
        let path = format!("{}/memories", store_path(store_id));
        self.list(Beta::Memory, &path, params).await
    }
    pub fn memories_all(
        &self,
        store_id: &str,
        params: ListMemoriesParams,
    ) -> impl Stream<Item = Result<MemoryListItem, ApiError>> + Send + 'static {
        let path = format!("{}/memories", store_path(store_id));
        self.list_all(Beta::Memory, path, params)
    }
    /// `view: None` = the server default (`full`).
    pub async fn get_memory(
        &self,
        store_id: &str,
        memory_id: &str,
        view: Option<MemoryView>,
    ) -> Result<Memory, ApiError> {
        self.get_json(
            Beta::Memory,
            &memory_path(store_id, memory_id),
            &view_query(view),
        )
        .await
    }
    /// 409 `memory_path_conflict_error` when the path exists.
    pub async fn create_memory(
        &self,
        store_id: &str,
        params: &CreateMemoryParams,
    ) -> Result<Memory, ApiError> {
        let path = format!("{}/memories", store_path(store_id));
        self.create(Beta::Memory, &path, params).await
    }
    /// 409 `memory_precondition_failed_error` when `precondition` does not hold.
    pub async fn update_memory(
        &self,
        store_id: &str,
        memory_id: &str,
        params: &UpdateMemoryParams,
    ) -> Result<Memory, ApiError> {
        self.post_json(
            Beta::Memory,
            &memory_path(store_id, memory_id),
            &Query::new(),
            Some(params),
        )
        .await
    }
    /// With `expected_content_sha256`, nothing is deleted (409) unless the content still matches.
    pub async fn delete_memory(
        &self,
        store_id: &str,
        memory_id: &str,
        expected_content_sha256: Option<&str>,
    ) -> Result<Deleted, ApiError> {
        let q = Query::new().push_opt("expected_content_sha256", expected_content_sha256);
        self.delete_json(Beta::Memory, &memory_path(store_id, memory_id), &q)
            .await
    }

    /// Newest first.
    pub async fn list_memory_versions(
        &self,
        store_id: &str,
        params: &ListMemoryVersionsParams,
    ) -> Result<Page<MemoryVersion>, ApiError> {
        let path = format!("{}/memory_versions", store_path(store_id));
        self.list(Beta::Memory, &path, params).await
    }
    pub fn memory_versions_all(
        &self,
        store_id: &str,
        params: ListMemoryVersionsParams,
    ) -> impl Stream<Item = Result<MemoryVersion, ApiError>> + Send + 'static {
        let path = format!("{}/memory_versions", store_path(store_id));
        self.list_all(Beta::Memory, path, params)
    }
    pub async fn get_memory_version(
        &self,
        store_id: &str,
        version_id: &str,
        view: Option<MemoryView>,
    ) -> Result<MemoryVersion, ApiError> {
        let path = format!(
            "{}/memory_versions/{}",
            store_path(store_id),
            seg(version_id)
        );
        self.get_json(Beta::Memory, &path, &view_query(view)).await
    }
    /// Nulls content, path, hash and size; sets `redacted_at` / `redacted_by`.
    pub async fn redact_memory_version(
        &self,
        store_id: &str,
        version_id: &str,
    ) -> Result<MemoryVersion, ApiError> {
        let path = format!(
            "{}/memory_versions/{}/redact",
            store_path(store_id),
            seg(version_id)
        );
        self.action(Beta::Memory, &path).await
    }
}
