//! Configuration: profiles (base URL, key source, workspace), theme, keymap overrides, mouse.
//!
//! `config.toml` lives in the platform config directory (see [`config_dir`]) and is optional:
//!
//! ```toml
//! default_profile = "work"
//! theme = "dark"            # dark | light | high-contrast | a file in <config dir>/themes/
//! mouse = false
//!
//! [profiles.work]
//! base_url = "https://api.anthropic.com"
//! api_key_env = "ANTHROPIC_API_KEY"      # or: api_key_command = "pass show anthropic"
//! workspace_id = "wrkspc_..."
//!
//! [keys]
//! "sessions.archive" = "ctrl-a"
//!
//! [notify]                  # a new call waiting for you, a watched session's error
//! bell = true
//! desktop = true            # OSC 9 / OSC 777
//! when = "unfocused"        # unfocused | always | never
//! ```
//!
//! A broken file is an error that names the file, the line and the field.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// `[notify]`: bell and desktop notifications.
    pub notify: NotifySettings,
}

/// When a notification may be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NotifyWhen {
    /// Only while the terminal does not have focus (the default).
    #[default]
    Unfocused,
    Always,
    Never,
}

impl NotifyWhen {
    pub fn parse(s: &str) -> Option<NotifyWhen> {
        match s {
            "unfocused" => Some(NotifyWhen::Unfocused),
            "always" => Some(NotifyWhen::Always),
            "never" => Some(NotifyWhen::Never),
            _ => None,
        }
    }
}

/// `[notify]`: a new call waiting for a person, or a watched session's error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotifySettings {
    /// Ring the terminal bell.
    pub bell: bool,
    /// OSC 9 / OSC 777 desktop notification.
    pub desktop: bool,
    pub when: NotifyWhen,
}

impl Default for NotifySettings {
    fn default() -> Self {
        NotifySettings {
            bell: true,
            desktop: true,
            when: NotifyWhen::Unfocused,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NotifyFile {
    bell: Option<bool>,
    desktop: Option<bool>,
    when: Option<String>,
}

/// The file's shape; kept apart from [`Config`] so the public struct can carry derived fields.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    default_profile: Option<String>,
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
    theme: Option<String>,
    #[serde(default)]
    mouse: bool,
    #[serde(default)]
    keys: BTreeMap<String, String>,
    #[serde(default)]
    notify: NotifyFile,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    /// The file could not be read (the I/O error is this error's message, not a separate
    /// source, so a chain printer does not repeat it).
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl Config {
    /// Load `path`, or the default `config.toml` when `None`; a missing default file is an empty
    /// config, a missing explicit file is an error.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let (path, explicit) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => match config_dir() {
                Some(dir) => (dir.join("config.toml"), false),
                None => return Ok(Config::default()),
            },
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
                return Ok(Config::default());
            }
            Err(error) => return Err(ConfigError::Io { path, error }),
        };
        Config::parse(&text, &path)
    }

    /// Parse the text of a config file; `path` is only used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let file: ConfigFile = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: describe_toml_error(text, &e),
        })?;
        let mut notify = NotifySettings::default();
        notify.bell = file.notify.bell.unwrap_or(notify.bell);
        notify.desktop = file.notify.desktop.unwrap_or(notify.desktop);
        if let Some(when) = &file.notify.when {
            notify.when = NotifyWhen::parse(when).ok_or_else(|| ConfigError::Invalid {
                path: path.to_path_buf(),
                message: format!(
                    "[notify] field `when`: `{when}` is not one of unfocused, always, never"
                ),
            })?;
        }
        let config = Config {
            notify,
            path: Some(path.to_path_buf()),
            default_profile: file.default_profile,
            profiles: file.profiles,
            theme: file.theme,
            mouse: file.mouse,
            keys: file.keys,
        };
        if let Some(name) = &config.default_profile
            && !config.profiles.contains_key(name)
        {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                message: format!(
                    "field `default_profile`: no profile named `{name}` (add a [profiles.{name}] table)"
                ),
            });
        }
        for (name, p) in &config.profiles {
            if p.api_key_env.is_some() && p.api_key_command.is_some() {
                return Err(ConfigError::Invalid {
                    path: path.to_path_buf(),
                    message: format!(
                        "[profiles.{name}]: set either `api_key_env` or `api_key_command`, not both"
                    ),
                });
            }
            if let Some(url) = &p.base_url
                && !(url.starts_with("http://") || url.starts_with("https://"))
            {
                return Err(ConfigError::Invalid {
                    path: path.to_path_buf(),
                    message: format!(
                        "[profiles.{name}] field `base_url`: `{url}` must start with http:// or https://"
                    ),
                });
            }
        }
        Ok(config)
    }
}

