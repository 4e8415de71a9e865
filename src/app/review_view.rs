//! State of the dream review queue (`:review`) and of the dream actions of `:dreams`, plus the
//! messages and commands they exchange with the runner (`app/review_tasks.rs`). Pure data: the
//! keys are `app/update/review.rs`, the drawing `ui/review.rs`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::app::editor::Editor;
use crate::model::nav::Nav;
use crate::model::review::{ChangeKind, ChangeState, Record, ReviewQueue};

/// Where decisions are journaled: the same journal `overseer review` uses for this API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalSetup {
    pub path: PathBuf,
    pub base_url: String,
    pub workspace: Option<String>,
}

/// The background computation of the open dream's changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Loading {
    #[default]
    Idle,
    Computing,
    Failed(String),
    Ready,
}

/// What `A` would write, by kind (shown in the confirmation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ApplyCounts {
    pub update: usize,
    pub create: usize,
    pub delete: usize,
    pub rename: usize,
}

impl ApplyCounts {
    pub fn total(&self) -> usize {
        self.update + self.create + self.delete + self.rename
    }
    pub fn add(&mut self, kind: ChangeKind) {
        match kind {
            ChangeKind::Modified => self.update += 1,
            ChangeKind::Added => self.create += 1,
            ChangeKind::Deleted => self.delete += 1,
            ChangeKind::Renamed => self.rename += 1,
        }
    }
}

/// A question the review or dreams view asks before doing something it cannot take back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewConfirm {
    /// Accept (`true`) or reject every change still pending of this dream.
    All {
        accept: bool,
        pending: usize,
    },
    Apply(ApplyCounts),
    /// Every change is applied or rejected: archive the dream's output store.
    ArchiveOutput {
        store_id: String,
    },
    CancelDream {
        dream_id: String,
    },
    ArchiveDream {
        dream_id: String,
    },
}

/// The `e` overlay: the proposed content to edit, then accept.
#[derive(Debug, Clone, PartialEq)]
pub struct EditOverlay {
    pub change_id: String,
    pub path: String,
    pub editor: Editor,
}

