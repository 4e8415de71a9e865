//! The dream review queue (`:review`) and the dream actions of `:dreams`: keys, decisions and
//! the runner's answers. A decision is shown decided only once the journal confirmed it
//! (`ReviewMsg::Journaled`); until then the change reads "saving…".

use crossterm::event::{KeyCode, KeyEvent};

use crate::api::params::CreateDreamParams;
use crate::api::types::DreamStatus;
use crate::app::editor::{Edit, Editor};
use crate::app::keymap::{Action, Context};
use crate::app::msg::Cmd;
use crate::app::panes::motion;
use crate::app::review_view::{
    ApplyCounts, DreamForm, EditOverlay, FormField, Loading, ReviewCmd, ReviewConfirm, ReviewMsg,
};
use crate::app::state::{State, View};
use crate::app::views::set_view;
use crate::model::nav::{Motion, Nav};
use crate::model::review::{ChangeKind, ChangeState, Decision, Record};

/// The default model of a new dream (the form's model field starts with it).
pub const DEFAULT_DREAM_MODEL: &str = "claude-sonnet-4-5";

const READ_ONLY: &str = "read-only: reviewing and dream actions write to memory; refused";

/// The context keys go to while the review or a dream question/form is open.
pub(crate) fn context(state: &State) -> Option<Context> {
    state.review.context(state.view == View::Review)
}

/// Open the review of `dream_id` (`None`: the newest completed dream), computing its changes.
pub(crate) fn open(state: &mut State, dream_id: Option<String>, cmds: &mut Vec<Cmd>) {
    if state.read_only {
        state.show_toast(READ_ONLY, true);
        return;
    }
    let Some(journal) = state.review.journal.clone() else {
        state.show_toast(
            "no data directory for the review journal: reviewing is off",
            true,
        );
        return;
    };
    if state.review.applying.is_some() {
        state.show_toast("an apply is running: wait for it to finish", true);
        return;
    }
    if state.view.is_resource() {
        cmds.push(Cmd::StopView);
    }
    state.view = View::Review;
    let r = &mut state.review;
    r.generation += 1;
    r.dream_id = dream_id.clone().or(r.dream_id.take());
    r.loading = Loading::Computing;
    r.queue = None;
    r.saving.clear();
    r.confirm = None;
    r.edit = None;
    r.list = Nav::default();
    r.diff = Nav::default();
    cmds.push(Cmd::Review(ReviewCmd::Load {
        generation: r.generation,
        dream_id: r.dream_id.clone(),
        journal,
    }));
}

pub(crate) fn on_msg(state: &mut State, msg: ReviewMsg, cmds: &mut Vec<Cmd>) {
    state.dirty = true;
    let current = state.review.generation;
    match msg {
        ReviewMsg::Loaded {
            generation,
            input_store,
            output_store,
            queue,
            warnings,
        } if generation == current => {
            let rows = list_rows(state);
            let r = &mut state.review;
            r.dream_id = Some(queue.dream_id.clone());
            r.input_store = input_store;
            r.output_store = output_store;
            let n = queue.changes.len();
            r.queue = Some(*queue);
            r.loading = Loading::Ready;
            // Start at the first change still waiting for a decision.
            let first = r.queue.as_ref().and_then(|q| {
                q.entries
                    .iter()
                    .position(|e| matches!(e.state, ChangeState::Pending | ChangeState::Conflict))
            });
            r.list.cursor = first.unwrap_or(0);
            r.list.clamp(n, rows);
            state.review.recount();
            if let Some(w) = warnings.first() {
                state.show_toast(&format!("review journal: {w}"), true);
            }
        }
        ReviewMsg::LoadFailed { generation, error } => {
            if generation == current {
                state.review.loading = Loading::Failed(error);
            } else if generation == u64::MAX {
                state.show_toast(&error, true);
            }
        }
        ReviewMsg::Journaled {
            generation,
            records,
        } => {
            let r = &mut state.review;
            r.saving.retain(|s| !records.contains(s));
            if generation == current
                && let Some(q) = &mut r.queue
            {
                for rec in &records {
                    q.apply_record(rec);
                }
            }
            r.recount();
            offer_archive(state);
        }
        ReviewMsg::JournalFailed { generation, error } => {
            state.review.saving.clear();
            if generation == current {
                state.show_toast(&error, true);
            }
        }
        ReviewMsg::ApplyRecord { generation, record } if generation == current => {
            let r = &mut state.review;
            if let Some(q) = &mut r.queue {
                q.apply_record(&record);
            }
            if matches!(
                record,
                Record::ApplyDone { .. } | Record::ApplyConflict { .. }
            ) && let Some((done, _)) = &mut r.applying
            {
                *done += 1;
            }
        }
        ReviewMsg::ApplyFinished { generation, result } if generation == current => {
            state.review.applying = None;
            state.review.recount();
            let conflicts = state
                .review
                .queue
                .as_ref()
                .map_or(0, |q| q.conflicts().count());
            match result {
                Ok(line) => state.show_toast(&line, conflicts > 0),
                Err(e) => state.show_toast(&e, true),
            }
            if conflicts > 0 {
                // Show the first conflict: reviewed, live and proposed, to decide again.
                if let Some(i) = state.review.queue.as_ref().and_then(|q| {
                    q.entries
                        .iter()
                        .position(|e| e.state == ChangeState::Conflict)
                }) {
                    state.review.list.cursor = i;
                    state.review.diff = Nav::default();
                }
            }
            offer_archive(state);
        }
        ReviewMsg::DreamStarted { dream_id } => {
            state.review.form = None;
            state.show_toast(&format!("started dream {dream_id}"), false);
            cmds.push(Cmd::LoadView(crate::app::msg::ViewLoad::Dreams));
        }
        ReviewMsg::DreamRefused { error } => {
            if let Some(f) = &mut state.review.form {
                f.sending = false;
                f.error = Some(error.clone());
            }
            state.show_toast(&format!("dream not started: {error}"), true);
        }
        ReviewMsg::FormChoices { stores, .. } => {
            if let Some(f) = &mut state.review.form
                && f.stores.is_empty()
            {
                f.stores = stores;
            }
        }
        // An answer for a review that was closed or reloaded since.
        _ => {}
    }
}

