//! Session detail (`d` on a session): the session read whole (`GET /v1/sessions/{id}`) as one
//! scrollable document — spend and budget, stats, agent snapshot (model, tools with their
//! permission policies, MCP servers, skills), environment, resources, metadata, outcome
//! evaluations — and the title / metadata editors. The document is built once per read, so
//! drawing only slices it.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::api::types::{Session, SessionResource};
use crate::app::editor::Editor;
use crate::app::fetch::Fetch;
use crate::model::nav::Nav;
use crate::model::spend::Spend;
use crate::text;

/// Lines of the document at most (a session with thousands of tools or metadata keys).
pub const MAX_DOC_LINES: usize = 2_000;

/// One line of the document (all text sanitized).
#[derive(Debug, Clone, PartialEq)]
pub enum DocLine {
    Heading(String),
    /// Label and value.
    Field(String, String),
    Text(String),
    Dim(String),
    /// The budget bar of the session's spend.
    Budget(Spend),
    Blank,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditKind {
    Title,
    Metadata,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DetailEdit {
    pub kind: EditKind,
    pub editor: Editor,
    /// Sent; waiting for the API (the editor stays until it answers).
    pub saving: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DetailView {
    pub session_id: String,
    pub session: Option<Box<Session>>,
    pub doc: Vec<DocLine>,
    /// First line shown.
    pub scroll: Nav,
    pub fetch: Fetch,
    pub edit: Option<DetailEdit>,
    /// Opened from `:threads` (Esc goes back there).
    pub back_to_threads: bool,
}

impl DetailView {
    pub fn open(session_id: &str) -> DetailView {
        DetailView {
            session_id: session_id.to_string(),
            fetch: Fetch {
                loading: true,
                error: None,
            },
            ..Default::default()
        }
    }

    pub fn set_session(&mut self, s: Session) {
        self.doc = document(&s);
        self.session = Some(Box::new(s));
        self.fetch = Fetch::default();
    }

    /// Typing in an editor (keys go to it).
    pub fn typing(&self) -> bool {
        self.edit.as_ref().is_some_and(|e| !e.saving)
    }
}

/// The metadata as the editor shows it: one `key=value` per line, sorted.
pub fn metadata_text(m: &BTreeMap<String, String>) -> String {
    m.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The patch from the old metadata to the edited text: changed and new keys set, removed keys
/// deleted (`null`). `Err` names the first line that is not `key=value`.
pub fn metadata_patch(
    old: &BTreeMap<String, String>,
    edited: &str,
) -> Result<BTreeMap<String, Option<String>>, String> {
    let mut new = BTreeMap::new();
    for (n, line) in edited.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            return Err(format!("line {}: write key=value", n + 1));
        };
        let k = k.trim();
        if k.is_empty() {
            return Err(format!("line {}: the key is empty", n + 1));
        }
        new.insert(k.to_string(), v.trim().to_string());
    }
    let mut patch = BTreeMap::new();
    for (k, v) in &new {
        if old.get(k) != Some(v) {
            patch.insert(k.clone(), Some(v.clone()));
        }
    }
    for k in old.keys() {
        if !new.contains_key(k) {
            patch.insert(k.clone(), None);
        }
    }
    Ok(patch)
}

fn field(label: &str, value: impl AsRef<str>) -> DocLine {
    DocLine::Field(label.to_string(), text::one_line(value.as_ref()))
}

fn policy(v: Option<&Value>) -> String {
    v.and_then(|p| p.get("type"))
        .and_then(Value::as_str)
        .unwrap_or("–")
        .to_string()
}

/// The tools of an agent snapshot, one line each, with their permission policy.
fn tools(out: &mut Vec<DocLine>, tools: &[Value]) {
    for t in tools {
        let kind = t.get("type").and_then(Value::as_str).unwrap_or("");
        let default = t.get("default_config");
        let default_policy = policy(default.and_then(|d| d.get("permission_policy")));
        let configs = t
            .get("configs")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        match kind {
            "custom" => {
                let name = t.get("name").and_then(Value::as_str).unwrap_or("?");
                out.push(field(
                    &format!("  {}", text::one_line(name)),
                    "custom tool · you answer each call",
                ));
            }
            k if k.starts_with("agent_toolset") || k == "mcp_toolset" => {
                let head = if k == "mcp_toolset" {
                    format!(
                        "MCP {}",
                        t.get("mcp_server_name")
                            .and_then(Value::as_str)
                            .unwrap_or("?")
                    )
                } else {
                    "built-in tools".to_string()
                };
                out.push(field(
                    &format!("  {}", text::one_line(&head)),
                    format!("default {default_policy}"),
                ));
                for c in configs {
                    let name = c.get("name").and_then(Value::as_str).unwrap_or("?");
                    let enabled = c.get("enabled").and_then(Value::as_bool).unwrap_or(true);
                    let value = if enabled {
                        policy(c.get("permission_policy"))
                    } else {
                        "disabled".into()
                    };
                    out.push(field(&format!("    {}", text::one_line(name)), value));
                }
            }
            other => out.push(field("  tool", other)),
        }
    }
}

fn resource_line(r: &SessionResource) -> DocLine {
    match r {
        SessionResource::GithubRepository {
            url,
            mount_path,
            checkout,
            ..
        } => {
            let at = checkout
                .as_ref()
                .and_then(|c| c.get("name").or_else(|| c.get("sha")))
                .and_then(Value::as_str)
                .map(|b| format!(" @ {b}"))
                .unwrap_or_default();
            field("  repository", format!("{url}{at} → {mount_path}"))
        }
        SessionResource::File {
            file_id,
            mount_path,
            ..
        } => field("  file", format!("{file_id} → {mount_path}")),
        SessionResource::MemoryStore {
            memory_store_id,
            access,
            name,
            mount_path,
            ..
        } => field(
            "  memory store",
            format!(
                "{} ({}) {} → {}",
                name.as_deref().unwrap_or(memory_store_id),
                access.as_deref().unwrap_or("read_write"),
                memory_store_id,
                mount_path.as_deref().unwrap_or("–")
            ),
        ),
        SessionResource::Unknown(v) => field(
            "  resource",
            v.get("type").and_then(Value::as_str).unwrap_or("unknown"),
        ),
    }
}

fn seconds(s: Option<f64>) -> String {
    s.map(|s| {
        let s = s.max(0.0) as u64;
        if s >= 3_600 {
            format!("{}h {:02}m", s / 3_600, s % 3_600 / 60)
        } else if s >= 60 {
            format!("{}m {:02}s", s / 60, s % 60)
        } else {
            format!("{s}s")
        }
    })
    .unwrap_or_else(|| "–".into())
}

/// The whole document of one session.
pub fn document(s: &Session) -> Vec<DocLine> {
    let mut out = Vec::new();
    let title = s.title.as_deref().unwrap_or("(no title)");
    out.push(DocLine::Heading(text::one_line(title)));
    out.push(field("id", &s.id));
    out.push(field("status", s.status.to_string()));
    out.push(field("created", &s.created_at));
    out.push(field("updated", &s.updated_at));
    if let Some(d) = &s.deployment_id {
        out.push(field("deployment", d));
    }
    out.push(DocLine::Blank);

    let spend = Spend::from_usage(&s.usage, s.budget.as_ref());
    out.push(DocLine::Heading("Spend".into()));
    out.push(DocLine::Budget(spend.clone()));
    out.push(field(
        "tokens",
        format!(
            "in {} · out {} · cache read {} · cache write {}",
            text::compact_count(spend.input_tokens),
            text::compact_count(spend.output_tokens),
            text::compact_count(spend.cache_read_tokens),
            text::compact_count(spend.cache_creation_tokens)
        ),
    ));
    if spend.web_searches + spend.web_fetches > 0 {
        out.push(field(
            "server tools",
            format!(
                "{} web searches · {} web fetches",
                spend.web_searches, spend.web_fetches
            ),
        ));
    }
    out.push(field(
        "active",
        format!(
            "{} (billed) · threads {} · wall {}",
            seconds(spend.active_seconds),
            seconds(s.stats.active_seconds),
            seconds(s.stats.duration_seconds)
        ),
    ));
    out.push(DocLine::Blank);

    let a = &s.agent;
    out.push(DocLine::Heading("Agent".into()));
    out.push(field(
        "name",
        format!("{} (v{}) {}", a.name, a.version, a.id),
    ));
    let mut model = a.model.id.clone();
    if let Some(e) = &a.model.effort {
        model.push_str(&format!(" · effort {e}"));
    }
    if let Some(sp) = &a.model.speed {
        model.push_str(&format!(" · {sp}"));
    }
    out.push(field("model", model));
    if let Some(d) = &a.description {
        out.push(field("about", d));
    }
    if a.multiagent.is_some() {
        out.push(field("multiagent", ":threads shows its threads"));
    }
    out.push(DocLine::Text("tools (permission policy)".into()));
    if a.tools.is_empty() {
        out.push(DocLine::Dim("  none".into()));
    }
    tools(&mut out, &a.tools);
    out.push(DocLine::Text("MCP servers".into()));
    if a.mcp_servers.is_empty() {
        out.push(DocLine::Dim("  none".into()));
    }
    for m in &a.mcp_servers {
        let name = m.get("name").and_then(Value::as_str).unwrap_or("?");
        let url = m.get("url").and_then(Value::as_str).unwrap_or("");
        out.push(field(&format!("  {}", text::one_line(name)), url));
    }
    if !a.skills.is_empty() {
        let skills: Vec<String> = a
            .skills
            .iter()
            .filter_map(|k| k.get("skill_id").and_then(Value::as_str))
            .map(text::one_line)
            .collect();
        out.push(field("skills", skills.join(", ")));
    }
    out.push(DocLine::Blank);

    out.push(DocLine::Heading("Environment and resources".into()));
    out.push(field("environment", &s.environment_id));
    if !s.vault_ids.is_empty() {
        out.push(field("vaults", s.vault_ids.join(", ")));
    }
    if s.resources.is_empty() {
        out.push(DocLine::Dim("  no resources".into()));
    }
    for r in &s.resources {
        out.push(resource_line(r));
    }
    out.push(DocLine::Blank);

    out.push(DocLine::Heading("Metadata (e edits)".into()));
    if s.metadata.is_empty() {
        out.push(DocLine::Dim("  none".into()));
    }
    for (k, v) in &s.metadata {
        out.push(field(&format!("  {}", text::one_line(k)), v));
    }
    out.push(DocLine::Blank);

    out.push(DocLine::Heading("Outcome evaluations".into()));
    if s.outcome_evaluations.is_empty() {
        out.push(DocLine::Dim("  none".into()));
    }
    for o in &s.outcome_evaluations {
        out.push(field(
            &format!("  {}", o.result),
            format!("iteration {} · {}", o.iteration, o.description),
        ));
        if let Some(e) = o.explanation.as_deref().filter(|e| !e.is_empty()) {
            out.push(DocLine::Dim(format!("    {}", text::one_line(e))));
        }
    }
    out.truncate(MAX_DOC_LINES);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_patch_sets_changes_and_deletes_removed_keys() {
        let old = BTreeMap::from([
            ("team".to_string(), "core".to_string()),
            ("ticket".to_string(), "8812".to_string()),
        ]);
        assert_eq!(metadata_text(&old), "team=core\nticket=8812");
        let patch = metadata_patch(&old, "team = infra\n\npriority=high").unwrap();
        assert_eq!(
            patch,
            BTreeMap::from([
                ("priority".to_string(), Some("high".to_string())),
                ("team".to_string(), Some("infra".to_string())),
                ("ticket".to_string(), None),
            ])
        );
        assert_eq!(
            metadata_patch(&old, "team=core\nno equals sign"),
            Err("line 2: write key=value".to_string())
        );
        assert_eq!(
            metadata_patch(&old, "=x"),
            Err("line 1: the key is empty".into())
        );
        assert!(
            metadata_patch(&old, "team=core\nticket=8812")
                .unwrap()
                .is_empty()
        );
    }
}
