//! Request parameters: list filters and create/update bodies.
//!
//! Every list goes through ONE query builder (`ListQuery::to_query`): the endpoint's own
//! filters, then the `limit` and `page` every list shares. An endpoint only states its filters.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Query;
use super::events::EventParams;
use super::types::common::{
    BudgetLimit, DeploymentStatus, DreamStatus, MemoryOperation, MemoryView, Metadata, ModelConfig,
    Order, Patch, SessionStatus, TriggerType,
};
use super::types::dream::{DreamInput, OutputBehavior};

/// `created_at[gt|gte|lt|lte]` filters (RFC 3339 strings, sent verbatim).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TimeRange {
    pub gt: Option<String>,
    pub gte: Option<String>,
    pub lt: Option<String>,
    pub lte: Option<String>,
}

impl TimeRange {
    fn add_to(&self, q: Query, field: &str) -> Query {
        q.push_opt(format!("{field}[gt]"), self.gt.clone())
            .push_opt(format!("{field}[gte]"), self.gte.clone())
            .push_opt(format!("{field}[lt]"), self.lt.clone())
            .push_opt(format!("{field}[lte]"), self.lte.clone())
    }
}

/// A list request: its own filters plus the shared `limit`/`page`, and a way to point it at
/// another page.
pub trait ListQuery: Clone {
    /// This endpoint's own filters (everything except `limit` and `page`).
    fn filters(&self, q: Query) -> Query;
    fn limit(&self) -> Option<u32>;
    fn page(&self) -> Option<&str>;
    /// Same filters, another page cursor.
    fn set_page(&mut self, page: Option<String>);
    /// The whole query: filters, then `limit` and `page`.
    fn to_query(&self) -> Query {
        self.filters(Query::new())
            .push_opt("limit", self.limit().map(|n| n.to_string()))
            .push_opt("page", self.page())
    }
}

/// `impl ListQuery` for a params struct with `limit: Option<u32>` and `page: Option<String>`
/// fields, given only how its filters become query pairs.
macro_rules! list_query {
    ($($t:ty => |$p:ident, $q:ident| $filters:expr;)+) => {$(
        impl ListQuery for $t {
            fn filters(&self, $q: Query) -> Query {
                let $p = self;
                $filters
            }
            fn limit(&self) -> Option<u32> {
                self.limit
            }
            fn page(&self) -> Option<&str> {
                self.page.as_deref()
            }
            fn set_page(&mut self, page: Option<String>) {
                self.page = page;
            }
        }
    )+};
}

fn num(v: Option<impl ToString>) -> Option<String> {
    v.map(|v| v.to_string())
}

/// `limit` / `page` / `include_archived`: agents, environments, memory stores.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListParams {
    pub limit: Option<u32>,
    pub page: Option<String>,
    pub include_archived: Option<bool>,
    pub created_at: TimeRange,
}

impl ListParams {
    pub fn limit(limit: u32) -> Self {
        ListParams {
            limit: Some(limit),
            ..Default::default()
        }
    }
}

/// `GET /v1/sessions`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListSessionsParams {
    pub statuses: Vec<SessionStatus>,
    pub agent_id: Option<String>,
    pub agent_version: Option<u64>,
    pub deployment_id: Option<String>,
    pub memory_store_id: Option<String>,
    pub include_archived: Option<bool>,
    pub order: Option<Order>,
    pub created_at: TimeRange,
    pub limit: Option<u32>,
    pub page: Option<String>,
}

/// `GET /v1/sessions/{id}/events` (and thread events, which take only `limit`/`page`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListEventsParams {
    /// Default `asc` by `processed_at`.
    pub order: Option<Order>,
    /// `SessionEventType` values.
    pub types: Vec<String>,
    /// Compared to the event's `processed_at`.
    pub created_at: TimeRange,
    pub limit: Option<u32>,
    pub page: Option<String>,
}

