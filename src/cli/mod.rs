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
