//! What the simulated agents say and do: per-persona turn scripts built from realistic fragments.

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use serde_json::{Value, json};

use super::clock::Micros;
use super::world::{Act, Beat, Gen, Persona, Session};

fn pick<'a>(rng: &mut StdRng, items: &[&'a str]) -> &'a str {
    items.choose(rng).copied().unwrap_or("")
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Perm {
    Allow,
    Ask,
    Auto,
    /// The `auto` policy judged the call high-risk: it never runs, no human is asked.
    AutoDeny,
}

/// Builds a list of beats with preassigned ids so later beats can refer to earlier events.
pub struct Script<'a> {
    pub idg: &'a mut Gen,
    pub rng: &'a mut StdRng,
    pub beats: Vec<Beat>,
    pub thread: Option<usize>,
    /// Stretches every delay (firehose uses tiny ones).
    pub pace: f64,
}

impl<'a> Script<'a> {
    pub fn new(idg: &'a mut Gen, rng: &'a mut StdRng) -> Self {
        Script {
            idg,
            rng,
            beats: Vec::new(),
            thread: None,
            pace: 1.0,
        }
    }

    fn delay(&mut self, lo_ms: u64, hi_ms: u64) -> Micros {
        let ms = if hi_ms > lo_ms {
            self.rng.random_range(lo_ms..hi_ms)
        } else {
            lo_ms
        };
        ((ms * 1000) as f64 * self.pace) as Micros
    }

    pub fn push(&mut self, lo_ms: u64, hi_ms: u64, act: Act) {
        let delay = self.delay(lo_ms, hi_ms);
        self.beats.push(Beat {
            delay,
            thread: self.thread,
            act,
        });
    }

    pub fn ev(&mut self, lo_ms: u64, hi_ms: u64, v: Value) {
        self.push(lo_ms, hi_ms, Act::Event(v));
    }

    pub fn id(&mut self) -> String {
        self.idg.id("sevt_")
    }

    pub fn model_start(&mut self) -> String {
        let id = self.id();
        self.ev(
            300,
            900,
            json!({"type": "span.model_request_start", "id": id}),
        );
        id
    }

    pub fn model_end(&mut self, start_id: &str, output_tokens: u64) {
        let input = self.rng.random_range(2_000..18_000u64);
        let cached = self.rng.random_range(8_000..60_000u64);
        self.ev(
            100,
            300,
            json!({
                "type": "span.model_request_end",
                "model_request_start_id": start_id,
                "is_error": false,
                "model_usage": {
                    "input_tokens": input,
                    "output_tokens": output_tokens,
                    "cache_creation_input_tokens": input / 4,
                    "cache_read_input_tokens": cached,
                    "speed": "standard",
                },
            }),
        );
    }

    pub fn thinking(&mut self) {
        let id = self.id();
        self.push(
            150,
            400,
            Act::Preview(
                "agent.thinking",
                json!({"type": "event_start", "event": {"type": "agent.thinking", "id": id}}),
            ),
        );
        self.ev(800, 2500, json!({"type": "agent.thinking", "id": id}));
    }

    /// An agent message, previewed word-chunk by word-chunk for streams that asked for deltas.
    pub fn say(&mut self, text: &str) {
        let id = self.id();
        self.push(
            200,
            500,
            Act::Preview(
                "agent.message",
                json!({"type": "event_start", "event": {"type": "agent.message", "id": id}}),
            ),
        );
        let words: Vec<&str> = text.split_inclusive(' ').collect();
        let chunk = (words.len() / 4).max(3);
        for part in words.chunks(chunk) {
            let piece: String = part.concat();
            self.push(
                120,
                450,
                Act::Preview(
                    "agent.message",
                    json!({"type": "event_delta", "event_id": id, "delta": {"type": "content_delta", "index": 0, "content": {"type": "text", "text": piece}}}),
                ),
            );
        }
        self.ev(
            100,
            300,
            json!({"type": "agent.message", "id": id, "content": [{"type": "text", "text": text}]}),
        );
    }

    fn permission(perm: Perm) -> (&'static str, Value) {
        match perm {
            Perm::Allow => ("allow", json!({"type": "always_allow"})),
            Perm::Ask => ("ask", json!({"type": "always_ask"})),
            Perm::Auto => (
                "allow",
                json!({"type": "auto", "evaluated_permission": {"type": "allow"}}),
            ),
            Perm::AutoDeny => (
                "deny",
                json!({"type": "auto", "evaluated_permission": {"type": "deny", "reason_code": "high_risk"}}),
            ),
        }
    }

    pub fn tool(&mut self, name: &str, input: Value, perm: Perm) -> String {
        let id = self.id();
        let (evaluated, evaluation) = Self::permission(perm);
        self.ev(
            300,
            1200,
            json!({"type": "agent.tool_use", "id": id, "name": name, "input": input, "evaluated_permission": evaluated, "evaluation": evaluation}),
        );
        id
    }

