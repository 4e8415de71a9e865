//! Resources of the Managed Agents API (sessions, agents, memory, dreams, deployments …).
//! Owner: api helper.
//!
//! Everything here is read-tolerant: missing fields take their default, unknown fields are
//! ignored, and an unknown enum string or union `type` becomes an `Other(String)` /
//! `Unknown(Value)` variant instead of an error, so a newer server never breaks the dashboard.
//! Everything is also `Serialize`, so the simulator and tests can produce the same JSON.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::Query;

/// `{str: str}` metadata bag on most resources.
pub type Metadata = BTreeMap<String, String>;

/// A string enum that keeps values it does not know as `Other(String)`.
///
/// Generates `as_str`, `KNOWN` (the documented values), `From<&str>`, `Display`, `Default`
/// (= `Other("")`, i.e. "absent"), and string (de)serialization.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version of overseer does not know (kept verbatim).
            Other(String),
        }

        impl $name {
            /// The documented wire values, in documentation order.
            pub const KNOWN: &'static [&'static str] = &[$($text),+];

            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)+
                    Self::Other(s) => s,
                }
            }

            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Other(_))
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($text => Self::$variant,)+
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::Other(String::new())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Ok(Self::from(s.as_ref()))
            }
        }
    };
}
pub(crate) use open_enum;

// ---------------------------------------------------------------------------------------------
// Shared small types

open_enum! {
    /// `Session.status` and `SessionThread.status`.
    SessionStatus {
        Rescheduling = "rescheduling",
        Running = "running",
        /// Waiting for input, including tool confirmations. Sessions start idle.
        Idle = "idle",
        Terminated = "terminated",
    }
}

open_enum! {
    /// List order.
    Order { Asc = "asc", Desc = "desc" }
}

open_enum! {
    /// `view` on memory and memory-version reads: `basic` omits content.
    MemoryView { Basic = "basic", Full = "full" }
}

open_enum! {
    MemoryOperation { Created = "created", Modified = "modified", Deleted = "deleted" }
}

open_enum! {
    DreamStatus {
        Pending = "pending",
        Running = "running",
        Completed = "completed",
        Failed = "failed",
        Canceled = "canceled",
    }
}

impl DreamStatus {
    /// completed, failed and canceled never change again.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Canceled)
    }
}

open_enum! {
    DeploymentStatus { Active = "active", Paused = "paused" }
}

open_enum! {
    /// `OutcomeEvaluation.result` and `span.outcome_evaluation_end.result`.
    OutcomeResult {
        Pending = "pending",
        Running = "running",
        Evaluating = "evaluating",
        Satisfied = "satisfied",
        NeedsRevision = "needs_revision",
        MaxIterationsReached = "max_iterations_reached",
        Failed = "failed",
        Interrupted = "interrupted",
    }
}

open_enum! {
    TriggerType { Schedule = "schedule", Manual = "manual" }
}

/// Money in minor units: `{"amount": "2500", "currency": "USD"}` is $25.00.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Money {
    /// Integer string of minor units (cents for USD). Numbers are accepted too.
    #[serde(deserialize_with = "string_or_number")]
    pub amount: String,
    pub currency: String,
}

impl Money {
    pub fn usd_cents(cents: u64) -> Self {
        Money {
            amount: cents.to_string(),
            currency: "USD".into(),
        }
    }
    /// The amount in minor units (cents), or `None` when it is not a non-negative integer.
    pub fn minor_units(&self) -> Option<u64> {
        self.amount.trim().parse().ok()
    }
    /// Same as [`Money::minor_units`]; the name the dashboard thinks in.
    pub fn cents(&self) -> Option<u64> {
        self.minor_units()
    }
}

fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Number(n) => n.to_string(),
        Value::Null => String::new(),
        other => other.to_string(),
    })
}

/// `{"type":"limit","max_list_cost":Money}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BudgetLimit {
    #[serde(rename = "type")]
    pub kind: String,
    pub max_list_cost: Money,
}

impl Default for BudgetLimit {
    fn default() -> Self {
        BudgetLimit {
            kind: "limit".into(),
            max_list_cost: Money::default(),
        }
    }
}

/// `{"type":"agent","id":..,"version":..}` reference (deployments, runs, session create).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AgentRef {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
}

impl Default for AgentRef {
    fn default() -> Self {
        AgentRef {
            kind: "agent".into(),
            id: String::new(),
            version: None,
        }
    }
}

/// Model configuration. On the wire either a bare id string or
/// `{id, effort?: "high" | {type:"high"}, inference_geo?, speed?}`; always written as the object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModelConfig {
    pub id: String,
    pub effort: Option<String>,
    pub inference_geo: Option<String>,
    pub speed: Option<String>,
}

impl ModelConfig {
    pub fn new(id: impl Into<String>) -> Self {
        ModelConfig {
            id: id.into(),
            ..Default::default()
        }
    }
}

