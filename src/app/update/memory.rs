//! `:memory`: the store list, a store's path tree (folders load lazily, `depth=1` each), the
//! opened memory's content with search, its versions with diffs, the agent-writes audit, and
//! the writes. Every write is confirmed first and carries the `content_sha256` the person saw,
//! so a memory someone else changed meanwhile is refused (409), never overwritten.

use crossterm::event::KeyEvent;

use crate::api::types::{MemoryListItem, MemoryStore};
use crate::app::editor::{Edit, Editor};
use crate::app::keymap::Action;
use crate::app::memory_view::{
    AuditRow, EditBox, MemConfirm, MemoryLevel, OpenMemory, Pending, VersionDiff,
};
use crate::app::msg::{Cmd, ViewLoad};
use crate::app::panes::{detail_page, list_page, motion};
use crate::app::state::State;
use crate::model::memory_tree::{self, Child, ROOT, Row, Tree};
use crate::model::nav::{Motion, Nav};
use crate::model::resources::{MemoryRow, StoreRow, resolve_store_names};
use crate::model::review::Diff;
use crate::ops::memory::{MemCmd, MemMsg, WriteKind};
use crate::text;

const READ_ONLY: &str = "read-only: memory writes are off (started with --read-only)";

fn short(sha: &str) -> String {
    sha.chars().take(12).collect()
}

/// What `:memory` polls: the store list (the tree and the memory load on demand).
pub(crate) fn current_load() -> ViewLoad {
    ViewLoad::MemoryStores
}

/// `^r`: the store list, and every open folder and the opened memory again.
pub(crate) fn reload(state: &mut State, cmds: &mut Vec<Cmd>) {
    let m = &mut state.memory;
    m.fetch.loading = m.stores.is_empty();
    cmds.push(Cmd::LoadView(ViewLoad::MemoryStores));
    let Some(store_id) = m.store_id().map(str::to_string) else {
        return;
    };
    if m.level == MemoryLevel::Audit {
        m.audit_loading = true;
        cmds.push(Cmd::Memory(MemCmd::LoadAudit {
            store_id: store_id.clone(),
        }));
    }
    let mut open: Vec<String> = vec![ROOT.to_string()];
    open.extend(m.rows.iter().filter_map(|r| match r {
        Row::Folder {
            path, open: true, ..
        } => Some(path.clone()),
        _ => None,
    }));
    for prefix in open {
        m.tree.invalidate(&prefix);
        cmds.push(Cmd::Memory(MemCmd::LoadFolder {
            store_id: store_id.clone(),
            prefix,
        }));
    }
    if let Some(memory_id) = m.memory_id.clone() {
        cmds.push(Cmd::Memory(MemCmd::LoadMemory {
            store_id,
            memory_id,
        }));
    }
}

pub(crate) fn on_stores(state: &mut State, stores: &[MemoryStore]) {
    let page = list_page(state);
    let m = &mut state.memory;
    let selected = m.stores.get(m.stores_nav.cursor).map(|s| s.id.clone());
    m.stores = stores.iter().map(StoreRow::from_api).collect();
    if let Some(pos) = selected.and_then(|id| m.stores.iter().position(|s| s.id == id)) {
        m.stores_nav.cursor = pos;
    }
    m.stores_nav.clamp(m.stores.len(), page);
    m.fetch = Default::default();
    if let Some(open) = &m.store
        && let Some(fresh) = m.stores.iter().find(|s| s.id == open.id)
    {
        m.store = Some(fresh.clone());
    }
    resolve_store_names(&mut state.dreams.dreams, &state.memory.stores);
}

pub(crate) fn clamp(state: &mut State) {
    let page = list_page(state);
    let m = &mut state.memory;
    m.stores_nav.clamp(m.stores.len(), page);
    m.tree_nav.clamp(m.rows.len(), page);
    m.audit_nav.clamp(m.audit.len(), page);
    let versions = m.memory.as_ref().map_or(0, |d| d.versions.len());
    m.versions_nav.clamp(versions, page);
}

/// Rebuild the visible rows after the tree changed, keeping the cursor on the same row.
fn refresh_rows(state: &mut State) {
    let page = list_page(state);
    let m = &mut state.memory;
    let key = m.rows.get(m.tree_nav.cursor).map(row_key);
    m.rows = m.tree.rows();
    if let Some(pos) = key.and_then(|k| m.rows.iter().position(|r| row_key(r) == k)) {
        m.tree_nav.cursor = pos;
    }
    m.tree_nav.clamp(m.rows.len(), page);
    state.dirty = true;
}

fn row_key(r: &Row) -> String {
    match r {
        Row::Folder { path, .. } => path.clone(),
        Row::Memory { memory, .. } => memory.id.clone(),
        other => format!("{other:?}"),
    }
}

fn open_store(state: &mut State, store: StoreRow, cmds: &mut Vec<Cmd>) {
    let m = &mut state.memory;
    let store_id = store.id.clone();
    m.store = Some(store);
    m.level = MemoryLevel::Tree;
    m.tree = Tree::new();
    m.tree_nav = Nav::default();
    close_memory(state);
    if state.memory.tree.open(ROOT) {
        cmds.push(Cmd::Memory(MemCmd::LoadFolder {
            store_id,
            prefix: ROOT.to_string(),
        }));
    }
    refresh_rows(state);
}

