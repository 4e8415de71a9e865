//! `:memory`: stores, then a store's memories (left), and on the right the selected store or
//! memory — an opened memory's content (wrapped, scrollable) above its recent versions.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::state::{MemoryLevel, State};
use crate::model::resources::MemoryDetail;
use crate::text;
use crate::theme::Theme;
use crate::ui::table::{self, Col, ago, header_line, row_line, status_line};
use crate::ui::{layout, pane};

const STORE_COLS: [Col; 4] = [
    Col::new("NAME", 20, 3),
    Col::new("DESCRIPTION", 0, 0),
    Col::new("CREATED", 7, 1).right(),
    Col::new("UPDATED", 7, 2).right(),
];

const MEMORY_COLS: [Col; 4] = [
    Col::new("PATH", 0, 0),
    Col::new("SIZE", 6, 3).right(),
    Col::new("SHA", 8, 1),
    Col::new("UPDATED", 7, 2).right(),
];

/// Rows the versions list takes at the bottom of an opened memory (with its heading).
const VERSION_ROWS: usize = 7;

pub fn draw(state: &State, theme: &Theme, frame: &mut Frame, list: Rect, detail: Rect) {
    draw_list(state, theme, frame, list);
    draw_detail(state, theme, frame, detail);
}

fn error_note<'a>(state: &State, theme: &Theme) -> Option<Line<'a>> {
    state
        .memory
        .fetch
        .error
        .as_ref()
        .map(|e| Line::styled(format!(" ✖ {} ", text::truncate(e, 60)), theme.event_error))
}

