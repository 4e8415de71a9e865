//! The Needs-you queue (`!`): one row per call waiting for a person, oldest first, with the
//! selected call's input below; the deny / answer editor and the allow-all confirmation.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::app::needs::{EditorPurpose, NeedsPane};
use crate::app::state::State;
use crate::app::update::needs::send_label;
use crate::model::needs::{CallKind, NeedsRow, SendState};
use crate::text;
use crate::theme::Theme;
use crate::ui::table::{self, Col};

const COLS: [Col; 6] = [
    Col::new("SESSION", 22, 5),
    Col::new("AGENT", 14, 3),
    Col::new("THREAD", 10, 1),
    Col::new("TOOL", 18, 4),
    Col::new("INPUT", 0, 9),
    Col::new("AGE", 5, 6).right(),
];
/// Mark and send-state glyphs.
const LEAD: usize = 4;
/// Rows of the selected call's detail under the table.
const DETAIL_ROWS: u16 = 9;

/// The queue over the whole body (list and stream areas together).
pub fn draw(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let n = &state.needs;
    let rows = n.queue.rows();
    let detail_h = if area.height > DETAIL_ROWS + 8 {
        DETAIL_ROWS
    } else {
        0
    };
    let list = Rect {
        height: area.height - detail_h,
        ..area
    };
    let title = Line::from(vec![
        Span::styled(" Needs you ", theme.title),
        Span::styled(
            format!(
                "· {} call(s) waiting{}{} ",
                rows.len(),
                // Sessions stopped at their budget also need a person (the header counts them).
                match state.sessions.counts()
                    [crate::model::sessions::DerivedState::BudgetReached.index()]
                {
                    0 => String::new(),
                    b => format!(" · {b} session(s) at budget (raise it in the console)"),
                },
                if n.gathering { " · reading…" } else { "" }
            ),
            theme.dim,
        ),
    ]);
    let block = crate::ui::pane(theme, title, true);
    let inner = block.inner(list);
    frame.render_widget(block, list);
    let width = usize::from(inner.width);
    let widths = table::layout(&COLS, width, LEAD);
    let mut lines = vec![table::header_line(&COLS, &widths, LEAD, theme)];
    let page = usize::from(inner.height.saturating_sub(1)).max(1);
    if rows.is_empty() {
        lines.push(Line::styled(
            if n.last_gather == 0 {
                "  reading which calls wait…"
            } else {
                "  nothing waits for you"
            },
            theme.dim,
        ));
    }
    for i in n.nav.visible(rows.len(), page) {
        let Some(r) = rows.get(i) else { break };
        lines.push(row(state, n, r, i == n.nav.cursor, width, &widths, theme));
    }
    frame.render_widget(Paragraph::new(lines), inner);
    if detail_h > 0 {
        let d = Rect {
            y: area.y + list.height,
            height: detail_h,
            ..area
        };
        detail(rows.get(n.nav.cursor).copied(), theme, frame, d);
    }
}

fn row<'a>(
    state: &State,
    n: &NeedsPane,
    r: &NeedsRow,
    selected: bool,
    width: usize,
    widths: &[Option<usize>],
    theme: &Theme,
) -> Line<'a> {
    let marked = n
        .marks
        .contains(&(r.session_id.clone(), r.event_id.clone()));
    let (glyph, gstyle) = match (&r.send, r.kind) {
        (SendState::Pending, _) => ("⧗", theme.attention),
        (SendState::Failed(_), _) => ("✗", theme.event_error),
        (SendState::Idle, CallKind::ToolConfirmation) => ("?", theme.attention),
        (SendState::Idle, CallKind::CustomTool) => ("✎", theme.attention),
    };
    let lead = vec![
        Span::styled(if marked { " ●" } else { "  " }, theme.attention),
        Span::styled(format!("{glyph} "), gstyle),
    ];
    let title = state
        .sessions
        .get(&r.session_id)
        .map(|e| text::one_line(&e.summary.title))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| text::one_line(&r.session_id));
    let thread = r
        .thread_id
        .as_deref()
        .map(|t| text::one_line(t.get(t.len().saturating_sub(8)..).unwrap_or(t)))
        .unwrap_or_else(|| "–".into());
    let input: (String, Style) = match send_label(&r.send) {
        Some(label) => {
            let style = if matches!(r.send, SendState::Failed(_)) {
                theme.event_error
            } else {
                theme.attention
            };
            (format!("{label} · {}", r.summary), style)
        }
        None => (r.summary.clone(), theme.text),
    };
    let since = r
        .waiting_since
        .as_deref()
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .map(|t| t.as_second());
    let cells = vec![
        (title, theme.text),
        (
            r.agent_name
                .as_deref()
                .map(text::one_line)
                .unwrap_or_default(),
            theme.dim,
        ),
        (thread, theme.dim),
        (text::one_line(&r.tool()), theme.text),
        input,
        (table::ago(state.now, since), theme.dim),
    ];
    table::row_line(lead, &COLS, widths, cells, selected, width, theme)
}

