//! The inspector: the selected tool call (use + confirmation + result) or event, as foldable
//! JSON trees in tabs. The trees are prepared once per selection change (`app/frame.rs`); a
//! frame draws only the visible rows.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::state::State;
use crate::model::json_tree::{Kind, Row, row_matches};
use crate::model::nav::Nav;
use crate::model::outcome::{OUTCOME_SCAN, Outcome};
use crate::model::toolcall::{Call, Status};
use crate::text;
use crate::theme::Theme;
use crate::ui::pane;

/// Colour one line of pretty JSON: keys, strings, numbers/literals, punctuation.
pub fn json_line<'a>(line: &str, theme: &Theme, max: usize) -> Line<'a> {
    let line = text::truncate(line, max);
    let mut spans = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut plain = String::new();
    let flush = |plain: &mut String, spans: &mut Vec<Span<'a>>| {
        if !plain.is_empty() {
            spans.push(Span::styled(std::mem::take(plain), theme.json_punct));
        }
    };
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'"' {
            flush(&mut plain, &mut spans);
            let start = i;
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                if bytes[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i = (i + 1).min(bytes.len());
            let s = &line[start..i];
            let is_key = line[i..].trim_start().starts_with(':');
            spans.push(Span::styled(
                s.to_string(),
                if is_key {
                    theme.json_key
                } else {
                    theme.json_string
                },
            ));
        } else if c.is_ascii_digit() || c == b'-' || c == b't' || c == b'f' || c == b'n' {
            flush(&mut plain, &mut spans);
            let start = i;
            while i < bytes.len() && !matches!(bytes[i], b',' | b' ' | b']' | b'}') {
                i += 1;
            }
            spans.push(Span::styled(line[start..i].to_string(), theme.json_number));
        } else {
            // Multi-byte characters only occur inside strings; copy whole chars.
            let ch_len = line[i..].chars().next().map_or(1, char::len_utf8);
            plain.push_str(&line[i..i + ch_len]);
            i += ch_len;
        }
    }
    flush(&mut plain, &mut spans);
    Line::from(spans)
}

/// The call's one-line summary: tool, kind, permission, status, duration, tokens, thread.
fn call_line<'a>(call: &Call, theme: &Theme) -> Line<'a> {
    let status_style = match call.status {
        Status::Error | Status::Denied => theme.state_errored,
        Status::WaitingForYou => theme.attention,
        Status::Running => theme.state_running,
        Status::Ok => theme.state_idle,
    };
    let mut spans = vec![
        Span::styled(format!(" {} ", text::one_line(&call.name)), theme.title),
        Span::styled(
            format!("{} ", text::one_line(&call.kind_label())),
            theme.dim,
        ),
        Span::styled(format!("{} ", call.status.label()), status_style),
    ];
    let mut facts = Vec::new();
    if let Some(p) = &call.permission {
        facts.push(format!("permission {}", text::one_line(p)));
    }
    if let Some(ms) = call.duration_ms {
        facts.push(if ms < 1000 {
            format!("{ms} ms")
        } else {
            format!("{:.1} s", ms as f64 / 1000.0)
        });
    }
    if let Some((i, o)) = call.tokens {
        facts.push(format!(
            "{} in / {} out tokens",
            text::compact_count(i),
            text::compact_count(o)
        ));
    }
    if let Some(t) = &call.thread {
        facts.push(format!("thread {}", text::one_line(t)));
    }
    if let Some(m) = &call.deny_message {
        facts.push(format!("denied: {}", text::one_line(m)));
    }
    if !facts.is_empty() {
        spans.push(Span::styled(format!("· {}", facts.join(" · ")), theme.text));
    }
    Line::from(spans)
}

fn tab_line<'a>(state: &State, theme: &Theme) -> Line<'a> {
    let insp = &state.inspector;
    let mut spans = Vec::new();
    for (i, (label, tree)) in insp.tabs.iter().enumerate() {
        let style = if i == insp.tab {
            theme.selection
        } else {
            theme.dim
        };
        let extra = if tree.rows.is_empty() { " (none)" } else { "" };
        spans.push(Span::styled(format!(" {} {label}{extra} ", i + 1), style));
        spans.push(Span::raw(" "));
    }
    Line::from(spans)
}

