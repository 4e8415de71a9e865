//! The parts of `POST /v1/sessions` (and the session update's `agent`) checked before anything
//! is created: the agent reference in its three forms, resources, vault ids, the budget. Each
//! check answers with the API's error and changes nothing, so a rejected create leaves no
//! session behind.

use serde_json::{Map, Value, json};

use crate::sim::clock::{Micros, rfc3339};
use crate::sim::wire::{ApiError, ApiResult};
use crate::sim::world::{Agent, World};

/// The agent a new session runs: which one, and the `SessionAgent` snapshot it carries
/// (`multiagent` is filled in by the world when the session is created).
pub(super) struct ResolvedAgent {
    pub id: String,
    pub snapshot: Value,
    pub model: String,
}

const OVERRIDES: &[&str] = &["model", "system", "tools", "mcp_servers", "skills"];

/// `agent`: `"agent_id"` (latest), `{type:"agent", id, version?}` or
/// `{type:"agent_with_overrides", id, version?, model?, system?, tools?, mcp_servers?, skills?}`.
pub(super) fn resolve_agent(w: &World, agent: Option<&Value>) -> ApiResult<ResolvedAgent> {
    let (id, version, overrides) = match agent {
        Some(Value::String(id)) => (id.as_str(), None, Map::new()),
        Some(Value::Object(o)) => {
            let kind = o.get("type").and_then(Value::as_str).unwrap_or("");
            let allowed: &[&str] = match kind {
                "agent" => &[],
                "agent_with_overrides" => OVERRIDES,
                other => {
                    return Err(ApiError::bad_request(format!(
                        "agent.type: expected \"agent\" or \"agent_with_overrides\", got {other:?}"
                    )));
                }
            };
            if let Some(k) = o.keys().find(|k| {
                !["type", "id", "version"].contains(&k.as_str()) && !allowed.contains(&k.as_str())
            }) {
                return Err(ApiError::bad_request(format!(
                    "agent.{k}: not allowed with agent.type {kind:?}"
                )));
            }
            let id = o
                .get("id")
                .and_then(Value::as_str)
                .ok_or_else(|| ApiError::bad_request("agent.id: required (a string)"))?;
            let version = match o.get("version") {
                None | Some(Value::Null) => None,
                Some(v) => Some(v.as_u64().filter(|n| *n >= 1).ok_or_else(|| {
                    ApiError::bad_request("agent.version: expected an integer of at least 1")
                })?),
            };
            let overrides: Map<String, Value> = o
                .iter()
                .filter(|(k, _)| OVERRIDES.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            (id, version, overrides)
        }
        _ => {
            return Err(ApiError::bad_request(
                "agent: required (an agent id, {type: \"agent\", id, version?} or {type: \"agent_with_overrides\", id, ...})",
            ));
        }
    };
    let a = w
        .agent(id)
        .ok_or_else(|| ApiError::not_found("agent", id))?;
    if a.archived() {
        return Err(ApiError::bad_request(format!(
            "agent {id} is archived and cannot start new sessions"
        )));
    }
    let base = match version {
        None => &a.json,
        Some(n) => a
            .at_version(n)
            .ok_or_else(|| ApiError::not_found(&format!("agent {id} version"), &n.to_string()))?,
    };
    let mut snapshot = Agent::snapshot_of(base, None);
    for (k, v) in overrides {
        let v = match k.as_str() {
            "model" => model_config(&v)?,
            "system" => match v {
                Value::String(_) | Value::Null => v,
                _ => return Err(ApiError::bad_request("agent.system: expected a string")),
            },
            "tools" => tools(&v, "agent.tools")?,
            "mcp_servers" => mcp_servers(&v, "agent.mcp_servers")?,
            _ => array_of_objects(&v, &format!("agent.{k}"))?,
        };
        snapshot[k.as_str()] = v;
    }
    check_toolsets_name_servers(&snapshot)?;
    let model = snapshot
        .pointer("/model/id")
        .and_then(Value::as_str)
        .unwrap_or(&a.model)
        .to_string();
    Ok(ResolvedAgent {
        id: id.to_string(),
        snapshot,
        model,
    })
}

/// The session update's `agent`: only `tools` and `mcp_servers`, each a full replacement.
pub(super) fn agent_update(snapshot: &Value, patch: &Value) -> ApiResult<Value> {
    let Some(p) = patch.as_object() else {
        return Err(ApiError::bad_request(
            "agent: expected an object with tools and/or mcp_servers",
        ));
    };
    if let Some(k) = p.keys().find(|k| *k != "tools" && *k != "mcp_servers") {
        return Err(ApiError::bad_request(format!(
            "agent.{k}: only tools and mcp_servers can be changed on a session"
        )));
    }
    let mut next = snapshot.clone();
    if let Some(t) = p.get("tools") {
        next["tools"] = tools(t, "agent.tools")?;
    }
    if let Some(m) = p.get("mcp_servers") {
        next["mcp_servers"] = mcp_servers(m, "agent.mcp_servers")?;
    }
    check_toolsets_name_servers(&next)?;
    Ok(next)
}

/// Request model (`"id"` or `{id, effort?, inference_geo?, speed?}`) → response model object.
fn model_config(v: &Value) -> ApiResult<Value> {
    match v {
        Value::String(id) if !id.is_empty() => Ok(json!({"id": id})),
        Value::Object(o) => {
            let Some(id) = o
                .get("id")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
            else {
                return Err(ApiError::bad_request("agent.model.id: required"));
            };
            let mut m = o.clone();
            m.insert("id".into(), json!(id));
            if let Some(Value::String(e)) = o.get("effort") {
                m.insert("effort".into(), json!({"type": e}));
            }
            Ok(Value::Object(m))
        }
        _ => Err(ApiError::bad_request(
            "agent.model: expected a model id or {id, effort?, speed?}",
        )),
    }
}

fn array_of_objects(v: &Value, what: &str) -> ApiResult<Value> {
    match v.as_array() {
        Some(a) if a.iter().all(Value::is_object) => Ok(v.clone()),
        _ => Err(ApiError::bad_request(format!(
            "{what}: expected an array of objects"
        ))),
    }
}

fn tools(v: &Value, what: &str) -> ApiResult<Value> {
    let arr = array_of_objects(v, what)?;
    for (i, t) in arr.as_array().into_iter().flatten().enumerate() {
        let kind = t.get("type").and_then(Value::as_str).unwrap_or("");
        if !["agent_toolset_20260401", "mcp_toolset", "custom"].contains(&kind) {
            return Err(ApiError::bad_request(format!(
                "{what}[{i}].type: expected agent_toolset_20260401, mcp_toolset or custom, got {kind:?}"
            )));
        }
    }
    Ok(arr)
}

fn mcp_servers(v: &Value, what: &str) -> ApiResult<Value> {
    let arr = array_of_objects(v, what)?;
    for (i, m) in arr.as_array().into_iter().flatten().enumerate() {
        let name = m.get("name").and_then(Value::as_str);
        let url = m.get("url").and_then(Value::as_str);
        if m.get("type").and_then(Value::as_str) != Some("url") || name.is_none() || url.is_none() {
            return Err(ApiError::bad_request(format!(
                "{what}[{i}]: expected {{type: \"url\", name, url}}"
            )));
        }
    }
    Ok(arr)
}

/// Every `mcp_toolset` must name one of the agent's MCP servers.
fn check_toolsets_name_servers(agent: &Value) -> ApiResult<()> {
    let servers: Vec<&str> = agent
        .get("mcp_servers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| m.get("name").and_then(Value::as_str))
        .collect();
    for t in agent
        .get("tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if t.get("type").and_then(Value::as_str) == Some("mcp_toolset") {
            let name = t
                .get("mcp_server_name")
                .and_then(Value::as_str)
                .unwrap_or("");
            if !servers.contains(&name) {
                return Err(ApiError::bad_request(format!(
                    "tools: mcp_toolset names MCP server {name:?}, which is not in mcp_servers"
                )));
            }
        }
    }
    Ok(())
}

/// `/mnt/memory/<name lowercased, non-alphanumeric runs → "-">`.
pub(super) fn memory_mount(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    format!("/mnt/memory/{}", slug.trim_matches('-'))
}

fn opt_string<'a>(r: &'a Map<String, Value>, key: &str, at: &str) -> ApiResult<Option<&'a str>> {
    match r.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::bad_request(format!(
            "{at}.{key}: expected a string"
        ))),
    }
}

