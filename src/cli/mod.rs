//! One file per subcommand. The only place that prints to stdout/stderr.
#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod act;
pub mod dashboard;
pub mod deployments;
pub mod dreams;
pub mod needs;
pub mod review;
pub mod sessions;
pub mod sim;
pub mod tail;

use std::path::PathBuf;

/// Options every command takes.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Globals {
    /// API base URL (overrides the profile; env ANTHROPIC_BASE_URL).
    #[arg(long, global = true, env = "ANTHROPIC_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,
    /// Profile from config.toml.
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// Run against an in-process simulator.
    #[arg(long, global = true)]
    pub demo: bool,
    /// Config file (default: config.toml in the platform config dir).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

/// A ready client, plus the embedded simulator when running in demo mode.
pub struct Connection {
    pub client: crate::api::Client,
    pub base_url: String,
    /// Profile name shown in the header (`demo` on the simulator).
    pub profile: String,
    /// True when talking to the embedded simulator (the header shows DEMO).
    pub demo: bool,
    pub config: crate::config::Config,
    /// Keeps the embedded simulator alive.
    pub sim: Option<crate::sim::SimHandle>,
}

/// Where the API key comes from, resolved from the profile.
#[derive(Debug, Clone, PartialEq, Eq)]
enum KeySource {
    Env(String),
    Command(String),
}

/// The connection a command should make, before any I/O beyond reading the key.
#[derive(Debug, PartialEq)]
struct Plan {
    profile: String,
    /// `None` = start the embedded simulator.
    base_url: Option<String>,
    key_source: KeySource,
    workspace_id: Option<String>,
}

const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";
const DEFAULT_KEY_ENV: &str = "ANTHROPIC_API_KEY";

/// Pick the profile, base URL and key source. Flags beat env beat the profile.
fn plan(globals: &Globals, config: &crate::config::Config) -> anyhow::Result<Plan> {
    let explicit = globals.profile.clone().or(config.default_profile.clone());
    let (name, profile) = match &explicit {
        Some(name) => match config.profiles.get(name) {
            Some(p) => (name.clone(), p.clone()),
            None => {
                let known: Vec<&str> = config.profiles.keys().map(String::as_str).collect();
                anyhow::bail!(
                    "no profile named `{name}` in {} (known: {})",
                    config
                        .path
                        .as_ref()
                        .map_or("the config".to_string(), |p| p.display().to_string()),
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                );
            }
        },
        None => (
            "default".to_string(),
            config.profiles.get("default").cloned().unwrap_or_default(),
        ),
    };
    let key_source = match (&profile.api_key_command, &profile.api_key_env) {
        (Some(cmd), _) => KeySource::Command(cmd.clone()),
        (None, Some(env)) => KeySource::Env(env.clone()),
        (None, None) => KeySource::Env(DEFAULT_KEY_ENV.to_string()),
    };
    let base_url = globals.base_url.clone().or(profile.base_url.clone());
    Ok(Plan {
        profile: name,
        base_url,
        key_source,
        workspace_id: profile.workspace_id,
    })
}

