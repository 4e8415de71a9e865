//! Content blocks (text, images, documents …) and their plain text.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Where an image or document comes from (discriminator `type`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentSource {
    Base64 {
        #[serde(default)]
        media_type: String,
        #[serde(default)]
        data: String,
    },
    /// Documents only: `media_type: "text/plain"`.
    Text {
        #[serde(default)]
        media_type: String,
        #[serde(default)]
        data: String,
    },
    Url {
        #[serde(default)]
        url: String,
    },
    File {
        #[serde(default)]
        file_id: String,
    },
    #[serde(untagged)]
    Unknown(Value),
}

/// One block of message / tool-result content (discriminator `type`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentBlock {
    Text {
        text: String,
    },
    Image {
        source: ContentSource,
    },
    Document {
        source: ContentSource,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        context: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
    },
    SearchResult {
        #[serde(default)]
        source: String,
        #[serde(default)]
        title: String,
        #[serde(default)]
        content: Vec<ContentBlock>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        citations: Option<Value>,
    },
    /// Content withheld by the server.
    Redacted,
    /// A block type this version does not know, or a known one with an unexpected shape.
    #[serde(untagged)]
    Unknown(Value),
}

impl ContentBlock {
    pub fn text(text: impl Into<String>) -> Self {
        ContentBlock::Text { text: text.into() }
    }
    pub fn as_text(&self) -> Option<&str> {
        match self {
            ContentBlock::Text { text } => Some(text),
            _ => None,
        }
    }
    pub fn type_name(&self) -> &str {
        match self {
            ContentBlock::Text { .. } => "text",
            ContentBlock::Image { .. } => "image",
            ContentBlock::Document { .. } => "document",
            ContentBlock::SearchResult { .. } => "search_result",
            ContentBlock::Redacted => "redacted",
            ContentBlock::Unknown(v) => v.get("type").and_then(Value::as_str).unwrap_or("unknown"),
        }
    }
}

/// The text blocks of some content joined by blank lines (other blocks are skipped).
pub fn content_text(blocks: &[ContentBlock]) -> String {
    let mut out = String::new();
    for t in blocks.iter().filter_map(ContentBlock::as_text) {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(t);
    }
    out
}
