//! Agents.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::common::*;

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
