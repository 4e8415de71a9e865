//! The session list: one row per visible session, columns as the width allows.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::state::{Pane, State, View};
use crate::app::update::sort_label;
use crate::model::sessions::{SessionEntry, format_money};
use crate::text;
use crate::theme::Theme;
use crate::ui::header::state_style;
use crate::ui::{layout, pane, select_line};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Title,
    State,
    InState,
    Pending,
    Cost,
    LastEvent,
    Tokens,
    Agent,
    Model,
}

impl Col {
    fn header(self) -> &'static str {
        match self {
            Col::Title => "TITLE",
            Col::State => "STATE",
            Col::InState => "IN",
            Col::Pending => "WAIT",
            Col::Cost => "COST",
            Col::LastEvent => "LAST",
            Col::Tokens => "TOKENS",
            Col::Agent => "AGENT",
            Col::Model => "MODEL",
        }
    }
    fn width(self) -> usize {
        match self {
            Col::Title => 20,
            Col::State => 14,
            Col::InState => 4,
            Col::Pending => 4,
            Col::Cost => 8,
            Col::LastEvent => 4,
            Col::Tokens => 6,
            Col::Agent => 12,
            Col::Model => 16,
        }
    }
    fn right(self) -> bool {
        matches!(
            self,
            Col::InState | Col::Pending | Col::Cost | Col::LastEvent | Col::Tokens
        )
    }
}

/// Columns that fit in `width` cells (title takes the rest), in display order.
fn columns(width: usize) -> (Vec<Col>, usize) {
    const PRIORITY: [Col; 8] = [
        Col::State,
        Col::InState,
        Col::Pending,
        Col::Cost,
        Col::LastEvent,
        Col::Tokens,
        Col::Agent,
        Col::Model,
    ];
    // mark + glyph + space = 4 cells before the title.
    let mut left = width.saturating_sub(4 + Col::Title.width());
    let mut chosen = Vec::new();
    for c in PRIORITY {
        if c.width() < left {
            left -= c.width() + 1;
            chosen.push(c);
        }
    }
    const ORDER: [Col; 9] = [
        Col::Title,
        Col::Agent,
        Col::Model,
        Col::State,
        Col::InState,
        Col::LastEvent,
        Col::Tokens,
        Col::Cost,
        Col::Pending,
    ];
    let cols: Vec<Col> = ORDER
        .into_iter()
        .filter(|c| *c == Col::Title || chosen.contains(c))
        .collect();
    (cols, Col::Title.width() + left.min(60))
}

fn age(now: i64, t: Option<i64>) -> String {
    t.map(|t| text::compact_age((now - t).max(0) as u64))
        .unwrap_or_else(|| "–".into())
}

fn cell(state: &State, e: &SessionEntry, c: Col) -> String {
    match c {
        Col::Title => e.summary.title.clone(),
        Col::State => e.state.label().to_string(),
        Col::InState => age(state.now, e.since()),
        Col::LastEvent => age(state.now, e.last_event_at()),
        Col::Pending => match e.evidence.pending() {
            0 => String::new(),
            n => format!("⚑{n}"),
        },
        Col::Cost => e
            .summary
            .cost_minor
            .map(|c| format_money(c, &e.summary.currency))
            .unwrap_or_default(),
        Col::Tokens => text::compact_count(e.summary.tokens),
        Col::Agent => e.summary.agent.clone(),
        Col::Model => e.summary.model.clone(),
    }
}

fn pad(s: &str, w: usize, right: bool) -> String {
    let cut = text::truncate(s, w);
    let fill = " ".repeat(w.saturating_sub(text::width(&cut)));
    if right {
        format!("{fill}{cut}")
    } else {
        format!("{cut}{fill}")
    }
}