    pub fn result(&mut self, tool_use_id: &str, text: &str, is_error: bool) {
        self.result_blocks(
            tool_use_id,
            json!([{"type": "text", "text": text}]),
            is_error,
        );
    }

    pub fn result_blocks(&mut self, tool_use_id: &str, content: Value, is_error: bool) {
        self.ev(
            600,
            3000,
            json!({"type": "agent.tool_result", "tool_use_id": tool_use_id, "content": content, "is_error": is_error}),
        );
    }

    pub fn mcp_tool(&mut self, server: &str, name: &str, input: Value, perm: Perm) -> String {
        let id = self.id();
        let (evaluated, evaluation) = Self::permission(perm);
        self.ev(
            300,
            1200,
            json!({"type": "agent.mcp_tool_use", "id": id, "mcp_server_name": server, "name": name, "input": input, "evaluated_permission": evaluated, "evaluation": evaluation}),
        );
        id
    }

    pub fn mcp_result(&mut self, mcp_tool_use_id: &str, text: &str) {
        self.ev(
            700,
            2500,
            json!({"type": "agent.mcp_tool_result", "mcp_tool_use_id": mcp_tool_use_id, "content": [{"type": "text", "text": text}], "is_error": false}),
        );
    }

    pub fn custom(&mut self, name: &str, input: Value) -> String {
        let id = self.id();
        self.ev(
            300,
            900,
            json!({"type": "agent.custom_tool_use", "id": id, "name": name, "input": input}),
        );
        id
    }

    /// A retryable model error: the session reschedules, then carries on.
    pub fn transient_error(&mut self) {
        let (kind, message) = if self.rng.random_bool(0.5) {
            (
                "model_overloaded_error",
                "The model is temporarily overloaded; retrying.",
            )
        } else {
            (
                "model_rate_limited_error",
                "Model rate limit reached for this organization; retrying shortly.",
            )
        };
        self.ev(
            800,
            2000,
            json!({"type": "session.error", "error": {"type": kind, "message": message, "retry_status": {"type": "retrying"}}}),
        );
        self.ev(100, 300, json!({"type": "session.status_rescheduled"}));
        self.ev(8000, 20000, json!({"type": "session.status_running"}));
    }

    /// The agent's message after the human answered `uses` (see `Act::Reflect`).
    pub fn reflect(&mut self, uses: &[&str], done: &str) {
        self.push(
            300,
            900,
            Act::Reflect {
                uses: uses.iter().map(|u| u.to_string()).collect(),
                done: done.to_string(),
            },
        );
    }

    pub fn usage(&mut self) {
        self.push(50, 200, Act::Usage);
    }

    pub fn block(&mut self) {
        self.push(50, 150, Act::Block);
    }

    pub fn idle(&mut self) {
        self.ev(
            200,
            600,
            json!({"type": "session.status_idle", "stop_reason": {"type": "end_turn"}}),
        );
    }

    pub fn tokens(&mut self) -> u64 {
        self.rng.random_range(180..1400)
    }
}

// ---------------------------------------------------------------------------------------------
// Fragments

const RESEARCH_TOPICS: &[&str] = &[
    "vector databases for 10M embeddings with hybrid search",
    "EU AI Act obligations for general-purpose model providers",
    "battery recycling capacity in North America through 2030",
    "open-source observability stacks for Kubernetes at 500 nodes",
    "the state of post-quantum TLS deployment",
    "heat pump adoption incentives across EU member states",
];
const SOURCES: &[(&str, &str)] = &[
    (
        "https://arxiv.org/abs/2405.11890",
        "A Benchmark of Approximate Nearest Neighbour Indexes at Scale",
    ),
    (
        "https://www.iea.org/reports/global-ev-outlook-2026",
        "Global EV Outlook 2026 — International Energy Agency",
    ),
    (
        "https://eur-lex.europa.eu/eli/reg/2024/1689/oj",
        "Regulation (EU) 2024/1689 (Artificial Intelligence Act)",
    ),
    (
        "https://blog.cloudflare.com/pq-2025/",
        "The state of the post-quantum Internet",
    ),
    (
        "https://github.com/qdrant/vector-db-benchmark",
        "qdrant/vector-db-benchmark: results and methodology",
    ),
    (
        "https://www.cncf.io/reports/observability-survey-2026/",
        "CNCF Observability Survey 2026",
    ),
];
const RESEARCH_FINDINGS: &[&str] = &[
    "Three sources agree on the headline number, but the 2024 figure in the survey is self-reported and should be treated as an upper bound.",
    "The benchmark numbers are not directly comparable: two vendors tuned recall to 0.95 and one to 0.99, which explains most of the latency gap.",
    "The regulation's obligations phase in over 24 months; transparency duties apply first, documentation duties a year later.",
    "Capacity announcements exceed funded projects by roughly 3x; only plants with offtake agreements are counted in the final table.",
];
const CODE_TASKS: &[&str] = &[
    "Fix the rounding bug in invoice totals for multi-currency carts",
    "Make the webhook handler idempotent on retried deliveries",
    "The checkout form double-submits on slow networks; fix it",
    "Lease renewal races with expiry under load; add a fencing token",
    "Session store leaks expired entries; add a sweeper with metrics",
];
const SUPPORT_ISSUES: &[&str] = &[
    "Customer says order #A-20931 arrived damaged and wants a replacement before Friday",
    "Enterprise customer Northwind reports SSO login loops since this morning",
    "Refund request for a duplicate charge on invoice INV-88213",
    "Shipping address change requested after order #A-21007 was packed",
];
const WRITER_TASKS: &[&str] = &[
    "Draft the release notes for v4.2 from the merged PRs",
    "Rewrite the onboarding guide's quickstart for the new CLI",
    "Summarise this week's incident reviews for the engineering newsletter",
    "Turn the API changelog into a migration guide",
];
const MCP_TASKS: &[&str] = &[
    "Sync open Linear issues labelled 'customer' into the weekly GitHub project board",
    "Triage new GitHub issues and file duplicates against existing Linear tickets",
    "Post a summary of stale pull requests to #eng-review",
];

