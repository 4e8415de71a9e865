//! Everything the screen shows, and nothing that does I/O.

use crate::api::feed::ConnState;
use crate::app::compose::{Compose, Drafts};
use crate::app::editor::Editor;
use crate::app::keymap::{Context, Keymap};
pub use crate::app::memory_view::{MemoryBrowser, MemoryLevel};
use crate::model::nav::Nav;
use crate::model::resources::DreamRow;
use crate::model::sessions::SessionIndex;
use crate::model::transcript::{EventClass, Filter, Transcript};

const TOAST_SECS: i64 = 6;

/// Smallest terminal the dashboard draws into.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Sessions,
    Events,
}

/// Screens reached with `:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Sessions,
    Needs,
    Memory,
    Dreams,
    Deployments,
    Threads,
    Review,
    /// One session in full (`d`): `app/detail_view.rs`.
    Detail,
}

impl View {
    /// The read-only resource views (they fetch while open).
    pub fn is_resource(self) -> bool {
        matches!(self, View::Memory | View::Dreams | View::Deployments)
    }
    pub const ALL: [View; 8] = [
        View::Sessions,
        View::Needs,
        View::Memory,
        View::Dreams,
        View::Deployments,
        View::Threads,
        View::Review,
        View::Detail,
    ];
    pub fn name(self) -> &'static str {
        match self {
            View::Sessions => "sessions",
            View::Needs => "needs",
            View::Memory => "memory",
            View::Dreams => "dreams",
            View::Deployments => "deployments",
            View::Threads => "threads",
            View::Review => "review",
            View::Detail => "detail",
        }
    }
}

/// The session list poller's connection.
#[derive(Debug, Clone, PartialEq)]
pub enum ListConn {
    Connecting,
    Ok,
    Retrying {
        attempt: u32,
        reason: String,
    },
    Down {
        reason: String,
    },
    /// The API refused the request (401/403/404): retrying fast cannot help.
    Rejected {
        reason: String,
    },
}

