//! Whole-frame snapshots on ratatui's TestBackend: sizes 80×24, 120×40, 200×60, dark and
//! light, the too-small screen and overlays. The clock is fixed (`fixtures::NOW`) and ids are
//! deterministic, so frames are reproducible. Each snapshot has the text grid and, per row,
//! the runs of styles, so a colour regression shows up too.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use overseer::app::fixtures::{self, demo_state};
use overseer::app::state::{State, View};
use overseer::app::{App, Msg};
use overseer::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

mod common;
use common::snap::{frame, render};

fn key(state: &mut State, code: KeyCode) {
    let _ = overseer::app::update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

#[test]
fn sizes_and_themes() {
    for (w, h) in [(80, 24), (120, 40), (200, 60)] {
        for theme in ["dark", "light"] {
            let t = Theme::builtin(theme).unwrap();
            let snap = frame(demo_state(w, h), &t);
            insta::assert_snapshot!(format!("frame_{w}x{h}_{theme}"), snap);
        }
    }
}

#[test]
fn too_small_screen() {
    let snap = frame(demo_state(50, 12), &Theme::dark());
    assert!(snap.contains("terminal too small (need 60×16, have 50×12)"));
    insta::assert_snapshot!("too_small_50x12", snap);
    // Even a 1×1 terminal draws without panicking.
    let _ = frame(demo_state(1, 1), &Theme::dark());
}

#[test]
fn help_overlay() {
    let mut s = demo_state(120, 40);
    key(&mut s, KeyCode::Char('?'));
    insta::assert_snapshot!("help_120x40", frame(s, &Theme::dark()));
}

#[test]
fn expanded_event_and_paused_stream() {
    let mut s = demo_state(120, 40);
    key(&mut s, KeyCode::Tab);
    for _ in 0..3 {
        key(&mut s, KeyCode::Up);
    }
    let paused = frame(
        {
            let mut c = demo_state(120, 40);
            key(&mut c, KeyCode::Tab);
            for _ in 0..3 {
                key(&mut c, KeyCode::Up);
            }
            c
        },
        &Theme::dark(),
    );
    assert!(
        paused.contains("⏸ paused · 0 new · End to follow"),
        "{paused}"
    );
    insta::assert_snapshot!("stream_paused_120x40", paused);
    key(&mut s, KeyCode::Enter);
    insta::assert_snapshot!("event_expanded_120x40", frame(s, &Theme::dark()));
}

#[test]
fn confirm_dialog_and_command_line() {
    let mut s = demo_state(120, 40);
    key(&mut s, KeyCode::Char(' '));
    let _ = overseer::app::update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::CONTROL)),
    );
    insta::assert_snapshot!("confirm_archive_120x40", frame(s, &Theme::dark()));

    let mut s = demo_state(120, 40);
    key(&mut s, KeyCode::Char(':'));
    key(&mut s, KeyCode::Char('d'));
    key(&mut s, KeyCode::Char('e'));
    insta::assert_snapshot!("command_line_120x40", frame(s, &Theme::dark()));
}

#[test]
fn high_contrast_and_no_color() {
    let hc = Theme::builtin("high-contrast").unwrap();
    insta::assert_snapshot!(
        "frame_120x40_high_contrast",
        frame(demo_state(120, 40), &hc)
    );
    let mut plain = Theme::dark();
    plain.strip_colors();
    let snap = frame(demo_state(120, 40), &plain);
    let styles = snap.split("--- styles ---").nth(1).unwrap();
    for run in styles.split_whitespace().filter(|r| r.contains(':')) {
        let code = run.split_once(':').unwrap().1;
        assert!(code.starts_with("-/-"), "a colour under NO_COLOR: {run}");
    }
}

/// The strings the event rows hand to ratatui come from `event_view::summarize`: no control
/// character or bidi override of the hostile fixture survives it (ratatui's own buffer would
/// hide a leak, so the check is on what it is given).
#[test]
fn hostile_text_is_sanitized_before_ratatui_sees_it() {
    let s = demo_state(200, 60);
    let w = s.watched.as_ref().expect("the demo watches a session");
    let all = Default::default();
    let rows = w.transcript.rows(&all, 0..w.transcript.len());
    let bad = |t: &str| {
        t.chars().any(|c| {
            c.is_control()
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
        })
    };
    let mut hostile = 0;
    for r in rows.iter() {
        if r.raw.contains("\\u001b") || r.raw.contains('\u{1b}') {
            hostile += 1;
        }
        let sum = overseer::model::event_view::summarize(r.raw);
        assert!(!bad(&sum.text), "{:?}", sum.text);
        assert!(!bad(&sum.kind), "{:?}", sum.kind);
    }
    assert!(hostile > 0, "the fixture holds hostile text");
}

#[test]
fn hostile_text_never_reaches_the_screen() {
    let snap = frame(demo_state(200, 60), &Theme::dark());
    assert!(!snap.contains('\u{1b}'));
    assert!(!snap.contains('\u{202e}'));
    assert!(!snap.contains('\u{7}'));
    assert!(snap.contains("evil txt.exe 日本語"), "{snap}");
}

#[test]
fn fixed_clock_is_used() {
    assert_eq!(demo_state(80, 24).now, fixtures::NOW);
}

#[test]
fn wrap_preview_and_gap_rows() {
    use overseer::api::feed::FeedItem;
    let mut s = demo_state(120, 40);
    let feed = |s: &mut State, item: FeedItem| {
        let _ = overseer::app::update(
            s,
            Msg::Feed {
                session_id: "sesn_000001".into(),
                item,
            },
        );
    };
    feed(&mut s, FeedItem::HistoryLoaded);
    feed(
        &mut s,
        FeedItem::Gap {
            reason: "history read failed: 503".into(),
        },
    );
    feed(
        &mut s,
        FeedItem::Preview {
            event_id: "sevt_typing".into(),
            kind: "agent.message".into(),
            text: "Both calls need your approval: the Stripe price and the \u{1b}[2Jpush".into(),
        },
    );
    s.focus = overseer::app::state::Pane::Events;
    key(&mut s, KeyCode::Char('w'));
    let snap = frame(s, &Theme::dark());
    assert!(snap.contains("⚠ gap"), "{snap}");
    assert!(snap.contains("the Stripe price and the push"), "{snap}");
    insta::assert_snapshot!("stream_wrap_preview_gap_120x40", snap);
}

#[test]
fn never_panics_at_any_size_or_overlay() {
    let theme = Theme::dark();
    for w in (1..=130).step_by(7) {
        for h in (1..=45).step_by(4) {
            for overlay in [None, Some('?'), Some('e'), Some('c'), Some(':')] {
                let mut s = demo_state(w, h);
                match overlay {
                    Some('e') => {
                        key(&mut s, KeyCode::Tab);
                        key(&mut s, KeyCode::Enter);
                    }
                    Some('c') => {
                        let _ = overseer::app::update(
                            &mut s,
                            Msg::Key(KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL)),
                        );
                    }
                    Some(c) => key(&mut s, KeyCode::Char(c)),
                    None => {}
                }
                let snap = frame(s, &theme);
                assert_eq!(
                    snap.lines().take_while(|l| *l != "--- styles ---").count(),
                    h as usize
                );
            }
        }
    }
}

