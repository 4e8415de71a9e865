//! Overlays drawn over the panes: `?` help, the confirm dialog, the full event view.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};

use crate::app::commands::COMMANDS;
use crate::app::keymap::Context;
use crate::app::state::{BulkAction, State};
use crate::model::nav::Nav;
use crate::text;
use crate::theme::Theme;
use crate::ui::inspector::draw_view;

pub(crate) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

pub(crate) fn boxed<'a>(theme: &Theme, title: &'a str) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(theme.border_focused)
        .style(theme.overlay)
        .title(Span::styled(title, theme.title))
}

/// Where the help overlay goes in a frame of `area`.
pub fn help_area(area: Rect) -> Rect {
    centered(area, 92, area.height.saturating_sub(2))
}

#[derive(Clone, Copy)]
enum Tag {
    Problem,
    Heading,
    Keys,
    Label,
    Note,
}

/// The help text for a box `inner_width` cells wide, unstyled: two columns of keys only when
/// both fit. (Unstyled so `update` can count the lines for scrolling without a theme.)
fn help_rows(state: &State, inner_width: u16) -> Vec<Vec<(String, Tag)>> {
    const KEYS_W: usize = 14;
    const LABEL_W: usize = 26;
    let width = usize::from(inner_width);
    let two_columns = width >= 2 * (2 + KEYS_W + LABEL_W);
    let label_w = if two_columns {
        LABEL_W
    } else {
        width.saturating_sub(2 + KEYS_W).max(1)
    };
    let mut rows: Vec<Vec<(String, Tag)>> = Vec::new();
    if !state.keymap.problems.is_empty() {
        rows.push(vec![(
            "config problems (defaults kept)".into(),
            Tag::Problem,
        )]);
        for p in &state.keymap.problems {
            for part in text::wrap(&text::one_line(p), width.saturating_sub(2).max(1)) {
                rows.push(vec![(format!("  {part}"), Tag::Problem)]);
            }
        }
        rows.push(vec![]);
    }
    for ctx in [
        Context::Global,
        Context::Sessions,
        Context::Events,
        Context::Inspector,
        Context::Memory,
        Context::MemoryVersions,
        Context::MemoryAudit,
        Context::Dreams,
        Context::Review,
        Context::Deployments,
        Context::DeploymentForm,
        Context::Needs,
        Context::Input,
        Context::Compose,
    ] {
        rows.push(vec![(ctx.name().to_string(), Tag::Heading)]);
        let bindings = state.keymap.grouped_for(ctx, false, state.read_only);
        for pair in bindings.chunks(if two_columns { 2 } else { 1 }) {
            let mut row = Vec::new();
            for (keys, label) in pair {
                row.push((format!("  {}", text::fit(keys, KEYS_W)), Tag::Keys));
                row.push((text::fit(label, label_w), Tag::Label));
            }
            rows.push(row);
        }
        rows.push(vec![]);
    }
    rows.push(vec![("commands".to_string(), Tag::Heading)]);
    let words: Vec<(String, &str)> = COMMANDS
        .iter()
        .map(|c| (format!(":{}", c.word), c.help))
        .collect();
    for pair in words.chunks(if two_columns { 2 } else { 1 }) {
        let mut row = Vec::new();
        for (word, help) in pair {
            row.push((format!("  {}", text::fit(word, KEYS_W)), Tag::Keys));
            row.push((text::fit(help, label_w), Tag::Label));
        }
        rows.push(row);
    }
    rows.push(vec![]);
    for note in [
        "filter: words match title and agent fuzzily (letters close together) and id, model, state as text · 'exact · !exclude · ^prefix · suffix$ · best match first",
        "keys can be remapped in config.toml: [keys] \"sessions.archive\" = \"ctrl-a\" (ctrl-c always quits)",
    ] {
        for part in text::wrap(note, width.max(1)) {
            rows.push(vec![(part, Tag::Note)]);
        }
    }
    rows
}

/// The furthest the help text scrolls in a frame of `area` (its last line at the bottom).
pub fn help_max_scroll(state: &State, area: Rect) -> u16 {
    let a = help_area(area);
    let inner_h = usize::from(a.height.saturating_sub(2));
    let n = help_rows(state, a.width.saturating_sub(2)).len();
    u16::try_from(n.saturating_sub(inner_h)).unwrap_or(u16::MAX)
}

pub fn help(state: &State, theme: &Theme, frame: &mut Frame, scroll: u16) {
    let area = help_area(frame.area());
    let lines: Vec<Line> = help_rows(state, area.width.saturating_sub(2))
        .into_iter()
        .map(|row| {
            Line::from(
                row.into_iter()
                    .map(|(t, tag)| {
                        let style = match tag {
                            Tag::Problem => theme.event_error,
                            Tag::Heading => theme.title,
                            Tag::Keys => theme.attention,
                            Tag::Label => theme.text,
                            Tag::Note => theme.dim,
                        };
                        Span::styled(t, style)
                    })
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    let scroll = scroll.min(help_max_scroll(state, frame.area()));
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

pub fn event(state: &State, theme: &Theme, frame: &mut Frame, nav: Nav) {
    let full = frame.area();
    let area = Rect::new(
        full.x + 2,
        full.y + 1,
        full.width.saturating_sub(4),
        full.height.saturating_sub(2),
    );
    let insp = &state.inspector;
    let rows = insp.tabs.get(insp.tab).map_or(0, |(_, t)| t.visible.len());
    let title = format!(
        " {} · row {}/{} · esc closes · tab switches · o opens in $PAGER ",
        insp.title,
        (nav.cursor + 1).min(rows),
        rows
    );
    let block = boxed(theme, "").title(Span::styled(title, theme.title));
    let inner = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    draw_view(state, theme, frame, inner, Some(nav));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_every_command_word_with_its_text() {
        let state = State::new(0);
        for width in [56, 200] {
            let cells: Vec<String> = help_rows(&state, width)
                .into_iter()
                .flatten()
                .map(|(s, _)| s.trim().to_string())
                .collect();
            for (i, c) in COMMANDS.iter().enumerate() {
                let at = cells.iter().position(|s| *s == format!(":{}", c.word));
                let at = at.unwrap_or_else(|| panic!(":{} missing at width {width}", c.word));
                assert_eq!(cells[at + 1], c.help, "width {width}, command {i}");
            }
        }
    }
}