fn close_memory(state: &mut State) {
    let m = &mut state.memory;
    m.memory_id = None;
    m.memory = None;
    m.pending = None;
    m.want_version = None;
    m.scroll = Nav::default();
    m.versions_nav = Nav::default();
    m.mark = None;
    m.diff = None;
    m.search = None;
}

/// Ask for a memory (content + versions); `pending` runs when it arrives.
fn request_memory(
    state: &mut State,
    memory_id: String,
    pending: Option<Pending>,
    cmds: &mut Vec<Cmd>,
) {
    let Some(store_id) = state.memory.store_id().map(str::to_string) else {
        return;
    };
    let same = state.memory.memory_id.as_deref() == Some(memory_id.as_str());
    if !same {
        close_memory(state);
    }
    let m = &mut state.memory;
    m.memory_id = Some(memory_id.clone());
    m.pending = pending;
    cmds.push(Cmd::Memory(MemCmd::LoadMemory {
        store_id,
        memory_id,
    }));
    state.dirty = true;
}

/// A key on a memory: run it now if that memory is loaded, else load it and run it then.
fn with_memory(state: &mut State, what: Pending, cmds: &mut Vec<Cmd>) {
    let target = match (state.memory.level, state.memory.selected_row()) {
        (MemoryLevel::Tree, Some(Row::Memory { memory, .. })) => Some(memory.id.clone()),
        (MemoryLevel::Tree, _) => None,
        _ => state.memory.memory_id.clone(),
    };
    let Some(id) = target else {
        state.show_toast("select a memory first", false);
        return;
    };
    let loaded = state.memory.memory.as_ref().is_some_and(|d| d.id == id);
    if loaded {
        run_pending(state, what);
    } else {
        request_memory(state, id, Some(what), cmds);
    }
}

fn run_pending(state: &mut State, what: Pending) {
    let writes = matches!(what, Pending::Edit | Pending::Delete);
    if writes && state.read_only {
        state.show_toast(READ_ONLY, true);
        return;
    }
    let (Some(store_id), Some(d)) = (
        state.memory.store_id().map(str::to_string),
        state.memory.memory.clone(),
    ) else {
        return;
    };
    let m = &mut state.memory;
    match what {
        Pending::Edit => {
            m.edit = Some(EditBox {
                editor: Editor::multi_line(&d.content),
                memory_id: d.id.clone(),
                path: d.path.clone(),
                base_sha: d.sha.clone(),
                conflict: None,
            });
        }
        Pending::Delete => {
            m.confirm = Some(MemConfirm {
                title: " Delete memory ".into(),
                lines: vec![
                    format!("delete {} ({} bytes)?", d.path, d.size),
                    format!(
                        "only if its content is still sha256 {}… (as shown)",
                        short(&d.sha)
                    ),
                ],
                warning: Some("its versions stay listed; the memory itself is gone".into()),
                cmd: MemCmd::Delete {
                    store_id,
                    memory_id: d.id.clone(),
                    path: d.path.clone(),
                    expected_sha256: d.sha.clone(),
                },
            });
        }
        Pending::Versions => {
            m.level = MemoryLevel::Versions;
            if let Some(want) = m.want_version.take()
                && let Some(pos) = d.versions.iter().position(|v| v.id == want)
            {
                m.versions_nav.cursor = pos;
            }
            recompute_diff(state);
        }
    }
    state.dirty = true;
}

/// Back from the store list leaves the memory view (the caller switches views, so this
/// module needs nothing of `views`).
pub(crate) fn leaves_view(state: &State, action: Action) -> bool {
    state.memory.level == MemoryLevel::Stores && matches!(action, Action::Back | Action::Collapse)
}

pub(crate) fn on_action(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    match state.memory.level {
        MemoryLevel::Stores => stores_action(state, action, cmds),
        MemoryLevel::Tree | MemoryLevel::Content => tree_action(state, action, cmds),
        MemoryLevel::Versions => versions_action(state, action, cmds),
        MemoryLevel::Audit => audit_action(state, action, cmds),
    }
    state.dirty = true;
}

fn stores_action(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    let page = list_page(state);
    let selected = state
        .memory
        .stores
        .get(state.memory.stores_nav.cursor)
        .cloned();
    match action {
        Action::Open => {
            if let Some(store) = selected {
                open_store(state, store, cmds);
            }
        }
        Action::Audit => {
            if let Some(store) = selected {
                open_store(state, store, cmds);
                open_audit(state, cmds);
            }
        }
        // Leaving the view from the store list is `views::on_action`'s (see `leaves_view`).
        Action::Back | Action::Collapse => {}
        Action::Archive => {
            if state.read_only {
                state.show_toast(READ_ONLY, true);
                return;
            }
            let Some(store) = selected else {
                return;
            };
            if store.archived {
                state.show_toast(&format!("{} is already archived", store.name), false);
                return;
            }
            state.memory.confirm = Some(MemConfirm {
                title: " Archive memory store ".into(),
                lines: vec![format!("archive {} ({})?", store.name, store.id)],
                warning: Some(
                    "archiving is irreversible: the store becomes read-only for good".into(),
                ),
                cmd: MemCmd::ArchiveStore {
                    store_id: store.id.clone(),
                    name: store.name.clone(),
                },
            });
        }
        a => {
            if let Some(to) = motion(a) {
                let m = &mut state.memory;
                m.stores_nav.apply(to, m.stores.len(), page);
            }
        }
    }
}

