//! `:memory`: stores, then a store's path tree (left) with the opened memory's content
//! (right, wrapped, searchable); its versions with a unified diff; the agent-writes audit;
//! and on top the edit overlay and the confirmation of a write.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};

use crate::app::memory_view::{MemConfirm, MemoryLevel, OpenMemory};
use crate::app::state::State;
use crate::model::memory_tree::{self, Row};
use crate::model::review::LineTag;
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

/// Cells right of a tree row's name: size and last change.
const TREE_META: usize = 16;

pub fn draw(state: &State, theme: &Theme, frame: &mut Frame, list: Rect, detail: Rect) {
    draw_list(state, theme, frame, list);
    draw_detail(state, theme, frame, detail);
    let m = &state.memory;
    if m.edit.is_some() {
        draw_edit(state, theme, frame);
    }
    if let Some(c) = &m.confirm {
        draw_confirm(c, theme, frame);
    }
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
    let focused = state.overlay.is_none() && m.level != MemoryLevel::Content;
    let store_name = m.store.as_ref().map(|s| text::truncate(&s.name, 30));
    let title = match (m.level, store_name) {
        (MemoryLevel::Stores, _) | (_, None) => Line::from(vec![
            Span::styled(" Memory stores ", theme.title),
            Span::styled(format!("{} ", m.stores.len()), theme.dim),
        ]),
        (MemoryLevel::Versions, Some(_)) => Line::from(vec![
            Span::styled(" Versions ", theme.title),
            Span::styled(
                format!(
                    "{} ",
                    m.memory
                        .as_ref()
                        .map_or(String::new(), |d| text::truncate(&d.path, 40))
                ),
                theme.text,
            ),
        ]),
        (MemoryLevel::Audit, Some(name)) => Line::from(vec![
            Span::styled(" Agent writes ", theme.title),
            Span::styled(format!("{name} "), theme.text),
            Span::styled(
                format!(
                    "· {}{} ",
                    m.audit.len(),
                    if m.audit_truncated { "+" } else { "" }
                ),
                theme.dim,
            ),
        ]),
        (_, Some(name)) => Line::from(vec![
            Span::styled(" Memory ", theme.title),
            Span::styled(format!("{name} "), theme.text),
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
    let lines = match m.level {
        MemoryLevel::Stores => store_lines(state, theme, width, rows),
        MemoryLevel::Tree | MemoryLevel::Content => tree_lines(state, theme, width, rows),
        MemoryLevel::Versions => version_lines(state, theme, width, rows),
        MemoryLevel::Audit => audit_lines(state, theme, width, rows),
    };
    frame.render_widget(Paragraph::new(lines), inner);
}

fn store_lines<'a>(state: &State, theme: &Theme, width: usize, rows: usize) -> Vec<Line<'a>> {
    let m = &state.memory;
    let mut lines = Vec::new();
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
    lines
}

/// Pad a line to the full width in the selection style.
fn selected<'a>(mut line: Line<'a>, width: usize, theme: &Theme) -> Line<'a> {
    for s in &mut line.spans {
        s.style = s.style.patch(theme.selection);
    }
    let used: usize = line.spans.iter().map(|s| text::width(&s.content)).sum();
    if used < width {
        line.spans
            .push(Span::styled(" ".repeat(width - used), theme.selection));
    }
    line
}

fn tree_lines<'a>(state: &State, theme: &Theme, width: usize, rows: usize) -> Vec<Line<'a>> {
    let m = &state.memory;
    let nav = m.tree_nav;
    let mut lines = Vec::new();
    // The header row keeps the columns readable.
    lines.push(Line::styled(
        format!(
            "{}{}",
            table::pad("  PATH", width.saturating_sub(TREE_META), false),
            table::pad("SIZE  UPDATED", TREE_META.min(width), true)
        ),
        theme.column_header,
    ));
    for (i, r) in m
        .rows
        .iter()
        .enumerate()
        .skip(nav.offset)
        .take(rows.saturating_sub(1))
    {
        let indent = "  ".repeat(r.depth() + 1);
        let name_w = width.saturating_sub(TREE_META + indent.len() + 2);
        let line = match r {
            Row::Folder { path, open, .. } => Line::from(vec![
                Span::raw(indent),
                Span::styled(if *open { "▾ " } else { "▸ " }, theme.event_tool),
                Span::styled(
                    text::truncate(memory_tree::name(path), name_w),
                    theme.event_tool,
                ),
            ]),
            Row::Memory { memory, .. } => {
                let open = m.memory_id.as_deref() == Some(memory.id.as_str());
                let name = table::pad(
                    &text::truncate(memory_tree::name(&memory.path), name_w),
                    name_w,
                    false,
                );
                Line::from(vec![
                    Span::raw(indent),
                    Span::styled(if open { "● " } else { "· " }, theme.event_tool),
                    Span::styled(name, theme.text),
                    Span::styled(
                        table::pad(&text::compact_count(memory.size), 6, true),
                        theme.dim,
                    ),
                    Span::styled(
                        table::pad(&ago(state.now, memory.updated_at), 9, true),
                        theme.dim,
                    ),
                ])
            }
            Row::Loading { .. } => Line::styled(format!("{indent}⋯ loading…"), theme.dim),
            Row::Error { text: e, .. } => Line::styled(
                format!(
                    "{indent}✖ {} (^r retries)",
                    text::truncate(e, name_w.max(10))
                ),
                theme.event_error,
            ),
            Row::Empty { .. } => Line::styled(format!("{indent}(empty)"), theme.dim),
            Row::More { .. } => Line::styled(
                format!("{indent}… more not listed (cap reached)"),
                theme.dim,
            ),
        };
        lines.push(if i == nav.cursor && m.level == MemoryLevel::Tree {
            selected(line, width, theme)
        } else {
            line
        });
    }
    lines
}

fn op_style(op: &str, theme: &Theme) -> (&'static str, Style) {
    match op {
        "created" => ("+", theme.conn_ok),
        "modified" => ("~", theme.state_rescheduling),
        "deleted" => ("−", theme.event_error),
        _ => ("?", theme.dim),
    }
}

fn version_lines<'a>(state: &State, theme: &Theme, width: usize, rows: usize) -> Vec<Line<'a>> {
    let m = &state.memory;
    let Some(d) = &m.memory else {
        return vec![Line::styled("  ⋯ loading versions…", theme.dim)];
    };
    let mut lines = vec![Line::styled(
        format!(
            "{}{}",
            table::pad("    OPERATION  WHEN   BY", width.saturating_sub(11), false),
            table::pad("VERSION", 11.min(width), false)
        ),
        theme.column_header,
    )];
    let nav = m.versions_nav;
    for (i, v) in d
        .versions
        .iter()
        .enumerate()
        .skip(nav.offset)
        .take(rows.saturating_sub(1))
    {
        let (glyph, style) = op_style(&v.row.operation, theme);
        let marked = m.mark.as_deref() == Some(v.id.as_str());
        let actor_w = width.saturating_sub(22 + 11);
        let mut actor = v.row.actor.clone();
        if v.row.redacted {
            actor.push_str(" (redacted)");
        }
        let line = Line::from(vec![
            Span::styled(if marked { "◆" } else { " " }, theme.mark),
            Span::styled(format!(" {glyph} "), style),
            Span::styled(table::pad(&v.row.operation, 10, false), style),
            Span::raw(" "),
            Span::styled(table::pad(&ago(state.now, v.row.at), 6, false), theme.dim),
            Span::raw(" "),
            Span::styled(
                table::pad(&text::truncate(&actor, actor_w), actor_w, false),
                theme.text,
            ),
            Span::raw(" "),
            Span::styled(text::truncate(&v.id, 10), theme.dim),
        ]);
        lines.push(if i == nav.cursor {
            selected(line, width, theme)
        } else {
            line
        });
    }
    lines
}

fn audit_lines<'a>(state: &State, theme: &Theme, width: usize, rows: usize) -> Vec<Line<'a>> {
    let m = &state.memory;
    let mut lines = vec![Line::styled(
        "  WHEN    OPERATION  SESSION      PATH".to_string(),
        theme.column_header,
    )];
    if m.audit.is_empty() {
        lines.push(Line::styled(
            if m.audit_loading {
                "  ⋯ loading…"
            } else {
                "  no versions written by sessions in the pages read"
            },
            theme.dim,
        ));
    }
    let nav = m.audit_nav;
    for (i, a) in m
        .audit
        .iter()
        .enumerate()
        .skip(nav.offset)
        .take(rows.saturating_sub(1))
    {
        let (glyph, style) = op_style(&a.operation, theme);
        let session = a.actor.strip_prefix("session ").unwrap_or(&a.actor);
        let path_w = width.saturating_sub(2 + 8 + 11 + 13);
        let line = Line::from(vec![
            Span::styled(format!("{glyph} "), style),
            Span::styled(table::pad(&ago(state.now, a.at), 7, false), theme.dim),
            Span::raw(" "),
            Span::styled(table::pad(&a.operation, 10, false), style),
            Span::raw(" "),
            Span::styled(
                table::pad(&text::truncate(session, 12), 12, false),
                theme.dim,
            ),
            Span::raw(" "),
            Span::styled(text::truncate(&a.path, path_w), theme.text),
        ]);
        lines.push(if i == nav.cursor {
            selected(line, width, theme)
        } else {
            line
        });
    }
    lines
}

fn field<'a>(label: &str, value: String, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!(" {label:<12}"), theme.dim),
        Span::styled(value, theme.text),
    ])
}