fn mem_msg(state: &mut State, m: overseer::ops::memory::MemMsg) {
    let _ = overseer::app::update(state, Msg::Memory(Box::new(m)));
}

/// The engineering store's tree with `/gotchas/` open.
fn memory_tree(w: u16, h: u16) -> State {
    use overseer::api::types::{MemoryListItem, MemoryPrefix};
    use overseer::ops::memory::MemMsg;
    let mut tree = fixtures::resource_state(w, h, View::Memory);
    key(&mut tree, KeyCode::Enter);
    let all = fixtures::memories();
    let mut root: Vec<MemoryListItem> = ["/conventions/", "/gotchas/", "/people/", "/runbooks/"]
        .iter()
        .map(|p| {
            MemoryListItem::MemoryPrefix(MemoryPrefix {
                path: p.to_string(),
            })
        })
        .collect();
    root.push(MemoryListItem::Memory(overseer::api::types::Memory {
        id: "mem_top".into(),
        path: "/README.md".into(),
        content_sha256: "f".repeat(64),
        content_size_bytes: 2048,
        updated_at: all[0].updated_at.clone(),
        ..Default::default()
    }));
    mem_msg(
        &mut tree,
        MemMsg::Folder {
            store_id: "memstore_eng".into(),
            prefix: "/".into(),
            result: Ok((root, false)),
        },
    );
    key(&mut tree, KeyCode::Down);
    key(&mut tree, KeyCode::Char('l'));
    let gotchas = all
        .iter()
        .filter(|m| m.path.starts_with("/gotchas/"))
        .cloned()
        .map(MemoryListItem::Memory)
        .collect();
    mem_msg(
        &mut tree,
        MemMsg::Folder {
            store_id: "memstore_eng".into(),
            prefix: "/gotchas/".into(),
            result: Ok((gotchas, false)),
        },
    );
    tree
}

/// The flaky-checkout memory opened in the tree (with contents for its three versions).
fn memory_open(w: u16, h: u16) -> State {
    use overseer::ops::memory::MemMsg;
    let mut memory = memory_tree(w, h);
    key(&mut memory, KeyCode::Down);
    key(&mut memory, KeyCode::Enter);
    let (m, mut versions) = fixtures::memory_detail();
    versions[0].content = m.content.clone();
    versions[1].content = Some(
        "# Flaky checkout test\n\nThe checkout test races the clock: retry it.\n\n- see PR 4411\n"
            .into(),
    );
    versions[2].content = Some("# Flaky checkout test\n\nRetry it.\n".into());
    mem_msg(
        &mut memory,
        MemMsg::Memory {
            store_id: "memstore_eng".into(),
            memory_id: "mem_003".into(),
            result: Ok((Box::new(m), versions)),
        },
    );
    memory
}

fn memory_levels(w: u16, h: u16) -> (State, State, State) {
    (
        fixtures::resource_state(w, h, View::Memory),
        memory_tree(w, h),
        memory_open(w, h),
    )
}

#[test]
fn memory_view_levels() {
    let (stores, tree, memory) = memory_levels(120, 40);
    let snap = frame(stores, &Theme::dark());
    assert!(snap.contains("Memory stores 3"), "{snap}");
    assert!(snap.contains("engineering-notes"), "{snap}");
    assert!(snap.contains("old-scratch"), "{snap}");
    assert!(!snap.contains('\u{1b}'));
    insta::assert_snapshot!("memory_stores_120x40", snap);

    let snap = frame(tree, &Theme::dark());
    assert!(snap.contains("▾ gotchas/"), "{snap}");
    assert!(snap.contains("▸ conventions/"), "{snap}");
    assert!(snap.contains("· flaky-checkout.md"), "{snap}");
    let folder = snap.find("▸ runbooks/").unwrap();
    let readme = snap.find("README.md").unwrap();
    assert!(folder < readme, "folders first");
    insta::assert_snapshot!("memory_tree_120x40", snap);

    let snap = frame(memory, &Theme::dark());
    assert!(snap.contains("# Flaky checkout test"), "{snap}");
    assert!(!snap.contains('\u{1b}') && !snap.contains('\u{202e}'));
    insta::assert_snapshot!("memory_content_120x40", snap);

    // v: the versions with the newest against the one before it.
    let mut versions = memory_open(120, 40);
    key(&mut versions, KeyCode::Char('v'));
    let snap = frame(versions, &Theme::dark());
    assert!(snap.contains("session sesn_000001"), "{snap}");
    assert!(snap.contains("user user_dana"), "{snap}");
    assert!(
        snap.contains("memver_3b (modified) → memver_3c (modified)"),
        "{snap}"
    );
    assert!(
        snap.contains("-The checkout test races the clock: retry it."),
        "{snap}"
    );
    insta::assert_snapshot!("memory_version_diff_120x40", snap);

    // e: the edit overlay, prefilled.
    let mut edit = memory_open(120, 40);
    key(&mut edit, KeyCode::Char('e'));
    let snap = frame(edit, &Theme::dark());
    assert!(snap.contains("Edit /gotchas/flaky-checkout.md"), "{snap}");
    assert!(snap.contains("ctrl-s save"), "{snap}");
    insta::assert_snapshot!("memory_edit_120x40", snap);
}

#[test]
fn memory_audit_list() {
    use overseer::ops::memory::MemMsg;
    let mut s = fixtures::resource_state(120, 40, View::Memory);
    key(&mut s, KeyCode::Char('W'));
    let (_, versions) = fixtures::memory_detail();
    let mut writes = vec![versions[0].clone()];
    let mut other = versions[0].clone();
    other.id = "memver_9".into();
    other.memory_id = "mem_009".into();
    other.path = Some("/runbooks/deploy.md".into());
    other.operation = overseer::api::types::MemoryOperation::Created;
    writes.push(other);
    mem_msg(
        &mut s,
        MemMsg::Audit {
            store_id: "memstore_eng".into(),
            result: Ok((writes, false)),
        },
    );
    let snap = frame(s, &Theme::dark());
    assert!(
        snap.contains("Agent writes engineering-notes · 2"),
        "{snap}"
    );
    assert!(snap.contains("sesn_000001"), "{snap}");
    assert!(snap.contains("/runbooks/deploy.md"), "{snap}");
    insta::assert_snapshot!("memory_audit_120x40", snap);
}

