//! The API key is never printed, logged or written by overseer: not on stdout, not on stderr,
//! not in the log file, not on success and not on an authentication failure.

use std::process::Command;

mod common;
use common::sim_bin::start_sim;

const KEY: &str = "sk-ant-test-SECRET-4f1c9d";

fn run(args: &[&str], state: &std::path::Path, key: &str) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_overseer"))
        .args(args)
        .env("ANTHROPIC_API_KEY", key)
        .env("OVERSEER_STATE_DIR", state)
        .env("OVERSEER_CONFIG_DIR", state.join("no-config"))
        .env("OVERSEER_LOG", "trace")
        .env_remove("ANTHROPIC_BASE_URL")
        .output()
        .expect("run overseer");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn log_text(state: &std::path::Path) -> String {
    std::fs::read_to_string(state.join("overseer.log")).unwrap_or_default()
}

#[test]
fn key_never_appears_in_output_or_logs() {
    let (_sim, url) = start_sim(&["--api-key", KEY]);
    let state = tempfile::tempdir().unwrap();

    let (ok, out) = run(
        &["sessions", "--json", "--base-url", &url],
        state.path(),
        KEY,
    );
    assert!(ok, "sessions with the right key failed: {out}");
    assert!(
        out.contains("\"type\": \"session\""),
        "no sessions listed: {out}"
    );
    assert!(!out.contains(KEY), "the key was printed");

    let log = log_text(state.path());
    assert!(
        !log.is_empty(),
        "trace logging wrote nothing, so this test proves nothing"
    );
    assert!(!log.contains(KEY), "the key was logged");
    // Not even a fragment long enough to be useful.
    assert!(!log.contains("SECRET-4f1c9d"), "part of the key was logged");
}

#[test]
fn wrong_key_is_a_clear_401_without_either_key() {
    let (_sim, url) = start_sim(&["--api-key", KEY]);
    let state = tempfile::tempdir().unwrap();
    let wrong = "sk-ant-test-WRONG-77aa01";
    let (ok, out) = run(&["sessions", "--base-url", &url], state.path(), wrong);
    assert!(!ok, "a wrong key must fail");
    assert!(
        out.contains("401") && out.contains("authentication_error"),
        "{out}"
    );
    assert!(
        out.contains("request-id req_"),
        "the error line should carry the request id: {out}"
    );
    assert!(
        !out.contains(wrong) && !out.contains(KEY),
        "a key was printed: {out}"
    );
    let log = log_text(state.path());
    assert!(
        !log.contains(wrong) && !log.contains(KEY),
        "a key was logged"
    );
}

#[test]
fn key_from_a_command_is_used_and_not_echoed() {
    let (_sim, url) = start_sim(&["--api-key", KEY]);
    let state = tempfile::tempdir().unwrap();
    let config = state.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.cmd]\nbase_url = \"{}\"\napi_key_command = \"echo {KEY}\"\n",
            url
        ),
    )
    .unwrap();
    let (ok, out) = run(
        &[
            "sessions",
            "--profile",
            "cmd",
            "--config",
            config.to_str().unwrap(),
        ],
        state.path(),
        "",
    );
    assert!(ok, "{out}");
    assert!(out.contains("STATUS"), "{out}");
    assert!(!out.contains(KEY));
    assert!(!log_text(state.path()).contains(KEY));
}

#[test]
fn broken_config_names_file_line_and_field() {
    let state = tempfile::tempdir().unwrap();
    let config = state.path().join("config.toml");
    std::fs::write(&config, "theme = \"dark\"\n[profiles.x]\nbase_url = 42\n").unwrap();
    let (ok, out) = run(
        &["sessions", "--config", config.to_str().unwrap()],
        state.path(),
        "",
    );
    assert!(!ok);
    assert!(
        out.contains("config.toml: line 3") && out.contains("field `base_url`"),
        "{out}"
    );
}

#[test]
fn no_key_says_the_key_is_missing_not_invalid() {
    let (_sim, url) = start_sim(&["--api-key", KEY]);
    let state = tempfile::tempdir().unwrap();
    let (ok, out) = run(&["sessions", "--base-url", &url], state.path(), "");
    assert!(!ok);
    assert!(
        out.contains("401 authentication_error: missing API key"),
        "{out}"
    );
}

#[test]
fn a_missing_config_file_is_named_once() {
    let state = tempfile::tempdir().unwrap();
    let (ok, out) = run(
        &["sessions", "--config", "/nonexistent/overseer.toml"],
        state.path(),
        "",
    );
    assert!(!ok);
    assert_eq!(
        out.trim(),
        "overseer: /nonexistent/overseer.toml: No such file or directory (os error 2)"
    );
}

#[test]
fn an_empty_session_id_and_a_runaway_speed_are_refused() {
    let state = tempfile::tempdir().unwrap();
    let (ok, out) = run(&["tail", ""], state.path(), "");
    assert!(!ok && out.contains("SESSION_ID is empty"), "{out}");
    let (ok, out) = run(&["sim", "--speed", "1e9"], state.path(), "");
    assert!(!ok && out.contains("at most 1000"), "{out}");
}
