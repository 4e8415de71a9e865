//! The demo's dreams: one completed (ready to review), one running (followed by another when
//! it completes, so one is always running), one failed.

use crate::sim::clock::{HOUR, MINUTE, Micros};
use crate::sim::world::*;

pub fn add(w: &mut World, now: Micros, dreamer: &str, eng: &str, sup: &str) {
    let session_ids: Vec<String> = w.sessions.iter().take(3).map(|s| s.id.clone()).collect();
    w.add_dream(
        dreamer,
        eng,
        &session_ids,
        now - 3 * HOUR,
        DreamPlan::Completed,
    );
    w.add_dream(
        dreamer,
        sup,
        &session_ids,
        now - 2 * MINUTE,
        DreamPlan::Running,
    );
    w.add_dream(
        dreamer,
        eng,
        &session_ids,
        now - 26 * HOUR,
        DreamPlan::Failed,
    );
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::sim::world::World;

    fn store(w: &World, id: &str) -> BTreeMap<String, String> {
        w.memories
            .iter()
            .filter(|m| m.store_id == id)
            .map(|m| (m.path.clone(), m.content.clone()))
            .collect()
    }

    /// Paths only in `a`, only in `b`, and in both with other content.
    fn diff(
        a: &BTreeMap<String, String>,
        b: &BTreeMap<String, String>,
    ) -> (Vec<String>, Vec<String>, Vec<String>) {
        let gone = a.keys().filter(|k| !b.contains_key(*k)).cloned().collect();
        let new = b.keys().filter(|k| !a.contains_key(*k)).cloned().collect();
        let changed = a
            .iter()
            .filter(|(k, v)| b.get(*k).is_some_and(|w| w != *v))
            .map(|(k, _)| k.clone())
            .collect();
        (gone, new, changed)
    }

    fn tool_uses(w: &World, session_id: &str) -> Vec<(String, String)> {
        let s = w.sessions.iter().find(|s| s.id == session_id).unwrap();
        s.history
            .iter()
            .filter(|e| e.kind == "agent.tool_use")
            .filter_map(|e| serde_json::from_str::<serde_json::Value>(&e.json).ok())
            .map(|v| {
                let input = &v["input"];
                let arg = input["file_path"]
                    .as_str()
                    .or(input["command"].as_str())
                    .or(input["path"].as_str())
                    .unwrap_or("")
                    .to_string();
                (v["name"].as_str().unwrap_or("").to_string(), arg)
            })
            .collect()
    }

    #[test]
    fn the_demo_has_a_completed_dream_that_changes_its_store_in_every_way_and_a_running_one() {
        let mut w = World::new(3, 1.0);
        assert_eq!(super::super::build_demo(&mut w), Ok(()));
        let done = w.dreams.iter().find(|d| d.status == "completed").unwrap();
        let running = w.dreams.iter().find(|d| d.status == "running").unwrap();
        let input = store(&w, &done.input_store_id);
        let output = store(&w, &done.outputs[0]);
        let (gone, new, changed) = diff(&input, &output);
        assert_eq!(
            gone,
            vec![
                "/deploy/release-checklist.md",
                "/deploy/retired/staging-cluster.md",
                "/deploy/rollback.md"
            ]
        );
        assert_eq!(
            new,
            vec![
                "/archive/deploy/retired/staging-cluster.md",
                "/oncall/runbooks/rollback.md",
                "/summary.md"
            ]
        );
        assert_eq!(
            changed,
            vec![
                "/deploy/procedure.md",
                "/oncall/rota.md",
                "/oncall/runbooks/queue-backlog.md",
                "/testing/ci.md"
            ]
        );
        // A pure rename, a rename with an edit, a merge, corrected facts.
        assert_eq!(
            output["/archive/deploy/retired/staging-cluster.md"],
            input["/deploy/retired/staging-cluster.md"]
        );
        assert_eq!(
            output["/oncall/runbooks/rollback.md"],
            "# Rollback\n_Moved here from /deploy/, where 3 recent sessions looked for it._\n\n`acme deploy --env prod --image <previous sha>`; migrations are forward-only, so roll forward on schema changes."
        );
        assert_eq!(
            output["/deploy/procedure.md"],
            "# Deploy\n\n1. Merge to main\n2. CI builds and pushes the image\n3. `acme deploy --env prod` (needs on-call approval)\n\n## Merged from release-checklist.md\n- CI green on main before `acme deploy --env prod`.\n- Announce in #deploys; on-call approves prod.\n- Watch the error rate for 15 minutes after.\n"
        );
        assert!(output["/oncall/rota.md"].contains("Primary rotates Tuesdays 09:00 UTC"));
        assert!(output["/summary.md"].starts_with("# Summary of this store\n\nConsolidated by a dream over 3 recent sessions: merged Deploy checklist into Deploy; corrected On-call rota, CI, Queue backlog; archived Staging cluster; moved Rollback to /oncall/runbooks/.\n"));

        // Its session shows the listing, the reads and every write, in the store's mount.
        let mount = "/mnt/memory/engineering-notes";
        let uses = tool_uses(&w, done.session_id.as_deref().unwrap());
        assert_eq!(uses[0], ("glob".into(), mount.into()));
        assert!(uses.contains(&("read".into(), format!("{mount}/deploy/procedure.md"))));
        assert!(uses.contains(&(
            "bash".into(),
            format!("rm {mount}/deploy/release-checklist.md")
        )));
        assert!(uses.contains(&(
            "bash".into(),
            format!("mkdir -p {mount}/archive/deploy/retired && mv {mount}/deploy/retired/staging-cluster.md {mount}/archive/deploy/retired/staging-cluster.md")
        )));
        assert!(uses.contains(&("write".into(), format!("{mount}/summary.md"))));
        // Each write is a version by the dream's session, at its tool result's time.
        let versions = w
            .versions
            .iter()
            .filter(|v| v.store_id == done.outputs[0] && v.operation != "created")
            .count();
        assert_eq!(versions, 4 + 1 + 2);

        // The running dream has read part of its store and is still going.
        let uses = tool_uses(&w, running.session_id.as_deref().unwrap());
        assert!(
            uses.iter()
                .any(|(n, a)| n == "read" && a.starts_with("/mnt/memory/support-playbook/")),
            "{uses:?}"
        );
        assert!(!running.work.is_empty());
        assert!(running.repeat);
    }
}