/// Every change applied or rejected: ask whether to archive the dream's output store.
fn offer_archive(state: &mut State) {
    let r = &mut state.review;
    if r.confirm.is_some() || !r.saving.is_empty() || r.applying.is_some() {
        return;
    }
    let Some(q) = &r.queue else {
        return;
    };
    let any_applied = q.entries.iter().any(|e| e.state == ChangeState::Applied);
    if !q.changes.is_empty() && q.settled() && any_applied && !r.output_store.is_empty() {
        r.confirm = Some(ReviewConfirm::ArchiveOutput {
            store_id: r.output_store.clone(),
        });
    }
}

/// Rows of the change list (the left pane).
fn list_rows(state: &State) -> usize {
    crate::app::panes::list_page(state)
}

/// Lines the right pane shows for the selected change (for scrolling).
fn detail_len(state: &State) -> usize {
    crate::ui::review::detail_lines(state, &crate::theme::Theme::dark(), 0).len()
}

pub(crate) fn on_action(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    state.dirty = true;
    match context(state) {
        Some(Context::ReviewConfirm) => on_confirm(state, action, cmds),
        Some(Context::DreamForm) => on_form_action(state, action, cmds),
        Some(Context::Review) => on_review_action(state, action, cmds),
        _ => {}
    }
}

fn on_review_action(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    if action.writes() && state.read_only {
        state.show_toast(READ_ONLY, true);
        return;
    }
    let dpage = crate::app::panes::detail_page(state);
    let rows = list_rows(state);
    match action {
        Action::Back => {
            state.review.edit = None;
            set_view(state, View::Dreams, cmds);
        }
        Action::Refresh => {
            let id = state.review.dream_id.clone();
            open(state, id, cmds);
        }
        Action::NextChange | Action::PrevChange => {
            let n = state.review.queue.as_ref().map_or(0, |q| q.changes.len());
            let m = if action == Action::NextChange {
                Motion::Down
            } else {
                Motion::Up
            };
            state.review.list.apply(m, n, rows);
            state.review.diff = Nav::default();
        }
        Action::ReviewAccept => decide(state, Decision::Accept, cmds),
        Action::ReviewReject => decide(state, Decision::Reject, cmds),
        Action::ReviewSkip => decide(state, Decision::Skip, cmds),
        Action::ReviewEdit => start_edit(state),
        Action::ReviewAcceptAll | Action::ReviewRejectAll => {
            if !ready_for_decisions(state) {
                return;
            }
            let pending = state.review.queue.as_ref().map_or(0, |q| {
                q.entries
                    .iter()
                    .filter(|e| e.state == ChangeState::Pending)
                    .count()
            });
            if pending == 0 {
                state.show_toast("no pending change left", true);
                return;
            }
            state.review.confirm = Some(ReviewConfirm::All {
                accept: action == Action::ReviewAcceptAll,
                pending,
            });
        }
        Action::ReviewUndo => {
            if !ready_for_decisions(state) {
                return;
            }
            let r = &mut state.review;
            let Some(q) = &r.queue else {
                return;
            };
            match q.undo() {
                Ok(rec) => journal(state, rec, cmds),
                Err(e) => state.show_toast(&e.to_string(), true),
            }
        }
        Action::ReviewApply => {
            if !ready_for_decisions(state) {
                return;
            }
            let counts = apply_counts(state);
            if counts.total() == 0 {
                state.show_toast("nothing accepted to apply", true);
                return;
            }
            state.review.confirm = Some(ReviewConfirm::Apply(counts));
        }
        a => {
            if let Some(m) = motion(a) {
                let len = detail_len(state);
                state.review.diff.apply(m, len, dpage);
            }
        }
    }
}

