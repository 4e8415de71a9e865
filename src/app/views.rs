//! The resource views (`:memory`, `:dreams`, `:deployments`): their part of `update` (the
//! memory browser itself is `app::update::memory`). Data arrives from the runner's view poll as [`ViewData`]; keys only move cursors
//! and ask for the next level, never wait for the network.

use crate::app::keymap::Action;
use crate::app::msg::{Cmd, ViewData, ViewLoad};
use crate::app::panes::{clamp_list, detail_page, list_page, motion};
use crate::app::state::{Pane, State, View};
use crate::app::update::memory;
use crate::model::resources::{DeploymentRow, DreamRow, resolve_store_names};
use crate::model::sessions::DerivedState;

/// What the open view fetches now (None outside the resource views).
pub fn current_load(state: &State) -> Option<ViewLoad> {
    match state.view {
        View::Memory => Some(memory::current_load()),
        View::Dreams => Some(ViewLoad::Dreams),
        View::Deployments => Some(ViewLoad::Deployments),
        _ => None,
    }
}

/// (Re)start the fetch for what the view shows now.
pub fn load(state: &mut State, cmds: &mut Vec<Cmd>) {
    if state.view == View::Memory {
        memory::reload(state, cmds);
        return;
    }
    let Some(l) = current_load(state) else {
        return;
    };
    let has_data = match &l {
        ViewLoad::MemoryStores => !state.memory.stores.is_empty(),
        ViewLoad::Dreams => !state.dreams.dreams.is_empty(),
        ViewLoad::Deployments => !state.deployments.deployments.is_empty(),
    };
    let fetch = match state.view {
        View::Memory => &mut state.memory.fetch,
        View::Dreams => &mut state.dreams.fetch,
        _ => &mut state.deployments.fetch,
    };
    fetch.loading = !has_data;
    cmds.push(Cmd::LoadView(l));
}

pub fn on_action(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    match state.view {
        View::Memory if memory::leaves_view(state, action) => set_view(state, View::Sessions, cmds),
        View::Memory => memory::on_action(state, action, cmds),
        View::Dreams => dreams_action(state, action, cmds),
        View::Deployments => deployments_action(state, action, cmds),
        _ => {}
    }
}

fn dreams_action(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    let page = list_page(state);
    let dpage = detail_page(state);
    let d = &mut state.dreams;
    match action {
        Action::Open => {
            if !d.dreams.is_empty() {
                d.detail = true;
            }
        }
        Action::Back if d.detail => d.detail = false,
        Action::Back => close_to_sessions(state, cmds),
        a if d.detail => {
            let len = d.dreams.get(d.nav.cursor).map_or(0, |r| r.json.len());
            if let Some(to) = motion(a) {
                d.scroll.apply(to, len, dpage);
            }
        }
        a => {
            if let Some(to) = motion(a) {
                d.nav.apply(to, d.dreams.len(), page);
                d.scroll = Default::default();
            }
        }
    }
}

/// Rows of the runs table in the detail pane (below the deployment's summary lines).
pub const DEPLOYMENT_SUMMARY_ROWS: usize = 5;

fn deployments_action(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    let page = list_page(state);
    let rpage = detail_page(state)
        .saturating_sub(DEPLOYMENT_SUMMARY_ROWS)
        .max(1);
    let d = &mut state.deployments;
    match action {
        Action::Open => {
            if d.deployments
                .get(d.nav.cursor)
                .is_some_and(|r| !r.runs.is_empty())
            {
                d.detail = true;
            }
        }
        Action::Back if d.detail => d.detail = false,
        Action::Back => close_to_sessions(state, cmds),
        a if d.detail => {
            let len = d.deployments.get(d.nav.cursor).map_or(0, |r| r.runs.len());
            if let Some(to) = motion(a) {
                d.runs_nav.apply(to, len, rpage);
            }
        }
        a => {
            if let Some(to) = motion(a) {
                d.nav.apply(to, d.deployments.len(), page);
                d.runs_nav = Default::default();
            }
        }
    }
}

fn close_to_sessions(state: &mut State, cmds: &mut Vec<Cmd>) {
    set_view(state, View::Sessions, cmds);
}