#[test]
fn dreams_view() {
    let s = fixtures::resource_state(120, 40, View::Dreams);
    let snap = frame(s, &Theme::dark());
    for word in [
        "▶ running",
        "◌ pending",
        "✔ completed",
        "✖ failed",
        "■ canceled",
    ] {
        assert!(snap.contains(word), "{word}: {snap}");
    }
    assert!(
        !snap.contains("review queue"),
        "no promise of a queue: {snap}"
    );
    assert!(snap.contains("\"type\": \"dream\""), "{snap}");
    insta::assert_snapshot!("dreams_120x40", snap);

    // The failed dream's error, sanitized.
    let mut s = fixtures::resource_state(120, 40, View::Dreams);
    for _ in 0..3 {
        key(&mut s, KeyCode::Down);
    }
    let snap = frame(s, &Theme::dark());
    assert!(
        snap.contains("✖ model_overloaded_error: The model was overloaded;"),
        "{snap}"
    );
}

#[test]
fn deployments_view() {
    let mut s = fixtures::resource_state(120, 40, View::Deployments);
    let snap = frame(
        fixtures::resource_state(120, 40, View::Deployments),
        &Theme::dark(),
    );
    assert!(snap.contains("Stale PR digest"), "{snap}");
    assert!(snap.contains("*/30 * * * * UTC"), "{snap}");
    assert!(snap.contains("in 30m"), "{snap}");
    // The next three fires, computed locally in the schedule's timezone.
    assert!(
        snap.contains("next      Thu 26 Nov 12:30 · 13:00 · 13:30  (in 30m)"),
        "{snap}"
    );
    insta::assert_snapshot!("deployments_120x40", snap);
    key(&mut s, KeyCode::Down);
    let snap = frame(s, &Theme::dark());
    assert!(snap.contains("(error: vault_archived_error)"), "{snap}");
    assert!(
        snap.contains("✖ schedule   15m vault_archived_error: Vault vlt_01 is"),
        "{snap}"
    );
    insta::assert_snapshot!("deployments_paused_120x40", snap);
}

// -- deployments: runs, the confirmation, the create form and the API's error on it
fn deploy_choices() -> Msg {
    use overseer::app::deployments::DeployMsg;
    Msg::Deploy(DeployMsg::Choices(Ok((
        vec![
            ("agent_ops".into(), "ops-bot".into()),
            ("agent_support".into(), "support-bot".into()),
        ],
        vec![("env_cloud".into(), "cloud".into())],
    ))))
}

#[test]
fn deployment_runs_confirm_and_form() {
    let mut s = fixtures::resource_state(120, 40, View::Deployments);
    key(&mut s, KeyCode::Enter);
    key(&mut s, KeyCode::Down);
    let snap = frame(s, &Theme::dark());
    assert!(snap.contains("⏎ open session"), "{snap}");
    insta::assert_snapshot!("deployment_runs_120x40", snap);

    let mut s = fixtures::resource_state(120, 40, View::Deployments);
    key(&mut s, KeyCode::Char('r'));
    let snap = frame(s, &Theme::dark());
    assert!(
        snap.contains("Run now deployment Stale PR digest?"),
        "{snap}"
    );
    insta::assert_snapshot!("deployment_confirm_120x40", snap);

    let mut s = fixtures::resource_state(120, 40, View::Deployments);
    key(&mut s, KeyCode::Char('c'));
    let _ = overseer::app::update(&mut s, deploy_choices());
    for c in "Nightly sweep".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    for _ in 0..3 {
        key(&mut s, KeyCode::Tab);
    }
    for c in "0 25 * * *".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    let snap = frame(s, &Theme::dark());
    assert!(snap.contains("New deployment"), "{snap}");
    insta::assert_snapshot!("deployment_form_120x40", snap);

    let mut s = fixtures::resource_state(120, 40, View::Deployments);
    key(&mut s, KeyCode::Char('c'));
    let _ = overseer::app::update(&mut s, deploy_choices());
    let _ = overseer::app::update(
        &mut s,
        Msg::Deploy(overseer::app::deployments::DeployMsg::Saved(Err(
            "400 invalid_request_error: schedule.expression: invalid cron expression \"0 25 * * *\": \"25\" is out of range 0-23 (request-id req_011)".into(),
        ))),
    );
    let snap = frame(s, &Theme::dark());
    assert!(
        snap.contains("✖ 400 invalid_request_error: schedule.expression"),
        "{snap}"
    );
    insta::assert_snapshot!("deployment_form_error_120x40", snap);
}

#[test]
fn resource_views_small() {
    let (_, _, memory) = memory_levels(80, 24);
    insta::assert_snapshot!("memory_content_80x24", frame(memory, &Theme::dark()));
    // No panic at any size in any resource view.
    for view in [View::Memory, View::Dreams, View::Deployments] {
        for (w, h) in [(60, 16), (1, 1), (200, 60), (79, 23)] {
            let s = fixtures::resource_state(w, h, view);
            let _ = frame(s, &Theme::dark());
        }
    }
}

/// Rows of the event pane on which the selection colour is drawn.
fn selected_rows(state: State, theme: &Theme) -> Vec<u16> {
    let (w, h) = state.size;
    let pane =
        overseer::ui::layout::areas(w, h, state.input.is_some() || state.toast.is_some()).events;
    let mut app = App::new(state, None);
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    app.draw(&mut term, theme).unwrap();
    let buf = term.backend().buffer();
    let sel_bg = theme.selection.bg;
    (pane.y + 1..pane.y + pane.height - 1)
        .filter(|&y| {
            (pane.x + 1..pane.x + pane.width - 1).any(|x| buf[(x, y)].style().bg == sel_bg)
        })
        .collect()
}

#[test]
fn wrap_mode_keeps_the_selected_event_in_view() {
    let theme = Theme::dark();
    // Wrap on (and timestamps off: other widths), jump to the end, then step up `up` rows.
    let build = |w: u16, h: u16, times_off: bool, up: usize| {
        let mut s = demo_state(w, h);
        // Long messages: each wraps to several lines.
        for n in 0..20 {
            let text = format!("message {n}: {}", "lorem ipsum dolor sit amet ".repeat(12));
            let raw = serde_json::json!({
                "type": "agent.message",
                "id": format!("sevt_long_{n}"),
                "processed_at": "2026-01-01T00:00:00Z",
                "content": [{"type": "text", "text": text}],
            });
            let _ = overseer::app::update(
                &mut s,
                Msg::Feed {
                    session_id: "sesn_000001".into(),
                    item: overseer::api::feed::FeedItem::Event(raw.to_string()),
                },
            );
        }
        s.focus = overseer::app::state::Pane::Events;
        key(&mut s, KeyCode::Char('w'));
        if times_off {
            key(&mut s, KeyCode::Char('t'));
        }
        key(&mut s, KeyCode::End);
        for _ in 0..up {
            key(&mut s, KeyCode::Char('k'));
        }
        s
    };
    for (w, h) in [(80, 24), (120, 40)] {
        for times_off in [false, true] {
            let len = build(w, h, times_off, 0).stream_len();
            assert!(len > 12);
            for up in 1..12 {
                let s = build(w, h, times_off, up);
                assert_eq!(s.stream.nav.cursor, len - 1 - up);
                let rows = selected_rows(s, &theme);
                assert!(
                    !rows.is_empty(),
                    "{w}x{h} times off={times_off}: row {} ({up}× k) is off screen",
                    len - 1 - up
                );
            }
        }
    }
}

