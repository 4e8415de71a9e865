//! Session detail (`d`): the session's document (built once per read, sliced here) and, while
//! renaming or editing metadata, the editor in a box over it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::app::detail_view::{DocLine, EditKind};
use crate::app::state::State;
use crate::text;
use crate::theme::Theme;
use crate::ui::overlays::{boxed, centered};
use crate::ui::table::status_line;
use crate::ui::{pane, spend};

/// Width of the label column.
const LABEL: usize = 16;

pub fn draw(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let d = &state.detail;
    let title = Line::from(vec![
        Span::styled(" Session ", theme.title),
        Span::styled(format!("{} ", text::one_line(&d.session_id)), theme.dim),
    ]);
    let mut block = pane(theme, title, state.overlay.is_none() && d.edit.is_none());
    if let Some(e) = &d.fetch.error {
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
    // The burn rate is the watched session's (its feed brings the usage events).
    let burn = if state
        .watched
        .as_ref()
        .is_some_and(|w| w.session_id == d.session_id)
        && state.threads.tree.session_id == d.session_id
    {
        state.threads.burn.per_hour()
    } else {
        None
    };
    let mut lines: Vec<Line> = Vec::new();
    if d.doc.is_empty() {
        lines.extend(status_line(&d.fetch, "", theme));
    }
    for l in d
        .doc
        .iter()
        .skip(d.scroll.cursor)
        .take(usize::from(inner.height))
    {
        lines.push(match l {
            DocLine::Heading(h) => Line::styled(text::truncate(h, width), theme.title),
            DocLine::Field(label, value) => {
                let label = text::truncate(label, LABEL);
                let pad = LABEL.saturating_sub(text::width(&label));
                let room = width.saturating_sub(LABEL + 1);
                Line::from(vec![
                    Span::styled(format!("{label}{} ", " ".repeat(pad)), theme.dim),
                    Span::styled(text::truncate(value, room), theme.text),
                ])
            }
            DocLine::Text(t) => Line::styled(text::truncate(t, width), theme.text),
            DocLine::Dim(t) => Line::styled(text::truncate(t, width), theme.dim),
            DocLine::Budget(s) => spend::budget_line(theme, s, burn, LABEL + 1),
            DocLine::Blank => Line::raw(""),
        });
    }
    frame.render_widget(Paragraph::new(lines), inner);
    editor(state, theme, frame);
}

/// The title or metadata editor, over the document.
fn editor(state: &State, theme: &Theme, frame: &mut Frame) {
    let Some(edit) = &state.detail.edit else {
        return;
    };
    let full = frame.area();
    let (title, hint, h) = match edit.kind {
        EditKind::Title => (
            " Rename session ",
            "⏎ save · esc cancel · empty clears the title",
            5,
        ),
        EditKind::Metadata => (
            " Metadata: one key=value per line ",
            "^s save · esc cancel · a removed line deletes its key",
            full.height.saturating_sub(8).clamp(6, 16),
        ),
    };
    let w = full.width.saturating_sub(8).min(80);
    let area = centered(full, w, h);
    let block = boxed(theme, title);
    let inner = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    if inner.height < 2 || inner.width < 4 {
        return;
    }
    let field = Rect::new(inner.x, inner.y, inner.width, inner.height - 1);
    frame.render_widget(edit.editor.area(), field);
    let hint = if edit.saving { "saving…" } else { hint };
    frame.render_widget(
        Paragraph::new(Line::styled(hint, theme.dim)),
        Rect::new(inner.x, inner.y + inner.height - 1, inner.width, 1),
    );
}