pub fn outcome_goal(rng: &mut StdRng) -> String {
    let goals = [
        "A one-page brief with a comparison table and a primary source for every figure.",
        "A recommendation memo: options, trade-offs, and a clear pick with its risks.",
        "An annotated bibliography of the five most authoritative sources, with one-line takeaways.",
    ];
    pick(rng, &goals).to_string()
}

pub fn follow_up(persona: Persona, rng: &mut StdRng) -> String {
    let items: &[&str] = match persona {
        Persona::Researcher => &[
            "Good. Can you double-check the 2024 numbers against a second source?",
            "Add a short section on risks and open questions.",
            "Now compress this into five bullet points for the exec summary.",
        ],
        Persona::Coder => CODE_TASKS,
        Persona::Support => SUPPORT_ISSUES,
        Persona::Coordinator => &[
            "Next, have the team compare the top two options on total cost of ownership.",
            "Ask the reviewer to check every citation in the draft.",
            "Split the remaining work between the researcher and the reviewer and report back.",
        ],
        Persona::Integrations => MCP_TASKS,
        Persona::Writer => WRITER_TASKS,
        Persona::Dreamer => &["Consolidate the memory store."],
        Persona::Firehose => &["Keep going."],
    };
    pick(rng, items).to_string()
}

/// The work for one `user.message`, ending idle (or blocked waiting for a human).
pub fn turn(s: &mut Session, idg: &mut Gen, prompt: &str) -> Vec<Beat> {
    let threads: Vec<(String, String)> = s
        .threads
        .iter()
        .filter(|t| t.parent.is_some())
        .map(|t| (t.id.clone(), t.agent_name.clone()))
        .collect();
    let primary = s.threads.first().map(|t| t.id.clone());
    let persona = s.persona;
    let flaky = s.autopilot;
    let mut sc = Script::new(idg, &mut s.rng);
    // Fleet sessions now and then hit a transient model error and reschedule, as real ones do.
    if flaky && sc.rng.random_bool(0.15) {
        sc.transient_error();
    }
    match persona {
        Persona::Researcher => research_work(&mut sc, prompt),
        Persona::Coder => coder_work(&mut sc, prompt),
        Persona::Support => support_work(&mut sc, prompt),
        Persona::Coordinator => coordinator_work(&mut sc, prompt, primary.as_deref(), &threads),
        Persona::Integrations => integrations_work(&mut sc, prompt),
        Persona::Writer => writer_work(&mut sc, prompt),
        Persona::Dreamer => dreamer_work(&mut sc),
        Persona::Firehose => firehose_live(&mut sc),
    }
    sc.usage();
    sc.idle();
    sc.beats
}

