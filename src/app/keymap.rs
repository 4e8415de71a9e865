//! ONE table of (context, key, action, label). It drives key dispatch, the footer hints and the
//! `?` help overlay, and the config's `keys` map overrides it by action name
//! (`"sessions.archive" = "ctrl-a"`; several keys separated by commas).

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies. `Global` applies under every pane context (not under modal ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    Global,
    Sessions,
    Events,
    Inspector,
    Memory,
    /// The memory browser's versions list and its agent-writes audit.
    MemoryVersions,
    MemoryAudit,
    Dreams,
    Deployments,
    Help,
    Confirm,
    Needs,
    /// The compose overlay (message, outcome): its editor's keys plus send and next field.
    Compose,
    /// Typing in a prompt or editor: the keys are the editor's (listed for footer and help).
    Input,
    Review,
    /// A question of the review queue or the dreams view (y/n).
    ReviewConfirm,
    /// The start-dream form.
    DreamForm,
    /// The create/edit deployment form.
    DeploymentForm,
    /// `:threads`: the thread tree, and the conversation beside it.
    Threads,
    Conversation,
    /// `d`: one session in full.
    Detail,
}

impl Context {
    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Sessions => "sessions",
            Context::Events => "events",
            Context::Inspector => "inspector",
            Context::Memory => "memory",
            Context::MemoryVersions => "memory_versions",
            Context::MemoryAudit => "memory_audit",
            Context::Dreams => "dreams",
            Context::Deployments => "deployments",
            Context::Help => "help",
            Context::Confirm => "confirm",
            Context::Needs => "needs",
            Context::Input => "input",
            Context::Compose => "compose",
            Context::Review => "review",
            Context::ReviewConfirm => "review_confirm",
            Context::DreamForm => "dream_form",
            Context::DeploymentForm => "deployment_form",
            Context::Threads => "threads",
            Context::Conversation => "conversation",
            Context::Detail => "detail",
        }
    }
    /// Modal contexts swallow every key; global bindings do not apply.
    pub fn modal(self) -> bool {
        matches!(
            self,
            Context::Help
                | Context::Confirm
                | Context::Input
                | Context::Compose
                | Context::ReviewConfirm
                | Context::DreamForm
                | Context::DeploymentForm
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    ShowHelp,
    CommandLine,
    FocusNext,
    FocusPrev,
    ToggleMouse,
    Refresh,
    Suspend,
    ViewNeeds,
    Back,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Filter,
    ToggleArchived,
    SortNext,
    SortReverse,
    Mark,
    ClearMarks,
    Archive,
    Delete,
    Follow,
    ToggleWrap,
    ToggleTimestamps,
    Search,
    NextMatch,
    PrevMatch,
    Expand,
    Copy,
    Export,
    KindAll,
    KindMessages,
    KindTools,
    KindErrors,
    KindStatus,
    KindSpans,
    NextThread,
    Yes,
    No,
    // The inspector (tool-call view).
    NextTab,
    TabInput,
    TabOutput,
    TabRaw,
    ToggleFold,
    FoldClose,
    FoldOpen,
    FoldAll,
    UnfoldAll,
    CopyCall,
    Pager,
    PrevProblem,
    NextProblem,
    JumpPair,
    GoToThread,
    // Needs-you queue.
    AllowCall,
    DenyCall,
    AnswerCall,
    AllowMarked,
    // -- memory browser
    Collapse,
    Edit,
    Versions,
    Audit,
    Revert,
    Redact,
    // Editor keys (context `Input`): handled by `app::editor::Editor`, listed here.
    Submit,
    Cancel,
    Complete,
    CursorLeft,
    CursorRight,
    LineStart,
    LineEnd,
    ClearLine,
    DeleteWord,
    Undo,
    // Session actions (`app/update/session_actions.rs`).
    Interrupt,
    SendMessage,
    DefineOutcome,
    NextField,
    // dream review and dream actions
    ReviewAccept,
    ReviewReject,
    ReviewEdit,
    ReviewSkip,
    ReviewAcceptAll,
    ReviewRejectAll,
    ReviewUndo,
    ReviewApply,
    NextChange,
    PrevChange,
    OpenReview,
    StartDream,
    CancelDream,
    ArchiveDream,
    FormNext,
    FormPrev,
    FormPick,
    FormSubmit,
    // deployments
    PauseDeployment,
    RunDeployment,
    CreateDeployment,
    // Threads tree and session detail.
    ViewThreads,
    OpenDetail,
    ToggleConversation,
    Rename,
}

impl Action {
    /// Stable name used in the config file (after the context: `events.follow`).
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::ShowHelp => "help",
            Action::CommandLine => "command",
            Action::FocusNext => "focus_next",
            Action::FocusPrev => "focus_prev",
            Action::ToggleMouse => "mouse",
            Action::Refresh => "refresh",
            Action::Suspend => "suspend",
            Action::ViewNeeds => "needs",
            Action::Back => "back",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::Open => "open",
            Action::Filter => "filter",
            Action::ToggleArchived => "archived",
            Action::SortNext => "sort",
            Action::SortReverse => "sort_reverse",
            Action::Mark => "mark",
            Action::ClearMarks => "clear_marks",
            Action::Archive => "archive",
            Action::Delete => "delete",
            Action::Follow => "follow",
            Action::ToggleWrap => "wrap",
            Action::ToggleTimestamps => "timestamps",
            Action::Search => "search",
            Action::NextMatch => "next_match",
            Action::PrevMatch => "prev_match",
            Action::Expand => "expand",
            Action::Copy => "copy",
            Action::Export => "export",
            Action::KindAll => "kind_all",
            Action::KindMessages => "kind_messages",
            Action::KindTools => "kind_tools",
            Action::KindErrors => "kind_errors",
            Action::KindStatus => "kind_status",
            Action::KindSpans => "kind_spans",
            Action::NextThread => "thread",
            Action::Yes => "yes",
            Action::No => "no",
            Action::NextTab => "next_tab",
            Action::TabInput => "tab_input",
            Action::TabOutput => "tab_output",
            Action::TabRaw => "tab_raw",
            Action::ToggleFold => "fold",
            Action::FoldClose => "fold_close",
            Action::FoldOpen => "fold_open",
            Action::FoldAll => "fold_all",
            Action::UnfoldAll => "unfold_all",
            Action::CopyCall => "copy_call",
            Action::Pager => "pager",
            Action::PrevProblem => "prev_problem",
            Action::NextProblem => "next_problem",
            Action::JumpPair => "use_result",
            Action::GoToThread => "go_to_thread",
            Action::AllowCall => "allow",
            Action::DenyCall => "deny",
            Action::AnswerCall => "answer",
            Action::AllowMarked => "allow_marked",
            Action::Collapse => "collapse",
            Action::Edit => "edit",
            Action::Versions => "versions",
            Action::Audit => "audit",
            Action::Revert => "revert",
            Action::Redact => "redact",
            Action::Submit => "submit",
            Action::Cancel => "cancel",
            Action::Complete => "complete",
            Action::CursorLeft => "left",
            Action::CursorRight => "right",
            Action::LineStart => "home",
            Action::LineEnd => "end",
            Action::ClearLine => "clear",
            Action::DeleteWord => "delete_word",
            Action::Undo => "undo",
            Action::Interrupt => "interrupt",
            Action::SendMessage => "message",
            Action::DefineOutcome => "outcome",
            Action::NextField => "next_field",
            Action::ReviewAccept => "accept",
            Action::ReviewReject => "reject",
            Action::ReviewEdit => "review_edit",
            Action::ReviewSkip => "skip",
            Action::ReviewAcceptAll => "accept_all",
            Action::ReviewRejectAll => "reject_all",
            Action::ReviewUndo => "review_undo",
            Action::ReviewApply => "apply",
            Action::NextChange => "next_change",
            Action::PrevChange => "prev_change",
            Action::OpenReview => "review",
            Action::StartDream => "start_dream",
            Action::CancelDream => "cancel_dream",
            Action::ArchiveDream => "archive_dream",
            Action::FormNext => "form_next",
            Action::FormPrev => "form_prev",
            Action::FormPick => "form_pick",
            Action::FormSubmit => "form_submit",
            Action::PauseDeployment => "pause",
            Action::RunDeployment => "run_now",
            Action::CreateDeployment => "create",
            Action::ViewThreads => "threads",
            Action::OpenDetail => "detail",
            Action::ToggleConversation => "conversation",
            Action::Rename => "rename",
        }
    }

    /// Changes something on the server (hidden from hints in read-only mode).
    pub fn writes(self) -> bool {
        matches!(
            self,
            Action::Archive
                | Action::Delete
                | Action::AllowCall
                | Action::DenyCall
                | Action::AnswerCall
                | Action::AllowMarked
                | Action::Edit
                | Action::Revert
                | Action::Redact
                | Action::Interrupt
                | Action::SendMessage
                | Action::DefineOutcome
                | Action::ReviewAccept
                | Action::ReviewReject
                | Action::ReviewEdit
                | Action::ReviewSkip
                | Action::ReviewAcceptAll
                | Action::ReviewRejectAll
                | Action::ReviewUndo
                | Action::ReviewApply
                | Action::StartDream
                | Action::CancelDream
                | Action::ArchiveDream
                | Action::PauseDeployment
                | Action::RunDeployment
                | Action::CreateDeployment
                | Action::Rename
        )
    }
}

