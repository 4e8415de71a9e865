//! The real terminal: set-up and restore (on exit, on panic, around Ctrl-Z), the event loop
//! that turns input and background messages into updates, and coalesced drawing (at most one
//! frame per 16 ms, none while nothing changes).

use std::io::{self, Write};
use std::time::{Duration, Instant};

use crossterm::event::{
    DisableBracketedPaste, DisableFocusChange, DisableMouseCapture, EnableBracketedPaste,
    EnableFocusChange, EnableMouseCapture, Event, EventStream,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{execute, queue};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use crate::app::{App, Cmd, Msg};
use crate::theme::Theme;

/// 60 frames a second at most.
const FRAME: Duration = Duration::from_micros(16_667);

fn enter(mouse: bool) -> io::Result<()> {
    enable_raw_mode()?;
    let mut out = io::stdout();
    execute!(
        out,
        EnterAlternateScreen,
        EnableBracketedPaste,
        EnableFocusChange
    )?;
    if mouse {
        execute!(out, EnableMouseCapture)?;
    }
    Ok(())
}

/// Undo [`enter`]; safe to call more than once.
pub fn restore() {
    let mut out = io::stdout();
    let _ = execute!(
        out,
        DisableMouseCapture,
        DisableBracketedPaste,
        DisableFocusChange,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

pub fn now_secs() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Stop the process like a shell's Ctrl-Z would, with the terminal restored meanwhile.
fn suspend(mouse: bool) -> io::Result<()> {
    restore();
    #[cfg(unix)]
    {
        // Raw mode turns off the tty's own SIGTSTP; send it ourselves. Execution continues
        // here after `fg`.
        let pid = std::process::id().to_string();
        let _ = std::process::Command::new("kill")
            .args(["-TSTP", &pid])
            .status();
    }
    enter(mouse)
}

/// Run the dashboard on the real terminal until the user quits.
pub async fn run(mut app: App, theme: Theme) -> io::Result<()> {
    install_panic_hook();
    enter(app.state.mouse)?;
    let result = event_loop(&mut app, &theme).await;
    restore();
    result
}

async fn event_loop(app: &mut App, theme: &Theme) -> io::Result<()> {
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    terminal.clear()?;
    let size = terminal.size()?;
    app.handle(Msg::Resize(size.width, size.height));
    app.handle(Msg::Tick(now_secs()));
    let mut input = EventStream::new();
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut last_frame = Instant::now() - FRAME;
    loop {
        if app.state.dirty && last_frame.elapsed() >= FRAME {
            app.draw(&mut terminal, theme)?;
            last_frame = Instant::now();
        }
        let deadline = app
            .state
            .dirty
            .then(|| tokio::time::Instant::from_std(last_frame + FRAME));
        tokio::select! {
            biased;
            ev = input.next() => match ev {
                Some(Ok(Event::Key(k))) if k.kind != crossterm::event::KeyEventKind::Release => {
                    app.handle(Msg::Key(k))
                }
                Some(Ok(Event::Mouse(m))) => app.handle(Msg::Mouse(m)),
                Some(Ok(Event::Paste(p))) => app.handle(Msg::Paste(p)),
                Some(Ok(Event::FocusGained)) => app.handle(Msg::Focus(true)),
                Some(Ok(Event::FocusLost)) => app.handle(Msg::Focus(false)),
                Some(Ok(Event::Resize(w, h))) => {
                    terminal.autoresize()?;
                    app.handle(Msg::Resize(w, h));
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e),
                None => return Ok(()),
            },
            m = app.recv() => {
                if let Some(m) = m {
                    app.handle(m);
                    app.drain();
                }
            }
            _ = clock.tick() => app.handle(Msg::Tick(now_secs())),
            _ = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            } => {}
        }
        for cmd in std::mem::take(&mut app.runner.terminal) {
            match cmd {
                Cmd::Copy(text) => {
                    let mut out = io::stdout();
                    queue!(
                        out,
                        crossterm::clipboard::CopyToClipboard::to_clipboard_from(text)
                    )?;
                    out.flush()?;
                }
                Cmd::SetMouse(true) => execute!(io::stdout(), EnableMouseCapture)?,
                Cmd::SetMouse(false) => execute!(io::stdout(), DisableMouseCapture)?,
                Cmd::Suspend => {
                    suspend(app.state.mouse)?;
                    terminal.clear()?;
                    app.state.dirty = true;
                }
                Cmd::Pager(text) => {
                    restore();
                    let result = crate::app::pager::show(&text);
                    enter(app.state.mouse)?;
                    terminal.clear()?;
                    app.state.dirty = true;
                    if let Err(e) = result {
                        app.state.show_toast(&format!("$PAGER failed: {e}"), true);
                    }
                }
                Cmd::Notify {
                    text,
                    bell,
                    desktop,
                } => {
                    let mut out = io::stdout();
                    out.write_all(notification(&text, bell, desktop).as_bytes())?;
                    out.flush()?;
                }
                Cmd::Quit => return Ok(()),
                _ => {}
            }
        }
        if app.state.quit {
            return Ok(());
        }
    }
}

/// The bytes of a notification: BEL, OSC 9 (iTerm2, kitty, WezTerm, Windows Terminal) and
/// OSC 777 (rxvt-unicode, foot, VTE). The text is one line without control characters (an
/// escape inside it could end the sequence early and inject others).
pub fn notification(text: &str, bell: bool, desktop: bool) -> String {
    let clean: String = crate::text::one_line(text)
        .chars()
        .filter(|c| !c.is_control() && *c != ';')
        .take(200)
        .collect();
    let mut out = String::new();
    if desktop {
        out.push_str(&format!("\x1b]9;{clean}\x1b\\"));
        out.push_str(&format!("\x1b]777;notify;overseer;{clean}\x1b\\"));
    }
    if bell {
        out.push('\x07');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notifications_are_bell_and_osc_9_and_777_with_clean_text() {
        assert_eq!(
            notification("a\x1b]0;x\x07 b; c", true, true),
            "\x1b]9;a b c\x1b\\\x1b]777;notify;overseer;a b c\x1b\\\x07"
        );
        assert_eq!(notification("x", true, false), "\x07");
        assert_eq!(notification("x", false, false), "");
    }
}