fn draw_detail(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let m = &state.memory;
    match m.level {
        MemoryLevel::Versions => return draw_diff(state, theme, frame, area),
        MemoryLevel::Content => return draw_memory(state, theme, frame, area),
        MemoryLevel::Tree if m.memory_id.is_some() => {
            return draw_memory(state, theme, frame, area);
        }
        _ => {}
    }
    let mut lines: Vec<Line> = Vec::new();
    let title = match m.level {
        MemoryLevel::Stores => {
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
                lines.push(Line::styled(
                    " ⏎ opens its tree · W agent writes · A archives",
                    theme.dim,
                ));
            }
            " Store "
        }
        MemoryLevel::Audit => {
            if let Some(a) = m.audit.get(m.audit_nav.cursor) {
                lines.push(field("path", a.path.clone(), theme));
                lines.push(field("operation", a.operation.clone(), theme));
                lines.push(field("by", a.actor.clone(), theme));
                lines.push(field(
                    "when",
                    format!("{} ago", ago(state.now, a.at)),
                    theme,
                ));
                lines.push(field("version", a.version_id.clone(), theme));
                lines.push(Line::raw(""));
                lines.push(Line::styled(
                    " ⏎ its versions and diff · then R reverts to the selected one",
                    theme.dim,
                ));
            }
            " Write "
        }
        _ => {
            match m.selected_row() {
                Some(Row::Memory { memory: r, .. }) => {
                    lines.push(field("path", r.path.clone(), theme));
                    lines.push(field("size", format!("{} bytes", r.size), theme));
                    lines.push(field("sha256", format!("{}…", r.sha), theme));
                    lines.push(field(
                        "updated",
                        format!("{} ago", ago(state.now, r.updated_at)),
                        theme,
                    ));
                    lines.push(Line::raw(""));
                    lines.push(Line::styled(
                        " ⏎ content · v versions · e edit · d delete",
                        theme.dim,
                    ));
                }
                Some(Row::Folder { path, .. }) => {
                    lines.push(field("folder", path.clone(), theme));
                    lines.push(Line::raw(""));
                    lines.push(Line::styled(" ⏎/l opens · h closes", theme.dim));
                }
                _ => {}
            }
            " Memory "
        }
    };
    let block = pane(theme, Line::styled(title, theme.title), false);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    lines.truncate(usize::from(inner.height));
    frame.render_widget(Paragraph::new(lines), inner);
}