impl Serialize for ModelConfig {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Effort<'a> {
            #[serde(rename = "type")]
            kind: &'a str,
        }
        #[derive(Serialize)]
        struct Wire<'a> {
            id: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            effort: Option<Effort<'a>>,
            #[serde(skip_serializing_if = "Option::is_none")]
            inference_geo: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            speed: Option<&'a str>,
        }
        Wire {
            id: &self.id,
            effort: self.effort.as_deref().map(|kind| Effort { kind }),
            inference_geo: self.inference_geo.as_deref(),
            speed: self.speed.as_deref(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for ModelConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        fn text(v: Option<&Value>) -> Option<String> {
            match v? {
                Value::String(s) => Some(s.clone()),
                Value::Object(o) => o.get("type").and_then(Value::as_str).map(str::to_owned),
                _ => None,
            }
        }
        Ok(match Value::deserialize(d)? {
            Value::String(id) => ModelConfig::new(id),
            Value::Object(o) => ModelConfig {
                id: text(o.get("id")).unwrap_or_default(),
                effort: text(o.get("effort")),
                inference_geo: text(o.get("inference_geo")),
                speed: text(o.get("speed")),
            },
            _ => ModelConfig::default(),
        })
    }
}

/// Prompt-cache creation split by TTL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CacheCreation {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ephemeral_1h_input_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ephemeral_5m_input_tokens: Option<u64>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerToolUse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web_fetch_requests: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web_search_requests: Option<u64>,
}

/// Cumulative usage of a session, thread or dream (and the `session.usage` event).
/// Holds both the nested `cache_creation` and the older flat `cache_creation_input_tokens`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Usage {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_read_input_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_creation: Option<CacheCreation>,
    /// Older flat form (dreams, `model_usage`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_creation_input_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_tool_use: Option<ServerToolUse>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub list_cost: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_seconds: Option<f64>,
    /// `model_usage` only: `standard` | `fast`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speed: Option<String>,
}

impl Usage {
    /// Cache-creation tokens from whichever form the server sent (nested wins when present).
    pub fn cache_creation_tokens(&self) -> u64 {
        match &self.cache_creation {
            Some(c) => {
                c.ephemeral_1h_input_tokens.unwrap_or(0) + c.ephemeral_5m_input_tokens.unwrap_or(0)
            }
            None => self.cache_creation_input_tokens.unwrap_or(0),
        }
    }
    /// Input + output + cache read + cache creation.
    pub fn total_tokens(&self) -> u64 {
        self.input_tokens.unwrap_or(0)
            + self.output_tokens.unwrap_or(0)
            + self.cache_read_input_tokens.unwrap_or(0)
            + self.cache_creation_tokens()
    }
    /// List cost in cents, when the server reported it.
    pub fn cost_cents(&self) -> Option<u64> {
        self.list_cost.as_ref().and_then(Money::minor_units)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Stats {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_seconds: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<f64>,
    /// Threads only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub startup_seconds: Option<f64>,
}

/// One `user.define_outcome` and where its grading stands.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OutcomeEvaluation {
    #[serde(rename = "type")]
    pub kind: String,
    pub outcome_id: String,
    pub description: String,
    pub iteration: u32,
    pub result: OutcomeResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<String>,
}

/// A resource mounted into a session (discriminator `type`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SessionResource {
    GithubRepository {
        #[serde(default)]
        id: String,
        #[serde(default)]
        url: String,
        #[serde(default)]
        mount_path: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        checkout: Option<Value>,
        #[serde(default)]
        created_at: String,
        #[serde(default)]
        updated_at: String,
    },
    File {
        #[serde(default)]
        id: String,
        #[serde(default)]
        file_id: String,
        #[serde(default)]
        mount_path: String,
        #[serde(default)]
        created_at: String,
        #[serde(default)]
        updated_at: String,
    },
    MemoryStore {
        #[serde(default)]
        memory_store_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        access: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        instructions: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mount_path: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// Any other resource type (kept verbatim).
    #[serde(untagged)]
    Unknown(Value),
}

/// `session.status_idle.stop_reason` (discriminator `type`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StopReason {
    EndTurn,
    /// Ids of the events that block (tool confirmations, custom tool results).
    RequiresAction {
        #[serde(default)]
        event_ids: Vec<String>,
    },
    RetriesExhausted,
    /// Raise or remove the budget to continue.
    BudgetReached,
    /// Details are in `stop_details`.
    Refusal,
    #[serde(untagged)]
    Unknown(Value),
}

impl StopReason {
    pub fn type_name(&self) -> &str {
        match self {
            StopReason::EndTurn => "end_turn",
            StopReason::RequiresAction { .. } => "requires_action",
            StopReason::RetriesExhausted => "retries_exhausted",
            StopReason::BudgetReached => "budget_reached",
            StopReason::Refusal => "refusal",
            StopReason::Unknown(v) => v.get("type").and_then(Value::as_str).unwrap_or("unknown"),
        }
    }
}

