//! The demo's deployments: a healthy schedule with past runs, and one paused by a failing run.

use crate::sim::clock::{HOUR, MINUTE, Micros, SECOND};
use crate::sim::world::*;

pub fn add(w: &mut World, now: Micros, cast: &super::agents::Cast) {
    let day = 24 * HOUR;
    let (ops, support, cloud) = (&cast.ops, &cast.support, &cast.cloud);
    let digest = w.add_deployment(
        "Stale PR digest",
        "Every 30 minutes: post pull requests waiting on review for more than a day.",
        ops,
        cloud,
        "Post a summary of stale pull requests to #eng-review.",
        ("*/30 * * * *", "UTC"),
        now - 9 * day,
        None,
    );
    let triage = w.add_deployment(
        "Hourly support triage",
        "Hourly: tag and route new support tickets.",
        support,
        cloud,
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
}