fn draw_memory(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let m = &state.memory;
    let focused = m.level == MemoryLevel::Content && state.overlay.is_none();
    let Some(d) = &m.memory else {
        let block = pane(theme, Line::styled(" Memory ", theme.title), focused);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let line = status_line(&m.fetch, "", theme)
            .unwrap_or_else(|| Line::styled("  ⋯ loading…", theme.dim));
        frame.render_widget(Paragraph::new(line), inner);
        return;
    };
    let title = Line::from(vec![
        Span::styled(" ", theme.title),
        Span::styled(format!("{} ", text::truncate(&d.path, 50)), theme.text),
        Span::styled(
            format!(
                "· {} bytes · {}… · {} ago ",
                d.size,
                d.sha.chars().take(8).collect::<String>(),
                ago(state.now, d.updated_at)
            ),
            theme.dim,
        ),
    ]);
    let mut pos = format!(
        " line {}/{} ",
        (m.scroll.cursor + 1).min(d.lines.len()),
        d.lines.len()
    );
    if let Some(q) = &m.search {
        pos.push_str(&format!("· /{} (n/N) ", text::truncate(q, 20)));
    }
    let block =
        pane(theme, title, focused).title_bottom(Line::styled(pos, theme.dim).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut h = usize::from(inner.height);
    if m.search_edit.is_some() {
        h = h.saturating_sub(1);
    }
    let w = usize::from(inner.width).max(1);
    let lines = content_lines(d, m.search.as_deref(), m.scroll.cursor, w, h, theme);
    frame.render_widget(
        Paragraph::new(lines),
        Rect::new(inner.x, inner.y, inner.width, h as u16),
    );
    if let Some(ed) = &m.search_edit {
        let row = Rect::new(
            inner.x + 1,
            inner.y + h as u16,
            inner.width.saturating_sub(1),
            1,
        );
        frame.render_widget(Span::styled("/", theme.footer_key), row);
        let mut area = ed.area().clone();
        area.set_style(theme.input);
        area.set_cursor_line_style(Style::default());
        frame.render_widget(
            &area,
            Rect::new(row.x + 1, row.y, row.width.saturating_sub(1), 1),
        );
    }
}

/// Wrap only the source lines from `scroll` until `rows` screen rows are filled; lines with
/// the search in them are marked.
fn content_lines<'a>(
    d: &OpenMemory,
    search: Option<&str>,
    scroll: usize,
    width: usize,
    rows: usize,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let q = search.map(str::to_lowercase);
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
        let hit = q
            .as_deref()
            .is_some_and(|q| !q.is_empty() && l[..cut].to_lowercase().contains(q));
        let style = if hit { theme.search_match } else { theme.text };
        for piece in text::wrap(&l[..cut], width) {
            if out.len() >= rows {
                break;
            }
            out.push(Line::styled(piece, style));
        }
    }
    out
}

