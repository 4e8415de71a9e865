//! The one text editor of the app: `ratatui-textarea` behind a small type, so the `:` line,
//! the filters and every multi-line editor (deny message, custom tool answer, message to a
//! session, memory edit) share keys, paste handling and sanitising.
//!
//! Keys are decided here, not in the widget: Enter submits a one-line editor and inserts a
//! newline in a multi-line one (where Ctrl-S or Ctrl-Enter submit), Esc cancels, and the rest
//! goes to the text area (arrows, Home/End, Ctrl-U, Ctrl-W, Ctrl-Z undo, …). The keymap table
//! lists the same keys under the `Input` context for the footer and `?` help.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::{CursorMove, TextArea};

use crate::text;

/// What a key did to the editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The text changed (callers may react live, e.g. a filter).
    Changed,
    /// The cursor moved or nothing visible changed.
    Moved,
    /// Submit the text (Enter on one line; Ctrl-S / Ctrl-Enter / Alt-Enter on many).
    Submit,
    /// Close without using the text.
    Cancel,
}

/// Most text one editor holds; a paste beyond it is cut (the editor must stay responsive).
pub const MAX_EDITOR_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Editor {
    area: TextArea<'static>,
    multi_line: bool,
}

impl PartialEq for Editor {
    fn eq(&self, other: &Self) -> bool {
        self.multi_line == other.multi_line
            && self.area.lines() == other.area.lines()
            && self.area.cursor() == other.area.cursor()
    }
}

impl Editor {
    /// A one-line prompt (`:`, `/`): Enter submits, newlines in pastes become spaces.
    pub fn single_line(initial: &str) -> Editor {
        let mut e = Editor {
            area: TextArea::new(vec![text::one_line(initial)]),
            multi_line: false,
        };
        e.area.move_cursor(CursorMove::End);
        e
    }

    /// A multi-line editor, with `initial` text (sanitised) and the cursor at its end.
    pub fn multi_line(initial: &str) -> Editor {
        let clean = text::sanitize(initial);
        let lines: Vec<String> = if clean.is_empty() {
            vec![String::new()]
        } else {
            clean.split('\n').map(str::to_owned).collect()
        };
        let mut area = TextArea::new(lines);
        area.move_cursor(CursorMove::Bottom);
        area.move_cursor(CursorMove::End);
        Editor {
            area,
            multi_line: true,
        }
    }

    pub fn is_multi_line(&self) -> bool {
        self.multi_line
    }

    /// The text as typed: lines joined with `\n`.
    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    pub fn is_empty(&self) -> bool {
        self.area.is_empty()
    }

    /// Replace everything (e.g. Tab completion); the cursor goes to the end.
    pub fn set_text(&mut self, new: &str) {
        *self = if self.multi_line {
            Editor::multi_line(new)
        } else {
            Editor::single_line(new)
        };
    }

    /// Insert pasted text at the cursor, sanitised (one line for prompts), within the cap.
    pub fn paste(&mut self, pasted: &str) -> Edit {
        let clean = if self.multi_line {
            text::sanitize(pasted)
        } else {
            text::one_line(pasted)
        };
        let room = MAX_EDITOR_BYTES.saturating_sub(self.len_bytes());
        let mut cut = clean.len().min(room);
        while !clean.is_char_boundary(cut) {
            cut -= 1;
        }
        if cut == 0 {
            return Edit::Moved;
        }
        self.area.insert_str(&clean[..cut]);
        Edit::Changed
    }

    fn len_bytes(&self) -> usize {
        self.area.lines().iter().map(|l| l.len() + 1).sum()
    }

