//! Read-only browsers for memory stores, dreams and deployments: API objects turned into
//! display rows once, when they arrive (sanitized text, parsed times), so drawing only
//! formats what is visible. Pure: no I/O, no async.

use crate::api::types::{
    Actor, Deployment, DeploymentRun, DeploymentStatus, Dream, DreamStatus, Memory, MemoryStore,
    MemoryVersion, PausedReason, TriggerContext,
};
use crate::text;

/// Unix seconds of an RFC 3339 time (None when absent or unreadable).
pub fn parse_time(s: &str) -> Option<i64> {
    s.parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
}

fn parse_opt(s: Option<&str>) -> Option<i64> {
    s.and_then(parse_time)
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoreRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
    pub archived: bool,
}

impl StoreRow {
    pub fn from_api(s: &MemoryStore) -> StoreRow {
        StoreRow {
            id: text::one_line(&s.id),
            name: text::one_line(&s.name),
            description: text::one_line(&s.description),
            created_at: parse_time(&s.created_at),
            updated_at: parse_time(&s.updated_at),
            archived: s.archived_at.is_some(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct MemoryRow {
    pub id: String,
    pub path: String,
    pub size: u64,
    /// The first 8 hex digits of `content_sha256`.
    pub sha: String,
    pub updated_at: Option<i64>,
}

fn sha_prefix(sha: &str) -> String {
    text::one_line(sha).chars().take(8).collect()
}

impl MemoryRow {
    pub fn from_api(m: &Memory) -> MemoryRow {
        MemoryRow {
            id: text::one_line(&m.id),
            path: text::one_line(&m.path),
            size: m.content_size_bytes,
            sha: sha_prefix(&m.content_sha256),
            updated_at: parse_time(&m.updated_at),
        }
    }

    /// Rows sorted by path (the API lists in its own order).
    pub fn sorted(items: &[Memory]) -> Vec<MemoryRow> {
        let mut rows: Vec<MemoryRow> = items.iter().map(MemoryRow::from_api).collect();
        rows.sort_by(|a, b| a.path.cmp(&b.path));
        rows
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct VersionRow {
    pub operation: String,
    /// `session sesn_…`, `api key …`, `user …`.
    pub actor: String,
    pub at: Option<i64>,
    pub redacted: bool,
}

/// Who made a change, as one short phrase.
pub fn actor_label(a: Option<&Actor>) -> String {
    let s = match a {
        Some(Actor::SessionActor { session_id }) => format!("session {session_id}"),
        Some(Actor::ApiActor { api_key_id }) => format!("api {api_key_id}"),
        Some(Actor::UserActor { user_id }) => format!("user {user_id}"),
        Some(Actor::ServiceAccountActor { service_account_id }) => {
            format!("service {service_account_id}")
        }
        Some(Actor::Unknown(v)) => v
            .get("type")
            .and_then(|t| t.as_str())
            .unwrap_or("unknown")
            .to_string(),
        None => "–".to_string(),
    };
    text::one_line(&s)
}

impl VersionRow {
    pub fn from_api(v: &MemoryVersion) -> VersionRow {
        VersionRow {
            operation: text::one_line(v.operation.as_str()),
            actor: actor_label(v.created_by.as_ref()),
            at: parse_time(&v.created_at),
            redacted: v.redacted_at.is_some(),
        }
    }
}

/// One memory opened: its content as sanitized lines, and its recent versions.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryDetail {
    pub id: String,
    pub path: String,
    pub size: u64,
    pub sha: String,
    pub updated_at: Option<i64>,
    pub lines: Vec<String>,
    pub versions: Vec<VersionRow>,
}

impl MemoryDetail {
    pub fn from_api(m: &Memory, versions: &[MemoryVersion]) -> MemoryDetail {
        let content = text::sanitize(m.content.as_deref().unwrap_or(""));
        MemoryDetail {
            id: text::one_line(&m.id),
            path: text::one_line(&m.path),
            size: m.content_size_bytes,
            sha: sha_prefix(&m.content_sha256),
            updated_at: parse_time(&m.updated_at),
            lines: content.split('\n').map(String::from).collect(),
            versions: versions.iter().map(VersionRow::from_api).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DreamRow {
    pub id: String,
    pub status: DreamStatus,
    pub input_store: String,
    pub sessions: usize,
    pub output_store: String,
    /// Store names, once the stores are known (see [`resolve_store_names`]).
    pub input_name: Option<String>,
    pub output_name: Option<String>,
    pub model: String,
    pub created_at: Option<i64>,
    pub ended_at: Option<i64>,
    /// `type: message` of a failed dream.
    pub error: Option<String>,
    /// The dream's JSON, pretty and sanitized (for the inspector).
    pub json: Vec<String>,
    /// The session the dream runs in (followed by Enter while it runs).
    pub session_id: Option<String>,
}

impl DreamRow {
    pub fn from_api(d: &Dream) -> DreamRow {
        let raw = serde_json::to_string(d).unwrap_or_default();
        DreamRow {
            id: text::one_line(&d.id),
            status: d.status.clone(),
            input_store: text::one_line(d.input_store_id().unwrap_or("–")),
            sessions: d.input_session_ids().len(),
            output_store: text::one_line(d.output_store_id().unwrap_or("–")),
            input_name: None,
            output_name: None,
            model: text::one_line(&d.model.id),
            created_at: parse_time(&d.created_at),
            ended_at: parse_opt(d.ended_at.as_deref()),
            error: d.error.as_ref().map(|e| {
                if e.message.is_empty() {
                    text::one_line(&e.kind)
                } else {
                    text::one_line(&format!("{}: {}", e.kind, e.message))
                }
            }),
            json: text::json_pretty(&raw).lines().map(String::from).collect(),
            session_id: d.session_id.as_deref().map(text::one_line),
        }
    }
}

/// Give dream rows the names of their input and output stores (ids stay for the detail).
pub fn resolve_store_names(dreams: &mut [DreamRow], stores: &[StoreRow]) {
    let names: std::collections::HashMap<&str, &str> = stores
        .iter()
        .map(|s| (s.id.as_str(), s.name.as_str()))
        .collect();
    for d in dreams {
        d.input_name = names.get(d.input_store.as_str()).map(|n| n.to_string());
        d.output_name = names.get(d.output_store.as_str()).map(|n| n.to_string());
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum RunOutcome {
    Session(String),
    /// `type: message`.
    Error(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    pub id: String,
    /// `schedule` or `manual`.
    pub trigger: String,
    pub at: Option<i64>,
    pub outcome: RunOutcome,
}

impl RunRow {
    pub fn from_api(r: &DeploymentRun) -> RunRow {
        let trigger = match &r.trigger_context {
            TriggerContext::Schedule { .. } => "schedule".to_string(),
            TriggerContext::Manual => "manual".to_string(),
            TriggerContext::Unknown(v) => {
                text::one_line(v.get("type").and_then(|t| t.as_str()).unwrap_or("unknown"))
            }
        };
        let outcome = match (&r.error, &r.session_id) {
            (Some(e), _) => RunOutcome::Error(text::one_line(&if e.message.is_empty() {
                e.kind.clone()
            } else {
                format!("{}: {}", e.kind, e.message)
            })),
            (None, Some(s)) => RunOutcome::Session(text::one_line(s)),
            (None, None) => RunOutcome::Error("no session and no error".into()),
        };
        RunRow {
            id: text::one_line(&r.id),
            trigger,
            at: parse_time(&r.created_at),
            outcome,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentRow {
    pub id: String,
    pub name: String,
    pub paused: bool,
    /// `manual`, or the error type that auto-paused it.
    pub paused_reason: Option<String>,
    /// `*/30 * * * * UTC`.
    pub schedule: Option<String>,
    pub next_run: Option<i64>,
    pub last_run: Option<i64>,
    /// Newest first.
    pub runs: Vec<RunRow>,
}

impl DeploymentRow {
    pub fn from_api(d: &Deployment, runs: &[DeploymentRun]) -> DeploymentRow {
        let paused_reason = d.paused_reason.as_ref().map(|r| match r {
            PausedReason::Manual => "manual".to_string(),
            PausedReason::Error { error } => text::one_line(&format!("error: {}", error.kind)),
            PausedReason::Unknown(v) => {
                text::one_line(v.get("type").and_then(|t| t.as_str()).unwrap_or("unknown"))
            }
        });
        let mut runs: Vec<RunRow> = runs.iter().map(RunRow::from_api).collect();
        runs.sort_by_key(|r| std::cmp::Reverse(r.at));
        let last_from_runs = runs.first().and_then(|r| r.at);
        DeploymentRow {
            id: text::one_line(&d.id),
            name: text::one_line(&d.name),
            paused: d.status == DeploymentStatus::Paused,
            paused_reason,
            schedule: d
                .schedule
                .as_ref()
                .map(|s| text::one_line(&format!("{} {}", s.expression, s.timezone))),
            next_run: d
                .schedule
                .as_ref()
                .and_then(|s| s.upcoming_runs_at.first())
                .and_then(|t| parse_time(t)),
            last_run: d
                .schedule
                .as_ref()
                .and_then(|s| parse_opt(s.last_run_at.as_deref()))
                .max(last_from_runs),
            runs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::ErrorObject;

    #[test]
    fn hostile_text_is_sanitized_and_errors_read_as_sentences() {
        let m = Memory {
            path: "/notes/\u{1b}[31mred.md".into(),
            content: Some("line one\n\u{202e}evil\tx".into()),
            content_sha256: "abcdef0123456789".into(),
            ..Default::default()
        };
        let d = MemoryDetail::from_api(&m, &[]);
        assert_eq!(d.path, "/notes/red.md");
        assert_eq!(d.sha, "abcdef01");
        assert_eq!(d.lines[0], "line one");
        assert!(!d.lines[1].contains('\u{202e}'));
        let run = DeploymentRun {
            error: Some(ErrorObject {
                kind: "vault_archived_error".into(),
                message: "vault gone".into(),
            }),
            ..Default::default()
        };
        assert_eq!(
            RunRow::from_api(&run).outcome,
            RunOutcome::Error("vault_archived_error: vault gone".into())
        );
        assert_eq!(parse_time("2026-11-26T12:00:00Z"), Some(1_795_694_400));
    }
}
