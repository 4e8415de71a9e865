//! The words the `:` line understands, in one table that drives parsing, Tab completion and
//! the `?` help.

use crate::app::keymap::Action;
use crate::app::state::View;

/// What a command word does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    View(View),
    Action(Action),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Command {
    pub word: &'static str,
    pub run: Run,
    pub help: &'static str,
}

const fn c(word: &'static str, run: Run, help: &'static str) -> Command {
    Command { word, run, help }
}

/// Views first (Tab completes to the first word that starts with what was typed).
pub const COMMANDS: &[Command] = &[
    c("sessions", Run::View(View::Sessions), "session list"),
    c("needs", Run::View(View::Needs), "sessions waiting for you"),
    c("memory", Run::View(View::Memory), "memory stores"),
    c(
        "audit",
        Run::Action(Action::Audit),
        "agent writes in a store",
    ),
    c("dreams", Run::View(View::Dreams), "dreams"),
    c(
        "review",
        Run::View(View::Review),
        "review a dream's changes",
    ),
    c(
        "deployments",
        Run::View(View::Deployments),
        "deployments and runs",
    ),
    c(
        "threads",
        Run::View(View::Threads),
        "threads of the session",
    ),
    c("detail", Run::View(View::Detail), "the session in full"),
    c(
        "archived",
        Run::Action(Action::ToggleArchived),
        "show/hide archived",
    ),
    c("mouse", Run::Action(Action::ToggleMouse), "mouse on/off"),
    c("export", Run::Action(Action::Export), "export the session"),
    c("help", Run::Action(Action::ShowHelp), "this help"),
    c("quit", Run::Action(Action::Quit), "quit"),
];

/// The first command word that starts with what was typed.
pub fn complete(prefix: &str) -> Option<&'static str> {
    let p = prefix.trim();
    COMMANDS
        .iter()
        .map(|c| c.word)
        .find(|w| w.starts_with(p) && !p.is_empty())
}

/// The command a typed line means: the whole word, or a prefix of two letters or more
/// (`q` alone also quits).
pub fn parse(typed: &str) -> Option<&'static Command> {
    let typed = typed.trim();
    let word = complete(typed)
        .filter(|w| *w == typed || typed.len() >= 2)
        .unwrap_or(if typed == "q" { "quit" } else { typed });
    COMMANDS.iter().find(|c| c.word == word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_parse_whole_by_prefix_and_q_quits() {
        assert_eq!(
            parse("dreams").map(|c| c.run),
            Some(Run::View(View::Dreams))
        );
        assert_eq!(parse(" de ").map(|c| c.word), Some("deployments"));
        assert_eq!(parse("q").map(|c| c.word), Some("quit"));
        assert_eq!(parse("d"), None, "one letter is not enough");
        assert_eq!(parse("bogus"), None);
        assert_eq!(complete("he"), Some("help"));
        assert_eq!(complete(""), None);
    }

    #[test]
    fn every_view_has_a_word() {
        for v in View::ALL {
            assert_eq!(parse(v.name()).map(|c| c.run), Some(Run::View(v)));
        }
    }
}
