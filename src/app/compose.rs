//! A compose overlay's state: a titled form of one or more [`Editor`] fields (the last one
//! multi-line), what it is for, and the drafts kept when a send fails or the overlay is
//! closed, so nothing typed is lost. Drawn by `ui/compose.rs`; reusable by any flow that needs
//! a person to write something (message, outcome, deny reason, answer, memory edit).

use std::collections::HashMap;

use ratatui::style::{Modifier, Style};

use crate::app::editor::Editor;

/// What the written text is for (also the key its draft is kept under, with the session).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComposeKind {
    /// `m`: a `user.message` to the session.
    Message,
    /// `O`: a `user.define_outcome` (description, rubric, max iterations).
    Outcome,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub label: &'static str,
    pub editor: Editor,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Compose {
    pub kind: ComposeKind,
    pub session_id: String,
    pub title: String,
    pub hint: &'static str,
    pub fields: Vec<Field>,
    /// The field keys go to.
    pub focus: usize,
}

impl Compose {
    pub fn message(session_id: &str, title: &str) -> Compose {
        Compose {
            kind: ComposeKind::Message,
            session_id: session_id.to_string(),
            title: format!("Message to {title}"),
            hint: "^s / M-⏎ send · esc keeps a draft",
            fields: vec![Field {
                label: "message",
                editor: Editor::multi_line(""),
            }],
            focus: 0,
        }
        .focused_first()
    }

    pub fn outcome(session_id: &str, title: &str) -> Compose {
        Compose {
            kind: ComposeKind::Outcome,
            session_id: session_id.to_string(),
            title: format!("Outcome for {title}"),
            hint: "tab next field · ^s send · esc keeps a draft",
            fields: vec![
                Field {
                    label: "description",
                    editor: Editor::single_line(""),
                },
                Field {
                    label: "max iterations (empty: server default)",
                    editor: Editor::single_line(""),
                },
                Field {
                    label: "rubric",
                    editor: Editor::multi_line(""),
                },
            ],
            focus: 0,
        }
        .focused_first()
    }

    /// The text of the field labelled `label` (empty when there is none).
    pub fn field(&self, label: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.label.starts_with(label))
            .map(|f| f.editor.text())
            .unwrap_or_default()
    }

    pub fn focused(&mut self) -> Option<&mut Editor> {
        self.fields.get_mut(self.focus).map(|f| &mut f.editor)
    }

    pub fn next_field(&mut self) {
        self.focus = (self.focus + 1) % self.fields.len().max(1);
        self.show_focus();
    }

    /// Only the focused field shows a cursor; no field underlines its cursor line.
    fn show_focus(&mut self) {
        for (i, f) in self.fields.iter_mut().enumerate() {
            let area = f.editor.area_mut();
            area.set_cursor_line_style(Style::default());
            area.set_cursor_style(if i == self.focus {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
            });
        }
    }

    fn focused_first(mut self) -> Compose {
        self.show_focus();
        self
    }
}

/// Unsent compose overlays by (session, kind): reopening shows what was typed.
pub type Drafts = HashMap<(String, ComposeKind), Compose>;
