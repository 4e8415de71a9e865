//! Drawing only: draw(&State, &Theme, &mut Frame). Owner: tui helper.