/// `:audit` (or `W`): the open store's newest agent writes.
pub(crate) fn open_audit(state: &mut State, cmds: &mut Vec<Cmd>) {
    let Some(store_id) = state.memory.store_id().map(str::to_string) else {
        state.show_toast("open a memory store first (⏎ on a store), then W", false);
        return;
    };
    let m = &mut state.memory;
    m.level = MemoryLevel::Audit;
    m.audit_loading = true;
    cmds.push(Cmd::Memory(MemCmd::LoadAudit { store_id }));
    state.dirty = true;
}

fn tree_action(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    let page = list_page(state);
    let dpage = detail_page(state);
    let content = state.memory.level == MemoryLevel::Content;
    match action {
        Action::Open if content => {}
        Action::Open => match state.memory.selected_row().cloned() {
            Some(Row::Folder { path, open, .. }) => toggle_folder(state, &path, !open, cmds),
            Some(Row::Memory { memory, .. }) => {
                state.memory.level = MemoryLevel::Content;
                if state.memory.memory_id.as_deref() != Some(memory.id.as_str()) {
                    request_memory(state, memory.id.clone(), None, cmds);
                }
            }
            _ => {}
        },
        Action::Collapse if content => state.memory.level = MemoryLevel::Tree,
        Action::Collapse => match state.memory.selected_row().cloned() {
            Some(Row::Folder {
                path, open: true, ..
            }) => toggle_folder(state, &path, false, cmds),
            Some(r) => {
                let depth = r.depth();
                if depth == 0 {
                    return;
                }
                // To the enclosing folder's row (the nearest shallower folder above).
                let m = &mut state.memory;
                let above = m.rows[..m.tree_nav.cursor.min(m.rows.len())]
                    .iter()
                    .rposition(|x| matches!(x, Row::Folder { .. }) && x.depth() < depth);
                if let Some(pos) = above {
                    m.tree_nav.apply(Motion::To(pos), m.rows.len(), page);
                }
            }
            None => {}
        },
        Action::Back if content => state.memory.level = MemoryLevel::Tree,
        Action::Back => {
            let m = &mut state.memory;
            m.level = MemoryLevel::Stores;
            m.store = None;
            m.rows.clear();
            m.tree = Tree::new();
            close_memory(state);
        }
        Action::Edit => with_memory(state, Pending::Edit, cmds),
        Action::Delete => with_memory(state, Pending::Delete, cmds),
        Action::Versions => with_memory(state, Pending::Versions, cmds),
        Action::Audit => open_audit(state, cmds),
        Action::Archive => state.show_toast("archive a store from the store list (esc)", false),
        Action::Search => {
            if state.memory.memory.is_some() {
                state.memory.search_edit = Some(Editor::single_line(""));
            } else {
                state.show_toast("open a memory (⏎) to search its content", false);
            }
        }
        Action::NextMatch => find(state, true, 1),
        Action::PrevMatch => find(state, false, 1),
        a => {
            if let Some(to) = motion(a) {
                let m = &mut state.memory;
                if content {
                    let len = m.memory.as_ref().map_or(0, |d| d.lines.len());
                    m.scroll.apply(to, len, dpage);
                } else {
                    m.tree_nav.apply(to, m.rows.len(), page);
                }
            }
        }
    }
}

fn toggle_folder(state: &mut State, path: &str, open: bool, cmds: &mut Vec<Cmd>) {
    let Some(store_id) = state.memory.store_id().map(str::to_string) else {
        return;
    };
    if open {
        if state.memory.tree.open(path) {
            cmds.push(Cmd::Memory(MemCmd::LoadFolder {
                store_id,
                prefix: path.to_string(),
            }));
        }
    } else {
        state.memory.tree.close(path);
    }
    refresh_rows(state);
}

/// Move the content to the next (or previous) line holding the search, from `skip` lines
/// past the top one.
fn find(state: &mut State, forward: bool, skip: usize) {
    let dpage = detail_page(state);
    let m = &mut state.memory;
    let (Some(q), Some(d)) = (&m.search, &m.memory) else {
        return;
    };
    let q = q.to_lowercase();
    let n = d.lines.len();
    let hit = (0..n)
        .map(|i| {
            let step = i + skip;
            if forward {
                (m.scroll.cursor + step) % n.max(1)
            } else {
                (m.scroll.cursor + n * 2 - step % n.max(1)) % n.max(1)
            }
        })
        .find(|&i| d.lines[i].to_lowercase().contains(&q));
    match hit {
        Some(i) => {
            m.scroll.apply(Motion::To(i), n, dpage);
            m.level = MemoryLevel::Content;
        }
        None => {
            let msg = format!("no match for “{}”", text::one_line(&q));
            state.show_toast(&msg, false);
        }
    }
}