#[test]
fn event_pane_title_uses_the_room_and_keeps_a_space_before_the_corner() {
    let long = "sesn_a_long_identifier_standing_in_for_a_title";
    let open_long = |w: u16, h: u16| {
        let mut s = demo_state(w, h);
        s.watched = Some(overseer::app::state::Watched::new(long));
        s.stream.search = Some("needle".into());
        s.stream.filter.thread = Some(String::new());
        s
    };
    let top_of_events = |s: State| {
        let (w, h) = s.size;
        let pane = overseer::ui::layout::areas(w, h, false).events;
        let snap = frame(s, &Theme::dark());
        let row: Vec<char> = snap
            .lines()
            .nth(usize::from(pane.y))
            .unwrap()
            .chars()
            .collect();
        // Columns of the pane's top border (the row is trimmed, all cells here are 1 wide).
        let x0 = usize::from(pane.x);
        let x1 = usize::from(pane.x + pane.width);
        row[x0..x1.min(row.len())].iter().collect::<String>()
    };
    let wide = top_of_events(open_long(220, 50));
    assert!(wide.contains(long), "{wide}");
    assert!(wide.contains("/needle"), "{wide}");
    for w in [80u16, 120] {
        let top = top_of_events(open_long(w, 30));
        let cells: Vec<char> = top.chars().collect();
        assert_eq!(
            cells.len(),
            usize::from(overseer::ui::layout::areas(w, 30, false).events.width),
            "{top}"
        );
        let before_corner = cells[cells.len() - 2];
        assert!([' ', '─', '━'].contains(&before_corner), "{w} cols: {top}");
    }
}

#[test]
fn expanded_tool_output_reads_as_text_and_wraps() {
    let mut s = demo_state(100, 30);
    let output = format!(
        "   1\tuse crate::money::Cents;\n   2\t// {} END-OF-LONG-LINE",
        "a very long comment that goes on ".repeat(4)
    );
    let raw = serde_json::json!({
        "type": "agent.tool_result",
        "id": "sevt_out",
        "processed_at": "2026-11-26T11:59:00Z",
        "tool_use_id": "tu_x",
        "content": [{"type": "text", "text": output}],
    });
    let _ = overseer::app::update(
        &mut s,
        Msg::Feed {
            session_id: "sesn_000001".into(),
            item: overseer::api::feed::FeedItem::Event(raw.to_string()),
        },
    );
    s.focus = overseer::app::state::Pane::Events;
    key(&mut s, KeyCode::End);
    key(&mut s, KeyCode::Enter);
    overseer::app::frame::prepare_frame(&mut s);
    let snap = frame(s, &Theme::dark());
    // The result opens on its Output tab; tabs expanded, newlines honoured, the long line
    // wrapped to its end (continuation lines keep the text's indent).
    assert!(snap.contains(" 2 Output "), "{snap}");
    assert!(snap.contains("   1    use crate::money::Cents;"), "{snap}");
    assert!(snap.contains("END-OF-LONG-LINE"), "{snap}");
    let line2 = snap
        .lines()
        .position(|l| l.contains("   2    // a very long"))
        .unwrap();
    let next = snap.lines().nth(line2 + 1).unwrap();
    assert!(next.contains("goes on"), "{next}");
    insta::assert_snapshot!("event_expanded_tool_output_100x30", snap);
}

fn conn_state(w: u16, h: u16, conn: overseer::app::state::ListConn) -> State {
    let mut s = State::new(fixtures::NOW);
    s.size = (w, h);
    s.profile = "default".into();
    s.base_url = "https://api.anthropic.com".into();
    let _ = overseer::app::update(&mut s, Msg::ListConn(conn));
    let _ = overseer::app::update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
    );
    s
}

#[test]
fn rejected_key_is_said_in_header_and_list() {
    use overseer::app::state::ListConn;
    let reason = "401 authentication_error: invalid x-api-key (request-id req_011)";
    let rejected = ListConn::Rejected {
        reason: reason.into(),
    };
    let snap = frame(conn_state(120, 40, rejected.clone()), &Theme::dark());
    let header = snap.lines().next().unwrap();
    assert!(header.contains(&format!("✖ {reason}")), "{header}");
    assert!(!snap.contains("waiting for the first poll"), "{snap}");
    assert!(
        snap.contains("┃  401 authentication_error: invalid x-api-key"),
        "{snap}"
    );
    insta::assert_snapshot!("rejected_key_120x40", snap);
    // Small: the base URL goes, the state stays.
    let snap = frame(conn_state(60, 16, rejected), &Theme::dark());
    let header = snap.lines().next().unwrap();
    assert!(header.contains("✖ 401 authentication_err"), "{header}");
    assert!(!header.contains("api.anthropic.com"), "{header}");
    let down = ListConn::Down {
        reason: "network: connection refused".into(),
    };
    let snap = frame(conn_state(120, 40, down), &Theme::dark());
    let header = snap.lines().next().unwrap();
    assert!(
        header.contains("✖ down: network: connection refused"),
        "{header}"
    );
}

#[test]
fn header_degrades_without_cutting_words() {
    // 120 columns: the most urgent states keep their words, the rest shorten, nothing is cut.
    let snap = frame(demo_state(120, 40), &Theme::dark());
    let counts = snap.lines().nth(1).unwrap().trim_end().to_string();
    assert!(
        counts.starts_with(" ⚑ 1 needs approval  ✎ 1 needs input"),
        "{counts}"
    );
    assert!(counts.ends_with("■1  ▪1"), "{counts}");
    // 60×16: short labels, and the connection state is still there.
    let snap = frame(demo_state(60, 16), &Theme::dark());
    let mut lines = snap.lines();
    let header = lines.next().unwrap();
    assert!(header.contains("● connected"), "{header}");
    let counts = lines.next().unwrap().trim_end();
    assert!(counts.starts_with(" ⚑"), "{counts}");
    assert!(!counts.contains("running"), "{counts}");
    let last = counts.split(' ').next_back().unwrap();
    assert!(last.chars().last().unwrap().is_ascii_digit(), "{counts}");
}

#[test]
fn help_small_fits_and_stops_at_the_end() {
    let mut s = demo_state(60, 16);
    key(&mut s, KeyCode::Char('?'));
    let first = frame_of(&s);
    // One column at 60 cells: labels are whole.
    assert!(first.contains("next pane"), "{first}");
    assert!(first.contains("previous pane"), "{first}");
    for _ in 0..500 {
        key(&mut s, KeyCode::Char('j'));
    }
    let Some(overseer::app::state::Overlay::Help { nav }) = s.overlay.clone() else {
        panic!("help closed");
    };
    let end = frame_of(&s);
    // The last note is on the last row inside the box: no blank space scrolled into.
    let rows: Vec<&str> = end.lines().collect();
    assert!(rows[13].contains("(ctrl-c always quits)"), "{end}");
    key(&mut s, KeyCode::Char('k'));
    let Some(overseer::app::state::Overlay::Help { nav: up }) = s.overlay.clone() else {
        panic!("help closed");
    };
    assert_eq!(
        up.cursor + 1,
        nav.cursor,
        "one k goes back one line from the end"
    );
    insta::assert_snapshot!("help_60x16_end", end);
}

