//! `:deployments`: one row per deployment (status, schedule, next and last run), and on the
//! right the selected deployment's summary (agent, environment, status and why it is paused,
//! the next three fire times, the first message) and its runs (errored runs in the error
//! colour). On top: the confirmation of an action and the create/edit form.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::app::deployments::{DeployConfirm, DeploymentForm, FormField, SUMMARY_ROWS};
use crate::app::state::{State, View};
use crate::app::update::deployments::PICK_ROWS;
use crate::model::deployments::{DeploymentRow, RunOutcome, fires_line};
use crate::text;
use crate::theme::Theme;
use crate::ui::overlays::{boxed, centered};
use crate::ui::table::{self, Col, ago, header_line, row_line, status_line, until};
use crate::ui::{layout, pane, select_line};

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
                        until(state.now, r.next_run())
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
        " j/k move · ⏎ open session · esc back "
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
    let mut lines = summary_lines(state, theme, r);
    let widths = table::layout(&RUN_COLS, width, 2);
    lines.push(header_line(&RUN_COLS, &widths, 2, theme));
    debug_assert_eq!(lines.len(), SUMMARY_ROWS);
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

/// The seven lines above the runs table.
fn summary_lines(state: &State, theme: &Theme, r: &DeploymentRow) -> Vec<Line<'static>> {
    let (glyph, word, style) = status(theme, r);
    let label = |l: &str| Span::styled(format!(" {l:<10}"), theme.dim);
    let mut status_spans = vec![
        label("status"),
        Span::styled(format!("{glyph} {word}"), style),
    ];
    if let Some(reason) = &r.paused_reason {
        status_spans.push(Span::styled(format!(" ({reason})"), style));
    }
    let version = r
        .agent_version
        .map(|v| format!(" v{v}"))
        .unwrap_or_default();
    let next = if r.paused {
        Span::styled("– (paused: scheduled fires are held)", theme.dim)
    } else if let Some(e) = &r.cron_error {
        Span::styled(format!("cannot read the schedule: {e}"), theme.event_error)
    } else if r.next.is_empty() {
        Span::styled("–", theme.dim)
    } else {
        Span::styled(
            format!(
                "{}  ({})",
                fires_line(&r.next),
                until(state.now, r.next_run())
            ),
            theme.text,
        )
    };
    let last = match r.runs.first() {
        Some(run) => {
            let (what, s) = match &run.outcome {
                RunOutcome::Session(id) => (format!("✔ {id}"), theme.state_idle),
                RunOutcome::Error(e) => (format!("✖ {e}"), theme.event_error),
            };
            vec![
                label("last run"),
                Span::styled(format!("{} ago · ", ago(state.now, run.at)), theme.text),
                Span::styled(what, s),
            ]
        }
        None => vec![label("last run"), Span::styled("never", theme.dim)],
    };
    vec![
        Line::from(vec![label("id"), Span::styled(r.id.clone(), theme.text)]),
        Line::from(vec![
            label("agent"),
            Span::styled(format!("{}{version}", r.agent_id), theme.text),
            Span::styled("  env ", theme.dim),
            Span::styled(r.environment_id.clone(), theme.text),
        ]),
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
        Line::from(vec![label("next"), next]),
        Line::from(last),
        Line::from(vec![
            label("message"),
            Span::styled(
                if r.first_message.is_empty() {
                    "–".to_string()
                } else {
                    r.first_message.clone()
                },
                theme.text,
            ),
        ]),
    ]
}

/// The confirmation or the form, over the view.
pub fn overlays(state: &State, theme: &Theme, frame: &mut Frame) {
    if state.view != View::Deployments {
        return;
    }
    let d = &state.deployments;
    if let Some(f) = &d.form {
        draw_form(f, theme, frame);
    }
    if let Some(c) = &d.confirm {
        draw_confirm(c, theme, frame);
    }
}

