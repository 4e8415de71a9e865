//! Drawing only: `draw(&State, &Theme, &mut Frame)`. One file per pane or overlay. Never
//! mutates state; draws only what is visible.

pub mod compose;
pub mod deployments;
pub mod detail;
pub mod dreams;
pub mod events;
pub mod footer;
pub mod header;
pub mod inspector;
pub mod layout;
pub mod memory;
pub mod needs;
pub mod overlays;
pub mod review;
pub mod sessions;
pub mod spend;
pub mod table;
pub mod threads;

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};

use crate::app::state::{MIN_HEIGHT, MIN_WIDTH, Overlay, State, View};
use crate::theme::Theme;

pub fn draw(state: &State, theme: &Theme, frame: &mut Frame) {
    let area = frame.area();
    if layout::too_small(area.width, area.height) {
        too_small(theme, frame, area);
        return;
    }
    let a = layout::areas(
        area.width,
        area.height,
        state.input.is_some() || state.toast.is_some(),
    );
    header::draw(state, theme, frame, a.header);
    let detail = layout::detail(&a);
    match state.view {
        View::Memory => memory::draw(state, theme, frame, a.sessions, detail),
        View::Dreams => dreams::draw(state, theme, frame, a.sessions, detail),
        View::Deployments => deployments::draw(state, theme, frame, a.sessions, detail),
        View::Needs => needs::draw(state, theme, frame, a.sessions.union(detail)),
        View::Review => review::draw(state, theme, frame, a.sessions, detail),
        View::Detail => detail::draw(state, theme, frame, a.sessions.union(detail)),
        View::Threads if state.threads.conversation => {
            threads::draw(state, theme, frame, a.sessions);
            threads::conversation(state, theme, frame, detail);
        }
        other => {
            match other {
                View::Sessions => sessions::draw(state, theme, frame, a.sessions),
                _ => threads::draw(state, theme, frame, a.sessions),
            }
            events::draw(state, theme, frame, a.events);
            if let Some(r) = a.inspector {
                inspector::draw(state, theme, frame, r);
            }
        }
    }
    footer::draw_message(state, theme, frame, a.message);
    footer::draw(state, theme, frame, a.footer);
    match &state.overlay {
        Some(Overlay::Help { nav }) => {
            let top = u16::try_from(nav.cursor).unwrap_or(u16::MAX);
            overlays::help(state, theme, frame, top)
        }
        Some(Overlay::Confirm { action, ids }) => {
            overlays::confirm(state, theme, frame, *action, ids)
        }
        Some(Overlay::Event { nav }) => overlays::event(state, theme, frame, *nav),
        Some(Overlay::Compose(c)) => compose::draw(theme, frame, c),
        Some(Overlay::Interrupt {
            session_id,
            thread_id,
        }) => compose::confirm_interrupt(state, theme, frame, session_id, thread_id.as_deref()),
        None => {
            review::draw_form(state, theme, frame);
            review::draw_confirm(state, theme, frame);
            deployments::overlays(state, theme, frame);
        }
    }
    // Needs-you queue overlays.
    needs::editor(state, theme, frame);
    needs::confirm(state, theme, frame);
}

/// A bordered pane with a title; focused panes get the accent border.
pub fn pane<'a>(theme: &Theme, title: Line<'a>, focused: bool) -> Block<'a> {
    let border = if focused {
        theme.border_focused
    } else {
        theme.border
    };
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Rounded
        })
        .border_style(border)
        .title(title)
}

fn too_small(theme: &Theme, frame: &mut Frame, area: Rect) {
    let msg = format!(
        "terminal too small (need {MIN_WIDTH}×{MIN_HEIGHT}, have {}×{})",
        area.width, area.height
    );
    let y = area.height / 2;
    let lines = vec![
        Line::styled(msg, theme.attention),
        Line::styled("enlarge the window, or press q to quit", theme.dim),
    ];
    let r = Rect::new(
        area.x,
        area.y + y.saturating_sub(1),
        area.width,
        2.min(area.height),
    );
    frame.render_widget(
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        r,
    );
}

/// Split `text` into spans, styling case-insensitive (ASCII) matches of `query`.
pub fn highlight<'a>(text: String, base: Style, query: Option<&str>, hit: Style) -> Vec<Span<'a>> {
    let Some(q) = query.filter(|q| !q.is_empty()) else {
        return vec![Span::styled(text, base)];
    };
    let lower = text.to_ascii_lowercase();
    let ql = q.to_ascii_lowercase();
    let mut spans = Vec::new();
    let mut pos = 0;
    while let Some(found) = lower[pos..].find(&ql) {
        let start = pos + found;
        let end = start + ql.len();
        if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            break;
        }
        if start > pos {
            spans.push(Span::styled(text[pos..start].to_string(), base));
        }
        spans.push(Span::styled(text[start..end].to_string(), hit));
        pos = end;
    }
    if pos < text.len() {
        spans.push(Span::styled(text[pos..].to_string(), base));
    }
    spans
}

/// Give every span of a row the selection style (each cell carries it, so terminals and
/// screenshot tools that drop a line-level background still show the whole row).
pub fn select_line(line: &mut Line<'_>, selection: Style) {
    for span in &mut line.spans {
        span.style = span.style.patch(selection);
    }
}