/// Ctrl-C quits from everywhere, whatever the config says: the one key that must always work.
const CTRL_C: Key = Key {
    code: KeyCode::Char('c'),
    ctrl: true,
    alt: false,
};

/// A key with its modifiers. Characters carry their own case, so SHIFT is ignored on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub fn from_event(ev: &KeyEvent) -> Key {
        let code = match ev.code {
            KeyCode::Tab if ev.modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            c => c,
        };
        Key {
            code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
            alt: ev.modifiers.contains(KeyModifiers::ALT),
        }
    }

    /// `q`, `G`, `ctrl-c`, `alt-x`, `enter`, `esc`, `space`, `tab`, `backtab`, `up`, `pgdn`, `f1` …
    pub fn parse(spec: &str) -> Option<Key> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = spec.trim();
        loop {
            let lower = rest.to_ascii_lowercase();
            if lower.starts_with("ctrl-") && rest.len() > 5 {
                ctrl = true;
                rest = &rest[5..];
            } else if lower.starts_with("alt-") && rest.len() > 4 {
                alt = true;
                rest = &rest[4..];
            } else {
                break;
            }
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "space" => KeyCode::Char(' '),
            "tab" => KeyCode::Tab,
            "backtab" | "shift-tab" => KeyCode::BackTab,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().ok()?)
            }
            _ => {
                let mut chars = rest.chars();
                let c = chars.next()?;
                if chars.next().is_some() {
                    return None;
                }
                // ctrl-A and ctrl-a are the same key to a terminal.
                KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c })
            }
        };
        Some(Key { code, ctrl, alt })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("^")?;
        }
        if self.alt {
            f.write_str("M-")?;
        }
        match self.code {
            KeyCode::Enter => f.write_str("⏎"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("S-tab"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::Backspace => f.write_str("bksp"),
            KeyCode::Delete => f.write_str("del"),
            KeyCode::F(n) => write!(f, "F{n}"),
            _ => f.write_str("?"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Binding {
    pub context: Context,
    pub key: Key,
    pub action: Action,
    pub label: &'static str,
    /// Shown in the footer (the help overlay shows every binding).
    pub hint: bool,
}

/// The default table: (context, keys, action, label, footer hint).
const DEFAULTS: &[(Context, &str, Action, &str, bool)] = {
    use Action::*;
    use Context::*;
    &[
        (Global, "q,ctrl-c", Quit, "quit", true),
        (Global, "?", ShowHelp, "help", true),
        (Global, ":", CommandLine, "command", true),
        (Global, "tab", FocusNext, "next pane", true),
        (Global, "backtab", FocusPrev, "previous pane", false),
        (Global, "!", ViewNeeds, "needs you", false),
        (Global, "ctrl-r", Refresh, "refresh now", false),
        (Global, "M", ToggleMouse, "mouse on/off", false),
        (Global, "ctrl-z", Suspend, "suspend", false),
        (Sessions, "k,up", Up, "up", false),
        (Sessions, "j,down", Down, "down", false),
        (Sessions, "pgup,ctrl-b", PageUp, "page up", false),
        (Sessions, "pgdn,ctrl-f", PageDown, "page down", false),
        (Sessions, "g,home", Top, "first", false),
        (Sessions, "G,end", Bottom, "last", false),
        (Sessions, "enter,l,right", Open, "open stream", true),
        (Sessions, "/", Filter, "filter", true),
        (Sessions, "s", SortNext, "sort", true),
        (Sessions, "S", SortReverse, "reverse sort", false),
        (Sessions, "a", ToggleArchived, "archived", true),
        (Sessions, "space", Mark, "mark", true),
        (Sessions, "esc", ClearMarks, "clear marks/filter", false),
        (Sessions, "ctrl-a", Archive, "archive", true),
        (Sessions, "ctrl-d", Delete, "delete", true),
        (Events, "k,up", Up, "up", false),
        (Events, "j,down", Down, "down", false),
        (Events, "pgup,ctrl-b", PageUp, "page up", false),
        (Events, "pgdn,ctrl-f", PageDown, "page down", false),
        (Events, "g,home", Top, "first", false),
        (Events, "G,end", Bottom, "follow", true),
        (Events, "f", Follow, "follow on/off", false),
        (Events, "enter", Expand, "expand", true),
        (Events, "/", Search, "search", true),
        (Events, "n", NextMatch, "next match", false),
        (Events, "N", PrevMatch, "previous match", false),
        (Events, "w", ToggleWrap, "wrap", true),
        (Events, "t", ToggleTimestamps, "times", true),
        (Events, "0", KindAll, "all kinds", false),
        (Events, "1", KindMessages, "messages only", true),
        (Events, "2", KindTools, "tools only", false),
        (Events, "3", KindErrors, "errors only", false),
        (Events, "4", KindStatus, "status only", false),
        (Events, "5", KindSpans, "spans only", false),
        (Events, "T", NextThread, "next thread", false),
        (Events, "y", Copy, "copy JSON", true),
        (Events, "ctrl-s", Export, "export", false),
        (Events, "esc,h,left", Back, "sessions", false),
        // Session actions (list or stream focus; hidden and refused in read-only mode).
        (Sessions, "I", Interrupt, "interrupt", false),
        (Sessions, "m", SendMessage, "message", false),
        (Sessions, "O", DefineOutcome, "outcome", false),
        (Events, "I", Interrupt, "interrupt", false),
        (Events, "m", SendMessage, "message", false),
        (Events, "O", DefineOutcome, "outcome", false),
        (Compose, "ctrl-s,alt-enter", Submit, "send", true),
        (Compose, "tab", NextField, "next field", true),
        (Compose, "esc", Cancel, "close (keeps draft)", true),
        (Inspector, "k,up", Up, "up", false),
        (Inspector, "j,down", Down, "down", false),
        (Inspector, "pgup,ctrl-b", PageUp, "page up", false),
        (Inspector, "pgdn,ctrl-f", PageDown, "page down", false),
        (Inspector, "g,home", Top, "top", false),
        (Inspector, "G,end", Bottom, "bottom", false),
        (Inspector, "tab", NextTab, "next tab", true),
        (Inspector, "1", TabInput, "input tab", false),
        (Inspector, "2", TabOutput, "output tab", false),
        (Inspector, "3", TabRaw, "raw tab", false),
        (Inspector, "space,enter,z", ToggleFold, "fold", true),
        (Inspector, "h,left", FoldClose, "fold / parent", false),
        (Inspector, "l,right", FoldOpen, "unfold", false),
        (Inspector, "M", FoldAll, "fold all", false),
        (Inspector, "R", UnfoldAll, "unfold all", false),
        (Inspector, "[", PrevProblem, "previous error/denied", false),
        (Inspector, "]", NextProblem, "next error/denied", true),
        (Inspector, "p,%", JumpPair, "use ↔ result", true),
        (Inspector, "t", GoToThread, "go to thread", false),
        (Inspector, "/", Search, "search", true),
        (Inspector, "n", NextMatch, "next match", false),
        (Inspector, "N", PrevMatch, "previous match", false),
        (Inspector, "y", Copy, "copy value", true),
        (Inspector, "Y", CopyCall, "copy call", false),
        (Inspector, "o", Pager, "$PAGER", true),
        (Inspector, "esc,q", Back, "close", true),
        (Memory, "k,up", Up, "up", false),
        (Memory, "j,down", Down, "down", false),
        (Memory, "pgup,ctrl-b", PageUp, "page up", false),
        (Memory, "pgdn,ctrl-f", PageDown, "page down", false),
        (Memory, "g,home", Top, "first", false),
        (Memory, "G,end", Bottom, "last", false),
        (Memory, "enter,l,right", Open, "open", true),
        (Memory, "h,left", Collapse, "close folder", false),
        (Memory, "esc", Back, "back", true),
        (Memory, "/", Search, "search", false),
        (Memory, "n", NextMatch, "next match", false),
        (Memory, "N", PrevMatch, "previous match", false),
        (Memory, "v", Versions, "versions", true),
        (Memory, "W", Audit, "agent writes", true),
        (Memory, "e", Edit, "edit", true),
        (Memory, "d,delete", Delete, "delete", false),
        (Memory, "A", Archive, "archive store", false),
        (Memory, "ctrl-r", Refresh, "refresh", true),
        (MemoryVersions, "k,up", Up, "up", false),
        (MemoryVersions, "j,down", Down, "down", false),
        (MemoryVersions, "pgup,ctrl-b", PageUp, "diff up", false),
        (MemoryVersions, "pgdn,ctrl-f", PageDown, "diff down", false),
        (MemoryVersions, "space", Mark, "mark: diff against it", true),
        (MemoryVersions, "R", Revert, "revert to it", true),
        (MemoryVersions, "X", Redact, "redact", false),
        (MemoryVersions, "esc,h,left", Back, "back", true),
        (MemoryAudit, "k,up", Up, "up", false),
        (MemoryAudit, "j,down", Down, "down", false),
        (MemoryAudit, "g,home", Top, "first", false),
        (MemoryAudit, "G,end", Bottom, "last", false),
        (MemoryAudit, "enter,l,right", Open, "its versions", true),
        (MemoryAudit, "esc,h,left", Back, "back", true),
        (MemoryAudit, "ctrl-r", Refresh, "refresh", true),
        (Dreams, "k,up", Up, "up", false),
        (Dreams, "j,down", Down, "down", false),
        (Dreams, "pgup,ctrl-b", PageUp, "page up", false),
        (Dreams, "pgdn,ctrl-f", PageDown, "page down", false),
        (Dreams, "g,home", Top, "first", false),
        (Dreams, "G,end", Bottom, "last", false),
        (Dreams, "enter,l,right", Open, "JSON", true),
        (Dreams, "esc,h,left", Back, "back", true),
        (Dreams, "ctrl-r", Refresh, "refresh", true),
        (Deployments, "k,up", Up, "up", false),
        (Deployments, "j,down", Down, "down", false),
        (Deployments, "pgup,ctrl-b", PageUp, "page up", false),
        (Deployments, "pgdn,ctrl-f", PageDown, "page down", false),
        (Deployments, "g,home", Top, "first", false),
        (Deployments, "G,end", Bottom, "last", false),
        (Deployments, "enter,l,right", Open, "runs", true),
        (Deployments, "esc,h,left", Back, "back", true),
        (Deployments, "ctrl-r", Refresh, "refresh", true),
        // Needs-you queue.
        (Needs, "k,up", Up, "up", false),
        (Needs, "j,down", Down, "down", false),
        (Needs, "pgup,ctrl-b", PageUp, "page up", false),
        (Needs, "pgdn,ctrl-f", PageDown, "page down", false),
        (Needs, "g,home", Top, "first", false),
        (Needs, "G,end", Bottom, "last", false),
        (Needs, "y", AllowCall, "allow", true),
        (Needs, "n", DenyCall, "deny…", true),
        (Needs, "e", AnswerCall, "answer tool…", true),
        (Needs, "enter", Open, "open stream", true),
        (Needs, "space", Mark, "mark", true),
        (Needs, "Y", AllowMarked, "allow marked", true),
        (Needs, "esc", Back, "sessions", false),
        (Help, "k,up", Up, "scroll up", false),
        (Help, "j,down", Down, "scroll down", false),
        (Help, "esc,?,q", Back, "close", true),
        (Confirm, "y", Yes, "yes", true),
        (Confirm, "n,esc,q", No, "no", true),
        // The editor's keys (`app/editor.rs`), fixed: shown while typing and in help.
        (Input, "enter", Submit, "apply", true),
        (Input, "esc", Cancel, "cancel", true),
        (Input, "tab", Complete, "complete", true),
        (Input, "ctrl-u", ClearLine, "clear", true),
        (Input, "ctrl-w", DeleteWord, "delete word", false),
        (Input, "ctrl-z", Undo, "undo", false),
        (Input, "left", CursorLeft, "left", false),
        (Input, "right", CursorRight, "right", false),
        (Input, "home", LineStart, "line start", false),
        (Input, "end", LineEnd, "line end", false),
        // dream review (`:review`) and dream actions
        (Dreams, "r", OpenReview, "review", true),
        (Dreams, "c", StartDream, "start dream", true),
        (Dreams, "x", CancelDream, "cancel dream", true),
        (Dreams, "D", ArchiveDream, "archive dream", false),
        (Review, "y", ReviewAccept, "accept", true),
        (Review, "n", ReviewReject, "reject", true),
        (Review, "e", ReviewEdit, "edit+accept", true),
        (Review, "s", ReviewSkip, "skip", true),
        (Review, "a", ReviewAcceptAll, "accept all", false),
        (Review, "r", ReviewRejectAll, "reject all", false),
        (Review, "u", ReviewUndo, "undo", true),
        (Review, "A", ReviewApply, "apply", true),
        (Review, "J", NextChange, "next change", true),
        (Review, "K", PrevChange, "previous change", false),
        (Review, "k,up", Up, "scroll up", false),
        (Review, "j,down", Down, "scroll down", false),
        (Review, "pgup,ctrl-b", PageUp, "page up", false),
        (Review, "pgdn,ctrl-f", PageDown, "page down", false),
        (Review, "g,home", Top, "top", false),
        (Review, "G,end", Bottom, "bottom", false),
        (Review, "ctrl-r", Refresh, "recompute", false),
        (Review, "esc,h,left", Back, "dreams", true),
        (ReviewConfirm, "y", Yes, "yes", true),
        (ReviewConfirm, "n,esc,q", No, "no", true),
        (DreamForm, "tab", FormNext, "next field", true),
        (DreamForm, "backtab", FormPrev, "previous field", false),
        (DreamForm, "space", FormPick, "pick", true),
        (DreamForm, "ctrl-s", FormSubmit, "start", true),
        (DreamForm, "esc", Back, "cancel", true),
        // deployments (`app/update/deployments.rs`)
        (Deployments, "p", PauseDeployment, "pause/unpause", true),
        (Deployments, "r", RunDeployment, "run now", true),
        (Deployments, "c", CreateDeployment, "new", true),
        (Deployments, "e", Edit, "edit", true),
        (Deployments, "D", Archive, "archive", false),
        (DeploymentForm, "tab", FormNext, "next field", true),
        (DeploymentForm, "backtab", FormPrev, "previous field", false),
        (DeploymentForm, "ctrl-s", FormSubmit, "save", true),
        (DeploymentForm, "esc", Back, "cancel", true),
        // Threads tree and session detail (`app/update/{threads,detail}.rs`).
        (Sessions, "d", OpenDetail, "detail", true),
        (Sessions, "T", ViewThreads, "threads", false),
        (Threads, "k,up", Up, "up", false),
        (Threads, "j,down", Down, "down", false),
        (Threads, "pgup,ctrl-b", PageUp, "page up", false),
        (Threads, "pgdn,ctrl-f", PageDown, "page down", false),
        (Threads, "g,home", Top, "first", false),
        (Threads, "G,end", Bottom, "last", false),
        (Threads, "enter", Open, "filter stream", true),
        (Threads, "c", ToggleConversation, "conversation", true),
        (Threads, "d", OpenDetail, "detail", true),
        (Threads, "esc,h,left", Back, "sessions", true),
        (Conversation, "k,up", Up, "up", false),
        (Conversation, "j,down", Down, "down", false),
        (Conversation, "pgup,ctrl-b", PageUp, "page up", false),
        (Conversation, "pgdn,ctrl-f", PageDown, "page down", false),
        (Conversation, "g,home", Top, "first", false),
        (Conversation, "G,end", Bottom, "last", true),
        (Conversation, "esc,h,left", Back, "tree", true),
        (Detail, "k,up", Up, "scroll up", false),
        (Detail, "j,down", Down, "scroll down", false),
        (Detail, "pgup,ctrl-b", PageUp, "page up", false),
        (Detail, "pgdn,ctrl-f", PageDown, "page down", false),
        (Detail, "g,home", Top, "top", false),
        (Detail, "G,end", Bottom, "bottom", false),
        (Detail, "R", Rename, "rename", true),
        (Detail, "e", Edit, "edit metadata", true),
        (Detail, "ctrl-r", Refresh, "reload", true),
        (Detail, "esc,h,left", Back, "back", true),
    ]
};

#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
    /// Config entries that could not be used, each a full sentence naming the file (shown in
    /// the help overlay).
    pub problems: Vec<String>,
}

impl Default for Keymap {
    fn default() -> Self {
        let mut bindings = Vec::new();
        for &(context, keys, action, label, hint) in DEFAULTS {
            for spec in keys.split(',') {
                if let Some(key) = Key::parse(spec) {
                    bindings.push(Binding {
                        context,
                        key,
                        action,
                        label,
                        hint,
                    });
                }
            }
        }
        Keymap {
            bindings,
            problems: Vec::new(),
        }
    }
}

impl Keymap {
    /// The defaults with the config's overrides applied. Returns one message per override
    /// that could not be used (unknown action, bad key) — those keep their defaults.
    pub fn with_overrides(overrides: &BTreeMap<String, String>) -> (Keymap, Vec<String>) {
        let mut map = Keymap::default();
        let mut errors = Vec::new();
        for (name, spec) in overrides {
            let Some((ctx_name, action_name)) = name.split_once('.') else {
                errors.push(format!(
                    "keys.{name}: expected CONTEXT.ACTION, e.g. sessions.archive"
                ));
                continue;
            };
            let template = map
                .bindings
                .iter()
                .find(|b| b.context.name() == ctx_name && b.action.name() == action_name)
                .cloned();
            let Some(template) = template else {
                errors.push(format!("keys.{name}: no such action"));
                continue;
            };
            if matches!(template.context, Context::Input | Context::Compose) {
                errors.push(format!("keys.{name}: the editor's keys are fixed"));
                continue;
            }
            let keys: Option<Vec<Key>> = spec.split(',').map(Key::parse).collect();
            let Some(keys) = keys.filter(|k| !k.is_empty()) else {
                errors.push(format!("keys.{name}: cannot read key {spec:?}"));
                continue;
            };
            if template.action != Action::Quit && keys.contains(&CTRL_C) {
                errors.push(format!("keys.{name}: ctrl-c always quits"));
                continue;
            }
            // A key already bound to another action in this context is not taken silently.
            let stolen = map.bindings.iter().find(|b| {
                b.context == template.context
                    && b.action != template.action
                    && keys.contains(&b.key)
            });
            if let Some(b) = stolen {
                let key = spec
                    .split(',')
                    .find(|k| Key::parse(k) == Some(b.key))
                    .unwrap_or(spec);
                errors.push(format!(
                    "keys.{name}: {key:?} is already {}.{} (rebind that one first)",
                    ctx_name,
                    b.action.name()
                ));
                continue;
            }
            // The new keys take the old ones' place, so the footer keeps its order.
            let at = map
                .bindings
                .iter()
                .position(|b| b.context == template.context && b.action == template.action)
                .unwrap_or(map.bindings.len());
            let mut kept = Vec::with_capacity(map.bindings.len() + keys.len());
            for (i, b) in map.bindings.drain(..).enumerate() {
                if i == at {
                    kept.extend(keys.iter().map(|&key| Binding {
                        key,
                        ..template.clone()
                    }));
                }
                let same_action = b.context == template.context && b.action == template.action;
                if !same_action {
                    kept.push(b);
                }
            }
            map.bindings = kept;
        }
        map.problems = errors.clone();
        (map, errors)
    }

    /// Every binding, in table order (after config overrides).
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The action `key` triggers in `context` (falling back to global bindings).
    pub fn lookup(&self, context: Context, key: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(key);
        if key == CTRL_C {
            return Some(Action::Quit);
        }
        let find = |ctx: Context| {
            self.bindings
                .iter()
                .find(|b| b.context == ctx && b.key == key)
                .map(|b| b.action)
        };
        find(context).or_else(|| {
            if context.modal() {
                None
            } else {
                find(Context::Global)
            }
        })
    }

    /// Footer hints for `context`: (keys, label), one entry per action, context first.
    pub fn hints(&self, context: Context) -> Vec<(String, &'static str)> {
        self.hints_for(context, false)
    }

    /// [`Keymap::hints`] without the write actions when `read_only`.
    pub fn hints_for(&self, context: Context, read_only: bool) -> Vec<(String, &'static str)> {
        let mut out = self.grouped_for(context, true, read_only);
        // The expanded event is an overlay: global keys there would only mislead (`q` closes
        // it, Tab does nothing visible), so it lists its own.
        if !context.modal() && context != Context::Inspector {
            out.extend(self.grouped_for(Context::Global, true, read_only));
        }
        out
    }

    /// Every binding of a context, one entry per action: (keys joined by `/`, label).
    pub fn grouped(&self, context: Context, hints_only: bool) -> Vec<(String, &'static str)> {
        self.grouped_for(context, hints_only, false)
    }

    /// [`Keymap::grouped`] without the write actions when `read_only`.
    pub fn grouped_for(
        &self,
        context: Context,
        hints_only: bool,
        read_only: bool,
    ) -> Vec<(String, &'static str)> {
        let mut out: Vec<(Action, String, &'static str)> = Vec::new();
        for b in self.bindings.iter().filter(|b| {
            b.context == context && (b.hint || !hints_only) && !(read_only && b.action.writes())
        }) {
            match out.iter_mut().find(|(a, _, _)| *a == b.action) {
                Some((_, keys, _)) => {
                    if !hints_only {
                        keys.push('/');
                        keys.push_str(&b.key.to_string());
                    }
                }
                None => out.push((b.action, b.key.to_string(), b.label)),
            }
        }
        out.into_iter().map(|(_, k, l)| (k, l)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn parses_key_specs() {
        assert_eq!(
            Key::parse("ctrl-A"),
            Some(Key {
                code: KeyCode::Char('a'),
                ctrl: true,
                alt: false
            })
        );
        assert_eq!(Key::parse("G").map(|k| k.code), Some(KeyCode::Char('G')));
        assert_eq!(Key::parse("pgdn").map(|k| k.code), Some(KeyCode::PageDown));
        assert_eq!(Key::parse("f5").map(|k| k.code), Some(KeyCode::F(5)));
        assert_eq!(
            Key::parse("space").map(|k| k.code),
            Some(KeyCode::Char(' '))
        );
        assert_eq!(Key::parse("xy"), None);
        assert_eq!(Key::parse(""), None);
        assert_eq!(Key::parse("ctrl-c").unwrap().to_string(), "^c");
    }

    #[test]
    fn context_first_then_global_but_not_under_modals() {
        let map = Keymap::default();
        let q = ev(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(map.lookup(Context::Sessions, &q), Some(Action::Quit));
        assert_eq!(map.lookup(Context::Help, &q), Some(Action::Back));
        let colon = ev(KeyCode::Char(':'), KeyModifiers::NONE);
        assert_eq!(map.lookup(Context::Confirm, &colon), None);
        let g = ev(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(map.lookup(Context::Events, &g), Some(Action::Bottom));
        let bt = ev(KeyCode::Tab, KeyModifiers::SHIFT);
        assert_eq!(map.lookup(Context::Events, &bt), Some(Action::FocusPrev));
    }

    /// (context, key) pairs bound to more than one action.
    fn clashes(map: &Keymap) -> Vec<String> {
        let mut out = Vec::new();
        for (i, a) in map.bindings.iter().enumerate() {
            for b in &map.bindings[i + 1..] {
                if a.context == b.context && a.key == b.key && a.action != b.action {
                    out.push(format!(
                        "{:?} {:?}: {:?} / {:?}",
                        a.context, a.key, a.action, b.action
                    ));
                }
            }
        }
        out
    }

    #[test]
    fn no_two_actions_in_a_context_share_a_key_even_after_overrides() {
        assert_eq!(clashes(&Keymap::default()), Vec::<String>::new());
        let mut o = BTreeMap::new();
        // `f` is events.follow: stealing it is refused and reported, the defaults stay.
        o.insert("events.wrap".to_string(), "f".to_string());
        // A free key is fine.
        o.insert("sessions.archive".to_string(), "A".to_string());
        // Swapping two keys in one go would need a free key first: also reported.
        o.insert("sessions.sort".to_string(), "j".to_string());
        let (map, errors) = Keymap::with_overrides(&o);
        assert_eq!(clashes(&map), Vec::<String>::new());
        assert_eq!(
            errors,
            vec![
                "keys.events.wrap: \"f\" is already events.follow (rebind that one first)"
                    .to_string(),
                "keys.sessions.sort: \"j\" is already sessions.down (rebind that one first)"
                    .to_string(),
            ]
        );
        assert_eq!(map.problems, errors);
        let f = ev(KeyCode::Char('f'), KeyModifiers::NONE);
        assert_eq!(map.lookup(Context::Events, &f), Some(Action::Follow));
        let a = ev(KeyCode::Char('A'), KeyModifiers::SHIFT);
        assert_eq!(map.lookup(Context::Sessions, &a), Some(Action::Archive));
    }

    #[test]
    fn overrides_replace_keys_and_report_mistakes() {
        let mut o = BTreeMap::new();
        o.insert("sessions.archive".to_string(), "A".to_string());
        o.insert("sessions.nope".to_string(), "x".to_string());
        o.insert("events.follow".to_string(), "ctrl-".to_string());
        let (map, errors) = Keymap::with_overrides(&o);
        let a = ev(KeyCode::Char('A'), KeyModifiers::SHIFT);
        let ctrl_a = ev(KeyCode::Char('a'), KeyModifiers::CONTROL);
        assert_eq!(map.lookup(Context::Sessions, &a), Some(Action::Archive));
        assert_eq!(map.lookup(Context::Sessions, &ctrl_a), None);
        assert_eq!(
            errors,
            vec![
                "keys.events.follow: cannot read key \"ctrl-\"".to_string(),
                "keys.sessions.nope: no such action".to_string()
            ]
        );
        assert!(
            map.hints(Context::Sessions)
                .contains(&("A".to_string(), "archive"))
        );
    }

    #[test]
    fn ctrl_c_always_quits_and_overrides_keep_their_place() {
        let mut o = BTreeMap::new();
        o.insert("global.quit".to_string(), "Q".to_string());
        o.insert("sessions.archive".to_string(), "A".to_string());
        o.insert("sessions.open".to_string(), "ctrl-c".to_string());
        let (map, errors) = Keymap::with_overrides(&o);
        let ctrl_c = ev(KeyCode::Char('c'), KeyModifiers::CONTROL);
        for ctx in [
            Context::Sessions,
            Context::Events,
            Context::Help,
            Context::Confirm,
        ] {
            assert_eq!(map.lookup(ctx, &ctrl_c), Some(Action::Quit), "{ctx:?}");
        }
        assert_eq!(
            errors,
            vec!["keys.sessions.open: ctrl-c always quits".to_string()]
        );
        assert_eq!(map.problems, errors);
        let labels: Vec<&str> = map.hints(Context::Sessions).iter().map(|h| h.1).collect();
        let default: Vec<&str> = Keymap::default()
            .hints(Context::Sessions)
            .iter()
            .map(|h| h.1)
            .collect();
        assert_eq!(labels, default);
        let hints = map.hints(Context::Sessions);
        assert!(hints.contains(&("A".to_string(), "archive")));
        assert!(hints.contains(&("Q".to_string(), "quit")));
        let read_only: Vec<&str> = map
            .hints_for(Context::Sessions, true)
            .iter()
            .map(|h| h.1)
            .collect();
        assert!(!read_only.contains(&"archive") && !read_only.contains(&"delete"));
        assert!(read_only.contains(&"mark"));
    }

    #[test]
    fn help_groups_keys_per_action() {
        let map = Keymap::default();
        let rows = map.grouped(Context::Sessions, false);
        assert_eq!(rows[0], ("k/↑".to_string(), "up"));
        assert!(rows.contains(&("enter".replace("enter", "⏎") + "/l/→", "open stream")));
    }

    #[test]
    fn the_expanded_event_footer_lists_only_its_own_keys() {
        let hints = Keymap::default().hints(Context::Inspector);
        let labels: Vec<&str> = hints.iter().map(|(_, l)| *l).collect();
        assert_eq!(
            labels,
            vec![
                "next tab",
                "fold",
                "next error/denied",
                "use ↔ result",
                "search",
                "copy value",
                "$PAGER",
                "close"
            ]
        );
        assert_eq!(hints.last().map(|(k, _)| k.as_str()), Some("esc"));
    }
}
