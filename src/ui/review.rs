//! `:review`: the changes of a dream on the left (kind glyph, path, state), the selected
//! change's unified diff on the right (word-level highlights), or for a conflict the reviewed,
//! live and proposed versions stacked. Plus the review's overlays: the question (y/n), the
//! edit-then-accept editor and the start-dream form.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::app::review_view::{DreamForm, FormField, Loading, ReviewConfirm, ReviewView};
use crate::app::state::State;
use crate::model::review::{Change, ChangeKind, ChangeState, Diff, Entry, LineTag};
use crate::text;
use crate::theme::Theme;
use crate::ui::overlays::{boxed, centered};
use crate::ui::{pane, select_line};

/// Most lines of one version drawn in a conflict section.
const SECTION_MAX: usize = 400;

pub fn kind_glyph(theme: &Theme, k: ChangeKind) -> (&'static str, Style) {
    match k {
        ChangeKind::Added => ("+", theme.diff_added),
        ChangeKind::Modified => ("~", theme.event_status),
        ChangeKind::Deleted => ("-", theme.diff_removed),
        ChangeKind::Renamed => ("→", theme.event_tool),
    }
}

fn state_style(theme: &Theme, s: Option<ChangeState>) -> Style {
    match s {
        None => theme.dim,
        Some(ChangeState::Pending) => theme.attention,
        Some(ChangeState::Accepted) => theme.state_running,
        Some(ChangeState::Rejected) => theme.state_terminated,
        Some(ChangeState::Applied) => theme.state_idle,
        Some(ChangeState::Conflict) => theme.state_errored,
    }
}

fn path_of(c: &Change) -> String {
    match &c.old_path {
        Some(old) => format!("{} → {}", text::one_line(old), text::one_line(&c.path)),
        None => text::one_line(&c.path),
    }
}

pub fn draw(state: &State, theme: &Theme, frame: &mut Frame, list: Rect, detail: Rect) {
    let r = &state.review;
    draw_list(state, theme, frame, list);
    let title = match r.queue.as_ref().and_then(|q| q.changes.get(r.list.cursor)) {
        Some(c) => format!(" {} ", text::truncate(&path_of(c), 60)),
        None => " Diff ".to_string(),
    };
    let block = pane(theme, Line::styled(title, theme.title), false);
    let inner = block.inner(detail);
    frame.render_widget(block, detail);
    let width = usize::from(inner.width);
    let lines: Vec<Line> = detail_lines(state, theme, width)
        .into_iter()
        .skip(r.diff.cursor)
        .take(usize::from(inner.height))
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
    overlays(state, theme, frame);
}