/// `GET /v1/sessions/{id}/threads`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListThreadsParams {
    pub statuses: Vec<SessionStatus>,
    pub limit: Option<u32>,
    pub page: Option<String>,
}

/// `GET /v1/memory_stores/{id}/memories`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListMemoriesParams {
    /// Must end with `/`; whole-segment match.
    pub path_prefix: Option<String>,
    /// 0 = everything below the prefix; 1 = direct children, deeper ones as `memory_prefix`.
    pub depth: Option<u32>,
    pub view: Option<MemoryView>,
    pub limit: Option<u32>,
    pub page: Option<String>,
}

/// `GET /v1/memory_stores/{id}/memory_versions` (newest first).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListMemoryVersionsParams {
    pub memory_id: Option<String>,
    pub operation: Option<MemoryOperation>,
    pub session_id: Option<String>,
    pub api_key_id: Option<String>,
    pub service_account_id: Option<String>,
    pub created_at: TimeRange,
    pub view: Option<MemoryView>,
    pub limit: Option<u32>,
    pub page: Option<String>,
}

/// `GET /v1/dreams` (newest first).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListDreamsParams {
    pub statuses: Vec<DreamStatus>,
    pub include_archived: Option<bool>,
    pub created_at: TimeRange,
    pub limit: Option<u32>,
    pub page: Option<String>,
}

/// `GET /v1/deployments`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListDeploymentsParams {
    pub agent_id: Option<String>,
    /// Cannot be combined with `include_archived`.
    pub status: Option<DeploymentStatus>,
    pub include_archived: Option<bool>,
    pub created_at: TimeRange,
    pub limit: Option<u32>,
    pub page: Option<String>,
}

/// `GET /v1/deployment_runs`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListDeploymentRunsParams {
    pub deployment_id: Option<String>,
    /// true = runs that failed to create a session; false = runs with a session.
    pub has_error: Option<bool>,
    pub trigger_type: Option<TriggerType>,
    pub created_at: TimeRange,
    pub limit: Option<u32>,
    pub page: Option<String>,
}

list_query! {
    ListParams => |p, q| p.created_at.add_to(
        q.push_opt("include_archived", num(p.include_archived)),
        "created_at",
    );
    ListSessionsParams => |p, q| {
        let q = q
            .push_array("statuses", p.statuses.iter().map(SessionStatus::as_str))
            .push_opt("agent_id", p.agent_id.as_deref())
            .push_opt("agent_version", num(p.agent_version))
            .push_opt("deployment_id", p.deployment_id.as_deref())
            .push_opt("memory_store_id", p.memory_store_id.as_deref())
            .push_opt("include_archived", num(p.include_archived))
            .push_opt("order", p.order.as_ref().map(Order::as_str));
        p.created_at.add_to(q, "created_at")
    };
    ListEventsParams => |p, q| {
        let q = q
            .push_opt("order", p.order.as_ref().map(Order::as_str))
            .push_array("types", p.types.iter().map(String::as_str));
        p.created_at.add_to(q, "created_at")
    };
    ListThreadsParams => |p, q| q.push_array("statuses", p.statuses.iter().map(SessionStatus::as_str));
    ListMemoriesParams => |p, q| q
        .push_opt("path_prefix", p.path_prefix.as_deref())
        .push_opt("depth", num(p.depth))
        .push_opt("view", p.view.as_ref().map(MemoryView::as_str));
    ListMemoryVersionsParams => |p, q| {
        let q = q
            .push_opt("memory_id", p.memory_id.as_deref())
            .push_opt("operation", p.operation.as_ref().map(MemoryOperation::as_str))
            .push_opt("session_id", p.session_id.as_deref())
            .push_opt("api_key_id", p.api_key_id.as_deref())
            .push_opt("service_account_id", p.service_account_id.as_deref());
        p.created_at
            .add_to(q, "created_at")
            .push_opt("view", p.view.as_ref().map(MemoryView::as_str))
    };
    ListDreamsParams => |p, q| {
        let q = q
            .push_array("statuses", p.statuses.iter().map(DreamStatus::as_str))
            .push_opt("include_archived", num(p.include_archived));
        p.created_at.add_to(q, "created_at")
    };
    ListDeploymentsParams => |p, q| {
        let q = q
            .push_opt("agent_id", p.agent_id.as_deref())
            .push_opt("status", p.status.as_ref().map(DeploymentStatus::as_str))
            .push_opt("include_archived", num(p.include_archived));
        p.created_at.add_to(q, "created_at")
    };
    ListDeploymentRunsParams => |p, q| {
        let q = q
            .push_opt("deployment_id", p.deployment_id.as_deref())
            .push_opt("has_error", num(p.has_error))
            .push_opt("trigger_type", p.trigger_type.as_ref().map(TriggerType::as_str));
        p.created_at.add_to(q, "created_at")
    };
}

