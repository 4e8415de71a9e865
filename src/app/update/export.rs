//! Export of the watched session to Markdown and JSONL, in bounded steps.

use crate::app::msg::{Cmd, Msg, MsgBox};
use crate::app::state::State;
use crate::model::event_view;
use crate::text;

pub(crate) fn export(state: &mut State, cmds: &mut Vec<Cmd>) {
    let Some(w) = &state.watched else {
        state.show_toast("no session open", true);
        return;
    };
    let session_id = w.session_id.clone();
    let markdown = format!("# Session {}\n\n", text::one_line(&session_id));
    state.show_toast("exporting…", false);
    export_step(state, session_id, 0, markdown, String::new(), cmds);
}

/// Events rendered per export step before yielding to keys.
pub(crate) const EXPORT_STEP_ROWS: usize = 20_000;

pub(crate) fn export_step(
    state: &mut State,
    session_id: String,
    from: usize,
    mut md: String,
    mut jsonl: String,
    cmds: &mut Vec<Cmd>,
) {
    let Some(w) = state
        .watched
        .as_ref()
        .filter(|w| w.session_id == session_id)
    else {
        state.show_toast("export cancelled: another session was opened", true);
        return;
    };
    let n = w.transcript.len();
    let to = (from + EXPORT_STEP_ROWS).min(n);
    let all = Default::default();
    // Rows give only the time of day: a header line opens each new date.
    let mut day = from
        .checked_sub(1)
        .and_then(|p| w.transcript.get(p))
        .and_then(|e| event_view::date(e.raw));
    for e in w.transcript.rows(&all, from..to) {
        // overseer's own marker rows (reconnects, gaps) are not API events.
        if !e.type_name.starts_with(event_view::MARKER_PREFIX) {
            jsonl.push_str(e.raw);
            jsonl.push('\n');
        }
        if let Some(d) = event_view::date(e.raw)
            && day.as_ref() != Some(&d)
        {
            md.push_str(&format!("\n## {d}\n\n"));
            day = Some(d);
        }
        let s = event_view::summarize(e.raw);
        md.push_str(&format!("- `{}` **{}** {}\n", s.time, s.kind, s.text));
        if e.type_name.ends_with("tool_result")
            && let Some(body) = event_view::readable_body(e.raw).filter(|b| b.contains('\n'))
        {
            md.push_str(&fenced(&body));
        }
    }
    if to < n {
        cmds.push(Cmd::Defer(Box::new(MsgBox(Msg::ExportStep {
            session_id,
            from: to,
            markdown: md,
            jsonl,
        }))));
        return;
    }
    let safe: String = w
        .session_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    let events = jsonl.bytes().filter(|b| *b == b'\n').count();
    cmds.push(Cmd::Export {
        files: vec![
            (format!("overseer-{safe}.md").into(), md),
            (format!("overseer-{safe}.jsonl").into(), jsonl),
        ],
        events,
    });
}

/// A Markdown code block (indented under its list item) holding `body` verbatim: the fence is
/// longer than any backtick run inside.
pub(crate) fn fenced(body: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat((longest + 1).max(3));
    let mut out = format!("\n  {fence}\n");
    for line in body.lines() {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&format!("  {fence}\n\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixtures::{self, demo_state};
    use crate::app::update::testing::*;

    #[test]
    fn copy_export_and_mouse_are_commands() {
        let mut s = demo_state(120, 40);
        s.focus = Pane::Events;
        let cmds = key(&mut s, KeyCode::Char('y'));
        let [Cmd::Copy(raw)] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert!(raw.contains("\"ev_22\""));
        let cmds = ctrl(&mut s, 's');
        let [Cmd::Export { files, events }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(*events, 22);
        assert_eq!(files[0].0.to_str(), Some("overseer-sesn_000001.md"));
        assert_eq!(files[1].1.lines().count(), 22);
        assert!(!files[0].1.contains('\u{1b}'));
        assert_eq!(key(&mut s, KeyCode::Char('M')), vec![Cmd::SetMouse(true)]);
    }

    #[test]
    fn large_exports_run_in_steps() {
        let mut s = demo_state(120, 40);
        s.focus = Pane::Events;
        for raw in fixtures::many_events(45_000) {
            feed(&mut s, FeedItem::Event(raw));
        }
        let mut cmds = ctrl(&mut s, 's');
        let mut steps = 0;
        while let Some(Cmd::Defer(m)) = cmds.first().cloned() {
            cmds = update(&mut s, m.0);
            steps += 1;
        }
        assert_eq!(steps, 2);
        let [Cmd::Export { files, events }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(*events, 45_022);
        assert_eq!(files[1].1.lines().count(), 45_022);
    }

    #[test]
    fn exports_keep_only_api_events_in_jsonl_and_date_and_fence_the_markdown() {
        let mut s = demo_state(120, 40);
        s.focus = Pane::Events;
        let before = s.watched.as_ref().unwrap().transcript.len();
        feed(
            &mut s,
            FeedItem::Gap {
                reason: "503".into(),
            },
        );
        feed(&mut s, FeedItem::Event(json!({
            "type": "agent.tool_result", "id": "sevt_out", "processed_at": "2026-11-27T00:00:01Z",
            "tool_use_id": "x",
            "content": [{"type": "text", "text": "   1\tuse crate::money;\n   2\t```\n"}],
        }).to_string()));
        let cmds = ctrl(&mut s, 's');
        let [Cmd::Export { files, events }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(*events, before + 1, "the gap marker is not an API event");
        let jsonl = &files[1].1;
        assert_eq!(jsonl.lines().count(), before + 1);
        assert!(!jsonl.contains("overseer."), "{jsonl}");
        let md = &files[0].1;
        assert!(md.contains("\n## 2026-11-26\n"), "{md}");
        assert!(md.contains("gap"), "the markdown keeps the marker: {md}");
        assert!(
            md.ends_with(
                "\n## 2026-11-27\n\n- `00:00:01` **result** \
                 1 use crate::money; 2 ```\n\n  ````\n     1    use crate::money;\n     2    ```\n  ````\n\n"
            ),
            "{md}"
        );
    }
}
