//! Memory stores: writes with versions and actors, path rules, store copies and dream consolidation.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::clock::Micros;
use super::wire::ApiError;
use super::world::{Memory, MemoryStore, MemoryVersion, World};

pub fn sha256_hex(s: &str) -> String {
    let digest = Sha256::digest(s.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

pub const MAX_CONTENT_BYTES: usize = 102_400;

/// The documented path rules; the error says which one failed.
pub fn validate_path(path: &str) -> Result<(), String> {
    if !path.starts_with('/') {
        return Err("path must start with '/'".into());
    }
    if path.len() > 1024 {
        return Err("path must be at most 1024 bytes".into());
    }
    let segments: Vec<&str> = path[1..].split('/').collect();
    if segments.len() > 20 {
        return Err("path must have at most 20 segments".into());
    }
    if segments
        .iter()
        .any(|s| s.is_empty() || *s == "." || *s == "..")
    {
        return Err("path segments must not be empty, '.' or '..'".into());
    }
    if path.chars().any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')) {
        return Err("path must not contain control or format characters".into());
    }
    Ok(())
}

impl World {
    pub fn store_name(&self, id: &str) -> String {
        self.memory_stores
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.name.clone())
            .unwrap_or_default()
    }

    pub fn create_store(
        &mut self,
        name: &str,
        description: &str,
        metadata: Map<String, Value>,
        at: Micros,
    ) -> String {
        let id = self.idg.id("memstore_");
        let seq = self.idg.seq();
        self.memory_stores.push(MemoryStore {
            seq,
            id: id.clone(),
            name: name.to_string(),
            description: description.to_string(),
            metadata,
            created_at: at,
            updated_at: at,
            archived_at: None,
        });
        id
    }

    fn push_version(
        &mut self,
        m: &Memory,
        operation: &'static str,
        actor: &Value,
        at: Micros,
    ) -> String {
        let id = self.idg.id("memver_");
        let seq = self.idg.seq();
        let deleted = operation == "deleted";
        self.versions.push(MemoryVersion {
            seq,
            id: id.clone(),
            memory_id: m.id.clone(),
            store_id: m.store_id.clone(),
            operation,
            created_at: at,
            path: Some(m.path.clone()),
            content: if deleted {
                None
            } else {
                Some(m.content.clone())
            },
            sha: if deleted { None } else { Some(m.sha.clone()) },
            created_by: actor.clone(),
            redacted_at: None,
            redacted_by: None,
        });
        id
    }

    pub fn path_conflict(
        &self,
        store_id: &str,
        path: &str,
        except: Option<&str>,
    ) -> Option<ApiError> {
        self.memories
            .iter()
            .find(|m| m.store_id == store_id && m.path == path && Some(m.id.as_str()) != except)
            .map(|m| {
                ApiError::new(
                    StatusCode::CONFLICT,
                    "memory_path_conflict_error",
                    format!("a memory already exists at {path} ({})", m.id),
                )
                .with("conflicting_memory_id", serde_json::json!(m.id))
            })
    }

    pub fn create_memory(
        &mut self,
        store_id: &str,
        path: &str,
        content: &str,
        actor: &Value,
        at: Micros,
    ) -> Result<usize, ApiError> {
        validate_path(path).map_err(ApiError::bad_request)?;
        if content.len() > MAX_CONTENT_BYTES {
            return Err(ApiError::bad_request(
                "content must be at most 102400 bytes",
            ));
        }
        if let Some(e) = self.path_conflict(store_id, path, None) {
            return Err(e);
        }
        let mut m = Memory {
            id: self.idg.id("mem_"),
            store_id: store_id.to_string(),
            path: path.to_string(),
            content: content.to_string(),
            sha: sha256_hex(content),
            version_id: String::new(),
            created_at: at,
            updated_at: at,
        };
        m.version_id = self.push_version(&m, "created", actor, at);
        self.memories.push(m);
        Ok(self.memories.len() - 1)
    }

    /// Change content and/or path; the caller has checked preconditions.
    pub fn update_memory(
        &mut self,
        idx: usize,
        content: Option<&str>,
        path: Option<&str>,
        actor: &Value,
        at: Micros,
    ) -> Result<(), ApiError> {
        let Some(current) = self.memories.get(idx).cloned() else {
            return Err(ApiError::not_found("memory", "?"));
        };
        if let Some(p) = path {
            validate_path(p).map_err(ApiError::bad_request)?;
            if let Some(e) = self.path_conflict(&current.store_id, p, Some(&current.id)) {
                return Err(e);
            }
        }
        if let Some(c) = content
            && c.len() > MAX_CONTENT_BYTES
        {
            return Err(ApiError::bad_request(
                "content must be at most 102400 bytes",
            ));
        }
        let mut m = current;
        let changed = content.is_some_and(|c| c != m.content) || path.is_some_and(|p| p != m.path);
        if let Some(c) = content {
            m.content = c.to_string();
            m.sha = sha256_hex(c);
        }
        if let Some(p) = path {
            m.path = p.to_string();
        }
        if changed {
            m.updated_at = at;
            m.version_id = self.push_version(&m, "modified", actor, at);
        }
        self.memories[idx] = m;
        Ok(())
    }

    pub fn delete_memory(&mut self, idx: usize, actor: &Value, at: Micros) {
        if idx < self.memories.len() {
            let m = self.memories.remove(idx);
            self.push_version(&m, "deleted", actor, at);
        }
    }

    /// A new store holding a copy of every memory of `src` (what a dream starts from).
    /// A copy of `src` (a dream's output store). A memory that cannot be copied is an error.
    pub fn clone_store(&mut self, src: &str, name: &str, at: Micros) -> Result<String, ApiError> {
        let description = format!("Output of a dream over {}", self.store_name(src));
        let id = self.create_store(name, &description, Map::new(), at);
        let copies: Vec<(String, String)> = self
            .memories
            .iter()
            .filter(|m| m.store_id == src)
            .map(|m| (m.path.clone(), m.content.clone()))
            .collect();
        let actor = json!({"type": "service_account_actor", "service_account_id": "svac_01DreamCloner0000000000"});
        for (path, content) in copies {
            self.create_memory(&id, &path, &content, &actor, at)?;
        }
        Ok(id)
    }

    /// One planned write of a dream into `store_id` (its output store), by path.
    pub fn apply_dream_op(
        &mut self,
        store_id: &str,
        op: &DreamOp,
        actor: &Value,
        at: Micros,
    ) -> Result<(), ApiError> {
        let find = |w: &Self, path: &str| {
            w.memories
                .iter()
                .position(|m| m.store_id == store_id && m.path == path)
                .ok_or_else(|| ApiError::not_found("memory", path))
        };
        match op {
            DreamOp::Update { path, content } => {
                let i = find(self, path)?;
                self.update_memory(i, Some(content), None, actor, at)
            }
            DreamOp::Create { path, content } => self
                .create_memory(store_id, path, content, actor, at)
                .map(|_| ()),
            DreamOp::Delete { path } => {
                let i = find(self, path)?;
                self.delete_memory(i, actor, at);
                Ok(())
            }
            DreamOp::Move { from, to, content } => {
                let i = find(self, from)?;
                self.update_memory(i, content.as_deref(), Some(to), actor, at)
            }
        }
    }
}

