//! `:threads`: the coordinator and its sub-agent threads as a tree (status, time in state,
//! tokens, calls waiting for a human), and on the right either the event stream filtered to
//! the chosen thread or the agents' conversation (`c`). Visible rows only.

use std::collections::HashMap;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::state::{Pane, State};
use crate::model::sessions::DerivedState;
use crate::model::threads::ThreadNode;
use crate::text;
use crate::theme::Theme;
use crate::ui::header::state_style;
use crate::ui::pane;
use crate::ui::table::{self, Col, ago, header_line, row_line, status_line};

const COLS: [Col; 5] = [
    Col::new("AGENT", 0, 0),
    Col::new("STATUS", 14, 9),
    Col::new("FOR", 4, 5).right(),
    Col::new("TOKENS", 6, 3).right(),
    Col::new("WAIT", 4, 7).right(),
];

/// Lines a message may take in the conversation (the inspector has the whole text).
const MESSAGE_LINES: usize = 6;

/// The derived state a thread's status reads as (for its glyph and colour).
fn derived(n: &ThreadNode, waiting: usize) -> DerivedState {
    if n.archived {
        return DerivedState::Archived;
    }
    match n.status.as_str() {
        "running" => DerivedState::Running,
        "rescheduling" => DerivedState::Rescheduling,
        "terminated" => DerivedState::Terminated,
        _ if waiting > 0 || n.stop.as_deref() == Some("requires_action") => {
            DerivedState::NeedsApproval
        }
        _ if n.stop.as_deref() == Some("retries_exhausted") => DerivedState::Errored,
        _ if n.stop.as_deref() == Some("budget_reached") => DerivedState::BudgetReached,
        _ => DerivedState::Idle,
    }
}

/// Calls waiting for a human per thread id (`""` = the primary thread).
fn waiting_by_thread(state: &State) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    let id = &state.threads.tree.session_id;
    if let Some(n) = state.needs.queue.session(id) {
        for r in n.rows() {
            *out.entry(r.thread_id.clone().unwrap_or_default())
                .or_insert(0) += 1;
        }
    }
    out
}

