//! Configuration: profiles (base URL, key source, workspace), theme, keymap overrides, mouse.
//! Paths via `directories`. CONTRACT STUB (owner: lead) — names/signatures fixed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    pub base_url: Option<String>,
    /// Environment variable holding the key (default `ANTHROPIC_API_KEY`).
    pub api_key_env: Option<String>,
    /// A command whose stdout is the key.
    pub api_key_command: Option<String>,
    pub workspace_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// The file this came from, when one existed.
    pub path: Option<PathBuf>,
    pub default_profile: Option<String>,
    pub profiles: BTreeMap<String, Profile>,
    /// Theme name: `dark` (default), `light`, `high-contrast`, or a user theme in `<config dir>/themes/`.
    pub theme: Option<String>,
    /// Mouse capture on at start (toggleable in the app).
    pub mouse: bool,
    /// Keymap overrides: action name → key spec (e.g. `"sessions.archive" = "ctrl-a"`).
    pub keys: BTreeMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Config {
    /// Load `path`, or the default `config.toml` when `None`; a missing default file is an empty config.
    pub fn load(_path: Option<&Path>) -> Result<Config, ConfigError> {
        Ok(Config::default())
    }
}

/// `<platform config dir>/overseer` (holds `config.toml` and `themes/`).
pub fn config_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "overseer").map(|d| d.config_dir().to_path_buf())
}

/// `<platform state dir>/overseer` (logs, journals).
pub fn state_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "overseer").map(|d| {
        d.state_dir()
            .unwrap_or_else(|| d.data_local_dir())
            .to_path_buf()
    })
}
