//! A small column table for the resource views: fixed columns that drop out (lowest priority
//! first) when the pane is narrow, one flexible column that takes the rest, and only the
//! visible rows drawn.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::app::state::Fetch;
use crate::text;
use crate::theme::Theme;
use crate::ui::select_line;

#[derive(Clone, Copy)]
pub struct Col {
    pub header: &'static str,
    /// Cells; 0 = the flexible column (at most one).
    pub width: usize,
    pub right: bool,
    /// Higher survives longer when space is short; the flexible column always stays.
    pub priority: u8,
}

impl Col {
    pub const fn new(header: &'static str, width: usize, priority: u8) -> Col {
        Col {
            header,
            width,
            right: false,
            priority,
        }
    }
    pub const fn right(mut self) -> Col {
        self.right = true;
        self
    }
}

/// The flexible column (names, paths) keeps at least this many cells while others drop out.
const FLEX_MIN: usize = 18;

/// Pad or cut sanitized text to `w` cells.
pub fn pad(s: &str, w: usize, right: bool) -> String {
    let cut = text::truncate(s, w);
    let fill = " ".repeat(w.saturating_sub(text::width(&cut)));
    if right {
        format!("{fill}{cut}")
    } else {
        format!("{cut}{fill}")
    }
}

/// "5m" for a time in the past, "–" when unknown.
pub fn ago(now: i64, t: Option<i64>) -> String {
    t.map(|t| text::compact_age((now - t).max(0) as u64))
        .unwrap_or_else(|| "–".into())
}

/// "in 5m" for a time in the future ("due" once it passed).
pub fn until(now: i64, t: Option<i64>) -> String {
    match t {
        Some(t) if t > now => format!("in {}", text::compact_age((t - now) as u64)),
        Some(_) => "due".into(),
        None => "–".into(),
    }
}

/// Widths of the columns that fit in `width` cells after a `lead`-cell prefix (None = hidden).
pub fn layout(cols: &[Col], width: usize, lead: usize) -> Vec<Option<usize>> {
    let mut shown: Vec<bool> = vec![true; cols.len()];
    let need = |shown: &[bool]| -> usize {
        cols.iter()
            .zip(shown)
            .filter(|(_, s)| **s)
            .map(|(c, _)| if c.width == 0 { FLEX_MIN } else { c.width } + 1)
            .sum::<usize>()
            + lead
    };
    while need(&shown) > width {
        let drop = cols
            .iter()
            .enumerate()
            .filter(|(i, c)| shown[*i] && c.width != 0)
            .min_by_key(|(i, c)| (c.priority, usize::MAX - i))
            .map(|(i, _)| i);
        match drop {
            Some(i) => shown[i] = false,
            None => break,
        }
    }
    let fixed: usize = cols
        .iter()
        .zip(&shown)
        .filter(|(c, s)| **s && c.width != 0)
        .map(|(c, _)| c.width + 1)
        .sum();
    let flex = width.saturating_sub(fixed + lead + 1).max(1);
    cols.iter()
        .zip(&shown)
        .map(|(c, s)| s.then_some(if c.width == 0 { flex } else { c.width }))
        .collect()
}

pub fn header_line<'a>(
    cols: &[Col],
    widths: &[Option<usize>],
    lead: usize,
    theme: &Theme,
) -> Line<'a> {
    let mut spans = vec![Span::styled(" ".repeat(lead), theme.column_header)];
    let mut first = true;
    for (c, w) in cols.iter().zip(widths) {
        let Some(w) = w else { continue };
        if !first {
            spans.push(Span::styled(" ", theme.column_header));
        }
        first = false;
        spans.push(Span::styled(
            pad(c.header, *w, c.right),
            theme.column_header,
        ));
    }
    Line::from(spans)
}

/// One row: `lead` spans (glyphs), then the cells of the shown columns.
pub fn row_line<'a>(
    lead: Vec<Span<'a>>,
    cols: &[Col],
    widths: &[Option<usize>],
    cells: Vec<(String, Style)>,
    selected: bool,
    width: usize,
    theme: &Theme,
) -> Line<'a> {
    let mut spans = lead;
    let mut first = true;
    for ((c, w), (cell, style)) in cols.iter().zip(widths).zip(cells) {
        let Some(w) = w else { continue };
        if !first {
            spans.push(Span::raw(" "));
        }
        first = false;
        spans.push(Span::styled(pad(&cell, *w, c.right), style));
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
    line
}

/// The line shown instead of rows while loading, after an error, or when empty.
pub fn status_line<'a>(fetch: &Fetch, empty: &str, theme: &Theme) -> Option<Line<'a>> {
    if let Some(e) = &fetch.error {
        return Some(Line::styled(
            format!("  ✖ failed, retrying (^r: now) · {e}"),
            theme.event_error,
        ));
    }
    if fetch.loading {
        return Some(Line::styled("  ⋯ loading…", theme.dim));
    }
    (!empty.is_empty()).then(|| Line::styled(format!("  {empty}"), theme.dim))
}
