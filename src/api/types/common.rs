//! Shared small types: the open-enum helper, status enums, money, usage, stop reasons,
//! error objects and the three-state `Patch`.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

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

/// `{type, message}` error objects (dreams, deployment runs, workflow runs).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ErrorObject {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message: String,
}

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

#[cfg(test)]
mod tests {
    use crate::api::types::*;
    use serde_json::json;

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
}
