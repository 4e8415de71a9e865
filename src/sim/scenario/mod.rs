//! Scenarios: the `demo` fleet, the `firehose` benchmark session, the `hostile` workspace, the
//! `fleet` of up to 100,000 sessions, and the small builders they use (agents, environments,
//! seeded memories).

mod demo;
mod firehose;
pub mod fleet;
mod hostile;

pub use demo::build_demo;
pub use firehose::build_firehose;
pub use fleet::build_fleet;
pub use hostile::{LONE_SURROGATE_MARK, build_hostile};

use serde_json::{Value, json};

use crate::sim::clock::{MINUTE, Micros, rfc3339};
use crate::sim::world::*;

pub fn policy(p: &str) -> Value {
    json!({"type": p})
}

pub fn toolset(configs: &[(&str, &str)], default: &str) -> Value {
    let configs: Vec<Value> = configs
        .iter()
        .map(|(name, p)| json!({"type": name, "name": name, "enabled": true, "permission_policy": policy(p)}))
        .collect();
    json!({"type": "agent_toolset_20260401", "configs": configs, "default_config": {"enabled": true, "permission_policy": policy(default)}})
}

pub fn mcp_toolset(server: &str, p: &str) -> Value {
    json!({"type": "mcp_toolset", "mcp_server_name": server, "configs": [], "default_config": {"enabled": true, "permission_policy": policy(p)}})
}

pub struct AgentSpec<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub model: &'a str,
    pub persona: Persona,
    pub system: &'a str,
    pub tools: Value,
    pub mcp_servers: Value,
}

impl World {
    pub fn add_agent(&mut self, spec: AgentSpec, created_at: Micros) -> String {
        let id = self.idg.id("agent_");
        let seq = self.idg.seq();
        let json = json!({
            "type": "agent",
            "id": id,
            "version": 1,
            "name": spec.name,
            "description": spec.description,
            "system": spec.system,
            "model": {"id": spec.model, "effort": {"type": "high"}, "speed": "standard"},
            "tools": spec.tools,
            "mcp_servers": spec.mcp_servers,
            "skills": [],
            "metadata": {"team": "platform"},
            "execution_identity": {"type": "service_account"},
            "multiagent": null,
            "archived_at": null,
            "created_at": rfc3339(created_at),
            "updated_at": rfc3339(created_at),
        });
        self.agents.push(Agent {
            seq,
            id: id.clone(),
            name: spec.name.into(),
            model: spec.model.into(),
            persona: spec.persona,
            json,
            earlier: Vec::new(),
            created_at,
        });
        id
    }

    pub fn add_environment(
        &mut self,
        name: &str,
        description: &str,
        config: Value,
        created_at: Micros,
    ) -> String {
        let id = self.idg.id("env_");
        let seq = self.idg.seq();
        let json = json!({
            "type": "environment",
            "id": id,
            "name": name,
            "description": description,
            "metadata": {},
            "scope": "organization",
            "config": config,
            "created_at": rfc3339(created_at),
            "updated_at": rfc3339(created_at),
            "archived_at": null,
        });
        self.environments.push(Environment {
            seq,
            id: id.clone(),
            json,
            created_at,
        });
        id
    }

    /// Seed `items` into `store`, one a minute from `at`; a seed that does not fit is an error.
    pub fn add_memories(
        &mut self,
        store: &str,
        items: &[(&str, &str)],
        at: Micros,
    ) -> Result<(), String> {
        let actor = json!({"type": "api_actor", "api_key_id": "apikey_01OverseerDemo00000000"});
        for (k, (path, content)) in items.iter().enumerate() {
            self.create_memory(store, path, content, &actor, at + k as Micros * MINUTE)
                .map_err(|e| format!("seeding memory {path} failed: {}", e.message))?;
        }
        Ok(())
    }
}
