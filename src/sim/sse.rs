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

use super::http::AppState;
use super::world::Frame;

pub struct StreamSpec {
    pub rx: broadcast::Receiver<Arc<Frame>>,
    pub deltas: Vec<String>,
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

/// An extra frame that a robust client must survive: an unknown event type, a truncated JSON
/// body, or a frame with no `event:` line.
fn malformed_frame(kind: u32, n: u64) -> Bytes {
    let s = match kind % 3 {
        0 => format!(
            "event: session.future_feature\ndata: {{\"type\":\"session.future_feature\",\"id\":\"sevt_01Unknown{n:014}\",\"processed_at\":\"2026-01-01T00:00:00Z\",\"novel\":{{\"x\":1}}}}\n\n"
        ),
        1 => "event: agent.message\ndata: {\"type\":\"agent.message\",\"id\":\"sevt_01Trunc\",\"content\":[{\"ty\n\n".to_string(),
        _ => "data: {\"type\":\"orphan_frame_without_event_line\"}\n\n".to_string(),
    };
    Bytes::from(s)
}

pub fn respond(state: &AppState, spec: StreamSpec) -> Response {
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(256);
    let StreamSpec {
        rx: mut events,
        deltas,
    } = spec;
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
                    if malformed > 0.0 {
                        let extra = fault_rng.lock().ok().and_then(|mut r| {
                            if r.random_bool(malformed.clamp(0.0, 1.0)) { Some(r.random::<u32>()) } else { None }
                        });
                        if let Some(kind) = extra
                            && tx.send(Ok(malformed_frame(kind, sent))).await.is_err() {
                                break;
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
