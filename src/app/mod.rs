//! The Elm loop: State, Msg, update, Cmd runner, keymap. Owner: tui helper.

pub mod keymap;
