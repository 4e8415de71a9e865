//! Overlays drawn over the panes: `?` help, the confirm dialog, the full event view.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};

use crate::app::keymap::Context;
use crate::app::state::{BulkAction, State};
use crate::text;
use crate::theme::Theme;
use crate::ui::inspector::wrapped_lines;

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn boxed<'a>(theme: &Theme, title: &'a str) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(theme.border_focused)
        .style(theme.overlay)
        .title(Span::styled(title, theme.title))
}

pub fn help(state: &State, theme: &Theme, frame: &mut Frame, scroll: u16) {
    let area = centered(frame.area(), 92, frame.area().height.saturating_sub(2));
    let mut lines: Vec<Line> = Vec::new();
    for ctx in [
        Context::Global,
        Context::Sessions,
        Context::Events,
        Context::Inspector,
        Context::Memory,
        Context::Dreams,
        Context::Deployments,
    ] {
        lines.push(Line::styled(ctx.name().to_string(), theme.title));
        let rows = state.keymap.grouped(ctx, false);
        for pair in rows.chunks(2) {
            let mut spans = Vec::new();
            for (keys, label) in pair {
                spans.push(Span::styled(
                    format!("  {}", text::fit(keys, 14)),
                    theme.attention,
                ));
                spans.push(Span::styled(text::fit(label, 26), theme.text));
            }
            lines.push(Line::from(spans));
        }
        lines.push(Line::raw(""));
    }
    lines.push(Line::styled(
        "filter syntax: words match fuzzily · 'exact · !exclude · ^prefix · suffix$",
        theme.dim,
    ));
    lines.push(Line::styled("commands: :sessions :needs :memory :dreams :deployments :threads :archived :mouse :export :quit", theme.dim));
    lines.push(Line::styled(
        "keys can be remapped in config.toml: [keys] \"sessions.archive\" = \"ctrl-a\"",
        theme.dim,
    ));
    let block = boxed(theme, " Help · esc closes · j/k scroll ");
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), area);
}

pub fn confirm(
    state: &State,
    theme: &Theme,
    frame: &mut Frame,
    action: BulkAction,
    ids: &[String],
) {
    let verb = match action {
        BulkAction::Archive => "Archive",
        BulkAction::Delete => "Delete",
    };
    let h = (ids.len().min(6) as u16) + 6;
    let area = centered(frame.area(), 64, h);
    let mut lines = vec![Line::styled(
        format!("{verb} {} session(s)?", ids.len()),
        theme.attention,
    )];
    if action == BulkAction::Delete {
        lines.push(Line::styled(
            "Deleting removes the session and its events for good.",
            theme.event_error,
        ));
    }
    for id in ids.iter().take(6) {
        let title = state
            .sessions
            .get(id)
            .map(|e| e.summary.title.clone())
            .unwrap_or_default();
        lines.push(Line::from(vec![
            Span::styled("  • ", theme.dim),
            Span::styled(text::truncate(&title, 30), theme.text),
            Span::styled(
                format!("  {}", text::truncate(&text::one_line(id), 24)),
                theme.dim,
            ),
        ]));
    }
    if ids.len() > 6 {
        lines.push(Line::styled(
            format!("  … and {} more", ids.len() - 6),
            theme.dim,
        ));
    }
    lines.push(Line::from(vec![
        Span::styled(" y ", theme.footer_key),
        Span::styled(" yes   ", theme.text),
        Span::styled(" n ", theme.footer_key),
        Span::styled(" no ", theme.text),
    ]));
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(boxed(theme, " Confirm ")), area);
}

pub fn event(state: &State, theme: &Theme, frame: &mut Frame, scroll: usize) {
    let full = frame.area();
    let area = Rect::new(
        full.x + 2,
        full.y + 1,
        full.width.saturating_sub(4),
        full.height.saturating_sub(2),
    );
    let insp = &state.inspector;
    let title = format!(
        " {} · {} lines · esc closes · y copies ",
        insp.title,
        insp.lines.len()
    );
    let block = boxed(theme, "").title(Span::styled(title, theme.title));
    let inner = block.inner(area);
    let max = usize::from(inner.width);
    let lines = wrapped_lines(state, theme, scroll, max, usize::from(inner.height));
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
