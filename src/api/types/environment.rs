//! Environments.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::common::*;

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
