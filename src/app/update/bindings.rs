//! Every row of the keymap table, pressed in its context, must do what the row says.
//!
//! Generated from the table: a new binding is tested without writing a test, a binding whose
//! key stops working fails here, and a new [`Action`] does not compile until [`expect`] says
//! what its effect is (the match has no wildcard).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::fixtures::{demo_state, resource_state};
use crate::app::keymap::{Action, Binding, Context, Key, Keymap};
use crate::app::msg::{Cmd, Msg};
use crate::app::state::{InputKind, Overlay, Pane, State, View};
use crate::app::update::update;

/// What pressing a row's key must leave behind.
enum Expect {
    /// Something the person can see changed, or a command went out (a toast alone does not
    /// count: "nothing selected" is not an effect).
    Acts,
    /// The key's context is left (a question answered, a prompt closed).
    Leaves,
    /// This holds afterwards.
    Holds(fn(&State) -> bool, &'static str),
    /// This flag flipped.
    Flips(fn(&State) -> bool, &'static str),
}

/// The effect of every action. No wildcard: a new action must say what it does.
fn expect(action: Action) -> Expect {
    use Action::*;
    use Expect::*;
    match action {
        Quit => Holds(|s| s.quit, "quits"),
        ShowHelp => Holds(
            |s| matches!(s.overlay, Some(Overlay::Help { .. })),
            "help is open",
        ),
        CommandLine => Holds(
            |s| matches!(&s.input, Some(i) if i.kind == InputKind::Command),
            "the command line is open",
        ),
        ViewNeeds => Holds(|s| s.view == View::Needs, "the Needs-you queue is shown"),
        ToggleMouse => Flips(|s| s.mouse, "mouse capture"),
        Follow => Flips(|s| s.stream.follow, "follow"),
        ToggleWrap => Flips(|s| s.stream.wrap, "wrap"),
        ToggleTimestamps => Flips(|s| s.stream.timestamps, "timestamps"),
        ToggleArchived => Flips(|s| s.sessions.show_archived, "archived sessions shown"),
        KindAll => Holds(|s| s.stream.kind_label() == "all", "all kinds"),
        KindMessages => Holds(|s| s.stream.kind_label() == "messages", "messages"),
        KindTools => Holds(|s| s.stream.kind_label() == "tools", "tools"),
        KindErrors => Holds(|s| s.stream.kind_label() == "errors", "errors"),
        KindStatus => Holds(|s| s.stream.kind_label() == "status", "status"),
        KindSpans => Holds(|s| s.stream.kind_label() == "spans", "spans"),
        Expand => Holds(
            |s| matches!(s.overlay, Some(Overlay::Event { .. })),
            "the event is open",
        ),
        Filter => Holds(
            |s| matches!(&s.input, Some(i) if i.kind == InputKind::SessionFilter),
            "the filter prompt is open",
        ),
        Search => Holds(
            |s| s.input.is_some() || s.memory.search_edit.is_some() || s.inspector.typing.is_some(),
            "a search prompt is open",
        ),
        Interrupt => Holds(
            |s| matches!(s.overlay, Some(Overlay::Interrupt { .. })),
            "the interrupt question is asked",
        ),
        SendMessage | DefineOutcome => Holds(
            |s| matches!(s.overlay, Some(Overlay::Compose(_))),
            "the compose form is open",
        ),
        StartDream => Holds(|s| s.review.form.is_some(), "the start-dream form is open"),
        ViewThreads => Holds(|s| s.view == View::Threads, "the threads tree is shown"),
        OpenDetail => Holds(|s| s.view == View::Detail, "the session detail is shown"),
        Rename => Holds(|s| s.detail.typing(), "the rename editor is open"),
        Pager => Holds(|s| s.toast.is_none(), "the value goes to $PAGER"),
        CreateDeployment => Holds(
            |s| s.deployments.form.is_some(),
            "the deployment form is open",
        ),
        PauseDeployment | RunDeployment => Holds(
            |s| s.deployments.context() == Context::Confirm,
            "the question is asked",
        ),
        Yes | No | Cancel | Submit => Leaves,
        FocusNext | FocusPrev | Refresh | Suspend | Back | Up | Down | PageUp | PageDown | Top
        | Bottom | Open | SortNext | SortReverse | Mark | ClearMarks | Archive | Delete
        | NextMatch | PrevMatch | Copy | Export | NextThread | AllowCall | DenyCall
        | AnswerCall | AllowMarked | Collapse | Edit | Versions | Audit | Revert | Redact
        | Complete | CursorLeft | CursorRight | LineStart | LineEnd | ClearLine | DeleteWord
        | Undo | NextField | ReviewAccept | ReviewReject | ReviewEdit | ReviewSkip
        | ReviewAcceptAll | ReviewRejectAll | ReviewUndo | ReviewApply | NextChange
        | PrevChange | OpenReview | CancelDream | ArchiveDream | FormNext | FormPrev | FormPick
        | FormSubmit | NextTab | TabInput | TabOutput | TabRaw | ToggleFold | FoldClose
        | FoldOpen | FoldAll | UnfoldAll | CopyCall | PrevProblem | NextProblem | JumpPair
        | GoToThread | ToggleConversation => Acts,
    }
}

fn event(key: Key) -> KeyEvent {
    let mut mods = KeyModifiers::NONE;
    if key.ctrl {
        mods |= KeyModifiers::CONTROL;
    }
    if key.alt {
        mods |= KeyModifiers::ALT;
    }
    KeyEvent::new(key.code, mods)
}

fn press(s: &mut State, code: KeyCode) -> Vec<Cmd> {
    update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn chars(s: &mut State, text: &str) {
    for c in text.chars() {
        press(s, KeyCode::Char(c));
    }
}

fn ctrl(s: &mut State, c: char) -> Vec<Cmd> {
    update(
        s,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

/// Everything visible in the state, without the toast and the frame bookkeeping.
fn observe(s: &mut State) -> String {
    let toast = s.toast.take();
    let (dirty, frames) = (s.dirty, s.frames);
    s.dirty = false;
    let seen = format!("{s:?}");
    (s.toast, s.dirty, s.frames) = (toast, dirty, frames);
    seen
}

/// Motions need room on both sides: start from the middle when going up.
fn going_up(action: Action) -> bool {
    matches!(action, Action::Up | Action::PageUp | Action::Top)
}

/// The demo fleet with its list focused, the cursor on the third session.
fn sessions(action: Action) -> State {
    let mut s = demo_state(120, 40);
    s.focus = Pane::Sessions;
    s.list.cursor = 2;
    match action {
        Action::ClearMarks => {
            press(&mut s, KeyCode::Char(' '));
        }
        Action::Interrupt => {
            // The running session: an interrupt is only asked of sessions that can stop.
            press(&mut s, KeyCode::Char('g'));
        }
        _ => {}
    }
    s
}

/// The demo session's stream focused, the cursor in the middle, follow off.
fn events(action: Action) -> State {
    let mut s = demo_state(120, 40);
    s.focus = Pane::Events;
    press(&mut s, KeyCode::Char('g'));
    for _ in 0..4 {
        press(&mut s, KeyCode::Char('j'));
    }
    match action {
        Action::KindAll => {
            press(&mut s, KeyCode::Char('1'));
        }
        Action::Follow => s.stream.follow = true,
        Action::NextMatch | Action::PrevMatch => {
            press(&mut s, KeyCode::Char('/'));
            chars(&mut s, "billing");
            press(&mut s, KeyCode::Enter);
        }
        _ => {}
    }
    s
}

/// The inspector on a long tool result of a sub-agent, after an error earlier in the stream.
fn inspector(action: Action) -> State {
    let mut s = demo_state(120, 24);
    s.focus = Pane::Events;
    let log: String = (0..200).map(|i| format!("line {i} of the log\n")).collect();
    let feed = |s: &mut State, v: serde_json::Value| {
        let id = s
            .watched
            .as_ref()
            .map(|w| w.session_id.clone())
            .unwrap_or_default();
        update(
            s,
            Msg::Feed {
                session_id: id,
                item: crate::api::feed::FeedItem::Event(v.to_string()),
            },
        );
    };
    feed(
        &mut s,
        serde_json::json!({"type": "agent.tool_use", "id": "sevt_use", "name": "bash",
            "input": {"command": "cargo test", "env": {"RUST_LOG": "debug"}},
            "evaluated_permission": "allow", "session_thread_id": "sthr_tests",
            "processed_at": "2026-11-26T11:58:00Z"}),
    );
    feed(
        &mut s,
        serde_json::json!({"type": "agent.tool_result", "id": "sevt_res", "tool_use_id": "sevt_use",
            "content": [{"type": "text", "text": log}], "session_thread_id": "sthr_tests",
            "processed_at": "2026-11-26T11:58:30Z"}),
    );
    // `]` needs an error after the selection: start on the first event.
    let to = if action == Action::NextProblem {
        'g'
    } else {
        'G'
    };
    press(&mut s, KeyCode::Char(to));
    s.stream.follow = false;
    crate::app::frame::prepare_frame(&mut s);
    press(&mut s, KeyCode::Enter);
    crate::app::frame::prepare_frame(&mut s);
    match action {
        Action::TabInput | Action::TabOutput => {
            press(&mut s, KeyCode::Char('3'));
        }
        Action::FoldOpen | Action::UnfoldAll => {
            press(&mut s, KeyCode::Char('3'));
            press(&mut s, KeyCode::Char('M'));
            crate::app::frame::prepare_frame(&mut s);
            press(&mut s, KeyCode::Char('j'));
        }
        Action::ToggleFold | Action::FoldClose | Action::FoldAll => {
            press(&mut s, KeyCode::Char('3'));
        }
        Action::NextMatch | Action::PrevMatch => {
            press(&mut s, KeyCode::Char('/'));
            chars(&mut s, "log");
            press(&mut s, KeyCode::Enter);
            if action == Action::PrevMatch {
                press(&mut s, KeyCode::Char('n'));
            }
        }
        a if going_up(a) => {
            press(&mut s, KeyCode::Char('G'));
        }
        _ => {}
    }
    crate::app::frame::prepare_frame(&mut s);
    s
}

fn memory(action: Action) -> State {
    use crate::app::update::memory::{folder, item, mem, open_a, opened};
    let mut s = opened();
    match action {
        Action::Collapse => {
            press(&mut s, KeyCode::Char('l'));
            folder(
                &mut s,
                "/notes/",
                vec![item(mem("mem_x", "/notes/x.md", "", "xx"))],
            );
        }
        Action::Archive => {
            press(&mut s, KeyCode::Esc);
        }
        Action::Up
        | Action::PageUp
        | Action::Top
        | Action::Edit
        | Action::Versions
        | Action::Delete
        | Action::Search => {
            open_a(&mut s, "line one\nbilling line\n", "sha_a");
            if going_up(action) {
                s.memory.level = crate::app::memory_view::MemoryLevel::Tree;
            }
        }
        Action::NextMatch | Action::PrevMatch => {
            open_a(&mut s, "billing one\nother\nbilling two\n", "sha_a");
            press(&mut s, KeyCode::Char('/'));
            chars(&mut s, "billing");
            press(&mut s, KeyCode::Enter);
            if action == Action::PrevMatch {
                press(&mut s, KeyCode::Char('n'));
            }
        }
        _ => {}
    }
    s
}

fn memory_versions(action: Action) -> State {
    use crate::app::update::memory::{open_a, opened};
    let mut s = opened();
    let long: String = (0..80).map(|i| format!("line {i}\n")).collect();
    open_a(&mut s, &long, "sha_a");
    press(&mut s, KeyCode::Char('v'));
    match action {
        Action::Up => {
            press(&mut s, KeyCode::Char('j'));
        }
        Action::PageUp => {
            press(&mut s, KeyCode::PageDown);
        }
        _ => {}
    }
    s
}

fn memory_audit(action: Action) -> State {
    use crate::app::update::memory::opened;
    use crate::ops::memory::MemMsg;
    let mut s = opened();
    press(&mut s, KeyCode::Char('W'));
    let version = |id: &str, path: &str| crate::api::types::MemoryVersion {
        id: id.into(),
        memory_id: "mem_a".into(),
        path: Some(path.into()),
        operation: crate::api::types::MemoryOperation::Modified,
        ..Default::default()
    };
    update(
        &mut s,
        Msg::Memory(Box::new(MemMsg::Audit {
            store_id: "memstore_eng".into(),
            result: Ok((
                vec![
                    version("v3", "/a.md"),
                    version("v2", "/a.md"),
                    version("v1", "/a.md"),
                ],
                false,
            )),
        })),
    );
    if going_up(action) {
        press(&mut s, KeyCode::Char('G'));
    }
    s
}

fn dreams(action: Action) -> State {
    let mut s = resource_state(120, 40, View::Dreams);
    s.review.journal = Some(crate::app::review_view::JournalSetup {
        path: "/nonexistent/journal.jsonl".into(),
        base_url: "http://x".into(),
        workspace: None,
    });
    use crate::api::types::DreamStatus;
    let find = |s: &State, status: DreamStatus| {
        s.dreams
            .dreams
            .iter()
            .position(|d| d.status == status)
            .unwrap_or_else(|| panic!("the dreams fixture has a {status:?} dream"))
    };
    s.dreams.nav.cursor = match action {
        Action::CancelDream => find(&s, DreamStatus::Running),
        Action::ArchiveDream | Action::OpenReview => find(&s, DreamStatus::Completed),
        a if going_up(a) => 1,
        _ => 0,
    };
    s
}

fn deployments(action: Action) -> State {
    let mut s = resource_state(120, 40, View::Deployments);
    if going_up(action) {
        s.deployments.nav.cursor = 1;
    }
    s
}

/// The queue with the demo's two bash calls and a custom tool of another session.
fn needs(action: Action) -> State {
    use crate::app::update::needs::{custom, feed_raw, idle};
    let mut s = demo_state(120, 40);
    feed_raw(
        &mut s,
        "sesn_000002",
        &custom("ct_9", "2026-01-01T00:00:00Z"),
    );
    feed_raw(
        &mut s,
        "sesn_000002",
        &idle("idle_9", "2026-01-01T00:00:01Z", &["ct_9"]),
    );
    press(&mut s, KeyCode::Char('!'));
    let rows = s.needs.queue.len();
    assert!(rows >= 3, "the queue fixture has three calls, not {rows}");
    match action {
        a if going_up(a) => s.needs.nav.cursor = 1,
        Action::AnswerCall | Action::AllowCall | Action::DenyCall => {
            let id = if action == Action::AnswerCall {
                "ct_9"
            } else {
                "tu_1"
            };
            s.needs.nav.cursor = s
                .needs
                .queue
                .rows()
                .iter()
                .position(|r| r.event_id == id)
                .expect("the call is queued")
        }
        Action::AllowMarked => {
            press(&mut s, KeyCode::Char(' '));
        }
        _ => {}
    }
    s
}

fn help(action: Action) -> State {
    let mut s = sessions(action);
    press(&mut s, KeyCode::Char('?'));
    if going_up(action) {
        press(&mut s, KeyCode::Char('j'));
    }
    s
}

fn confirm(_: Action) -> State {
    let mut s = sessions(Action::Archive);
    ctrl(&mut s, 'a');
    s
}

/// `:` with `dre` typed and the cursor one left of the end.
fn input(action: Action) -> State {
    let mut s = sessions(action);
    press(&mut s, KeyCode::Char(':'));
    chars(&mut s, "q dre");
    if matches!(action, Action::CursorRight | Action::LineEnd) {
        press(&mut s, KeyCode::Left);
    }
    if action == Action::Complete {
        ctrl(&mut s, 'u');
        chars(&mut s, "dre");
    }
    s
}

fn compose(action: Action) -> State {
    let mut s = sessions(action);
    let key = if action == Action::NextField {
        'O'
    } else {
        'm'
    };
    press(&mut s, KeyCode::Char(key));
    chars(&mut s, "hello");
    s
}

fn review(action: Action) -> State {
    let mut s = crate::app::update::review::reviewing();
    s.size = (120, 40);
    s.view = View::Review;
    match action {
        Action::ReviewUndo | Action::ReviewApply => {
            let cmds = press(&mut s, KeyCode::Char('y'));
            confirm_journal(&mut s, cmds);
        }
        a if going_up(a) => {
            press(&mut s, KeyCode::Char('G'));
        }
        Action::PrevChange => {
            press(&mut s, KeyCode::Char('J'));
        }
        _ => {}
    }
    s
}

/// Answer the journal writes in `cmds` as written.
fn confirm_journal(s: &mut State, cmds: Vec<Cmd>) {
    use crate::app::review_view::{ReviewCmd, ReviewMsg};
    for cmd in cmds {
        if let Cmd::Review(ReviewCmd::Journal { records, .. }) = cmd {
            let generation = s.review.generation;
            update(
                s,
                Msg::Review(ReviewMsg::Journaled {
                    generation,
                    records,
                }),
            );
        }
    }
}

fn review_confirm(_: Action) -> State {
    let mut s = review(Action::ReviewAcceptAll);
    press(&mut s, KeyCode::Char('a'));
    s
}

fn dream_form(action: Action) -> State {
    let mut s = dreams(Action::StartDream);
    press(&mut s, KeyCode::Char('c'));
    if matches!(action, Action::FormPick | Action::FormSubmit) {
        press(&mut s, KeyCode::Tab);
    }
    if action == Action::FormSubmit {
        // A complete form: a store (the first), a session picked, the default model.
        press(&mut s, KeyCode::Char(' '));
    }
    s
}

fn deployment_form(action: Action) -> State {
    let mut s = deployments(Action::CreateDeployment);
    press(&mut s, KeyCode::Char('c'));
    if action == Action::FormPrev {
        press(&mut s, KeyCode::Tab);
    }
    if action == Action::FormSubmit {
        chars(&mut s, "nightly digest");
    }
    s
}

fn threads(action: Action) -> State {
    let mut s = sessions(action);
    press(&mut s, KeyCode::Char(':'));
    chars(&mut s, "threads");
    press(&mut s, KeyCode::Enter);
    if going_up(action) {
        press(&mut s, KeyCode::Char('G'));
    }
    s
}

fn conversation(action: Action) -> State {
    let mut s = threads(Action::ToggleConversation);
    let id = s
        .watched
        .as_ref()
        .map(|w| w.session_id.clone())
        .unwrap_or_default();
    for (i, text) in ["find sources", "three found", "check them", "checked"]
        .iter()
        .enumerate()
    {
        let (kind, who) = if i % 2 == 0 {
            ("agent.thread_message_sent", "to")
        } else {
            ("agent.thread_message_received", "from")
        };
        let v = serde_json::json!({"type": kind, "id": format!("sevt_m{i}"),
            "processed_at": format!("2026-11-26T11:5{i}:00Z"),
            format!("{who}_session_thread_id"): "sthr_tests",
            format!("{who}_agent_name"): "test-runner",
            "content": [{"type": "text", "text": text}]});
        update(
            &mut s,
            Msg::Feed {
                session_id: id.clone(),
                item: crate::api::feed::FeedItem::Event(v.to_string()),
            },
        );
    }
    press(&mut s, KeyCode::Char('c'));
    press(&mut s, KeyCode::Tab);
    let to = if going_up(action) { 'G' } else { 'g' };
    press(&mut s, KeyCode::Char(to));
    s
}

fn detail(action: Action) -> State {
    let mut s = sessions(action);
    update(&mut s, Msg::Resize(120, 20));
    press(&mut s, KeyCode::Char('d'));
    let id = s.detail.session_id.clone();
    let session: crate::api::types::Session = serde_json::from_value(serde_json::json!({
        "type": "session", "id": id, "status": "idle", "title": "Weekly incident review",
        "created_at": "2026-11-26T09:00:00Z", "updated_at": "2026-11-26T09:40:00Z",
        "environment_id": "env_cloud", "metadata": {"team": "sre"},
        "agent": {"type": "agent", "id": "agent_writer", "version": 3, "name": "Docs Writer",
            "model": {"id": "claude-sonnet-5-5"}, "tools": [], "mcp_servers": [], "skills": []},
        "resources": [], "vault_ids": [],
        "stats": {"active_seconds": 812.4, "duration_seconds": 2400.0},
        "usage": {"input_tokens": 182000, "output_tokens": 14200}
    }))
    .expect("a session");
    update(
        &mut s,
        Msg::Info(crate::app::session_info::InfoMsg::SessionLoaded {
            session_id: id,
            result: Ok(Box::new(session)),
        }),
    );
    crate::app::frame::prepare_frame(&mut s);
    if going_up(action) {
        press(&mut s, KeyCode::Char('G'));
    }
    s
}

/// A state whose key context is `context`, set up so that `action` has something to act on.
fn setup(context: Context, action: Action) -> State {
    let s = match context {
        Context::Global | Context::Sessions => sessions(action),
        Context::Events => events(action),
        Context::Inspector => inspector(action),
        Context::Memory => memory(action),
        Context::MemoryVersions => memory_versions(action),
        Context::MemoryAudit => memory_audit(action),
        Context::Dreams => dreams(action),
        Context::Deployments => deployments(action),
        Context::Help => help(action),
        Context::Confirm => confirm(action),
        Context::Needs => needs(action),
        Context::Compose => compose(action),
        Context::Input => input(action),
        Context::Review => review(action),
        Context::ReviewConfirm => review_confirm(action),
        Context::DreamForm => dream_form(action),
        Context::DeploymentForm => deployment_form(action),
        Context::Threads => threads(action),
        Context::Conversation => conversation(action),
        Context::Detail => detail(action),
    };
    let want = if context == Context::Global {
        Context::Sessions
    } else {
        context
    };
    assert_eq!(s.context(), want, "set-up for {action:?}");
    s
}

fn check(b: &Binding) -> Result<(), String> {
    let mut s = setup(b.context, b.action);
    let context = s.context();
    let before = observe(&mut s);
    let flag = |f: fn(&State) -> bool, s: &State| f(s);
    let was = match expect(b.action) {
        Expect::Flips(f, _) => flag(f, &s),
        _ => false,
    };
    let cmds = update(&mut s, Msg::Key(event(b.key)));
    let after = observe(&mut s);
    let ok = match expect(b.action) {
        Expect::Acts => before != after || !cmds.is_empty(),
        Expect::Leaves => s.context() != context,
        Expect::Holds(f, _) => f(&s),
        Expect::Flips(f, _) => f(&s) != was,
    };
    let what = match expect(b.action) {
        Expect::Acts => "act",
        Expect::Leaves => "leave its context",
        Expect::Holds(_, what) | Expect::Flips(_, what) => what,
    };
    if ok {
        Ok(())
    } else {
        let toast = s.toast.as_ref().map(|t| t.text.clone()).unwrap_or_default();
        Err(format!(
            "{}.{} on {:?} did not {what} (toast: {toast:?})",
            b.context.name(),
            b.action.name(),
            b.key
        ))
    }
}

#[test]
fn every_row_of_the_keymap_does_what_it_says() {
    let keymap = Keymap::default();
    let failures: Vec<String> = keymap
        .bindings()
        .iter()
        .filter_map(|b| check(b).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} rows:\n{}",
        failures.len(),
        keymap.bindings().len(),
        failures.join("\n")
    );
}

/// Every action, each bound somewhere: a row removed from the table fails here (a new action
/// must be added, or `expect` does not compile either).
const ALL: &[Action] = {
    use Action::*;
    &[
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
        AllowCall,
        DenyCall,
        AnswerCall,
        AllowMarked,
        Collapse,
        Edit,
        Versions,
        Audit,
        Revert,
        Redact,
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
        Interrupt,
        SendMessage,
        DefineOutcome,
        NextField,
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
        PauseDeployment,
        RunDeployment,
        CreateDeployment,
        ViewThreads,
        OpenDetail,
        ToggleConversation,
        Rename,
    ]
};

#[test]
fn every_action_is_bound() {
    let keymap = Keymap::default();
    let mut bound: Vec<Action> = keymap.bindings().iter().map(|b| b.action).collect();
    bound.sort_by_key(|a| a.name());
    bound.dedup();
    let unbound: Vec<&str> = ALL
        .iter()
        .filter(|a| !bound.contains(a))
        .map(|a| a.name())
        .collect();
    assert!(unbound.is_empty(), "no row for {unbound:?}");
    assert_eq!(bound.len(), ALL.len(), "an action is missing from ALL");
}

#[test]
fn every_context_has_rows() {
    let keymap = Keymap::default();
    for context in [
        Context::Global,
        Context::Sessions,
        Context::Events,
        Context::Inspector,
        Context::Memory,
        Context::MemoryVersions,
        Context::MemoryAudit,
        Context::Dreams,
        Context::Deployments,
        Context::Help,
        Context::Confirm,
        Context::Needs,
        Context::Compose,
        Context::Input,
        Context::Review,
        Context::ReviewConfirm,
        Context::DreamForm,
        Context::DeploymentForm,
        Context::Threads,
        Context::Conversation,
        Context::Detail,
    ] {
        assert!(
            keymap.bindings().iter().any(|b| b.context == context),
            "{}",
            context.name()
        );
    }
}
