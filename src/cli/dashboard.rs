//! `overseer` (no subcommand): the dashboard.

use std::time::Duration;

use super::Globals;
use crate::app::{App, State};
use crate::theme::Theme;

#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// Disable every write (archive, delete, approvals): look, don't touch.
    #[arg(long)]
    pub read_only: bool,
    /// Theme: dark, light, high-contrast, or NAME.toml in the config dir's themes/ folder.
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,
    /// Capture the mouse at start (toggle with M; hold Shift to select text while on).
    #[arg(long)]
    pub mouse: bool,
}

/// The pause between two rounds of the session poller (jittered ±10 %; `app/poller.rs`): a
/// change is on screen within about this long, at ≤ 1.8 requests/s.
const POLL_INTERVAL: Duration = Duration::from_secs(2);

pub async fn run(args: Args, globals: &Globals) -> anyhow::Result<()> {
    let conn = super::connect(globals).await?;
    let theme_name = args
        .theme
        .clone()
        .or_else(|| conn.config.theme.clone())
        .unwrap_or_else(|| "dark".to_string());
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let config_dir = crate::config::config_dir();
    let theme = Theme::load(&theme_name, config_dir.as_deref(), no_color)?;
    let (mut keymap, key_errors) = crate::app::keymap::Keymap::with_overrides(&conn.config.keys);
    let config_file = conn
        .config
        .path
        .as_ref()
        .map_or_else(|| "config.toml".to_string(), |p| p.display().to_string());
    keymap.problems = key_errors
        .iter()
        .map(|e| format!("{config_file}: {e}"))
        .collect();

    let mut state = State::new(crate::app::terminal::now_secs());
    state.profile = conn.profile.clone();
    state.base_url = conn.base_url.clone();
    state.demo = conn.demo;
    state.read_only = args.read_only;
    state.mouse = args.mouse || conn.config.mouse;
    state.needs.notify = conn.config.notify;
    state.keymap = keymap;
    // The dream review journal: the same file `overseer review` uses for this API.
    let workspace = super::plan(globals, &conn.config)
        .ok()
        .and_then(|p| p.workspace_id);
    state.review.journal =
        crate::review::Journal::default_path(&conn.base_url, workspace.as_deref())
            .ok()
            .map(|path| crate::app::review_view::JournalSetup {
                path,
                base_url: conn.base_url.clone(),
                workspace,
            });
    let mut app = App::new(state, Some(conn.client.clone()));
    if !key_errors.is_empty() {
        // Every problem, with the file; `?` lists them again after the toast is gone.
        app.handle(crate::app::Msg::Done {
            text: format!(
                "{config_file}: {} (defaults kept; ? lists them)",
                key_errors.join("; ")
            ),
            error: true,
        });
    }
    app.start(POLL_INTERVAL);
    let result = crate::app::terminal::run(app, theme).await;
    // Keep the embedded simulator alive until the dashboard is gone.
    drop(conn);
    result.map_err(|e| anyhow::anyhow!("terminal: {e}"))
}