/// Work towards an outcome, graded after each iteration until satisfied.
pub fn outcome_work(
    s: &mut Session,
    idg: &mut Gen,
    outcome_id: &str,
    description: &str,
    max_iterations: u64,
) -> Vec<Beat> {
    let mut sc = Script::new(idg, &mut s.rng);
    let max = max_iterations.max(1);
    let planned = sc.rng.random_range(2..=3u64).min(max);
    for iteration in 0..planned {
        research_work(&mut sc, description);
        sc.usage();
        let start = sc.id();
        sc.ev(400, 1000, json!({"type": "span.outcome_evaluation_start", "id": start, "outcome_id": outcome_id, "iteration": iteration}));
        for _ in 0..sc.rng.random_range(2..4) {
            sc.ev(1500, 3500, json!({"type": "span.outcome_evaluation_ongoing", "outcome_id": outcome_id, "iteration": iteration}));
        }
        let last = iteration + 1 == planned;
        let (result, explanation) = if !last {
            (
                "needs_revision",
                "Two claims lack a primary source and the comparison table omits pricing for the self-hosted tier. Revise and cite both.",
            )
        } else if planned == max && planned < 3 {
            (
                "max_iterations_reached",
                "Most criteria are met; the pricing comparison is still incomplete.",
            )
        } else {
            (
                "satisfied",
                "All rubric criteria are met: every claim is cited, the table is complete, and the recommendation follows from the evidence.",
            )
        };
        sc.ev(
            800,
            1600,
            json!({
                "type": "span.outcome_evaluation_end",
                "outcome_evaluation_start_id": start,
                "outcome_id": outcome_id,
                "iteration": iteration,
                "result": result,
                "explanation": explanation,
                "usage": {"input_tokens": 9120, "output_tokens": 412, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 7340},
            }),
        );
    }
    sc.usage();
    sc.idle();
    sc.beats
}

fn research_work(sc: &mut Script, prompt: &str) {
    let topic = if prompt.len() > 12 {
        prompt.to_string()
    } else {
        pick(sc.rng, RESEARCH_TOPICS).to_string()
    };
    let m = sc.model_start();
    sc.thinking();
    sc.say(&format!("I'll start with a broad search, then read the two most authoritative sources in full. Topic: {topic}"));
    let search = sc.tool(
        "web_search",
        json!({"query": topic.chars().take(80).collect::<String>()}),
        Perm::Allow,
    );
    let t = sc.tokens();
    sc.model_end(&m, t);
    let picks: Vec<&(&str, &str)> = SOURCES.choose_multiple(sc.rng, 3).collect();
    let blocks: Vec<Value> = picks
        .iter()
        .map(|(url, title)| {
            json!({"type": "search_result", "source": url, "title": title, "content": [{"type": "text", "text": format!("{title}. Key figures and methodology are summarised in section 3; see the appendix for the full dataset.")}], "citations": {"enabled": true}})
        })
        .collect();
    sc.result_blocks(&search, Value::Array(blocks), false);
    let m = sc.model_start();
    let url = picks.first().map(|p| p.0).unwrap_or("https://example.org");
    let fetch = sc.tool("web_fetch", json!({"url": url}), Perm::Allow);
    let t = sc.tokens();
    sc.model_end(&m, t);
    sc.result(&fetch, &format!("Fetched {url} (38.2 KB). Section 3 reports a median of 41 ms at recall 0.95, with p99 at 180 ms on the 10M-vector set."), false);
    let m = sc.model_start();
    sc.thinking();
    let finding = pick(sc.rng, RESEARCH_FINDINGS);
    sc.say(&format!("Summary so far: {finding} I've recorded the sources and will flag anything that needs a second citation."));
    let t = sc.tokens();
    sc.model_end(&m, t);
}

/// One coherent piece of engineering work: the file, what the agent sees, what it changes.
struct CodeTask {
    keywords: &'static [&'static str],
    file: &'static str,
    listing: &'static str,
    pattern: &'static str,
    matches: &'static str,
    old: &'static str,
    new: &'static str,
    explain: &'static str,
    test: &'static str,
    output: &'static str,
    branch: &'static str,
    summary: &'static str,
}

