#!/usr/bin/env python3
"""Time the official Python SDK reading a whole session the gapless way (open
`events.stream` first, then page `events.list` to the end, dedup by id), against a running
`overseer sim`. The Rust side of the comparison is `cargo bench --bench backfill`.

    pip install anthropic==2.14.0
    cargo run --release -- sim --scenario firehose --events 100000 --listen 127.0.0.1:4010 &
    python3 scripts/bench_sdk.py --base-url http://127.0.0.1:4010 --runs 3

Prints one JSON line per run and a summary line with the median events/s.
"""
import argparse
import json
import statistics
import sys
import time

import anthropic


def read_session(client, session_id):
    seen = set()
    stream = client.beta.sessions.events.stream(session_id)  # opened first, like the feed
    try:
        for event in client.beta.sessions.events.list(session_id, limit=1000, order="asc"):
            seen.add(event.id)
    finally:
        stream.close()
    return len(seen)


def pick_session(client):
    best = None
    for s in client.beta.sessions.list(limit=100):
        if best is None or "firehose" in (s.title or "").lower():
            best = s
            if "firehose" in (s.title or "").lower():
                break
    if best is None:
        sys.exit("no session found; pass --session")
    return best.id


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-url", default="http://127.0.0.1:4010")
    ap.add_argument("--api-key", default="sk-ant-sim")
    ap.add_argument("--session", default=None)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    client = anthropic.Anthropic(base_url=args.base_url, api_key=args.api_key, max_retries=2)
    session_id = args.session or pick_session(client)
    rates = []
    for run in range(args.runs):
        t0 = time.perf_counter()
        n = read_session(client, session_id)
        dt = time.perf_counter() - t0
        rates.append(n / dt)
        print(json.dumps({"run": run, "session": session_id, "events": n, "seconds": round(dt, 3),
                          "events_per_s": round(n / dt)}), flush=True)
    print(json.dumps({"sdk": anthropic.__version__, "median_events_per_s": round(statistics.median(rates))}))


if __name__ == "__main__":
    main()