fn versions_action(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    let page = list_page(state);
    let dpage = detail_page(state);
    let len = state.memory.memory.as_ref().map_or(0, |d| d.versions.len());
    match action {
        Action::Up | Action::Down | Action::Top | Action::Bottom => {
            if let Some(to) = motion(action) {
                state.memory.versions_nav.apply(to, len, page);
                recompute_diff(state);
            }
        }
        Action::PageUp | Action::PageDown => {
            if let Some(to) = motion(action) {
                let m = &mut state.memory;
                let n = m.diff.as_ref().map_or(0, |d| diff_len(&d.diff));
                m.diff_scroll.apply(to, n, dpage);
            }
        }
        Action::Mark => {
            let id = state.memory.selected_version().map(|v| v.id.clone());
            let m = &mut state.memory;
            m.mark = if m.mark == id { None } else { id };
            recompute_diff(state);
        }
        Action::Revert => revert(state),
        Action::Redact => redact(state),
        Action::Back => {
            let m = &mut state.memory;
            m.level = MemoryLevel::Content;
            m.mark = None;
        }
        _ => {}
    }
    let _ = cmds;
}

/// Lines a diff draws (hunk headers included).
pub fn diff_len(d: &Diff) -> usize {
    d.hunks.iter().map(|h| h.lines.len() + 1).sum()
}

/// The selected version against the marked one, or against the one before it.
fn recompute_diff(state: &mut State) {
    let m = &mut state.memory;
    m.diff_scroll = Nav::default();
    let Some(d) = &m.memory else {
        m.diff = None;
        return;
    };
    let sel = m.versions_nav.cursor;
    let Some(new) = d.versions.get(sel) else {
        m.diff = None;
        return;
    };
    let marked = m
        .mark
        .as_ref()
        .and_then(|id| d.versions.iter().position(|v| &v.id == id))
        .filter(|&i| i != sel);
    let other = marked.unwrap_or(sel + 1);
    // Newest first: the larger index is the older side.
    let (old_i, new_i) = if other > sel {
        (other, sel)
    } else {
        (sel, other)
    };
    let newer = &d.versions[new_i];
    let older = d.versions.get(old_i);
    let label = |i: usize| format!("{} ({})", d.versions[i].id, d.versions[i].row.operation);
    let title = match older {
        Some(_) => format!("{} → {}", label(old_i), label(new_i)),
        None => format!("(nothing before) → {}", label(new_i)),
    };
    let _ = new;
    let redacted = |c: &Option<String>, r: bool| c.is_none() && r;
    let note = if redacted(&newer.content, newer.row.redacted)
        || older.is_some_and(|o| redacted(&o.content, o.row.redacted))
    {
        Some("a redacted version has no content to compare".to_string())
    } else {
        None
    };
    let old_text = older.and_then(|o| o.content.as_deref()).unwrap_or("");
    let new_text = newer.content.as_deref().unwrap_or("");
    m.diff = Some(VersionDiff {
        title: text::one_line(&title),
        diff: Diff::between(&text::sanitize(old_text), &text::sanitize(new_text)),
        note,
    });
}

fn revert(state: &mut State) {
    if state.read_only {
        state.show_toast(READ_ONLY, true);
        return;
    }
    let (Some(store_id), Some(d)) = (state.memory.store_id(), &state.memory.memory) else {
        return;
    };
    let Some(v) = d.versions.get(state.memory.versions_nav.cursor) else {
        return;
    };
    let Some(content) = v.content.clone() else {
        state.show_toast(
            "that version has no content (deleted or redacted): nothing to revert to",
            true,
        );
        return;
    };
    let confirm = MemConfirm {
        title: " Revert memory ".into(),
        lines: vec![
            format!(
                "write {} back to version {} ({} bytes)?",
                d.path,
                v.id,
                content.len()
            ),
            format!(
                "only if its content is still sha256 {}… (as shown)",
                short(&d.sha)
            ),
        ],
        warning: None,
        cmd: MemCmd::Update {
            store_id: store_id.to_string(),
            memory_id: d.id.clone(),
            path: d.path.clone(),
            content,
            expected_sha256: d.sha.clone(),
            kind: WriteKind::Revert,
        },
    };
    state.memory.confirm = Some(confirm);
}

fn redact(state: &mut State) {
    if state.read_only {
        state.show_toast(READ_ONLY, true);
        return;
    }
    let (Some(store_id), Some(d)) = (state.memory.store_id(), &state.memory.memory) else {
        return;
    };
    let Some(v) = d.versions.get(state.memory.versions_nav.cursor) else {
        return;
    };
    let confirm = MemConfirm {
        title: " Redact version ".into(),
        lines: vec![format!(
            "redact version {} of {} ({}, {})?",
            v.id, d.path, v.row.operation, v.row.actor
        )],
        warning: Some(
            "IRREVERSIBLE: its content, path and hash are erased for good; no undo".into(),
        ),
        cmd: MemCmd::RedactVersion {
            store_id: store_id.to_string(),
            memory_id: d.id.clone(),
            version_id: v.id.clone(),
        },
    };
    state.memory.confirm = Some(confirm);
}

