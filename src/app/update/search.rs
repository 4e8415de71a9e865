//! Stream search in bounded steps (a huge transcript never blocks a key).

use crate::app::msg::{Cmd, Msg, MsgBox};
use crate::app::panes::*;
use crate::app::state::State;
use crate::model::nav::Motion;

/// Rows a search examines before yielding to the loop.
pub(crate) const SEARCH_STEP_ROWS: usize = 50_000;

pub(crate) fn contains_ci(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if n.is_empty() {
        return true;
    }
    if n.len() > h.len() {
        return false;
    }
    let first = n[0].to_ascii_lowercase();
    (0..=h.len() - n.len())
        .any(|i| h[i].to_ascii_lowercase() == first && h[i..i + n.len()].eq_ignore_ascii_case(n))
}

pub(crate) fn search_step(
    state: &mut State,
    query: String,
    from: usize,
    forward: bool,
    scanned: usize,
    cmds: &mut Vec<Cmd>,
) {
    if state.stream.search.as_deref() != Some(query.as_str()) {
        return; // superseded
    }
    let Some(w) = &state.watched else {
        return;
    };
    let (shown, filter) = w.shown(&state.stream.filter);
    let len = shown.count(&filter);
    let (mut from, mut scanned) = (from.min(len.saturating_sub(1)), scanned);
    // One step examines at most SEARCH_STEP_ROWS rows, wrapping around the end within the step
    // (a small transcript answers "no match" at once).
    let mut budget = SEARCH_STEP_ROWS;
    while scanned < len && budget > 0 {
        let take = budget.min(len - scanned);
        let range = if forward {
            from..(from + take).min(len)
        } else {
            (from + 1).saturating_sub(take)..from + 1
        };
        let rows = shown.rows(&filter, range.clone());
        let hit = if forward {
            rows.iter().position(|r| contains_ci(r.raw, &query))
        } else {
            rows.iter().rposition(|r| contains_ci(r.raw, &query))
        };
        if let Some(p) = hit {
            move_stream(state, Motion::To(range.start + p));
            state.stream.search_hits = match_counter(state, &query);
            state.dirty = true;
            return;
        }
        let n = range.len().max(1);
        scanned += n;
        budget = budget.saturating_sub(n);
        from = if forward {
            if range.end >= len { 0 } else { range.end }
        } else if range.start == 0 {
            len - 1
        } else {
            range.start - 1
        };
    }
    if scanned >= len {
        state.stream.search_hits = Some((0, 0));
        state.show_toast(&format!("no match for {query:?}"), true);
        return;
    }
    cmds.push(Cmd::Defer(Box::new(MsgBox(Msg::SearchStep {
        query,
        from,
        forward,
        scanned,
    }))));
}

/// `(which match the cursor is on, how many)` for the pane title; `None` when the view is too
/// long to count in one step.
pub(crate) fn match_counter(state: &State, query: &str) -> Option<(usize, usize)> {
    let w = state.watched.as_ref()?;
    let (shown, filter) = w.shown(&state.stream.filter);
    let len = shown.count(&filter);
    if len > SEARCH_STEP_ROWS {
        return None;
    }
    let cursor = state.stream.nav.cursor;
    let (mut at, mut total) = (0, 0);
    for (i, r) in shown.rows(&filter, 0..len).iter().enumerate() {
        if contains_ci(r.raw, query) {
            total += 1;
            if i <= cursor {
                at = total;
            }
        }
    }
    Some((at, total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixtures::demo_state;
    use crate::app::update::testing::*;

    #[test]
    fn search_moves_to_matches_in_bounded_steps() {
        let mut s = demo_state(120, 40);
        s.focus = Pane::Events;
        key(&mut s, KeyCode::Home);
        key(&mut s, KeyCode::Char('/'));
        for c in "git push".chars() {
            key(&mut s, KeyCode::Char(c));
        }
        key(&mut s, KeyCode::Enter);
        let idx = selected_event_index(&s).unwrap();
        let w = s.watched.as_ref().unwrap();
        assert_eq!(w.transcript.get(idx).unwrap().id, "tu_2");
        // No further match: wraps around through deferred steps, then says so.
        let mut cmds = key(&mut s, KeyCode::Char('n'));
        let mut guard = 0;
        while let Some(Cmd::Defer(m)) = cmds.pop() {
            cmds = update(&mut s, m.0);
            guard += 1;
            assert!(guard < 10);
        }
        assert_eq!(selected_event_index(&s), Some(idx));
    }

    #[test]
    fn search_says_no_match_at_once_counts_matches_and_stays_with_its_session() {
        let mut s = demo_state(120, 40);
        s.focus = Pane::Events;
        let type_search = |s: &mut State, q: &str| {
            key(s, KeyCode::Char('/'));
            for c in q.chars() {
                key(s, KeyCode::Char(c));
            }
        };
        type_search(&mut s, "zzz-nowhere");
        // Matches are highlighted while typing.
        assert_eq!(s.stream.search.as_deref(), Some("zzz-nowhere"));
        let cmds = key(&mut s, KeyCode::Enter);
        assert!(cmds.is_empty(), "{cmds:?}");
        assert_eq!(
            s.toast.as_ref().unwrap().text,
            "no match for \"zzz-nowhere\""
        );
        assert_eq!(s.stream.search_hits, Some((0, 0)));
        // A counter: which match of how many.
        key(&mut s, KeyCode::Home);
        type_search(&mut s, "agent.tool_result");
        let (shown, filter) = s.watched.as_ref().unwrap().shown(&s.stream.filter);
        let total = shown
            .rows(&filter, 0..shown.count(&filter))
            .iter()
            .filter(|r| r.raw.contains("agent.tool_result"))
            .count();
        assert!(total >= 2);
        key(&mut s, KeyCode::Enter);
        assert_eq!(s.stream.search_hits, Some((1, total)));
        key(&mut s, KeyCode::Char('n'));
        assert_eq!(s.stream.search_hits, Some((2, total)));
        // Another session starts without the query.
        let other = s.sessions.view_get(1).unwrap().summary.id.clone();
        let mut cmds = Vec::new();
        watch(&mut s, other, &mut cmds);
        assert_eq!(s.stream.search, None);
        assert_eq!(s.stream.search_hits, None);
    }
}
