//! Scenarios: the `demo` fleet and the `firehose` benchmark session, plus the shared ways
//! sessions come to exist (API create, deployment runs).

use std::sync::Arc;

use rand::Rng;
use serde_json::{Map, Value, json};

use super::clock::{HOUR, MINUTE, Micros, SECOND, rfc3339};
use super::content;
use super::cron::Cron;
use super::engine::START_OUTCOME;
use super::world::{
    Act, Agent, Beat, Deployment, DeploymentRun, Dream, Environment, Persona, Queued, Schedule,
    Session, Status, StoredEvent, Thread, World, channel,
};

fn policy(p: &str) -> Value {
    json!({"type": p})
}

fn toolset(configs: &[(&str, &str)], default: &str) -> Value {
    let configs: Vec<Value> = configs
        .iter()
        .map(|(name, p)| json!({"type": name, "name": name, "enabled": true, "permission_policy": policy(p)}))
        .collect();
    json!({"type": "agent_toolset_20260401", "configs": configs, "default_config": {"enabled": true, "permission_policy": policy(default)}})
}

fn mcp_toolset(server: &str, p: &str) -> Value {
    json!({"type": "mcp_toolset", "mcp_server_name": server, "configs": [], "default_config": {"enabled": true, "permission_policy": policy(p)}})
}

struct AgentSpec<'a> {
    name: &'a str,
    description: &'a str,
    model: &'a str,
    persona: Persona,
    system: &'a str,
    tools: Value,
    mcp_servers: Value,
}