fn audit_action(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    let page = list_page(state);
    match action {
        Action::Open => {
            let Some(row) = state
                .memory
                .audit
                .get(state.memory.audit_nav.cursor)
                .cloned()
            else {
                return;
            };
            close_memory(state);
            state.memory.want_version = Some(row.version_id);
            state.memory.level = MemoryLevel::Versions;
            request_memory(state, row.memory_id, Some(Pending::Versions), cmds);
        }
        Action::Back => state.memory.level = MemoryLevel::Tree,
        a => {
            if let Some(to) = motion(a) {
                let m = &mut state.memory;
                m.audit_nav.apply(to, m.audit.len(), page);
            }
        }
    }
}

/// `y`/`n` on a pending write.
pub(crate) fn on_confirm(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    match action {
        Action::Yes => {
            let Some(c) = state.memory.confirm.take() else {
                return;
            };
            if state.read_only {
                state.show_toast(READ_ONLY, true);
                return;
            }
            let what = match &c.cmd {
                MemCmd::Update { path, kind, .. } => match kind {
                    WriteKind::Edit => format!("saving {path}…"),
                    WriteKind::Revert => format!("reverting {path}…"),
                },
                MemCmd::Delete { path, .. } => format!("deleting {path}…"),
                MemCmd::RedactVersion { version_id, .. } => format!("redacting {version_id}…"),
                MemCmd::ArchiveStore { name, .. } => format!("archiving {name}…"),
                _ => String::new(),
            };
            state.show_toast(&what, false);
            cmds.push(Cmd::Memory(c.cmd));
        }
        Action::No => state.memory.confirm = None,
        _ => {}
    }
    state.dirty = true;
}

/// A key while the edit overlay or the search prompt is open.
pub(crate) fn on_typing_key(state: &mut State, key: KeyEvent) {
    let m = &mut state.memory;
    state.dirty = true;
    if let Some(ed) = &mut m.search_edit {
        match ed.key(key) {
            Edit::Submit => {
                let q = ed.text();
                m.search_edit = None;
                m.search = (!q.is_empty()).then_some(q);
                find(state, true, 0);
            }
            Edit::Cancel => m.search_edit = None,
            _ => {}
        }
        return;
    }
    let store_id = m.store_id().map(str::to_string);
    let Some(edit) = &mut m.edit else {
        return;
    };
    match edit.editor.key(key) {
        Edit::Cancel => m.edit = None,
        Edit::Submit => {
            if state.read_only {
                state.show_toast(READ_ONLY, true);
                return;
            }
            let Some(store_id) = store_id else {
                return;
            };
            let content = edit.editor.text();
            m.confirm = Some(MemConfirm {
                title: " Save memory ".into(),
                lines: vec![
                    format!("write {} bytes to {}?", content.len(), edit.path),
                    format!(
                        "only if its content is still sha256 {}… ({})",
                        short(&edit.base_sha),
                        if edit.conflict.is_some() {
                            "the live version shown"
                        } else {
                            "as you opened it"
                        }
                    ),
                ],
                warning: None,
                cmd: MemCmd::Update {
                    store_id,
                    memory_id: edit.memory_id.clone(),
                    path: edit.path.clone(),
                    content,
                    expected_sha256: edit.base_sha.clone(),
                    kind: WriteKind::Edit,
                },
            });
        }
        _ => {}
    }
}

pub(crate) fn on_paste(state: &mut State, pasted: &str) {
    let m = &mut state.memory;
    if let Some(ed) = &mut m.search_edit {
        ed.paste(pasted);
    } else if let Some(e) = &mut m.edit {
        e.editor.paste(pasted);
    }
    state.dirty = true;
}

fn reload_folder_of(state: &mut State, path: &str, cmds: &mut Vec<Cmd>) {
    let Some(store_id) = state.memory.store_id().map(str::to_string) else {
        return;
    };
    let prefix = memory_tree::parent(path).to_string();
    if state.memory.tree.invalidate(&prefix) {
        cmds.push(Cmd::Memory(MemCmd::LoadFolder { store_id, prefix }));
    }
}