/// What `A` would write now, by kind.
pub(crate) fn apply_counts(state: &State) -> ApplyCounts {
    let mut counts = ApplyCounts::default();
    if let Some(q) = &state.review.queue {
        for i in q.to_apply() {
            counts.add(q.changes[i].kind);
        }
    }
    counts
}

/// Decisions need a loaded queue and no write in flight.
fn ready_for_decisions(state: &mut State) -> bool {
    let r = &state.review;
    let why = if r.queue.is_none() {
        Some("the changes are not computed yet")
    } else if !r.saving.is_empty() {
        Some("still saving the last decision")
    } else if r.applying.is_some() {
        Some("an apply is running: wait for it to finish")
    } else {
        None
    };
    match why {
        Some(w) => {
            state.show_toast(w, true);
            false
        }
        None => true,
    }
}

/// Send one record to the journal; the change shows "saving…" until it is confirmed.
fn journal(state: &mut State, rec: Record, cmds: &mut Vec<Cmd>) {
    let r = &mut state.review;
    r.saving.push(rec.clone());
    cmds.push(Cmd::Review(ReviewCmd::Journal {
        generation: r.generation,
        records: vec![rec],
    }));
}

fn decide(state: &mut State, decision: Decision, cmds: &mut Vec<Cmd>) {
    if !ready_for_decisions(state) {
        return;
    }
    let r = &state.review;
    let Some(q) = &r.queue else {
        return;
    };
    let Some(c) = q.changes.get(r.list.cursor) else {
        return;
    };
    match q.decide(&c.id, decision) {
        Ok(rec) => {
            journal(state, rec, cmds);
            // On to the next change (the decision shows once the journal has it).
            let n = state.review.queue.as_ref().map_or(0, |q| q.changes.len());
            let rows = list_rows(state);
            let r = &mut state.review;
            if r.list.cursor + 1 < n {
                r.list.apply(Motion::Down, n, rows);
                r.diff = Nav::default();
            }
        }
        Err(e) => state.show_toast(&e.to_string(), true),
    }
}

/// `e`: the proposed content (or the earlier edit) in a multi-line editor.
fn start_edit(state: &mut State) {
    if !ready_for_decisions(state) {
        return;
    }
    let r = &state.review;
    let Some(q) = &r.queue else {
        return;
    };
    let i = r.list.cursor;
    let (Some(c), Some(e)) = (q.changes.get(i), q.entries.get(i)) else {
        return;
    };
    if c.kind == ChangeKind::Deleted {
        state.show_toast(
            "a deletion has no content to edit: accept or reject it",
            true,
        );
        return;
    }
    let text = e
        .edited
        .clone()
        .or_else(|| c.proposed.as_ref().and_then(|s| s.content.clone()))
        .or_else(|| c.reviewed.as_ref().and_then(|s| s.content.clone()));
    let Some(text) = text else {
        state.show_toast("the proposed content was not fetched; press ctrl-r", true);
        return;
    };
    let overlay = EditOverlay {
        change_id: c.id.clone(),
        path: c.path.clone(),
        editor: Editor::multi_line(&text),
    };
    state.review.edit = Some(overlay);
}

fn on_confirm(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    let Some(confirm) = state.review.confirm.take() else {
        return;
    };
    if action != Action::Yes {
        if action != Action::No {
            state.review.confirm = Some(confirm);
        }
        return;
    }
    if state.read_only {
        state.show_toast(READ_ONLY, true);
        return;
    }
    match confirm {
        ReviewConfirm::All { accept, .. } => {
            let Some(q) = &state.review.queue else {
                return;
            };
            match q.decide_all(accept) {
                Ok(rec) => journal(state, rec, cmds),
                Err(e) => state.show_toast(&e.to_string(), true),
            }
        }
        ReviewConfirm::Apply(counts) => {
            let r = &mut state.review;
            let Some(q) = &r.queue else {
                return;
            };
            r.applying = Some((0, counts.total()));
            cmds.push(Cmd::Review(ReviewCmd::Apply {
                generation: r.generation,
                queue: Box::new(q.clone()),
                input_store: r.input_store.clone(),
            }));
        }
        ReviewConfirm::ArchiveOutput { store_id } => {
            state.show_toast(&format!("archiving output store {store_id}…"), false);
            cmds.push(Cmd::Review(ReviewCmd::ArchiveStore { store_id }));
        }
        ReviewConfirm::CancelDream { dream_id } => {
            state.show_toast(&format!("canceling {dream_id}…"), false);
            cmds.push(Cmd::Review(ReviewCmd::CancelDream { dream_id }));
        }
        ReviewConfirm::ArchiveDream { dream_id } => {
            state.show_toast(&format!("archiving {dream_id}…"), false);
            cmds.push(Cmd::Review(ReviewCmd::ArchiveDream { dream_id }));
        }
    }
}

