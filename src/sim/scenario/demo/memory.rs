//! The demo's memory: seeded stores and what agents wrote while they worked.

use serde_json::{Map, json};

use crate::sim::clock::{HOUR, MINUTE, Micros};
use crate::sim::world::*;

/// The two seeded stores: (engineering notes, support playbook).
pub fn seed_stores(w: &mut World, now: Micros) -> Result<(String, String), String> {
    let day = 24 * HOUR;
    let eng = w.create_store(
        "engineering-notes",
        "What agents learned about our codebase and how we ship.",
        Map::new(),
        now - 14 * day,
    );
    w.add_memories(&eng, ENGINEERING_NOTES, now - 14 * day)?;
    let sup = w.create_store(
        "support-playbook",
        "Policies and tone for customer replies.",
        Map::new(),
        now - 12 * day,
    );
    w.add_memories(&sup, SUPPORT_NOTES, now - 12 * day)?;
    Ok((eng, sup))
}

/// Agents wrote to memory while they worked (what the memory audit view shows).
pub fn agent_writes(w: &mut World, now: Micros, eng: &str) -> Result<(), String> {
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
                w.update_memory(i, content, rename, &actor, at)
                    .map_err(|e| format!("demo memory write to {path} failed: {}", e.message))?;
            }
            None => {
                w.create_memory(eng, path, content, &actor, at)
                    .map_err(|e| format!("demo memory write to {path} failed: {}", e.message))?;
            }
        }
    }
    Ok(())
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
        "/deploy/release-checklist.md",
        "# Deploy checklist\n\n- CI green on main before `acme deploy --env prod`.\n- Announce in #deploys; on-call approves prod.\n- Watch the error rate for 15 minutes after.",
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
        "/policies/refund-window.md",
        "# Refunds window\n\n- Refunds are accepted up to 30 days after delivery.\n- Store credit instead of a refund only if the customer asks for it.",
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
        "/macros/legacy-portal.md",
        "# Macro: legacy portal\n\nThe old billing portal is retired; send customers to app.acme.com/billing instead.",
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