/// The selected call: what it is, and its input (pretty JSON, the first lines).
fn detail(r: Option<&NeedsRow>, theme: &Theme, frame: &mut Frame, area: Rect) {
    let block = crate::ui::pane(theme, Line::styled(" Call ", theme.title), false);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(r) = r else { return };
    let what = match r.kind {
        CallKind::ToolConfirmation => "waits for a confirmation: y allow · n deny",
        CallKind::CustomTool => "custom tool waits for its result: e answer",
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(text::one_line(&r.tool()), theme.title),
        Span::styled(format!("  {what}  "), theme.dim),
        Span::styled(text::one_line(&r.event_id), theme.dim),
    ])];
    if let SendState::Failed(e) = &r.send {
        lines.push(Line::styled(format!("not sent: {e}"), theme.event_error));
    }
    let pretty = serde_json::to_string_pretty(&r.input).unwrap_or_default();
    let room = usize::from(inner.height).saturating_sub(lines.len());
    for l in pretty.lines().take(room) {
        lines.push(Line::styled(
            text::truncate(&text::sanitize(l), usize::from(inner.width)),
            theme.text,
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The deny / answer editor over the queue.
pub fn editor(state: &State, theme: &Theme, frame: &mut Frame) {
    let Some(ed) = &state.needs.editor else {
        return;
    };
    let full = frame.area();
    let w = full.width.saturating_sub(8).min(90);
    let h = full.height.saturating_sub(6).min(14);
    let area = Rect::new(
        full.x + (full.width - w) / 2,
        full.y + (full.height - h) / 2,
        w,
        h,
    );
    let tool = text::one_line(&ed.tool);
    let title = match ed.purpose {
        EditorPurpose::Deny => format!(" Deny {tool} · message (optional) "),
        EditorPurpose::Answer { is_error } => format!(
            " Answer {tool} · send as error: {} (^E) ",
            if is_error { "ON" } else { "off" }
        ),
    };
    let block = crate::ui::pane(theme, Line::styled(title, theme.title), true);
    let inner = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    if inner.height < 2 {
        return;
    }
    let text_area = Rect {
        height: inner.height - 1,
        ..inner
    };
    frame.render_widget(ed.editor.area(), text_area);
    let help = Line::from(vec![
        Span::styled(" ^S ", theme.footer_key),
        Span::styled(" send  ", theme.text),
        Span::styled(" M-⏎ ", theme.footer_key),
        Span::styled(" send  ", theme.text),
        Span::styled(" esc ", theme.footer_key),
        Span::styled(" cancel", theme.text),
    ]);
    let help_area = Rect {
        y: inner.y + inner.height - 1,
        height: 1,
        ..inner
    };
    frame.render_widget(Paragraph::new(help), help_area);
}

/// `Y`: the marked calls to allow, listed.
pub fn confirm(state: &State, theme: &Theme, frame: &mut Frame) {
    let Some(calls) = &state.needs.confirm else {
        return;
    };
    let full = frame.area();
    let shown = calls.len().min(8);
    let w = full.width.saturating_sub(4).min(80);
    // The question, the calls, "… and n more", the keys, and the border.
    let more = u16::from(calls.len() > shown);
    let h = (shown as u16 + more + 4).min(full.height);
    let area = Rect::new(
        full.x + (full.width - w) / 2,
        full.y + (full.height - h) / 2,
        w,
        h,
    );
    let mut lines = vec![Line::styled(
        format!("Allow {} call(s)?", calls.len()),
        theme.attention,
    )];
    // Each call with its session, so the same command in two sessions reads as two calls.
    const TOOL: usize = 18;
    const SESSION: usize = 22;
    let summary_room = usize::from(w).saturating_sub(4 + 4 + TOOL + 2 + 3 + SESSION);
    for (sid, eid) in calls.iter().take(shown) {
        let row = state.needs.queue.session(sid).and_then(|s| s.row(eid));
        let (tool, summary) = row
            .map(|r| (r.tool(), r.summary.clone()))
            .unwrap_or_default();
        let session = state
            .sessions
            .get(sid)
            .map(|e| text::one_line(&e.summary.title))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| text::one_line(sid));
        lines.push(Line::from(vec![
            Span::styled("  • ", theme.dim),
            Span::styled(text::fit(&text::one_line(&tool), TOOL), theme.text),
            Span::styled(
                format!("  {}", text::fit(&summary, summary_room)),
                theme.dim,
            ),
            Span::styled(
                format!(" · {}", text::truncate(&session, SESSION)),
                theme.text,
            ),
        ]));
    }
    if calls.len() > shown {
        lines.push(Line::styled(
            format!("  … and {} more", calls.len() - shown),
            theme.dim,
        ));
    }
    lines.push(Line::from(vec![
        Span::styled(" y ", theme.footer_key),
        Span::styled(" yes   ", theme.text),
        Span::styled(" n ", theme.footer_key),
        Span::styled(" no ", theme.text),
    ]));
    let block = crate::ui::pane(theme, Line::styled(" Confirm ", theme.title), true);
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