/// Switch screens: a resource view starts fetching, leaving one stops its poll; the needs
/// view is the session list filtered to the sessions waiting for a person.
pub fn set_view(state: &mut State, view: View, cmds: &mut Vec<Cmd>) {
    let was = state.view;
    state.view = view;
    if view.is_resource() {
        // The session list keeps its filter and cursor underneath.
        load(state, cmds);
        return;
    }
    if was.is_resource() {
        cmds.push(Cmd::StopView);
    }
    let only: Option<&[DerivedState]> = match view {
        View::Needs => Some(&[DerivedState::NeedsApproval, DerivedState::NeedsInput]),
        _ => None,
    };
    state.sessions.set_state_filter(only);
    if !was.is_resource() {
        state.list.cursor = 0;
    }
    clamp_list(state);
    if matches!(view, View::Sessions | View::Needs) {
        state.focus = Pane::Sessions;
    }
}

/// Keep every cursor on its page after the terminal changed size.
pub fn clamp(state: &mut State) {
    let page = list_page(state);
    let rpage = detail_page(state)
        .saturating_sub(DEPLOYMENT_SUMMARY_ROWS)
        .max(1);
    memory::clamp(state);
    let d = &mut state.dreams;
    d.nav.clamp(d.dreams.len(), page);
    let p = &mut state.deployments;
    p.nav.clamp(p.deployments.len(), page);
    let runs = p.deployments.get(p.nav.cursor).map_or(0, |r| r.runs.len());
    p.runs_nav.clamp(runs, rpage);
}

pub fn on_loaded(state: &mut State, data: ViewData) {
    let page = list_page(state);
    match data {
        ViewData::MemoryStores(stores) => memory::on_stores(state, &stores),
        ViewData::Dreams(dreams) => {
            let d = &mut state.dreams;
            let selected = d.dreams.get(d.nav.cursor).map(|r| r.id.clone());
            d.dreams = dreams.iter().map(DreamRow::from_api).collect();
            resolve_store_names(&mut d.dreams, &state.memory.stores);
            if let Some(pos) = selected.and_then(|id| d.dreams.iter().position(|r| r.id == id)) {
                d.nav.cursor = pos;
            }
            d.nav.clamp(d.dreams.len(), page);
            let len = d.dreams.get(d.nav.cursor).map_or(0, |r| r.json.len());
            d.scroll.clamp(len, 1);
            d.fetch = Default::default();
        }
        ViewData::Deployments(list) => {
            let d = &mut state.deployments;
            let selected = d.deployments.get(d.nav.cursor).map(|r| r.id.clone());
            d.deployments = list
                .iter()
                .map(|(dep, runs)| DeploymentRow::from_api(dep, runs))
                .collect();
            if let Some(pos) = selected.and_then(|id| d.deployments.iter().position(|r| r.id == id))
            {
                d.nav.cursor = pos;
            }
            d.nav.clamp(d.deployments.len(), page);
            let runs = d.deployments.get(d.nav.cursor).map_or(0, |r| r.runs.len());
            d.runs_nav.clamp(runs, usize::MAX / 2);
            if runs == 0 {
                d.detail = false;
            }
            d.fetch = Default::default();
        }
    }
    state.dirty = true;
}

