//! `:deployments`: one row per deployment (status, schedule, next and last run), and on the
//! right the selected deployment's summary and its runs (errored runs in the error colour).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::state::State;
use crate::app::views::DEPLOYMENT_SUMMARY_ROWS;
use crate::model::resources::{DeploymentRow, RunOutcome};
use crate::text;
use crate::theme::Theme;
use crate::ui::table::{self, Col, ago, header_line, row_line, status_line, until};
use crate::ui::{layout, pane};

const COLS: [Col; 5] = [
    Col::new("NAME", 0, 0),
    Col::new("STATUS", 6, 9),
    Col::new("SCHEDULE", 16, 3),
    Col::new("NEXT", 6, 4).right(),
    Col::new("LAST", 5, 2).right(),
];

const RUN_COLS: [Col; 3] = [
    Col::new("TRIGGER", 8, 3),
    Col::new("WHEN", 5, 4).right(),
    Col::new("SESSION / ERROR", 0, 0),
];

fn status(theme: &Theme, d: &DeploymentRow) -> (&'static str, &'static str, Style) {
    match (d.paused, d.paused_reason.as_deref()) {
        (false, _) => ("▶", "active", theme.state_running),
        (true, Some(r)) if r.starts_with("error") => ("⏸", "paused", theme.state_errored),
        (true, _) => ("⏸", "paused", theme.state_needs_approval),
    }
}

pub fn draw(state: &State, theme: &Theme, frame: &mut Frame, list: Rect, detail: Rect) {
    let d = &state.deployments;
    let title = Line::from(vec![
        Span::styled(" Deployments ", theme.title),
        Span::styled(format!("{} ", d.deployments.len()), theme.dim),
    ]);
    let mut block = pane(theme, title, state.overlay.is_none() && !d.detail);
    if let Some(e) = &d.fetch.error {
        block = block.title_bottom(Line::styled(
            format!(" ✖ {} ", text::truncate(e, 60)),
            theme.event_error,
        ));
    }
    let inner = block.inner(list);
    frame.render_widget(block, list);
    if inner.height > 0 && inner.width > 0 {
        let width = usize::from(inner.width);
        let widths = table::layout(&COLS, width, 2);
        let mut lines = vec![header_line(&COLS, &widths, 2, theme)];
        if d.deployments.is_empty() {
            lines.extend(status_line(&d.fetch, "no deployments", theme));
        }
        let rows = layout::session_rows(list);
        for (i, r) in d
            .deployments
            .iter()
            .enumerate()
            .skip(d.nav.offset)
            .take(rows)
        {
            let (glyph, word, style) = status(theme, r);
            let cells = vec![
                (r.name.clone(), theme.text),
                (word.to_string(), style),
                (r.schedule.clone().unwrap_or_else(|| "–".into()), theme.dim),
                (
                    if r.paused {
                        "–".into()
                    } else {
                        until(state.now, r.next_run)
                    },
                    theme.dim,
                ),
                (ago(state.now, r.last_run), theme.dim),
            ];
            let lead = vec![Span::styled(glyph, style), Span::raw(" ")];
            lines.push(row_line(
                lead,
                &COLS,
                &widths,
                cells,
                i == d.nav.cursor,
                width,
                theme,
            ));
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }
    draw_detail(state, theme, frame, detail);
}

fn draw_detail(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let d = &state.deployments;
    let Some(r) = d.deployments.get(d.nav.cursor) else {
        frame.render_widget(
            pane(theme, Line::styled(" Runs ", theme.title), false),
            area,
        );
        return;
    };
    let errored = r
        .runs
        .iter()
        .filter(|x| matches!(x.outcome, RunOutcome::Error(_)))
        .count();
    let title = Line::from(vec![
        Span::styled(" Runs ", theme.title),
        Span::styled(format!("{} ", r.name), theme.text),
        Span::styled(format!("· {} ", r.runs.len()), theme.dim),
        if errored > 0 {
            Span::styled(format!("· ✖ {errored} errored "), theme.event_error)
        } else {
            Span::raw("")
        },
    ]);
    let hint = if d.detail {
        " j/k move · esc back "
    } else {
        " ⏎ move in runs "
    };
    let block =
        pane(theme, title, d.detail).title_bottom(Line::styled(hint, theme.dim).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let width = usize::from(inner.width);
    let (glyph, word, style) = status(theme, r);
    let label = |l: &str| Span::styled(format!(" {l:<10}"), theme.dim);
    let mut status_spans = vec![
        label("status"),
        Span::styled(format!("{glyph} {word}"), style),
    ];
    if let Some(reason) = &r.paused_reason {
        status_spans.push(Span::styled(format!(" ({reason})"), style));
    }
    let mut lines = vec![
        Line::from(vec![label("id"), Span::styled(r.id.clone(), theme.text)]),
        Line::from(status_spans),
        Line::from(vec![
            label("schedule"),
            Span::styled(
                r.schedule
                    .clone()
                    .unwrap_or_else(|| "none (manual only)".into()),
                theme.text,
            ),
        ]),
        Line::from(vec![
            label("runs"),
            Span::styled(
                format!(
                    "next {} · last {} ago",
                    if r.paused {
                        "–".into()
                    } else {
                        until(state.now, r.next_run)
                    },
                    ago(state.now, r.last_run)
                ),
                theme.text,
            ),
        ]),
    ];
    let widths = table::layout(&RUN_COLS, width, 2);
    lines.push(header_line(&RUN_COLS, &widths, 2, theme));
    debug_assert_eq!(lines.len(), DEPLOYMENT_SUMMARY_ROWS);
    if r.runs.is_empty() {
        lines.push(Line::styled("  no runs yet", theme.dim));
    }
    let room = usize::from(inner.height).saturating_sub(lines.len());
    let nav = d.runs_nav;
    for (i, run) in r.runs.iter().enumerate().skip(nav.offset).take(room) {
        let (glyph, gstyle, outcome, ostyle) = match &run.outcome {
            RunOutcome::Session(s) => ("✔", theme.state_idle, s.clone(), theme.text),
            RunOutcome::Error(e) => ("✖", theme.event_error, e.clone(), theme.event_error),
        };
        let cells = vec![
            (run.trigger.clone(), theme.dim),
            (ago(state.now, run.at), theme.dim),
            (outcome, ostyle),
        ];
        let lead = vec![Span::styled(glyph, gstyle), Span::raw(" ")];
        lines.push(row_line(
            lead,
            &RUN_COLS,
            &widths,
            cells,
            d.detail && i == nav.cursor,
            width,
            theme,
        ));
    }
    lines.truncate(usize::from(inner.height));
    frame.render_widget(Paragraph::new(lines), inner);
}