fn frame_of(s: &State) -> String {
    let (w, h) = s.size;
    let mut st = demo_state(w, h);
    st.overlay = s.overlay.clone();
    st.read_only = s.read_only;
    let t = frame(st, &Theme::dark());
    t.split("--- styles ---").next().unwrap_or("").to_string()
}

#[test]
fn read_only_hides_write_actions() {
    let mut s = demo_state(200, 60);
    s.read_only = true;
    let snap = frame(s, &Theme::dark());
    let footer = snap
        .split("--- styles ---")
        .next()
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .to_string();
    assert!(footer.contains("mark"), "{footer}");
    assert!(
        !footer.contains("archive ") && !footer.contains("delete"),
        "{footer}"
    );
    let mut s = demo_state(120, 40);
    s.read_only = true;
    key(&mut s, KeyCode::Char('?'));
    let snap = frame_of(&s);
    assert!(snap.contains("mark") && !snap.contains("delete"), "{snap}");
}

#[test]
fn identical_polls_draw_no_frames() {
    let mut state = State::new(fixtures::NOW);
    state.size = (120, 40);
    let fleet = fixtures::fleet();
    let summaries: Vec<_> = fleet.iter().map(|(s, _)| s.clone()).collect();
    let mut app = App::new(state, None);
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let load = |app: &mut App| {
        app.handle(Msg::SessionsLoaded(summaries.clone()));
        for (s, e) in &fleet {
            app.handle(Msg::SessionEvidence {
                id: s.id.clone(),
                evidence: e.clone(),
            });
        }
    };
    load(&mut app);
    app.handle(Msg::ListConn(overseer::app::state::ListConn::Ok));
    app.draw(&mut term, &Theme::dark()).unwrap();
    let frames = app.state.frames;
    // Ten identical poll rounds (30 s at 3 s): nothing on screen changes.
    for _ in 0..10 {
        load(&mut app);
        app.draw(&mut term, &Theme::dark()).unwrap();
    }
    assert_eq!(app.state.frames, frames);
    // A real change still draws.
    let mut changed = summaries.clone();
    changed[0].title = "renamed".into();
    app.handle(Msg::SessionsLoaded(changed));
    app.draw(&mut term, &Theme::dark()).unwrap();
    assert_eq!(app.state.frames, frames + 1);
}

/// Text that terminals draw at another width than naive measuring says (flags, ZWJ families,
/// a lone ZWJ, soft hyphens, variation selectors) must not push borders: at the cell level,
/// every row has the list pane's right border in the same column, and no zero-width format
/// character or regional indicator reaches a cell.
#[test]
fn emoji_sequences_draw_in_the_cells_they_measure() {
    let nasty = [
        "Flags 🇺🇸🇯🇵 and a family 👨\u{200d}👩\u{200d}👧\u{200d}👦 here",
        "lone\u{200d}zwj soft\u{00ad}hyphen heart ❤\u{fe0f} keycap 1\u{fe0f}\u{20e3}",
        "🏳\u{fe0f}\u{200d}🌈 rainbow 🧑🏽\u{200d}💻 coder",
    ];
    let mut state = demo_state(120, 40);
    let mut fleet = fixtures::fleet();
    // Through the same parsing the poller uses (titles are sanitized when read).
    for (i, (s, _)) in fleet.iter_mut().enumerate().take(nasty.len()) {
        let raw = serde_json::json!({"id": s.id, "title": nasty[i], "status": "idle",
            "created_at": "2026-12-07T10:00:00Z", "updated_at": "2026-12-07T10:00:00Z"});
        s.title = overseer::model::sessions::SessionSummary::from_json(&raw)
            .expect("a session with an id parses")
            .title;
    }
    let summaries = fleet.iter().map(|(s, _)| s.clone()).collect();
    let _ = overseer::app::update(&mut state, Msg::SessionsLoaded(summaries));
    let mut app = App::new(state, None);
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
    app.draw(&mut term, &Theme::dark()).unwrap();
    let buf = term.backend().buffer();
    let border_x = |y: u16| (0..120u16).find(|&x| buf[(x, y)].symbol() == "┃" && x > 0);
    let first = border_x(3).expect("the list pane has a right border");
    let mut seen_titles = 0;
    for y in 3..38u16 {
        assert_eq!(border_x(y), Some(first), "row {y} pushed the border");
        let row: String = (0..120u16).map(|x| buf[(x, y)].symbol()).collect();
        if row.contains("Flags") || row.contains("lone") || row.contains("rainbow") {
            seen_titles += 1;
        }
        for x in 0..120u16 {
            for c in buf[(x, y)].symbol().chars() {
                assert!(
                    !matches!(c, '\u{200d}' | '\u{00ad}' | '\u{fe0e}' | '\u{fe0f}')
                        && !('\u{1f1e6}'..='\u{1f1ff}').contains(&c),
                    "row {y} col {x} holds {:?}",
                    c
                );
            }
        }
    }
    assert_eq!(seen_titles, nasty.len(), "every nasty title is on screen");
}

// ---------------------------------------------------------------------------------------------
// Dream review (`:review`) and the start-dream form

fn review_state() -> State {
    use overseer::app::review_view::ReviewMsg;
    use overseer::model::review::{
        Listed, ReviewQueue, build_changes, compare_listings, content_sha256,
    };
    let l = |id: &str, path: &str, content: &str| Listed {
        memory_id: id.into(),
        path: path.into(),
        sha: content_sha256(content),
    };
    let files = [
        (
            "i1",
            "The deploy runbook says run the migrations first.\nThen restart the workers.\n",
        ),
        ("i2", "old note\n"),
        (
            "o1",
            "The deploy runbook says run the checks first.\nThen restart the workers.\nThen page nobody.\n",
        ),
        ("o3", "Prefers short answers.\n"),
    ];
    let input = vec![
        l("i1", "/runbooks/deploy.md", files[0].1),
        l("i2", "/notes/old.md", files[1].1),
    ];
    let output = vec![
        l("o1", "/runbooks/deploy.md", files[2].1),
        l("o3", "/people/ana.md", files[3].1),
    ];
    let contents = files
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let d = compare_listings(&input, &output);
    let queue = ReviewQueue::new("drm_demo", build_changes("drm_demo", &d, &contents));
    let mut s = demo_state(120, 40);
    s.view = View::Review;
    s.review.generation = 1;
    let _ = overseer::app::update(
        &mut s,
        Msg::Review(ReviewMsg::Loaded {
            generation: 1,
            input_store: "memstore_input".into(),
            output_store: "memstore_output".into(),
            queue: Box::new(queue),
            warnings: vec![],
        }),
    );
    s
}

