//! One file per subcommand. The only place that prints to stdout/stderr.
#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod dashboard;
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

/// Resolve config, flags and env into a client; start the embedded simulator when there is no key
/// or `--demo` is given. CONTRACT STUB (owner: lead).
pub async fn connect(_globals: &Globals) -> anyhow::Result<Connection> {
    anyhow::bail!("not implemented yet")
}