/// `line N, column M: <what serde said>` — the toml crate's own message spans several lines
/// with a source excerpt; one line reads better in a terminal and in a toast.
fn describe_toml_error(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim().to_string();
    let Some(span) = e.span() else {
        return message;
    };
    let start = span.start.min(text.len());
    let before = &text[..start];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    // The field is the key of the line the error points into (`key = value`).
    let line_text = text.lines().nth(line - 1).unwrap_or("");
    let field = line_text
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"'))
        .filter(|k| !k.is_empty() && !k.starts_with('['));
    match field {
        Some(f) => format!("line {line}, column {column}, field `{f}`: {message}"),
        None => format!("line {line}, column {column}: {message}"),
    }
}

/// `<platform config dir>/overseer` (holds `config.toml` and `themes/`).
/// `OVERSEER_CONFIG_DIR` overrides it (tests, portable set-ups).
pub fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("OVERSEER_CONFIG_DIR") {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "overseer").map(|d| d.config_dir().to_path_buf())
}

/// `<platform state dir>/overseer` (logs, journals). `OVERSEER_STATE_DIR` overrides it.
pub fn state_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("OVERSEER_STATE_DIR") {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "overseer").map(|d| {
        d.state_dir()
            .unwrap_or_else(|| d.data_local_dir())
            .to_path_buf()
    })
}

/// `<platform data dir>/overseer` (the review journal). `OVERSEER_DATA_DIR` overrides it.
pub fn data_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("OVERSEER_DATA_DIR") {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "overseer").map(|d| d.data_dir().to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, Path::new("/x/config.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn full_file_parses() {
        let c = parse(
            r#"
default_profile = "work"
theme = "light"
mouse = true

[profiles.work]
base_url = "https://api.anthropic.com"
api_key_command = "pass show anthropic"
workspace_id = "wrkspc_1"

[profiles.local]
base_url = "http://127.0.0.1:4010"
api_key_env = "LOCAL_KEY"

[keys]
"sessions.archive" = "ctrl-a"
"#,
        )
        .unwrap();
        assert_eq!(c.default_profile.as_deref(), Some("work"));
        assert_eq!(c.theme.as_deref(), Some("light"));
        assert!(c.mouse);
        assert_eq!(
            c.profiles["work"].api_key_command.as_deref(),
            Some("pass show anthropic")
        );
        assert_eq!(
            c.profiles["local"].api_key_env.as_deref(),
            Some("LOCAL_KEY")
        );
        assert_eq!(c.keys["sessions.archive"], "ctrl-a");
    }

    #[test]
    fn empty_file_is_default() {
        let c = parse("").unwrap();
        assert_eq!(c.profiles.len(), 0);
        assert!(!c.mouse);
    }

    #[test]
    fn unknown_field_names_file_line_and_field() {
        let e =
            parse("theme = \"dark\"\n\n[profiles.work]\nbase_ulr = \"https://x\"\n").unwrap_err();
        assert!(e.starts_with("/x/config.toml: line 4, column 1"), "{e}");
        assert!(e.contains("base_ulr"), "{e}");
    }

    #[test]
    fn wrong_type_names_line_and_field() {
        let e = parse("mouse = \"yes\"\n").unwrap_err();
        assert!(e.starts_with("/x/config.toml: line 1"), "{e}");
        assert!(e.contains("field `mouse`") && e.contains("boolean"), "{e}");
    }

    #[test]
    fn broken_syntax_names_line() {
        let e = parse("theme = \"dark\"\n[profiles.work\n").unwrap_err();
        assert!(e.starts_with("/x/config.toml: line 2"), "{e}");
    }

    #[test]
    fn default_profile_must_exist() {
        let e = parse("default_profile = \"nope\"\n").unwrap_err();
        assert!(e.contains("default_profile") && e.contains("nope"), "{e}");
    }

    #[test]
    fn key_source_is_one_or_the_other() {
        let e = parse("[profiles.a]\napi_key_env = \"A\"\napi_key_command = \"b\"\n").unwrap_err();
        assert!(e.contains("[profiles.a]"), "{e}");
    }

    #[test]
    fn base_url_needs_a_scheme() {
        let e = parse("[profiles.a]\nbase_url = \"api.anthropic.com\"\n").unwrap_err();
        assert!(e.contains("base_url"), "{e}");
    }

    #[test]
    fn notify_section_parses_and_bad_when_is_a_clear_error() {
        let c = parse("[notify]\nbell = false\nwhen = \"always\"\n").unwrap();
        assert_eq!(
            c.notify,
            NotifySettings {
                bell: false,
                desktop: true,
                when: NotifyWhen::Always
            }
        );
        assert_eq!(parse("").unwrap().notify, NotifySettings::default());
        let e = parse("[notify]\nwhen = \"sometimes\"\n").unwrap_err();
        assert!(
            e.ends_with(
                "[notify] field `when`: `sometimes` is not one of unfocused, always, never"
            ),
            "{e}"
        );
    }

    #[test]
    fn missing_explicit_file_is_an_error_missing_default_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.toml");
        let e = Config::load(Some(&missing)).unwrap_err().to_string();
        assert!(e.contains("nope.toml"), "{e}");
    }
}