impl ListConn {
    /// Why the list is not loading, when it is not.
    pub fn problem(&self) -> Option<&str> {
        match self {
            ListConn::Retrying { reason, .. }
            | ListConn::Down { reason }
            | ListConn::Rejected { reason } => Some(reason),
            ListConn::Connecting | ListConn::Ok => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Command,
    SessionFilter,
    EventSearch,
}

/// The one-line text input at the bottom (`:`, `/`), on the app's one [`Editor`].
#[derive(Debug, Clone, PartialEq)]
pub struct InputLine {
    pub kind: InputKind,
    pub editor: Editor,
}

impl InputLine {
    pub fn new(kind: InputKind, initial: &str) -> InputLine {
        InputLine {
            kind,
            editor: Editor::single_line(initial),
        }
    }

    pub fn text(&self) -> String {
        self.editor.text()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkAction {
    Archive,
    Delete,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// The cursor is the first line shown.
    Help { nav: Nav },
    Confirm {
        action: BulkAction,
        ids: Vec<String>,
    },
    /// The selected event in full (pretty JSON), scrollable.
    Event { nav: Nav },
    // Session actions (`app/update/session_actions.rs`).
    /// Writing something for a session (message, outcome): a form of editors.
    Compose(Box<Compose>),
    /// `I`: interrupt this session (or only this sub-agent thread)?
    Interrupt {
        session_id: String,
        thread_id: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub text: String,
    pub error: bool,
    /// Unix seconds after which it disappears.
    pub until: i64,
}

/// A live typing preview (from `event_delta`s), replaced by the final event.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    pub event_id: String,
    pub kind: String,
    pub text: String,
}

/// The session whose events the right side shows.
#[derive(Debug)]
pub struct Watched {
    pub session_id: String,
    pub transcript: Transcript,
    pub conn: ConnState,
    pub history_loaded: bool,
    /// Ever been live: a later `Live` after a retry is a reconnect.
    pub was_live: bool,
    pub previews: Vec<Preview>,
    /// Threads seen (`session.thread_created`): (id, agent name).
    pub threads: Vec<(String, String)>,
    /// Local marker counter (ids of inserted marker rows).
    pub markers: u64,
    pub ended: bool,
    /// The selected sub-agent thread's own transcript (its tool uses and results are only on
    /// the thread's stream), fed by a second feed while that thread is selected.
    pub thread_feed: Option<ThreadFeed>,
}

/// A sub-agent thread's transcript, from its own feed.
#[derive(Debug)]
pub struct ThreadFeed {
    pub thread_id: String,
    pub transcript: Transcript,
    pub conn: ConnState,
    pub history_loaded: bool,
}

impl ThreadFeed {
    pub fn new(thread_id: impl Into<String>) -> Self {
        ThreadFeed {
            thread_id: thread_id.into(),
            transcript: Transcript::new(),
            conn: ConnState::Connecting,
            history_loaded: false,
        }
    }
}

impl Watched {
    pub fn new(session_id: impl Into<String>) -> Self {
        Watched {
            session_id: session_id.into(),
            transcript: Transcript::new(),
            conn: ConnState::Connecting,
            history_loaded: false,
            was_live: false,
            previews: Vec::new(),
            threads: Vec::new(),
            markers: 0,
            ended: false,
            thread_feed: None,
        }
    }

    /// The transcript the event pane shows under `filter`, and the filter to apply to it: a
    /// selected sub-agent thread with its own feed shows that feed's transcript whole (its
    /// events do not carry `session_thread_id`).
    pub fn shown(&self, filter: &Filter) -> (&Transcript, Filter) {
        match (&self.thread_feed, &filter.thread) {
            (Some(t), Some(id)) if *id == t.thread_id => (
                &t.transcript,
                Filter {
                    classes: filter.classes.clone(),
                    thread: None,
                },
            ),
            _ => (&self.transcript, filter.clone()),
        }
    }
}

/// How the event stream pane is scrolled and filtered.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamView {
    pub filter: Filter,
    /// Follow mode: the last row stays selected as events arrive (beside `nav`, which it
    /// overrides while on).
    pub follow: bool,
    /// Selected row in the filtered view and its first visible row.
    pub nav: Nav,
    /// Filtered row count when follow was paused (for "n new").
    pub paused_at_count: usize,
    pub wrap: bool,
    pub timestamps: bool,
    pub search: Option<String>,
    /// `(match under the cursor, matches)` of the last search move, for the pane title.
    pub search_hits: Option<(usize, usize)>,
}

impl Default for StreamView {
    fn default() -> Self {
        StreamView {
            filter: Filter::default(),
            follow: true,
            nav: Nav::default(),
            paused_at_count: 0,
            wrap: false,
            timestamps: true,
            search: None,
            search_hits: None,
        }
    }
}

impl StreamView {
    pub fn kind_label(&self) -> &'static str {
        match self.filter.classes.as_slice() {
            [] => "all",
            [EventClass::Message] => "messages",
            [EventClass::Tool] | [EventClass::Tool, EventClass::Error] => "tools",
            [EventClass::Error] => "errors",
            [EventClass::Status] => "status",
            [EventClass::Span] => "spans",
            _ => "custom",
        }
    }
}

/// The selected event (or tool call) prepared once per selection change, never per frame:
/// bounded trees (see `model::json_tree`), one per tab. Holds no copy of the raw event.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InspectorCache {
    /// Transcript index the view belongs to.
    pub index: Option<usize>,
    pub title: String,
    /// The call when the selected event is a tool use, result or confirmation.
    pub call: Option<crate::model::toolcall::Call>,
    /// The outcome when the selected event defines or evaluates one.
    pub outcome: Option<crate::model::outcome::Outcome>,
    /// (label, tree): Input / Output / Raw for a call; Evaluations / Rubric / Raw for an
    /// outcome; Text / Raw for other events.
    pub tabs: Vec<(&'static str, crate::model::json_tree::JsonTree)>,
    pub tab: usize,
    /// `/` in the inspector: the query (kept across selections) and its editor while typed.
    pub search: Option<String>,
    pub typing: Option<crate::app::editor::Editor>,
}

pub use crate::app::fetch::Fetch;

/// `:dreams`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DreamList {
    pub dreams: Vec<DreamRow>,
    pub nav: Nav,
    /// Keys scroll the JSON on the right instead of the list.
    pub detail: bool,
    /// First JSON line shown (the cursor).
    pub scroll: Nav,
    pub fetch: Fetch,
}

/// `:deployments` (its state, confirmation and form live in `app/deployments.rs`).
pub use crate::app::deployments::DeploymentList;

#[derive(Debug)]
pub struct State {
    /// Unix seconds; a fixed value in tests makes frames deterministic.
    pub now: i64,
    pub profile: String,
    pub base_url: String,
    pub demo: bool,
    pub read_only: bool,
    pub mouse: bool,
    pub conn: ListConn,
    pub sessions: SessionIndex,
    /// Selected row of the session list view and its first visible row.
    pub list: Nav,
    /// The person has pressed a key: until then the list keeps its top (most urgent) row
    /// selected and watched as evidence re-sorts it.
    pub list_touched: bool,
    /// The top row changed under an untouched list: watch it on the next tick (so a burst of
    /// evidence does not open a feed per message).
    pub auto_watch: bool,
    /// Bumped whenever navigation moves the list selection to another session; a delayed
    /// `Msg::SelectionSettled` watches the selection only if no later move happened.
    pub selection_generation: u64,
    pub view: View,
    pub focus: Pane,
    pub watched: Option<Watched>,
    pub stream: StreamView,
    pub inspector: InspectorCache,
    pub overlay: Option<Overlay>,
    pub input: Option<InputLine>,
    pub toast: Option<Toast>,
    pub keymap: Keymap,
    pub memory: MemoryBrowser,
    pub dreams: DreamList,
    pub deployments: DeploymentList,
    /// The Needs-you queue (`!`), fed whatever the view.
    pub needs: crate::app::needs::NeedsPane,
    /// Unsent compose overlays (session actions), reopened with what was typed.
    pub drafts: Drafts,
    /// The dream review queue and the dream actions.
    pub review: crate::app::review_view::ReviewView,
    // Threads tree, spend and session detail (`app/update/{threads,detail}.rs`).
    /// The watched session's thread tree and burn rate (`:threads`).
    pub threads: crate::app::threads_view::ThreadsView,
    /// `d`: one session in full.
    pub detail: crate::app::detail_view::DetailView,
    /// Fleet spend today (recomputed on the clock tick).
    pub today: crate::model::spend::Today,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    /// Something visible changed since the last frame.
    pub dirty: bool,
    /// Frames drawn so far (the idle benchmark counts these).
    pub frames: u64,
    pub quit: bool,
}

impl State {
    pub fn new(now: i64) -> State {
        State {
            now,
            profile: String::new(),
            base_url: String::new(),
            demo: false,
            read_only: false,
            mouse: false,
            conn: ListConn::Connecting,
            sessions: SessionIndex::new(),
            list: Nav::default(),
            list_touched: false,
            auto_watch: false,
            selection_generation: 0,
            view: View::Sessions,
            focus: Pane::Sessions,
            watched: None,
            stream: StreamView::default(),
            inspector: InspectorCache::default(),
            overlay: None,
            input: None,
            toast: None,
            keymap: Keymap::default(),
            memory: MemoryBrowser::default(),
            dreams: DreamList::default(),
            deployments: DeploymentList::default(),
            needs: crate::app::needs::NeedsPane::new(),
            drafts: Drafts::default(),
            review: Default::default(),
            threads: Default::default(),
            detail: Default::default(),
            today: Default::default(),
            size: (120, 40),
            dirty: true,
            frames: 0,
            quit: false,
        }
    }

