//! Ingest: SSE bytes → parsed frames → stored transcript, in events/s, for typical (~250 B) and
//! large (~4 KB) events; plus the transcript's heap bytes per raw JSON byte.
//!
//! `cargo bench --bench ingest -- --warm-up-time 1 --measurement-time 3`

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use overseer::api::feed::{Merge, Offer};
use overseer::api::sse::{FrameKind, SseParser};
use overseer::model::transcript::Transcript;

/// Counts live heap bytes, to check the transcript's own accounting against the allocator.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged; only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// A realistic mix of events whose JSON averages about `target` bytes.
fn events(n: usize, target: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(n);
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut last_use = String::new();
    for i in 0..n {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let id = format!(
            "sevt_01J{:020}",
            seed % 100_000_000_000_000_000_000u128 as u64
        );
        let ts = format!(
            "2026-11-26T{:02}:{:02}:{:02}.{:06}Z",
            (i / 3_600_000) % 24,
            (i / 60_000) % 60,
            (i / 1000) % 60,
            i % 1000 * 1000
        );
        let skeleton = match i % 6 {
            0 => format!(
                r#"{{"type":"agent.message","id":"{id}","processed_at":"{ts}","content":[{{"type":"text","text":"PAD"}}]}}"#
            ),
            1 => format!(
                r#"{{"type":"agent.tool_use","id":"{id}","processed_at":"{ts}","name":"bash","input":{{"command":"PAD"}},"evaluated_permission":"allow","evaluation":{{"type":"always_allow"}}}}"#
            ),
            2 => format!(
                r#"{{"type":"agent.tool_result","id":"{id}","processed_at":"{ts}","tool_use_id":"{last_use}","content":[{{"type":"text","text":"PAD"}}],"is_error":false}}"#
            ),
            3 => format!(
                r#"{{"type":"span.model_request_end","id":"{id}","processed_at":"{ts}","model_request_start_id":"sevt_01J{i:020}","is_error":false,"model_usage":{{"input_tokens":1234,"output_tokens":567,"cache_creation_input_tokens":0,"cache_read_input_tokens":8901,"speed":"standard"}},"note":"PAD"}}"#
            ),
            4 => format!(
                r#"{{"type":"agent.thinking","id":"{id}","processed_at":"{ts}","session_thread_id":"sthr_01J000000000000000000{}","note":"PAD"}}"#,
                i % 3
            ),
            _ => format!(
                r#"{{"type":"session.status_idle","id":"{id}","processed_at":"{ts}","stop_reason":{{"type":"end_turn"}},"note":"PAD"}}"#
            ),
        };
        let pad_len = target.saturating_sub(skeleton.len() - 3);
        let pad: String = "lorem ipsum dolor sit amet, consectetur adipiscing elit "
            .chars()
            .cycle()
            .take(pad_len)
            .collect();
        if i % 6 == 1 {
            last_use = id;
        }
        out.push(skeleton.replace("PAD", &pad));
    }
    out
}

/// The events as an SSE byte stream, cut into 16 KiB reads like a socket delivers them.
fn sse_chunks(events: &[String]) -> Vec<Vec<u8>> {
    let mut bytes = Vec::new();
    for e in events {
        let type_name = e
            .split("\"type\":\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or("x");
        bytes.extend_from_slice(format!("event: {type_name}\ndata: {e}\n\n").as_bytes());
    }
    bytes.chunks(16 * 1024).map(<[u8]>::to_vec).collect()
}

fn ingest(chunks: &[Vec<u8>]) -> Transcript {
    let mut parser = SseParser::new();
    let mut transcript = Transcript::new();
    for chunk in chunks {
        parser.push(chunk, |frame| {
            if let FrameKind::Event(data) = frame.kind() {
                transcript.upsert(data);
            }
        });
    }
    transcript
}

/// The feed's whole path: parse, merge by id, hand over an owned copy, store.
fn ingest_via_merge(chunks: &[Vec<u8>]) -> Transcript {
    let mut parser = SseParser::new();
    let mut merge = Merge::new();
    let mut transcript = Transcript::new();
    for chunk in chunks {
        parser.push(chunk, |frame| {
            if let FrameKind::Event(data) = frame.kind()
                && merge.offer(data).0 == Offer::New
            {
                let owned = data.to_owned();
                transcript.upsert(&owned);
            }
        });
    }
    transcript
}

fn bench(c: &mut Criterion) {
    for (label, size, n) in [("typical_250B", 250, 20_000), ("large_4KB", 4096, 5_000)] {
        let evs = events(n, size);
        let avg = evs.iter().map(String::len).sum::<usize>() / n;
        let chunks = sse_chunks(&evs);
        let mut group = c.benchmark_group(format!("ingest/{label}"));
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(format!("sse_to_transcript(avg {avg} B)"), |b| {
            b.iter(|| ingest(&chunks))
        });
        group.bench_function(format!("sse_merge_transcript(avg {avg} B)"), |b| {
            b.iter(|| ingest_via_merge(&chunks))
        });
        group.finish();
    }

    // Memory: the transcript's own accounting of its heap vs the raw JSON it holds.
    for (label, size, n) in [("typical_250B", 250, 200_000), ("large_4KB", 4096, 20_000)] {
        let evs = events(n, size);
        let chunks = sse_chunks(&evs);
        let before = LIVE.load(Ordering::Relaxed);
        let t = ingest(&chunks);
        let measured = LIVE.load(Ordering::Relaxed) - before;
        let raw = t.raw_bytes();
        let heap = t.heap_bytes();
        eprintln!(
            "memory/{label}: {n} events, raw {raw} B, heap (own accounting) {heap} B = {:.3} x raw, \
             {:.1} B/event over raw; allocator-measured {measured} B = {:.3} x raw",
            heap as f64 / raw as f64,
            (heap as f64 - raw as f64) / n as f64,
            measured as f64 / raw as f64
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