pub fn draw(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let v = &state.threads;
    let tree = &v.tree;
    let session = state
        .sessions
        .get(&tree.session_id)
        .map(|e| e.summary.title.clone())
        .unwrap_or_else(|| text::one_line(&tree.session_id));
    let title = Line::from(vec![
        Span::styled(" Threads ", theme.title),
        Span::styled(format!("· {} ", text::truncate(&session, 40)), theme.dim),
    ]);
    let mut block = pane(
        theme,
        title,
        state.overlay.is_none() && state.focus == Pane::Sessions,
    );
    if let Some(e) = &v.fetch.error {
        block = block.title_bottom(Line::styled(
            format!(" ✖ {} ", text::truncate(e, 60)),
            theme.event_error,
        ));
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let width = usize::from(inner.width);
    let widths = table::layout(&COLS, width, 0);
    let mut lines = vec![header_line(&COLS, &widths, 0, theme)];
    let rows = tree.rows();
    if rows.is_empty() {
        let empty = "no threads: a multiagent session shows its coordinator and sub-agents here";
        lines.extend(status_line(&v.fetch, empty, theme));
    }
    let waiting = waiting_by_thread(state);
    let filter = state.stream.filter.thread.as_deref();
    let page = usize::from(inner.height).saturating_sub(3).max(1);
    for (i, r) in rows.iter().enumerate().skip(v.nav.offset).take(page) {
        let Some(n) = tree.nodes().get(r.node) else {
            continue;
        };
        let key = if n.is_primary() { "" } else { n.id.as_str() };
        let wait = waiting.get(key).copied().unwrap_or(0);
        let st = derived(n, wait);
        let branch = match r.depth {
            0 => String::new(),
            d => format!(
                "{}{}",
                "  ".repeat(d - 1),
                if r.last { "└─ " } else { "├─ " }
            ),
        };
        let mark = if filter == Some(key) { "◆ " } else { "" };
        let name = match n.agent_name.as_str() {
            "" if n.is_primary() => "coordinator".to_string(),
            "" => text::one_line(&n.id),
            name => name.to_string(),
        };
        let word = match (st, n.stop.as_deref()) {
            (DerivedState::Idle, Some(stop)) if stop != "end_turn" => {
                format!("{} idle: {}", st.glyph(), text::one_line(stop))
            }
            _ => format!("{} {}", st.glyph(), st.label()),
        };
        let cells = vec![
            (format!("{branch}{mark}{name}"), theme.text),
            (word, state_style(theme, st)),
            (ago(state.now, n.since), theme.dim),
            (
                n.tokens
                    .map(text::compact_count)
                    .unwrap_or_else(|| "–".into()),
                theme.dim,
            ),
            (
                if wait > 0 {
                    format!("⚑{wait}")
                } else {
                    String::new()
                },
                theme.attention,
            ),
        ];
        lines.push(row_line(
            vec![],
            &COLS,
            &widths,
            cells,
            i == v.nav.cursor,
            width,
            theme,
        ));
    }
    // What Enter and c do, under the rows.
    let room = usize::from(inner.height).saturating_sub(lines.len());
    if room >= 2 && !rows.is_empty() {
        lines.push(Line::raw(""));
        let shown = match filter {
            None => "stream: every thread".to_string(),
            Some("") => "stream: the coordinator only".to_string(),
            Some(t) => format!(
                "stream: {} only",
                tree.node(t)
                    .map(|n| n.agent_name.clone())
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| text::one_line(t))
            ),
        };
        lines.push(Line::from(vec![
            Span::styled(shown, theme.dim),
            Span::styled(
                format!(" · c: {} messages", tree.messages().len()),
                theme.dim,
            ),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The messages between agents, in order: `from → to`, then the text (a few lines each).
pub fn conversation(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let v = &state.threads;
    let msgs = v.tree.messages();
    let title = Line::from(vec![
        Span::styled(" Conversation ", theme.title),
        Span::styled(format!("{} messages ", msgs.len()), theme.dim),
    ]);
    let focused = state.overlay.is_none() && state.focus == Pane::Events;
    let block = pane(theme, title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width < 4 {
        return;
    }
    let width = usize::from(inner.width);
    let height = usize::from(inner.height);
    let mut lines: Vec<Line> = Vec::new();
    if msgs.is_empty() {
        lines.push(Line::styled(
            "  no messages between agents yet (agent.thread_message_sent/received)",
            theme.dim,
        ));
    }
    for (i, m) in msgs.iter().enumerate().skip(v.conv_nav.offset) {
        if lines.len() >= height {
            break;
        }
        let selected = focused && i == v.conv_nav.cursor;
        let mut head = Line::from(vec![
            Span::styled(format!("{:>4} ", ago(state.now, m.at)), theme.dim),
            Span::styled(text::truncate(&m.from, 30), theme.event_thread),
            Span::styled(" → ", theme.dim),
            Span::styled(text::truncate(&m.to, 30), theme.event_thread),
        ]);
        if selected {
            crate::ui::select_line(&mut head, theme.selection);
        }
        lines.push(head);
        let mut body: Vec<String> = Vec::new();
        for para in m.text.lines() {
            body.extend(text::wrap(para, width.saturating_sub(5).max(1)));
            if body.len() > MESSAGE_LINES {
                break;
            }
        }
        let more = body.len() > MESSAGE_LINES;
        body.truncate(MESSAGE_LINES);
        if more && let Some(last) = body.last_mut() {
            last.push('…');
        }
        for l in body {
            lines.push(Line::styled(format!("     {l}"), theme.text));
        }
    }
    lines.truncate(height);
    frame.render_widget(Paragraph::new(lines), inner);
}
