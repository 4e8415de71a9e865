//! Where each pane goes for a given terminal size. Pure, so `update` can use the same numbers
//! for paging and scrolling that `draw` uses.

use ratatui::layout::Rect;

use crate::app::state::{MIN_HEIGHT, MIN_WIDTH};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub sessions: Rect,
    pub events: Rect,
    /// Only when there is room for it.
    pub inspector: Option<Rect>,
    /// The `:`/`/` input or a toast (one row above the footer).
    pub message: Rect,
    pub footer: Rect,
}

/// Columns from which the panes go side by side (below it they stack).
pub const SIDE_BY_SIDE: u16 = 110;

pub fn too_small(width: u16, height: u16) -> bool {
    width < MIN_WIDTH || height < MIN_HEIGHT
}

/// `message` is whether the message row is in use (else the body takes it).
pub fn areas(width: u16, height: u16, message: bool) -> Areas {
    let header = Rect::new(0, 0, width, 2.min(height));
    let footer_y = height.saturating_sub(1);
    let footer = Rect::new(0, footer_y, width, 1);
    let message_rows = u16::from(message);
    let message = Rect::new(
        0,
        footer_y.saturating_sub(message_rows),
        width,
        message_rows,
    );
    let body_y = header.height;
    let body_h = height.saturating_sub(body_y + 1 + message_rows);
    let (sessions, right) = if width >= SIDE_BY_SIDE {
        // The list grows on wide terminals so AGENT and MODEL get room.
        let left_w = (width * 46 / 100).clamp(50, 140);
        (
            Rect::new(0, body_y, left_w, body_h),
            Rect::new(left_w, body_y, width - left_w, body_h),
        )
    } else {
        let top_h = (body_h * 2 / 5).max(5).min(body_h);
        (
            Rect::new(0, body_y, width, top_h),
            Rect::new(0, body_y + top_h, width, body_h - top_h),
        )
    };
    let (events, inspector) = if width >= SIDE_BY_SIDE && right.height >= 24 {
        let insp_h = right.height * 2 / 5;
        (
            Rect::new(right.x, right.y, right.width, right.height - insp_h),
            Some(Rect::new(
                right.x,
                right.y + right.height - insp_h,
                right.width,
                insp_h,
            )),
        )
    } else {
        (right, None)
    };
    Areas {
        header,
        sessions,
        events,
        inspector,
        message,
        footer,
    }
}

/// The whole right side (event stream and inspector together), for a resource view's detail.
pub fn detail(a: &Areas) -> Rect {
    match a.inspector {
        Some(i) => a.events.union(i),
        None => a.events,
    }
}

/// Rows of content inside a bordered pane.
pub fn inner_rows(r: Rect) -> usize {
    usize::from(r.height.saturating_sub(2))
}

/// Rows of the session table (border + column header).
pub fn session_rows(r: Rect) -> usize {
    usize::from(r.height.saturating_sub(3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panes_tile_the_screen() {
        for (w, h) in [(80, 24), (120, 40), (200, 60), (60, 16)] {
            let a = areas(w, h, true);
            assert_eq!(
                a.header.height
                    + a.sessions.height
                    + a.message.height
                    + a.footer.height
                    + if w >= SIDE_BY_SIDE {
                        0
                    } else {
                        a.events.height
                    },
                h,
                "{w}x{h}"
            );
            assert_eq!(a.footer.y, h - 1);
        }
        assert!(areas(200, 60, false).inspector.is_some());
        assert!(areas(80, 24, false).inspector.is_none());
    }

    #[test]
    fn session_list_grows_on_wide_terminals() {
        assert_eq!(areas(120, 40, false).sessions.width, 55);
        assert_eq!(areas(200, 60, false).sessions.width, 92);
        assert_eq!(areas(260, 60, false).sessions.width, 119);
        assert_eq!(areas(400, 60, false).sessions.width, 140);
    }
}
