//! The event stream of the watched session: one row per event (visible rows only), live
//! typing previews at the bottom, follow/paused marker, search highlights.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::api::feed::ConnState;
use crate::app::state::{Pane, State};
use crate::model::event_view::{Tone, summarize};
use crate::text;
use crate::theme::Theme;
use crate::ui::{highlight, layout, pane, select_line};

pub fn tone_style(theme: &Theme, tone: Tone) -> Style {
    match tone {
        Tone::User => theme.event_user,
        Tone::Agent => theme.event_agent,
        Tone::Thinking => theme.event_thinking,
        Tone::Tool => theme.event_tool,
        Tone::ToolResult => theme.event_tool_result,
        Tone::Error => theme.event_error,
        Tone::Status => theme.event_status,
        Tone::Span => theme.event_span,
        Tone::Thread => theme.event_thread,
        Tone::Other => theme.event_other,
        Tone::Gap => theme.event_gap,
    }
}

fn conn_span<'a>(theme: &Theme, c: &ConnState) -> Span<'a> {
    match c {
        ConnState::Connecting => Span::styled("◌ connecting ", theme.conn_retrying),
        ConnState::Live => Span::styled("● live ", theme.conn_ok),
        ConnState::Retrying { attempt, .. } => {
            Span::styled(format!("↻ reconnecting {attempt} "), theme.conn_retrying)
        }
        ConnState::Down { .. } => Span::styled("✖ down ", theme.conn_down),
    }
}

/// The title with the session name (slot 1) given the room the other parts leave, cut so
/// that one space stays before the pane's corner.
fn fit_title<'a>(mut spans: Vec<Span<'a>>, name: String, theme: &Theme, pane_w: usize) -> Line<'a> {
    // Two corners, and the space before the right one.
    let room = pane_w.saturating_sub(3);
    let others: usize = spans.iter().map(|s| text::width(&s.content)).sum();
    let name_w = room.saturating_sub(others + 1);
    if name_w > 0 && spans.len() > 1 {
        spans[1] = Span::styled(format!("{} ", text::truncate(&name, name_w)), theme.text);
    }
    let mut used = 0;
    let mut out = Vec::with_capacity(spans.len() + 1);
    for span in spans {
        let w = text::width(&span.content);
        if used + w <= room {
            used += w;
            out.push(span);
            continue;
        }
        let left = room - used;
        if left > 1 {
            out.push(Span::styled(
                text::truncate(span.content.trim_end(), left),
                span.style,
            ));
        }
        out.push(Span::raw(" "));
        break;
    }
    Line::from(out)
}

