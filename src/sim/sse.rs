//! Server-sent event streams: live frames only (no replay), pings, opt-in previews, and the
//! stream faults (early close, malformed extra frames).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use bytes::Bytes;
use rand::Rng;
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;

use super::state::AppState;
use super::world::Frame;

pub struct StreamSpec {
    pub rx: broadcast::Receiver<Arc<Frame>>,
    pub deltas: Vec<String>,
    /// The session whose stream this is: the `malformed` fault's unknown-type events are
    /// recorded in its history (a newer server's event type is still a real event).
    pub session_id: String,
}

fn frame_bytes(f: &Frame) -> Bytes {
    let mut s = String::with_capacity(f.data.len() + f.event_type.len() + 48);
    s.push_str("event: ");
    s.push_str(&f.event_type);
    s.push('\n');
    if let Some(id) = &f.id {
        s.push_str("id: ");
        s.push_str(id);
        s.push('\n');
    }
    s.push_str("data: ");
    s.push_str(&f.data);
    s.push_str("\n\n");
    Bytes::from(s)
}

/// What the `malformed` fault adds before a frame: something a robust client must survive.
enum Malformed {
    /// A real event of a type this client cannot know (recorded in history, sent to every
    /// stream of the session, like a newer server's event would be).
    UnknownType,
    /// Garbage on this connection only: truncated JSON, or a frame with no `event:` line.
    Garbage(Bytes),
}

fn pick_malformed(kind: u32) -> Malformed {
    match kind % 3 {
        0 => Malformed::UnknownType,
        1 => Malformed::Garbage(Bytes::from_static(
            b"event: agent.message\ndata: {\"type\":\"agent.message\",\"id\":\"sevt_01Trunc\",\"content\":[{\"ty\n\n",
        )),
        _ => Malformed::Garbage(Bytes::from_static(
            b"data: {\"type\":\"orphan_frame_without_event_line\"}\n\n",
        )),
    }
}

/// The type of the event the `malformed` fault records.
const UNKNOWN_TYPE: &str = "session.future_feature";

/// Record a `session.future_feature` event in the session's history; the session's own
/// broadcast then delivers it to every open stream, this one included.
fn record_unknown_type_event(world: &std::sync::Mutex<super::world::World>, session_id: &str) {
    let Ok(mut w) = world.lock() else {
        return;
    };
    let now = w.now();
    let super::world::World { sessions, idg, .. } = &mut *w;
    if let Some(s) = sessions.iter_mut().find(|s| s.id == session_id) {
        s.emit(
            idg,
            now,
            None,
            serde_json::json!({"type": UNKNOWN_TYPE, "novel": {"x": 1}}),
        );
    }
}

pub fn respond(state: &AppState, spec: StreamSpec) -> Response {
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(256);
    let StreamSpec {
        rx: mut events,
        deltas,
        session_id,
    } = spec;
    let world = state.world.clone();
    let heartbeat = state.heartbeat;
    let drop_after = state.faults.drop_stream_after;
    let malformed = state.faults.malformed;
    let shutdown = state.shutdown.clone();
    let fault_rng = state.fault_rng.clone();
    tokio::spawn(async move {
        let mut sent: u64 = 0;
        let mut ping = tokio::time::interval_at(
            tokio::time::Instant::now() + heartbeat,
            heartbeat.max(Duration::from_millis(10)),
        );
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = ping.tick() => {
                    if tx.send(Ok(Bytes::from_static(b"event: ping\ndata: {}\n\n"))).await.is_err() {
                        break;
                    }
                }
                got = events.recv() => {
                    let frame = match got {
                        Ok(f) => f,
                        // Lagged: this connection missed frames; end it so the client re-syncs.
                        Err(_) => break,
                    };
                    if let Some(kind) = frame.preview
                        && !deltas.iter().any(|d| d == kind) {
                            continue;
                        }
                    // Never before an injected unknown-type event itself: with several
                    // connections open, that would breed new events without end.
                    if malformed > 0.0 && frame.event_type != UNKNOWN_TYPE {
                        let extra = fault_rng.lock().ok().and_then(|mut r| {
                            if r.random_bool(malformed.clamp(0.0, 1.0)) { Some(r.random::<u32>()) } else { None }
                        });
                        match extra.map(pick_malformed) {
                            Some(Malformed::UnknownType) => record_unknown_type_event(&world, &session_id),
                            Some(Malformed::Garbage(bytes)) if tx.send(Ok(bytes.clone())).await.is_err() => break,
                            Some(Malformed::Garbage(_)) | None => {}
                        }
                    }
                    if tx.send(Ok(frame_bytes(&frame))).await.is_err() {
                        break;
                    }
                    if frame.ends_stream {
                        break;
                    }
                    if frame.preview.is_none() {
                        sent += 1;
                        if drop_after.is_some_and(|n| sent >= n) {
                            break;
                        }
                    }
                }
            }
        }
    });
    let mut resp = Response::new(Body::from_stream(ReceiverStream::new(rx)));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}