/// The start-dream form (`c` in `:dreams`).
#[derive(Debug, Clone, PartialEq)]
pub struct DreamForm {
    /// Memory stores to pick from: (id, name).
    pub stores: Vec<(String, String)>,
    pub store: Nav,
    /// Recent sessions: (id, title), and which are picked.
    pub sessions: Vec<(String, String)>,
    pub picked: Vec<bool>,
    pub session_nav: Nav,
    pub instructions: Editor,
    pub model: Editor,
    pub field: FormField,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormField {
    Store,
    Sessions,
    Instructions,
    Model,
}

impl FormField {
    pub const ALL: [FormField; 4] = [
        FormField::Store,
        FormField::Sessions,
        FormField::Instructions,
        FormField::Model,
    ];
    pub fn label(self) -> &'static str {
        match self {
            FormField::Store => "input memory store",
            FormField::Sessions => "sessions (space picks)",
            FormField::Instructions => "instructions",
            FormField::Model => "model",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ReviewView {
    /// Set at startup; `None` (no data directory) refuses reviewing with a toast.
    pub journal: Option<JournalSetup>,
    /// Bumped on every (re)load: answers for an older one are dropped.
    pub generation: u64,
    pub dream_id: Option<String>,
    pub input_store: String,
    pub output_store: String,
    pub loading: Loading,
    pub queue: Option<ReviewQueue>,
    /// The selected change and the first change row shown.
    pub list: Nav,
    /// The diff pane's scroll.
    pub diff: Nav,
    /// Decisions sent to the journal and not yet confirmed: shown "saving…", not decided.
    pub saving: Vec<Record>,
    /// Apply in progress: (steps done, steps planned).
    pub applying: Option<(usize, usize)>,
    pub confirm: Option<ReviewConfirm>,
    pub edit: Option<EditOverlay>,
    pub form: Option<DreamForm>,
    /// Changes waiting for a decision per dream reviewed in this run (the header's "review n").
    pub waiting: BTreeMap<String, usize>,
}

impl ReviewView {
    /// The keymap context while a question, the form or the review (`in_review`) is open.
    pub fn context(&self, in_review: bool) -> Option<crate::app::keymap::Context> {
        use crate::app::keymap::Context;
        if self.confirm.is_some() {
            Some(Context::ReviewConfirm)
        } else if self.form.is_some() {
            Some(Context::DreamForm)
        } else if in_review {
            Some(Context::Review)
        } else {
            None
        }
    }

    /// Changes still pending, over every dream opened so far.
    pub fn waiting_total(&self) -> usize {
        self.waiting.values().sum()
    }

    /// The change under the cursor is being written to the journal.
    pub fn is_saving(&self, change_id: &str) -> bool {
        self.saving.iter().any(|r| match r {
            Record::Decision { change_id: c, .. } => c == change_id,
            Record::Bulk { change_ids, .. } => change_ids.iter().any(|c| c == change_id),
            // An undo takes back the last decision, whichever change that was.
            Record::Undo { .. } => true,
            _ => false,
        })
    }

    /// What to show in the state column of a change.
    pub fn state_label(&self, i: usize) -> (&'static str, Option<ChangeState>) {
        let Some(q) = &self.queue else {
            return ("", None);
        };
        let (Some(c), Some(e)) = (q.changes.get(i), q.entries.get(i)) else {
            return ("", None);
        };
        if self.is_saving(&c.id) {
            return ("saving…", None);
        }
        if self.applying.is_some() && e.state == ChangeState::Accepted {
            return ("applying…", None);
        }
        if e.state == ChangeState::Pending && e.skipped {
            return ("skipped", Some(ChangeState::Pending));
        }
        if e.state == ChangeState::Accepted && e.edited.is_some() {
            return ("edited", Some(ChangeState::Accepted));
        }
        (e.state.as_str(), Some(e.state))
    }

    /// Recount the open dream's pending changes for the header.
    pub fn recount(&mut self) {
        if let Some(q) = &self.queue {
            let n = q
                .entries
                .iter()
                .filter(|e| e.state == ChangeState::Pending)
                .count();
            self.waiting.insert(q.dream_id.clone(), n);
        }
    }
}

/// Work for the runner (`Cmd::Review`).
#[derive(Debug, Clone)]
pub enum ReviewCmd {
    /// Compute the dream's changes (`None`: the newest completed dream) and replay the journal.
    Load {
        generation: u64,
        dream_id: Option<String>,
        journal: JournalSetup,
    },
    /// Append (and fsync) these records; answer `Journaled` or `JournalFailed`.
    Journal {
        generation: u64,
        records: Vec<Record>,
    },
    /// Apply the accepted changes of this queue to the input store, journaling each step.
    Apply {
        generation: u64,
        queue: Box<ReviewQueue>,
        input_store: String,
    },
    ArchiveStore {
        store_id: String,
    },
    CancelDream {
        dream_id: String,
    },
    ArchiveDream {
        dream_id: String,
    },
    /// Memory stores and recent sessions for the start-dream form.
    FormChoices,
    StartDream(Box<crate::api::types::CreateDreamParams>),
}

/// `Cmd` compares by value; a queue has no `PartialEq` (its undo stack), so compare debug text.
impl PartialEq for ReviewCmd {
    fn eq(&self, other: &Self) -> bool {
        format!("{self:?}") == format!("{other:?}")
    }
}

/// Answers from the runner (`Msg::Review`).
#[derive(Debug, Clone)]
pub enum ReviewMsg {
    Loaded {
        generation: u64,
        input_store: String,
        output_store: String,
        queue: Box<ReviewQueue>,
        /// Journal lines that could not be read (one line each).
        warnings: Vec<String>,
    },
    LoadFailed {
        generation: u64,
        error: String,
    },
    Journaled {
        generation: u64,
        records: Vec<Record>,
    },
    JournalFailed {
        generation: u64,
        error: String,
    },
    /// One apply step journaled (intent, done or conflict): fold it in.
    ApplyRecord {
        generation: u64,
        record: Record,
    },
    ApplyFinished {
        generation: u64,
        /// One line: what was written, or why it stopped.
        result: Result<String, String>,
    },
    FormChoices {
        stores: Vec<(String, String)>,
        sessions: Vec<(String, String)>,
    },
}