fn draw_list(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let m = &state.memory;
    let focused = state.overlay.is_none() && m.level != MemoryLevel::Memory;
    let title = match (&m.level, &m.store) {
        (MemoryLevel::Stores, _) | (_, None) => Line::from(vec![
            Span::styled(" Memory stores ", theme.title),
            Span::styled(format!("{} ", m.stores.len()), theme.dim),
        ]),
        (_, Some(store)) => Line::from(vec![
            Span::styled(" Memory ", theme.title),
            Span::styled(format!("{} ", text::truncate(&store.name, 30)), theme.text),
            Span::styled(
                format!(
                    "· {}{} memories ",
                    m.memories.len(),
                    if m.truncated { "+" } else { "" }
                ),
                theme.dim,
            ),
        ]),
    };
    let mut block = pane(theme, title, focused);
    if let Some(note) = error_note(state, theme) {
        block = block.title_bottom(note);
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let width = usize::from(inner.width);
    let rows = layout::session_rows(area);
    let mut lines: Vec<Line> = Vec::new();
    if m.level == MemoryLevel::Stores {
        let widths = table::layout(&STORE_COLS, width, 2);
        lines.push(header_line(&STORE_COLS, &widths, 2, theme));
        if m.stores.is_empty() {
            lines.extend(status_line(&m.fetch, "no memory stores", theme));
        }
        let nav = m.stores_nav;
        for (i, s) in m.stores.iter().enumerate().skip(nav.offset).take(rows) {
            let (glyph, style) = if s.archived {
                ("▪", theme.state_archived)
            } else {
                ("◆", theme.event_tool)
            };
            let name_style = if s.archived { theme.dim } else { theme.text };
            let cells = vec![
                (s.name.clone(), name_style),
                (s.description.clone(), theme.dim),
                (ago(state.now, s.created_at), theme.dim),
                (ago(state.now, s.updated_at), theme.dim),
            ];
            let lead = vec![Span::styled(glyph, style), Span::raw(" ")];
            lines.push(row_line(
                lead,
                &STORE_COLS,
                &widths,
                cells,
                i == nav.cursor,
                width,
                theme,
            ));
        }
    } else {
        let widths = table::layout(&MEMORY_COLS, width, 2);
        lines.push(header_line(&MEMORY_COLS, &widths, 2, theme));
        if m.memories.is_empty() {
            lines.extend(status_line(&m.fetch, "this store has no memories", theme));
        }
        let nav = m.memories_nav;
        for (i, r) in m.memories.iter().enumerate().skip(nav.offset).take(rows) {
            let open = m.level == MemoryLevel::Memory && m.memory_id.as_deref() == Some(&r.id);
            let glyph = if open { "▸" } else { "·" };
            let cells = vec![
                (r.path.clone(), theme.text),
                (text::compact_count(r.size), theme.dim),
                (r.sha.clone(), theme.dim),
                (ago(state.now, r.updated_at), theme.dim),
            ];
            let lead = vec![Span::styled(glyph, theme.event_tool), Span::raw(" ")];
            lines.push(row_line(
                lead,
                &MEMORY_COLS,
                &widths,
                cells,
                i == nav.cursor,
                width,
                theme,
            ));
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn field<'a>(label: &str, value: String, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!(" {label:<12}"), theme.dim),
        Span::styled(value, theme.text),
    ])
}

fn draw_detail(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let m = &state.memory;
    if m.level == MemoryLevel::Memory {
        draw_memory(state, theme, frame, area);
        return;
    }
    let mut lines: Vec<Line> = Vec::new();
    let title;
    match m.level {
        MemoryLevel::Stores => {
            title = " Store ";
            if let Some(s) = m.stores.get(m.stores_nav.cursor) {
                lines.push(field("name", s.name.clone(), theme));
                lines.push(field("id", s.id.clone(), theme));
                lines.push(field(
                    "created",
                    format!("{} ago", ago(state.now, s.created_at)),
                    theme,
                ));
                lines.push(field(
                    "updated",
                    format!("{} ago", ago(state.now, s.updated_at)),
                    theme,
                ));
                if s.archived {
                    lines.push(Line::styled(" ▪ archived", theme.state_archived));
                }
                lines.push(Line::raw(""));
                let w = usize::from(area.width.saturating_sub(3));
                for l in text::wrap(&s.description, w).into_iter().take(8) {
                    lines.push(Line::styled(format!(" {l}"), theme.text));
                }
                lines.push(Line::raw(""));
                lines.push(Line::styled(" ⏎ opens the store's memories", theme.dim));
            }
        }
        _ => {
            title = " Memory ";
            if let Some(r) = m.memories.get(m.memories_nav.cursor) {
                lines.push(field("path", r.path.clone(), theme));
                lines.push(field("id", r.id.clone(), theme));
                lines.push(field("size", format!("{} bytes", r.size), theme));
                lines.push(field("sha256", format!("{}…", r.sha), theme));
                lines.push(field(
                    "updated",
                    format!("{} ago", ago(state.now, r.updated_at)),
                    theme,
                ));
                lines.push(Line::raw(""));
                lines.push(Line::styled(" ⏎ shows its content and versions", theme.dim));
            }
        }
    }
    let block = pane(theme, Line::styled(title, theme.title), false);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    lines.truncate(usize::from(inner.height));
    frame.render_widget(Paragraph::new(lines), inner);
}

fn op_style(op: &str, theme: &Theme) -> (&'static str, ratatui::style::Style) {
    match op {
        "created" => ("+", theme.conn_ok),
        "modified" => ("~", theme.state_rescheduling),
        "deleted" => ("−", theme.event_error),
        _ => ("?", theme.dim),
    }
}

fn draw_memory(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let m = &state.memory;
    let Some(d) = &m.memory else {
        let block = pane(theme, Line::styled(" Memory ", theme.title), true);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let line = status_line(&m.fetch, "", theme)
            .unwrap_or_else(|| Line::styled("  ⋯ loading…", theme.dim));
        frame.render_widget(Paragraph::new(line), inner);
        return;
    };
    let title = Line::from(vec![
        Span::styled(" Memory ", theme.title),
        Span::styled(format!("{} ", text::truncate(&d.path, 50)), theme.text),
        Span::styled(format!("· {} bytes · {} ", d.size, d.sha), theme.dim),
    ]);
    let pos = format!(
        " line {}/{} · j/k scroll · esc back ",
        (m.scroll.cursor + 1).min(d.lines.len()),
        d.lines.len()
    );
    let block = pane(theme, title, true).title_bottom(Line::styled(pos, theme.dim).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let h = usize::from(inner.height);
    let versions_h = VERSION_ROWS.min(d.versions.len() + 2).min(h / 2);
    let content_h = h - versions_h;
    let w = usize::from(inner.width).max(1);
    let lines = content_lines(d, m.scroll.cursor, w, content_h, theme);
    frame.render_widget(
        Paragraph::new(lines),
        Rect::new(inner.x, inner.y, inner.width, content_h as u16),
    );
    if versions_h == 0 {
        return;
    }
    let mut vl = vec![Line::styled(
        format!("── recent versions ({}) ", d.versions.len()),
        theme.dim,
    )];
    for v in d.versions.iter().take(versions_h - 1) {
        let (glyph, style) = op_style(&v.operation, theme);
        let mut spans = vec![
            Span::styled(format!(" {glyph} "), style),
            Span::styled(table::pad(&v.operation, 9, false), style),
            Span::styled(table::pad(&ago(state.now, v.at), 5, true), theme.dim),
            Span::raw("  "),
            Span::styled(text::truncate(&v.actor, w.saturating_sub(20)), theme.text),
        ];
        if v.redacted {
            spans.push(Span::styled(" (redacted)", theme.dim));
        }
        vl.push(Line::from(spans));
    }
    frame.render_widget(
        Paragraph::new(vl),
        Rect::new(
            inner.x,
            inner.y + content_h as u16,
            inner.width,
            versions_h as u16,
        ),
    );
}

/// Wrap only the source lines from `scroll` until `rows` screen rows are filled.
fn content_lines<'a>(
    d: &MemoryDetail,
    scroll: usize,
    width: usize,
    rows: usize,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let mut out = Vec::with_capacity(rows);
    for l in d.lines.iter().skip(scroll) {
        if out.len() >= rows {
            break;
        }
        // A huge single line wraps only as far as the screen can show.
        let mut cut = l.len().min(width * rows * 4 + 4);
        while !l.is_char_boundary(cut) {
            cut -= 1;
        }
        for piece in text::wrap(&l[..cut], width) {
            if out.len() >= rows {
                break;
            }
            out.push(Line::styled(piece, theme.text));
        }
    }
    out
}