/// Keys that go to a text editor (the edit overlay, a text field of the dream form) before
/// the keymap. Returns whether the key was taken.
pub(crate) fn on_editor_key(state: &mut State, key: KeyEvent, cmds: &mut Vec<Cmd>) -> bool {
    if state.review.confirm.is_some() {
        return false;
    }
    if let Some(edit) = &mut state.review.edit {
        state.dirty = true;
        match edit.editor.key(key) {
            Edit::Submit => {
                let content = edit.editor.text();
                let id = edit.change_id.clone();
                state.review.edit = None;
                if state.read_only {
                    state.show_toast(READ_ONLY, true);
                    return true;
                }
                let Some(q) = &state.review.queue else {
                    return true;
                };
                match q.decide(&id, Decision::Edit { content }) {
                    Ok(rec) => journal(state, rec, cmds),
                    Err(e) => state.show_toast(&e.to_string(), true),
                }
            }
            Edit::Cancel => state.review.edit = None,
            Edit::Changed | Edit::Moved => {}
        }
        return true;
    }
    let Some(form) = &mut state.review.form else {
        return false;
    };
    if matches!(key.code, KeyCode::Tab | KeyCode::BackTab | KeyCode::Esc)
        || (key.code == KeyCode::Char('s')
            && key
                .modifiers
                .contains(crossterm::event::KeyModifiers::CONTROL))
    {
        return false;
    }
    state.dirty = true;
    let rows = 8;
    let list_move = match key.code {
        KeyCode::Up => Some(Motion::Up),
        KeyCode::Down => Some(Motion::Down),
        KeyCode::Char('k') if !form_text_field(form.field) => Some(Motion::Up),
        KeyCode::Char('j') if !form_text_field(form.field) => Some(Motion::Down),
        _ => None,
    };
    match form.field {
        FormField::Store => {
            if let Some(m) = list_move {
                form.store.apply(m, form.stores.len(), rows);
                return true;
            }
            false
        }
        FormField::Sessions => {
            if let Some(m) = list_move {
                form.session_nav.apply(m, form.sessions.len(), rows);
                return true;
            }
            false
        }
        FormField::Instructions | FormField::Model => {
            let editor = if form.field == FormField::Model {
                &mut form.model
            } else {
                &mut form.instructions
            };
            match editor.key(key) {
                Edit::Submit => submit_form(state, cmds),
                Edit::Cancel => state.review.form = None,
                Edit::Changed | Edit::Moved => {}
            }
            true
        }
    }
}

fn form_text_field(f: FormField) -> bool {
    matches!(f, FormField::Instructions | FormField::Model)
}

/// A paste goes to the open editor. Returns whether it was taken.
pub(crate) fn on_paste(state: &mut State, pasted: &str) -> bool {
    let r = &mut state.review;
    let editor = match (&mut r.edit, &mut r.form) {
        (Some(e), _) => &mut e.editor,
        (None, Some(f)) if f.field == FormField::Instructions => &mut f.instructions,
        (None, Some(f)) if f.field == FormField::Model => &mut f.model,
        _ => return false,
    };
    editor.paste(pasted);
    state.dirty = true;
    true
}

fn on_form_action(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    let Some(form) = &mut state.review.form else {
        return;
    };
    let at = FormField::ALL
        .iter()
        .position(|f| *f == form.field)
        .unwrap_or(0);
    let n = FormField::ALL.len();
    match action {
        Action::FormNext => form.field = FormField::ALL[(at + 1) % n],
        Action::FormPrev => form.field = FormField::ALL[(at + n - 1) % n],
        Action::FormPick if form.field == FormField::Sessions => {
            if let Some(p) = form.picked.get_mut(form.session_nav.cursor) {
                *p = !*p;
            }
        }
        Action::FormSubmit => submit_form(state, cmds),
        Action::Back => state.review.form = None,
        _ => {}
    }
}