/// A `{id, type}` answer to a DELETE (`session_deleted`, `memory_deleted`, …).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Deleted {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
}

// ---------------------------------------------------------------------------------------------
// Agents, environments, sessions, threads

/// The agent snapshot a session runs (taken at creation).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionAgent {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub version: u64,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    pub model: ModelConfig,
    /// Tool definitions, kept as JSON (`agent_toolset_20260401`, `mcp_toolset`, `custom`).
    pub tools: Vec<Value>,
    pub mcp_servers: Vec<Value>,
    pub skills: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_identity: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multiagent: Option<Value>,
}

impl Default for SessionAgent {
    fn default() -> Self {
        SessionAgent {
            kind: "agent".into(),
            id: String::new(),
            version: 0,
            name: String::new(),
            description: None,
            system: None,
            model: ModelConfig::default(),
            tools: Vec::new(),
            mcp_servers: Vec::new(),
            skills: Vec::new(),
            execution_identity: None,
            multiagent: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Session {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub agent: SessionAgent,
    pub archived_at: Option<String>,
    pub budget: Option<BudgetLimit>,
    pub created_at: String,
    pub updated_at: String,
    pub environment_id: String,
    pub metadata: Metadata,
    pub outcome_evaluations: Vec<OutcomeEvaluation>,
    pub resources: Vec<SessionResource>,
    pub stats: Stats,
    pub status: SessionStatus,
    pub title: Option<String>,
    pub usage: Usage,
    pub vault_ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<String>,
}

impl Default for Session {
    fn default() -> Self {
        Session {
            kind: "session".into(),
            id: String::new(),
            agent: SessionAgent::default(),
            archived_at: None,
            budget: None,
            created_at: String::new(),
            updated_at: String::new(),
            environment_id: String::new(),
            metadata: Metadata::new(),
            outcome_evaluations: Vec::new(),
            resources: Vec::new(),
            stats: Stats::default(),
            status: SessionStatus::Idle,
            title: None,
            usage: Usage::default(),
            vault_ids: Vec::new(),
            deployment_id: None,
        }
    }
}

/// Who runs a thread: `{type:"agent", ...snapshot}`, `{type:"advisor", model}` or
/// `{type:"inline", name, model, ...}`. One tolerant struct covers all three.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ThreadAgent {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// One thread of a (multiagent) session; `parent_thread_id: null` is the primary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionThread {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub session_id: String,
    pub agent: ThreadAgent,
    pub parent_thread_id: Option<String>,
    pub status: SessionStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stats: Option<Stats>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_run_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl Default for SessionThread {
    fn default() -> Self {
        SessionThread {
            kind: "session_thread".into(),
            id: String::new(),
            session_id: String::new(),
            agent: ThreadAgent::default(),
            parent_thread_id: None,
            status: SessionStatus::Idle,
            stats: None,
            usage: None,
            workflow_run_id: None,
            archived_at: None,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }
}

impl SessionThread {
    pub fn is_primary(&self) -> bool {
        self.parent_thread_id.is_none()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Agent {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub version: u64,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    pub model: ModelConfig,
    pub tools: Vec<Value>,
    pub mcp_servers: Vec<Value>,
    pub skills: Vec<Value>,
    pub metadata: Metadata,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_identity: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multiagent: Option<Value>,
    pub archived_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl Default for Agent {
    fn default() -> Self {
        Agent {
            kind: "agent".into(),
            id: String::new(),
            version: 1,
            name: String::new(),
            description: None,
            system: None,
            model: ModelConfig::default(),
            tools: Vec::new(),
            mcp_servers: Vec::new(),
            skills: Vec::new(),
            metadata: Metadata::new(),
            execution_identity: None,
            multiagent: None,
            archived_at: None,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Environment {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub metadata: Metadata,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// `{type:"cloud", networking, packages}` | `{type:"self_hosted"}`, kept as JSON.
    pub config: Value,
    pub created_at: String,
    pub updated_at: String,
    pub archived_at: Option<String>,
}

impl Default for Environment {
    fn default() -> Self {
        Environment {
            kind: "environment".into(),
            id: String::new(),
            name: String::new(),
            description: None,
            metadata: Metadata::new(),
            scope: None,
            config: Value::Null,
            created_at: String::new(),
            updated_at: String::new(),
            archived_at: None,
        }
    }
}

impl Environment {
    /// `cloud`, `self_hosted`, or whatever the server says.
    pub fn config_type(&self) -> &str {
        self.config
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

// ---------------------------------------------------------------------------------------------
// Memory

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MemoryStore {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub name: String,
    /// `""` when unset.
    pub description: String,
    pub metadata: Metadata,
    pub created_at: String,
    pub updated_at: String,
    pub archived_at: Option<String>,
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore {
            kind: "memory_store".into(),
            id: String::new(),
            name: String::new(),
            description: String::new(),
            metadata: Metadata::new(),
            created_at: String::new(),
            updated_at: String::new(),
            archived_at: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Memory {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub memory_store_id: String,
    pub path: String,
    /// `None` with `view=basic`.
    pub content: Option<String>,
    /// Lowercase hex SHA-256 of the UTF-8 content; always set.
    pub content_sha256: String,
    pub content_size_bytes: u64,
    /// The version holding the current content.
    pub memory_version_id: String,
    pub created_at: String,
    pub updated_at: String,
}

impl Default for Memory {
    fn default() -> Self {
        Memory {
            kind: "memory".into(),
            id: String::new(),
            memory_store_id: String::new(),
            path: String::new(),
            content: None,
            content_sha256: String::new(),
            content_size_bytes: 0,
            memory_version_id: String::new(),
            created_at: String::new(),
            updated_at: String::new(),
        }
    }
}

/// A directory roll-up in a memory listing with `depth`: `{type:"memory_prefix", path:"/dir/"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MemoryPrefix {
    pub path: String,
}

/// One item of `GET .../memories`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MemoryListItem {
    Memory(Memory),
    MemoryPrefix(MemoryPrefix),
    #[serde(untagged)]
    Unknown(Value),
}

impl MemoryListItem {
    pub fn path(&self) -> Option<&str> {
        match self {
            MemoryListItem::Memory(m) => Some(&m.path),
            MemoryListItem::MemoryPrefix(p) => Some(&p.path),
            MemoryListItem::Unknown(v) => v.get("path").and_then(Value::as_str),
        }
    }
}

/// Who made a change (discriminator `type`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Actor {
    /// An agent writing via `/mnt/memory/` (or a dream's session).
    SessionActor {
        #[serde(default)]
        session_id: String,
    },
    ApiActor {
        #[serde(default)]
        api_key_id: String,
    },
    UserActor {
        #[serde(default)]
        user_id: String,
    },
    ServiceAccountActor {
        #[serde(default)]
        service_account_id: String,
    },
    #[serde(untagged)]
    Unknown(Value),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MemoryVersion {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub memory_id: String,
    pub memory_store_id: String,
    pub operation: MemoryOperation,
    pub created_at: String,
    /// `None` iff redacted.
    pub path: Option<String>,
    /// `None` with view=basic, for deletions, or when redacted.
    pub content: Option<String>,
    pub content_sha256: Option<String>,
    pub content_size_bytes: Option<u64>,
    pub created_by: Option<Actor>,
    pub redacted_at: Option<String>,
    pub redacted_by: Option<Actor>,
}

impl Default for MemoryVersion {
    fn default() -> Self {
        MemoryVersion {
            kind: "memory_version".into(),
            id: String::new(),
            memory_id: String::new(),
            memory_store_id: String::new(),
            operation: MemoryOperation::default(),
            created_at: String::new(),
            path: None,
            content: None,
            content_sha256: None,
            content_size_bytes: None,
            created_by: None,
            redacted_at: None,
            redacted_by: None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Dreams

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DreamInput {
    MemoryStore {
        #[serde(default)]
        memory_store_id: String,
    },
    Sessions {
        #[serde(default)]
        session_ids: Vec<String>,
    },
    #[serde(untagged)]
    Unknown(Value),
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OutputBehavior {
    /// A new store that starts as a copy of the input; the input is never touched.
    #[default]
    CreateNew,
    /// Writes straight into the input store.
    UpdateExisting {
        #[serde(default)]
        memory_store_id: String,
    },
    #[serde(untagged)]
    Unknown(Value),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DreamOutput {
    MemoryStore {
        #[serde(default)]
        memory_store_id: String,
    },
    #[serde(untagged)]
    Unknown(Value),
}

/// `{type, message}` error objects (dreams, deployment runs, workflow runs).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ErrorObject {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Dream {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub status: DreamStatus,
    pub inputs: Vec<DreamInput>,
    pub model: ModelConfig,
    pub instructions: Option<String>,
    pub output_behavior: OutputBehavior,
    pub outputs: Vec<DreamOutput>,
    /// The session that runs the dream (stream it to watch).
    pub session_id: Option<String>,
    pub usage: Usage,
    pub error: Option<ErrorObject>,
    pub created_at: String,
    pub ended_at: Option<String>,
    pub archived_at: Option<String>,
}

impl Default for Dream {
    fn default() -> Self {
        Dream {
            kind: "dream".into(),
            id: String::new(),
            status: DreamStatus::Pending,
            inputs: Vec::new(),
            model: ModelConfig::default(),
            instructions: None,
            output_behavior: OutputBehavior::CreateNew,
            outputs: Vec::new(),
            session_id: None,
            usage: Usage::default(),
            error: None,
            created_at: String::new(),
            ended_at: None,
            archived_at: None,
        }
    }
}

impl Dream {
    /// The input memory store id.
    pub fn input_store_id(&self) -> Option<&str> {
        self.inputs.iter().find_map(|i| match i {
            DreamInput::MemoryStore { memory_store_id } => Some(memory_store_id.as_str()),
            _ => None,
        })
    }
    /// The input session ids.
    pub fn input_session_ids(&self) -> &[String] {
        self.inputs
            .iter()
            .find_map(|i| match i {
                DreamInput::Sessions { session_ids } => Some(session_ids.as_slice()),
                _ => None,
            })
            .unwrap_or(&[])
    }
    /// The output memory store id, once recorded.
    pub fn output_store_id(&self) -> Option<&str> {
        self.outputs.iter().find_map(|o| match o {
            DreamOutput::MemoryStore { memory_store_id } => Some(memory_store_id.as_str()),
            DreamOutput::Unknown(_) => None,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Deployments

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Schedule {
    /// `cron`.
    #[serde(rename = "type")]
    pub kind: String,
    pub expression: String,
    pub timezone: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_run_at: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub upcoming_runs_at: Vec<String>,
}

/// Why a deployment is paused (non-null iff paused).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PausedReason {
    Manual,
    /// Auto-paused; `error.type` e.g. `environment_archived_error` (no message).
    Error {
        #[serde(default)]
        error: ErrorObject,
    },
    #[serde(untagged)]
    Unknown(Value),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Deployment {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub agent: AgentRef,
    pub environment_id: String,
    /// Event params (`user.message`, `user.define_outcome`, `system.message`), kept as JSON.
    pub initial_events: Vec<Value>,
    pub resources: Vec<Value>,
    pub vault_ids: Vec<String>,
    pub metadata: Metadata,
    pub budget: Option<BudgetLimit>,
    pub schedule: Option<Schedule>,
    pub status: DeploymentStatus,
    pub paused_reason: Option<PausedReason>,
    pub archived_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl Default for Deployment {
    fn default() -> Self {
        Deployment {
            kind: "deployment".into(),
            id: String::new(),
            name: String::new(),
            description: None,
            agent: AgentRef::default(),
            environment_id: String::new(),
            initial_events: Vec::new(),
            resources: Vec::new(),
            vault_ids: Vec::new(),
            metadata: Metadata::new(),
            budget: None,
            schedule: None,
            status: DeploymentStatus::Active,
            paused_reason: None,
            archived_at: None,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TriggerContext {
    Schedule {
        #[serde(default)]
        scheduled_at: String,
    },
    #[default]
    Manual,
    #[serde(untagged)]
    Unknown(Value),
}

/// One session creation by a deployment: exactly one of `session_id` / `error` is set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeploymentRun {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub deployment_id: String,
    pub agent: AgentRef,
    pub created_at: String,
    pub trigger_context: TriggerContext,
    pub session_id: Option<String>,
    pub error: Option<ErrorObject>,
}

impl Default for DeploymentRun {
    fn default() -> Self {
        DeploymentRun {
            kind: "deployment_run".into(),
            id: String::new(),
            deployment_id: String::new(),
            agent: AgentRef::default(),
            created_at: String::new(),
            trigger_context: TriggerContext::Manual,
            session_id: None,
            error: None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Request parameters

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

fn push_num(q: Query, key: &str, v: Option<impl ToString>) -> Query {
    q.push_opt(key, v.map(|v| v.to_string()))
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

/// Something that becomes a list query and can be pointed at another page.
pub trait ListQuery: Clone {
    fn to_query(&self) -> Query;
    /// Same filters, another page cursor.
    fn set_page(&mut self, page: Option<String>);
}

macro_rules! list_query_page {
    ($($t:ty),+) => {$(
        impl ListQuery for $t {
            fn to_query(&self) -> Query {
                self.query()
            }
            fn set_page(&mut self, page: Option<String>) {
                self.page = page;
            }
        }
    )+};
}

impl ListParams {
    pub fn limit(limit: u32) -> Self {
        ListParams {
            limit: Some(limit),
            ..Default::default()
        }
    }
    fn query(&self) -> Query {
        let q = push_num(Query::new(), "limit", self.limit);
        let q = q.push_opt("page", self.page.clone());
        let q = push_num(q, "include_archived", self.include_archived);
        self.created_at.add_to(q, "created_at")
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

impl ListSessionsParams {
    fn query(&self) -> Query {
        let q = Query::new()
            .push_array(
                "statuses",
                self.statuses.iter().map(|s| s.as_str().to_owned()),
            )
            .push_opt("agent_id", self.agent_id.clone());
        let q = push_num(q, "agent_version", self.agent_version)
            .push_opt("deployment_id", self.deployment_id.clone())
            .push_opt("memory_store_id", self.memory_store_id.clone());
        let q = push_num(q, "include_archived", self.include_archived)
            .push_opt("order", self.order.as_ref().map(|o| o.as_str().to_owned()));
        let q = self.created_at.add_to(q, "created_at");
        push_num(q, "limit", self.limit).push_opt("page", self.page.clone())
    }
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

impl ListEventsParams {
    fn query(&self) -> Query {
        let q = Query::new()
            .push_opt("order", self.order.as_ref().map(|o| o.as_str().to_owned()))
            .push_array("types", self.types.iter().cloned());
        let q = self.created_at.add_to(q, "created_at");
        push_num(q, "limit", self.limit).push_opt("page", self.page.clone())
    }
}

/// `GET /v1/sessions/{id}/threads`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListThreadsParams {
    pub statuses: Vec<SessionStatus>,
    pub limit: Option<u32>,
    pub page: Option<String>,
}

impl ListThreadsParams {
    fn query(&self) -> Query {
        let q = Query::new().push_array(
            "statuses",
            self.statuses.iter().map(|s| s.as_str().to_owned()),
        );
        push_num(q, "limit", self.limit).push_opt("page", self.page.clone())
    }
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

impl ListMemoriesParams {
    fn query(&self) -> Query {
        let q = Query::new().push_opt("path_prefix", self.path_prefix.clone());
        let q = push_num(q, "depth", self.depth)
            .push_opt("view", self.view.as_ref().map(|v| v.as_str().to_owned()));
        push_num(q, "limit", self.limit).push_opt("page", self.page.clone())
    }
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

impl ListMemoryVersionsParams {
    fn query(&self) -> Query {
        let q = Query::new()
            .push_opt("memory_id", self.memory_id.clone())
            .push_opt(
                "operation",
                self.operation.as_ref().map(|o| o.as_str().to_owned()),
            )
            .push_opt("session_id", self.session_id.clone())
            .push_opt("api_key_id", self.api_key_id.clone())
            .push_opt("service_account_id", self.service_account_id.clone());
        let q = self.created_at.add_to(q, "created_at");
        let q = q.push_opt("view", self.view.as_ref().map(|v| v.as_str().to_owned()));
        push_num(q, "limit", self.limit).push_opt("page", self.page.clone())
    }
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

impl ListDreamsParams {
    fn query(&self) -> Query {
        let q = Query::new().push_array(
            "statuses",
            self.statuses.iter().map(|s| s.as_str().to_owned()),
        );
        let q = push_num(q, "include_archived", self.include_archived);
        let q = self.created_at.add_to(q, "created_at");
        push_num(q, "limit", self.limit).push_opt("page", self.page.clone())
    }
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

impl ListDeploymentsParams {
    fn query(&self) -> Query {
        let q = Query::new()
            .push_opt("agent_id", self.agent_id.clone())
            .push_opt(
                "status",
                self.status.as_ref().map(|s| s.as_str().to_owned()),
            );
        let q = push_num(q, "include_archived", self.include_archived);
        let q = self.created_at.add_to(q, "created_at");
        push_num(q, "limit", self.limit).push_opt("page", self.page.clone())
    }
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

impl ListDeploymentRunsParams {
    fn query(&self) -> Query {
        let q = Query::new().push_opt("deployment_id", self.deployment_id.clone());
        let q = push_num(q, "has_error", self.has_error).push_opt(
            "trigger_type",
            self.trigger_type.as_ref().map(|t| t.as_str().to_owned()),
        );
        let q = self.created_at.add_to(q, "created_at");
        push_num(q, "limit", self.limit).push_opt("page", self.page.clone())
    }
}

list_query_page!(
    ListParams,
    ListSessionsParams,
    ListEventsParams,
    ListThreadsParams,
    ListMemoriesParams,
    ListMemoryVersionsParams,
    ListDreamsParams,
    ListDeploymentsParams,
    ListDeploymentRunsParams
);

/// A three-state field for update bodies: absent (keep), `null` (clear) or a value (set).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Patch<T> {
    #[default]
    Keep,
    Clear,
    Set(T),
}

impl<T> Patch<T> {
    pub fn is_keep(&self) -> bool {
        matches!(self, Patch::Keep)
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            // Only reached when the field is not skipped; absent is the caller's job.
            Patch::Keep | Patch::Clear => s.serialize_none(),
            Patch::Set(v) => v.serialize(s),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A present field: null clears, a value sets. (Absent → `#[serde(default)]` → Keep.)
        Ok(match Option::<T>::deserialize(d)? {
            None => Patch::Clear,
            Some(v) => Patch::Set(v),
        })
    }
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
    pub initial_events: Vec<super::events::EventParams>,
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn session_parses_full_example_and_money() {
        let raw = json!({
            "type": "session", "id": "sesn_1", "status": "idle", "title": null,
            "agent": {"type": "agent", "id": "agent_1", "version": 3, "name": "coder",
                      "model": {"id": "claude-opus-4-8", "effort": {"type": "high"}, "speed": "fast"},
                      "tools": [{"type": "custom", "name": "x"}], "mcp_servers": [], "skills": []},
            "archived_at": null,
            "budget": {"type": "limit", "max_list_cost": {"amount": "2500", "currency": "USD"}},
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:01Z",
            "environment_id": "env_1", "metadata": {"team": "a"},
            "outcome_evaluations": [{"type": "outcome_evaluation", "outcome_id": "outc_1",
                "description": "d", "iteration": 1, "result": "needs_coffee"}],
            "resources": [{"type": "memory_store", "memory_store_id": "memstore_1", "access": "read_only"},
                          {"type": "hologram", "id": "h1"}],
            "stats": {"active_seconds": 12.5},
            "usage": {"input_tokens": 10, "output_tokens": 5, "cache_read_input_tokens": 2,
                      "cache_creation": {"ephemeral_5m_input_tokens": 3, "ephemeral_1h_input_tokens": 4},
                      "list_cost": {"amount": "123", "currency": "USD"}},
            "vault_ids": [], "brand_new_field": {"x": 1}
        });
        let s: Session = serde_json::from_value(raw).unwrap();
        assert_eq!(s.status, SessionStatus::Idle);
        assert_eq!(s.agent.model.effort.as_deref(), Some("high"));
        assert_eq!(s.agent.model.speed.as_deref(), Some("fast"));
        assert_eq!(s.budget.unwrap().max_list_cost.cents(), Some(2500));
        assert_eq!(s.usage.cache_creation_tokens(), 7);
        assert_eq!(s.usage.total_tokens(), 24);
        assert_eq!(s.usage.cost_cents(), Some(123));
        assert_eq!(
            s.outcome_evaluations[0].result,
            OutcomeResult::Other("needs_coffee".into())
        );
        assert!(matches!(s.resources[1], SessionResource::Unknown(_)));
        assert_eq!(
            s.resources[1],
            SessionResource::Unknown(json!({"type": "hologram", "id": "h1"}))
        );
        assert_eq!(s.stats.active_seconds, Some(12.5));
    }

    #[test]
    fn minimal_and_unknown_status_session() {
        let s: Session =
            serde_json::from_value(json!({"id": "sesn_2", "status": "hibernating"})).unwrap();
        assert_eq!(s.status, SessionStatus::Other("hibernating".into()));
        assert_eq!(s.status.to_string(), "hibernating");
        assert!(s.title.is_none());
        assert_eq!(s.usage.total_tokens(), 0);
    }

    #[test]
    fn flat_cache_creation_and_numeric_money() {
        let u: Usage = serde_json::from_value(json!({"cache_creation_input_tokens": 9,
            "list_cost": {"amount": 42, "currency": "USD"}}))
        .unwrap();
        assert_eq!(u.cache_creation_tokens(), 9);
        assert_eq!(u.cost_cents(), Some(42));
        assert_eq!(
            Money {
                amount: "-3".into(),
                currency: "USD".into()
            }
            .cents(),
            None
        );
    }

    #[test]
    fn model_config_bare_string_and_roundtrip() {
        let m: ModelConfig = serde_json::from_value(json!("claude-haiku-5-5")).unwrap();
        assert_eq!(m, ModelConfig::new("claude-haiku-5-5"));
        let full = ModelConfig {
            id: "m".into(),
            effort: Some("max".into()),
            inference_geo: None,
            speed: Some("standard".into()),
        };
        let v = serde_json::to_value(&full).unwrap();
        assert_eq!(
            v,
            json!({"id": "m", "effort": {"type": "max"}, "speed": "standard"})
        );
        assert_eq!(serde_json::from_value::<ModelConfig>(v).unwrap(), full);
    }

    #[test]
    fn stop_reasons_known_and_unknown() {
        let r: StopReason = serde_json::from_value(
            json!({"type": "requires_action", "event_ids": ["sevt_1", "sevt_2"]}),
        )
        .unwrap();
        assert_eq!(
            r,
            StopReason::RequiresAction {
                event_ids: vec!["sevt_1".into(), "sevt_2".into()]
            }
        );
        let r: StopReason = serde_json::from_value(json!({"type": "end_turn"})).unwrap();
        assert_eq!(r, StopReason::EndTurn);
        let raw = json!({"type": "nap_time", "minutes": 5});
        let r: StopReason = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(r.type_name(), "nap_time");
        assert_eq!(serde_json::to_value(&r).unwrap(), raw);
        assert_eq!(
            serde_json::to_value(StopReason::BudgetReached).unwrap(),
            json!({"type": "budget_reached"})
        );
    }

    #[test]
    fn memory_list_items_and_versions() {
        let items: Vec<MemoryListItem> = serde_json::from_value(json!([
            {"type": "memory", "id": "mem_1", "memory_store_id": "memstore_1", "path": "/a.md",
             "content": null, "content_sha256": "ab", "content_size_bytes": 3,
             "memory_version_id": "memver_1", "created_at": "t", "updated_at": "t"},
            {"type": "memory_prefix", "path": "/dir/"},
            {"type": "memory_symlink", "path": "/l"}
        ]))
        .unwrap();
        assert!(
            matches!(&items[0], MemoryListItem::Memory(m) if m.id == "mem_1" && m.content.is_none())
        );
        assert_eq!(
            items[1],
            MemoryListItem::MemoryPrefix(MemoryPrefix {
                path: "/dir/".into()
            })
        );
        assert_eq!(items[2].path(), Some("/l"));
        assert_eq!(
            serde_json::to_value(&items[1]).unwrap(),
            json!({"type": "memory_prefix", "path": "/dir/"})
        );

        let v: MemoryVersion =
            serde_json::from_value(json!({"type": "memory_version", "id": "memver_2",
            "memory_id": "mem_1", "memory_store_id": "memstore_1", "operation": "modified",
            "created_at": "t", "path": null, "content": null, "content_sha256": null,
            "created_by": {"type": "session_actor", "session_id": "sesn_1"},
            "redacted_at": "t2", "redacted_by": {"type": "robot_actor", "robot": "r2"}}))
            .unwrap();
        assert_eq!(v.operation, MemoryOperation::Modified);
        assert_eq!(
            v.created_by,
            Some(Actor::SessionActor {
                session_id: "sesn_1".into()
            })
        );
        assert!(matches!(v.redacted_by, Some(Actor::Unknown(_))));
    }

    #[test]
    fn dream_helpers() {
        let d: Dream = serde_json::from_value(
            json!({"type": "dream", "id": "drm_1", "status": "completed",
            "inputs": [{"type": "memory_store", "memory_store_id": "memstore_in"},
                       {"type": "sessions", "session_ids": ["sesn_a", "sesn_b"]}],
            "model": {"id": "claude-opus-5-5", "speed": "standard"},
            "output_behavior": {"type": "create_new"},
            "outputs": [{"type": "memory_store", "memory_store_id": "memstore_out"}],
            "usage": {"input_tokens": 1, "output_tokens": 2, "cache_creation_input_tokens": 3,
                      "cache_read_input_tokens": 4},
            "error": null, "created_at": "t", "ended_at": "t2"}),
        )
        .unwrap();
        assert!(d.status.is_final());
        assert_eq!(d.input_store_id(), Some("memstore_in"));
        assert_eq!(
            d.input_session_ids(),
            ["sesn_a".to_string(), "sesn_b".to_string()]
        );
        assert_eq!(d.output_store_id(), Some("memstore_out"));
        assert_eq!(d.usage.total_tokens(), 10);
        let p = CreateDreamParams::new("memstore_in", vec!["sesn_a".into()], "claude-opus-5-5");
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            json!({"inputs": [{"type": "memory_store", "memory_store_id": "memstore_in"},
                              {"type": "sessions", "session_ids": ["sesn_a"]}],
                   "model": {"id": "claude-opus-5-5"}, "output_behavior": {"type": "create_new"}})
        );
    }

    #[test]
    fn deployment_and_run() {
        let d: Deployment = serde_json::from_value(json!({"type": "deployment", "id": "depl_1", "name": "n",
            "agent": {"type": "agent", "id": "agent_1", "version": 2}, "environment_id": "env_1",
            "status": "paused", "paused_reason": {"type": "error", "error": {"type": "agent_archived_error"}},
            "schedule": {"type": "cron", "expression": "0 9 * * 1", "timezone": "Europe/Paris",
                         "upcoming_runs_at": ["a", "b"]}}))
        .unwrap();
        assert_eq!(d.status, DeploymentStatus::Paused);
        assert_eq!(
            d.paused_reason,
            Some(PausedReason::Error {
                error: ErrorObject {
                    kind: "agent_archived_error".into(),
                    message: String::new()
                }
            })
        );
        assert_eq!(d.schedule.unwrap().upcoming_runs_at.len(), 2);
        let r: DeploymentRun = serde_json::from_value(json!({"type": "deployment_run", "id": "drun_1",
            "deployment_id": "depl_1", "trigger_context": {"type": "schedule", "scheduled_at": "t"},
            "session_id": null, "error": {"type": "session_rate_limited_error", "message": "slow down"}}))
        .unwrap();
        assert_eq!(
            r.trigger_context,
            TriggerContext::Schedule {
                scheduled_at: "t".into()
            }
        );
        assert_eq!(r.error.unwrap().message, "slow down");
    }

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
}
