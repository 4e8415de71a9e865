//! `:memory` state: stores → a store's path tree → one memory's content → its versions (with a
//! diff) or the store's agent-writes audit, plus the edit overlay and the confirmation that
//! every write passes through. Changed only by `app::update::memory`.

use crate::api::types::{Memory, MemoryVersion};
use crate::app::editor::Editor;
use crate::app::fetch::Fetch;
use crate::app::keymap::Context;
use crate::model::memory_tree::{Row, Tree};
use crate::model::nav::Nav;
use crate::model::resources::{StoreRow, VersionRow, actor_label, parse_time};
use crate::model::review::Diff;
use crate::ops::memory::MemCmd;
use crate::text;

/// Which level of the memory browser has the keys.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MemoryLevel {
    #[default]
    Stores,
    /// A store's path tree (left); the opened memory, if any, on the right.
    Tree,
    /// The opened memory's content has the keys (scroll, search).
    Content,
    /// The opened memory's versions (left) and a diff (right).
    Versions,
    /// The store's newest versions written by sessions.
    Audit,
}

/// One version of the opened memory, with its content for diffs and reverts.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionEntry {
    pub id: String,
    pub row: VersionRow,
    /// Exactly as the API gave it (a revert writes it back byte for byte); None when redacted
    /// or deleted.
    pub content: Option<String>,
}

/// The opened memory.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenMemory {
    pub id: String,
    pub path: String,
    /// Full `content_sha256`: the precondition of every write.
    pub sha: String,
    pub size: u64,
    pub updated_at: Option<i64>,
    /// Exactly as the API gave it (prefills the editor).
    pub content: String,
    /// Sanitized lines for drawing and search.
    pub lines: Vec<String>,
    /// Newest first.
    pub versions: Vec<VersionEntry>,
}

impl OpenMemory {
    pub fn from_api(m: &Memory, versions: &[MemoryVersion]) -> OpenMemory {
        let content = m.content.clone().unwrap_or_default();
        OpenMemory {
            id: m.id.clone(),
            path: text::one_line(&m.path),
            sha: m.content_sha256.clone(),
            size: m.content_size_bytes,
            updated_at: parse_time(&m.updated_at),
            lines: text::sanitize(&content)
                .split('\n')
                .map(String::from)
                .collect(),
            content,
            versions: versions
                .iter()
                .map(|v| VersionEntry {
                    id: v.id.clone(),
                    row: VersionRow::from_api(v),
                    content: v.content.clone(),
                })
                .collect(),
        }
    }
}

/// A diff between two versions of the opened memory, computed when the selection changes.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionDiff {
    /// `v_old → v_new` in words.
    pub title: String,
    pub diff: Diff,
    /// Why there is nothing to compare (redacted, first version …).
    pub note: Option<String>,
}

/// One line of the agent-writes audit.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    pub version_id: String,
    pub memory_id: String,
    pub actor: String,
    pub path: String,
    pub operation: String,
    pub at: Option<i64>,
}

impl AuditRow {
    pub fn from_api(v: &MemoryVersion) -> AuditRow {
        AuditRow {
            version_id: text::one_line(&v.id),
            memory_id: v.memory_id.clone(),
            actor: actor_label(v.created_by.as_ref()),
            path: text::one_line(v.path.as_deref().unwrap_or("(redacted)")),
            operation: text::one_line(v.operation.as_str()),
            at: parse_time(&v.created_at),
        }
    }
}

/// The multi-line editor over the opened memory.
#[derive(Debug, Clone, PartialEq)]
pub struct EditBox {
    pub editor: Editor,
    pub memory_id: String,
    pub path: String,
    /// The hash of the content the edit started from (or the live one after a 409).
    pub base_sha: String,
    /// After a 409: the live content (sanitized lines) someone else wrote.
    pub conflict: Option<Vec<String>>,
}

/// A write waiting for `y`.
#[derive(Debug, Clone, PartialEq)]
pub struct MemConfirm {
    pub title: String,
    pub lines: Vec<String>,
    /// Shown in the error style (irreversible actions).
    pub warning: Option<String>,
    pub cmd: MemCmd,
}

/// What to do once the memory being opened arrives (a key pressed on a tree row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    Edit,
    Delete,
    Versions,
}

/// `:memory`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MemoryBrowser {
    pub level: MemoryLevel,
    pub stores: Vec<StoreRow>,
    pub stores_nav: Nav,
    /// The opened store.
    pub store: Option<StoreRow>,
    pub tree: Tree,
    /// `tree.rows()`, refreshed whenever the tree changes.
    pub rows: Vec<Row>,
    pub tree_nav: Nav,
    /// The memory asked for (its id), and the memory once it arrived.
    pub memory_id: Option<String>,
    pub memory: Option<OpenMemory>,
    pub pending: Option<Pending>,
    /// After a jump from the audit: the version to select when the versions arrive.
    pub want_version: Option<String>,
    /// First content line shown (the cursor).
    pub scroll: Nav,
    /// The content search: its prompt while typing, the query after.
    pub search_edit: Option<Editor>,
    pub search: Option<String>,
    pub versions_nav: Nav,
    /// The version marked with Space (its id): `d` diffs against it.
    pub mark: Option<String>,
    pub diff: Option<VersionDiff>,
    pub diff_scroll: Nav,
    pub audit: Vec<AuditRow>,
    pub audit_nav: Nav,
    pub audit_loading: bool,
    pub audit_truncated: bool,
    pub edit: Option<EditBox>,
    pub confirm: Option<MemConfirm>,
    pub fetch: Fetch,
}

impl MemoryBrowser {
    /// The keymap context of the level shown.
    pub fn context(&self) -> Context {
        if self.confirm.is_some() {
            return Context::Confirm;
        }
        match self.level {
            MemoryLevel::Versions => Context::MemoryVersions,
            MemoryLevel::Audit => Context::MemoryAudit,
            _ => Context::Memory,
        }
    }

    /// Keys go to a text field (edit overlay or search prompt), not the keymap.
    pub fn typing(&self) -> bool {
        self.confirm.is_none() && (self.edit.is_some() || self.search_edit.is_some())
    }

    pub fn store_id(&self) -> Option<&str> {
        self.store.as_ref().map(|s| s.id.as_str())
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.rows.get(self.tree_nav.cursor)
    }

    pub fn selected_version(&self) -> Option<&VersionEntry> {
        self.memory
            .as_ref()
            .and_then(|m| m.versions.get(self.versions_nav.cursor))
    }
}