/// `POST /v1/sessions/{id}`: title and metadata (a patch: `Some(None)` deletes a key).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateSessionParams {
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub title: Patch<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, Option<String>>>,
}

/// `{type:"content_sha256", content_sha256}`: the write happens only if the memory's current
/// content still has this hash (else 409).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Precondition {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub content_sha256: String,
}

impl Precondition {
    pub fn content_sha256(sha: impl Into<String>) -> Self {
        Precondition {
            kind: "content_sha256".into(),
            content_sha256: sha.into(),
        }
    }
}

/// `POST /v1/sessions` (the fields a dashboard or a test needs).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateSessionParams {
    /// An agent id (latest version).
    pub agent: String,
    pub environment_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<BudgetLimit>,
    /// Resource params (`{type:"memory_store", memory_store_id, access?}` …), as JSON.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Value>,
    /// Only `user.message` and `user.define_outcome`; at most 50.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub initial_events: Vec<EventParams>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vault_ids: Vec<String>,
}

/// `POST /v1/memory_stores`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateMemoryStoreParams {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

/// `POST /v1/memory_stores/{id}/memories`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateMemoryParams {
    pub path: String,
    /// Required key; `""` allowed.
    #[serde(default)]
    pub content: String,
}

/// `POST /v1/memory_stores/{id}/memories/{memory_id}`: new content and/or new path.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateMemoryParams {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Rename (the id is kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precondition: Option<Precondition>,
}

/// `POST /v1/dreams`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateDreamParams {
    /// Exactly one `memory_store` and one `sessions` input.
    pub inputs: Vec<DreamInput>,
    pub model: ModelConfig,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_behavior: Option<OutputBehavior>,
}

impl CreateDreamParams {
    /// A `create_new` dream over one store and some sessions.
    pub fn new(
        memory_store_id: impl Into<String>,
        session_ids: Vec<String>,
        model: impl Into<String>,
    ) -> Self {
        CreateDreamParams {
            inputs: vec![
                DreamInput::MemoryStore {
                    memory_store_id: memory_store_id.into(),
                },
                DreamInput::Sessions { session_ids },
            ],
            model: ModelConfig::new(model),
            instructions: None,
            output_behavior: Some(OutputBehavior::CreateNew),
        }
    }
}

/// A deployment's `schedule` in a create or update body: a 5-field POSIX cron expression in
/// an IANA timezone (both required).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleParams {
    #[serde(rename = "type")]
    pub kind: String,
    pub expression: String,
    pub timezone: String,
}

impl ScheduleParams {
    pub fn cron(expression: impl Into<String>, timezone: impl Into<String>) -> Self {
        ScheduleParams {
            kind: "cron".into(),
            expression: expression.into(),
            timezone: timezone.into(),
        }
    }
}

/// `POST /v1/deployments`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateDeploymentParams {
    pub name: String,
    /// An agent id (latest version).
    pub agent: String,
    pub environment_id: String,
    /// 1–50 of `user.message`, `user.define_outcome`, `system.message`.
    pub initial_events: Vec<EventParams>,
    /// `None`: manual runs only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<ScheduleParams>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<BudgetLimit>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vault_ids: Vec<String>,
}

