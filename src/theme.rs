//! Semantic styles loaded from `themes/*.toml` (compiled in), overridable per key from
//! `<config dir>/themes/NAME.toml`. Widgets ask for a meaning (`state_errored`, `event_tool`),
//! never for a colour.

use std::path::Path;

use ratatui::style::{Color, Modifier, Style};

const DARK: &str = include_str!("../themes/dark.toml");
const LIGHT: &str = include_str!("../themes/light.toml");
const HIGH_CONTRAST: &str = include_str!("../themes/high-contrast.toml");

/// Names of the built-in themes.
pub const BUILTIN: [&str; 3] = ["dark", "light", "high-contrast"];

macro_rules! theme_keys {
    ($($key:ident),* $(,)?) => {
        /// One style per meaning. See `themes/dark.toml` for what each key is for.
        #[derive(Debug, Clone, PartialEq)]
        pub struct Theme {
            /// The theme's name as given (for the header and diagnostics).
            pub name: String,
            $(pub $key: Style,)*
        }

        impl Theme {
            /// Every semantic key, in file order.
            pub const KEYS: &'static [&'static str] = &[$(stringify!($key)),*];

            fn blank(name: &str) -> Theme {
                Theme { name: name.to_string(), $($key: Style::default(),)* }
            }

            fn slot(&mut self, key: &str) -> Option<&mut Style> {
                match key {
                    $(stringify!($key) => Some(&mut self.$key),)*
                    _ => None,
                }
            }

            fn each_mut(&mut self, mut f: impl FnMut(&mut Style)) {
                $(f(&mut self.$key);)*
            }
        }
    };
}

theme_keys!(
    text,
    dim,
    border,
    border_focused,
    title,
    header,
    header_dim,
    badge_demo,
    badge_read_only,
    attention,
    selection,
    mark,
    column_header,
    footer_key,
    footer_label,
    toast_error,
    toast_info,
    search_match,
    input,
    overlay,
    conn_ok,
    conn_retrying,
    conn_down,
    state_running,
    state_idle,
    state_needs_approval,
    state_needs_input,
    state_rescheduling,
    state_errored,
    state_budget_reached,
    state_terminated,
    state_archived,
    event_time,
    event_user,
    event_agent,
    event_thinking,
    event_tool,
    event_tool_result,
    event_error,
    event_status,
    event_span,
    event_thread,
    event_other,
    event_preview,
    event_gap,
    event_paused,
    json_key,
    json_string,
    json_number,
    json_punct,
    money,
    tokens,
    diff_added,
    diff_removed,
    diff_added_word,
    diff_removed_word,
    diff_hunk,
);

/// A theme file that could not be used as written.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ThemeError {
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error(
        "unknown theme {0:?} (built in: dark, light, high-contrast; or put NAME.toml in the themes folder)"
    )]
    Unknown(String),
}

fn parse_color(s: &str) -> Option<Color> {
    let s = s.trim();
    if let Some(hex) = s.strip_prefix('#') {
        if hex.len() != 6 {
            return None;
        }
        let n = u32::from_str_radix(hex, 16).ok()?;
        return Some(Color::Rgb((n >> 16) as u8, (n >> 8) as u8, n as u8));
    }
    if let Ok(i) = s.parse::<u8>() {
        return Some(Color::Indexed(i));
    }
    Some(
        match s.to_ascii_lowercase().replace(['_', '-', ' '], "").as_str() {
            "reset" | "default" => Color::Reset,
            "black" => Color::Black,
            "red" => Color::Red,
            "green" => Color::Green,
            "yellow" => Color::Yellow,
            "blue" => Color::Blue,
            "magenta" => Color::Magenta,
            "cyan" => Color::Cyan,
            "gray" | "grey" => Color::Gray,
            "darkgray" | "darkgrey" => Color::DarkGray,
            "lightred" => Color::LightRed,
            "lightgreen" => Color::LightGreen,
            "lightyellow" => Color::LightYellow,
            "lightblue" => Color::LightBlue,
            "lightmagenta" => Color::LightMagenta,
            "lightcyan" => Color::LightCyan,
            "white" => Color::White,
            _ => return None,
        },
    )
}