/// The form's dream, or why it cannot be started.
pub(crate) fn form_params(form: &DreamForm) -> Result<CreateDreamParams, &'static str> {
    let store = form
        .stores
        .get(form.store.cursor)
        .ok_or("pick an input memory store")?;
    let sessions: Vec<String> = form
        .sessions
        .iter()
        .zip(&form.picked)
        .filter(|(_, p)| **p)
        .map(|((id, _), _)| id.clone())
        .collect();
    if sessions.is_empty() {
        return Err("pick at least one session (space)");
    }
    let model = form.model.text().trim().to_string();
    if model.is_empty() {
        return Err("name a model");
    }
    let mut params = CreateDreamParams::new(store.0.clone(), sessions, model);
    let instructions = form.instructions.text();
    if !instructions.trim().is_empty() {
        params.instructions = Some(instructions);
    }
    params.output_behavior = Some(crate::api::types::dream::OutputBehavior::CreateNew);
    Ok(params)
}

fn submit_form(state: &mut State, cmds: &mut Vec<Cmd>) {
    let Some(form) = &state.review.form else {
        return;
    };
    if state.read_only {
        state.show_toast(READ_ONLY, true);
        return;
    }
    if form.sending {
        return;
    }
    match form_params(form) {
        Ok(params) => {
            // The form stays until the API answers: a refusal is shown on it, inputs kept.
            if let Some(f) = &mut state.review.form {
                f.sending = true;
                f.error = None;
            }
            cmds.push(Cmd::Review(ReviewCmd::StartDream(Box::new(params))));
        }
        Err(why) => {
            if let Some(f) = &mut state.review.form {
                f.error = Some(why.to_string());
            }
            state.show_toast(why, true);
        }
    }
}

/// The dream actions of `:dreams`. Returns whether the action was taken here (else the
/// dreams view handles it: Enter on a finished dream shows its JSON).
pub(crate) fn on_dreams_action(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) -> bool {
    let d = &state.dreams;
    let row = if d.detail {
        None
    } else {
        d.dreams.get(d.nav.cursor).cloned()
    };
    match (action, row) {
        (Action::Open | Action::OpenReview, Some(r)) if r.status == DreamStatus::Completed => {
            open(state, Some(r.id), cmds);
            true
        }
        (Action::Open, Some(r))
            if matches!(r.status, DreamStatus::Running | DreamStatus::Pending) =>
        {
            match r.session_id {
                Some(id) => {
                    set_view(state, View::Sessions, cmds);
                    crate::app::update::sessions::watch(state, id, cmds);
                    state.focus = crate::app::state::Pane::Events;
                }
                None => state.show_toast("this dream has no session yet", true),
            }
            true
        }
        (Action::OpenReview, Some(_)) => {
            state.show_toast("only a completed dream can be reviewed", true);
            true
        }
        (Action::StartDream, _) => {
            if state.read_only {
                state.show_toast(READ_ONLY, true);
                return true;
            }
            let stores: Vec<(String, String)> = state
                .memory
                .stores
                .iter()
                .filter(|s| !s.archived)
                .map(|s| (s.id.clone(), s.name.clone()))
                .collect();
            if stores.is_empty() {
                cmds.push(Cmd::Review(ReviewCmd::FormChoices));
            }
            let sessions: Vec<(String, String)> = (0..state.sessions.view_len().min(50))
                .filter_map(|i| state.sessions.view_get(i))
                .map(|e| (e.summary.id.clone(), e.summary.title.clone()))
                .collect();
            let picked = vec![false; sessions.len()];
            state.review.form = Some(DreamForm {
                stores,
                store: Nav::default(),
                sessions,
                picked,
                session_nav: Nav::default(),
                instructions: Editor::multi_line(""),
                model: Editor::single_line(DEFAULT_DREAM_MODEL),
                field: FormField::Store,
                sending: false,
                error: None,
            });
            true
        }
        (Action::CancelDream | Action::ArchiveDream, _) if state.read_only => {
            state.show_toast(READ_ONLY, true);
            true
        }
        (Action::CancelDream, Some(r)) => {
            if matches!(r.status, DreamStatus::Running | DreamStatus::Pending) {
                state.review.confirm = Some(ReviewConfirm::CancelDream { dream_id: r.id });
            } else {
                state.show_toast("only a pending or running dream can be canceled", true);
            }
            true
        }
        (Action::ArchiveDream, Some(r)) => {
            if matches!(
                r.status,
                DreamStatus::Completed | DreamStatus::Failed | DreamStatus::Canceled
            ) {
                state.review.confirm = Some(ReviewConfirm::ArchiveDream { dream_id: r.id });
            } else {
                state.show_toast("only a finished dream can be archived", true);
            }
            true
        }
        (Action::Open, _) => false,
        _ => true,
    }
}