const CODE_WORK: &[CodeTask] = &[
    CodeTask {
        keywords: &["invoice", "rounding", "cent", "jpy", "currency"],
        file: "src/billing/invoice.rs",
        listing: "   1\tuse crate::money::{Currency, Money};\n   2\t\n   3\tpub fn total(lines: &[Line]) -> Money {\n   4\t    lines.iter().map(|l| l.amount.round_to(l.currency.minor_units())).sum()\n   5\t}",
        pattern: "round_to\\(",
        matches: "src/billing/invoice.rs:4:    lines.iter().map(|l| l.amount.round_to(l.currency.minor_units())).sum()\nsrc/billing/tax.rs:19:    let tax = base.round_to(2);\nsrc/money.rs:88:pub fn round_to(&self, digits: u32) -> Money {",
        old: "lines.iter().map(|l| l.amount.round_to(l.currency.minor_units())).sum()",
        new: "lines.iter().map(|l| l.amount).sum::<Money>().round_to(currency.minor_units())",
        explain: "The fix rounds once, at the total, instead of per line.",
        test: "cargo test -p billing 2>&1 | tail -n 20",
        output: "running 142 tests\n..........................................................................\ntest result: ok. 142 passed; 0 failed; 0 ignored; finished in 8.41s",
        branch: "fix/invoice-rounding",
        summary: "Totals now round once per invoice, which removes the off-by-one-cent drift on multi-currency carts.",
    },
    CodeTask {
        keywords: &["webhook", "idempot", "retried", "deliver"],
        file: "services/api/handlers/webhooks.py",
        listing: "  12\t@router.post(\"/webhooks/stripe\")\n  13\tasync def stripe_webhook(request: Request):\n  14\t    event = verify(await request.body(), request.headers)\n  15\t    await apply_event(event)\n  16\t    return {\"ok\": True}",
        pattern: "apply_event",
        matches: "services/api/handlers/webhooks.py:15:    await apply_event(event)\nservices/api/billing/events.py:40:async def apply_event(event):",
        old: "    await apply_event(event)",
        new: "    if await seen_webhook(event.id):\n        return {\"ok\": True, \"duplicate\": True}\n    await apply_event(event)",
        explain: "Deliveries are now deduplicated on the event id before they are applied.",
        test: "pytest services/api -q",
        output: "============================= 87 passed, 2 skipped in 12.30s ==============================",
        branch: "fix/webhook-idempotency",
        summary: "Retried deliveries are acknowledged without being applied twice; a test replays the same event three times.",
    },
    CodeTask {
        keywords: &["checkout", "double", "submit", "form"],
        file: "web/src/components/CheckoutForm.tsx",
        listing: "  48\t  const onSubmit = async (values: CheckoutValues) => {\n  49\t    await api.placeOrder(values);\n  50\t    navigate(\"/thanks\");\n  51\t  };",
        pattern: "placeOrder",
        matches: "web/src/components/CheckoutForm.tsx:49:    await api.placeOrder(values);\nweb/src/api/orders.ts:12:export async function placeOrder(values: CheckoutValues) {",
        old: "    await api.placeOrder(values);",
        new: "    if (submitting) return;\n    setSubmitting(true);\n    await api.placeOrder(values, { idempotencyKey: formId });",
        explain: "The form ignores a second submit while the first is in flight and sends an idempotency key.",
        test: "pnpm --filter web test -- CheckoutForm",
        output: "PASS  src/components/CheckoutForm.test.tsx (4.2 s)\nTest Suites: 31 passed, 31 total\nTests:       204 passed, 204 total",
        branch: "fix/checkout-double-submit",
        summary: "Slow networks no longer create duplicate orders; the new test clicks submit twice under a delayed response.",
    },
    CodeTask {
        keywords: &["lease", "fencing", "race", "scheduler"],
        file: "crates/scheduler/src/lease.rs",
        listing: "  61\tpub async fn renew(&self, lease: &Lease) -> Result<()> {\n  62\t    self.store.put(&lease.key, lease.expires_at()).await\n  63\t}",
        pattern: "store.put",
        matches: "crates/scheduler/src/lease.rs:62:    self.store.put(&lease.key, lease.expires_at()).await\ncrates/scheduler/src/store.rs:30:    pub async fn put(&self, key: &str, until: Instant) -> Result<()> {",
        old: "    self.store.put(&lease.key, lease.expires_at()).await",
        new: "    self.store.put_if_token(&lease.key, lease.token, lease.expires_at()).await",
        explain: "Renewals now carry a fencing token, so a writer whose lease expired cannot extend it.",
        test: "cargo test -p scheduler lease",
        output: "running 23 tests\n.......................\ntest result: ok. 23 passed; 0 failed; 0 ignored; finished in 3.02s",
        branch: "fix/lease-fencing",
        summary: "Expired holders can no longer renew; the race test now passes 1,000 iterations in a row.",
    },
];

fn coder_work(sc: &mut Script, prompt: &str) {
    let lower = prompt.to_lowercase();
    let task = CODE_WORK
        .iter()
        .find(|t| t.keywords.iter().any(|k| lower.contains(k)))
        .unwrap_or_else(|| &CODE_WORK[sc.rng.random_range(0..CODE_WORK.len())]);
    let path = format!("/workspace/app/{}", task.file);
    let m = sc.model_start();
    sc.thinking();
    sc.say(&format!("Let me look at the code first. Task: {prompt}"));
    let read = sc.tool("read", json!({"file_path": path}), Perm::Allow);
    let t = sc.tokens();
    sc.model_end(&m, t);
    sc.result(&read, task.listing, false);
    let m = sc.model_start();
    let grep = sc.tool(
        "grep",
        json!({"pattern": task.pattern, "path": "/workspace/app"}),
        Perm::Allow,
    );
    let t = sc.tokens();
    sc.model_end(&m, t);
    sc.result(&grep, task.matches, false);
    let m = sc.model_start();
    sc.thinking();
    let edit = sc.tool(
        "edit",
        json!({"file_path": path, "old_string": task.old, "new_string": task.new}),
        Perm::Allow,
    );
    let t = sc.tokens();
    sc.model_end(&m, t);
    sc.result(&edit, &format!("The file {path} has been updated."), false);
    let m = sc.model_start();
    sc.say(&format!(
        "{} I need to run the tests and push the branch; both need your approval.",
        task.explain
    ));
    let test = sc.tool(
        "bash",
        json!({"command": task.test, "timeout": 600}),
        Perm::Ask,
    );
    let push = sc.tool(
        "bash",
        json!({"command": format!("git push origin HEAD:{}", task.branch)}),
        Perm::Ask,
    );
    let t = sc.tokens();
    sc.model_end(&m, t);
    sc.usage();
    sc.block();
    sc.result(&test, task.output, false);
    sc.result(
        &push,
        &format!(
            "To github.com:acme/app.git\n * [new branch]      HEAD -> {}",
            task.branch
        ),
        false,
    );
    let m = sc.model_start();
    sc.reflect(
        &[&test, &push],
        &format!(
            "Tests pass and the branch is pushed as {}. {}",
            task.branch, task.summary
        ),
    );
    let t = sc.tokens();
    sc.model_end(&m, t);
}