fn parse_style(value: &toml::Value) -> Result<Style, String> {
    let table = value
        .as_table()
        .ok_or_else(|| "expected a table like { fg = \"red\", bold = true }".to_string())?;
    let mut style = Style::default();
    for (k, v) in table {
        match k.as_str() {
            "fg" | "bg" => {
                let name = v.as_str().ok_or_else(|| format!("{k} must be a string"))?;
                let color = parse_color(name).ok_or_else(|| format!("unknown colour {name:?}"))?;
                style = if k == "fg" {
                    style.fg(color)
                } else {
                    style.bg(color)
                };
            }
            "bold" | "dim" | "italic" | "underline" | "reversed" => {
                let on = v
                    .as_bool()
                    .ok_or_else(|| format!("{k} must be true or false"))?;
                let m = match k.as_str() {
                    "bold" => Modifier::BOLD,
                    "dim" => Modifier::DIM,
                    "italic" => Modifier::ITALIC,
                    "underline" => Modifier::UNDERLINED,
                    _ => Modifier::REVERSED,
                };
                style = if on {
                    style.add_modifier(m)
                } else {
                    style.remove_modifier(m)
                };
            }
            other => return Err(format!("unknown attribute {other:?}")),
        }
    }
    Ok(style)
}

impl Theme {
    /// A built-in theme by name.
    pub fn builtin(name: &str) -> Option<Theme> {
        let src = match name {
            "dark" => DARK,
            "light" => LIGHT,
            "high-contrast" => HIGH_CONTRAST,
            _ => return None,
        };
        // The built-in files are tested to parse; fall back to blank styles rather than panic.
        let mut theme = Theme::blank(name);
        let _ = theme.apply_toml(src, name);
        Some(theme)
    }

    /// The default theme.
    pub fn dark() -> Theme {
        Theme::builtin("dark").unwrap_or_else(|| Theme::blank("dark"))
    }

    /// Overlay the keys a TOML theme file sets. Unknown keys are errors so typos are seen.
    pub fn apply_toml(&mut self, src: &str, file: &str) -> Result<(), ThemeError> {
        let invalid = |message: String| ThemeError::Invalid {
            file: file.to_string(),
            message,
        };
        let doc: toml::Table = src
            .parse()
            .map_err(|e: toml::de::Error| invalid(e.to_string()))?;
        let Some(styles) = doc.get("styles") else {
            return Ok(());
        };
        let styles = styles
            .as_table()
            .ok_or_else(|| invalid("[styles] must be a table".into()))?;
        for (key, value) in styles {
            let style = parse_style(value).map_err(|m| invalid(format!("styles.{key}: {m}")))?;
            let slot = self
                .slot(key)
                .ok_or_else(|| invalid(format!("unknown style key {key:?}")))?;
            *slot = style;
        }
        Ok(())
    }

    /// Resolve a theme name: `<config_dir>/themes/NAME.toml` when it exists (overriding the
    /// keys it sets on top of its `inherits`, the built-in of the same name, or dark),
    /// else the built-in. `no_color` strips every colour (the `NO_COLOR` convention).
    pub fn load(
        name: &str,
        config_dir: Option<&Path>,
        no_color: bool,
    ) -> Result<Theme, ThemeError> {
        let user_file = config_dir.map(|d| d.join("themes").join(format!("{name}.toml")));
        let mut theme = match user_file.as_deref().filter(|p| p.is_file()) {
            Some(path) => {
                let file = path.display().to_string();
                let src = std::fs::read_to_string(path).map_err(|e| ThemeError::Invalid {
                    file: file.clone(),
                    message: e.to_string(),
                })?;
                let base = src
                    .parse::<toml::Table>()
                    .ok()
                    .and_then(|t| t.get("inherits").and_then(|v| v.as_str().map(String::from)));
                let mut theme = base
                    .as_deref()
                    .and_then(Theme::builtin)
                    .or_else(|| Theme::builtin(name))
                    .unwrap_or_else(Theme::dark);
                theme.apply_toml(&src, &file)?;
                theme.name = name.to_string();
                theme
            }
            None => Theme::builtin(name).ok_or_else(|| ThemeError::Unknown(name.to_string()))?,
        };
        if no_color {
            theme.strip_colors();
        }
        Ok(theme)
    }

