//! The inspector: the selected tool call (use + confirmation + result) or event, as foldable
//! JSON trees in tabs. The trees are prepared once per selection change (`app/frame.rs`); a
//! frame draws only the visible rows.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::state::State;
use crate::model::json_tree::{Kind, Row};
use crate::model::nav::Nav;
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

/// One tree row: indent, fold marker, key, value coloured by kind; cut to `width` cells.
fn row_line<'a>(r: &Row, theme: &Theme, width: usize, cursor: bool) -> Line<'a> {
    let marker = if r.foldable() {
        if r.folded { "▸ " } else { "▾ " }
    } else {
        "  "
    };
    let indent = "  ".repeat(usize::from(r.depth).min(40));
    let mut spans = vec![Span::styled(format!("{indent}{marker}"), theme.json_punct)];
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
    let line = Line::from(out);
    if cursor {
        line.patch_style(theme.selection)
    } else {
        line
    }
}

/// The inspector's content in `area`: the call line, the tab bar, then the visible rows of the
/// current tab from `nav.offset` (only those rows are touched).
pub fn draw_view(state: &State, theme: &Theme, frame: &mut Frame, area: Rect, nav: Option<Nav>) {
    let insp = &state.inspector;
    let mut lines = Vec::with_capacity(usize::from(area.height));
    if insp.tabs.is_empty() {
        lines.push(Line::styled(" no event selected", theme.dim));
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }
    if let Some(call) = &insp.call {
        lines.push(call_line(call, theme));
    }
    lines.push(tab_line(state, theme));
    let width = usize::from(area.width);
    let room = usize::from(area.height).saturating_sub(lines.len());
    if let Some((_, tree)) = insp.tabs.get(insp.tab) {
        if tree.rows.is_empty() {
            lines.push(Line::styled(" (nothing yet)", theme.dim));
        }
        let show_cursor = nav.is_some();
        let nav = nav.unwrap_or_default();
        for i in nav.visible(tree.visible.len(), room) {
            if let Some(r) = tree.visible.get(i).and_then(|&r| tree.rows.get(r as usize)) {
                lines.push(row_line(r, theme, width, show_cursor && nav.cursor == i));
            }
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
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