pub(crate) fn on_msg(state: &mut State, msg: MemMsg, cmds: &mut Vec<Cmd>) {
    state.dirty = true;
    let current = |state: &State, store_id: &str| state.memory.store_id() == Some(store_id);
    match msg {
        MemMsg::Folder {
            store_id,
            prefix,
            result,
        } => {
            if !current(state, &store_id) {
                return;
            }
            match result {
                Ok((items, truncated)) => {
                    let children = items
                        .iter()
                        .filter_map(|i| match i {
                            MemoryListItem::Memory(m) => {
                                Some(Child::Memory(MemoryRow::from_api(m)))
                            }
                            MemoryListItem::MemoryPrefix(p) => {
                                Some(Child::Folder(text::one_line(&p.path)))
                            }
                            MemoryListItem::Unknown(_) => None,
                        })
                        .collect();
                    state.memory.tree.loaded(&prefix, children, truncated);
                }
                Err(e) => {
                    state.memory.tree.failed(&prefix, &e.text);
                    state.show_toast(&format!("memories in {prefix}: {}", e.text), true);
                }
            }
            refresh_rows(state);
        }
        MemMsg::Memory {
            store_id,
            memory_id,
            result,
        } => {
            if !current(state, &store_id)
                || state.memory.memory_id.as_deref() != Some(memory_id.as_str())
            {
                return;
            }
            match result {
                Ok((memory, versions)) => {
                    let page = list_page(state);
                    let m = &mut state.memory;
                    let d = OpenMemory::from_api(&memory, &versions);
                    m.scroll.clamp(d.lines.len(), 1);
                    m.versions_nav.clamp(d.versions.len(), page);
                    m.memory = Some(d);
                    m.fetch.error = None;
                    match m.pending.take() {
                        Some(p) => run_pending(state, p),
                        None => recompute_diff(state),
                    }
                }
                Err(e) => {
                    state.memory.pending = None;
                    state.memory.fetch.error = Some(e.text.clone());
                    state.show_toast(&format!("memory: {}", e.text), true);
                }
            }
        }
        MemMsg::Audit { store_id, result } => {
            if !current(state, &store_id) {
                return;
            }
            let page = list_page(state);
            let m = &mut state.memory;
            m.audit_loading = false;
            match result {
                Ok((versions, truncated)) => {
                    m.audit = versions.iter().map(AuditRow::from_api).collect();
                    m.audit_truncated = truncated;
                    m.audit_nav.clamp(m.audit.len(), page);
                }
                Err(e) => state.show_toast(&format!("agent writes: {}", e.text), true),
            }
        }
        MemMsg::Updated {
            store_id,
            memory_id,
            kind,
            result,
            live,
        } => on_updated(state, &store_id, &memory_id, kind, result, live, cmds),
        MemMsg::Done {
            store_id,
            memory_id,
            path,
            result,
        } => match result {
            Ok(text) => {
                state.show_toast(&text, false);
                if !current(state, &store_id) {
                    cmds.push(Cmd::LoadView(ViewLoad::MemoryStores));
                    return;
                }
                match (path, memory_id) {
                    // Deleted: the memory is gone; back to the tree.
                    (Some(path), Some(_)) => {
                        close_memory(state);
                        state.memory.level = MemoryLevel::Tree;
                        reload_folder_of(state, &path, cmds);
                        refresh_rows(state);
                    }
                    // Redacted: its versions changed.
                    (None, Some(memory_id)) => {
                        if state.memory.memory_id.as_deref() == Some(memory_id.as_str()) {
                            cmds.push(Cmd::Memory(MemCmd::LoadMemory {
                                store_id,
                                memory_id,
                            }));
                        }
                    }
                    _ => cmds.push(Cmd::LoadView(ViewLoad::MemoryStores)),
                }
            }
            Err(e) => {
                let text = if e.conflict {
                    format!(
                        "refused: it changed since it was shown, nothing was done — {}",
                        e.text
                    )
                } else {
                    e.text
                };
                state.show_toast(&text, true);
            }
        },
    }
}

fn on_updated(
    state: &mut State,
    store_id: &str,
    memory_id: &str,
    kind: WriteKind,
    result: Result<Box<crate::api::types::Memory>, crate::ops::memory::Failure>,
    live: Option<Box<crate::api::types::Memory>>,
    cmds: &mut Vec<Cmd>,
) {
    let here = state.memory.store_id() == Some(store_id);
    match result {
        Ok(m) => {
            let verb = match kind {
                WriteKind::Edit => "saved",
                WriteKind::Revert => "reverted",
            };
            let path = text::one_line(&m.path);
            state.show_toast(
                &format!("{verb} {path} (sha256 {}…)", short(&m.content_sha256)),
                false,
            );
            if kind == WriteKind::Edit
                && state
                    .memory
                    .edit
                    .as_ref()
                    .is_some_and(|e| e.memory_id == memory_id)
            {
                state.memory.edit = None;
            }
            if here {
                reload_folder_of(state, &path, cmds);
                if state.memory.memory_id.as_deref() == Some(memory_id) {
                    cmds.push(Cmd::Memory(MemCmd::LoadMemory {
                        store_id: store_id.to_string(),
                        memory_id: memory_id.to_string(),
                    }));
                }
            }
        }
        Err(e) if e.conflict => {
            let m = &mut state.memory;
            let editing = m.edit.as_mut().filter(|ed| ed.memory_id == memory_id);
            match (editing, &live) {
                (Some(ed), Some(l)) if kind == WriteKind::Edit => {
                    let content = l.content.clone().unwrap_or_default();
                    ed.conflict = Some(
                        text::sanitize(&content)
                            .split('\n')
                            .map(String::from)
                            .collect(),
                    );
                    ed.base_sha = l.content_sha256.clone();
                }
                _ => {}
            }
            if m.memory_id.as_deref() == Some(memory_id) {
                cmds.push(Cmd::Memory(MemCmd::LoadMemory {
                    store_id: store_id.to_string(),
                    memory_id: memory_id.to_string(),
                }));
            }
            let what = match kind {
                WriteKind::Edit => {
                    "someone changed this memory since you opened it: nothing was saved; the live \
                     version is shown and your edit is kept (ctrl-s again saves over the live one)"
                }
                WriteKind::Revert => {
                    "someone changed this memory since it was shown: nothing was reverted"
                }
            };
            state.show_toast(&format!("409 {what} — {}", e.text), true);
        }
        Err(e) => state.show_toast(&e.text, true),
    }
}

