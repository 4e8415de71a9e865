//! The footer (key hints from the keymap table) and the message row (input line or toast).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::state::{InputKind, State};
use crate::app::update::complete;
use crate::text;
use crate::theme::Theme;

pub fn draw(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    // While typing, the context is `Input`: the editor's keys from the same table.
    let hints = state.keymap.hints_for(state.context(), state.read_only);
    let mut spans = Vec::new();
    let mut used = 0usize;
    let max = usize::from(area.width);
    for (key, label) in hints {
        let w = text::width(&key) + text::width(label) + 4;
        if used + w > max {
            break;
        }
        spans.push(Span::styled(format!(" {key} "), theme.footer_key));
        spans.push(Span::styled(format!(" {label} "), theme.footer_label));
        used += w;
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn draw_message(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    if area.height == 0 {
        return;
    }
    if let Some(input) = &state.input {
        let prompt = match input.kind {
            InputKind::Command => ":",
            InputKind::SessionFilter => "filter /",
            InputKind::EventSearch => "search /",
        };
        let typed = text::one_line(&input.text());
        let room = usize::from(area.width).saturating_sub(text::width(prompt) + 2);
        let mut spans = vec![Span::styled(
            format!(" {prompt}"),
            theme.title.patch(theme.input),
        )];
        spans.extend(editor_spans(&typed, input.editor.cursor().1, room, theme));
        match input.kind {
            InputKind::Command => {
                let at_end = input.editor.cursor().1 >= typed.chars().count();
                if let Some(c) = complete(&typed).filter(|c| at_end && c.len() > typed.len()) {
                    spans.push(Span::styled(
                        c[typed.len()..].to_string(),
                        theme.dim.patch(theme.input),
                    ));
                }
                spans.push(Span::styled(
                    "   sessions needs memory dreams deployments threads",
                    theme.dim.patch(theme.input),
                ));
            }
            InputKind::SessionFilter => spans.push(Span::styled(
                "   fuzzy · 'exact · !exclude · ^prefix",
                theme.dim.patch(theme.input),
            )),
            InputKind::EventSearch => {}
        }
        frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.input), area);
    } else if let Some(t) = &state.toast {
        let style = if t.error {
            theme.toast_error
        } else {
            theme.toast_info
        };
        let glyph = if t.error { "✖" } else { "✓" };
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!(
                    " {glyph} {}",
                    text::truncate(&t.text, usize::from(area.width).saturating_sub(4))
                ),
                style,
            ))
            .style(style),
            area,
        );
    }
}

/// One line of typed text with the cursor drawn where it is: the character under it reversed,
/// or a thin bar at the end. Text wider than `room` scrolls so the cursor stays visible.
pub fn editor_spans(typed: &str, cursor: usize, room: usize, theme: &Theme) -> Vec<Span<'static>> {
    let chars: Vec<char> = typed.chars().collect();
    let cursor = cursor.min(chars.len());
    // Drop characters from the front until the text up to the cursor fits.
    let mut start = 0;
    let mut before_w = text::width(&chars[..cursor].iter().collect::<String>());
    while start < cursor && before_w + 1 > room {
        before_w = before_w.saturating_sub(text::width(&chars[start].to_string()));
        start += 1;
    }
    let before: String = chars[start..cursor].iter().collect();
    let mut spans = vec![Span::styled(before, theme.input)];
    match chars.get(cursor) {
        Some(c) => {
            spans.push(Span::styled(
                c.to_string(),
                theme.input.add_modifier(Modifier::REVERSED),
            ));
            let after: String = chars[cursor + 1..].iter().collect();
            spans.push(Span::styled(after, theme.input));
        }
        None => spans.push(Span::styled("▏", theme.input)),
    }
    spans
}
