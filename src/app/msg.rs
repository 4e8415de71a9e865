//! Messages into `update` and commands out of it.

use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{KeyEvent, MouseEvent};

use crate::api::EventParams;
use crate::api::feed::FeedItem;
use crate::api::types::{Deployment, DeploymentRun, Dream, MemoryStore};
use crate::app::compose::ComposeKind;
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
    /// One round of the incremental session poller (`app/poller.rs`): changed and new
    /// sessions, evidence, removals, merged by id.
    SessionsSynced(Box<crate::model::sessions::sync::SessionSync>),
    ListConn(ListConn),
    /// An item from the watched session's feed.
    Feed {
        session_id: String,
        item: FeedItem,
    },
    /// An item from the feed of one thread of the watched session (`T` on a sub-agent).
    ThreadFeed {
        session_id: String,
        thread_id: String,
        item: FeedItem,
    },
    /// The sub-agent threads the API lists for a watched session, oldest first: (id, agent
    /// name). Threads created before the loaded history window have no `thread_created` event.
    ThreadsListed {
        session_id: String,
        threads: Vec<(String, String)>,
    },
    /// A background action finished; one line for the toast.
    Done {
        text: String,
        error: bool,
    },
    /// A read-only view's data arrived (every poll round sends the whole level).
    ViewLoaded(ViewData),
    /// A read-only view's fetch failed; `error` is one line with the request-id.
    ViewFailed {
        load: ViewLoad,
        error: String,
    },
    /// Continue an export in bounded steps (the buffers travel with the message).
    ExportStep {
        session_id: String,
        from: usize,
        markdown: String,
        jsonl: String,
    },
    /// The list selection has rested since it moved to generation `generation`
    /// (see `State::selection_generation`): the stream may follow it now.
    SelectionSettled {
        generation: u64,
    },
    /// `:deployments`: an action, a save or the form's choices answered.
    Deploy(crate::app::deployments::DeployMsg),
    // -- memory browser (`app::update::memory`)
    /// A memory request answered.
    Memory(Box<crate::ops::memory::MemMsg>),
    // Session actions (`app/update/session_actions.rs`).
    /// An interrupt, message or outcome finished: the toast line, and on success the draft
    /// to forget.
    SessionActionDone {
        draft: Option<(String, ComposeKind)>,
        text: String,
        error: bool,
    },
    /// Dream review queue and dream actions (`app/review_view.rs`).
    Review(crate::app::review_view::ReviewMsg),
    /// Continue a long search without blocking keys.
    SearchStep {
        query: String,
        from: usize,
        forward: bool,
        scanned: usize,
    },
    // Needs-you queue (app/update/needs.rs).
    /// A gather across sessions finished: the queue, or one line with the request-id.
    NeedsGathered(Result<Box<crate::model::needs::NeedsQueue>, String>),
    /// An answer was sent: the echoed events, or one line with the request-id.
    AnswerSent {
        session_id: String,
        event_id: String,
        result: Result<Vec<crate::api::SessionEvent>, String>,
    },
    /// The terminal gained (true) or lost focus.
    Focus(bool),
    /// Threads tree and session detail requests answered (`app/session_info.rs`).
    Info(crate::app::session_info::InfoMsg),
}

/// What a read-only view fetches (and re-fetches on a slow poll while it is open).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewLoad {
    MemoryStores,
    Dreams,
    Deployments,
}

impl ViewLoad {
    /// For error lines: "memory stores", "dreams" …
    pub fn label(&self) -> &'static str {
        match self {
            ViewLoad::MemoryStores => "memory stores",
            ViewLoad::Dreams => "dreams",
            ViewLoad::Deployments => "deployments",
        }
    }
}

#[derive(Debug, Clone)]
pub enum ViewData {
    MemoryStores(Vec<MemoryStore>),
    Dreams(Vec<Dream>),
    /// Each deployment with its recent runs.
    Deployments(Vec<(Deployment, Vec<DeploymentRun>)>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    /// Fetch a read-only view's data now and then on a slow poll (replaces the previous one).
    LoadView(ViewLoad),
    /// The read-only view closed: stop its poll.
    StopView,
    // -- memory browser (`app::update::memory`)
    /// A memory listing or write (writes carry their `content_sha256` precondition).
    Memory(crate::ops::memory::MemCmd),
    /// Follow a session's events (stops the previous feed).
    Watch(String),
    /// Follow one thread of the watched session next to its main feed (`None`: stop it).
    WatchThread {
        session_id: String,
        thread_id: Option<String>,
    },
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
    /// Send a message back into the loop after `delay` (debounces work that should wait until
    /// the person stops moving; the message itself says whether it is still wanted).
    After {
        delay: Duration,
        msg: Box<MsgBox>,
    },
    // Needs-you queue (app/update/needs.rs).
    /// Read every session's waiting calls (`ops::needs::gather`).
    GatherNeeds,
    /// Send an answer to a waiting call (`ops::act::send_answer`).
    SendAnswer {
        session_id: String,
        event_id: String,
        answer: crate::model::needs::Answer,
    },
    // Session actions (`app/update/session_actions.rs`).
    /// `user.interrupt` to the session, or only to one sub-agent thread.
    Interrupt {
        session_id: String,
        thread_id: Option<String>,
    },
    /// `user.message` with this text.
    SendMessage {
        session_id: String,
        text: String,
    },
    /// Any other user event built from a compose overlay (e.g. `user.define_outcome`).
    SendEvent {
        session_id: String,
        draft: ComposeKind,
        event: EventParams,
    },
    /// `:deployments` actions, create/update and form choices (`app/deployments_tasks.rs`).
    Deploy(crate::app::deployments::DeployCmd),
    /// Dream review queue and dream actions, run by `app/review_tasks.rs`.
    Review(crate::app::review_view::ReviewCmd),
    /// Threads listing, session read and session update (`app/session_info.rs`).
    Info(crate::app::session_info::InfoCmd),
    /// Terminal-side effects, done by the terminal loop.
    /// Bell and/or desktop notification (OSC 9 and OSC 777) with this text.
    Notify {
        text: String,
        bell: bool,
        desktop: bool,
    },
    Copy(String),
    /// Show this text in `$PAGER` (the inspector's `o`), with the terminal suspended.
    Pager(String),
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