fn draw_diff(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let m = &state.memory;
    let title = match &m.diff {
        Some(d) => Line::from(vec![
            Span::styled(" Diff ", theme.title),
            Span::styled(format!("{} ", d.title), theme.dim),
        ]),
        None => Line::styled(" Diff ", theme.title),
    };
    let hint = Line::styled(
        " space mark · d diff with mark · R revert · X redact ",
        theme.dim,
    )
    .right_aligned();
    let block = pane(theme, title, false).title_bottom(hint);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let h = usize::from(inner.height);
    let w = usize::from(inner.width);
    let mut lines: Vec<Line> = Vec::new();
    let Some(d) = &m.diff else {
        frame.render_widget(
            Paragraph::new(Line::styled("  ⋯ loading…", theme.dim)),
            inner,
        );
        return;
    };
    if let Some(note) = &d.note {
        lines.push(Line::styled(format!(" {note}"), theme.dim));
    }
    if d.diff.is_empty() && d.note.is_none() {
        lines.push(Line::styled(" (no change in content)", theme.dim));
    }
    let add = theme.conn_ok;
    let del = theme.event_error;
    let mut skip = m.diff_scroll.cursor;
    'hunks: for hunk in &d.diff.hunks {
        if skip > 0 {
            skip -= 1;
        } else {
            lines.push(Line::styled(
                text::truncate(&hunk.header, w),
                theme.event_span,
            ));
        }
        for l in &hunk.lines {
            if lines.len() >= h {
                break 'hunks;
            }
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let (sign, style) = match l.tag {
                LineTag::Context => (' ', theme.dim),
                LineTag::Removed => ('-', del),
                LineTag::Added => ('+', add),
            };
            let mut spans = vec![Span::styled(sign.to_string(), style)];
            let mut used = 1;
            for s in &l.spans {
                if used >= w {
                    break;
                }
                let piece = text::truncate(&s.text, w - used);
                used += text::width(&piece);
                let st = if s.emphasized && l.tag != LineTag::Context {
                    style.add_modifier(Modifier::REVERSED)
                } else {
                    style
                };
                spans.push(Span::styled(piece, st));
            }
            lines.push(Line::from(spans));
        }
    }
    lines.truncate(h);
    frame.render_widget(Paragraph::new(lines), inner);
}

