//! One navigation model for every list, table and scroll pane: a cursor and the first visible
//! row, moved by a [`Motion`] given the row count and the page height. Pure (no UI).
//!
//! Scroll panes (help, inspector, memory content) use the cursor as their first shown line and
//! pass as `len` the number of positions they may scroll to.

use std::ops::Range;

/// A movement asked for by a key, the wheel or a click.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Motion {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// A row by index (a click); clamped like every other motion.
    To(usize),
}

/// Cursor and first visible row of a pane.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Nav {
    pub cursor: usize,
    pub offset: usize,
}

impl Nav {
    /// Move the cursor by `motion` within `len` rows and keep it on a page of `page` rows.
    pub fn apply(&mut self, motion: Motion, len: usize, page: usize) {
        let page = page.max(1);
        let last = len.saturating_sub(1);
        self.cursor = match motion {
            Motion::Up => self.cursor.saturating_sub(1),
            Motion::Down => self.cursor.saturating_add(1),
            Motion::PageUp => self.cursor.saturating_sub(page),
            Motion::PageDown => self.cursor.saturating_add(page),
            Motion::Top => 0,
            Motion::Bottom => last,
            Motion::To(i) => i,
        }
        .min(last);
        self.clamp(len, page);
    }

    /// Keep the cursor inside `len` rows and on the page, and the page inside the rows.
    pub fn clamp(&mut self, len: usize, page: usize) {
        let page = page.max(1);
        self.cursor = self.cursor.min(len.saturating_sub(1));
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + page {
            self.offset = self.cursor + 1 - page;
        }
        self.offset = self.offset.min(len.saturating_sub(page));
    }

    /// The last row selected and the last page shown (a following stream).
    pub fn to_end(&mut self, len: usize, page: usize) {
        self.cursor = len.saturating_sub(1);
        self.offset = len.saturating_sub(page.max(1));
    }

    /// Rows on screen.
    pub fn visible(&self, len: usize, page: usize) -> Range<usize> {
        let start = self.offset.min(len);
        start..(start + page).min(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(cursor: usize, offset: usize) -> Nav {
        Nav { cursor, offset }
    }

    #[test]
    fn an_empty_list_keeps_everything_at_zero() {
        for m in [
            Motion::Up,
            Motion::Down,
            Motion::PageUp,
            Motion::PageDown,
            Motion::Top,
            Motion::Bottom,
            Motion::To(7),
        ] {
            let mut n = at(3, 2);
            n.apply(m, 0, 5);
            assert_eq!(n, at(0, 0), "{m:?}");
        }
    }

    #[test]
    fn a_list_shorter_than_a_page_never_scrolls() {
        let mut n = Nav::default();
        n.apply(Motion::PageDown, 3, 10);
        assert_eq!(n, at(2, 0));
        n.apply(Motion::Down, 3, 10);
        assert_eq!(n, at(2, 0));
        n.apply(Motion::PageUp, 3, 10);
        assert_eq!(n, at(0, 0));
    }

    #[test]
    fn moving_past_the_last_row_stays_on_it_with_the_last_page() {
        let mut n = Nav::default();
        n.apply(Motion::Bottom, 10, 3);
        assert_eq!(n, at(9, 7));
        n.apply(Motion::Down, 10, 3);
        assert_eq!(n, at(9, 7));
        n.apply(Motion::To(99), 10, 3);
        assert_eq!(n, at(9, 7));
        n.apply(Motion::Top, 10, 3);
        assert_eq!(n, at(0, 0));
    }

    #[test]
    fn page_motions_move_a_page_and_scroll_only_as_needed() {
        let mut n = Nav::default();
        n.apply(Motion::PageDown, 10, 3);
        assert_eq!(n, at(3, 1));
        n.apply(Motion::PageDown, 10, 3);
        assert_eq!(n, at(6, 4));
        n.apply(Motion::Up, 10, 3);
        assert_eq!(n, at(5, 4));
        n.apply(Motion::PageUp, 10, 3);
        assert_eq!(n, at(2, 2));
        n.apply(Motion::PageUp, 10, 3);
        assert_eq!(n, at(0, 0));
    }

    #[test]
    fn shrinking_the_list_pulls_cursor_and_page_back() {
        let mut n = at(9, 7);
        n.clamp(5, 3);
        assert_eq!(n, at(4, 2));
        n.to_end(20, 4);
        assert_eq!(n, at(19, 16));
        assert_eq!(n.visible(20, 4), 16..20);
        assert_eq!(at(0, 0).visible(2, 4), 0..2);
    }
}