impl World {
    fn add_agent(&mut self, spec: AgentSpec, created_at: Micros) -> String {
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
            created_at,
        });
        id
    }

    fn add_environment(
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

    /// A new idle session of `agent_id`; returns its index.
    pub fn create_session(
        &mut self,
        agent_id: &str,
        environment_id: &str,
        title: Option<String>,
        at: Micros,
    ) -> Option<usize> {
        let agent = self.agent(agent_id)?.clone();
        let subagents: Vec<Agent> = match agent
            .json
            .pointer("/multiagent/subagents/predefined_agents")
        {
            Some(Value::Array(refs)) => refs
                .iter()
                .filter_map(|r| r.get("id").and_then(Value::as_str))
                .filter_map(|id| self.agent(id).cloned())
                .collect(),
            _ => Vec::new(),
        };
        let multiagent = agent.json.get("multiagent").filter(|m| !m.is_null()).map(|_| {
            let snaps: Vec<Value> = subagents.iter().map(|a| a.session_snapshot(None)).map(|mut v| {
                if let Some(o) = v.as_object_mut() {
                    o.remove("multiagent");
                }
                v
            }).collect();
            json!({
                "type": "multiagent_20261001",
                "advisor": {"type": "disabled"},
                "subagents": {"type": "enabled", "inline_agents": {"type": "disabled"}, "predefined_agents": snaps},
                "workflows": {"type": "disabled"},
            })
        });
        let snapshot = agent.session_snapshot(multiagent);
        let mut s = Session::new(
            &mut self.idg,
            self.seed,
            &agent,
            snapshot,
            environment_id,
            title,
            at,
        );
        if !subagents.is_empty() {
            let mut primary_agent = agent.session_snapshot(None);
            if let Some(o) = primary_agent.as_object_mut() {
                o.remove("multiagent");
            }
            let primary_id = self.idg.id("sthr_");
            let pseq = self.idg.seq();
            s.threads.push(Thread {
                seq: pseq,
                id: primary_id.clone(),
                agent_name: agent.name.clone(),
                agent: primary_agent,
                parent: None,
                status: Status::Idle,
                created_at: at,
                updated_at: at,
                archived_at: None,
                history: Vec::new(),
                tx: channel(),
                usage: Default::default(),
            });
            for sub in &subagents {
                let mut snap = sub.session_snapshot(None);
                if let Some(o) = snap.as_object_mut() {
                    o.remove("multiagent");
                }
                let tid = self.idg.id("sthr_");
                let tseq = self.idg.seq();
                s.threads.push(Thread {
                    seq: tseq,
                    id: tid.clone(),
                    agent_name: sub.name.clone(),
                    agent: snap,
                    parent: Some(primary_id.clone()),
                    status: Status::Idle,
                    created_at: at,
                    updated_at: at,
                    archived_at: None,
                    history: Vec::new(),
                    tx: channel(),
                    usage: Default::default(),
                });
                s.emit(
                    &mut self.idg,
                    at,
                    None,
                    json!({"type": "session.thread_created", "session_thread_id": tid, "agent_name": sub.name, "workflow_run_id": null}),
                );
            }
        }
        self.sessions.push(s);
        Some(self.sessions.len() - 1)
    }

    /// Queue a user event on a session (echoing it live), as `POST .../events` does.
    /// Returns the echo.
    pub fn send_event(&mut self, idx: usize, mut ev: Value, at: Micros) -> Value {
        let id = self.idg.id("sevt_");
        let kind = ev
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if let Some(o) = ev.as_object_mut() {
            o.insert("id".into(), json!(id));
            if kind == "user.define_outcome" {
                o.insert("outcome_id".into(), json!(self.idg.id("outc_")));
                o.entry("max_iterations").or_insert(json!(3));
            } else {
                o.insert("processed_at".into(), Value::Null);
            }
        }
        let World { sessions, idg, .. } = self;
        let Some(s) = sessions.get_mut(idx) else {
            return ev;
        };
        if kind == "user.define_outcome" {
            // Outcome definitions are recorded at once; the work starts when the session is free.
            s.emit(idg, at, None, ev.clone());
            let mut marker = ev.clone();
            marker["type"] = json!(START_OUTCOME);
            s.inbox.push_back(Queued {
                event: marker,
                queued_at: at,
            });
            if let Some(last) = s.history.last()
                && let Ok(v) = serde_json::from_str::<Value>(&last.json)
            {
                return v;
            }
            return ev;
        }
        // Answers to a sub-agent's call are routed to its thread, and say so from the start.
        let target = ["tool_use_id", "custom_tool_use_id"]
            .iter()
            .find_map(|k| ev.get(*k).and_then(Value::as_str))
            .map(str::to_string);
        if let (Some(i), Some(o)) = (
            target.and_then(|t| s.thread_of_event(&t)),
            ev.as_object_mut(),
        ) {
            o.insert("session_thread_id".into(), json!(s.threads[i].id));
        }
        s.echo_queued(&ev);
        s.inbox.push_back(Queued {
            event: ev.clone(),
            queued_at: at,
        });
        ev
    }

    fn say_to(&mut self, idx: usize, text: &str, at: Micros) {
        self.send_event(
            idx,
            json!({"type": "user.message", "content": [{"type": "text", "text": text}]}),
            at,
        );
    }

    /// Fast-forward, approving every pending tool call 20–60 s after it asked.
    fn run_with_approvals(&mut self, idx: usize, until: Micros) {
        loop {
            self.run_session_to(idx, until);
            let s = &mut self.sessions[idx];
            if s.blocked_on.is_empty() {
                return;
            }
            let at = s.last_ts + s.rng.random_range(20 * SECOND..60 * SECOND);
            if at > until {
                return;
            }
            for id in s.blocked_on.clone() {
                self.send_event(
                    idx,
                    json!({"type": "user.tool_confirmation", "tool_use_id": id, "result": "allow"}),
                    at,
                );
            }
        }
    }

    /// Bring the session a deployment run created up to `t`.
    fn run_created_session(&mut self, run: Option<usize>, t: Micros) {
        let sid = run
            .and_then(|pos| self.runs.get(pos))
            .and_then(|r| r.session_id.clone());
        if let Some(i) = sid.and_then(|sid| self.sessions.iter().position(|s| s.id == sid)) {
            self.run_session_to(i, t);
        }
    }

    /// The last `n` fire times of deployment `i` before `before`.
    fn last_fires(&self, i: usize, before: Micros, n: usize) -> Vec<Micros> {
        let Some(s) = self.deployments.get(i).and_then(|d| d.schedule.as_ref()) else {
            return Vec::new();
        };
        let mut all = Vec::new();
        let mut t = before - 2 * 24 * HOUR;
        while let Some(m) = s.cron.next_after(t, before - t) {
            if m >= before {
                break;
            }
            all.push(m);
            t = m;
        }
        all.split_off(all.len().saturating_sub(n))
    }

    fn run_session_to(&mut self, idx: usize, t: Micros) {
        let World { sessions, idg, .. } = self;
        if let Some(s) = sessions.get_mut(idx) {
            s.advance(idg, t);
        }
    }

    /// Fire a deployment: a run that either created a session or failed.
    pub fn fire_deployment(
        &mut self,
        i: usize,
        scheduled_at: Option<Micros>,
        at: Micros,
    ) -> Option<usize> {
        let d = self.deployments.get(i)?.clone();
        let run_id = self.idg.id("drun_");
        let seq = self.idg.seq();
        let mut run = DeploymentRun {
            seq,
            id: run_id,
            deployment_id: d.id.clone(),
            agent: d.agent_ref(),
            created_at: at,
            scheduled_at,
            session_id: None,
            error: None,
        };
        if let Some(err) = d.failing_with {
            run.error = Some(
                json!({"type": err, "message": "Vault vlt_01OpsCredentials is archived; the session could not be created."}),
            );
            if scheduled_at.is_some()
                && !matches!(
                    err,
                    "session_rate_limited_error" | "session_creation_rejected_error"
                )
            {
                let dm = &mut self.deployments[i];
                dm.paused_reason = Some(json!({"type": "error", "error": {"type": err}}));
                dm.updated_at = at;
            }
        } else {
            let date = rfc3339(at);
            let title = format!("{} · {}", d.name, &date[..16].replace('T', " "));
            if let Some(idx) = self.create_session(&d.agent_id, &d.environment_id, Some(title), at)
            {
                self.sessions[idx].deployment_id = Some(d.id.clone());
                run.session_id = Some(self.sessions[idx].id.clone());
                if let Value::Array(events) = &d.initial_events {
                    for ev in events.clone() {
                        self.send_event(idx, ev, at);
                    }
                }
            }
        }
        if let Some(s) = self.deployments[i].schedule.as_mut()
            && scheduled_at.is_some()
        {
            s.last_run_at = Some(at);
        }
        let pos = self.runs.len();
        self.runs.push(run);
        Some(pos)
    }

    #[allow(clippy::too_many_arguments)]
    fn add_deployment(
        &mut self,
        name: &str,
        description: &str,
        agent_id: &str,
        environment_id: &str,
        prompt: &str,
        cron: (&str, &str),
        created_at: Micros,
        failing_with: Option<&'static str>,
    ) -> usize {
        let id = self.idg.id("depl_");
        let seq = self.idg.seq();
        let schedule = Cron::parse(cron.0, cron.1).ok().map(|c| Schedule {
            expression: cron.0.into(),
            timezone: cron.1.into(),
            cron: c,
            checked_until: created_at,
            last_run_at: None,
        });
        self.deployments.push(Deployment {
            seq,
            id,
            name: name.into(),
            description: Some(description.into()),
            agent_id: agent_id.into(),
            agent_version: 1,
            environment_id: environment_id.into(),
            initial_events: json!([{"type": "user.message", "content": [{"type": "text", "text": prompt}]}]),
            metadata: Map::new(),
            resources: json!([]),
            schedule,
            paused_reason: None,
            archived_at: None,
            created_at,
            updated_at: created_at,
            failing_with,
        });
        self.deployments.len() - 1
    }

    fn add_memories(&mut self, store: &str, items: &[(&str, &str)], at: Micros) {
        let actor = json!({"type": "api_actor", "api_key_id": "apikey_01OverseerDemo00000000"});
        for (k, (path, content)) in items.iter().enumerate() {
            let _ = self.create_memory(store, path, content, &actor, at + k as Micros * MINUTE);
        }
    }
}