/// The outcome's one-line summary: verdict, evaluations, max iterations, description.
fn outcome_line<'a>(o: &Outcome, theme: &Theme) -> Line<'a> {
    let verdict = o.result();
    let style = match verdict {
        "satisfied" => theme.state_idle,
        "failed" | "max_iterations_reached" | "interrupted" => theme.state_errored,
        "needs_revision" => theme.attention,
        _ => theme.state_running,
    };
    let mut facts = vec![match o.evaluations.len() {
        1 => "1 evaluation".to_string(),
        n => format!("{n} evaluations"),
    }];
    if let Some(m) = o.max_iterations {
        facts.push(format!("max {m} iterations"));
    }
    if o.scan_capped {
        facts.push(format!("first {OUTCOME_SCAN} spans looked at"));
    }
    if let Some(d) = &o.description {
        facts.push(text::one_line(d));
    }
    Line::from(vec![
        Span::styled(" outcome ", theme.title),
        Span::styled(format!("{} ", text::one_line(verdict)), style),
        Span::styled(format!("· {}", facts.join(" · ")), theme.text),
    ])
}

/// Screen lines of one tree row: indent, fold marker, key, value coloured by kind. Text lines
/// wrap to `width` (at most `room` lines: a row is at most LINE_CAP bytes, so this is bounded);
/// every other row is cut to `width` cells.
fn row_lines<'a>(
    r: &Row,
    theme: &Theme,
    width: usize,
    room: usize,
    highlight: Option<Style>,
) -> Vec<Line<'a>> {
    let marker = if r.foldable() {
        if r.folded { "▸ " } else { "▾ " }
    } else {
        "  "
    };
    let indent = "  ".repeat(usize::from(r.depth).min(40));
    let lead = format!("{indent}{marker}");
    let finish = |line: Line<'a>| match highlight {
        Some(st) => line.patch_style(st),
        None => line,
    };
    if r.kind == Kind::Line && room > 1 {
        let lead_w = text::width(&lead).min(width / 2);
        let body = width.saturating_sub(lead_w).max(1);
        let pad = " ".repeat(lead_w);
        return text::wrap(&r.text, body)
            .into_iter()
            .take(room)
            .enumerate()
            .map(|(n, piece)| {
                let first = if n == 0 {
                    text::truncate(&lead, lead_w)
                } else {
                    pad.clone()
                };
                finish(Line::from(vec![
                    Span::styled(first, theme.json_punct),
                    Span::styled(piece, theme.text),
                ]))
            })
            .collect();
    }
    let mut spans = vec![Span::styled(lead, theme.json_punct)];
    if let Some(k) = &r.key {
        spans.push(Span::styled(k.clone(), theme.json_key));
        spans.push(Span::styled(": ", theme.json_punct));
    }
    let (value, style) = match r.kind {
        Kind::Str => (format!("\"{}\"", r.text), theme.json_string),
        Kind::Number | Kind::Bool | Kind::Null => (r.text.clone(), theme.json_number),
        Kind::Line => (r.text.clone(), theme.text),
        Kind::Note => (r.text.clone(), theme.attention),
        Kind::Object | Kind::Array | Kind::Text => (r.text.clone(), theme.dim),
    };
    spans.push(Span::styled(value, style));
    // Cut to the width: rows are at most LINE_CAP bytes, so this is bounded.
    let mut used = 0usize;
    let mut out = Vec::with_capacity(spans.len());
    for s in spans {
        if used >= width {
            break;
        }
        let t = text::truncate(&s.content, width - used);
        used += text::width(&t);
        out.push(Span::styled(t, s.style));
    }
    vec![finish(Line::from(out))]
}

/// What one frame of the inspector draws: its lines, and how many tree rows it looked at
/// (never more than the lines it has room for; tests hold it to that).
pub struct ViewLines<'a> {
    pub lines: Vec<Line<'a>>,
    pub rows_touched: usize,
}

