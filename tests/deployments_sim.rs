//! Deployments against the simulator, asserted through the API: create and update with the
//! API's validation errors; pause, unpause, run (a session with the deployment's id) and
//! archive from the dashboard (confirmed) and from `overseer deployments` (the real binary).

use std::process::Command;

use crossterm::event::{KeyCode, KeyModifiers};
use overseer::api::types::{
    CreateDeploymentParams, DeploymentStatus, ListDeploymentRunsParams, ListParams, Patch,
    PausedReason, ScheduleParams, UpdateDeploymentParams,
};
use overseer::api::{Client, ClientConfig, EventParams};
use overseer::app::state::State;
use overseer::app::{App, Msg};
use overseer::sim::{SimOptions, start};
use overseer::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

mod common;
use common::Harness;
use common::sim_bin::start_sim;

async fn agent_and_env(client: &Client) -> (String, String) {
    let agents = client.list_agents(&ListParams::default()).await.unwrap();
    let envs = client
        .list_environments(&ListParams::default())
        .await
        .unwrap();
    (agents.data[0].id.clone(), envs.data[0].id.clone())
}

fn params(agent: &str, env: &str, cron: &str, tz: &str) -> CreateDeploymentParams {
    CreateDeploymentParams {
        name: "Nightly sweep".into(),
        agent: agent.into(),
        environment_id: env.into(),
        initial_events: vec![EventParams::user_text("Sweep the stale branches.")],
        schedule: Some(ScheduleParams::cron(cron, tz)),
        ..Default::default()
    }
}

