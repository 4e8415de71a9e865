//! Messages into `update` and commands out of it.

use std::path::PathBuf;

use crossterm::event::{KeyEvent, MouseEvent};

use crate::api::feed::FeedItem;
use crate::app::state::ListConn;
use crate::model::sessions::{Evidence, SessionSummary};

#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Paste(String),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// The wall clock moved (unix seconds).
    Tick(i64),
    /// A full poll of the session list.
    SessionsLoaded(Vec<SessionSummary>),
    /// Recent status/error events of one session, folded.
    SessionEvidence {
        id: String,
        evidence: Evidence,
    },
    ListConn(ListConn),
    /// An item from the watched session's feed.
    Feed {
        session_id: String,
        item: FeedItem,
    },
    /// A background action finished; one line for the toast.
    Done {
        text: String,
        error: bool,
    },
    /// Continue an export in bounded steps (the buffers travel with the message).
    ExportStep {
        session_id: String,
        from: usize,
        markdown: String,
        jsonl: String,
    },
    /// Continue a long search without blocking keys.
    SearchStep {
        query: String,
        from: usize,
        forward: bool,
        scanned: usize,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    /// Follow a session's events (stops the previous feed).
    Watch(String),
    /// Poll the session list now.
    RefreshNow,
    Archive(Vec<String>),
    Delete(Vec<String>),
    /// Write files in the background.
    Export {
        files: Vec<(PathBuf, String)>,
        events: usize,
    },
    /// Send a message back into the loop (lets long work yield to keys).
    Defer(Box<MsgBox>),
    /// Terminal-side effects, done by the terminal loop.
    Copy(String),
    SetMouse(bool),
    Suspend,
    Quit,
}

/// `Msg` is not `PartialEq` (key events are, feed items are); commands compare by debug text.
#[derive(Debug, Clone)]
pub struct MsgBox(pub Msg);

impl PartialEq for MsgBox {
    fn eq(&self, other: &Self) -> bool {
        format!("{:?}", self.0) == format!("{:?}", other.0)
    }
}