    /// Remove all colours, keep modifiers; selection and badges become reverse video so they
    /// still stand out.
    pub fn strip_colors(&mut self) {
        let had_bg = |s: &Style| s.bg.is_some_and(|c| c != Color::Reset);
        let (sel, gap, paused) = (
            had_bg(&self.selection),
            had_bg(&self.event_gap),
            had_bg(&self.event_paused),
        );
        self.each_mut(|s| {
            *s = Style {
                add_modifier: s.add_modifier,
                sub_modifier: s.sub_modifier,
                ..Style::default()
            };
        });
        for s in [
            &mut self.badge_demo,
            &mut self.badge_read_only,
            &mut self.footer_key,
            &mut self.toast_error,
            &mut self.toast_info,
            &mut self.search_match,
        ] {
            *s = s.add_modifier(Modifier::REVERSED);
        }
        if sel {
            self.selection = self.selection.add_modifier(Modifier::REVERSED);
        }
        if gap {
            self.event_gap = self.event_gap.add_modifier(Modifier::REVERSED);
        }
        if paused {
            self.event_paused = self.event_paused.add_modifier(Modifier::REVERSED);
        }
    }
}

impl Default for Theme {
    fn default() -> Self {
        Theme::dark()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_themes_parse_and_set_every_key() {
        for name in BUILTIN {
            let mut theme = Theme::blank(name);
            let src = match name {
                "dark" => DARK,
                "light" => LIGHT,
                _ => HIGH_CONTRAST,
            };
            assert_eq!(theme.apply_toml(src, name), Ok(()));
            let doc: toml::Table = src.parse().unwrap();
            let styles = doc["styles"].as_table().unwrap();
            for key in Theme::KEYS {
                assert!(styles.contains_key(*key), "{name} lacks {key}");
            }
        }
    }

    /// xterm-256 grey ramp index → lightness (232 is darkest, 255 lightest).
    fn grey(c: Option<Color>) -> u8 {
        match c {
            Some(Color::Indexed(i)) if i >= 232 => i - 232,
            other => panic!("not a grey: {other:?}"),
        }
    }

    #[test]
    fn light_theme_greys_read_on_white_and_dark_is_unchanged() {
        let light = Theme::builtin("light").unwrap();
        // 250 and 244 were too faint on a white background.
        assert!(grey(light.border.fg) <= grey(Some(Color::Indexed(245))));
        assert!(grey(light.dim.fg) <= grey(Some(Color::Indexed(240))));
        let dark = Theme::builtin("dark").unwrap();
        assert_eq!(dark.border.fg, Some(Color::DarkGray));
        assert_eq!(dark.dim.fg, Some(Color::DarkGray));
    }

    #[test]
    fn colours_parse_in_all_forms() {
        assert_eq!(parse_color("#ff8700"), Some(Color::Rgb(255, 135, 0)));
        assert_eq!(parse_color("244"), Some(Color::Indexed(244)));
        assert_eq!(parse_color("LightRed"), Some(Color::LightRed));
        assert_eq!(parse_color("dark-gray"), Some(Color::DarkGray));
        assert_eq!(parse_color("#fff"), None);
        assert_eq!(parse_color("chartreuse"), None);
    }

    #[test]
    fn user_theme_overrides_only_its_keys() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("themes")).unwrap();
        std::fs::write(
            dir.path().join("themes/mine.toml"),
            "inherits = \"light\"\n[styles]\nstate_errored = { fg = \"#010203\" }\n",
        )
        .unwrap();
        let theme = Theme::load("mine", Some(dir.path()), false).unwrap();
        let light = Theme::builtin("light").unwrap();
        assert_eq!(
            theme.state_errored,
            Style::default().fg(Color::Rgb(1, 2, 3))
        );
        assert_eq!(theme.state_running, light.state_running);
        assert_eq!(theme.name, "mine");
    }

    #[test]
    fn bad_user_theme_is_one_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("themes")).unwrap();
        std::fs::write(
            dir.path().join("themes/dark.toml"),
            "[styles]\nstate_eroored = { fg = \"red\" }\n",
        )
        .unwrap();
        let err = Theme::load("dark", Some(dir.path()), false).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("unknown style key \"state_eroored\""),
            "{err}"
        );
        assert_eq!(
            Theme::load("nope", None, false),
            Err(ThemeError::Unknown("nope".into()))
        );
    }

    #[test]
    fn no_color_keeps_modifiers_only() {
        let theme = Theme::load("dark", None, true).unwrap();
        assert_eq!(
            theme.state_running,
            Style::default().add_modifier(Modifier::BOLD)
        );
        assert_eq!(theme.state_idle, Style::default());
        assert!(theme.selection.add_modifier.contains(Modifier::REVERSED));
        assert!(theme.badge_demo.add_modifier.contains(Modifier::REVERSED));
    }
}