// ---------------------------------------------------------------------------------------------

pub fn build_demo(w: &mut World) {
    let now = w.clock.origin();
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
    // The lead delegates to the researcher and the reviewer.
    if let Some(a) = w.agents.iter_mut().find(|a| a.id == lead) {
        a.json["multiagent"] = json!({
            "type": "multiagent_20261001",
            "advisor": {"type": "disabled"},
            "subagents": {"type": "enabled", "inline_agents": {"type": "disabled"}, "predefined_agents": [
                {"type": "agent", "id": researcher, "version": 1},
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

    // --- memory ---
    let eng = w.create_store(
        "engineering-notes",
        "What agents learned about our codebase and how we ship.",
        Map::new(),
        now - 14 * day,
    );
    w.add_memories(&eng, ENGINEERING_NOTES, now - 14 * day);
    let sup = w.create_store(
        "support-playbook",
        "Policies and tone for customer replies.",
        Map::new(),
        now - 12 * day,
    );
    w.add_memories(&sup, SUPPORT_NOTES, now - 12 * day);

    // --- sessions ---
    // Researcher with an outcome being graded right now.
    let r = w.create_session(
        &researcher,
        &research_env,
        Some("Vector DB evaluation for search v2".into()),
        now - 70 * MINUTE,
    );
    if let Some(r) = r {
        w.sessions[r].autopilot = true;
        w.sessions[r].resources.push(json!({"type": "memory_store", "memory_store_id": eng, "access": "read_write", "name": "engineering-notes", "mount_path": "/mnt/memory/engineering-notes", "description": "", "instructions": null}));
        w.say_to(r, "Compare Qdrant, pgvector and Vespa for 10M embeddings with hybrid search. Recommend one.", now - 35 * MINUTE);
        w.run_session_to(r, now - 8 * MINUTE);
        w.sessions[r].autopilot = false;
        w.run_session_to(r, now - 25 * SECOND);
        w.sessions[r].autopilot = true;
        w.send_event(
            r,
            json!({"type": "user.define_outcome", "description": "A one-page recommendation with a comparison table (latency, recall, cost, ops burden) and a primary source for every figure.", "rubric": {"type": "text", "content": "- Every figure has a primary source\n- Table covers latency, recall, cost and ops burden\n- Recommendation follows from the table"}, "max_iterations": 3}),
            now - 20 * SECOND,
        );
        w.run_session_to(r, now);
    }
    // Coder waiting for approval of two bash calls.
    if let Some(c) = w.create_session(
        &coder,
        &cloud,
        Some("Fix invoice rounding for multi-currency carts".into()),
        now - 45 * MINUTE,
    ) {
        w.sessions[c].resources.push(json!({"type": "github_repository", "id": "sesrsc_01InvoiceRepo000000000", "url": "https://github.com/acme/app", "mount_path": "/workspace/app", "checkout": {"type": "branch", "name": "main"}, "created_at": rfc3339(now - 45 * MINUTE), "updated_at": rfc3339(now - 45 * MINUTE)}));
        w.say_to(
            c,
            "Invoice totals are off by a cent for EUR+JPY carts. Find and fix it.",
            now - 45 * MINUTE,
        );
        w.run_session_to(c, now - 40 * MINUTE);
        let ids = w.sessions[c].blocked_on.clone();
        for id in ids {
            w.send_event(
                c,
                json!({"type": "user.tool_confirmation", "tool_use_id": id, "result": "allow"}),
                now - 38 * MINUTE,
            );
        }
        w.run_session_to(c, now - 20 * MINUTE);
        w.say_to(
            c,
            "Also add a regression test for JPY (zero minor units) and run the suite again.",
            now - 20 * MINUTE,
        );
        w.run_session_to(c, now);
    }
    // Support waiting on a custom tool result.
    if let Some(s) = w.create_session(
        &support,
        &cloud,
        Some("Ticket #8812 — damaged order, replacement before Friday".into()),
        now - 12 * MINUTE,
    ) {
        w.say_to(
            s,
            "Customer says order #A-20931 arrived damaged and wants a replacement before Friday.",
            now - 12 * MINUTE,
        );
        w.run_session_to(s, now);
    }
    // Multiagent coordinator, live.
    if let Some(m) = w.create_session(
        &lead,
        &research_env,
        Some("Market sizing: observability platforms 2026".into()),
        now - 55 * MINUTE,
    ) {
        w.sessions[m].autopilot = true;
        w.say_to(m, "Estimate the 2026 market size for observability platforms, with sources, and have the draft reviewed.", now - 55 * MINUTE);
        // Someone approved the sub-agent's commands in the past, a little while after each ask.
        w.run_with_approvals(m, now);
    }
    // MCP authentication failure, retries exhausted.
    if let Some(f) = w.create_session(
        &ops,
        &cloud,
        Some("Incident digest from Linear".into()),
        now - 33 * MINUTE,
    ) {
        w.sessions[f].resources.push(json!({"type": "memory_store", "memory_store_id": sup, "access": "read_only", "name": "support-playbook", "mount_path": "/mnt/memory/support-playbook", "description": "", "instructions": "Read-only reference."}));
        let at = now - 33 * MINUTE;
        let ev = json!({"type": "user.message", "content": [{"type": "text", "text": "Collect today's open incidents from Linear and post a digest."}]});
        let echo = w.send_event(f, ev, at);
        let World { sessions, idg, .. } = &mut *w;
        let s = &mut sessions[f];
        s.inbox.clear();
        s.emit(idg, at, None, json!({"type": "session.status_running"}));
        s.emit(idg, at, None, echo);
        let beats = content::mcp_auth_failure(s, idg);
        s.start_script(beats, at);
        s.advance(idg, now);
    }
    // Budget reached.
    if let Some(b) = w.create_session(
        &writer,
        &cloud,
        Some("Release notes for v4.2".into()),
        now - 50 * MINUTE,
    ) {
        w.sessions[b].budget =
            Some(json!({"type": "limit", "max_list_cost": {"amount": "60", "currency": "USD"}}));
        w.sessions[b].autopilot = true;
        w.say_to(
            b,
            "Draft the release notes for v4.2 from the merged PRs.",
            now - 50 * MINUTE,
        );
        w.run_session_to(b, now);
        w.sessions[b].autopilot = false;
        if w.sessions[b].status != Status::Idle || !w.sessions[b].over_budget() {
            w.sessions[b].usage.cost_cents = 61.0;
            let World { sessions, idg, .. } = &mut *w;
            let s = &mut sessions[b];
            s.script.clear();
            s.emit(
                idg,
                now - 30 * SECOND,
                None,
                json!({"type": "session.status_idle", "stop_reason": {"type": "budget_reached"}}),
            );
        }
    }
    // Rescheduling right now (model overloaded), resumes shortly.
    if let Some(x) = w.create_session(
        &researcher,
        &research_env,
        Some("EU AI Act obligations brief".into()),
        now - 25 * MINUTE,
    ) {
        w.say_to(
            x,
            "Summarise the EU AI Act obligations for general-purpose model providers, with dates.",
            now - 25 * MINUTE,
        );
        w.run_session_to(x, now - 5 * MINUTE);
        w.sessions[x].autopilot = true;
        w.say_to(
            x,
            "Add a timeline table of which obligations apply when.",
            now - 6 * SECOND,
        );
        let World { sessions, idg, .. } = &mut *w;
        let s = &mut sessions[x];
        s.advance(idg, now - 6 * SECOND);
        // Force a transient model error in the middle of the turn.
        let err = json!({"type": "session.error", "error": {"type": "model_overloaded_error", "message": "The model is temporarily overloaded; retrying.", "retry_status": {"type": "retrying"}}});
        s.script.push_front(Beat {
            delay: 20 * SECOND,
            thread: None,
            act: Act::Event(json!({"type": "session.status_running"})),
        });
        s.script.push_front(Beat {
            delay: 200_000,
            thread: None,
            act: Act::Event(json!({"type": "session.status_rescheduled"})),
        });
        s.script.push_front(Beat {
            delay: 2 * SECOND,
            thread: None,
            act: Act::Event(err),
        });
        s.next_at = now - 3 * SECOND;
        s.advance(idg, now);
    }
    // A live writer that keeps going.
    if let Some(l) = w.create_session(
        &writer,
        &cloud,
        Some("Weekly incident review summary".into()),
        now - 40 * MINUTE,
    ) {
        w.sessions[l].autopilot = true;
        w.say_to(
            l,
            "Summarise this week's incident reviews for the engineering newsletter.",
            now - 40 * MINUTE,
        );
        w.run_session_to(l, now);
    }
    // Finished, terminated, archived.
    if let Some(d) = w.create_session(
        &coder,
        &cloud,
        Some("Make the webhook handler idempotent".into()),
        now - 3 * HOUR,
    ) {
        w.say_to(
            d,
            "Make the webhook handler idempotent on retried deliveries.",
            now - 3 * HOUR,
        );
        w.run_session_to(d, now - 170 * MINUTE);
        for id in w.sessions[d].blocked_on.clone() {
            w.send_event(
                d,
                json!({"type": "user.tool_confirmation", "tool_use_id": id, "result": "allow"}),
                now - 168 * MINUTE,
            );
        }
        w.run_session_to(d, now - 150 * MINUTE);
    }
    if let Some(t) = w.create_session(
        &writer,
        &cloud,
        Some("Onboarding guide rewrite".into()),
        now - 5 * HOUR,
    ) {
        w.say_to(
            t,
            "Rewrite the onboarding guide's quickstart for the new CLI.",
            now - 5 * HOUR,
        );
        w.run_session_to(t, now - 4 * HOUR);
        let World { sessions, idg, .. } = &mut *w;
        sessions[t].emit(
            idg,
            now - 4 * HOUR,
            None,
            json!({"type": "session.status_terminated"}),
        );
    }
    for (title, who, hours) in [
        ("Lease renewal fencing token", coder.clone(), 30),
        ("Heat pump incentives across the EU", researcher.clone(), 52),
    ] {
        if let Some(a) = w.create_session(&who, &cloud, Some(title.into()), now - hours * HOUR) {
            let (prompt, at) = (title.to_string(), now - hours * HOUR);
            w.say_to(a, &prompt, at);
            w.run_session_to(a, at + 10 * MINUTE);
            for id in w.sessions[a].blocked_on.clone() {
                w.send_event(
                    a,
                    json!({"type": "user.tool_confirmation", "tool_use_id": id, "result": "allow"}),
                    at + 11 * MINUTE,
                );
            }
            w.run_session_to(a, at + 20 * MINUTE);
            w.sessions[a].archived_at = Some(at + 2 * HOUR);
            w.sessions[a].updated_at = at + 2 * HOUR;
        }
    }

    // Agents wrote to memory while they worked (what the memory audit view shows).
    let writes: [(&str, &str, &str, Option<&str>, Micros); 4] = [
        (
            "Fix invoice rounding for multi-currency carts",
            "/architecture/billing.md",
            "# Billing\n\nMoney is stored in minor units with the currency. Round once per invoice total, never per line (JPY has 0 minor units).\nRegression test: `billing::tests::jpy_total_rounds_once`.",
            None,
            now - 19 * MINUTE,
        ),
        (
            "Vector DB evaluation for search v2",
            "/research/vector-databases.md",
            "# Vector databases (evaluation for search v2)\n\n- pgvector: simplest ops, recall drops past 5M vectors without HNSW tuning.\n- Qdrant: best p99 at recall 0.95 in our benchmark.\n- Vespa: strongest hybrid search, heaviest to run.",
            None,
            now - 30 * MINUTE,
        ),
        (
            "Make the webhook handler idempotent",
            "/conventions/errors.md",
            "# Errors\n\n`thiserror` in libraries, `anyhow` in binaries. Every user-facing error has a request id.\nWebhook handlers return 200 for duplicate deliveries (dedup on `webhook-id`).",
            None,
            now - 150 * MINUTE,
        ),
        (
            "Market sizing: observability platforms 2026",
            "/deploy/staging-cluster.md",
            "",
            Some("/deploy/retired/staging-cluster.md"),
            now - 12 * MINUTE,
        ),
    ];
    for (title, path, content, rename, at) in writes {
        let Some(sid) = w
            .sessions
            .iter()
            .find(|s| s.title.as_deref() == Some(title))
            .map(|s| s.id.clone())
        else {
            continue;
        };
        let actor = json!({"type": "session_actor", "session_id": sid});
        match w
            .memories
            .iter()
            .position(|m| m.store_id == eng && m.path == path)
        {
            Some(i) => {
                let content = if content.is_empty() {
                    None
                } else {
                    Some(content)
                };
                let _ = w.update_memory(i, content, rename, &actor, at);
            }
            None => {
                let _ = w.create_memory(&eng, path, content, &actor, at);
            }
        }
    }

    // --- dreams ---
    let session_ids: Vec<String> = w.sessions.iter().take(3).map(|s| s.id.clone()).collect();
    w.add_dream(
        &dreamer,
        &eng,
        &session_ids,
        now - 3 * HOUR,
        DreamPlan::Completed,
    );
    w.add_dream(
        &dreamer,
        &sup,
        &session_ids,
        now - 2 * MINUTE,
        DreamPlan::Running,
    );
    w.add_dream(
        &dreamer,
        &eng,
        &session_ids,
        now - 26 * HOUR,
        DreamPlan::Failed,
    );

    // --- deployments ---
    let digest = w.add_deployment(
        "Stale PR digest",
        "Every 30 minutes: post pull requests waiting on review for more than a day.",
        &ops,
        &cloud,
        "Post a summary of stale pull requests to #eng-review.",
        ("*/30 * * * *", "UTC"),
        now - 9 * day,
        None,
    );
    let triage = w.add_deployment(
        "Hourly support triage",
        "Hourly: tag and route new support tickets.",
        &support,
        &cloud,
        "Triage new support tickets from the last hour.",
        ("0 * * * *", "UTC"),
        now - 8 * day,
        None,
    );
    // Past runs (a fixed number, whatever the wall-clock phase), then the live schedule takes over.
    for m in w.last_fires(digest, now, 6) {
        let run = w.fire_deployment(digest, Some(m), m + 3 * SECOND);
        w.run_created_session(run, now);
    }
    let run = w.fire_deployment(digest, None, now - 50 * MINUTE);
    w.run_created_session(run, now);
    let fires = w.last_fires(triage, now - 10 * MINUTE, 3);
    for (k, m) in fires.iter().enumerate() {
        if k == fires.len() - 1 {
            // The vault it uses was archived: the last run failed and paused the deployment.
            w.deployments[triage].failing_with = Some("vault_archived_error");
        }
        w.fire_deployment(triage, Some(*m), m + 2 * SECOND);
    }
    for d in &mut w.deployments {
        if let Some(s) = d.schedule.as_mut() {
            s.checked_until = now;
        }
    }
    // Any sessions the runs above created are brought up to date.
    w.advance_to(now);
    w.sessions.sort_by_key(|s| (s.created_at, s.seq));
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum DreamPlan {
    Completed,
    Running,
    Failed,
    /// Created through the API: pending now, runs for a while.
    Fresh,
}

impl World {
    pub fn add_dream(
        &mut self,
        dreamer: &str,
        store: &str,
        session_ids: &[String],
        at: Micros,
        plan: DreamPlan,
    ) -> usize {
        let env = self
            .environments
            .first()
            .map(|e| e.id.clone())
            .unwrap_or_default();
        let id = self.idg.id("drm_");
        let seq = self.idg.seq();
        let session_idx =
            self.create_session(dreamer, &env, Some(format!("Dream {id}")), at + 5 * SECOND);
        let session_id = session_idx.map(|i| self.sessions[i].id.clone());
        if let Some(i) = session_idx {
            self.say_to(
                i,
                "Consolidate the memory store using the listed sessions.",
                at + 5 * SECOND,
            );
        }
        let (start_at, clone_at, finish_at) = match plan {
            DreamPlan::Completed => (at + 4 * SECOND, at + 10 * SECOND, at + 11 * MINUTE),
            DreamPlan::Running => (
                at + 4 * SECOND,
                at + 10 * SECOND,
                self.clock.origin() + 3 * MINUTE,
            ),
            DreamPlan::Failed => (at + 4 * SECOND, at + 10 * SECOND, at + 30 * MINUTE),
            DreamPlan::Fresh => (at + 5 * SECOND, at + 12 * SECOND, at + 90 * SECOND),
        };
        self.dreams.push(Dream {
            seq,
            id,
            status: "pending",
            input_store_id: store.to_string(),
            session_ids: session_ids.to_vec(),
            model: json!({"id": "claude-opus-5-5", "speed": "standard"}),
            instructions: Some("Merge duplicate notes, update stale facts, and drop anything about retired systems.".into()),
            output_behavior: json!({"type": "create_new"}),
            outputs: Vec::new(),
            session_id,
            usage: [0; 4],
            error: None,
            created_at: at,
            ended_at: None,
            archived_at: None,
            start_at,
            clone_at,
            finish_at,
            will_fail: plan == DreamPlan::Failed,
        });
        if plan != DreamPlan::Fresh {
            let t = self.clock.origin().min(finish_at.max(at));
            self.advance_dreams_to(t);
            if let Some(i) = session_idx {
                self.run_session_to(i, self.clock.origin());
            }
        }
        self.dreams.len() - 1
    }
}

// ---------------------------------------------------------------------------------------------

pub fn build_firehose(w: &mut World, events: usize) {
    let now = w.clock.origin();
    let agent = w.add_agent(
        AgentSpec {
            name: "ETL Backfill",
            description: "Loads historical event batches into the warehouse.",
            model: "claude-haiku-5-5",
            persona: Persona::Firehose,
            system: "You load data in batches and validate every batch.",
            tools: json!([toolset(
                &[("bash", "always_allow"), ("read", "always_allow")],
                "always_allow"
            )]),
            mcp_servers: json!([]),
        },
        now - 2 * 24 * HOUR,
    );
    let env = w.add_environment(
        "etl",
        "Warehouse loaders.",
        json!({"type": "cloud", "networking": {"type": "unrestricted"}, "packages": {"type": "packages", "apt": [], "cargo": [], "gem": [], "go": [], "npm": [], "pip": ["pandas", "pyarrow"]}}),
        now - 2 * 24 * HOUR,
    );
    let step = 10_000; // 10 ms between history events
    let start = now - events as Micros * step - 5 * SECOND;
    let Some(idx) = w.create_session(
        &agent,
        &env,
        Some("Firehose: warehouse backfill 2019–2026".into()),
        start - SECOND,
    ) else {
        return;
    };
    let World { sessions, idg, .. } = &mut *w;
    let s = &mut sessions[idx];
    s.history.reserve(events);
    let mut last_tool = String::new();
    let mut last_start = String::new();
    for i in 0..events {
        let at = start + i as Micros * step;
        let id = idg.id("sevt_");
        let ts = rfc3339(at);
        let (kind, json) = match i % 6 {
            0 => {
                last_start = id.clone();
                (
                    "span.model_request_start",
                    format!(
                        r#"{{"type":"span.model_request_start","id":"{id}","processed_at":"{ts}"}}"#
                    ),
                )
            }
            1 => (
                "agent.message",
                format!(
                    r#"{{"type":"agent.message","id":"{id}","processed_at":"{ts}","content":[{{"type":"text","text":"Batch {i}: validated 5000 rows against the schema; 0 rejected. Loading into analytics.events_raw next."}}]}}"#
                ),
            ),
            2 => {
                last_tool = id.clone();
                (
                    "agent.tool_use",
                    format!(
                        r#"{{"type":"agent.tool_use","id":"{id}","processed_at":"{ts}","name":"bash","input":{{"command":"python etl/load.py --batch {i} --validate"}},"evaluated_permission":"allow","evaluation":{{"type":"always_allow"}}}}"#
                    ),
                )
            }
            3 => (
                "span.model_request_end",
                format!(
                    r#"{{"type":"span.model_request_end","id":"{id}","processed_at":"{ts}","model_request_start_id":"{last_start}","is_error":false,"model_usage":{{"input_tokens":4210,"output_tokens":96,"cache_creation_input_tokens":0,"cache_read_input_tokens":38211,"speed":"standard"}}}}"#
                ),
            ),
            4 => (
                "agent.tool_result",
                format!(
                    r#"{{"type":"agent.tool_result","id":"{id}","processed_at":"{ts}","tool_use_id":"{last_tool}","content":[{{"type":"text","text":"loaded 5000 rows in 1.82s"}}],"is_error":false}}"#
                ),
            ),
            _ => (
                "agent.thinking",
                format!(r#"{{"type":"agent.thinking","id":"{id}","processed_at":"{ts}"}}"#),
            ),
        };
        let seq = idg.seq();
        s.history.push(StoredEvent {
            seq,
            id,
            kind: kind.to_string(),
            processed_at: at,
            json: Arc::from(json),
        });
    }
    s.usage.input_tokens = (events as u64 / 6) * 4210;
    s.usage.output_tokens = (events as u64 / 6) * 96;
    s.usage.cost_cents = s.usage.input_tokens as f64 / 1e6 * 100.0
        + s.usage.output_tokens as f64 * 5.0 / 1e6 * 100.0;
    s.last_ts = start + events as Micros * step;
    s.updated_at = s.last_ts;
    s.status = Status::Idle;
    s.stop_reason = Some(json!({"type": "end_turn"}));
    s.autopilot = true;
    // The live burst: a run of fast turns starting two seconds after start-up.
    let mut beats = Vec::new();
    for _ in 0..200 {
        let mut sc = content::Script::new(idg, &mut s.rng);
        sc.pace = 0.02;
        content::firehose_live(&mut sc);
        beats.extend(sc.beats);
    }
    beats.push(Beat {
        delay: 10_000,
        thread: None,
        act: Act::Event(
            json!({"type": "session.status_idle", "stop_reason": {"type": "end_turn"}}),
        ),
    });
    beats.insert(
        0,
        Beat {
            delay: 2 * SECOND,
            thread: None,
            act: Act::Event(json!({"type": "session.status_running"})),
        },
    );
    s.start_script(beats, now);
    let _ = w.rng.random::<u8>();
}

const ENGINEERING_NOTES: &[(&str, &str)] = &[
    (
        "/architecture/overview.md",
        "# Architecture\n\nThe app is a Rust monorepo: `api` (axum), `billing`, `scheduler`, `web` (React). Postgres 16 is the system of record; Redis only for rate limits.",
    ),
    (
        "/architecture/billing.md",
        "# Billing\n\nMoney is stored in minor units with the currency. Round once per invoice total, never per line (JPY has 0 minor units).",
    ),
    (
        "/architecture/scheduler.md",
        "# Scheduler\n\nLeases are 30 s and renewed every 10 s. Writers must check the fencing token before committing.",
    ),
    (
        "/deploy/procedure.md",
        "# Deploy\n\n1. Merge to main\n2. CI builds and pushes the image\n3. `acme deploy --env prod` (needs on-call approval)",
    ),
    (
        "/deploy/rollback.md",
        "# Rollback\n\n`acme deploy --env prod --image <previous sha>`; migrations are forward-only, so roll forward on schema changes.",
    ),
    (
        "/deploy/staging-cluster.md",
        "# Staging cluster\n\nThe old `stg-eu-1` cluster is retired since October; use `stg-eu-2`.",
    ),
    (
        "/deploy/feature-flags.md",
        "# Feature flags\n\nFlags live in LaunchDarkly; remove a flag within two releases of reaching 100%.",
    ),
    (
        "/testing/flaky-tests.md",
        "# Flaky tests\n\n`integration::payments` flakes when the sandbox clock drifts; rerun once before investigating.",
    ),
    (
        "/testing/fixtures.md",
        "# Fixtures\n\nUse `fixtures::cart()` builders; never hand-write JSON fixtures for carts.",
    ),
    (
        "/testing/ci.md",
        "# CI\n\nCI runs `cargo nextest` with 4 partitions; a red main blocks all merges.",
    ),
    (
        "/oncall/rota.md",
        "# On-call rota\n\nPrimary rotates Mondays 10:00 UTC. Escalate to #eng-oncall after 15 minutes.",
    ),
    (
        "/oncall/runbooks/db-failover.md",
        "# DB failover\n\nPromote the replica with `pg_ctl promote`, then update the `DATABASE_URL` secret.",
    ),
    (
        "/oncall/runbooks/queue-backlog.md",
        "# Queue backlog\n\nScale `worker` to 12 replicas; if the backlog grows for 10 minutes, page the owning team.",
    ),
    (
        "/conventions/commits.md",
        "# Commits\n\nConventional commits; the body says why. Squash-merge only.",
    ),
    (
        "/conventions/errors.md",
        "# Errors\n\n`thiserror` in libraries, `anyhow` in binaries. Every user-facing error has a request id.",
    ),
    (
        "/people/reviewers.md",
        "# Reviewers\n\nBilling: @maria, @kenji. Scheduler: @sam. Web: @lee.",
    ),
    (
        "/integrations/linear.md",
        "# Linear\n\nOAuth tokens for the Linear MCP server expire after 30 days; refresh before the weekly sync.",
    ),
    (
        "/integrations/github.md",
        "# GitHub\n\nThe GitHub MCP server may comment and label but never merge.",
    ),
];

const SUPPORT_NOTES: &[(&str, &str)] = &[
    (
        "/policies/refunds.md",
        "# Refunds\n\nFull refund within 30 days, no questions. Partial refunds above $200 need a lead's approval.",
    ),
    (
        "/policies/replacements.md",
        "# Replacements\n\nDamaged items: ship a replacement with express shipping; no return needed under $150.",
    ),
    (
        "/policies/shipping.md",
        "# Shipping\n\nAddress changes are possible until the order is packed; after that, offer a redirect via the carrier.",
    ),
    (
        "/policies/sso.md",
        "# SSO issues\n\nLogin loops after IdP certificate rotation: ask the customer to re-upload the metadata XML.",
    ),
    (
        "/tone/voice.md",
        "# Voice\n\nWarm, brief, concrete. Say what we did, then what happens next, with a date.",
    ),
    (
        "/tone/apologies.md",
        "# Apologies\n\nApologise once, specifically. Don't blame carriers or other teams.",
    ),
    (
        "/customers/northwind.md",
        "# Northwind\n\nEnterprise plan, SSO via Okta, primary contact Dana (IT). Prefers email over chat.",
    ),
    (
        "/customers/contoso.md",
        "# Contoso\n\nPilot customer; every ticket is escalated to the account manager.",
    ),
    (
        "/escalation/matrix.md",
        "# Escalation\n\nP1: page on-call. P2: same-day by a lead. P3: next business day.",
    ),
    (
        "/macros/damaged-item.md",
        "# Macro: damaged item\n\nThanks for the photos — a replacement is on its way by express shipping, arriving {date}.",
    ),
    (
        "/macros/duplicate-charge.md",
        "# Macro: duplicate charge\n\nWe've refunded the duplicate charge; it will show on your statement within 5 business days.",
    ),
    (
        "/faq/invoices.md",
        "# Invoices\n\nInvoices are issued on the 1st; VAT IDs can be added in Billing settings until the 25th.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn idles(s: &Session) -> Vec<Value> {
        s.history
            .iter()
            .filter(|e| e.kind == "session.status_idle")
            .filter_map(|e| serde_json::from_str::<Value>(&e.json).ok())
            .collect()
    }

    #[test]
    fn an_answer_before_the_block_only_leaves_the_other_call_pending() {
        let mut w = World::new(3, 1.0);
        build_demo(&mut w);
        let coder = w
            .agents
            .iter()
            .find(|a| a.persona == Persona::Coder)
            .map(|a| a.id.clone())
            .unwrap_or_default();
        let env = w.environments[0].id.clone();
        let t0 = w.clock.origin() + HOUR;
        let idx = w
            .create_session(&coder, &env, Some("early answer".into()), t0)
            .unwrap_or(0);
        w.say_to(idx, "Fix it", t0);
        // Step until the first `ask` call is out, then answer it straight away.
        let mut t = t0;
        let first = loop {
            t += 50_000;
            w.run_session_to(idx, t);
            let s = &w.sessions[idx];
            if let Some(id) = s.awaiting.first() {
                break id.clone();
            }
            assert!(t < t0 + 10 * MINUTE, "the coder never asked");
        };
        assert!(w.sessions[idx].blocked_on.is_empty(), "not blocked yet");
        w.send_event(
            idx,
            json!({"type": "user.tool_confirmation", "tool_use_id": first, "result": "allow"}),
            t,
        );
        w.run_session_to(idx, t + 5 * MINUTE);
        let s = &w.sessions[idx];
        let waits: Vec<Value> = idles(s)
            .into_iter()
            .filter(|v| v["stop_reason"]["type"] == "requires_action")
            .collect();
        assert_eq!(waits.len(), 1);
        assert_eq!(
            waits[0]["stop_reason"]["event_ids"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );
        assert_ne!(waits[0]["stop_reason"]["event_ids"][0], json!(first));
        assert_eq!(s.blocked_on.len(), 1);
    }

    #[test]
    fn demo_is_identical_for_a_seed() {
        let (mut a, mut b) = (World::new(9, 1.0), World::new(9, 1.0));
        build_demo(&mut a);
        build_demo(&mut b);
        let ids = |w: &World| {
            w.sessions
                .iter()
                .map(|s| (s.id.clone(), s.history.len()))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&a), ids(&b));
    }
}
