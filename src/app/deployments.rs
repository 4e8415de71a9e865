//! `:deployments` state: the list with each deployment's runs, the confirmation of an action
//! (pause, unpause, run now, archive) and the create/edit form; plus the `Cmd`s and `Msg`s of
//! its background work (`app/deployments_tasks.rs` runs them, `app/update/deployments.rs`
//! handles keys and answers).

use crate::api::types::{CreateDeploymentParams, UpdateDeploymentParams};
use crate::app::editor::Editor;
use crate::app::fetch::Fetch;
use crate::app::keymap::Context;
use crate::model::deployments::DeploymentRow;
use crate::model::nav::Nav;

/// `:deployments`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeploymentList {
    pub deployments: Vec<DeploymentRow>,
    pub nav: Nav,
    /// Keys move in the selected deployment's runs instead of the list.
    pub detail: bool,
    pub runs_nav: Nav,
    pub fetch: Fetch,
    pub confirm: Option<DeployConfirm>,
    pub form: Option<DeploymentForm>,
}

impl DeploymentList {
    /// The keymap context while the view is open.
    pub fn context(&self) -> Context {
        if self.confirm.is_some() {
            Context::Confirm
        } else if self.form.is_some() {
            Context::DeploymentForm
        } else {
            Context::Deployments
        }
    }

    pub fn selected(&self) -> Option<&DeploymentRow> {
        self.deployments.get(self.nav.cursor)
    }

    /// Keep the cursors on their pages (`page` list rows, `runs_page` run rows) after a
    /// resize or a reload; leave the runs when there are none.
    pub fn clamp(&mut self, page: usize, runs_page: usize) {
        self.nav.clamp(self.deployments.len(), page);
        let runs = self.selected().map_or(0, |r| r.runs.len());
        self.runs_nav.clamp(runs, runs_page);
        if runs == 0 {
            self.detail = false;
        }
    }
}

/// Lines of the detail pane above the runs table (the summary and the table header).
pub const SUMMARY_ROWS: usize = 8;

/// What a confirmed action does to one deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeployAction {
    Pause,
    Unpause,
    Run,
    Archive,
}

impl DeployAction {
    pub fn verb(self) -> &'static str {
        match self {
            DeployAction::Pause => "pause",
            DeployAction::Unpause => "unpause",
            DeployAction::Run => "run now",
            DeployAction::Archive => "archive",
        }
    }
    /// What it means, for the confirmation.
    pub fn explain(self) -> &'static str {
        match self {
            DeployAction::Pause => {
                "Scheduled fires stop until it is unpaused; run now still works."
            }
            DeployAction::Unpause => {
                "The schedule resumes from now; missed fires are not replayed."
            }
            DeployAction::Run => "Creates a session now with the deployment's first message.",
            DeployAction::Archive => "Archiving is permanent: it never fires or runs again.",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeployConfirm {
    pub action: DeployAction,
    pub id: String,
    pub name: String,
}

/// The create/edit form's fields, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormField {
    Name,
    Agent,
    Environment,
    Cron,
    Timezone,
    Message,
}

impl FormField {
    pub const ALL: [FormField; 6] = [
        FormField::Name,
        FormField::Agent,
        FormField::Environment,
        FormField::Cron,
        FormField::Timezone,
        FormField::Message,
    ];
    pub fn label(self) -> &'static str {
        match self {
            FormField::Name => "name",
            FormField::Agent => "agent (latest version)",
            FormField::Environment => "environment",
            FormField::Cron => "schedule: cron (min hour day month weekday; empty = manual only)",
            FormField::Timezone => "schedule: timezone (IANA)",
            FormField::Message => "first message",
        }
    }
    /// Typed into (the others are pick lists).
    pub fn is_text(self) -> bool {
        !matches!(self, FormField::Agent | FormField::Environment)
    }
}