fn support_work(sc: &mut Script, prompt: &str) {
    let m = sc.model_start();
    sc.thinking();
    sc.say(&format!(
        "Looking this up in the order system before drafting a reply. Ticket: {prompt}"
    ));
    let lookup = sc.custom(
        "lookup_order",
        json!({"order_id": "A-20931", "include": ["shipments", "payments"]}),
    );
    let t = sc.tokens();
    sc.model_end(&m, t);
    sc.usage();
    sc.block();
    let m = sc.model_start();
    sc.reflect(&[&lookup], "Draft reply: \"Thanks for flagging this — I've arranged a replacement with express shipping, arriving Thursday. You don't need to return the damaged item.\" Shall I send it?");
    let t = sc.tokens();
    sc.model_end(&m, t);
}

fn integrations_work(sc: &mut Script, prompt: &str) {
    let m = sc.model_start();
    sc.thinking();
    sc.say(&format!(
        "Pulling the current state from Linear and GitHub. Task: {prompt}"
    ));
    let list = sc.mcp_tool(
        "linear",
        "list_issues",
        json!({"label": "customer", "state": "open", "limit": 50}),
        Perm::Allow,
    );
    let t = sc.tokens();
    sc.model_end(&m, t);
    sc.mcp_result(&list, "23 issues: ENG-4121 Export times out for large workspaces; ENG-4133 SSO loop after IdP rotation; ENG-4140 CSV import drops UTF-8 BOM; …");
    let m = sc.model_start();
    let gh = sc.mcp_tool(
        "github",
        "add_project_item",
        json!({"project": "Weekly customer board", "items": ["ENG-4121", "ENG-4133", "ENG-4140"]}),
        Perm::Auto,
    );
    let t = sc.tokens();
    sc.model_end(&m, t);
    sc.mcp_result(
        &gh,
        "Added 3 items to project 'Weekly customer board' (2 already present).",
    );
    let m = sc.model_start();
    sc.say("Board synced: 3 new customer issues added, 2 were already there. ENG-4133 (SSO loop) is the only one marked urgent.");
    let t = sc.tokens();
    sc.model_end(&m, t);
}

/// The message of the synthetic error result the API appends to an auto-denied call.
pub const AUTO_DENIED: &str = "Permission to use this tool was denied: the permission policy evaluated this call as high risk. The tool did not run.";

/// A request the model declines: it thinks, then the turn ends idle with a `refusal` stop
/// reason and its `stop_details`; no message, no tool call.
pub fn refused_turn(s: &mut Session, idg: &mut Gen) -> Vec<Beat> {
    let mut sc = Script::new(idg, &mut s.rng);
    let m = sc.model_start();
    sc.thinking();
    let t = sc.tokens();
    sc.model_end(&m, t);
    sc.ev(
        200,
        600,
        json!({"type": "session.status_idle", "stop_reason": {"type": "refusal"}, "stop_details": {
            "type": "refusal",
            "category": "cyber",
            "explanation": "The request asks for a working exploit against a live payment system without evidence of authorisation to test it.",
        }}),
    );
    sc.beats
}

