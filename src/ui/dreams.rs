//! `:dreams`: one row per dream with its status (glyph and colour), and on the right the
//! selected dream's summary, error and JSON.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::api::types::DreamStatus;
use crate::app::state::State;
use crate::text;
use crate::theme::Theme;
use crate::ui::inspector::json_line;
use crate::ui::table::{self, Col, ago, header_line, row_line, status_line};
use crate::ui::{layout, pane};

const COLS: [Col; 7] = [
    Col::new("STATUS", 9, 9),
    Col::new("INPUT STORE", 0, 0),
    Col::new("SESS", 4, 5).right(),
    Col::new("OUTPUT STORE", 16, 3),
    Col::new("MODEL", 16, 1),
    Col::new("CREATED", 7, 4).right(),
    Col::new("ENDED", 5, 2).right(),
];

pub fn status_style(theme: &Theme, s: &DreamStatus) -> (&'static str, Style) {
    match s {
        DreamStatus::Pending => ("◌", theme.state_rescheduling),
        DreamStatus::Running => ("▶", theme.state_running),
        DreamStatus::Completed => ("✔", theme.state_idle),
        DreamStatus::Failed => ("✖", theme.state_errored),
        DreamStatus::Canceled => ("■", theme.state_terminated),
        DreamStatus::Other(_) => ("?", theme.dim),
    }
}

pub fn draw(state: &State, theme: &Theme, frame: &mut Frame, list: Rect, detail: Rect) {
    let d = &state.dreams;
    let title = Line::from(vec![
        Span::styled(" Dreams ", theme.title),
        Span::styled(format!("{} ", d.dreams.len()), theme.dim),
    ]);
    let mut block = pane(theme, title, state.overlay.is_none() && !d.detail);
    if let Some(e) = &d.fetch.error {
        block = block.title_bottom(Line::styled(
            format!(" ✖ {} ", text::truncate(e, 60)),
            theme.event_error,
        ));
    }
    let inner = block.inner(list);
    frame.render_widget(block, list);
    if inner.height > 0 && inner.width > 0 {
        let width = usize::from(inner.width);
        let widths = table::layout(&COLS, width, 2);
        let mut lines = vec![header_line(&COLS, &widths, 2, theme)];
        if d.dreams.is_empty() {
            lines.extend(status_line(&d.fetch, "no dreams", theme));
        }
        let rows = layout::session_rows(list);
        for (i, r) in d.dreams.iter().enumerate().skip(d.nav.offset).take(rows) {
            let (glyph, style) = status_style(theme, &r.status);
            let cells = vec![
                (r.status.as_str().to_string(), style),
                (
                    r.input_name
                        .clone()
                        .unwrap_or_else(|| r.input_store.clone()),
                    theme.text,
                ),
                (r.sessions.to_string(), theme.dim),
                (
                    r.output_name
                        .clone()
                        .unwrap_or_else(|| r.output_store.clone()),
                    theme.dim,
                ),
                (r.model.clone(), theme.dim),
                (ago(state.now, r.created_at), theme.dim),
                (
                    if r.ended_at.is_some() {
                        ago(state.now, r.ended_at)
                    } else {
                        String::new()
                    },
                    theme.dim,
                ),
            ];
            let lead = vec![Span::styled(glyph, style), Span::raw(" ")];
            lines.push(row_line(
                lead,
                &COLS,
                &widths,
                cells,
                i == d.nav.cursor,
                width,
                theme,
            ));
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }
    draw_detail(state, theme, frame, detail);
}

fn field<'a>(label: &str, value: String, style: Style, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!(" {label:<9}"), theme.dim),
        Span::styled(value, style),
    ])
}

/// `name (id)` when the store's name is known.
fn named(name: &Option<String>, id: &str) -> String {
    match name {
        Some(n) => format!("{n} ({id})"),
        None => id.to_string(),
    }
}

fn draw_detail(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let d = &state.dreams;
    let Some(r) = d.dreams.get(d.nav.cursor) else {
        let block = pane(theme, Line::styled(" Dream ", theme.title), false);
        frame.render_widget(block, area);
        return;
    };
    let (glyph, style) = status_style(theme, &r.status);
    let title = Line::from(vec![
        Span::styled(" Dream ", theme.title),
        Span::styled(format!("{} ", r.id), theme.text),
        Span::styled(format!("{glyph} {} ", r.status.as_str()), style),
    ]);
    let hint = if d.detail {
        " j/k scroll JSON · esc back "
    } else {
        " ⏎ scroll JSON "
    };
    let block =
        pane(theme, title, d.detail).title_bottom(Line::styled(hint, theme.dim).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let h = usize::from(inner.height);
    let w = usize::from(inner.width);
    let mut lines = vec![
        field("model", r.model.clone(), theme.text, theme),
        field(
            "input",
            format!(
                "{} · {} session(s)",
                named(&r.input_name, &r.input_store),
                r.sessions
            ),
            theme.text,
            theme,
        ),
        field(
            "output",
            named(&r.output_name, &r.output_store),
            theme.text,
            theme,
        ),
        field(
            "times",
            format!(
                "created {} ago · {}",
                ago(state.now, r.created_at),
                match r.ended_at {
                    Some(_) => format!("ended {} ago", ago(state.now, r.ended_at)),
                    None => "not ended".into(),
                }
            ),
            theme.text,
            theme,
        ),
    ];
    if let Some(e) = &r.error {
        // The whole sentence matters here: wrap it (a few rows at most).
        let wrapped = text::wrap(&format!("✖ {e}"), w.saturating_sub(10).max(10));
        for (i, part) in wrapped.into_iter().take(4).enumerate() {
            let label = if i == 0 { "error" } else { "" };
            lines.push(field(label, part, theme.event_error, theme));
        }
    }
    lines.push(Line::styled(
        "── JSON ─────────────────────────────",
        theme.dim,
    ));
    let room = h.saturating_sub(lines.len());
    lines.extend(
        r.json
            .iter()
            .skip(d.scroll.cursor)
            .take(room)
            .map(|l| json_line(l, theme, w)),
    );
    lines.truncate(h);
    frame.render_widget(Paragraph::new(lines), inner);
}