/// Create (`editing: None`) or edit one deployment. The API validates; its error is shown here
/// and the form stays open with what was typed.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentForm {
    /// The deployment being edited: (id, its initial events as sent).
    pub editing: Option<(String, Vec<serde_json::Value>)>,
    pub name: Editor,
    /// (id, name) to pick from; loaded when the form opens.
    pub agents: Vec<(String, String)>,
    pub agent: Nav,
    pub environments: Vec<(String, String)>,
    pub environment: Nav,
    /// Preselected once the choices arrive (the edited deployment's agent and environment).
    pub want_agent: Option<String>,
    pub want_environment: Option<String>,
    pub cron: Editor,
    pub timezone: Editor,
    pub message: Editor,
    pub field: FormField,
    /// The API's answer to the last save (one line with the request id).
    pub error: Option<String>,
    /// A save is in flight (a second ctrl-s waits for it).
    pub saving: bool,
    /// The agents and environments could not be listed.
    pub choices_error: Option<String>,
}

impl DeploymentForm {
    pub fn new(editing: Option<&DeploymentRow>) -> DeploymentForm {
        let (cron, tz) = editing
            .and_then(|d| d.cron.clone())
            .unwrap_or_else(|| (String::new(), "UTC".to_string()));
        let message = editing
            .map(|d| crate::model::deployments::first_message_raw(&d.initial_events))
            .unwrap_or_default();
        DeploymentForm {
            editing: editing.map(|d| (d.id.clone(), d.initial_events.clone())),
            name: Editor::single_line(editing.map_or("", |d| d.name.as_str())),
            agents: Vec::new(),
            agent: Nav::default(),
            environments: Vec::new(),
            environment: Nav::default(),
            want_agent: editing.map(|d| d.agent_id.clone()),
            want_environment: editing.map(|d| d.environment_id.clone()),
            cron: Editor::single_line(&cron),
            timezone: Editor::single_line(&tz),
            message: Editor::multi_line(&message),
            field: FormField::Name,
            error: None,
            saving: false,
            choices_error: None,
        }
    }

    pub fn editor_mut(&mut self) -> Option<&mut Editor> {
        match self.field {
            FormField::Name => Some(&mut self.name),
            FormField::Cron => Some(&mut self.cron),
            FormField::Timezone => Some(&mut self.timezone),
            FormField::Message => Some(&mut self.message),
            FormField::Agent | FormField::Environment => None,
        }
    }

    /// The choices arrived: keep them and put the cursors on the wanted ones.
    pub fn set_choices(&mut self, agents: Vec<(String, String)>, envs: Vec<(String, String)>) {
        let at = |list: &[(String, String)], want: &Option<String>| {
            want.as_ref()
                .and_then(|w| list.iter().position(|(id, _)| id == w))
                .unwrap_or(0)
        };
        self.agent.cursor = at(&agents, &self.want_agent);
        self.environment.cursor = at(&envs, &self.want_environment);
        self.agents = agents;
        self.environments = envs;
    }
}

/// Background work of the deployments view (`app/deployments_tasks.rs`).
#[derive(Debug, Clone, PartialEq)]
pub enum DeployCmd {
    Act {
        action: DeployAction,
        id: String,
        name: String,
    },
    Create(Box<CreateDeploymentParams>),
    Update {
        id: String,
        params: Box<UpdateDeploymentParams>,
    },
    /// Agents and environments for the form's pick lists.
    FormChoices,
}

/// Answers of [`DeployCmd`]s; every error is one line with the request id.
#[derive(Debug, Clone, PartialEq)]
pub enum DeployMsg {
    /// An action finished: the toast line.
    Acted {
        text: String,
        error: bool,
    },
    /// A create or update: the saved deployment's name, or the API's error.
    Saved(Result<String, String>),
    Choices(Result<FormChoices, String>),
}

/// The form's pick lists: agents and environments as (id, name).
pub type FormChoices = (Vec<(String, String)>, Vec<(String, String)>);