pub fn draw(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let focused = state.focus == Pane::Sessions && state.overlay.is_none();
    let idx = &state.sessions;
    let mut title = vec![
        Span::styled(
            if state.view == View::Needs {
                " Needs you "
            } else {
                " Sessions "
            },
            theme.title,
        ),
        Span::styled(format!("{}/{} ", idx.view_len(), idx.len()), theme.dim),
        Span::styled(format!("· sort {} ", sort_label(state)), theme.dim),
    ];
    if !idx.filter().is_empty() {
        title.push(Span::styled(
            format!("· /{} ", text::one_line(idx.filter())),
            theme.attention,
        ));
    }
    if idx.show_archived {
        title.push(Span::styled("· +archived ", theme.dim));
    }
    if let Some(n) = idx.capped() {
        // A fleet past the full-read cap: say the list is not all of it.
        title.push(Span::styled(
            format!("· showing the first {n} "),
            theme.attention,
        ));
    }
    let marked = idx.marked_count();
    if marked > 0 {
        title.push(Span::styled(format!("· {marked} marked "), theme.mark));
    }
    let block = pane(theme, Line::from(title), focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let width = usize::from(inner.width);
    let (cols, title_w) = columns(width);
    let col_w = |c: Col| if c == Col::Title { title_w } else { c.width() };

    let mut head = vec![Span::styled("    ", theme.column_header)];
    for (i, c) in cols.iter().enumerate() {
        if i > 0 {
            head.push(Span::styled(" ", theme.column_header));
        }
        head.push(Span::styled(
            pad(c.header(), col_w(*c), c.right()),
            theme.column_header,
        ));
    }
    let mut lines: Vec<Line> = vec![Line::from(head)];

    let rows = layout::session_rows(area);
    if idx.view_len() == 0 {
        match state.conn.problem() {
            Some(reason) if idx.is_empty() => {
                let reason = text::one_line(reason);
                for part in text::wrap(&reason, width.saturating_sub(2).max(1)) {
                    lines.push(Line::styled(format!("  {part}"), theme.conn_down));
                }
            }
            _ => {
                let msg = if idx.is_empty() {
                    "waiting for the first poll…"
                } else {
                    "nothing matches (esc clears the filter, a shows archived)"
                };
                lines.push(Line::styled(format!("  {msg}"), theme.dim));
            }
        }
    }
    for row in state.list.offset..(state.list.offset + rows).min(idx.view_len()) {
        let Some(e) = idx.view_get(row) else { break };
        let st = state_style(theme, e.state);
        let selected = row == state.list.cursor;
        let mark = if idx.is_marked(&e.summary.id) {
            "●"
        } else {
            " "
        };
        let mut spans = vec![
            Span::styled(mark, theme.mark),
            Span::raw(" "),
            Span::styled(e.state.glyph(), st),
            Span::raw(" "),
        ];
        for (i, c) in cols.iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw(" "));
            }
            let style = match c {
                Col::State => st,
                Col::Pending => theme.attention,
                // Near (80 %) or at its budget, the cost says so in the warning colours.
                Col::Cost => crate::ui::spend::level_style(
                    theme,
                    crate::model::spend::level(e.summary.cost_minor, e.summary.budget_minor).0,
                ),
                Col::Tokens | Col::InState | Col::LastEvent | Col::Model | Col::Agent => theme.dim,
                Col::Title => theme.text,
            };
            spans.push(Span::styled(
                pad(&cell(state, e, *c), col_w(*c), c.right()),
                style,
            ));
        }
        let mut line = Line::from(spans);
        if selected {
            select_line(&mut line, theme.selection);
            let used: usize = line.spans.iter().map(|s| text::width(&s.content)).sum();
            if used < width {
                line.spans
                    .push(Span::styled(" ".repeat(width - used), theme.selection));
            }
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_and_model_show_when_the_pane_is_wide_enough() {
        let (cols, _) = columns(88);
        assert!(cols.contains(&Col::Agent) && !cols.contains(&Col::Model));
        // A 119-column pane (a 260-column terminal) has room for both.
        let (cols, title) = columns(117);
        assert_eq!(
            cols,
            vec![
                Col::Title,
                Col::Agent,
                Col::Model,
                Col::State,
                Col::InState,
                Col::LastEvent,
                Col::Tokens,
                Col::Cost,
                Col::Pending
            ]
        );
        let used: usize = 4 + title + cols[1..].iter().map(|c| c.width() + 1).sum::<usize>();
        assert!(used <= 117, "{used}");
    }
}