fn draw_confirm(c: &DeployConfirm, theme: &Theme, frame: &mut Frame) {
    let verb = c.action.verb();
    let mut verb_cap = verb.to_string();
    if let Some(first) = verb_cap.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    let lines = vec![
        Line::styled(
            format!("{verb_cap} deployment {}?", c.name),
            theme.attention,
        ),
        Line::styled(format!("  {}", c.id), theme.dim),
        Line::styled(format!("  {}", c.action.explain()), theme.text),
        Line::from(vec![
            Span::styled(" y ", theme.footer_key),
            Span::styled(" yes   ", theme.text),
            Span::styled(" n ", theme.footer_key),
            Span::styled(" no ", theme.text),
        ]),
    ];
    let area = centered(frame.area(), 76, lines.len() as u16 + 2);
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(boxed(theme, " Confirm ")), area);
}

fn draw_form(f: &DeploymentForm, theme: &Theme, frame: &mut Frame) {
    let errors = f
        .error
        .as_ref()
        .map_or(0, |e| text::wrap(&format!("✖ {e}"), 82).len() as u16);
    // Six labels, two pick lists, three one-line fields, the message, the border.
    let picks = |n: usize| n.clamp(1, PICK_ROWS) as u16;
    let h = 6 + picks(f.agents.len()) + picks(f.environments.len()) + 3 + 6 + 2 + errors;
    let area = centered(frame.area(), 84, h);
    let title = if f.editing.is_some() {
        " Edit deployment "
    } else {
        " New deployment "
    };
    let hint = if f.saving {
        " saving… "
    } else {
        " tab next field · j/k pick · ctrl-s save · esc cancel "
    };
    let block = boxed(theme, title).title_bottom(Line::styled(hint, theme.dim));
    let inner = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let bottom = inner.y + inner.height;
    let mut y = inner.y;
    let put = |frame: &mut Frame, line: Line<'static>, y: &mut u16| {
        if *y < bottom {
            frame.render_widget(Paragraph::new(line), Rect::new(inner.x, *y, inner.width, 1));
            *y += 1;
        }
    };
    if let Some(e) = &f.error {
        // The API's validation message, where the person is looking.
        for part in text::wrap(&format!("✖ {e}"), width.max(1)) {
            put(frame, Line::styled(part, theme.event_error), &mut y);
        }
    }
    for field in FormField::ALL {
        let focused = f.field == field;
        let style = if focused {
            theme.attention
        } else {
            theme.column_header
        };
        let marker = if focused { "▸ " } else { "  " };
        put(
            frame,
            Line::styled(format!("{marker}{}", field.label()), style),
            &mut y,
        );
        match field {
            FormField::Agent | FormField::Environment => {
                for line in pick_rows(f, field, theme, width) {
                    put(frame, line, &mut y);
                }
            }
            _ => {
                let (editor, h) = match field {
                    FormField::Name => (&f.name, 1),
                    FormField::Cron => (&f.cron, 1),
                    FormField::Timezone => (&f.timezone, 1),
                    _ => (&f.message, 6),
                };
                let h = (h as u16).min(bottom.saturating_sub(y));
                if h > 0 {
                    let r = Rect::new(inner.x + 2, y, inner.width.saturating_sub(2), h);
                    frame.render_widget(editor.area(), r);
                    y += h;
                }
            }
        }
    }
}

/// A few rows of the agent or environment list around its cursor.
fn pick_rows(
    f: &DeploymentForm,
    field: FormField,
    theme: &Theme,
    width: usize,
) -> Vec<Line<'static>> {
    let (items, nav) = if field == FormField::Agent {
        (&f.agents, &f.agent)
    } else {
        (&f.environments, &f.environment)
    };
    if items.is_empty() {
        let why = match &f.choices_error {
            Some(e) => format!("    ✖ {e}"),
            None => "    loading…".to_string(),
        };
        return vec![Line::styled(text::fit(&why, width), theme.dim)];
    }
    let start = nav.cursor.saturating_sub(PICK_ROWS - 1);
    items
        .iter()
        .enumerate()
        .skip(start)
        .take(PICK_ROWS)
        .map(|(i, (id, name))| {
            let mark = if i == nav.cursor { "(•)" } else { "( )" };
            let label = format!(
                "    {mark} {}  {}",
                text::one_line(name),
                text::one_line(id)
            );
            let mut line = Line::styled(text::fit(&label, width), theme.text);
            if i == nav.cursor && f.field == field {
                select_line(&mut line, theme.selection);
            }
            line
        })
        .collect()
}
