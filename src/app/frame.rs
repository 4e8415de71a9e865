//! Work done once per frame before drawing (never per event).

use crate::app::panes::*;
use crate::app::state::State;
use crate::app::state::{InspectorCache, Overlay};
use crate::model::event_view;
use crate::model::json_tree::{JsonTree, VALUE_CAP};
use crate::model::outcome::Outcome;
use crate::model::toolcall::Call;
use crate::text;

/// Work done once per frame, before drawing (never per event): rebuild the inspector's view
/// when the selected event changed. Building is once per selection and bounded (see
/// `model::json_tree`): a 50 MB event costs one scan, and only capped rows are kept.
pub fn prepare_frame(state: &mut State) {
    let index = selected_event_index(state);
    if index == state.inspector.index {
        return;
    }
    let built = index.and_then(|i| {
        let w = state.watched.as_ref()?;
        let (shown, filter) = w.shown(&state.stream.filter);
        // A sub-agent's own feed: its events do not carry their thread, the view knows it.
        let feed_thread = (!std::ptr::eq(shown, &w.transcript))
            .then(|| {
                filter
                    .thread
                    .clone()
                    .or_else(|| state.stream.filter.thread.clone())
            })
            .flatten()
            .filter(|t| !t.is_empty());
        let e = shown.get(i)?;
        let title = text::one_line(e.type_name);
        if let Some(mut call) = Call::of(shown, i) {
            if call.thread.is_none() {
                call.thread = feed_thread;
            }
            let input = std::mem::take(&mut call.input);
            let output = std::mem::take(&mut call.output);
            let raw = std::mem::take(&mut call.selected);
            let title = format!("{} · {}", text::one_line(&call.name), call.status.label());
            let tabs = vec![("Input", input), ("Output", output), ("Raw", raw)];
            // A call opens on its output when it has one (what went wrong is usually there).
            let tab = usize::from(call.result_index.is_some());
            return Some(InspectorCache {
                index,
                title,
                call: Some(call),
                tabs,
                tab,
                ..Default::default()
            });
        }
        let raw = JsonTree::build(e.raw);
        if let Some(mut outcome) = Outcome::of(shown, i) {
            let title = format!("outcome · {}", text::one_line(outcome.result()));
            let rubric = std::mem::take(&mut outcome.rubric);
            let tabs = vec![
                ("Evaluations", outcome.evaluations_tree()),
                ("Rubric", rubric),
                ("Raw", raw),
            ];
            return Some(InspectorCache {
                index,
                title,
                outcome: Some(outcome),
                tabs,
                ..Default::default()
            });
        }
        let mut tabs = Vec::new();
        // What a person reads first (block text), then the JSON itself.
        if e.raw.len() <= VALUE_CAP
            && let Some(body) = event_view::readable_body(e.raw)
        {
            tabs.push(("Text", JsonTree::text(&body)));
        }
        tabs.push(("Raw", raw));
        Some(InspectorCache {
            index,
            title,
            tabs,
            ..Default::default()
        })
    });
    let search = state.inspector.search.take();
    let typing = state.inspector.typing.take();
    state.inspector = built.unwrap_or_default();
    state.inspector.index = index;
    state.inspector.search = search;
    state.inspector.typing = typing;
    if let Some(Overlay::Event { nav }) = &mut state.overlay {
        *nav = Default::default();
    }
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
        let insp = &s.inspector;
        assert_eq!(insp.title, "edit · error");
        let labels: Vec<&str> = insp.tabs.iter().map(|(l, _)| *l).collect();
        assert_eq!(labels, ["Input", "Output", "Raw"]);
        assert_eq!(insp.tab, 1);
        let out = &insp.tabs[1].1;
        assert!(
            out.rows
                .iter()
                .any(|r| r.text.contains("edit failed: old text not found"))
        );
    }
}