/// Read the key from its source. `Ok(None)` when an env var is unset or empty.
fn read_key(profile: &str, source: &KeySource) -> anyhow::Result<Option<String>> {
    match source {
        KeySource::Env(var) => Ok(std::env::var(var).ok().filter(|k| !k.trim().is_empty())),
        KeySource::Command(cmd) => {
            let out = std::process::Command::new("sh")
                .arg("-c")
                .arg(cmd)
                .stdin(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .output()
                .map_err(|e| {
                    anyhow::anyhow!("profile `{profile}`: cannot run api_key_command: {e}")
                })?;
            if !out.status.success() {
                anyhow::bail!(
                    "profile `{profile}`: api_key_command failed ({})",
                    out.status
                );
            }
            // Never echo the output: it is the secret.
            let key = String::from_utf8(out.stdout).map_err(|_| {
                anyhow::anyhow!("profile `{profile}`: api_key_command printed non-UTF-8")
            })?;
            let key = key.trim().to_string();
            if key.is_empty() {
                anyhow::bail!("profile `{profile}`: api_key_command printed nothing");
            }
            Ok(Some(key))
        }
    }
}

/// Resolve config, flags and env into a client; start the embedded simulator when there is no key
/// and no base URL, or when `--demo` is given.
pub async fn connect(globals: &Globals) -> anyhow::Result<Connection> {
    let config = crate::config::Config::load(globals.config.as_deref())?;
    let plan = plan(globals, &config)?;
    let key = if globals.demo {
        None
    } else {
        read_key(&plan.profile, &plan.key_source)?
    };
    let demo = globals.demo || (key.is_none() && plan.base_url.is_none());
    if globals.demo
        && let Some(url) = &plan.base_url
    {
        eprintln!("overseer: --demo runs the built-in simulator; ignoring the base URL {url}");
    }
    if demo {
        let sim = crate::sim::start(
            crate::sim::SimOptions::default(),
            ([127, 0, 0, 1], 0).into(),
        )
        .await
        .map_err(|e| anyhow::anyhow!("cannot start the embedded simulator: {e:#}"))?;
        let base_url = sim.base_url();
        let client =
            crate::api::Client::new(crate::api::ClientConfig::new(base_url.clone(), None))?;
        tracing::info!(%base_url, "connected to the embedded simulator");
        return Ok(Connection {
            client,
            base_url,
            profile: "demo".to_string(),
            demo: true,
            config,
            sim: Some(sim),
        });
    }
    let base_url = plan
        .base_url
        .clone()
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_string());
    let mut cfg =
        crate::api::ClientConfig::new(base_url.clone(), key.map(crate::api::client::ApiKey::new));
    cfg.workspace_id = plan.workspace_id.clone();
    let client = crate::api::Client::new(cfg)?;
    tracing::info!(profile = %plan.profile, %base_url, "connected");
    Ok(Connection {
        client,
        base_url,
        profile: plan.profile,
        demo: false,
        config,
        sim: None,
    })
}

/// Send tracing output to `<state dir>/overseer.log` (never the terminal). The level comes from
/// `OVERSEER_LOG` (default `overseer=info`). Keep the guard alive for the program's life.
pub fn init_logging() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dir = crate::config::state_dir()?;
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::never(&dir, "overseer.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("OVERSEER_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("overseer=info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Profile};

    fn config_with(profiles: &[(&str, Profile)], default: Option<&str>) -> Config {
        Config {
            default_profile: default.map(str::to_string),
            profiles: profiles
                .iter()
                .map(|(n, p)| (n.to_string(), p.clone()))
                .collect(),
            ..Config::default()
        }
    }

    #[test]
    fn flag_beats_profile_base_url() {
        let p = Profile {
            base_url: Some("https://profile.example".into()),
            ..Profile::default()
        };
        let c = config_with(&[("work", p)], Some("work"));
        let g = Globals {
            base_url: Some("http://127.0.0.1:9".into()),
            ..Globals::default()
        };
        let plan = plan(&g, &c).unwrap();
        assert_eq!(plan.profile, "work");
        assert_eq!(plan.base_url.as_deref(), Some("http://127.0.0.1:9"));
        assert_eq!(plan.key_source, KeySource::Env("ANTHROPIC_API_KEY".into()));
    }

    #[test]
    fn profile_flag_picks_profile_and_key_command() {
        let p = Profile {
            api_key_command: Some("echo k".into()),
            workspace_id: Some("wrkspc_1".into()),
            ..Profile::default()
        };
        let c = config_with(&[("b", p)], None);
        let g = Globals {
            profile: Some("b".into()),
            ..Globals::default()
        };
        let plan = plan(&g, &c).unwrap();
        assert_eq!(plan.key_source, KeySource::Command("echo k".into()));
        assert_eq!(plan.workspace_id.as_deref(), Some("wrkspc_1"));
        assert_eq!(plan.base_url, None);
    }

    #[test]
    fn unknown_profile_lists_known_ones() {
        let c = config_with(&[("a", Profile::default())], None);
        let g = Globals {
            profile: Some("zz".into()),
            ..Globals::default()
        };
        let e = plan(&g, &c).unwrap_err().to_string();
        assert!(e.contains("`zz`") && e.contains("known: a"), "{e}");
    }

    #[test]
    fn key_command_output_is_trimmed_and_failure_is_clear() {
        let k = read_key("p", &KeySource::Command("printf '  sk-test \\n'".into())).unwrap();
        assert_eq!(k.as_deref(), Some("sk-test"));
        let e = read_key("p", &KeySource::Command("exit 3".into()))
            .unwrap_err()
            .to_string();
        assert!(e.contains("profile `p`") && e.contains("failed"), "{e}");
        let e = read_key("p", &KeySource::Command("true".into()))
            .unwrap_err()
            .to_string();
        assert!(e.contains("printed nothing"), "{e}");
    }
}
