//! Whole frames as text for insta snapshots: the text grid, then per row the runs of styles,
//! so a colour regression shows up too.

use overseer::app::App;
use overseer::app::state::State;
use overseer::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier, Style};

fn style_code(s: Style) -> String {
    let c = |c: Option<Color>| match c {
        None | Some(Color::Reset) => "-".to_string(),
        Some(Color::Rgb(r, g, b)) => format!("#{r:02x}{g:02x}{b:02x}"),
        Some(Color::Indexed(i)) => format!("{i}"),
        Some(other) => format!("{other:?}"),
    };
    let mut m = String::new();
    for (flag, ch) in [
        (Modifier::BOLD, 'b'),
        (Modifier::DIM, 'd'),
        (Modifier::ITALIC, 'i'),
        (Modifier::UNDERLINED, 'u'),
        (Modifier::REVERSED, 'r'),
    ] {
        if s.add_modifier.contains(flag) {
            m.push(ch);
        }
    }
    format!(
        "{}/{}{}{}",
        c(s.fg),
        c(s.bg),
        if m.is_empty() { "" } else { "/" },
        m
    )
}

/// Text grid, then style runs per row.
pub fn render(buf: &Buffer) -> String {
    let area = buf.area;
    let mut text = String::new();
    let mut styles = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        let mut runs: Vec<(u16, u16, String)> = Vec::new();
        let mut skip = 0;
        for x in 0..area.width {
            let cell = &buf[(x, y)];
            if skip > 0 {
                skip -= 1;
            } else {
                let sym = cell.symbol();
                line.push_str(sym);
                skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            }
            let code = style_code(cell.style());
            match runs.last_mut() {
                Some((_, end, c)) if *c == code => *end = x + 1,
                _ => runs.push((x, x + 1, code)),
            }
        }
        text.push_str(line.trim_end());
        text.push('\n');
        let runs: Vec<String> = runs
            .into_iter()
            .filter(|(_, _, c)| c != "-/-")
            .map(|(a, b, c)| format!("{a}-{b}:{c}"))
            .collect();
        if !runs.is_empty() {
            styles.push_str(&format!("{y:>2} {}\n", runs.join(" ")));
        }
    }
    format!("{text}--- styles ---\n{styles}")
}

/// Draw `state` once (at its `size`, no client) and render the frame.
pub fn frame(state: State, theme: &Theme) -> String {
    let (w, h) = state.size;
    let mut app = App::new(state, None);
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    app.draw(&mut term, theme).expect("draw");
    render(term.backend().buffer())
}
