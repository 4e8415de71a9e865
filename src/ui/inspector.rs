//! The inspector: the selected event in full (pretty JSON, highlighted), with its tool pairing.
//! The pretty lines are prepared once per selection change, not per frame.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::state::State;
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

/// Screen lines of the inspector's text from source line `from`: long lines wrap (the readable
/// text plainly, the JSON highlighted). Only what fits is wrapped.
pub fn wrapped_lines<'a>(
    state: &State,
    theme: &Theme,
    from: usize,
    width: usize,
    height: usize,
) -> Vec<Line<'a>> {
    let insp = &state.inspector;
    let mut out = Vec::with_capacity(height);
    for (i, l) in insp.lines.iter().enumerate().skip(from) {
        if out.len() >= height {
            break;
        }
        let body = i < insp.body_lines;
        for chunk in text::wrap(l, width) {
            if out.len() >= height {
                break;
            }
            out.push(if body {
                let style = if i + 1 == insp.body_lines {
                    theme.dim
                } else {
                    theme.text
                };
                Line::styled(chunk, style)
            } else {
                json_line(&chunk, theme, width)
            });
        }
    }
    out
}

pub fn draw(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let insp = &state.inspector;
    let mut title = vec![Span::styled(" Inspector ", theme.title)];
    if !insp.title.is_empty() {
        title.push(Span::styled(format!("{} ", insp.title), theme.text));
    }
    if let (Some(i), Some(w)) = (insp.index, &state.watched)
        && let (shown, _) = w.shown(&state.stream.filter)
        && let Some(p) = shown.tool_pair(i)
        && let Some(e) = shown.get(p)
    {
        title.push(Span::styled(
            format!("· ↔ {} ", text::one_line(e.type_name)),
            theme.event_tool,
        ));
    }
    let block = pane(theme, Line::from(title), false)
        .title_bottom(Line::styled(" enter: full view · y: copy ", theme.dim).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let max = usize::from(inner.width);
    let lines: Vec<Line> = if insp.lines.is_empty() {
        vec![Line::styled(" no event selected", theme.dim)]
    } else {
        wrapped_lines(state, theme, 0, max, usize::from(inner.height))
    };
    frame.render_widget(Paragraph::new(lines), inner);
}