#[test]
fn review_queue_diff_conflict_and_apply_confirm() {
    use overseer::app::review_view::{ApplyCounts, ReviewConfirm};
    use overseer::model::review::{LiveVersion, Record};
    let mut s = review_state();
    let q = s.review.queue.as_ref().unwrap();
    s.review.list.cursor = q
        .changes
        .iter()
        .position(|c| c.path == "/runbooks/deploy.md")
        .unwrap();
    let snap = frame(s, &Theme::dark());
    assert!(
        snap.contains("review 3"),
        "the header counts waiting changes: {snap}"
    );
    assert!(
        snap.contains("-The deploy runbook says run the migrations first."),
        "{snap}"
    );
    assert!(
        snap.contains("+The deploy runbook says run the checks first."),
        "{snap}"
    );
    insta::assert_snapshot!("review_diff_120x40", snap);

    let mut s = review_state();
    let q = s.review.queue.as_mut().unwrap();
    let i = q
        .changes
        .iter()
        .position(|c| c.path == "/runbooks/deploy.md")
        .unwrap();
    let id = q.changes[i].id.clone();
    for r in [
        Record::Decision {
            dream_id: "drm_demo".into(),
            change_id: id.clone(),
            decision: overseer::model::review::Decision::Accept,
            seen: None,
        },
        Record::ApplyConflict {
            dream_id: "drm_demo".into(),
            change_id: id,
            live: Some(LiveVersion {
                memory_id: "i1".into(),
                path: "/runbooks/deploy.md".into(),
                sha: "x".into(),
                content: Some("Someone rewrote this meanwhile.\n".into()),
            }),
            message: "412 the memory changed since it was reviewed (request-id req_42)".into(),
        },
    ] {
        q.apply_record(&r);
    }
    s.review.list.cursor = i;
    let snap = frame(s, &Theme::dark());
    assert!(snap.contains("Someone rewrote this meanwhile."), "{snap}");
    insta::assert_snapshot!("review_conflict_120x40", snap);

    let mut s = review_state();
    s.review.confirm = Some(ReviewConfirm::Apply(ApplyCounts {
        update: 1,
        create: 1,
        delete: 1,
        rename: 0,
    }));
    let snap = frame(s, &Theme::dark());
    assert!(
        snap.contains("1 to update, 1 to create, 1 to delete, 0 to rename"),
        "{snap}"
    );
    insta::assert_snapshot!("review_apply_confirm_120x40", snap);
}

#[test]
fn start_dream_form() {
    let mut s = fixtures::resource_state(120, 40, View::Dreams);
    key(&mut s, KeyCode::Char('c'));
    assert!(s.review.form.is_some());
    let snap = frame(s, &Theme::dark());
    assert!(snap.contains("Start a dream"), "{snap}");
    insta::assert_snapshot!("dream_form_120x40", snap);
}

/// A frame of `state` without consuming it (prepared by the caller).
fn frame_ref(state: &State, theme: &Theme) -> String {
    let (w, h) = state.size;
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| overseer::ui::draw(state, theme, f)).unwrap();
    render(term.backend().buffer())
}

/// The demo session with event `id` selected in the stream and the inspector opened on it.
fn inspect(mut s: State, id: &str) -> State {
    let at = s
        .watched
        .as_ref()
        .and_then(|w| w.transcript.find(id))
        .unwrap();
    s.focus = overseer::app::state::Pane::Events;
    s.stream.follow = false;
    s.stream.nav.cursor = at;
    overseer::app::frame::prepare_frame(&mut s);
    key(&mut s, KeyCode::Enter);
    overseer::app::frame::prepare_frame(&mut s);
    s
}

fn feed_event(s: &mut State, raw: serde_json::Value) {
    let _ = overseer::app::update(
        s,
        Msg::Feed {
            session_id: "sesn_000001".into(),
            item: overseer::api::feed::FeedItem::Event(raw.to_string()),
        },
    );
}

#[test]
fn inspector_error_call_folded_and_unfolded() {
    // The failed edit: opened on its Output tab, with the call line above the tabs.
    let s = inspect(demo_state(120, 40), "ev_10");
    let snap = frame_ref(&s, &Theme::dark());
    assert!(
        snap.contains(" edit built-in error · permission allow"),
        "{snap}"
    );
    assert!(snap.contains(" 1 Input   2 Output   3 Raw "), "{snap}");
    assert!(snap.contains("edit failed: old text not found"), "{snap}");
    insta::assert_snapshot!("inspector_error_call_120x40", snap);
    // Raw tab, everything folded below the root, then unfolded again.
    let mut s = s;
    key(&mut s, KeyCode::Char('3'));
    key(&mut s, KeyCode::Char('M'));
    let folded = frame_ref(&s, &Theme::dark());
    assert!(folded.contains("▸ content: [1]"), "{folded}");
    assert!(!folded.contains("edit failed"), "{folded}");
    insta::assert_snapshot!("inspector_raw_folded_120x40", folded);
    key(&mut s, KeyCode::Char('R'));
    let unfolded = frame(s, &Theme::dark());
    assert!(unfolded.contains("▾ content: [1]"), "{unfolded}");
    assert!(
        unfolded.contains("text: \"edit failed: old text not found\""),
        "{unfolded}"
    );
    insta::assert_snapshot!("inspector_raw_unfolded_120x40", unfolded);
}

#[test]
fn inspector_denied_call() {
    let mut s = demo_state(120, 40);
    feed_event(
        &mut s,
        serde_json::json!({
            "type": "user.tool_confirmation", "id": "sevt_deny", "tool_use_id": "tu_2",
            "result": "deny", "deny_message": "never push to origin from here",
            "processed_at": "2026-11-26T11:59:00Z",
        }),
    );
    let snap = frame(inspect(s, "tu_2"), &Theme::dark());
    assert!(
        snap.contains(
            " bash built-in denied · permission ask · denied: never push to origin from here"
        ),
        "{snap}"
    );
    assert!(
        snap.contains("command: \"git push origin billing-v2\""),
        "{snap}"
    );
    insta::assert_snapshot!("inspector_denied_call_120x40", snap);
}