/// Cleaning up branches: a long listing gets the context compacted, then the `auto` policy
/// denies a destructive call (a synthetic error result, no human asked) and the agent changes
/// course.
pub fn auto_denied_turn(s: &mut Session, idg: &mut Gen) -> Vec<Beat> {
    let mut sc = Script::new(idg, &mut s.rng);
    let m = sc.model_start();
    sc.thinking();
    sc.say("Listing merged branches older than 90 days before removing them.");
    let list = sc.mcp_tool(
        "github",
        "list_branches",
        json!({"repo": "acme/app", "merged": true, "older_than_days": 90}),
        Perm::Auto,
    );
    let t = sc.tokens();
    sc.model_end(&m, t);
    sc.mcp_result(&list, "412 branches merged more than 90 days ago: chore/bump-deps-2025-11, feat/invoice-export, fix/jpy-rounding, … (409 more)");
    sc.ev(400, 900, json!({"type": "agent.thread_context_compacted"}));
    let m = sc.model_start();
    let del = sc.mcp_tool(
        "github",
        "delete_branches",
        json!({"repo": "acme/app", "branches": ["chore/bump-deps-2025-11", "feat/invoice-export", "fix/jpy-rounding"], "force": true}),
        Perm::AutoDeny,
    );
    let t = sc.tokens();
    sc.model_end(&m, t);
    sc.ev(
        100,
        300,
        json!({"type": "agent.mcp_tool_result", "mcp_tool_use_id": del, "content": [{"type": "text", "text": AUTO_DENIED}], "is_error": true}),
    );
    let m = sc.model_start();
    sc.say("Deleting branches was blocked by the permission policy (high risk), so nothing was removed. I've written the 412 stale branches to a list instead; someone with rights can delete them in one go.");
    let t = sc.tokens();
    sc.model_end(&m, t);
    sc.usage();
    sc.idle();
    sc.beats
}

/// The MCP server rejects the credentials: retries, then gives up.
pub fn mcp_auth_failure(s: &mut Session, idg: &mut Gen) -> Vec<Beat> {
    let mut sc = Script::new(idg, &mut s.rng);
    let m = sc.model_start();
    sc.say("Fetching the open incidents from Linear first.");
    let _call = sc.mcp_tool(
        "linear",
        "list_issues",
        json!({"label": "incident", "state": "open"}),
        Perm::Allow,
    );
    let t = sc.tokens();
    sc.model_end(&m, t);
    let err = |status: &str| {
        json!({"type": "session.error", "error": {
            "type": "mcp_authentication_failed_error",
            "message": "MCP server 'linear' rejected the credentials: 401 invalid_token (the OAuth token expired and the refresh token was revoked).",
            "mcp_server_name": "linear",
            "retry_status": {"type": status},
        }})
    };
    for _ in 0..2 {
        sc.ev(1000, 2000, err("retrying"));
        sc.ev(100, 300, json!({"type": "session.status_rescheduled"}));
        sc.ev(4000, 8000, json!({"type": "session.status_running"}));
    }
    sc.ev(1000, 2000, err("exhausted"));
    sc.ev(
        200,
        500,
        json!({"type": "session.status_idle", "stop_reason": {"type": "retries_exhausted"}}),
    );
    sc.beats
}

fn writer_work(sc: &mut Script, prompt: &str) {
    let m = sc.model_start();
    sc.thinking();
    sc.say(&format!("Gathering the inputs. Task: {prompt}"));
    let glob = sc.tool("glob", json!({"pattern": "docs/**/*.md"}), Perm::Allow);
    let t = sc.tokens();
    sc.model_end(&m, t);
    sc.result(&glob, "docs/quickstart.md\ndocs/cli/reference.md\ndocs/changelog/4.2.md\ndocs/guides/migration.md", false);
    let m = sc.model_start();
    let read = sc.tool(
        "read",
        json!({"file_path": "/workspace/docs/docs/changelog/4.2.md"}),
        Perm::Allow,
    );
    let t = sc.tokens();
    sc.model_end(&m, t);
    sc.result(&read, "## 4.2.0\n- feat(cli): `acme deploy --watch`\n- fix(api): pagination cursor survives filter changes\n- perf: cold start 38% faster", false);
    let m = sc.model_start();
    let write = sc.tool(
        "write",
        json!({"file_path": "/workspace/docs/docs/release-notes/4.2.md", "content": "# What's new in 4.2\n\nDeploys can now be watched live with `acme deploy --watch`…"}),
        Perm::Allow,
    );
    let t = sc.tokens();
    sc.model_end(&m, t);
    sc.result(
        &write,
        "File created successfully at: /workspace/docs/docs/release-notes/4.2.md",
        false,
    );
    let m = sc.model_start();
    sc.say("Draft written to docs/release-notes/4.2.md: three headline features, one breaking change called out at the top, and links to the migration guide.");
    let t = sc.tokens();
    sc.model_end(&m, t);
}

fn dreamer_work(sc: &mut Script) {
    let m = sc.model_start();
    sc.thinking();
    let read = sc.tool(
        "read",
        json!({"file_path": "/mnt/memory/engineering-notes/"}),
        Perm::Allow,
    );
    let t = sc.tokens();
    sc.model_end(&m, t);
    sc.result(
        &read,
        "14 memories under /mnt/memory/engineering-notes/ (3 overlap on deploy procedure).",
        false,
    );
    let m = sc.model_start();
    sc.say("Merging the three overlapping deploy notes, updating the on-call rota, and removing the note about the retired staging cluster.");
    let t = sc.tokens();
    sc.model_end(&m, t);
}