/// The message of a 400 `invalid_request_error`.
fn bad_request(e: overseer::api::ApiError) -> String {
    assert_eq!(e.status(), Some(400), "{e}");
    assert_eq!(e.error_type(), Some("invalid_request_error"), "{e}");
    match e {
        overseer::api::ApiError::Http(h) => h.message,
        other => panic!("{other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_and_update_validate_as_the_api_does() {
    let sim = start(SimOptions::default(), ([127, 0, 0, 1], 0).into())
        .await
        .expect("simulator");
    let client = Client::new(ClientConfig::new(sim.base_url(), None)).expect("client");
    let (agent, env) = agent_and_env(&client).await;

    let cases = [
        (
            params(&agent, &env, "0 9 * *", "UTC"),
            "schedule.expression: invalid cron expression \"0 9 * *\": cron expression must have 5 fields, got 4",
        ),
        (
            params(&agent, &env, "61 * * * *", "UTC"),
            "schedule.expression: invalid cron expression \"61 * * * *\": \"61\" is out of range 0-59",
        ),
        (
            params(&agent, &env, "0 9 * * *", "Mars/Olympus"),
            "schedule.timezone: \"Mars/Olympus\" is not a known IANA timezone",
        ),
        (
            params("agent_nope", &env, "0 9 * * *", "UTC"),
            "agent: agent \"agent_nope\" does not exist",
        ),
        (
            params(&agent, "env_nope", "0 9 * * *", "UTC"),
            "environment_id: environment \"env_nope\" does not exist",
        ),
        (
            CreateDeploymentParams {
                initial_events: Vec::new(),
                ..params(&agent, &env, "0 9 * * *", "UTC")
            },
            "initial_events: must contain between 1 and 50 events, got 0",
        ),
    ];
    for (p, want) in cases {
        let e = client.create_deployment(&p).await.unwrap_err();
        assert_eq!(bad_request(e), want);
    }

    let d = client
        .create_deployment(&params(&agent, &env, "30 6 * * 1-5", "Europe/Paris"))
        .await
        .expect("create");
    let got = client.get_deployment(&d.id).await.unwrap();
    assert_eq!(got.name, "Nightly sweep");
    assert_eq!(got.agent.id, agent);
    assert_eq!(got.status, DeploymentStatus::Active);
    let s = got.schedule.clone().unwrap();
    assert_eq!(
        (s.expression.as_str(), s.timezone.as_str()),
        ("30 6 * * 1-5", "Europe/Paris")
    );
    assert_eq!(s.upcoming_runs_at.len(), 5);

    // Update: only what is sent changes; schedule null makes it manual-only.
    let u = UpdateDeploymentParams {
        name: Some("Weekly sweep".into()),
        schedule: Patch::Clear,
        ..Default::default()
    };
    client.update_deployment(&d.id, &u).await.expect("update");
    let got = client.get_deployment(&d.id).await.unwrap();
    assert_eq!(got.name, "Weekly sweep");
    assert_eq!(got.schedule, None);
    assert_eq!(got.environment_id, env);
    let bad = UpdateDeploymentParams {
        schedule: Patch::Set(ScheduleParams::cron("0 9 L * *", "UTC")),
        ..Default::default()
    };
    let e = client.update_deployment(&d.id, &bad).await.unwrap_err();
    assert!(bad_request(e).starts_with("schedule.expression: invalid cron expression"));
    assert_eq!(
        client.get_deployment(&d.id).await.unwrap().name,
        "Weekly sweep"
    );

    // Archived: terminal.
    client.archive_deployment(&d.id).await.expect("archive");
    let e = client.update_deployment(&d.id, &u).await.unwrap_err();
    assert_eq!(
        bad_request(e),
        format!("deployment {} is archived and cannot be updated", d.id)
    );
    let e = client.run_deployment(&d.id).await.unwrap_err();
    assert_eq!(bad_request(e), format!("deployment {} is archived", d.id));
}

fn harness(client: Client) -> Harness {
    let mut state = State::new(overseer::app::terminal::now_secs());
    state.demo = true;
    let mut h = Harness {
        app: App::new(state, Some(client)),
        term: Terminal::new(TestBackend::new(160, 45)).unwrap(),
        theme: Theme::dark(),
    };
    h.app.handle(Msg::Resize(160, 45));
    h
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_creates_edits_and_acts_through_the_api() {
    let sim = start(SimOptions::default(), ([127, 0, 0, 1], 0).into())
        .await
        .expect("simulator");
    let client = Client::new(ClientConfig::new(sim.base_url(), None)).expect("client");
    let mut h = harness(client.clone());
    h.command("deployments").await;
    h.wait_for("deployments", |s| s.contains("Stale PR digest"))
        .await;

    // Create with a bad cron: the API's error is on the form, the form keeps what was typed.
    h.key(KeyCode::Char('c')).await;
    h.wait_for("choices", |s| {
        s.contains("New deployment") && s.contains("(•)")
    })
    .await;
    h.type_text("Nightly sweep").await;
    for _ in 0..3 {
        h.key(KeyCode::Tab).await;
    }
    h.type_text("0 25 * * *").await;
    for _ in 0..2 {
        h.key(KeyCode::Tab).await;
    }
    h.type_text("Sweep.").await;
    h.key_mod(KeyCode::Char('s'), KeyModifiers::CONTROL).await;
    h.wait_for("validation error", |s| {
        s.contains("✖ 400 invalid_request_error")
    })
    .await;
    let form = h
        .app
        .state
        .deployments
        .form
        .clone()
        .expect("the form stays open");
    let e = form.error.unwrap_or_default();
    assert!(
        e.starts_with("400 invalid_request_error: schedule.expression: invalid cron expression \"0 25 * * *\": \"25\" is out of range 0-23 (request-id req_"),
        "{e}"
    );
    assert_eq!(form.name.text(), "Nightly sweep");
    // Fix the hour and save.
    h.key(KeyCode::BackTab).await;
    h.key(KeyCode::BackTab).await;
    h.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL).await;
    h.type_text("0 2 * * *").await;
    h.key_mod(KeyCode::Char('s'), KeyModifiers::CONTROL).await;
    h.wait_for("created", |s| {
        s.contains("created deployment Nightly sweep")
    })
    .await;
    let all = client
        .list_deployments(&Default::default())
        .await
        .unwrap()
        .data;
    let made = all
        .iter()
        .find(|d| d.name == "Nightly sweep")
        .expect("created");
    assert_eq!(made.schedule.as_ref().unwrap().expression, "0 2 * * *");
    let id = made.id.clone();

    // Select it (newest first: the top row) and pause it: confirm, then the API reports it.
    h.wait_for("listed", |s| s.contains("Nightly sweep")).await;
    h.key(KeyCode::Char('g')).await;
    h.key(KeyCode::Char('p')).await;
    h.wait_for("confirm", |s| s.contains("Pause deployment Nightly sweep?"))
        .await;
    h.key(KeyCode::Char('y')).await;
    h.wait_for("paused", |s| s.contains("paused Nightly sweep"))
        .await;
    let d = client.get_deployment(&id).await.unwrap();
    assert_eq!(d.status, DeploymentStatus::Paused);
    assert_eq!(d.paused_reason, Some(PausedReason::Manual));
    h.key(KeyCode::Char('p')).await;
    h.wait_for("confirm", |s| s.contains("Unpause deployment"))
        .await;
    h.key(KeyCode::Char('y')).await;
    h.wait_for("unpaused", |s| s.contains("unpaused Nightly sweep"))
        .await;
    assert_eq!(
        client.get_deployment(&id).await.unwrap().status,
        DeploymentStatus::Active
    );

    // Run now: a run whose session carries the deployment's id.
    h.key(KeyCode::Char('r')).await;
    h.wait_for("confirm", |s| s.contains("Run now deployment"))
        .await;
    h.key(KeyCode::Char('y')).await;
    h.wait_for("ran", |s| s.contains("started session")).await;
    let runs = client
        .list_deployment_runs(&ListDeploymentRunsParams {
            deployment_id: Some(id.clone()),
            ..Default::default()
        })
        .await
        .unwrap()
        .data;
    assert_eq!(runs.len(), 1);
    let sid = runs[0].session_id.clone().expect("a session");
    let session = client.get_session(&sid).await.unwrap();
    assert_eq!(session.deployment_id.as_deref(), Some(id.as_str()));

    // Edit: the name changes through the API.
    h.key(KeyCode::Char('e')).await;
    h.wait_for("edit form", |s| {
        s.contains("Edit deployment") && s.contains("(•)")
    })
    .await;
    h.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL).await;
    h.type_text("Nightly sweep v2").await;
    h.key_mod(KeyCode::Char('s'), KeyModifiers::CONTROL).await;
    h.wait_for("saved", |s| s.contains("saved deployment Nightly sweep v2"))
        .await;
    assert_eq!(
        client.get_deployment(&id).await.unwrap().name,
        "Nightly sweep v2"
    );

    // Archive, confirmed.
    h.key(KeyCode::Char('D')).await;
    h.wait_for("confirm", |s| s.contains("Archiving is permanent"))
        .await;
    h.key(KeyCode::Char('y')).await;
    h.wait_for("archived", |s| s.contains("archived Nightly sweep v2"))
        .await;
    assert!(
        client
            .get_deployment(&id)
            .await
            .unwrap()
            .archived_at
            .is_some()
    );
}

fn run(base: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_overseer"))
        .args(["--base-url", base])
        .args(args)
        .env_remove("ANTHROPIC_API_KEY")
        .output()
        .expect("run overseer");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_commands_act_and_fail_clearly() {
    let (_sim, base) = start_sim(&[]);
    let client = Client::new(ClientConfig::new(&base, None)).expect("client");
    let (code, out, err) = run(&base, &["deployments", "--json"]);
    assert_eq!(code, Some(0), "{err}");
    let list: Vec<serde_json::Value> = serde_json::from_str(&out).expect("a JSON array");
    let digest = list
        .iter()
        .find(|d| d["name"] == "Stale PR digest")
        .expect("the demo deployment");
    let id = digest["id"].as_str().unwrap().to_string();
    let (code, out, _) = run(&base, &["deployments"]);
    assert_eq!(code, Some(0));
    assert!(out.starts_with("ID "), "{out}");
    assert!(out.contains("Stale PR digest"), "{out}");
    assert!(
        out.contains("paused (error: vault_archived_error)"),
        "{out}"
    );

    let (code, out, err) = run(&base, &["deployments", "pause", &id]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        out.trim(),
        format!("paused {id} (Stale PR digest): paused (manual)")
    );
    assert_eq!(
        client.get_deployment(&id).await.unwrap().status,
        DeploymentStatus::Paused
    );
    let (code, _, err) = run(&base, &["deployments", "unpause", &id]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        client.get_deployment(&id).await.unwrap().status,
        DeploymentStatus::Active
    );
    let (code, out, err) = run(&base, &["deployments", "run", &id]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("started session sesn_"), "{out}");
    let (code, _, err) = run(&base, &["deployments", "archive", &id]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        client
            .get_deployment(&id)
            .await
            .unwrap()
            .archived_at
            .is_some()
    );

    // Failures: one clear line, exit 1.
    let (code, _, err) = run(&base, &["deployments", "run", &id]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains(&format!(
            "400 invalid_request_error: deployment {id} is archived"
        )),
        "{err}"
    );
    assert!(err.contains("request-id"), "{err}");
    let (code, _, err) = run(&base, &["deployments", "pause", "depl_nope"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("404 not_found_error"), "{err}");
    // A run the API recorded without a session (the triage deployment's vault is archived).
    let triage = list
        .iter()
        .find(|d| d["name"] == "Hourly support triage")
        .and_then(|d| d["id"].as_str())
        .unwrap();
    let (code, _, err) = run(&base, &["deployments", "run", triage]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("created no session: vault_archived_error"),
        "{err}"
    );
}