#[test]
fn inspector_long_output_is_paged_and_says_where_the_rest_is() {
    let mut s = demo_state(120, 40);
    let output: String = (0..20_000)
        .map(|i| format!("line {i:05} of a long build log\n"))
        .collect();
    assert!(output.len() > 600_000);
    feed_event(
        &mut s,
        serde_json::json!({"type": "agent.tool_use", "id": "sevt_long_use", "name": "bash",
            "input": {"command": "cargo build -vv"}, "evaluated_permission": "allow",
            "processed_at": "2026-11-26T11:58:00Z"}),
    );
    feed_event(
        &mut s,
        serde_json::json!({"type": "agent.tool_result", "id": "sevt_long", "tool_use_id": "sevt_long_use",
            "content": [{"type": "text", "text": output}], "processed_at": "2026-11-26T11:58:30Z"}),
    );
    let mut s = inspect(s, "sevt_long");
    let first = frame_ref(&s, &Theme::dark());
    assert!(
        first.contains("bash built-in ok · permission allow · 30.0 s"),
        "{first}"
    );
    assert!(first.contains("text · 8457+ lines · 625.0 KB"), "{first}");
    assert!(first.contains("line 00000 of a long build log"), "{first}");
    insta::assert_snapshot!("inspector_long_output_120x40", first);
    // Page down moves the cursor a page (34 rows here), the next one scrolls a whole page;
    // the end says how much was left out and where the rest is.
    key(&mut s, KeyCode::PageDown);
    let page = frame_ref(&s, &Theme::dark());
    assert!(page.contains(" row 35/8462 "), "{page}");
    key(&mut s, KeyCode::PageDown);
    let page = frame_ref(&s, &Theme::dark());
    assert!(page.contains(" row 69/8462 "), "{page}");
    assert!(page.contains("line 00065 of a long build log"), "{page}");
    assert!(!page.contains("line 00031 of"), "{page}");
    key(&mut s, KeyCode::End);
    let end = frame_ref(&s, &Theme::dark());
    assert!(
        end.contains("… first 256.0 KB of 625.0 KB shown · o opens the rest in $PAGER"),
        "{end}"
    );
    // `/` searches the tab, n goes on to the next match.
    key(&mut s, KeyCode::Home);
    key(&mut s, KeyCode::Char('/'));
    for c in "line 04000".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    key(&mut s, KeyCode::Enter);
    let found = frame_ref(&s, &Theme::dark());
    let cursor_row = found.lines().find(|l| l.contains("line 04000")).unwrap();
    assert!(
        cursor_row.contains("line 04000 of a long build log"),
        "{found}"
    );
    key(&mut s, KeyCode::Char('n'));
    assert!(
        s.toast.is_some(),
        "one match only: n says there is no later one"
    );
}

#[test]
fn inspector_hostile_event_renders_safely_and_touches_only_visible_rows() {
    let mut s = demo_state(120, 40);
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let big = "x".repeat(1 << 20);
    let raw = format!(
        r#"{{"type":"agent.tool_result","id":"sevt_bad","tool_use_id":"ev_06","processed_at":"2026-11-26T11:59:00Z","content":[{{"type":"text","text":"a\u001b]0;pwned\u0007b \ud800 lone \u202e rtl"}}],"deep":{deep},"big":"{big}"}}"#
    );
    let _ = overseer::app::update(
        &mut s,
        Msg::Feed {
            session_id: "sesn_000001".into(),
            item: overseer::api::feed::FeedItem::Event(raw),
        },
    );
    let mut s = inspect(s, "sevt_bad");
    key(&mut s, KeyCode::Char('3'));
    let theme = Theme::dark();
    let snap = frame_ref(&s, &theme);
    assert!(
        !snap.contains('\u{1b}') && !snap.contains('\u{202e}'),
        "{snap}"
    );
    assert!(!snap.contains('\u{7}'), "{snap}");
    let tree = &s.inspector.tabs[2].1;
    assert!(tree.cut);
    assert!(tree.rows.len() < 200, "{}", tree.rows.len());
    // One frame looks at no more tree rows than fit on the screen, at any cursor position.
    for _ in 0..3 {
        for height in [5usize, 20, 38] {
            let nav = match &s.overlay {
                Some(overseer::app::state::Overlay::Event { nav }) => *nav,
                _ => panic!("inspector closed"),
            };
            let view = overseer::ui::inspector::view_lines(&s, &theme, 116, height, Some(nav));
            assert!(
                view.lines.len() <= height,
                "{} > {height}",
                view.lines.len()
            );
            assert!(view.rows_touched <= 2 * height, "{}", view.rows_touched);
        }
        key(&mut s, KeyCode::PageDown);
    }
}

#[test]
fn inspector_outcome_with_its_evaluations() {
    let s = inspect(demo_state(120, 40), "ev_19");
    let snap = frame(s, &Theme::dark());
    assert!(
        snap.contains(" outcome needs_revision · 1 evaluation"),
        "{snap}"
    );
    assert!(snap.contains("1 Evaluations"), "{snap}");
    assert!(
        snap.contains("explanation: \"Tests pass but the changelog is missing.\""),
        "{snap}"
    );
    insta::assert_snapshot!("inspector_outcome_120x40", snap);
}

// -- Threads tree, conversation, spend and session detail ------------------------------------

/// The frame of `s` as it stands (text and styles), without rebuilding it.
fn draw_now(s: &mut State) -> String {
    overseer::app::frame::prepare_frame(s);
    let (w, h) = s.size;
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    let theme = Theme::dark();
    term.draw(|f| overseer::ui::draw(s, &theme, f)).unwrap();
    render(term.backend().buffer())
}

/// The demo's watched session as a multiagent one: two sub-agents, their messages, a call
/// waiting on the reviewer.
fn threads_state() -> State {
    use overseer::api::feed::FeedItem;
    let mut s = demo_state(120, 40);
    let id = s.watched.as_ref().unwrap().session_id.clone();
    let ts = |secs: i64| {
        jiff::Timestamp::from_second(fixtures::NOW - secs)
            .unwrap()
            .to_string()
    };
    let events = [
        serde_json::json!({"type": "session.thread_created", "id": "sevt_t1", "processed_at": ts(600), "session_thread_id": "sthr_res", "agent_name": "Deep Researcher"}),
        serde_json::json!({"type": "session.thread_created", "id": "sevt_t2", "processed_at": ts(599), "session_thread_id": "sthr_rev", "agent_name": "Reviewer"}),
        serde_json::json!({"type": "agent.thread_message_sent", "id": "sevt_t3", "processed_at": ts(590), "to_session_thread_id": "sthr_res", "to_agent_name": "Deep Researcher", "content": [{"type": "text", "text": "Find three independent sources for the market-size estimate and extract the figures with dates."}]}),
        serde_json::json!({"type": "session.thread_status_running", "id": "sevt_t4", "processed_at": ts(589), "session_thread_id": "sthr_res", "agent_name": "Deep Researcher"}),
        serde_json::json!({"type": "session.thread_status_idle", "id": "sevt_t5", "processed_at": ts(420), "session_thread_id": "sthr_res", "agent_name": "Deep Researcher", "stop_reason": {"type": "end_turn"}}),
        serde_json::json!({"type": "agent.thread_message_received", "id": "sevt_t6", "processed_at": ts(419), "from_session_thread_id": "sthr_res", "from_agent_name": "Deep Researcher", "content": [{"type": "text", "text": "Estimates range $3.5B–$4.1B for 2026; the 10-K bottom-up figure is the most conservative and the only audited one."}]}),
        serde_json::json!({"type": "agent.thread_message_sent", "id": "sevt_t7", "processed_at": ts(400), "to_session_thread_id": "sthr_rev", "to_agent_name": "Reviewer", "content": [{"type": "text", "text": "Review the draft for unsupported claims and run the citation checker."}]}),
        serde_json::json!({"type": "session.thread_status_running", "id": "sevt_t8", "processed_at": ts(399), "session_thread_id": "sthr_rev", "agent_name": "Reviewer"}),
        serde_json::json!({"type": "session.thread_status_idle", "id": "sevt_t9", "processed_at": ts(90), "session_thread_id": "sthr_rev", "agent_name": "Reviewer", "stop_reason": {"type": "requires_action", "event_ids": ["sevt_x"]}}),
    ];
    for v in events {
        let _ = overseer::app::update(
            &mut s,
            Msg::Feed {
                session_id: id.clone(),
                item: FeedItem::Event(v.to_string()),
            },
        );
    }
    let listed: Vec<overseer::api::types::SessionThread> = serde_json::from_value(serde_json::json!([
        {"id": "sthr_lead", "parent_thread_id": null, "status": "idle", "agent": {"type": "agent", "name": "Research Lead"},
         "usage": {"input_tokens": 48000, "output_tokens": 6100}, "created_at": ts(700), "updated_at": ts(700)},
        {"id": "sthr_res", "parent_thread_id": "sthr_lead", "status": "idle", "agent": {"type": "agent", "name": "Deep Researcher"},
         "usage": {"input_tokens": 120000, "output_tokens": 9300}, "created_at": ts(600), "updated_at": ts(420)},
        {"id": "sthr_rev", "parent_thread_id": "sthr_lead", "status": "idle", "agent": {"type": "agent", "name": "Reviewer"},
         "usage": {"input_tokens": 31000, "output_tokens": 2200}, "created_at": ts(599), "updated_at": ts(90)}
    ]))
    .unwrap();
    key(&mut s, KeyCode::Char(':'));
    for c in "threads".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    key(&mut s, KeyCode::Enter);
    let _ = overseer::app::update(
        &mut s,
        Msg::Info(overseer::app::session_info::InfoMsg::ThreadsListed {
            session_id: id,
            result: Ok(listed),
        }),
    );
    s
}

