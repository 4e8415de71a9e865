//! Previews from `event_start` / `event_delta`.

use rustc_hash::FxHashMap;
use serde::Deserialize;

use super::FeedItem;

#[derive(Deserialize)]
struct EventStart {
    event: EventStartRef,
}

#[derive(Deserialize)]
struct EventStartRef {
    #[serde(rename = "type")]
    kind: String,
    id: String,
}

#[derive(Deserialize)]
struct EventDelta {
    event_id: String,
    delta: Delta,
}

#[derive(Deserialize)]
struct Delta {
    #[serde(default)]
    index: Option<usize>,
    #[serde(default)]
    content: Option<DeltaContent>,
}

#[derive(Deserialize)]
struct DeltaContent {
    #[serde(default)]
    text: Option<String>,
}

#[derive(Debug, Default)]
struct Preview {
    kind: String,
    blocks: Vec<String>,
}

/// Open previews, by the id of the event that will replace them.
#[derive(Debug, Default)]
pub struct Previews {
    open: FxHashMap<String, Preview>,
}

impl Previews {
    /// Apply a preview frame (`event_start` / `event_delta`); the item to show, if any.
    pub fn apply(&mut self, type_name: &str, raw: &str) -> Option<FeedItem> {
        match type_name {
            "event_start" => {
                let start: EventStart = serde_json::from_str(raw).ok()?;
                self.open.insert(
                    start.event.id.clone(),
                    Preview {
                        kind: start.event.kind.clone(),
                        blocks: Vec::new(),
                    },
                );
                Some(FeedItem::Preview {
                    event_id: start.event.id,
                    kind: start.event.kind,
                    text: String::new(),
                })
            }
            "event_delta" => {
                let delta: EventDelta = serde_json::from_str(raw).ok()?;
                let text = delta.delta.content.and_then(|c| c.text).unwrap_or_default();
                let preview = self
                    .open
                    .entry(delta.event_id.clone())
                    .or_insert_with(|| Preview {
                        kind: "agent.message".to_owned(),
                        blocks: Vec::new(),
                    });
                let index = delta.delta.index.unwrap_or(0);
                if let Some(block) = preview.blocks.get_mut(index) {
                    block.push_str(&text);
                } else if index == preview.blocks.len() {
                    preview.blocks.push(text);
                } else {
                    // A block index past the end: the deltas before it were lost; ignore it.
                    return None;
                }
                Some(FeedItem::Preview {
                    event_id: delta.event_id,
                    kind: preview.kind.clone(),
                    text: preview.blocks.join("\n"),
                })
            }
            _ => None,
        }
    }

    /// The final event `id` arrived: its preview is replaced.
    pub fn finish(&mut self, id: &str) {
        self.open.remove(id);
    }

    /// Close every open preview (a model request ended, or the stream dropped).
    pub fn discard_all(&mut self) -> Vec<FeedItem> {
        let mut ids: Vec<String> = self.open.drain().map(|(id, _)| id).collect();
        ids.sort_unstable();
        ids.into_iter()
            .map(|event_id| FeedItem::PreviewDiscarded { event_id })
            .collect()
    }
}