/// Whether a failure report is about what the view shows now (and so worth a toast).
pub fn on_failed(state: &mut State, load: &ViewLoad, error: &str) -> bool {
    if current_load(state).as_ref() != Some(load) {
        return false;
    }
    let fetch = match state.view {
        View::Memory => &mut state.memory.fetch,
        View::Dreams => &mut state.dreams.fetch,
        _ => &mut state.deployments.fetch,
    };
    let first = fetch.error.is_none();
    fetch.loading = false;
    fetch.error = Some(crate::text::one_line(error));
    state.dirty = true;
    // One toast per failure episode; the pane keeps showing the last error.
    if first {
        state.show_toast(&format!("{}: {error}", load.label()), true);
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixtures::{self, demo_state, resource_state};
    use crate::app::msg::Msg;
    use crate::app::update::update;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn key(state: &mut State, code: KeyCode) -> Vec<Cmd> {
        update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
    }
    fn command(state: &mut State, word: &str) -> Vec<Cmd> {
        key(state, KeyCode::Char(':'));
        for c in word.chars() {
            key(state, KeyCode::Char(c));
        }
        key(state, KeyCode::Enter)
    }
    #[test]
    fn opening_a_view_fetches_it_and_leaving_stops_the_poll() {
        let mut s = demo_state(120, 40);
        assert_eq!(
            command(&mut s, "memory"),
            vec![Cmd::LoadView(ViewLoad::MemoryStores)]
        );
        assert!(s.memory.fetch.loading);
        assert_eq!(s.context(), crate::app::keymap::Context::Memory);
        assert_eq!(
            command(&mut s, "dreams"),
            vec![Cmd::LoadView(ViewLoad::Dreams)]
        );
        assert_eq!(
            command(&mut s, "deployments"),
            vec![Cmd::LoadView(ViewLoad::Deployments)]
        );
        // ^r re-fetches the open view instead of the session list.
        let cmds = update(
            &mut s,
            Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL)),
        );
        assert_eq!(cmds, vec![Cmd::LoadView(ViewLoad::Deployments)]);
        assert_eq!(key(&mut s, KeyCode::Esc), vec![Cmd::StopView]);
        assert_eq!(s.view, View::Sessions);
        assert_eq!(s.context(), crate::app::keymap::Context::Sessions);
    }

    #[test]
    fn dreams_navigate_and_enter_scrolls_the_json() {
        let mut s = resource_state(120, 40, View::Dreams);
        assert_eq!(s.dreams.dreams.len(), 5);
        key(&mut s, KeyCode::Down);
        key(&mut s, KeyCode::Down);
        key(&mut s, KeyCode::Down);
        let r = &s.dreams.dreams[s.dreams.nav.cursor];
        assert_eq!(r.id, "dream_bad");
        assert_eq!(
            r.error.as_deref(),
            Some("model_overloaded_error: The model was overloaded; try again later.")
        );
        key(&mut s, KeyCode::Enter);
        assert!(s.dreams.detail);
        key(&mut s, KeyCode::Down);
        assert_eq!((s.dreams.scroll.cursor, s.dreams.nav.cursor), (1, 3));
        key(&mut s, KeyCode::Esc);
        assert!(!s.dreams.detail);
        assert_eq!(s.view, View::Dreams);
        // A refresh keeps the same dream selected even when the order changed.
        let mut list = fixtures::dreams();
        list.reverse();
        let _ = update(&mut s, Msg::ViewLoaded(ViewData::Dreams(list)));
        assert_eq!(s.dreams.dreams[s.dreams.nav.cursor].id, "dream_bad");
    }

    #[test]
    fn deployments_show_runs_of_the_selected_one() {
        let mut s = resource_state(120, 40, View::Deployments);
        let d = &s.deployments.deployments;
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].schedule.as_deref(), Some("*/30 * * * * UTC"));
        assert_eq!(d[0].next_run, Some(fixtures::NOW + 600));
        assert_eq!(
            d[1].paused_reason.as_deref(),
            Some("error: vault_archived_error")
        );
        // Runs newest first.
        assert_eq!(d[1].runs[0].id, "drun_t3");
        key(&mut s, KeyCode::Char('j'));
        key(&mut s, KeyCode::Enter);
        assert!(s.deployments.detail);
        key(&mut s, KeyCode::Char('j'));
        key(&mut s, KeyCode::Char('j'));
        key(&mut s, KeyCode::Char('j'));
        assert_eq!(s.deployments.runs_nav.cursor, 2);
        // A smaller terminal keeps the selected run on its page.
        let _ = update(&mut s, Msg::Resize(60, 16));
        let nav = s.deployments.runs_nav;
        assert_eq!(nav.cursor, 2);
        // 60×16: the detail pane has room for one run row below the summary.
        assert_eq!(nav.offset, 2);
        key(&mut s, KeyCode::Esc);
        key(&mut s, KeyCode::Char('k'));
        assert_eq!(s.deployments.nav.cursor, 0);
        assert_eq!(s.deployments.runs_nav.cursor, 0);
    }

    #[test]
    fn failures_toast_once_per_episode_and_only_for_what_is_shown() {
        let mut s = resource_state(120, 40, View::Dreams);
        s.toast = None;
        let fail = |s: &mut State, load: ViewLoad| {
            let _ = update(
                s,
                Msg::ViewFailed {
                    load,
                    error: "503 overloaded_error: busy (request-id req_7)".into(),
                },
            );
        };
        fail(&mut s, ViewLoad::Deployments);
        assert!(s.toast.is_none(), "not the open view");
        fail(&mut s, ViewLoad::Dreams);
        let t = s.toast.take().unwrap();
        assert!(t.error);
        assert_eq!(
            t.text,
            "dreams: 503 overloaded_error: busy (request-id req_7)"
        );
        fail(&mut s, ViewLoad::Dreams);
        assert!(s.toast.is_none(), "one toast per episode");
        assert_eq!(s.dreams.dreams.len(), 5, "the last data stays");
        let _ = update(
            &mut s,
            Msg::ViewLoaded(ViewData::Dreams(fixtures::dreams())),
        );
        assert_eq!(s.dreams.fetch.error, None);
    }
}