#[cfg(test)]
pub(crate) use tests::reviewing;

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::app::review_view::JournalSetup;
    use crate::app::update::testing::*;
    use crate::model::review::{
        Listed, LiveVersion, ReviewQueue, build_changes, compare_listings, content_sha256,
    };

    fn l(id: &str, path: &str, content: &str) -> Listed {
        Listed {
            memory_id: id.into(),
            path: path.into(),
            sha: content_sha256(content),
        }
    }

    /// a.md modified, b.md modified, c.md added.
    fn queue() -> ReviewQueue {
        let input = vec![l("i1", "/a.md", "a\n"), l("i2", "/b.md", "b\n")];
        let output = vec![
            l("o1", "/a.md", "A\n"),
            l("o2", "/b.md", "B\n"),
            l("o3", "/c.md", "c\n"),
        ];
        let d = compare_listings(&input, &output);
        let c: HashMap<String, String> = [
            ("i1", "a\n"),
            ("i2", "b\n"),
            ("o1", "A\n"),
            ("o2", "B\n"),
            ("o3", "c\n"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        ReviewQueue::new("drm_1", build_changes("drm_1", &d, &c))
    }

    /// A state with the review of `drm_1` open and loaded.
    pub(crate) fn reviewing() -> State {
        let mut s = State::new(1_700_000_000);
        s.review.journal = Some(JournalSetup {
            path: "/nonexistent/journal.jsonl".into(),
            base_url: "http://x".into(),
            workspace: None,
        });
        let mut cmds = Vec::new();
        open(&mut s, Some("drm_1".into()), &mut cmds);
        assert!(matches!(
            cmds.as_slice(),
            [Cmd::Review(ReviewCmd::Load { generation: 1, dream_id: Some(d), .. })] if d == "drm_1"
        ));
        assert_eq!(s.review.loading, Loading::Computing);
        let _ = update(
            &mut s,
            Msg::Review(ReviewMsg::Loaded {
                generation: 1,
                input_store: "memstore_in".into(),
                output_store: "memstore_out".into(),
                queue: Box::new(queue()),
                warnings: vec![],
            }),
        );
        s
    }

    fn labels(s: &State) -> Vec<&'static str> {
        (0..3).map(|i| s.review.state_label(i).0).collect()
    }

    /// The records a key sent to the journal.
    fn journaled(cmds: &[Cmd]) -> Vec<Record> {
        match cmds {
            [Cmd::Review(ReviewCmd::Journal { records, .. })] => records.clone(),
            other => panic!("expected one journal write, got {other:?}"),
        }
    }

    fn confirm_journal(s: &mut State, records: Vec<Record>) {
        let generation = s.review.generation;
        let _ = update(
            s,
            Msg::Review(ReviewMsg::Journaled {
                generation,
                records,
            }),
        );
    }

    fn ch(c: char) -> KeyCode {
        KeyCode::Char(c)
    }

    #[test]
    fn a_decision_shows_only_once_the_journal_confirms_it() {
        let mut s = reviewing();
        assert_eq!(s.review.waiting_total(), 3);
        assert_eq!(s.context(), Context::Review);
        let recs = journaled(&key(&mut s, ch('y')));
        assert_eq!(labels(&s), vec!["saving…", "pending", "pending"]);
        assert_eq!(s.review.list.cursor, 1, "on to the next change");
        // A second decision waits for the first to be saved.
        assert!(key(&mut s, ch('n')).is_empty());
        assert_eq!(
            s.toast.as_ref().map(|t| t.text.as_str()),
            Some("still saving the last decision")
        );
        confirm_journal(&mut s, recs);
        assert_eq!(labels(&s), vec!["accepted", "pending", "pending"]);
        assert_eq!(s.review.waiting_total(), 2);
        let recs = journaled(&key(&mut s, ch('n')));
        confirm_journal(&mut s, recs);
        assert_eq!(labels(&s), vec!["accepted", "rejected", "pending"]);
        // Undo takes back the reject.
        let recs = journaled(&key(&mut s, ch('u')));
        assert_eq!(
            recs,
            vec![Record::Undo {
                dream_id: "drm_1".into()
            }]
        );
        confirm_journal(&mut s, recs);
        assert_eq!(labels(&s), vec!["accepted", "pending", "pending"]);
        // A failed journal write leaves the change undecided, with the reason.
        let _ = key(&mut s, ch('y'));
        let g = s.review.generation;
        let _ = update(
            &mut s,
            Msg::Review(ReviewMsg::JournalFailed {
                generation: g,
                error: "decision not saved: disk full".into(),
            }),
        );
        assert_eq!(labels(&s), vec!["accepted", "pending", "pending"]);
        assert_eq!(
            s.toast.as_ref().map(|t| t.text.as_str()),
            Some("decision not saved: disk full")
        );
    }

    #[test]
    fn bulk_accept_asks_first_and_apply_confirms_with_counts() {
        let mut s = reviewing();
        assert!(key(&mut s, ch('a')).is_empty());
        assert_eq!(
            s.review.confirm,
            Some(ReviewConfirm::All {
                accept: true,
                pending: 3
            })
        );
        assert_eq!(s.context(), Context::ReviewConfirm);
        // n keeps everything pending.
        assert!(key(&mut s, ch('n')).is_empty());
        assert_eq!(s.review.confirm, None);
        assert_eq!(labels(&s), vec!["pending", "pending", "pending"]);
        let _ = key(&mut s, ch('a'));
        let recs = journaled(&key(&mut s, ch('y')));
        assert!(
            matches!(&recs[..], [Record::Bulk { accept: true, change_ids, .. }] if change_ids.len() == 3)
        );
        confirm_journal(&mut s, recs);
        assert_eq!(labels(&s), vec!["accepted", "accepted", "accepted"]);
        assert!(key(&mut s, ch('A')).is_empty());
        assert_eq!(
            s.review.confirm,
            Some(ReviewConfirm::Apply(ApplyCounts {
                update: 2,
                create: 1,
                delete: 0,
                rename: 0
            }))
        );
        let cmds = key(&mut s, ch('y'));
        assert!(matches!(
            cmds.as_slice(),
            [Cmd::Review(ReviewCmd::Apply { input_store, .. })] if input_store == "memstore_in"
        ));
        assert_eq!(s.review.applying, Some((0, 3)));
        assert_eq!(labels(&s), vec!["applying…", "applying…", "applying…"]);
    }

    #[test]
    fn a_conflict_is_shown_three_ways_and_can_be_decided_again() {
        let mut s = reviewing();
        let _ = key(&mut s, ch('a'));
        let recs = journaled(&key(&mut s, ch('y')));
        confirm_journal(&mut s, recs);
        let _ = key(&mut s, ch('A'));
        let _ = key(&mut s, ch('y'));
        let g = s.review.generation;
        let ids: Vec<String> = s
            .review
            .queue
            .as_ref()
            .unwrap()
            .changes
            .iter()
            .map(|c| c.id.clone())
            .collect();
        let conflict = Record::ApplyConflict {
            dream_id: "drm_1".into(),
            change_id: ids[0].clone(),
            live: Some(LiveVersion {
                memory_id: "i1".into(),
                path: "/a.md".into(),
                sha: content_sha256("someone else\n"),
                content: Some("someone else\n".into()),
            }),
            message: "precondition failed (request-id req_9)".into(),
        };
        for r in [
            conflict,
            Record::ApplyDone {
                dream_id: "drm_1".into(),
                change_id: ids[1].clone(),
                already: false,
            },
            Record::ApplyDone {
                dream_id: "drm_1".into(),
                change_id: ids[2].clone(),
                already: false,
            },
        ] {
            let _ = update(
                &mut s,
                Msg::Review(ReviewMsg::ApplyRecord {
                    generation: g,
                    record: r,
                }),
            );
        }
        assert_eq!(s.review.applying, Some((3, 3)));
        let _ = update(
            &mut s,
            Msg::Review(ReviewMsg::ApplyFinished {
                generation: g,
                result: Ok("applied 2 change(s), 1 in conflict (nothing overwritten)".into()),
            }),
        );
        assert_eq!(s.review.applying, None);
        assert_eq!(labels(&s), vec!["conflict", "applied", "applied"]);
        assert_eq!(s.review.list.cursor, 0, "the conflict is selected");
        assert_eq!(s.toast.as_ref().map(|t| t.error), Some(true));
        let text: Vec<String> =
            crate::ui::review::detail_lines(&s, &crate::theme::Theme::dark(), 40)
                .iter()
                .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
                .collect();
        assert_eq!(
            text[1],
            "✖ conflict: precondition failed (request-id req_9)"
        );
        let at = |needle: &str| text.iter().position(|t| t.starts_with(needle)).unwrap();
        let (rv, lv, pr) = (at("── reviewed"), at("── live"), at("── proposed"));
        assert_eq!(text[rv + 1], "a");
        assert_eq!(text[lv + 1], "someone else");
        assert_eq!(text[pr + 1], "A");
        // Decide again: reject keeps the live version; the dream is then settled.
        let recs = journaled(&key(&mut s, ch('n')));
        confirm_journal(&mut s, recs);
        assert_eq!(labels(&s), vec!["rejected", "applied", "applied"]);
        assert_eq!(
            s.review.confirm,
            Some(ReviewConfirm::ArchiveOutput {
                store_id: "memstore_out".into()
            })
        );
        let cmds = key(&mut s, ch('y'));
        assert_eq!(
            cmds,
            vec![Cmd::Review(ReviewCmd::ArchiveStore {
                store_id: "memstore_out".into()
            })]
        );
    }

    #[test]
    fn edit_then_accept_journals_the_edited_text_and_stale_answers_are_dropped() {
        let mut s = reviewing();
        assert!(key(&mut s, ch('e')).is_empty());
        let edit = s.review.edit.as_ref().unwrap();
        assert_eq!(edit.editor.text(), "A\n");
        let _ = key(&mut s, ch('!'));
        let recs = journaled(&ctrl(&mut s, 's'));
        assert!(s.review.edit.is_none());
        assert!(
            matches!(&recs[..], [Record::Decision { decision: Decision::Edit { content }, .. }] if content == "A\n!")
        );
        confirm_journal(&mut s, recs);
        assert_eq!(labels(&s), vec!["edited", "pending", "pending"]);
        // A reload drops answers for the older generation.
        let old = s.review.generation;
        let _ = update(
            &mut s,
            Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL)),
        );
        assert_eq!(s.review.generation, old + 1);
        let _ = update(
            &mut s,
            Msg::Review(ReviewMsg::LoadFailed {
                generation: old,
                error: "stale".into(),
            }),
        );
        assert_eq!(s.review.loading, Loading::Computing);
    }

    #[test]
    fn the_start_dream_form_waits_for_the_api_and_keeps_a_refusal_on_the_form() {
        let mut s = State::new(1_700_000_000);
        s.view = View::Dreams;
        s.review.form = Some(DreamForm {
            stores: vec![("memstore_1".into(), "eng".into())],
            store: Nav::default(),
            sessions: vec![("sesn_1".into(), "t".into()), ("sesn_2".into(), "u".into())],
            picked: vec![false, true],
            session_nav: Nav::default(),
            instructions: Editor::multi_line("keep it short"),
            model: Editor::single_line("claude-opus-5-5"),
            field: FormField::Model,
            sending: false,
            error: None,
        });
        let cmds = ctrl(&mut s, 's');
        let [Cmd::Review(ReviewCmd::StartDream(p))] = cmds.as_slice() else {
            panic!("{cmds:?}");
        };
        let v = serde_json::to_value(p.as_ref()).unwrap();
        assert_eq!(
            v["inputs"],
            serde_json::json!([
                {"type": "memory_store", "memory_store_id": "memstore_1"},
                {"type": "sessions", "session_ids": ["sesn_2"]}
            ])
        );
        assert_eq!(p.model.id, "claude-opus-5-5");
        assert_eq!(v["instructions"], "keep it short");
        assert_eq!(
            v["output_behavior"],
            serde_json::json!({"type": "create_new"})
        );
        assert!(s.review.form.as_ref().is_some_and(|f| f.sending));
        assert!(ctrl(&mut s, 's').is_empty(), "one request at a time");
        let refusal = "instructions: must be 1-4096 characters (request-id req_1)";
        let _ = update(
            &mut s,
            Msg::Review(ReviewMsg::DreamRefused {
                error: refusal.into(),
            }),
        );
        let f = s.review.form.as_ref().unwrap();
        assert!(!f.sending);
        assert_eq!(f.error.as_deref(), Some(refusal));
        assert_eq!(f.instructions.text(), "keep it short", "inputs kept");
        let _ = ctrl(&mut s, 's');
        let cmds = update(
            &mut s,
            Msg::Review(ReviewMsg::DreamStarted {
                dream_id: "drm_9".into(),
            }),
        );
        assert!(s.review.form.is_none());
        assert_eq!(cmds, vec![Cmd::LoadView(crate::app::msg::ViewLoad::Dreams)]);
        assert_eq!(
            s.toast.as_ref().map(|t| t.text.as_str()),
            Some("started dream drm_9")
        );
    }

    #[test]
    fn read_only_refuses_review_and_dream_actions() {
        let mut s = State::new(1_700_000_000);
        s.read_only = true;
        s.review.journal = Some(JournalSetup {
            path: "/x".into(),
            base_url: "http://x".into(),
            workspace: None,
        });
        let mut cmds = Vec::new();
        open(&mut s, Some("drm_1".into()), &mut cmds);
        assert!(cmds.is_empty());
        assert_eq!(s.view, View::Sessions);
        assert_eq!(s.toast.as_ref().map(|t| t.text.as_str()), Some(READ_ONLY));
        s.view = View::Dreams;
        assert!(on_dreams_action(&mut s, Action::StartDream, &mut cmds));
        assert!(s.review.form.is_none());
    }
}
