//! Drawing budgets (DESIGN.md): one full frame at 200×60 with a 1,000,000-event transcript and
//! 10,000 sessions in ≤ 2 ms median, flat in history length (compare 1,000 events); key-to-frame
//! latency while ingesting 5,000 events/s; frames drawn while idle (target 0).
//!
//! Run: `cargo bench --bench draw` (quick: `-- --warm-up-time 1 --measurement-time 2`).

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent};
use overseer::api::feed::FeedItem;
use overseer::app::fixtures::{self, NOW};
use overseer::app::state::{Pane, State, Watched};
use overseer::app::{App, Msg};
use overseer::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn big_state(events: usize, sessions: usize) -> State {
    let mut state = State::new(NOW);
    state.profile = "bench".into();
    state.base_url = "http://127.0.0.1:4010".into();
    let _ = overseer::app::update(&mut state, Msg::Resize(200, 60));
    let _ = overseer::app::update(
        &mut state,
        Msg::SessionsLoaded(fixtures::many_sessions(sessions)),
    );
    let mut w = Watched::new("sesn_000000");
    for raw in fixtures::many_events(events) {
        w.transcript.upsert(&raw);
    }
    w.history_loaded = true;
    state.watched = Some(w);
    state.focus = Pane::Events;
    state.dirty = true;
    state
}

fn full_frame(c: &mut Criterion) {
    let theme = Theme::dark();
    let mut group = c.benchmark_group("draw_200x60_10k_sessions");
    for events in [1_000usize, 1_000_000] {
        let mut app = App::new(big_state(events, 10_000), None);
        let mut term = Terminal::new(TestBackend::new(200, 60)).expect("terminal");
        group.bench_with_input(BenchmarkId::from_parameter(events), &events, |b, _| {
            b.iter(|| {
                app.state.dirty = true;
                app.draw(&mut term, &theme).expect("draw")
            })
        });
        // Scrolled away from the end (not following), selection in the middle of history.
        let _ = overseer::app::update(&mut app.state, Msg::Key(KeyEvent::from(KeyCode::Char('g'))));
        for _ in 0..(events / 2).min(50) {
            let _ = overseer::app::update(&mut app.state, Msg::Key(KeyEvent::from(KeyCode::Down)));
        }
        group.bench_with_input(BenchmarkId::new("paused", events), &events, |b, _| {
            b.iter(|| {
                app.state.dirty = true;
                app.draw(&mut term, &theme).expect("draw")
            })
        });
    }
    group.finish();
}

/// 5,000 events/s at 60 frames/s is ~84 events between frames. Each iteration ingests one
/// frame's worth of events (untimed), then times key → update → frame.
fn key_to_frame_under_ingest(c: &mut Criterion) {
    let theme = Theme::dark();
    let mut app = App::new(big_state(100_000, 10_000), None);
    let mut term = Terminal::new(TestBackend::new(200, 60)).expect("terminal");
    let mut live = fixtures::many_events(10_000_000).skip(100_000);
    let mut flip = false;
    c.bench_function("key_to_frame_while_ingesting_5000_per_s", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                for raw in live.by_ref().take(84) {
                    app.handle(Msg::Feed {
                        session_id: "sesn_000000".into(),
                        item: FeedItem::Event(raw),
                    });
                }
                flip = !flip;
                let key = if flip { KeyCode::Up } else { KeyCode::Down };
                let start = Instant::now();
                app.handle(Msg::Key(KeyEvent::from(key)));
                app.draw(&mut term, &theme).expect("draw");
                total += start.elapsed();
            }
            total
        })
    });
}

/// Frames drawn over an idle period: clock ticks arrive every second, nothing else happens.
fn idle_frames(c: &mut Criterion) {
    let theme = Theme::dark();
    let mut app = App::new(big_state(1_000, 10_000), None);
    let mut term = Terminal::new(TestBackend::new(200, 60)).expect("terminal");
    app.draw(&mut term, &theme).expect("first frame");
    let minute_start = (NOW / 60) * 60;
    // The first tick does start-up work that changes the screen (the stream follows the most
    // urgent session until the first key); idleness is measured after it.
    app.handle(Msg::Tick(minute_start));
    app.draw(&mut term, &theme).expect("settled frame");
    let before = app.state.frames;
    // 49 simulated seconds of ticks within the same minute, no input, no events.
    for s in 1..50 {
        app.handle(Msg::Tick(minute_start + s));
        app.draw(&mut term, &theme).expect("draw");
    }
    let drawn = app.state.frames - before;
    println!("idle: {drawn} frames drawn over 49 clock ticks with no input and no events");
    c.bench_function("idle_tick_no_change", |b| {
        b.iter(|| {
            app.handle(Msg::Tick(minute_start + 10));
            app.draw(&mut term, &theme).expect("draw")
        })
    });
}

criterion_group!(benches, full_frame, key_to_frame_under_ingest, idle_frames);
criterion_main!(benches);