/// One write a dream makes to its output store (by path, so it can be planned before the
/// store is cloned).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DreamOp {
    Update {
        path: String,
        content: String,
    },
    Create {
        path: String,
        content: String,
    },
    Delete {
        path: String,
    },
    /// A rename, with new content when the note is also edited.
    Move {
        from: String,
        to: String,
        content: Option<String>,
    },
}

/// What a dream does to a store: the notes it reads closely, then its writes, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Consolidation {
    pub reads: Vec<String>,
    pub ops: Vec<DreamOp>,
    /// One line on what it did and why (the dream session's closing message).
    pub summary: String,
}

/// "3 recent sessions", "1 recent session".
fn recent(sessions: usize) -> String {
    let s = if sessions == 1 { "" } else { "s" };
    format!("{sessions} recent session{s}")
}

/// The title of a note: its first `# ` heading (after a `Kind:` prefix), else its file name.
fn note_title(path: &str, content: &str) -> String {
    content
        .lines()
        .find_map(|l| l.strip_prefix("# "))
        .map(|t| t.rsplit(": ").next().unwrap_or(t).trim().to_string())
        .unwrap_or_else(|| {
            path.rsplit('/')
                .next()
                .unwrap_or(path)
                .trim_end_matches(".md")
                .replace('-', " ")
        })
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

fn file_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Stale facts a dream corrects from what its sessions saw: (needle, replacement).
const CORRECTIONS: &[(&str, &str)] = &[
    (
        "Primary rotates Mondays 10:00 UTC.",
        "Primary rotates Tuesdays 09:00 UTC since the November rota change.",
    ),
    (
        "with 4 partitions",
        "with 8 partitions (doubled in November; a full run takes ~11 minutes)",
    ),
    (
        "Full refund within 30 days, no questions.",
        "Full refund within 60 days, no questions (policy changed 2026-11-01).",
    ),
    (
        "no return needed under $150.",
        "no return needed under $250 (raised in November).",
    ),
    (
        "P2: same-day by a lead.",
        "P2: within 4 business hours by a lead (the new SLA).",
    ),
    (
        "Scale `worker` to 12 replicas",
        "Scale `worker` to 20 replicas (the autoscaler's ceiling since the queue migration)",
    ),
];

/// Where a misfiled note belongs, by what it is about: (word in its content, folder).
const HOMES: &[(&str, &str)] = &[
    ("roll forward", "/oncall/runbooks"),
    ("escalat", "/escalation"),
    ("refund", "/policies"),
    ("flak", "/testing"),
];

/// Notes a dream draws from its sessions into a store too small to consolidate.
const SEEDS: [(&str, &str); 3] = [
    (
        "/sessions/deploy-procedure.md",
        "# Deploy procedure\n\n- Run `make release` from a clean main.\n- Staging soak: 30 minutes.\n",
    ),
    (
        "/sessions/deploy-steps.md",
        "# Deploy steps\n\n- Tag the release, then `make release`.\n- Post in #deploys when done.\n",
    ),
    (
        "/sessions/on-call.md",
        "# On-call\n\n- Primary: Dana (until 2026-10-31).\n- Escalate after 15 minutes.\n",
    ),
];

/// Plan what a dream over `sessions` sessions does to a store holding `notes` (path, content):
/// every store changes in all four ways (modify, delete, rename, add), with content that reads
/// like a consolidation. A store of six notes or more: merge two notes on the same subject
/// (modify one, delete the other), correct stale facts, archive a retired note (a pure rename),
/// refile a misplaced note with an edit (a rename with edits) and write a summary note. A
/// smaller store: merge, correct, archive and summarise, after first drawing notes from its
/// sessions when it has fewer than three.
pub fn plan_consolidation(notes: &[(String, String)], sessions: usize) -> Consolidation {
    let mut notes: Vec<(String, String)> = notes.to_vec();
    notes.sort_by(|a, b| a.0.cmp(&b.0));
    if notes.len() < 6 {
        return plan_small(notes, sessions);
    }
    let n = notes.len();
    let title = |i: usize| note_title(&notes[i].0, &notes[i].1);
    let mut used = vec![false; n];
    let mut ops = Vec::new();
    let mut reads = Vec::new();
    let mut did = Vec::new();

    // 1. Two notes on one subject in one folder (their titles share a word): merge them into
    //    the one with the shorter title, delete the other.
    let words = |t: &str| -> Vec<String> {
        t.split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() >= 4)
            .map(str::to_lowercase)
            .collect()
    };
    let titles: Vec<Vec<String>> = (0..n).map(|i| words(&title(i))).collect();
    let mut pair = None;
    // Neighbours in path order only (a bounded window: a store may hold 10,000 notes).
    'outer: for i in 0..n {
        for j in i + 1..n.min(i + 50) {
            if dir_of(&notes[j].0) == dir_of(&notes[i].0)
                && titles[j].iter().any(|w| titles[i].contains(w))
            {
                pair = Some((i, j));
                break 'outer;
            }
        }
    }
    let (a, b) = pair
        .or_else(|| {
            (0..n - 1)
                .find(|&i| dir_of(&notes[i].0) == dir_of(&notes[i + 1].0))
                .map(|i| (i, i + 1))
        })
        .unwrap_or((0, 1));
    let (keep, dup) = if title(b).len() < title(a).len() {
        (b, a)
    } else {
        (a, b)
    };
    used[keep] = true;
    used[dup] = true;
    reads.push(notes[keep].0.clone());
    reads.push(notes[dup].0.clone());
    let body: Vec<&str> = notes[dup]
        .1
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("# "))
        .collect();
    ops.push(DreamOp::Update {
        path: notes[keep].0.clone(),
        content: format!(
            "{}\n\n## Merged from {}\n{}\n",
            notes[keep].1.trim_end(),
            file_of(&notes[dup].0),
            body.join("\n")
        ),
    });
    ops.push(DreamOp::Delete {
        path: notes[dup].0.clone(),
    });
    did.push(format!("merged {} into {}", title(dup), title(keep)));

    // 2. Stale facts the sessions contradict; with none known, the last free note gets a
    //    dated correction.
    let mut corrected = Vec::new();
    for (needle, fix) in CORRECTIONS {
        if let Some(i) = (0..n).find(|&i| !used[i] && notes[i].1.contains(needle)) {
            used[i] = true;
            reads.push(notes[i].0.clone());
            ops.push(DreamOp::Update {
                path: notes[i].0.clone(),
                content: notes[i].1.replace(needle, fix),
            });
            corrected.push(title(i));
        }
    }
    if corrected.is_empty()
        && let Some(i) = (0..n).rev().find(|&i| !used[i])
    {
        used[i] = true;
        reads.push(notes[i].0.clone());
        ops.push(DreamOp::Update {
            path: notes[i].0.clone(),
            content: format!(
                "{}\n\n> Corrected against {}: the details above were checked on 2026-12-01; superseded ones removed.\n",
                notes[i].1.trim_end(),
                recent(sessions)
            ),
        });
        corrected.push(title(i));
    }
    did.push(format!("corrected {}", corrected.join(", ")));

    // 3. A note about something retired goes to /archive/, unchanged.
    let retired = |c: &str| {
        let c = c.to_lowercase();
        ["retired", "deprecated", "no longer", "sunset"]
            .iter()
            .any(|w| c.contains(w))
    };
    if let Some(i) = (0..n)
        .find(|&i| !used[i] && retired(&notes[i].1))
        .or_else(|| (0..n).find(|&i| !used[i]))
    {
        used[i] = true;
        ops.push(DreamOp::Move {
            from: notes[i].0.clone(),
            to: format!("/archive{}", notes[i].0),
            content: None,
        });
        did.push(format!("archived {}", title(i)));
    }

    // 4. A misfiled note moves to the folder of its subject, with a line on where it came from.
    let home = |i: usize| {
        let c = notes[i].1.to_lowercase();
        HOMES
            .iter()
            .find(|(w, dir)| c.contains(w) && dir_of(&notes[i].0) != *dir)
            .map(|(_, d)| d.to_string())
    };
    let moved = (0..n)
        .filter(|&i| !used[i])
        .find_map(|i| home(i).map(|d| (i, d)))
        .or_else(|| {
            (0..n)
                .find(|&i| !used[i])
                .map(|i| (i, format!("/reference{}", dir_of(&notes[i].0))))
        });
    if let Some((i, dir)) = moved {
        used[i] = true;
        reads.push(notes[i].0.clone());
        let text = &notes[i].1;
        let (first, rest) = text.split_once('\n').unwrap_or((text.as_str(), ""));
        ops.push(DreamOp::Move {
            from: notes[i].0.clone(),
            to: format!("{dir}/{}", file_of(&notes[i].0)),
            content: Some(format!(
                "{first}\n_Moved here from {}/, where {} looked for it._\n{rest}",
                dir_of(&notes[i].0),
                recent(sessions)
            )),
        });
        did.push(format!("moved {} to {dir}/", title(i)));
    }

    // 5. A summary of the store as it now is.
    ops.push(summary_op(&notes, &ops, sessions, &did));
    Consolidation {
        reads,
        summary: format!("Done: {}, and wrote a summary note.", did.join("; ")),
        ops,
    }
}

