//! The header: who we talk to, connection state, what needs a human, counts by state, spend.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::state::{ListConn, State};
use crate::model::sessions::{DerivedState, format_money};
use crate::text;
use crate::theme::Theme;

pub fn draw(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let mut left: Vec<Span> = vec![Span::styled(
        " ◆ overseer ",
        theme.title.patch(theme.header),
    )];
    if state.demo {
        left.push(Span::styled(" DEMO ", theme.badge_demo));
        left.push(Span::styled(" ", theme.header));
    }
    if state.read_only {
        left.push(Span::styled(" READ-ONLY ", theme.badge_read_only));
        left.push(Span::styled(" ", theme.header));
    }
    left.push(Span::styled(text::one_line(&state.profile), theme.header));
    left.push(Span::styled(" · ", theme.header_dim));
    left.push(Span::styled(
        text::truncate(&text::one_line(&state.base_url), 40),
        theme.header_dim,
    ));
    left.push(Span::styled("  ", theme.header));
    let (conn, style) = match &state.conn {
        ListConn::Connecting => ("◌ connecting".to_string(), theme.conn_retrying),
        ListConn::Ok => ("● connected".to_string(), theme.conn_ok),
        ListConn::Retrying { attempt, .. } => {
            (format!("↻ retrying {attempt}"), theme.conn_retrying)
        }
        ListConn::Down { .. } => ("✖ down".to_string(), theme.conn_down),
    };
    left.push(Span::styled(conn, style.patch(bg_of(theme))));

    let needs = state.sessions.needs_you();
    let spend = format_money(state.sessions.spend_minor(), "USD");
    let right: Vec<Span> = vec![
        Span::styled(
            format!(" ⚑ Needs you ({needs}) "),
            if needs > 0 {
                theme.attention.patch(bg_of(theme))
            } else {
                theme.header_dim
            },
        ),
        Span::styled(" spend ", theme.header_dim),
        Span::styled(format!("{spend} "), theme.money.patch(bg_of(theme))),
    ];
    let row0 = Rect::new(area.x, area.y, area.width, 1);
    frame.render_widget(Paragraph::new("").style(theme.header), row0);
    let right_w: usize = right.iter().map(|s| text::width(&s.content)).sum();
    let left_w = usize::from(area.width).saturating_sub(right_w) as u16;
    frame.render_widget(
        Paragraph::new(Line::from(left)),
        Rect {
            width: left_w,
            ..row0
        },
    );
    if right_w as u16 <= area.width {
        frame.render_widget(
            Paragraph::new(Line::from(right)),
            Rect::new(
                area.x + area.width - right_w as u16,
                area.y,
                right_w as u16,
                1,
            ),
        );
    }

    if area.height < 2 {
        return;
    }
    let counts = state.sessions.counts();
    let mut spans: Vec<Span> = vec![Span::raw(" ")];
    for s in DerivedState::ALL {
        let n = counts[s.index()];
        if n == 0 {
            continue;
        }
        spans.push(Span::styled(
            format!("{} {n} {}", s.glyph(), s.label()),
            state_style(theme, s),
        ));
        spans.push(Span::styled("  ", theme.dim));
    }
    if state.sessions.is_empty() {
        spans.push(Span::styled("no sessions yet", theme.dim));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)),
        Rect::new(area.x, area.y + 1, area.width, 1),
    );
}

fn bg_of(theme: &Theme) -> ratatui::style::Style {
    match theme.header.bg {
        Some(bg) => ratatui::style::Style::default().bg(bg),
        None => ratatui::style::Style::default(),
    }
}

pub fn state_style(theme: &Theme, s: DerivedState) -> ratatui::style::Style {
    match s {
        DerivedState::Running => theme.state_running,
        DerivedState::Idle => theme.state_idle,
        DerivedState::NeedsApproval => theme.state_needs_approval,
        DerivedState::NeedsInput => theme.state_needs_input,
        DerivedState::Rescheduling => theme.state_rescheduling,
        DerivedState::Errored => theme.state_errored,
        DerivedState::BudgetReached => theme.state_budget_reached,
        DerivedState::Terminated => theme.state_terminated,
        DerivedState::Archived => theme.state_archived,
    }
}
