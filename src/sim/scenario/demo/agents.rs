//! The demo's agents and environments.

use serde_json::json;

use crate::sim::clock::{HOUR, Micros};
use crate::sim::scenario::{AgentSpec, mcp_toolset, toolset};
use crate::sim::world::*;

/// Who and where: the ids the rest of the demo refers to.
pub struct Cast {
    pub researcher: String,
    pub coder: String,
    pub support: String,
    pub lead: String,
    pub ops: String,
    pub writer: String,
    pub dreamer: String,
    pub cloud: String,
    pub research_env: String,
}

pub fn add(w: &mut World, now: Micros) -> Cast {
    let day = 24 * HOUR;
    let researcher = w.add_agent(
        AgentSpec {
            name: "Deep Researcher",
            description: "Researches a question on the web and writes a cited brief.",
            model: "claude-opus-5-5",
            persona: Persona::Researcher,
            system: "You are a careful research analyst. Cite a primary source for every figure.",
            tools: json!([toolset(
                &[
                    ("web_search", "always_allow"),
                    ("web_fetch", "always_allow"),
                    ("read", "always_allow"),
                    ("write", "always_allow")
                ],
                "always_allow"
            )]),
            mcp_servers: json!([]),
        },
        now - 30 * day,
    );
    let coder = w.add_agent(
        AgentSpec {
            name: "Repo Engineer",
            description: "Fixes bugs in the app monorepo; asks before running shell commands.",
            model: "claude-sonnet-5-5",
            persona: Persona::Coder,
            system: "You are a senior engineer. Write a failing test first. Never push to main.",
            tools: json!([toolset(
                &[
                    ("bash", "always_ask"),
                    ("read", "always_allow"),
                    ("edit", "always_allow"),
                    ("grep", "always_allow"),
                    ("glob", "always_allow")
                ],
                "always_allow"
            )]),
            mcp_servers: json!([]),
        },
        now - 28 * day,
    );
    let support = w.add_agent(
        AgentSpec {
            name: "Support Concierge",
            description: "Drafts replies to support tickets using the order system.",
            model: "claude-haiku-5-5",
            persona: Persona::Support,
            system: "You draft friendly, precise support replies. Look up the order before promising anything.",
            tools: json!([
                {"type": "custom", "name": "lookup_order", "description": "Look up an order with its shipments and payments.", "input_schema": {"type": "object", "properties": {"order_id": {"type": "string"}, "include": {"type": "array", "items": {"type": "string"}}}, "required": ["order_id"]}},
                {"type": "custom", "name": "issue_refund", "description": "Refund part or all of a payment.", "input_schema": {"type": "object", "properties": {"payment_id": {"type": "string"}, "amount_cents": {"type": "integer"}}, "required": ["payment_id"]}}
            ]),
            mcp_servers: json!([]),
        },
        now - 21 * day,
    );
    let reviewer = w.add_agent(
        AgentSpec {
            name: "Citation Reviewer",
            description: "Checks drafts for unsupported claims.",
            model: "claude-sonnet-5-5",
            persona: Persona::Writer,
            system: "You review drafts. Flag every claim without a primary source.",
            tools: json!([toolset(
                &[
                    ("bash", "always_ask"),
                    ("read", "always_allow"),
                    ("grep", "always_allow")
                ],
                "always_allow"
            )]),
            mcp_servers: json!([]),
        },
        now - 20 * day,
    );
    let lead = w.add_agent(
        AgentSpec {
            name: "Research Lead",
            description: "Coordinates a researcher and a reviewer on larger questions.",
            model: "claude-opus-5-5",
            persona: Persona::Coordinator,
            system: "You coordinate sub-agents. Delegate, then combine their findings.",
            tools: json!([toolset(
                &[("read", "always_allow"), ("write", "always_allow")],
                "always_allow"
            )]),
            mcp_servers: json!([]),
        },
        now - 19 * day,
    );
    let ops = w.add_agent(
        AgentSpec {
            name: "Ops Integrator",
            description: "Keeps Linear and GitHub in sync; posts digests.",
            model: "claude-sonnet-5-5",
            persona: Persona::Integrations,
            system: "You keep trackers in sync. Never close issues without a linked PR.",
            tools: json!([
                mcp_toolset("linear", "always_allow"),
                mcp_toolset("github", "auto")
            ]),
            mcp_servers: json!([
                {"type": "url", "name": "linear", "url": "https://mcp.linear.app/sse"},
                {"type": "url", "name": "github", "url": "https://api.githubcopilot.com/mcp/"}
            ]),
        },
        now - 15 * day,
    );
    let writer = w.add_agent(
        AgentSpec {
            name: "Docs Writer",
            description: "Writes release notes and guides from the repository.",
            model: "claude-sonnet-5-5",
            persona: Persona::Writer,
            system: "You write clear, short documentation. Breaking changes go first.",
            tools: json!([toolset(
                &[
                    ("read", "always_allow"),
                    ("write", "always_allow"),
                    ("glob", "always_allow"),
                    ("edit", "always_allow")
                ],
                "always_allow"
            )]),
            mcp_servers: json!([]),
        },
        now - 12 * day,
    );
    let dreamer = w.add_agent(
        AgentSpec {
            name: "Memory Dreamer",
            description: "Consolidates memory stores from recent sessions.",
            model: "claude-opus-5-5",
            persona: Persona::Dreamer,
            system: "You consolidate memories: merge duplicates, update stale facts, remove obsolete notes.",
            tools: json!([toolset(&[("read", "always_allow"), ("write", "always_allow"), ("edit", "always_allow")], "always_allow")]),
            mcp_servers: json!([]),
        },
        now - 10 * day,
    );
    // Agents change over time: the coder's and the researcher's current versions are their
    // second (sessions record the version they ran).
    for (id, changes, at) in [
        (
            &coder,
            json!({"system": "You are a senior engineer. Write a failing test first. Never push to main. Ask before running shell commands."}),
            now - 26 * day,
        ),
        (
            &researcher,
            json!({"system": "You are a careful research analyst. Cite a primary source for every figure and date every statistic."}),
            now - 3 * day,
        ),
    ] {
        if let (Some(a), Some(c)) = (
            w.agents.iter_mut().find(|a| a.id == *id),
            changes.as_object(),
        ) {
            a.revise(c, at);
        }
    }
    // The lead delegates to the researcher and the reviewer.
    if let Some(a) = w.agents.iter_mut().find(|a| a.id == lead) {
        a.json["multiagent"] = json!({
            "type": "multiagent_20261001",
            "advisor": {"type": "disabled"},
            "subagents": {"type": "enabled", "inline_agents": {"type": "disabled"}, "predefined_agents": [
                {"type": "agent", "id": researcher, "version": 2},
                {"type": "agent", "id": reviewer, "version": 1}
            ]},
            "workflows": {"type": "disabled"},
        });
    }

    let cloud = w.add_environment(
        "prod-cloud",
        "Cloud sandbox with egress limited to package managers and approved hosts.",
        json!({"type": "cloud", "networking": {"type": "limited", "allowed_hosts": ["github.com", "api.linear.app", "pypi.org"], "allow_mcp_servers": true, "allow_package_managers": true}, "packages": {"type": "packages", "apt": ["ripgrep"], "cargo": [], "gem": [], "go": [], "npm": ["pnpm"], "pip": ["pandas", "httpx"]}}),
        now - 40 * day,
    );
    let research_env = w.add_environment(
        "research",
        "Unrestricted networking for web research.",
        json!({"type": "cloud", "networking": {"type": "unrestricted"}, "packages": {"type": "packages", "apt": [], "cargo": [], "gem": [], "go": [], "npm": [], "pip": ["pandas"]}}),
        now - 35 * day,
    );
    let _runners = w.add_environment(
        "build-runners",
        "Self-hosted runners in the build VPC.",
        json!({"type": "self_hosted"}),
        now - 33 * day,
    );
    Cast {
        researcher,
        coder,
        support,
        lead,
        ops,
        writer,
        dreamer,
        cloud,
        research_env,
    }
}
