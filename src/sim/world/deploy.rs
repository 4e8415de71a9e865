//! Deployments: adding one, firing it (a run that creates a session or fails), its past fires.

use serde_json::{Map, Value, json};

use super::*;
use crate::cron::Cron;
use crate::sim::clock::{HOUR, Micros, rfc3339};

impl World {
    /// Bring the session a deployment run created up to `t`.
    pub fn run_created_session(&mut self, run: Option<usize>, t: Micros) {
        let sid = run
            .and_then(|pos| self.runs.get(pos))
            .and_then(|r| r.session_id.clone());
        if let Some(i) = sid.and_then(|sid| self.sessions.iter().position(|s| s.id == sid)) {
            self.run_session_to(i, t);
        }
    }

    /// The last `n` fire times of deployment `i` before `before`.
    pub fn last_fires(&self, i: usize, before: Micros, n: usize) -> Vec<Micros> {
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
    pub fn add_deployment(
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
        let schedule = Cron::parse(cron.0, cron.1).ok().map(|c| Schedule {
            expression: cron.0.into(),
            timezone: cron.1.into(),
            cron: c,
            checked_until: created_at,
            last_run_at: None,
        });
        self.push_deployment(Deployment {
            seq: 0,
            id: String::new(),
            name: name.into(),
            description: Some(description.into()),
            agent_id: agent_id.into(),
            agent_version: 1,
            environment_id: environment_id.into(),
            initial_events: json!([{"type": "user.message", "content": [{"type": "text", "text": prompt}]}]),
            metadata: Map::new(),
            resources: json!([]),
            vault_ids: Vec::new(),
            budget: None,
            schedule,
            paused_reason: None,
            archived_at: None,
            created_at,
            updated_at: created_at,
            failing_with,
        })
    }

    /// Add a deployment under a new id; returns its index.
    pub fn push_deployment(&mut self, mut d: Deployment) -> usize {
        d.id = self.idg.id("depl_");
        d.seq = self.idg.seq();
        self.deployments.push(d);
        self.deployments.len() - 1
    }
}