    /// Apply one key.
    pub fn key(&mut self, key: KeyEvent) -> Edit {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        match key.code {
            KeyCode::Esc => return Edit::Cancel,
            KeyCode::Char('c') if ctrl => return Edit::Cancel,
            KeyCode::Enter if !self.multi_line => return Edit::Submit,
            KeyCode::Enter if ctrl || alt => return Edit::Submit,
            KeyCode::Char('s') if ctrl && self.multi_line => return Edit::Submit,
            KeyCode::Char('m') if ctrl && !self.multi_line => return Edit::Submit,
            KeyCode::Tab if !self.multi_line => return Edit::Moved,
            // Readline habits, not the widget's: Ctrl-U clears to the start of the line,
            // Ctrl-Z undoes (the widget has Ctrl-U as undo).
            KeyCode::Char('u') if ctrl => {
                let changed = self.area.delete_line_by_head();
                return if changed { Edit::Changed } else { Edit::Moved };
            }
            KeyCode::Char('z') if ctrl => {
                let changed = self.area.undo();
                return if changed { Edit::Changed } else { Edit::Moved };
            }
            KeyCode::Char(_) if !ctrl && !alt && self.len_bytes() >= MAX_EDITOR_BYTES => {
                return Edit::Moved;
            }
            _ => {}
        }
        let before = self.area.lines().to_vec();
        self.area.input(key);
        if self.area.lines() != before.as_slice() {
            Edit::Changed
        } else {
            Edit::Moved
        }
    }

    /// The widget for drawing (the caller sets the block and styles through `area_mut`).
    pub fn area(&self) -> &TextArea<'static> {
        &self.area
    }

    pub fn area_mut(&mut self) -> &mut TextArea<'static> {
        &mut self.area
    }

    /// (row, column) of the cursor in the text, in characters.
    pub fn cursor(&self) -> (usize, usize) {
        let c = self.area.cursor();
        (c.0, c.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }
    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    fn typed(e: &mut Editor, s: &str) {
        for c in s.chars() {
            assert_eq!(e.key(k(KeyCode::Char(c))), Edit::Changed);
        }
    }

    #[test]
    fn single_line_types_edits_and_submits() {
        let mut e = Editor::single_line("");
        typed(&mut e, "sesion");
        e.key(k(KeyCode::Left));
        e.key(k(KeyCode::Left));
        e.key(k(KeyCode::Left));
        typed(&mut e, "s");
        assert_eq!(e.text(), "session");
        assert_eq!(e.key(k(KeyCode::Enter)), Edit::Submit);
        assert_eq!(e.key(k(KeyCode::Esc)), Edit::Cancel);
        assert_eq!(e.key(ctrl('u')), Edit::Changed);
        assert_eq!(e.text(), "ion", "Ctrl-U clears up to the cursor");
        e.key(k(KeyCode::End));
        assert_eq!(e.key(ctrl('u')), Edit::Changed);
        assert_eq!(e.text(), "");
        assert_eq!(e.key(ctrl('z')), Edit::Changed);
        assert_eq!(e.text(), "ion");
        assert_eq!(e.key(ctrl('m')), Edit::Submit);
    }

    #[test]
    fn multi_line_enter_is_a_newline_and_ctrl_s_submits() {
        let mut e = Editor::multi_line("first");
        assert_eq!(e.key(k(KeyCode::Enter)), Edit::Changed);
        typed(&mut e, "second");
        assert_eq!(e.text(), "first\nsecond");
        assert_eq!(e.key(ctrl('s')), Edit::Submit);
        assert_eq!(
            e.key(KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT)),
            Edit::Submit
        );
    }

    #[test]
    fn paste_is_sanitised_and_one_line_in_prompts() {
        let mut e = Editor::single_line("a");
        e.paste("b\nc\x1b[31md\u{202e}");
        assert_eq!(e.text(), "ab cd");
        let mut m = Editor::multi_line("");
        m.paste("x\ny\x07");
        assert_eq!(m.text(), "x\ny");
    }

    #[test]
    fn set_text_puts_the_cursor_at_the_end() {
        let mut e = Editor::single_line("");
        e.set_text(":dreams");
        assert_eq!(e.cursor(), (0, 7));
        typed(&mut e, "!");
        assert_eq!(e.text(), ":dreams!");
    }

    #[test]
    fn pastes_stop_at_the_cap() {
        let mut e = Editor::multi_line("");
        e.paste(&"x".repeat(MAX_EDITOR_BYTES * 2));
        assert!(e.text().len() <= MAX_EDITOR_BYTES);
        assert!(e.text().len() > MAX_EDITOR_BYTES / 2);
    }
}