pub fn firehose_live(sc: &mut Script) {
    let m = sc.model_start();
    sc.say("Processing the next batch of records and checking each against the schema before loading it into the warehouse table.");
    let call = sc.tool("bash", json!({"command": "python etl/load.py --batch next --validate --table analytics.events_raw"}), Perm::Allow);
    let t = sc.tokens();
    sc.model_end(&m, t);
    sc.result(&call, "validated 5000 rows (0 rejected); loaded into analytics.events_raw in 1.82s; watermark=2026-11-26T10:00:00Z", false);
}

fn coordinator_work(
    sc: &mut Script,
    prompt: &str,
    primary: Option<&str>,
    threads: &[(String, String)],
) {
    let m = sc.model_start();
    sc.thinking();
    sc.say(&format!(
        "I'll split this: the researcher gathers evidence, the reviewer checks it. Goal: {prompt}"
    ));
    let t = sc.tokens();
    sc.model_end(&m, t);
    let Some(primary) = primary else { return };
    // A strict check always asks; otherwise a third of the turns do.
    let ask_now = prompt.contains("strict") || sc.rng.random_bool(0.3);
    for (i, (tid, name)) in threads.iter().enumerate() {
        let child = Some(i + 1);
        let mut asked: Option<String> = None;
        let brief = if i == 0 {
            "Find three independent sources for the market-size estimate and extract the figures with dates."
        } else {
            "Review the draft for unsupported claims and run the citation checker."
        };
        sc.thread = None;
        sc.ev(300, 800, json!({"type": "agent.thread_message_sent", "to_session_thread_id": tid, "to_agent_name": name, "content": [{"type": "text", "text": brief}]}));
        sc.thread = child;
        sc.ev(200, 500, json!({"type": "session.thread_status_running", "session_thread_id": tid, "agent_name": name}));
        sc.ev(100, 300, json!({"type": "agent.thread_message_received", "from_session_thread_id": primary, "content": [{"type": "text", "text": brief}]}));
        let m = sc.model_start();
        sc.thinking();
        if i == 0 {
            let q = sc.tool(
                "web_search",
                json!({"query": "market size estimate 2026 primary source"}),
                Perm::Allow,
            );
            let t = sc.tokens();
            sc.model_end(&m, t);
            sc.result(&q, "3 results: IDC 2026 forecast ($4.1B), Gartner Market Guide ($3.8B), company 10-K filings (bottom-up $3.5B).", false);
        } else {
            let cmd = if ask_now {
                "python tools/check_citations.py draft.md --strict"
            } else {
                "grep -n '\\[citation needed\\]' draft.md"
            };
            let perm = if ask_now { Perm::Ask } else { Perm::Allow };
            let q = sc.tool("bash", json!({"command": cmd}), perm);
            let t = sc.tokens();
            sc.model_end(&m, t);
            if ask_now {
                sc.ev(100, 300, json!({"type": "session.thread_status_idle", "session_thread_id": tid, "agent_name": name, "stop_reason": {"type": "requires_action", "event_ids": [q]}}));
                sc.thread = None;
                sc.block();
                sc.thread = child;
                sc.ev(100, 300, json!({"type": "session.thread_status_running", "session_thread_id": tid, "agent_name": name}));
            }
            asked = ask_now.then(|| q.clone());
            sc.result(&q, "draft.md:14: claim 'fastest-growing segment' has no citation\ndraft.md:31: source [4] is a press release, not primary data", false);
        }
        let report = if i == 0 {
            "Estimates range $3.5B–$4.1B for 2026; the 10-K bottom-up figure is the most conservative and the only audited one."
        } else {
            "Two issues: line 14 needs a citation, and source [4] should be replaced by the underlying filing."
        };
        let m = sc.model_start();
        match &asked {
            Some(q) => sc.reflect(&[q], report),
            None => sc.say(report),
        }
        let t = sc.tokens();
        sc.model_end(&m, t);
        sc.ev(200, 500, json!({"type": "agent.thread_message_sent", "to_session_thread_id": primary, "content": [{"type": "text", "text": report}]}));
        sc.ev(100, 300, json!({"type": "session.thread_status_idle", "session_thread_id": tid, "agent_name": name, "stop_reason": {"type": "end_turn"}}));
        sc.thread = None;
        sc.ev(100, 300, json!({"type": "agent.thread_message_received", "from_session_thread_id": tid, "from_agent_name": name, "content": [{"type": "text", "text": report}]}));
    }
    sc.thread = None;
    let m = sc.model_start();
    sc.say("Combined result: the market is $3.5B–$4.1B in 2026 (audited low end $3.5B). The draft needs one added citation and one source swap; I've queued both fixes.");
    let t = sc.tokens();
    sc.model_end(&m, t);
}