/// The `/summary.md` (or first free `/summary-N.md`) a dream writes over the store after `ops`.
fn summary_op(
    notes: &[(String, String)],
    ops: &[DreamOp],
    sessions: usize,
    did: &[String],
) -> DreamOp {
    let mut now: std::collections::BTreeMap<String, String> = notes.iter().cloned().collect();
    for op in ops {
        match op {
            DreamOp::Update { path, content } | DreamOp::Create { path, content } => {
                now.insert(path.clone(), content.clone());
            }
            DreamOp::Delete { path } => {
                now.remove(path);
            }
            DreamOp::Move { from, to, content } => {
                if let Some(old) = now.remove(from) {
                    now.insert(to.clone(), content.clone().unwrap_or(old));
                }
            }
        }
    }
    let mut path = "/summary.md".to_string();
    let mut k = 2;
    while now.contains_key(&path) {
        path = format!("/summary-{k}.md");
        k += 1;
    }
    let mut lines: Vec<String> = now
        .iter()
        .take(40)
        .map(|(p, c)| format!("- {} ({p})", note_title(p, c)))
        .collect();
    if now.len() > 40 {
        lines.push(format!("- … and {} more", now.len() - 40));
    }
    DreamOp::Create {
        path,
        content: format!(
            "# Summary of this store\n\nConsolidated by a dream over {}: {}.\n\n{}\n",
            recent(sessions),
            did.join("; "),
            lines.join("\n")
        ),
    }
}

