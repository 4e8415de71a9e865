//! Backfill: read a whole 100,000-event `firehose` session over loopback HTTP with the session
//! feed (stream opened first, every history page merged by id), in events/s; and the same into
//! a `Transcript` (what the dashboard does with it).
//!
//! `cargo bench --bench backfill -- --warm-up-time 1 --measurement-time 10`
//! Against an external simulator (e.g. to compare with `scripts/bench_sdk.py` on the same server):
//! `OVERSEER_BENCH_BASE_URL=http://127.0.0.1:4010 cargo bench --bench backfill`

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use overseer::api::feed::{self, FeedConfig, FeedItem};
use overseer::api::{Beta, Client, ClientConfig, Query};
use overseer::model::transcript::Transcript;
use overseer::sim::{Scenario, SimOptions};

const EVENTS: usize = 100_000;

/// Read the session's history through the feed; returns the number of events delivered.
async fn backfill(client: &Client, sid: &str, store: bool) -> usize {
    let (_handle, mut rx) = feed::spawn(client.clone(), FeedConfig::new(sid));
    let mut transcript = Transcript::new();
    let mut n = 0;
    while let Some(item) = rx.recv().await {
        match item {
            FeedItem::Event(raw) => {
                n += 1;
                if store {
                    transcript.upsert(&raw);
                }
            }
            FeedItem::HistoryLoaded | FeedItem::Ended | FeedItem::Gone { .. } => break,
            _ => {}
        }
    }
    n
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
                scenario: Scenario::Firehose,
                events: EVENTS,
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
    let Ok(client) = Client::new(ClientConfig::new(base, None)) else {
        return;
    };
    let sid = rt.block_on(async {
        let body = client
            .get_raw(Beta::ManagedAgents, "/v1/sessions", &Query::new())
            .await
            .ok()?;
        let v: serde_json::Value = serde_json::from_slice(&body).ok()?;
        v["data"]
            .as_array()?
            .iter()
            .find(|s| {
                s["title"]
                    .as_str()
                    .is_some_and(|t| t.to_lowercase().contains("firehose"))
            })
            .and_then(|s| s["id"].as_str().map(str::to_owned))
    });
    let Some(sid) = sid else { return };
    let events = rt.block_on(backfill(&client, &sid, false));
    eprintln!("backfill: session {sid} has {events} history events");

    let mut group = c.benchmark_group("backfill");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(events as u64));
    group.bench_function("feed_100k_firehose", |b| {
        b.iter(|| rt.block_on(backfill(&client, &sid, false)))
    });
    group.bench_function("feed_100k_firehose_into_transcript", |b| {
        b.iter(|| rt.block_on(backfill(&client, &sid, true)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