/// `POST /v1/deployments/{id}`: every field optional; arrays replace the whole array;
/// `schedule: null` makes it manual-only, `budget: null` removes the budget.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateDeploymentParams {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub description: Patch<String>,
    /// An agent id (latest version).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment_id: Option<String>,
    /// The whole list, as JSON (events this client does not model survive an edit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_events: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub schedule: Patch<ScheduleParams>,
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub budget: Patch<BudgetLimit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, Option<String>>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::SessionStatus;
    use serde_json::json;

    #[test]
    fn list_params_encode_in_bracket_form() {
        let p = ListSessionsParams {
            statuses: vec![SessionStatus::Idle, SessionStatus::Running],
            agent_id: Some("agent_1".into()),
            include_archived: Some(true),
            order: Some(Order::Asc),
            limit: Some(5),
            page: Some("page_2".into()),
            ..Default::default()
        };
        assert_eq!(
            p.to_query().encode(),
            "statuses%5B%5D=idle&statuses%5B%5D=running&agent_id=agent_1&include_archived=true&order=asc&limit=5&page=page_2"
        );
        let e = ListEventsParams {
            types: vec!["agent.message".into()],
            created_at: TimeRange {
                gt: Some("2026-01-01T00:00:00+00:00".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        assert_eq!(
            e.to_query().encode(),
            "types%5B%5D=agent.message&created_at%5Bgt%5D=2026-01-01T00%3A00%3A00%2B00%3A00"
        );
    }

    #[test]
    fn update_params_serialize_patches() {
        let p = UpdateSessionParams {
            title: Patch::Set("t".into()),
            metadata: Some(BTreeMap::from([
                ("a".into(), None),
                ("b".into(), Some("x".into())),
            ])),
        };
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            json!({"title": "t", "metadata": {"a": null, "b": "x"}})
        );
        let clear = UpdateSessionParams {
            title: Patch::Clear,
            metadata: None,
        };
        assert_eq!(
            serde_json::to_value(&clear).unwrap(),
            json!({"title": null})
        );
        assert_eq!(
            serde_json::to_value(UpdateSessionParams::default()).unwrap(),
            json!({})
        );
        let back: UpdateSessionParams = serde_json::from_value(json!({"title": null})).unwrap();
        assert_eq!(back.title, Patch::Clear);
        let back: UpdateSessionParams = serde_json::from_value(json!({})).unwrap();
        assert_eq!(back.title, Patch::Keep);

        let u = UpdateMemoryParams {
            content: Some("new".into()),
            path: None,
            precondition: Some(Precondition::content_sha256("abc")),
        };
        assert_eq!(
            serde_json::to_value(&u).unwrap(),
            json!({"content": "new", "precondition": {"type": "content_sha256", "content_sha256": "abc"}})
        );
    }

    #[test]
    fn deployment_bodies() {
        let c = CreateDeploymentParams {
            name: "n".into(),
            agent: "agent_1".into(),
            environment_id: "env_1".into(),
            initial_events: vec![EventParams::user_text("go")],
            schedule: Some(ScheduleParams::cron("0 9 * * 1-5", "Europe/Paris")),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&c).unwrap(),
            json!({"name": "n", "agent": "agent_1", "environment_id": "env_1",
                "initial_events": [{"type": "user.message", "content": [{"type": "text", "text": "go"}]}],
                "schedule": {"type": "cron", "expression": "0 9 * * 1-5", "timezone": "Europe/Paris"}})
        );
        let u = UpdateDeploymentParams {
            name: Some("m".into()),
            schedule: Patch::Clear,
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&u).unwrap(),
            json!({"name": "m", "schedule": null})
        );
        assert_eq!(
            serde_json::to_value(UpdateDeploymentParams::default()).unwrap(),
            json!({})
        );
    }
}
