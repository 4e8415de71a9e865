//! `:deployments`: moving in the list and in a deployment's runs, opening a run's session,
//! the confirmed actions (pause/unpause, run now, archive) and the create/edit form.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::api::EventParams;
use crate::api::types::{CreateDeploymentParams, Patch, ScheduleParams, UpdateDeploymentParams};
use crate::app::deployments::{
    DeployAction, DeployCmd, DeployConfirm, DeployMsg, DeploymentForm, FormField,
};
use crate::app::editor::Edit;
use crate::app::keymap::Action;
use crate::app::msg::{Cmd, ViewLoad};
use crate::app::panes::{list_page, motion};
use crate::app::state::{Pane, State, View};
use crate::app::views::set_view;
use crate::model::deployments::with_first_message;
use crate::model::nav::Motion;

pub const READ_ONLY: &str =
    "read-only: deployment actions and edits are off (started with --read-only)";

/// Rows a pick list of the form shows.
pub const PICK_ROWS: usize = 4;

fn runs_page(state: &State) -> usize {
    crate::app::views::deployments_runs_page(state)
}

pub(crate) fn on_action(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    state.dirty = true;
    if state.deployments.form.is_some() {
        on_form_action(state, action, cmds);
        return;
    }
    if matches!(
        action,
        Action::PauseDeployment
            | Action::RunDeployment
            | Action::Archive
            | Action::CreateDeployment
            | Action::Edit
    ) {
        if state.read_only {
            state.show_toast(READ_ONLY, true);
            return;
        }
        ask(state, action, cmds);
        return;
    }
    let page = list_page(state);
    let rpage = runs_page(state);
    let d = &mut state.deployments;
    match action {
        Action::Open if d.detail => {
            let run = d
                .selected()
                .and_then(|r| r.runs.get(d.runs_nav.cursor))
                .cloned();
            match run.as_ref().and_then(|r| r.session()) {
                Some(id) => {
                    let id = id.to_string();
                    set_view(state, View::Sessions, cmds);
                    crate::app::update::sessions::watch(state, id, cmds);
                    state.focus = Pane::Events;
                }
                None => state.show_toast("this run created no session", true),
            }
        }
        Action::Open => {
            if d.selected().is_some_and(|r| !r.runs.is_empty()) {
                d.detail = true;
            }
        }
        Action::Back if d.detail => d.detail = false,
        Action::Back => set_view(state, View::Sessions, cmds),
        a if d.detail => {
            let len = d.selected().map_or(0, |r| r.runs.len());
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

/// Open the confirmation or the form for a writing action.
fn ask(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    let d = &mut state.deployments;
    if action == Action::CreateDeployment {
        d.form = Some(DeploymentForm::new(None));
        cmds.push(Cmd::Deploy(DeployCmd::FormChoices));
        return;
    }
    let Some(row) = d.selected() else {
        state.show_toast("no deployment selected", true);
        return;
    };
    let what = match action {
        Action::Edit => {
            d.form = Some(DeploymentForm::new(Some(row)));
            cmds.push(Cmd::Deploy(DeployCmd::FormChoices));
            return;
        }
        Action::PauseDeployment if row.paused => DeployAction::Unpause,
        Action::PauseDeployment => DeployAction::Pause,
        Action::RunDeployment => DeployAction::Run,
        _ => DeployAction::Archive,
    };
    d.confirm = Some(DeployConfirm {
        action: what,
        id: row.id.clone(),
        name: row.name.clone(),
    });
}

/// `y`/`n` on the confirmation.
pub(crate) fn on_confirm(state: &mut State, yes: bool, cmds: &mut Vec<Cmd>) {
    state.dirty = true;
    let Some(c) = state.deployments.confirm.take() else {
        return;
    };
    if !yes {
        return;
    }
    if state.read_only {
        state.show_toast(READ_ONLY, true);
        return;
    }
    state.show_toast(&format!("{}: {}…", c.action.verb(), c.name), false);
    cmds.push(Cmd::Deploy(DeployCmd::Act {
        action: c.action,
        id: c.id,
        name: c.name,
    }));
}

pub(crate) fn on_msg(state: &mut State, msg: DeployMsg, cmds: &mut Vec<Cmd>) {
    state.dirty = true;
    match msg {
        DeployMsg::Acted { text, error } => {
            state.show_toast(&text, error);
            reload(state, cmds);
        }
        DeployMsg::Saved(Ok(name)) => {
            let verb = match state.deployments.form.take() {
                Some(f) if f.editing.is_some() => "saved",
                _ => "created",
            };
            state.show_toast(&format!("{verb} deployment {name}"), false);
            reload(state, cmds);
        }
        DeployMsg::Saved(Err(e)) => {
            state.show_toast(&e, true);
            if let Some(f) = &mut state.deployments.form {
                f.saving = false;
                f.error = Some(crate::text::one_line(&e));
            }
        }
        DeployMsg::Choices(Ok((agents, envs))) => {
            if let Some(f) = &mut state.deployments.form {
                f.set_choices(agents, envs);
            }
        }
        DeployMsg::Choices(Err(e)) => {
            state.show_toast(&e, true);
            if let Some(f) = &mut state.deployments.form {
                f.choices_error = Some(crate::text::one_line(&e));
            }
        }
    }
}

fn reload(state: &mut State, cmds: &mut Vec<Cmd>) {
    if state.view == View::Deployments {
        cmds.push(Cmd::LoadView(ViewLoad::Deployments));
    }
}

/// Keys for the form's text fields and pick lists, before the keymap. Returns whether taken.
pub(crate) fn on_form_key(state: &mut State, key: KeyEvent, cmds: &mut Vec<Cmd>) -> bool {
    if state.view != View::Deployments || state.deployments.confirm.is_some() {
        return false;
    }
    let Some(form) = &mut state.deployments.form else {
        return false;
    };
    if matches!(key.code, KeyCode::Tab | KeyCode::BackTab | KeyCode::Esc)
        || (key.code == KeyCode::Char('s') && key.modifiers.contains(KeyModifiers::CONTROL))
    {
        return false;
    }
    state.dirty = true;
    if let Some(editor) = form.editor_mut() {
        match editor.key(key) {
            Edit::Submit => submit(state, cmds),
            Edit::Cancel => state.deployments.form = None,
            Edit::Changed | Edit::Moved => {}
        }
        return true;
    }
    let m = match key.code {
        KeyCode::Up | KeyCode::Char('k') => Motion::Up,
        KeyCode::Down | KeyCode::Char('j') => Motion::Down,
        KeyCode::Enter => {
            submit(state, cmds);
            return true;
        }
        _ => return false,
    };
    let (nav, len) = match form.field {
        FormField::Agent => (&mut form.agent, form.agents.len()),
        _ => (&mut form.environment, form.environments.len()),
    };
    nav.apply(m, len, PICK_ROWS);
    true
}

/// A paste goes to the form's focused text field. Returns whether it was taken.
pub(crate) fn on_paste(state: &mut State, pasted: &str) -> bool {
    if state.view != View::Deployments || state.deployments.confirm.is_some() {
        return false;
    }
    let Some(editor) = state.deployments.form.as_mut().and_then(|f| f.editor_mut()) else {
        return false;
    };
    editor.paste(pasted);
    state.dirty = true;
    true
}

fn on_form_action(state: &mut State, action: Action, cmds: &mut Vec<Cmd>) {
    let Some(form) = &mut state.deployments.form else {
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
        Action::FormSubmit => submit(state, cmds),
        Action::Back => state.deployments.form = None,
        _ => {}
    }
}

/// What the form asks for, checked only for what the API cannot be asked (an empty pick
/// list); everything else is the API's to validate, and its message is shown on the form.
pub(crate) enum FormRequest {
    Create(CreateDeploymentParams),
    Update(String, UpdateDeploymentParams),
}

pub(crate) fn form_request(f: &DeploymentForm) -> Result<FormRequest, &'static str> {
    let agent = f
        .agents
        .get(f.agent.cursor)
        .map(|(id, _)| id.clone())
        .ok_or("pick an agent (the list is still loading or empty)")?;
    let environment_id = f
        .environments
        .get(f.environment.cursor)
        .map(|(id, _)| id.clone())
        .ok_or("pick an environment (the list is still loading or empty)")?;
    let cron = f.cron.text().trim().to_string();
    let schedule = (!cron.is_empty()).then(|| ScheduleParams::cron(cron, f.timezone.text().trim()));
    let name = f.name.text().trim().to_string();
    let message = f.message.text();
    Ok(match &f.editing {
        None => FormRequest::Create(CreateDeploymentParams {
            name,
            agent,
            environment_id,
            initial_events: vec![EventParams::user_text(message)],
            schedule,
            ..Default::default()
        }),
        Some((id, events)) => FormRequest::Update(
            id.clone(),
            UpdateDeploymentParams {
                name: Some(name),
                agent: Some(agent),
                environment_id: Some(environment_id),
                initial_events: Some(with_first_message(events, &message)),
                schedule: match schedule {
                    Some(s) => Patch::Set(s),
                    None => Patch::Clear,
                },
                ..Default::default()
            },
        ),
    })
}

fn submit(state: &mut State, cmds: &mut Vec<Cmd>) {
    if state.read_only {
        state.show_toast(READ_ONLY, true);
        return;
    }
    let Some(form) = &mut state.deployments.form else {
        return;
    };
    if form.saving {
        return;
    }
    match form_request(form) {
        Ok(req) => {
            form.saving = true;
            form.error = None;
            cmds.push(Cmd::Deploy(match req {
                FormRequest::Create(p) => DeployCmd::Create(Box::new(p)),
                FormRequest::Update(id, p) => DeployCmd::Update {
                    id,
                    params: Box::new(p),
                },
            }));
        }
        Err(why) => {
            form.error = Some(why.to_string());
            state.show_toast(why, true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixtures::resource_state;
    use crate::app::msg::Msg;
    use crate::app::update::update;
    use crossterm::event::KeyEvent;

    fn key(state: &mut State, code: KeyCode) -> Vec<Cmd> {
        update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
    }
    fn ctrl(state: &mut State, c: char) -> Vec<Cmd> {
        update(
            state,
            Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
        )
    }
    fn typed(state: &mut State, s: &str) {
        for c in s.chars() {
            key(state, KeyCode::Char(c));
        }
    }
    fn choices() -> DeployMsg {
        DeployMsg::Choices(Ok((
            vec![
                ("agent_ops".into(), "ops".into()),
                ("agent_support".into(), "support".into()),
            ],
            vec![("env_cloud".into(), "cloud".into())],
        )))
    }

    #[test]
    fn each_action_asks_first_and_runs_only_on_yes() {
        let mut s = resource_state(120, 40, View::Deployments);
        // The first deployment is active: p pauses.
        assert!(key(&mut s, KeyCode::Char('p')).is_empty());
        let c = s.deployments.confirm.clone().unwrap();
        assert_eq!(
            (c.action, c.id.as_str()),
            (DeployAction::Pause, "depl_digest")
        );
        assert_eq!(s.context(), crate::app::keymap::Context::Confirm);
        assert!(key(&mut s, KeyCode::Char('n')).is_empty());
        assert!(s.deployments.confirm.is_none());
        key(&mut s, KeyCode::Char('r'));
        let cmds = key(&mut s, KeyCode::Char('y'));
        assert_eq!(
            cmds,
            vec![Cmd::Deploy(DeployCmd::Act {
                action: DeployAction::Run,
                id: "depl_digest".into(),
                name: "Stale PR digest".into()
            })]
        );
        // The second one is paused: p unpauses; D archives.
        key(&mut s, KeyCode::Char('j'));
        key(&mut s, KeyCode::Char('p'));
        assert_eq!(
            s.deployments.confirm.as_ref().map(|c| c.action),
            Some(DeployAction::Unpause)
        );
        key(&mut s, KeyCode::Char('n'));
        key(&mut s, KeyCode::Char('D'));
        assert_eq!(
            s.deployments.confirm.as_ref().map(|c| c.action),
            Some(DeployAction::Archive)
        );
        // The answer is a toast, and the view reloads.
        key(&mut s, KeyCode::Char('n'));
        let cmds = update(
            &mut s,
            Msg::Deploy(DeployMsg::Acted {
                text: "archived Hourly support triage".into(),
                error: false,
            }),
        );
        assert_eq!(cmds, vec![Cmd::LoadView(ViewLoad::Deployments)]);
        assert_eq!(
            s.toast.as_ref().map(|t| t.text.as_str()),
            Some("archived Hourly support triage")
        );
    }

    #[test]
    fn read_only_refuses_every_write_with_a_toast() {
        let mut s = resource_state(120, 40, View::Deployments);
        s.read_only = true;
        for c in ['p', 'r', 'D', 'c', 'e'] {
            s.toast = None;
            assert!(key(&mut s, KeyCode::Char(c)).is_empty());
            assert!(s.deployments.confirm.is_none() && s.deployments.form.is_none());
            assert_eq!(s.toast.as_ref().map(|t| t.text.as_str()), Some(READ_ONLY));
        }
    }

    #[test]
    fn enter_on_a_run_opens_its_session_in_the_stream() {
        let mut s = resource_state(120, 40, View::Deployments);
        key(&mut s, KeyCode::Enter);
        assert!(s.deployments.detail);
        let cmds = key(&mut s, KeyCode::Enter);
        assert_eq!(s.view, View::Sessions);
        assert_eq!(s.focus, Pane::Events);
        assert!(cmds.contains(&Cmd::Watch("sesn_000004".into())), "{cmds:?}");
    }

    #[test]
    fn the_form_creates_with_what_was_typed_and_keeps_the_api_error() {
        let mut s = resource_state(120, 40, View::Deployments);
        let cmds = key(&mut s, KeyCode::Char('c'));
        assert_eq!(cmds, vec![Cmd::Deploy(DeployCmd::FormChoices)]);
        assert_eq!(s.context(), crate::app::keymap::Context::DeploymentForm);
        let _ = update(&mut s, Msg::Deploy(choices()));
        typed(&mut s, "Nightly");
        key(&mut s, KeyCode::Tab);
        key(&mut s, KeyCode::Char('j')); // agent_support
        key(&mut s, KeyCode::Tab);
        key(&mut s, KeyCode::Tab);
        typed(&mut s, "0 2 * * *");
        key(&mut s, KeyCode::Tab);
        key(&mut s, KeyCode::Tab);
        typed(&mut s, "Sweep");
        let cmds = ctrl(&mut s, 's');
        let Some(Cmd::Deploy(DeployCmd::Create(p))) = cmds.first() else {
            panic!("{cmds:?}")
        };
        assert_eq!(p.name, "Nightly");
        assert_eq!(p.agent, "agent_support");
        assert_eq!(p.environment_id, "env_cloud");
        assert_eq!(p.schedule, Some(ScheduleParams::cron("0 2 * * *", "UTC")));
        assert_eq!(p.initial_events, vec![EventParams::user_text("Sweep")]);
        assert!(ctrl(&mut s, 's').is_empty(), "one save at a time");
        let err = "400 invalid_request_error: schedule.expression: bad (request-id req_1)";
        let _ = update(&mut s, Msg::Deploy(DeployMsg::Saved(Err(err.into()))));
        let f = s.deployments.form.as_ref().unwrap();
        assert_eq!(f.error.as_deref(), Some(err));
        assert!(!f.saving);
        assert_eq!(f.name.text(), "Nightly", "what was typed stays");
        let cmds = update(&mut s, Msg::Deploy(DeployMsg::Saved(Ok("Nightly".into()))));
        assert!(s.deployments.form.is_none());
        assert_eq!(cmds, vec![Cmd::LoadView(ViewLoad::Deployments)]);
    }

    #[test]
    fn edit_starts_from_the_deployment_and_sends_an_update() {
        let mut s = resource_state(120, 40, View::Deployments);
        key(&mut s, KeyCode::Char('e'));
        let _ = update(&mut s, Msg::Deploy(choices()));
        let f = s.deployments.form.as_ref().unwrap();
        assert_eq!(f.name.text(), "Stale PR digest");
        assert_eq!(f.cron.text(), "*/30 * * * *");
        assert_eq!(f.agent.cursor, 0);
        // Clearing the cron makes it manual-only.
        key(&mut s, KeyCode::BackTab);
        key(&mut s, KeyCode::BackTab);
        key(&mut s, KeyCode::BackTab);
        ctrl(&mut s, 'u');
        let cmds = ctrl(&mut s, 's');
        let Some(Cmd::Deploy(DeployCmd::Update { id, params })) = cmds.first() else {
            panic!("{cmds:?}")
        };
        assert_eq!(id, "depl_digest");
        assert_eq!(params.schedule, Patch::Clear);
        assert_eq!(params.name.as_deref(), Some("Stale PR digest"));
    }
}
