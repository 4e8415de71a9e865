//! The compose overlay (a titled form of editors with a hint line: message, outcome, and any
//! other flow where a person writes something) and the interrupt confirm.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::app::compose::Compose;
use crate::app::state::State;
use crate::text;
use crate::theme::Theme;
use crate::ui::overlays::{boxed, centered};

pub fn draw(theme: &Theme, frame: &mut Frame, compose: &Compose) {
    let full = frame.area();
    let w = full.width.saturating_sub(8).min(96);
    let h = full.height.saturating_sub(6).min(22);
    let area = centered(full, w, h);
    let title = format!(" {} ", text::truncate(&text::one_line(&compose.title), 60));
    let block = boxed(theme, &title);
    let inner = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    if inner.height < 3 || inner.width < 4 {
        return;
    }
    // The hint on the last row; fields share the rest, the multi-line ones taking what's left.
    let hint_row = Rect::new(inner.x, inner.y + inner.height - 1, inner.width, 1);
    let fixed: u16 = compose
        .fields
        .iter()
        .map(|f| if f.editor.is_multi_line() { 1 } else { 2 })
        .sum();
    let multi = compose
        .fields
        .iter()
        .filter(|f| f.editor.is_multi_line())
        .count()
        .max(1) as u16;
    let spare = inner.height.saturating_sub(1 + fixed);
    let mut y = inner.y;
    let bottom = inner.y + inner.height - 1;
    for (i, f) in compose.fields.iter().enumerate() {
        if y >= bottom {
            break;
        }
        let style = if i == compose.focus {
            theme.title
        } else {
            theme.dim
        };
        frame.render_widget(
            Paragraph::new(Line::styled(format!("{}:", f.label), style)),
            Rect::new(inner.x, y, inner.width, 1),
        );
        y += 1;
        let rows = if f.editor.is_multi_line() {
            (spare / multi).max(1)
        } else {
            1
        };
        let rows = rows.min(bottom.saturating_sub(y));
        if rows == 0 {
            break;
        }
        let field = Rect::new(inner.x + 1, y, inner.width.saturating_sub(1), rows);
        frame.render_widget(f.editor.area(), field);
        y += rows;
    }
    frame.render_widget(
        Paragraph::new(Line::styled(compose.hint, theme.dim)),
        hint_row,
    );
}

pub fn confirm_interrupt(
    state: &State,
    theme: &Theme,
    frame: &mut Frame,
    session_id: &str,
    thread_id: Option<&str>,
) {
    let area = centered(frame.area(), 64, 7);
    let title = state
        .sessions
        .get(session_id)
        .map(|e| e.summary.title.clone())
        .unwrap_or_default();
    let question = match thread_id {
        Some(t) => format!(
            "Interrupt only thread {}?",
            text::truncate(&text::one_line(t), 40)
        ),
        None => "Interrupt this session?".to_string(),
    };
    let lines = vec![
        Line::styled(question, theme.attention),
        Line::from(vec![
            Span::styled("  • ", theme.dim),
            Span::styled(text::truncate(&text::one_line(&title), 30), theme.text),
            Span::styled(
                format!("  {}", text::truncate(&text::one_line(session_id), 24)),
                theme.dim,
            ),
        ]),
        Line::styled("The agent stops its current work and goes idle.", theme.dim),
        Line::from(vec![
            Span::styled(" y ", theme.footer_key),
            Span::styled(" yes   ", theme.text),
            Span::styled(" n ", theme.footer_key),
            Span::styled(" no ", theme.text),
        ]),
    ];
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(boxed(theme, " Confirm ")), area);
}
