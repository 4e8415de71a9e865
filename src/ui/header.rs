//! The header: who we talk to, connection state, what needs a human, counts by state, spend.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::state::{ListConn, State};
use crate::model::sessions::{DerivedState, format_money};
use crate::text;
use crate::theme::Theme;

/// The connection state: a glyph + word, and the reason when there is a problem.
fn conn_parts(conn: &ListConn) -> (String, Option<&str>) {
    match conn {
        ListConn::Connecting => ("◌ connecting".into(), None),
        ListConn::Ok => ("● connected".into(), None),
        ListConn::Retrying { attempt, reason } => (format!("↻ retrying {attempt}"), Some(reason)),
        ListConn::Down { reason } => ("✖ down".into(), Some(reason)),
        ListConn::Rejected { reason } => ("✖".into(), Some(reason)),
    }
}

fn spans_width(spans: &[Span]) -> usize {
    spans.iter().map(|s| text::width(&s.content)).sum()
}

pub fn draw(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let width = usize::from(area.width);
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

    // Calls waiting for a person, and sessions stopped at their budget (a person must raise
    // or remove it).
    let budget = state.sessions.counts()[DerivedState::BudgetReached.index()];
    let needs = crate::model::needs::needs_you_count(state.needs.queue.len(), budget);
    let today = format_money(state.today.cost_minor, "USD");
    let needs_style = if needs > 0 {
        theme.attention.patch(bg_of(theme))
    } else {
        theme.header_dim
    };
    let money = theme.money.patch(bg_of(theme));
    let mut full_right: Vec<Span> = vec![
        Span::styled(format!(" ⚑ Needs you ({needs}) "), needs_style),
        Span::styled(" today ", theme.header_dim),
        Span::styled(format!("{today} "), money),
    ];
    let mut short_right: Vec<Span> = vec![
        Span::styled(format!(" ⚑ {needs} "), needs_style),
        Span::styled(format!(" {today} "), money),
    ];
    // Dream changes waiting for a decision (the review queue).
    let review = state.review.waiting_total();
    if review > 0 {
        let style = theme.attention.patch(bg_of(theme));
        full_right.insert(0, Span::styled(format!(" review {review} "), style));
        short_right.insert(0, Span::styled(format!(" r{review} "), style));
    }

    let (conn_label, reason) = conn_parts(&state.conn);
    let conn_style = match &state.conn {
        ListConn::Ok => theme.conn_ok,
        ListConn::Connecting | ListConn::Retrying { .. } => theme.conn_retrying,
        ListConn::Down { .. } | ListConn::Rejected { .. } => theme.conn_down,
    }
    .patch(bg_of(theme));
    let profile = text::one_line(&state.profile);
    let base_url = text::truncate(&text::one_line(&state.base_url), 40);
    // What must stay: brand, badges and the connection word; the rest goes in this order:
    // the base URL, the long right side, the profile.
    let fixed = spans_width(&left) + text::width(&conn_label);
    let reason_room = reason.map_or(0, |r| 2 + text::width(r));
    let profile_w = text::width(&profile) + 2;
    let url_w = 3 + text::width(&base_url);
    let right = if fixed + spans_width(&full_right) + profile_w + reason_room.min(12) <= width {
        full_right
    } else {
        short_right
    };
    let right_w = spans_width(&right);
    let avail = width.saturating_sub(right_w);
    let show_url = fixed + profile_w + url_w + reason_room <= avail;
    let show_profile = fixed + profile_w + reason_room.min(12) <= avail;
    if show_profile {
        left.push(Span::styled(profile, theme.header));
        if show_url {
            left.push(Span::styled(" · ", theme.header_dim));
            left.push(Span::styled(base_url, theme.header_dim));
        }
        left.push(Span::styled("  ", theme.header));
    }
    left.push(Span::styled(conn_label, conn_style));
    if let Some(reason) = reason {
        let room = avail.saturating_sub(spans_width(&left) + 3);
        if room >= 8 {
            let sep = if matches!(state.conn, ListConn::Rejected { .. }) {
                " "
            } else {
                ": "
            };
            left.push(Span::styled(sep, conn_style));
            left.push(Span::styled(
                text::truncate(&text::one_line(reason), room),
                conn_style,
            ));
        }
    }

    let row0 = Rect::new(area.x, area.y, area.width, 1);
    frame.render_widget(Paragraph::new("").style(theme.header), row0);
    let left_w = avail as u16;
    frame.render_widget(
        Paragraph::new(Line::from(left)),
        Rect {
            width: left_w,
            ..row0
        },
    );
    if right_w <= width {
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
    frame.render_widget(
        Paragraph::new(Line::from(count_spans(state, theme, width))),
        Rect::new(area.x, area.y + 1, area.width, 1),
    );
}

/// Sessions per state: `▶ 2 running` when it all fits in `width`, else `▶2`; a state that
/// does not fit at all is left out whole (never cut mid-word).
fn count_spans<'a>(state: &State, theme: &Theme, width: usize) -> Vec<Span<'a>> {
    let counts = state.sessions.counts();
    if state.sessions.is_empty() {
        return vec![Span::raw(" "), Span::styled("no sessions yet", theme.dim)];
    }
    let present: Vec<(DerivedState, usize)> = DerivedState::ALL
        .into_iter()
        .map(|s| (s, counts[s.index()]))
        .filter(|(_, n)| *n > 0)
        .collect();
    let long = |s: DerivedState, n: usize| format!("{} {n} {}", s.glyph(), s.label());
    let short = |s: DerivedState, n: usize| format!("{}{n}", s.glyph());
    // The most urgent states keep their words longest: shorten from the end until it fits.
    let total = |labels: &[String], gap: usize| {
        1 + labels.iter().map(|l| text::width(l) + gap).sum::<usize>() - gap
    };
    let mut labels: Vec<String> = present.iter().map(|&(s, n)| long(s, n)).collect();
    let mut gap = "  ";
    for i in (0..present.len()).rev() {
        if total(&labels, 2) <= width {
            break;
        }
        let (s, n) = present[i];
        labels[i] = short(s, n);
    }
    if total(&labels, 2) > width {
        gap = " ";
    }
    let mut spans: Vec<Span> = vec![Span::raw(" ")];
    let mut used = 1;
    for ((s, _), label) in present.iter().zip(labels) {
        let w = text::width(&label);
        let sep = if used > 1 { text::width(gap) } else { 0 };
        if used + sep + w > width {
            break;
        }
        if sep > 0 {
            spans.push(Span::styled(gap, theme.dim));
        }
        spans.push(Span::styled(label, state_style(theme, *s)));
        used += sep + w;
    }
    spans
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