    /// Show one line at the bottom for a while (long sentences stay long enough to read).
    pub fn show_toast(&mut self, text: &str, error: bool) {
        self.toast = Some(Toast {
            text: crate::text::one_line(text),
            error,
            // About 15 characters a second.
            until: self.now + TOAST_SECS.max(text.chars().count() as i64 / 15).min(30),
        });
        self.dirty = true;
    }

    /// The keymap context keys go to right now.
    pub fn context(&self) -> Context {
        if self.input.is_some() {
            return Context::Input;
        }
        if self.overlay.is_none()
            && let Some(c) = self.review.context(self.view == View::Review)
        {
            return c;
        }
        match &self.overlay {
            Some(Overlay::Help { .. }) => Context::Help,
            Some(Overlay::Confirm { .. }) => Context::Confirm,
            Some(Overlay::Event { .. }) => Context::Inspector,
            None if self.needs.confirm.is_some() => Context::Confirm,
            Some(Overlay::Compose(_)) => Context::Compose,
            Some(Overlay::Interrupt { .. }) => Context::Confirm,
            None => match (self.view, self.focus) {
                (View::Needs, _) => Context::Needs,
                (View::Memory, _) => self.memory.context(),
                (View::Dreams, _) => Context::Dreams,
                (View::Deployments, _) => self.deployments.context(),
                (View::Detail, _) if self.detail.typing() => Context::Input,
                (View::Detail, _) => Context::Detail,
                (View::Threads, Pane::Sessions) => Context::Threads,
                (View::Threads, Pane::Events) if self.threads.conversation => Context::Conversation,
                (_, Pane::Sessions) => Context::Sessions,
                (_, Pane::Events) => Context::Events,
            },
        }
    }

    /// Rows the filtered event view has (0 when nothing is watched).
    pub fn stream_len(&self) -> usize {
        self.watched.as_ref().map_or(0, |w| {
            let (t, f) = w.shown(&self.stream.filter);
            t.count(&f)
        })
    }

    /// Id of the session under the list cursor.
    pub fn selected_session(&self) -> Option<&str> {
        self.sessions
            .view_get(self.list.cursor)
            .map(|e| e.summary.id.as_str())
    }
}