#[cfg(test)]
pub(crate) use tests::{folder, item, mem, open_a, opened};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::{Memory, MemoryPrefix};
    use crate::app::fixtures::resource_state;
    use crate::app::msg::Msg;
    use crate::app::state::View;
    use crate::app::update::update;
    use crate::ops::memory::Failure;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn key(s: &mut State, code: KeyCode) -> Vec<Cmd> {
        update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
    }
    fn ctrl(s: &mut State, c: char) -> Vec<Cmd> {
        update(
            s,
            Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
        )
    }
    pub(crate) fn mem(id: &str, path: &str, content: &str, sha: &str) -> Memory {
        Memory {
            id: id.into(),
            memory_store_id: "memstore_eng".into(),
            path: path.into(),
            content: Some(content.into()),
            content_sha256: sha.into(),
            content_size_bytes: content.len() as u64,
            ..Default::default()
        }
    }
    pub(crate) fn folder(s: &mut State, prefix: &str, items: Vec<MemoryListItem>) -> Vec<Cmd> {
        update(
            s,
            Msg::Memory(Box::new(MemMsg::Folder {
                store_id: "memstore_eng".into(),
                prefix: prefix.into(),
                result: Ok((items, false)),
            })),
        )
    }
    pub(crate) fn pfx(p: &str) -> MemoryListItem {
        MemoryListItem::MemoryPrefix(MemoryPrefix { path: p.into() })
    }
    pub(crate) fn item(m: Memory) -> MemoryListItem {
        MemoryListItem::Memory(m)
    }
    fn shape(s: &State) -> Vec<String> {
        s.memory
            .rows
            .iter()
            .map(|r| {
                let pad = "  ".repeat(r.depth());
                match r {
                    Row::Folder { path, open, .. } => format!(
                        "{pad}{}{}",
                        if *open { "▾ " } else { "▸ " },
                        memory_tree::name(path)
                    ),
                    Row::Memory { memory, .. } => {
                        format!("{pad}{}", memory_tree::name(&memory.path))
                    }
                    Row::Loading { .. } => format!("{pad}loading"),
                    other => format!("{pad}{other:?}"),
                }
            })
            .collect()
    }

    /// A store opened with `/a.md` and `/notes/` at the root.
    pub(crate) fn opened() -> State {
        let mut s = resource_state(120, 40, View::Memory);
        let cmds = key(&mut s, KeyCode::Enter);
        assert_eq!(
            cmds,
            vec![Cmd::Memory(MemCmd::LoadFolder {
                store_id: "memstore_eng".into(),
                prefix: "/".into()
            })]
        );
        assert_eq!(shape(&s), vec!["loading"]);
        folder(
            &mut s,
            "/",
            vec![item(mem("mem_a", "/a.md", "", "aa")), pfx("/notes/")],
        );
        s
    }

    #[test]
    fn folders_expand_lazily_and_collapse() {
        let mut s = opened();
        assert_eq!(shape(&s), vec!["▸ notes/", "a.md"]);
        // l on the folder: it opens with a loading row and one listing request.
        let cmds = key(&mut s, KeyCode::Char('l'));
        assert_eq!(
            cmds,
            vec![Cmd::Memory(MemCmd::LoadFolder {
                store_id: "memstore_eng".into(),
                prefix: "/notes/".into()
            })]
        );
        assert_eq!(shape(&s), vec!["▾ notes/", "  loading", "a.md"]);
        folder(
            &mut s,
            "/notes/",
            vec![
                item(mem("mem_x", "/notes/x.md", "", "xx")),
                pfx("/notes/deep/"),
            ],
        );
        assert_eq!(shape(&s), vec!["▾ notes/", "  ▸ deep/", "  x.md", "a.md"]);
        // h on a child goes to its folder; h again closes it; l reopens with no request.
        key(&mut s, KeyCode::Char('j'));
        key(&mut s, KeyCode::Char('j'));
        assert_eq!(s.memory.tree_nav.cursor, 2);
        key(&mut s, KeyCode::Char('h'));
        assert_eq!(s.memory.tree_nav.cursor, 0);
        key(&mut s, KeyCode::Char('h'));
        assert_eq!(shape(&s), vec!["▸ notes/", "a.md"]);
        assert!(key(&mut s, KeyCode::Char('l')).is_empty());
        assert_eq!(shape(&s).len(), 4);
        // A listing for a store no longer open is ignored.
        key(&mut s, KeyCode::Esc);
        folder(&mut s, "/", vec![pfx("/other/")]);
        assert!(s.memory.rows.is_empty());
    }

    pub(crate) fn open_a(s: &mut State, content: &str, sha: &str) {
        key(s, KeyCode::Char('j'));
        let cmds = key(s, KeyCode::Enter);
        assert_eq!(
            cmds,
            vec![Cmd::Memory(MemCmd::LoadMemory {
                store_id: "memstore_eng".into(),
                memory_id: "mem_a".into()
            })]
        );
        let versions = vec![
            crate::api::types::MemoryVersion {
                id: "v2".into(),
                memory_id: "mem_a".into(),
                operation: crate::api::types::MemoryOperation::Modified,
                content: Some(content.into()),
                ..Default::default()
            },
            crate::api::types::MemoryVersion {
                id: "v1".into(),
                memory_id: "mem_a".into(),
                operation: crate::api::types::MemoryOperation::Created,
                content: Some("old line\n".into()),
                ..Default::default()
            },
        ];
        update(
            s,
            Msg::Memory(Box::new(MemMsg::Memory {
                store_id: "memstore_eng".into(),
                memory_id: "mem_a".into(),
                result: Ok((Box::new(mem("mem_a", "/a.md", content, sha)), versions)),
            })),
        );
    }

    #[test]
    fn edit_save_carries_the_hash_it_started_from_and_a_409_keeps_the_edit() {
        let mut s = opened();
        open_a(&mut s, "hello", "sha_one");
        assert_eq!(s.memory.level, MemoryLevel::Content);
        key(&mut s, KeyCode::Char('e'));
        assert!(s.memory.typing());
        key(&mut s, KeyCode::Char('!'));
        assert!(ctrl(&mut s, 's').is_empty(), "save asks first");
        let cmds = key(&mut s, KeyCode::Char('y'));
        assert_eq!(
            cmds,
            vec![Cmd::Memory(MemCmd::Update {
                store_id: "memstore_eng".into(),
                memory_id: "mem_a".into(),
                path: "/a.md".into(),
                content: "hello!".into(),
                expected_sha256: "sha_one".into(),
                kind: WriteKind::Edit,
            })]
        );
        // Someone else wrote meanwhile: 409, the live version shows, the edit stays.
        update(
            &mut s,
            Msg::Memory(Box::new(MemMsg::Updated {
                store_id: "memstore_eng".into(),
                memory_id: "mem_a".into(),
                kind: WriteKind::Edit,
                result: Err(Failure {
                    text: "409 memory_precondition_failed_error (request-id req_9)".into(),
                    conflict: true,
                }),
                live: Some(Box::new(mem("mem_a", "/a.md", "theirs", "sha_two"))),
            })),
        );
        let e = s.memory.edit.as_ref().unwrap();
        assert_eq!(e.editor.text(), "hello!");
        assert_eq!(e.conflict.as_deref(), Some(&["theirs".to_string()][..]));
        assert_eq!(e.base_sha, "sha_two");
        let t = s.toast.as_ref().unwrap();
        assert!(t.error && t.text.starts_with("409 someone changed this memory"));
        assert!(t.text.ends_with("(request-id req_9)"));
    }

    #[test]
    fn delete_revert_and_read_only() {
        let mut s = opened();
        open_a(&mut s, "new line\n", "sha_cur");
        // d: confirm, then the delete carries the hash shown.
        key(&mut s, KeyCode::Char('d'));
        assert!(s.memory.confirm.is_some());
        assert_eq!(s.context(), crate::app::keymap::Context::Confirm);
        assert_eq!(
            key(&mut s, KeyCode::Char('y')),
            vec![Cmd::Memory(MemCmd::Delete {
                store_id: "memstore_eng".into(),
                memory_id: "mem_a".into(),
                path: "/a.md".into(),
                expected_sha256: "sha_cur".into(),
            })]
        );
        // v: versions, the newest against the one before as a diff; R reverts to v1.
        key(&mut s, KeyCode::Char('v'));
        assert_eq!(s.memory.level, MemoryLevel::Versions);
        let d = s.memory.diff.as_ref().unwrap();
        assert_eq!(d.title, "v1 (created) → v2 (modified)");
        assert_eq!(d.diff.unified(), "@@ -1 +1 @@\n-old line\n+new line\n");
        key(&mut s, KeyCode::Char('j'));
        key(&mut s, KeyCode::Char('R'));
        assert_eq!(
            key(&mut s, KeyCode::Char('y')),
            vec![Cmd::Memory(MemCmd::Update {
                store_id: "memstore_eng".into(),
                memory_id: "mem_a".into(),
                path: "/a.md".into(),
                content: "old line\n".into(),
                expected_sha256: "sha_cur".into(),
                kind: WriteKind::Revert,
            })]
        );
        // Space marks v1; moving to v2 and d diffs them (same pair, other direction).
        key(&mut s, KeyCode::Char(' '));
        key(&mut s, KeyCode::Char('k'));
        key(&mut s, KeyCode::Char('d'));
        assert_eq!(
            s.memory.diff.as_ref().unwrap().title,
            "v1 (created) → v2 (modified)"
        );
        // Read-only refuses every write with a toast and sends nothing.
        s.read_only = true;
        for c in ['R', 'X'] {
            assert!(key(&mut s, KeyCode::Char(c)).is_empty());
            assert!(s.memory.confirm.is_none());
            assert!(s.toast.take().unwrap().text.starts_with("read-only"));
        }
        key(&mut s, KeyCode::Esc);
        for c in ['e', 'd'] {
            assert!(key(&mut s, KeyCode::Char(c)).is_empty());
            assert!(s.memory.edit.is_none() && s.memory.confirm.is_none());
        }
    }
}
