//! Memory stores, memories, listing items and versions.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::common::*;

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

#[cfg(test)]
mod tests {
    use crate::api::types::*;
    use serde_json::json;

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
}
