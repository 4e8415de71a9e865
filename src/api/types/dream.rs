//! Dreams: inputs, outputs and status.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::common::*;

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

#[cfg(test)]
mod tests {
    use crate::api::types::*;
    use serde_json::json;

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
}