fn overlay_block<'a>(theme: &Theme, title: String) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(theme.border_focused)
        .style(theme.overlay)
        .title(Span::styled(title, theme.title))
}

fn draw_edit(state: &State, theme: &Theme, frame: &mut Frame) {
    let Some(e) = &state.memory.edit else {
        return;
    };
    let full = frame.area();
    let area = Rect::new(
        full.x + 2,
        full.y + 2,
        full.width.saturating_sub(4),
        full.height.saturating_sub(4),
    );
    frame.render_widget(Clear, area);
    let block = overlay_block(theme, format!(" Edit {} ", text::truncate(&e.path, 60)))
        .title_bottom(
            Line::styled(
                " ctrl-s save (asks first) · esc cancel · ctrl-z undo ",
                theme.dim,
            )
            .right_aligned(),
        );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut editor_area = inner;
    if let Some(live) = &e.conflict {
        // The live version someone else wrote, under the edit.
        let h = (inner.height / 2).max(1);
        editor_area.height = inner.height.saturating_sub(h);
        let mut lines = vec![Line::styled(
            format!(
                "── changed meanwhile (409) — the live version, sha256 {}…; your edit above is kept ",
                e.base_sha.chars().take(8).collect::<String>()
            ),
            theme.event_error,
        )];
        let w = usize::from(inner.width);
        for l in live.iter().take(usize::from(h)) {
            lines.push(Line::styled(text::truncate(l, w), theme.dim));
        }
        frame.render_widget(
            Paragraph::new(lines),
            Rect::new(inner.x, inner.y + editor_area.height, inner.width, h),
        );
    }
    let mut ta = e.editor.area().clone();
    ta.set_style(theme.text);
    ta.set_cursor_line_style(Style::default());
    frame.render_widget(&ta, editor_area);
}

fn draw_confirm(c: &MemConfirm, theme: &Theme, frame: &mut Frame) {
    let full = frame.area();
    let w = 72.min(full.width);
    let h = (c.lines.len() as u16 + 4 + u16::from(c.warning.is_some())).min(full.height);
    let area = Rect::new(
        full.x + (full.width - w) / 2,
        full.y + (full.height - h) / 2,
        w,
        h,
    );
    frame.render_widget(Clear, area);
    let inner_w = usize::from(w.saturating_sub(4));
    let mut lines: Vec<Line> = c
        .lines
        .iter()
        .map(|l| Line::styled(format!(" {}", text::truncate(l, inner_w)), theme.text))
        .collect();
    if let Some(warn) = &c.warning {
        lines.push(Line::styled(
            format!(" ⚠ {}", text::truncate(warn, inner_w)),
            theme.event_error,
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled(" y ", theme.footer_key),
        Span::styled(" yes   ", theme.text),
        Span::styled(" n ", theme.footer_key),
        Span::styled(" no ", theme.text),
    ]));
    frame.render_widget(
        Paragraph::new(lines).block(overlay_block(theme, c.title.clone())),
        area,
    );
}