/// The pass for a store of fewer than six notes.
fn plan_small(mut notes: Vec<(String, String)>, sessions: usize) -> Consolidation {
    let mut ops = Vec::new();
    for (path, content) in SEEDS {
        if notes.len() >= 3 {
            break;
        }
        if !notes.iter().any(|(p, _)| p == path) {
            ops.push(DreamOp::Create {
                path: path.to_string(),
                content: content.to_string(),
            });
            notes.push((path.to_string(), content.to_string()));
        }
    }
    notes.sort_by(|a, b| a.0.cmp(&b.0));
    let [keep, dup, moved, rest @ ..] = notes.as_slice() else {
        return Consolidation::default();
    };
    let title = |p: &str| file_of(p).trim_end_matches(".md").replace('-', " ");
    let reads = vec![keep.0.clone(), dup.0.clone()];
    let merged = format!(
        "{}\n\n## Merged from {}\n{}\n",
        keep.1.trim_end(),
        dup.0,
        dup.1
            .lines()
            .filter(|l| l.starts_with("- "))
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The stale note: the last one, or the twin itself when the store has only three.
    let stale = rest.last().unwrap_or(keep);
    let fix = "\n\n> Corrected: the rota changed on 2026-11-01; Priya is primary, Dana secondary. The staging cluster `stg-eu-1` was retired, its steps no longer apply.\n";
    if stale.0 == keep.0 {
        ops.push(DreamOp::Update {
            path: keep.0.clone(),
            content: format!("{}{fix}", merged.trim_end()),
        });
        ops.push(DreamOp::Delete {
            path: dup.0.clone(),
        });
    } else {
        ops.push(DreamOp::Update {
            path: keep.0.clone(),
            content: merged,
        });
        ops.push(DreamOp::Delete {
            path: dup.0.clone(),
        });
        ops.push(DreamOp::Update {
            path: stale.0.clone(),
            content: format!("{}{fix}", stale.1.trim_end()),
        });
    }
    let to = match moved.0.rsplit_once('/') {
        Some(("", file)) => format!("/archive/{file}"),
        Some((dir, file)) => format!("/archive{dir}/{file}"),
        None => format!("/archive/{}", moved.0),
    };
    ops.push(DreamOp::Move {
        from: moved.0.clone(),
        to,
        content: None,
    });
    let did = vec![
        format!("merged {} into {}", title(&dup.0), title(&keep.0)),
        "corrected stale facts".to_string(),
        format!("archived {}", title(&moved.0)),
    ];
    ops.push(summary_op(&notes, &ops, sessions, &did));
    Consolidation {
        reads,
        summary: format!("Done: {}, and wrote a summary note.", did.join("; ")),
        ops,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha_is_lowercase_hex_of_utf8() {
        assert_eq!(
            sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn path_rules() {
        assert!(validate_path("/notes/a.md").is_ok());
        assert!(validate_path("notes").is_err());
        assert!(validate_path("/a//b").is_err());
        assert!(validate_path("/a/../b").is_err());
        assert!(validate_path("/a/\u{202E}b").is_err());
    }
}