/// `resources` as the API returns them: ids and timestamps on repositories and files (tokens
/// never echoed), memory stores with `name`, `description` and `mount_path`.
pub(super) fn resources(w: &mut World, v: Option<&Value>, now: Micros) -> ApiResult<Vec<Value>> {
    let items = match v {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(_) => return Err(ApiError::bad_request("resources: expected an array")),
    };
    let mut out = Vec::new();
    let mut stores: Vec<String> = Vec::new();
    for (i, r) in items.iter().enumerate() {
        let at = format!("resources[{i}]");
        let Some(r) = r.as_object() else {
            return Err(ApiError::bad_request(format!("{at}: expected an object")));
        };
        let mount = opt_string(r, "mount_path", &at)?;
        if let Some(m) = mount
            && !m.starts_with('/')
        {
            return Err(ApiError::bad_request(format!(
                "{at}.mount_path: must be an absolute path"
            )));
        }
        match r.get("type").and_then(Value::as_str).unwrap_or("") {
            "github_repository" => {
                let url = opt_string(r, "url", &at)?
                    .ok_or_else(|| ApiError::bad_request(format!("{at}.url: required")))?;
                let Some(repo) = url
                    .strip_prefix("https://github.com/")
                    .map(|p| p.trim_end_matches('/').trim_end_matches(".git"))
                    .filter(|p| p.split('/').count() == 2 && !p.split('/').any(str::is_empty))
                else {
                    return Err(ApiError::bad_request(format!(
                        "{at}.url: expected https://github.com/<owner>/<repo>, got {url:?}"
                    )));
                };
                opt_string(r, "authorization_token", &at)?;
                let checkout = match r.get("checkout") {
                    None | Some(Value::Null) => Value::Null,
                    Some(c) => match (
                        c.get("type").and_then(Value::as_str),
                        c.get("name").and_then(Value::as_str),
                        c.get("sha").and_then(Value::as_str),
                    ) {
                        (Some("branch"), Some(n), _) => json!({"type": "branch", "name": n}),
                        (Some("commit"), _, Some(s)) => json!({"type": "commit", "sha": s}),
                        _ => {
                            return Err(ApiError::bad_request(format!(
                                "{at}.checkout: expected {{type: \"branch\", name}} or {{type: \"commit\", sha}}"
                            )));
                        }
                    },
                };
                let name = repo.rsplit('/').next().unwrap_or(repo);
                out.push(json!({
                    "id": w.idg.id("sesrsc_"),
                    "type": "github_repository",
                    "url": url,
                    "mount_path": mount.map(str::to_string).unwrap_or_else(|| format!("/workspace/{name}")),
                    "checkout": checkout,
                    "created_at": rfc3339(now),
                    "updated_at": rfc3339(now),
                }));
            }
            "file" => {
                let file_id = opt_string(r, "file_id", &at)?
                    .filter(|f| !f.is_empty())
                    .ok_or_else(|| ApiError::bad_request(format!("{at}.file_id: required")))?;
                out.push(json!({
                    "id": w.idg.id("sesrsc_"),
                    "type": "file",
                    "file_id": file_id,
                    "mount_path": mount.map(str::to_string).unwrap_or_else(|| format!("/mnt/session/uploads/{file_id}")),
                    "created_at": rfc3339(now),
                    "updated_at": rfc3339(now),
                }));
            }
            "memory_store" => {
                let sid = opt_string(r, "memory_store_id", &at)?.ok_or_else(|| {
                    ApiError::bad_request(format!("{at}.memory_store_id: required"))
                })?;
                let store = w
                    .memory_stores
                    .iter()
                    .find(|s| s.id == sid)
                    .ok_or_else(|| ApiError::not_found("memory store", sid))?;
                if store.archived_at.is_some() {
                    return Err(ApiError::bad_request(format!(
                        "{at}: memory store {sid} is archived and cannot be attached"
                    )));
                }
                if stores.iter().any(|s| s == sid) {
                    return Err(ApiError::bad_request(format!(
                        "{at}: memory store {sid} is attached twice"
                    )));
                }
                stores.push(sid.to_string());
                if stores.len() > 8 {
                    return Err(ApiError::bad_request(
                        "resources: at most 8 memory stores per session",
                    ));
                }
                let access = opt_string(r, "access", &at)?.unwrap_or("read_write");
                if access != "read_write" && access != "read_only" {
                    return Err(ApiError::bad_request(format!(
                        "{at}.access: expected read_write or read_only, got {access:?}"
                    )));
                }
                let instructions = opt_string(r, "instructions", &at)?;
                if instructions.is_some_and(|s| s.chars().count() > 4096) {
                    return Err(ApiError::bad_request(format!(
                        "{at}.instructions: at most 4096 characters"
                    )));
                }
                out.push(json!({
                    "type": "memory_store",
                    "memory_store_id": sid,
                    "access": access,
                    "name": store.name,
                    "description": store.description,
                    "instructions": instructions,
                    "mount_path": memory_mount(&store.name),
                }));
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "{at}.type: expected github_repository, file or memory_store, got {other:?}"
                )));
            }
        }
    }
    Ok(out)
}