fn draw_list(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let r = &state.review;
    let dream = r.dream_id.as_deref().unwrap_or("newest completed dream");
    let mut title = vec![
        Span::styled(" Review ", theme.title),
        Span::styled(
            format!("{} ", text::truncate(&text::one_line(dream), 40)),
            theme.dim,
        ),
    ];
    if let Some((done, total)) = r.applying {
        title.push(Span::styled(
            format!("applying {done}/{total}… "),
            theme.attention,
        ));
    }
    let block = pane(theme, Line::from(title), r.edit.is_none());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let mut lines: Vec<Line> = Vec::new();
    match (&r.loading, &r.queue) {
        (Loading::Computing, _) => lines.push(Line::styled(
            "computing the changes of this dream…",
            theme.dim,
        )),
        (Loading::Failed(e), _) => lines.push(Line::styled(
            format!(
                "✖ {}",
                text::truncate(&text::one_line(e), width.saturating_sub(2))
            ),
            theme.event_error,
        )),
        (_, Some(q)) if q.changes.is_empty() => lines.push(Line::styled(
            "this dream changed nothing: its output store equals its input store",
            theme.dim,
        )),
        (_, Some(q)) => {
            let rows = usize::from(inner.height);
            let offset = r.list.offset.min(q.changes.len().saturating_sub(1));
            for (i, c) in q.changes.iter().enumerate().skip(offset).take(rows) {
                let (glyph, gstyle) = kind_glyph(theme, c.kind);
                let (label, st) = r.state_label(i);
                let state_w = 10;
                let path_w = width.saturating_sub(3 + state_w + 1);
                let mut line = Line::from(vec![
                    Span::styled(format!(" {glyph} "), gstyle),
                    Span::styled(text::fit(&path_of(c), path_w), theme.text),
                    Span::styled(
                        format!(" {}", text::fit(label, state_w)),
                        state_style(theme, st),
                    ),
                ]);
                if i == r.list.cursor {
                    select_line(&mut line, theme.selection);
                }
                lines.push(line);
            }
        }
        _ => {}
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The right pane's lines for the selected change (also counted for scrolling).
pub fn detail_lines(state: &State, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let r = &state.review;
    let Some(q) = &r.queue else {
        return Vec::new();
    };
    let i = r.list.cursor;
    let (Some(c), Some(e)) = (q.changes.get(i), q.entries.get(i)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let (glyph, gstyle) = kind_glyph(theme, c.kind);
    out.push(Line::from(vec![
        Span::styled(format!("{glyph} {} ", c.kind.as_str()), gstyle),
        Span::styled(path_of(c), theme.text),
    ]));
    if e.state == ChangeState::Conflict {
        conflict_lines(theme, c, e, width, &mut out);
        return out;
    }
    let diff_owned;
    let diff = match &e.edited {
        Some(edited) => {
            out.push(Line::styled(
                "edited: your text is what gets written (diff against the reviewed version)",
                theme.attention,
            ));
            let old = c
                .reviewed
                .as_ref()
                .and_then(|s| s.content.as_deref())
                .unwrap_or("");
            diff_owned = Diff::between(old, edited);
            &diff_owned
        }
        None => &c.diff,
    };
    if diff.is_empty() {
        out.push(Line::styled(
            match c.kind {
                ChangeKind::Renamed => "renamed; the content is unchanged",
                _ => "no content difference",
            },
            theme.dim,
        ));
    }
    diff_lines(theme, diff, &mut out);
    out
}

fn diff_lines(theme: &Theme, diff: &Diff, out: &mut Vec<Line<'static>>) {
    for h in &diff.hunks {
        out.push(Line::styled(text::one_line(&h.header), theme.diff_hunk));
        for l in &h.lines {
            let (prefix, base, word) = match l.tag {
                LineTag::Context => (" ", theme.text, theme.text),
                LineTag::Removed => ("-", theme.diff_removed, theme.diff_removed_word),
                LineTag::Added => ("+", theme.diff_added, theme.diff_added_word),
            };
            let mut spans = vec![Span::styled(prefix, base)];
            for s in &l.spans {
                let style = if s.emphasized { word } else { base };
                // Keep the spaces around changed words (one_line would trim them).
                spans.push(Span::styled(
                    text::sanitize(&s.text).replace('\n', " "),
                    style,
                ));
            }
            out.push(Line::from(spans));
        }
    }
}

/// Reviewed, live and proposed, stacked: the reviewer decides again (y writes over the live
/// version shown here, n leaves it).
fn conflict_lines(
    theme: &Theme,
    c: &Change,
    e: &Entry,
    width: usize,
    out: &mut Vec<Line<'static>>,
) {
    out.push(Line::styled(
        format!(
            "✖ conflict: {}",
            text::one_line(
                e.conflict_message
                    .as_deref()
                    .unwrap_or("the live memory changed")
            )
        ),
        theme.event_error,
    ));
    out.push(Line::styled(
        "y writes the proposal over the live version below · n keeps the live version",
        theme.dim,
    ));
    let reviewed = c.reviewed.as_ref().and_then(|s| s.content.as_deref());
    let live = e.live.as_ref().and_then(|l| l.content.as_deref());
    let proposed = e
        .edited
        .as_deref()
        .or_else(|| c.proposed.as_ref().and_then(|s| s.content.as_deref()));
    for (name, body, missing) in [
        (
            "reviewed (what you accepted against)",
            reviewed,
            "(no memory)",
        ),
        (
            "live (in the store now)",
            live,
            "(gone: no memory at this path)",
        ),
        ("proposed (what would be written)", proposed, "(deleted)"),
    ] {
        let rule = width.saturating_sub(text::width(name) + 4);
        out.push(Line::styled(
            format!("── {name} {}", "─".repeat(rule)),
            theme.diff_hunk,
        ));
        match body {
            Some(b) => {
                for l in b.lines().take(SECTION_MAX) {
                    out.push(Line::styled(
                        text::sanitize(l).replace('\n', " "),
                        theme.text,
                    ));
                }
            }
            None => out.push(Line::styled(missing, theme.dim)),
        }
    }
}

fn overlays(state: &State, theme: &Theme, frame: &mut Frame) {
    let r = &state.review;
    if let Some(edit) = &r.edit {
        let area = centered(frame.area(), frame.area().width.saturating_sub(8), 24);
        let title = format!(
            " Edit then accept: {} ",
            text::truncate(&text::one_line(&edit.path), 50)
        );
        let block = boxed(theme, "")
            .title(Span::styled(title, theme.title))
            .title_bottom(Line::styled(
                " ctrl-s accept the edited text · esc cancel ",
                theme.dim,
            ));
        let inner = block.inner(area);
        frame.render_widget(Clear, area);
        frame.render_widget(block, area);
        frame.render_widget(edit.editor.area(), inner);
    }
}

/// The question of the review or the dreams view, over whatever is drawn.
pub fn draw_confirm(state: &State, theme: &Theme, frame: &mut Frame) {
    let Some(c) = &state.review.confirm else {
        return;
    };
    let mut lines = question_lines(&state.review, c, theme);
    lines.push(Line::from(vec![
        Span::styled(" y ", theme.footer_key),
        Span::styled(" yes   ", theme.text),
        Span::styled(" n ", theme.footer_key),
        Span::styled(" no ", theme.text),
    ]));
    let h = lines.len() as u16 + 2;
    let area = centered(frame.area(), 84, h);
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(boxed(theme, " Confirm ")), area);
}

fn question_lines(r: &ReviewView, c: &ReviewConfirm, theme: &Theme) -> Vec<Line<'static>> {
    let dream = text::one_line(r.dream_id.as_deref().unwrap_or(""));
    match c {
        ReviewConfirm::All { accept, pending } => vec![Line::styled(
            format!(
                "{} all {pending} pending change(s) of {dream}?",
                if *accept { "Accept" } else { "Reject" }
            ),
            theme.attention,
        )],
        ReviewConfirm::Apply(n) => vec![
            Line::styled(
                format!(
                    "Apply {} accepted change(s) to store {}?",
                    n.total(),
                    text::one_line(&r.input_store)
                ),
                theme.attention,
            ),
            Line::styled(
                format!(
                    "  {} to update, {} to create, {} to delete, {} to rename",
                    n.update, n.create, n.delete, n.rename
                ),
                theme.text,
            ),
            Line::styled(
                "  Each write checks the live memory first; a changed one becomes a conflict.",
                theme.dim,
            ),
        ],
        ReviewConfirm::ArchiveOutput { store_id } => vec![
            Line::styled(
                format!("Every change of {dream} is applied or rejected."),
                theme.attention,
            ),
            Line::styled(
                format!(
                    "Archive its output store {}? (cannot be undone)",
                    text::one_line(store_id)
                ),
                theme.text,
            ),
        ],
        ReviewConfirm::CancelDream { dream_id } => vec![Line::styled(
            format!("Cancel dream {}?", text::one_line(dream_id)),
            theme.attention,
        )],
        ReviewConfirm::ArchiveDream { dream_id } => vec![Line::styled(
            format!(
                "Archive dream {}? (cannot be undone)",
                text::one_line(dream_id)
            ),
            theme.attention,
        )],
    }
}

/// The start-dream form (`c` in `:dreams`).
pub fn draw_form(state: &State, theme: &Theme, frame: &mut Frame) {
    let Some(f) = &state.review.form else {
        return;
    };
    let area = centered(frame.area(), 84, 30);
    let block = boxed(theme, " Start a dream ").title_bottom(Line::styled(
        " tab next field · space pick · ctrl-s start · esc cancel ",
        theme.dim,
    ));
    let inner = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let mut y = inner.y;
    let bottom = inner.y + inner.height;
    let put = |frame: &mut Frame, line: Line<'static>, y: &mut u16| {
        if *y < bottom {
            frame.render_widget(Paragraph::new(line), Rect::new(inner.x, *y, inner.width, 1));
            *y += 1;
        }
    };
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
            FormField::Store => {
                for line in list_rows(f, theme, width, true) {
                    put(frame, line, &mut y);
                }
            }
            FormField::Sessions => {
                for line in list_rows(f, theme, width, false) {
                    put(frame, line, &mut y);
                }
            }
            FormField::Instructions | FormField::Model => {
                let editor = if field == FormField::Model {
                    &f.model
                } else {
                    &f.instructions
                };
                let h: u16 = if field == FormField::Model { 1 } else { 5 };
                let h = h.min(bottom.saturating_sub(y));
                if h > 0 {
                    let r = Rect::new(inner.x + 2, y, inner.width.saturating_sub(2), h);
                    frame.render_widget(editor.area(), r);
                    y += h;
                }
            }
        }
    }
}

/// Five rows of the store list (`stores`) or the session list, around its cursor.
fn list_rows(f: &DreamForm, theme: &Theme, width: usize, stores: bool) -> Vec<Line<'static>> {
    const ROWS: usize = 5;
    let (items, nav) = if stores {
        (&f.stores, &f.store)
    } else {
        (&f.sessions, &f.session_nav)
    };
    if items.is_empty() {
        return vec![Line::styled(
            if stores {
                "    loading memory stores…"
            } else {
                "    no sessions"
            },
            theme.dim,
        )];
    }
    let start = nav.cursor.saturating_sub(ROWS - 1);
    items
        .iter()
        .enumerate()
        .skip(start)
        .take(ROWS)
        .map(|(i, (id, name))| {
            let mark = if stores {
                if i == nav.cursor { "(•)" } else { "( )" }
            } else if f.picked.get(i).copied().unwrap_or(false) {
                "[x]"
            } else {
                "[ ]"
            };
            let label = format!(
                "    {mark} {}  {}",
                text::one_line(name),
                text::one_line(id)
            );
            let mut line = Line::styled(text::fit(&label, width), theme.text);
            if i == nav.cursor {
                select_line(&mut line, theme.selection);
            }
            line
        })
        .collect()
}