pub fn draw(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let focused = state.focus == Pane::Events && state.overlay.is_none();
    let Some(w) = &state.watched else {
        let block = pane(theme, Line::styled(" Events ", theme.title), focused);
        frame.render_widget(
            Paragraph::new(Line::styled(" select a session and press enter", theme.dim))
                .block(block),
            area,
        );
        return;
    };
    let sv = &state.stream;
    let (shown, shown_filter) = w.shown(&sv.filter);
    let len = shown.count(&shown_filter);
    let name = state
        .sessions
        .get(&w.session_id)
        .map(|e| e.summary.title.clone())
        .unwrap_or_else(|| text::one_line(&w.session_id));
    let mut title = vec![
        Span::styled(" Events ", theme.title),
        // The name gets what the other parts leave (set below).
        Span::raw(""),
        conn_span(theme, &w.conn),
        Span::styled(format!("· {} ", text::compact_count(len as u64)), theme.dim),
    ];
    if !w.history_loaded && w.conn != ConnState::Connecting {
        title.push(Span::styled("· loading history ", theme.dim));
    }
    if !sv.filter.classes.is_empty() {
        title.push(Span::styled(
            format!("· {} ", sv.kind_label()),
            theme.attention,
        ));
    }
    if let Some(t) = &sv.filter.thread {
        let label = if t.is_empty() {
            "primary".to_string()
        } else {
            w.threads
                .iter()
                .find(|(id, _)| id == t)
                .map(|(_, n)| n.clone())
                .unwrap_or_else(|| text::one_line(t))
        };
        title.push(Span::styled(
            format!("· ⑂ {} ", text::truncate(&label, 16)),
            theme.event_thread,
        ));
    }
    if let Some(q) = &sv.search {
        title.push(Span::styled(
            match sv.search_hits {
                Some((at, total)) => format!(
                    "· /{} {at}/{total} ",
                    text::truncate(&text::one_line(q), 16)
                ),
                None => format!("· /{} ", text::truncate(&text::one_line(q), 16)),
            },
            theme.search_match,
        ));
    }
    let title = fit_title(title, name, theme, usize::from(area.width));
    let status: Line = if sv.follow {
        Line::from(Span::styled(" ⇣ following ", theme.dim))
    } else {
        let new = len.saturating_sub(sv.paused_at_count);
        Line::from(Span::styled(
            format!(" ⏸ paused · {new} new · End to follow "),
            theme.event_paused,
        ))
    };
    let mut flags = Vec::new();
    if sv.wrap {
        flags.push("wrap");
    }
    if !sv.timestamps {
        flags.push("no times");
    }
    let block = pane(theme, title, focused)
        .title_bottom(status.right_aligned())
        .title_bottom(Line::styled(
            if flags.is_empty() {
                String::new()
            } else {
                format!(" {} ", flags.join(" · "))
            },
            theme.dim,
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let height = usize::from(inner.height);
    let width = usize::from(inner.width);
    if height == 0 || width == 0 {
        return;
    }

    // Previews take the bottom lines while following.
    let previews: Vec<Line> = if sv.follow {
        w.previews
            .iter()
            .rev()
            .take(height / 3)
            .rev()
            .map(|p| {
                let body = text::one_line(&p.text);
                let tail = text::width(&body).saturating_sub(width.saturating_sub(14));
                let shown: String = if tail > 0 {
                    // Show the end of what is being typed.
                    let mut s = String::from("…");
                    let mut skip = tail + 1;
                    for ch in body.chars() {
                        let cw = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
                        if skip > 0 {
                            skip = skip.saturating_sub(cw);
                            continue;
                        }
                        s.push(ch);
                    }
                    s
                } else {
                    body
                };
                let label = if p.kind.contains("thinking") {
                    "thinking"
                } else {
                    "typing"
                };
                Line::from(vec![
                    Span::styled(format!("✎ {label}… "), theme.event_preview),
                    Span::styled(shown, theme.event_preview),
                ])
            })
            .collect()
    } else {
        Vec::new()
    };
    let rows_h = height - previews.len();
    let page = layout::inner_rows(area).min(rows_h).max(1);
    let offset = if sv.follow {
        len.saturating_sub(page)
    } else {
        sv.nav.offset.min(len.saturating_sub(1))
    };
    // Wrapped rows take several lines, so the window of rows reaches past the cursor by up to
    // a page: the start is then moved until the selection's lines fit (see below).
    let cursor = sv.nav.cursor.min(len.saturating_sub(1));
    let (fetch_from, fetch_to) = if sv.wrap && !sv.follow {
        let from = offset.min(cursor);
        (from, (cursor + page).min(len).max(from))
    } else {
        (offset, (offset + page).min(len))
    };
    let visible = shown.rows(&shown_filter, fetch_from..fetch_to);

    let time_w = if sv.timestamps { 9 } else { 0 };
    let kind_w = if width >= 100 {
        18
    } else {
        14usize.min(width / 4)
    };
    let text_w = width.saturating_sub(time_w + 2 + kind_w + 1).max(1);
    let query = sv.search.as_deref();
    // Lines of each fetched row (one row can wrap to several lines).
    let mut row_lines: Vec<Vec<Line>> = Vec::with_capacity(visible.len());
    for (i, e) in visible.iter().enumerate() {
        let row = fetch_from + i;
        let s = summarize(e.raw);
        let style = tone_style(theme, s.tone);
        // Cross-posted subagent events carry their thread; thread rows say so already.
        let thread_tag = match &s.thread {
            Some(_) if s.tone != Tone::Thread => "⑂",
            _ => "",
        };
        let body = if sv.wrap {
            s.text.clone()
        } else {
            text::truncate(&s.text, text_w)
        };
        let chunks = if sv.wrap {
            text::wrap(&body, text_w)
        } else {
            vec![body]
        };
        let mut out = Vec::with_capacity(chunks.len());
        for (k, chunk) in chunks.into_iter().enumerate() {
            let mut spans = Vec::new();
            if k == 0 {
                if sv.timestamps {
                    spans.push(Span::styled(format!("{:<8} ", s.time), theme.event_time));
                }
                spans.push(Span::styled(format!("{} ", s.glyph), style));
                let kind = format!("{thread_tag}{}", s.kind);
                spans.push(Span::styled(text::fit(&kind, kind_w), style));
                spans.push(Span::raw(" "));
            } else {
                spans.push(Span::raw(" ".repeat(time_w + 2 + kind_w + 1)));
            }
            let text_style = if s.tone == Tone::Gap {
                style
            } else if s.tone == Tone::Error {
                theme.event_error
            } else {
                theme.text
            };
            spans.extend(highlight(chunk, text_style, query, theme.search_match));
            let mut line = Line::from(spans);
            if row == sv.nav.cursor && !sv.follow || (sv.follow && row + 1 == len && focused) {
                select_line(&mut line, theme.selection);
                let used: usize = line.spans.iter().map(|s| text::width(&s.content)).sum();
                if used < width {
                    line.spans
                        .push(Span::styled(" ".repeat(width - used), theme.selection));
                }
            }
            out.push(line);
        }
        row_lines.push(out);
    }
    let mut first = 0;
    if sv.wrap && !sv.follow && !row_lines.is_empty() {
        // Scroll down just far enough that every line of the selected row is on screen (a
        // selection taller than the pane shows its beginning).
        let sel = cursor.saturating_sub(fetch_from).min(row_lines.len() - 1);
        let mut used: usize = row_lines[first..=sel].iter().map(Vec::len).sum();
        while used > rows_h && first < sel {
            used -= row_lines[first].len();
            first += 1;
        }
    }
    let mut lines: Vec<Line> = row_lines.into_iter().skip(first).flatten().collect();
    if sv.wrap && sv.follow && lines.len() > rows_h {
        // Following shows the end.
        let cut = lines.len() - rows_h;
        lines.drain(..cut);
    }
    if len == 0 {
        let loaded = match &w.thread_feed {
            Some(t) if !std::ptr::eq(shown, &w.transcript) => t.history_loaded,
            _ => w.history_loaded,
        };
        let msg = if loaded {
            "no events match"
        } else {
            "waiting for events…"
        };
        lines.push(Line::styled(format!(" {msg}"), theme.dim));
    }
    lines.truncate(rows_h);
    while lines.len() < rows_h && !previews.is_empty() {
        lines.push(Line::raw(""));
    }
    lines.extend(previews);
    frame.render_widget(Paragraph::new(lines), inner);
}
