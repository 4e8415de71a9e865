//! Dream review: diff two stores of 10,000 memories with 100 changed (list pages + fetches of
//! the changed ones only, over loopback HTTP), journal append + fsync per decision, and applying
//! 100 accepted changes with preconditions.
//!
//! `cargo bench --bench review -- --warm-up-time 1 --measurement-time 10`
//! Against an external simulator: `OVERSEER_BENCH_BASE_URL=http://127.0.0.1:4010 cargo bench --bench review`

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use futures::StreamExt;
use overseer::api::types::{CreateMemoryParams, CreateMemoryStoreParams};
use overseer::api::{Client, ClientConfig};
use overseer::model::review::{Decision, Record, ReviewQueue};
use overseer::review::{Journal, apply, diff};
use overseer::sim::SimOptions;

const MEMORIES: usize = 10_000;
const CHANGED: usize = 100;

async fn store(client: &Client, files: Vec<(String, String)>) -> String {
    let id = client
        .create_memory_store(&CreateMemoryStoreParams {
            name: "bench".into(),
            ..Default::default()
        })
        .await
        .map(|s| s.id)
        .unwrap_or_default();
    let mut s = futures::stream::iter(files)
        .map(|(path, content)| {
            let (c, id) = (client.clone(), id.clone());
            async move {
                c.create_memory(&id, &CreateMemoryParams { path, content })
                    .await
            }
        })
        .buffer_unordered(16);
    while s.next().await.is_some() {}
    drop(s);
    id
}

/// Two stores of `n` memories; the output differs in `changed` of them.
async fn pair(client: &Client, n: usize, changed: usize) -> (String, String) {
    let input: Vec<(String, String)> = (0..n)
        .map(|i| {
            (
                format!("/notes/{:02}/n{i:05}.md", i % 50),
                format!("# Note {i}\n\nSome remembered fact number {i}.\n"),
            )
        })
        .collect();
    let step = (n / changed.max(1)).max(1);
    let output: Vec<(String, String)> = input
        .iter()
        .enumerate()
        .map(|(i, (p, c))| {
            if i % step == 0 && i / step < changed {
                (p.clone(), format!("{c}- consolidated\n"))
            } else {
                (p.clone(), c.clone())
            }
        })
        .collect();
    let a = store(client, input).await;
    let b = store(client, output).await;
    (a, b)
}

fn bench(c: &mut Criterion) {
    let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    else {
        return;
    };
    let (_sim, base) = match std::env::var("OVERSEER_BENCH_BASE_URL") {
        Ok(url) => (None, url),
        Err(_) => {
            let opts = SimOptions {
                speed: 1e-6,
                ..SimOptions::default()
            };
            let Ok(sim) = rt.block_on(overseer::sim::start(opts, ([127, 0, 0, 1], 0).into()))
            else {
                return;
            };
            let url = sim.base_url();
            (Some(sim), url)
        }
    };
    let Ok(client) = Client::new(ClientConfig::new(base.clone(), None)) else {
        return;
    };

    let (input, output) = rt.block_on(pair(&client, MEMORIES, CHANGED));
    if let Ok((changes, stats)) =
        rt.block_on(diff::store_changes(&client, "drm_bench", &input, &output))
    {
        // The budget: list pages of both stores + the changed memories (both sides), no more.
        assert_eq!(changes.len(), CHANGED);
        assert_eq!(stats.fetched, 2 * CHANGED);
        assert!(stats.requests() <= 2 * stats.input_pages.max(stats.output_pages) + 2 * CHANGED);
        eprintln!(
            "diff of {MEMORIES} vs {MEMORIES} memories ({CHANGED} changed): {} requests ({} + {} list pages, {} fetches)",
            stats.requests(),
            stats.input_pages,
            stats.output_pages,
            stats.fetched
        );
    }
    let mut g = c.benchmark_group("review");
    g.sample_size(10);
    g.bench_function("diff_10k_memories_100_changed", |b| {
        b.iter(|| rt.block_on(diff::store_changes(&client, "drm_bench", &input, &output)))
    });
    let changes = rt
        .block_on(diff::store_changes(&client, "drm_bench", &input, &output))
        .map(|(c, _)| c)
        .unwrap_or_default();

    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let Ok(opened) = Journal::open(&dir.path().join("bench.jsonl"), &base, None) else {
        return;
    };
    let mut journal = opened.journal;
    let record = Record::Decision {
        dream_id: "drm_bench".into(),
        change_id: "0123456789ab".into(),
        decision: Decision::Accept,
        seen: None,
    };
    g.sample_size(50);
    g.bench_function("journal_append_fsync", |b| {
        b.iter(|| journal.append(&record))
    });
    // The path of one key press: validate the decision (its record carries what was reviewed),
    // append + fsync it, then fold it into the queue of 100 changes.
    let mut queue = ReviewQueue::new("drm_bench", changes);
    let ids: Vec<String> = queue.changes.iter().map(|c| c.id.clone()).collect();
    let mut k = 0usize;
    g.bench_function("decision_journal_fsync_fold", |b| {
        b.iter(|| {
            let Some(id) = ids.get(k % ids.len().max(1)) else {
                return;
            };
            k += 1;
            let decision = if k.is_multiple_of(2) {
                Decision::Accept
            } else {
                Decision::Reject
            };
            if let Ok(r) = queue.decide(id, decision)
                && journal.append(&r).is_ok()
            {
                queue.apply_record(&r);
            }
        })
    });

    g.sample_size(10);
    g.bench_function("apply_100_changes", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let (input, output) = rt.block_on(pair(&client, CHANGED, CHANGED));
                let Ok((changes, _)) =
                    rt.block_on(diff::store_changes(&client, "drm_apply", &input, &output))
                else {
                    continue;
                };
                let mut q = ReviewQueue::new("drm_apply", changes);
                let Ok(all) = q.decide_all(true) else {
                    continue;
                };
                q.apply_record(&all);
                let start = Instant::now();
                let report = rt.block_on(apply::apply_queue(&client, &mut journal, &input, &mut q));
                total += start.elapsed();
                assert_eq!(report.map(|r| r.applied.len()).unwrap_or(0), CHANGED);
            }
            total
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
