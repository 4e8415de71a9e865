//! The footer (key hints from the keymap table) and the message row (input line or toast).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::state::{InputKind, State};
use crate::app::update::complete;
use crate::text;
use crate::theme::Theme;

pub fn draw(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let hints: Vec<(String, &str)> = if state.input.is_some() {
        vec![
            ("⏎".into(), "apply"),
            ("esc".into(), "cancel"),
            ("tab".into(), "complete"),
            ("^u".into(), "clear"),
        ]
    } else {
        state.keymap.hints_for(state.context(), state.read_only)
    };
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
        let typed = text::one_line(&input.text);
        let mut spans = vec![
            Span::styled(format!(" {prompt}"), theme.title.patch(theme.input)),
            Span::styled(typed.clone(), theme.input),
            Span::styled("▏", theme.input),
        ];
        match input.kind {
            InputKind::Command => {
                if let Some(c) = complete(&input.text).filter(|c| c.len() > typed.len()) {
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