/// `vault_ids`: up to 50 distinct `vlt_` ids (the simulator keeps no vaults to look them up in).
pub(super) fn vault_ids(v: Option<&Value>) -> ApiResult<Vec<String>> {
    let items = match v {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(_) => {
            return Err(ApiError::bad_request(
                "vault_ids: expected an array of vault ids",
            ));
        }
    };
    if items.len() > 50 {
        return Err(ApiError::bad_request("vault_ids: at most 50 vaults"));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, id) in items.iter().enumerate() {
        let Some(id) = id.as_str().filter(|s| s.starts_with("vlt_") && s.len() > 4) else {
            return Err(ApiError::bad_request(format!(
                "vault_ids[{i}]: expected a vault id (vlt_...), got {id}"
            )));
        };
        if out.iter().any(|o| o == id) {
            return Err(ApiError::bad_request(format!(
                "vault_ids[{i}]: {id} is listed twice"
            )));
        }
        out.push(id.to_string());
    }
    Ok(out)
}

/// `budget`: `{type: "limit", max_list_cost: {amount: "<minor units>", currency: "USD"}}`.
pub(super) fn budget(v: &Value) -> ApiResult<Value> {
    let amount = v.pointer("/max_list_cost/amount").and_then(Value::as_str);
    let ok = v.get("type").and_then(Value::as_str) == Some("limit")
        && amount.is_some_and(|a| !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()))
        && v.pointer("/max_list_cost/currency").and_then(Value::as_str) == Some("USD");
    if !ok {
        return Err(ApiError::bad_request(
            "budget: expected {type: \"limit\", max_list_cost: {amount: \"<minor units as a string>\", currency: \"USD\"}}",
        ));
    }
    Ok(json!({"type": "limit", "max_list_cost": {"amount": amount, "currency": "USD"}}))
}