#[test]
fn threads_tree_and_conversation() {
    let mut s = threads_state();
    let tree = draw_now(&mut s);
    // The fixture's transcript already has a test-runner sub-agent (and two messages).
    for want in [
        "Research Lead",
        "├─ test-runner",
        "├─ Deep Researcher",
        "└─ Reviewer",
        "129.3k",
        "5 messages",
    ] {
        assert!(tree.contains(want), "{want}: {tree}");
    }
    // Down to the researcher and Enter: the stream shows only that thread.
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.stream.filter.thread.as_deref(), Some("sthr_res"));
    let filtered = draw_now(&mut s);
    assert!(filtered.contains("◆ Deep Researcher"), "{filtered}");
    insta::assert_snapshot!("threads_tree_120x40", filtered);
    key(&mut s, KeyCode::Char('c'));
    let conv = draw_now(&mut s);
    assert!(conv.contains("Research Lead → Deep Researcher"), "{conv}");
    assert!(conv.contains("Deep Researcher → Research Lead"), "{conv}");
    insta::assert_snapshot!("threads_conversation_120x40", conv);
}

fn detail_state() -> State {
    let mut s = demo_state(120, 40);
    key(&mut s, KeyCode::Char('d'));
    let id = s.detail.session_id.clone();
    let session: overseer::api::types::Session = serde_json::from_value(serde_json::json!({
        "type": "session", "id": id, "status": "idle", "title": "Weekly incident review summary",
        "created_at": "2026-11-26T09:00:00Z", "updated_at": "2026-11-26T09:40:00Z",
        "environment_id": "env_cloud", "metadata": {"team": "sre", "newsletter": "2026-w48"},
        "agent": {"type": "agent", "id": "agent_writer", "version": 3, "name": "Docs Writer",
                  "model": {"id": "claude-sonnet-5-5", "effort": {"type": "medium"}},
                  "tools": [
                      {"type": "agent_toolset_20260401", "default_config": {"enabled": true, "permission_policy": {"type": "always_allow"}},
                       "configs": [{"type": "bash", "name": "bash", "enabled": true, "permission_policy": {"type": "always_ask"}},
                                   {"type": "web_fetch", "name": "web_fetch", "enabled": false, "permission_policy": {"type": "always_allow"}}]},
                      {"type": "mcp_toolset", "mcp_server_name": "linear", "default_config": {"enabled": true, "permission_policy": {"type": "auto"}}, "configs": []},
                      {"type": "custom", "name": "publish_draft", "description": "Publish", "input_schema": {"type": "object"}}
                  ],
                  "mcp_servers": [{"type": "url", "name": "linear", "url": "https://mcp.linear.app/sse"}], "skills": []},
        "resources": [{"type": "memory_store", "memory_store_id": "memstore_eng", "access": "read_only", "name": "engineering-notes", "mount_path": "/mnt/memory/engineering-notes"}],
        "outcome_evaluations": [{"type": "outcome_evaluation", "outcome_id": "outc_1", "description": "Covers every incident of the week", "iteration": 1, "result": "satisfied", "explanation": "All five incidents are summarised."}],
        "stats": {"active_seconds": 812.4, "duration_seconds": 2400.0},
        "usage": {"input_tokens": 182000, "output_tokens": 14200, "cache_read_input_tokens": 420000,
                  "cache_creation": {"ephemeral_5m_input_tokens": 36000},
                  "server_tool_use": {"web_search_requests": 0, "web_fetch_requests": 4},
                  "list_cost": {"amount": "431", "currency": "USD"}, "active_seconds": 655.0},
        "budget": {"type": "limit", "max_list_cost": {"amount": "500", "currency": "USD"}},
        "vault_ids": []
    }))
    .unwrap();
    let _ = overseer::app::update(
        &mut s,
        Msg::Info(overseer::app::session_info::InfoMsg::SessionLoaded {
            session_id: id,
            result: Ok(Box::new(session)),
        }),
    );
    s
}

#[test]
fn session_detail_with_budget_bar_and_editors() {
    let mut s = detail_state();
    let snap = draw_now(&mut s);
    assert!(
        snap.contains("$4.31 of $5.00 (86%) ⚠ over 80% of budget"),
        "{snap}"
    );
    for (a, b) in [
        ("bash", "always_ask"),
        ("web_fetch", "disabled"),
        ("MCP linear", "default auto"),
        ("publish_draft", "custom tool · you answer each call"),
        ("newsletter", "2026-w48"),
        ("satisfied", "Covers every incident"),
    ] {
        assert!(
            snap.lines().any(|l| l.contains(a) && l.contains(b)),
            "{a} … {b}: {snap}"
        );
    }
    insta::assert_snapshot!("session_detail_120x40", snap);
    key(&mut s, KeyCode::Char('R'));
    let rename = draw_now(&mut s);
    assert!(rename.contains("Rename session"), "{rename}");
    insta::assert_snapshot!("session_rename_120x40", rename);
    key(&mut s, KeyCode::Esc);
    key(&mut s, KeyCode::Char('e'));
    let meta = draw_now(&mut s);
    assert!(meta.contains("newsletter=2026-w48"), "{meta}");
    insta::assert_snapshot!("session_metadata_edit_120x40", meta);
}
