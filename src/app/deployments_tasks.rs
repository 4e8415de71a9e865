//! Runs the deployments view's [`DeployCmd`]s against the API and reports each as one
//! [`DeployMsg`] (errors as one line with the request id).

use futures::StreamExt;
use tokio::sync::mpsc::UnboundedSender;

use crate::api::types::ListParams;
use crate::api::{ApiError, Client};
use crate::app::deployments::{DeployAction, DeployCmd, DeployMsg, FormChoices};
use crate::app::msg::Msg;
use crate::model::deployments::run_line;
use crate::text;

/// Agents and environments listed for the form at most.
const MAX_CHOICES: usize = 200;

pub async fn run(client: Client, tx: UnboundedSender<Msg>, cmd: DeployCmd) {
    let msg = match cmd {
        DeployCmd::Act { action, id, name } => act(&client, action, &id, &name).await,
        DeployCmd::Create(params) => DeployMsg::Saved(
            client
                .create_deployment(&params)
                .await
                .map(|d| text::one_line(&d.name))
                .map_err(|e| e.to_string()),
        ),
        DeployCmd::Update { id, params } => DeployMsg::Saved(
            client
                .update_deployment(&id, &params)
                .await
                .map(|d| text::one_line(&d.name))
                .map_err(|e| e.to_string()),
        ),
        DeployCmd::FormChoices => DeployMsg::Choices(choices(&client).await),
    };
    let _ = tx.send(Msg::Deploy(msg));
}

async fn act(client: &Client, action: DeployAction, id: &str, name: &str) -> DeployMsg {
    let done = |verb: &str| DeployMsg::Acted {
        text: format!("{verb} {name}"),
        error: false,
    };
    let result = match action {
        DeployAction::Pause => client.pause_deployment(id).await.map(|_| done("paused")),
        DeployAction::Unpause => client
            .unpause_deployment(id)
            .await
            .map(|_| done("unpaused")),
        DeployAction::Archive => client
            .archive_deployment(id)
            .await
            .map(|_| done("archived")),
        DeployAction::Run => client.run_deployment(id).await.map(|run| {
            let (text, error) = run_line(name, &run);
            DeployMsg::Acted { text, error }
        }),
    };
    result.unwrap_or_else(|e: ApiError| DeployMsg::Acted {
        text: format!("{} {name}: {e}", action.verb()),
        error: true,
    })
}

async fn choices(client: &Client) -> Result<FormChoices, String> {
    let params = ListParams {
        limit: Some(100),
        ..Default::default()
    };
    let mut agents = Vec::new();
    let mut stream = Box::pin(client.agents_all(params.clone()).take(MAX_CHOICES));
    while let Some(a) = stream.next().await {
        let a = a.map_err(|e| format!("listing agents: {e}"))?;
        agents.push((a.id, a.name));
    }
    let mut envs = Vec::new();
    let mut stream = Box::pin(client.environments_all(params).take(MAX_CHOICES));
    while let Some(e) = stream.next().await {
        let e = e.map_err(|e| format!("listing environments: {e}"))?;
        envs.push((e.id, e.name));
    }
    Ok((agents, envs))
}
