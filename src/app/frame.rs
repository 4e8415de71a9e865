//! Work done once per frame before drawing (never per event).

use crate::app::panes::*;
use crate::app::state::State;
use crate::model::event_view;
use crate::text;

/// Work done once per frame, before drawing (never per event): refresh the inspector's
/// pretty JSON when the selected event changed.
pub fn prepare_frame(state: &mut State) {
    let index = selected_event_index(state);
    if index == state.inspector.index {
        return;
    }
    let found = index.and_then(|i| {
        let w = state.watched.as_ref()?;
        let (shown, _) = w.shown(&state.stream.filter);
        let e = shown.get(i)?;
        // A tool use and its result belong together: show the other half below.
        let pair = shown
            .tool_pair(i)
            .and_then(|p| shown.get(p))
            .map(|p| (p.type_name.to_string(), p.raw.to_string()));
        Some((e.type_name.to_string(), e.raw.to_string(), pair))
    });
    state.inspector = match found {
        Some((ty, raw, pair)) => {
            // What a person reads first (block text, tool input), then the JSON itself.
            let mut lines: Vec<String> = event_view::readable_body(&raw)
                .map(|b| b.lines().map(String::from).collect())
                .unwrap_or_default();
            let body_lines = lines.len();
            if body_lines > 0 {
                lines.push(String::new());
                lines.push("── JSON ──".to_string());
            }
            let body_lines = if body_lines > 0 { body_lines + 2 } else { 0 };
            lines.extend(pretty_head(&raw).lines().map(String::from));
            if let Some((pair_ty, pair_raw)) = pair {
                lines.push(String::new());
                lines.push(format!("── ↔ {} ──", text::one_line(&pair_ty)));
                lines.extend(pretty_head(&pair_raw).lines().map(String::from));
            }
            crate::app::state::InspectorCache {
                index,
                title: text::one_line(&ty),
                lines,
                body_lines,
                raw,
            }
        }
        None => Default::default(),
    };
}

/// Pretty JSON of at most the first 512 KiB (the whole event is one ctrl-s away).
pub(crate) fn pretty_head(raw: &str) -> String {
    let mut cut = raw.len().min(512 * 1024);
    while !raw.is_char_boundary(cut) {
        cut -= 1;
    }
    text::json_pretty(&raw[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixtures::demo_state;
    use crate::app::update::testing::*;

    #[test]
    fn inspector_shows_the_tool_result_with_its_use() {
        let mut s = demo_state(120, 40);
        s.focus = Pane::Events;
        // ev_09 (edit) failed: its result is ev_10.
        while selected_event_index(&s)
            .and_then(|i| {
                s.watched
                    .as_ref()?
                    .transcript
                    .get(i)
                    .map(|e| e.id != "ev_09")
            })
            .unwrap_or(false)
        {
            key(&mut s, KeyCode::Up);
        }
        prepare_frame(&mut s);
        assert_eq!(s.inspector.title, "agent.tool_use");
        let pos = s
            .inspector
            .lines
            .iter()
            .position(|l| l == "── ↔ agent.tool_result ──");
        let pos = pos.expect("paired result shown");
        assert!(
            s.inspector.lines[pos..]
                .iter()
                .any(|l| l.contains("edit failed: old text not found"))
        );
    }
}
