//! The Needs-you queue pane's state: the live queue of calls waiting for a person, the cursor,
//! marks, the answer editor and the allow-all confirmation, and the notification settings.

use std::collections::{BTreeSet, HashSet};

use crate::app::editor::Editor;
use crate::model::nav::Nav;
use crate::model::needs::NeedsQueue;

/// One waiting call: (session id, event id).
pub type CallRef = (String, String);

pub use crate::config::{NotifySettings, NotifyWhen};

/// Never more than one notification in this many seconds.
pub const NOTIFY_EVERY_SECS: i64 = 5;

/// What the answer editor will send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditorPurpose {
    /// Deny a tool confirmation, with the typed text as its message (empty: none).
    Deny,
    /// Answer a custom tool with the typed text.
    Answer { is_error: bool },
}

/// The multi-line editor over the queue.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerEditor {
    pub call: CallRef,
    /// The tool's name, for the title.
    pub tool: String,
    pub purpose: EditorPurpose,
    pub editor: Editor,
}

#[derive(Debug, Clone, Default)]
pub struct NeedsPane {
    pub queue: NeedsQueue,
    pub nav: Nav,
    pub marks: BTreeSet<CallRef>,
    pub editor: Option<AnswerEditor>,
    /// `Y`: the marked calls to allow, waiting for a yes.
    pub confirm: Option<Vec<CallRef>>,
    /// A gather is out.
    pub gathering: bool,
    /// Unix seconds of the last gather asked for (0: never).
    pub last_gather: i64,
    /// The waiting sessions the list showed at the last gather (a change asks for a new one).
    pub waiting_seen: BTreeSet<String>,
    /// Every call ever seen in the queue (a new one notifies); bounded by what the API lists.
    pub known: HashSet<CallRef>,
    pub notify: NotifySettings,
    /// Whether the terminal has focus (terminals that do not report focus count as focused).
    pub focused: bool,
    /// Unix seconds of the last notification sent.
    pub last_notify: Option<i64>,
    /// `Enter` opened this call's session: put the stream cursor on it once it is loaded.
    pub jump: Option<CallRef>,
    /// Notifications held back by the rate limit, folded into the next one.
    pub held: usize,
}

impl NeedsPane {
    pub fn new() -> NeedsPane {
        NeedsPane {
            focused: true,
            ..NeedsPane::default()
        }
    }
}