/// The inspector's content for an area of `width`×`height`: the call (or outcome) line, the
/// tab bar, then the visible rows of the current tab from `nav`'s first row, wrapped. Only the
/// rows that fit are touched; the cursor row is always among them.
pub fn view_lines<'a>(
    state: &State,
    theme: &Theme,
    width: usize,
    height: usize,
    nav: Option<Nav>,
) -> ViewLines<'a> {
    let insp = &state.inspector;
    let mut lines = Vec::with_capacity(height);
    let mut rows_touched = 0;
    if insp.tabs.is_empty() {
        lines.push(Line::styled(" no event selected", theme.dim));
        return ViewLines {
            lines,
            rows_touched,
        };
    }
    if let Some(call) = &insp.call {
        lines.push(call_line(call, theme));
    }
    if let Some(o) = &insp.outcome {
        lines.push(outcome_line(o, theme));
    }
    lines.push(tab_line(state, theme));
    let typing = insp.typing.is_some() && nav.is_some();
    let room = height
        .saturating_sub(lines.len())
        .saturating_sub(usize::from(typing));
    if let Some((_, tree)) = insp.tabs.get(insp.tab) {
        if tree.rows.is_empty() {
            lines.push(Line::styled(" (nothing yet)", theme.dim));
        }
        let show_cursor = nav.is_some();
        let nav = nav.unwrap_or_default();
        let query = insp.search.as_deref().filter(|q| !q.is_empty());
        let render = |first: usize, touched: &mut usize| {
            let mut out: Vec<Line<'a>> = Vec::with_capacity(room);
            let mut cursor_shown = !show_cursor;
            let mut i = first;
            while out.len() < room && i < tree.visible.len() {
                let Some(r) = tree.rows.get(tree.visible[i] as usize) else {
                    break;
                };
                *touched += 1;
                let hl = if show_cursor && nav.cursor == i {
                    cursor_shown = true;
                    Some(theme.selection)
                } else if query.is_some_and(|q| row_matches(r, q)) {
                    Some(theme.search_match)
                } else {
                    None
                };
                out.extend(row_lines(r, theme, width, room - out.len(), hl));
                i += 1;
            }
            (out, cursor_shown)
        };
        let first = nav.offset.min(tree.visible.len());
        let (mut rows, cursor_shown) = render(first, &mut rows_touched);
        if !cursor_shown {
            // Wrapped rows above pushed the cursor off the page: start the page at the cursor.
            rows = render(nav.cursor.min(tree.visible.len()), &mut rows_touched).0;
        }
        lines.extend(rows);
    }
    ViewLines {
        lines,
        rows_touched,
    }
}

/// Draw [`view_lines`] in `area`, with the search prompt on its last line while typed.
pub fn draw_view(state: &State, theme: &Theme, frame: &mut Frame, area: Rect, nav: Option<Nav>) {
    let view = view_lines(
        state,
        theme,
        usize::from(area.width),
        usize::from(area.height),
        nav,
    );
    frame.render_widget(Paragraph::new(view.lines), area);
    if let (Some(editor), Some(_)) = (&state.inspector.typing, nav)
        && area.height > 0
    {
        let y = area.y + area.height - 1;
        let prompt = Rect::new(area.x, y, 9.min(area.width), 1);
        frame.render_widget(
            Paragraph::new(Span::styled(" search /", theme.title)),
            prompt,
        );
        let field = Rect::new(
            area.x + prompt.width,
            y,
            area.width.saturating_sub(prompt.width),
            1,
        );
        frame.render_widget(editor.area(), field);
    }
}

pub fn draw(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let insp = &state.inspector;
    let mut title = vec![Span::styled(" Inspector ", theme.title)];
    if !insp.title.is_empty() {
        title.push(Span::styled(format!("{} ", insp.title), theme.text));
    }
    let block = pane(theme, Line::from(title), false)
        .title_bottom(Line::styled(" enter: full view · y: copy ", theme.dim).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    draw_view(state, theme, frame, inner, None);
}
