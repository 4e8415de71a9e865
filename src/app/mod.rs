//! The Elm loop: State, Msg, update, Cmd runner, keymap.
//!
//! Data flows one way: terminal input → keymap → `Msg` → [`update`] → `State` (+ `Cmd`s) →
//! [`runner::Runner`] → API → `Msg` → `update` → draw. [`App`] ties them together for both the
//! real terminal loop ([`terminal::run`]) and tests (any ratatui backend).

pub mod commands;
pub mod compose;
pub mod deployments;
pub mod deployments_tasks;
pub mod detail_view;
pub mod editor;
pub mod fetch;
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
pub mod frame;
pub mod keymap;
pub mod memory_view;
pub mod msg;
pub mod needs;
pub mod pager;
pub mod panes;
pub mod poller;
pub mod review_tasks;
pub mod review_view;
pub mod runner;
pub mod session_cmds;
pub mod session_info;
pub mod state;
pub mod terminal;
pub mod threads_view;
pub mod update;
pub mod views;

use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::api::Client;
use crate::theme::Theme;
pub use msg::{Cmd, Msg};
pub use state::State;
pub use update::update;

/// Messages handled per loop turn before a frame may be drawn (keeps keys responsive under
/// a flood of events).
pub const MAX_BATCH: usize = 20_000;

pub struct App {
    pub state: State,
    pub runner: runner::Runner,
    tx: UnboundedSender<Msg>,
    rx: UnboundedReceiver<Msg>,
}

impl App {
    /// `client: None` runs no network work (for snapshots and benchmarks).
    pub fn new(state: State, client: Option<Client>) -> App {
        let (tx, rx) = unbounded_channel();
        App {
            state,
            runner: runner::Runner::new(client, tx.clone()),
            tx,
            rx,
        }
    }

    /// Start background polling of the session list.
    pub fn start(&mut self, poll_interval: Duration) {
        self.runner.start_polling(poll_interval);
    }

    /// A sender for messages from outside (tests, the input task).
    pub fn sender(&self) -> UnboundedSender<Msg> {
        self.tx.clone()
    }

    /// Apply one message and run the commands it produced.
    pub fn handle(&mut self, msg: Msg) {
        for cmd in update(&mut self.state, msg) {
            self.runner.run(cmd);
        }
    }

    /// Apply queued messages without waiting; returns how many.
    pub fn drain(&mut self) -> usize {
        let mut n = 0;
        while n < MAX_BATCH {
            match self.rx.try_recv() {
                Ok(m) => {
                    self.handle(m);
                    n += 1;
                }
                Err(_) => break,
            }
        }
        n
    }

    /// Wait up to `timeout` for a message, then drain the queue.
    pub async fn pump(&mut self, timeout: Duration) -> usize {
        match tokio::time::timeout(timeout, self.rx.recv()).await {
            Ok(Some(m)) => {
                self.handle(m);
                1 + self.drain()
            }
            _ => 0,
        }
    }

    /// Wait for the next message (cancel-safe, for `select!`).
    pub async fn recv(&mut self) -> Option<Msg> {
        self.rx.recv().await
    }

    /// Draw a frame if anything changed. Returns whether a frame was drawn.
    pub fn draw<B: Backend>(
        &mut self,
        terminal: &mut Terminal<B>,
        theme: &Theme,
    ) -> Result<bool, B::Error> {
        if !self.state.dirty {
            return Ok(false);
        }
        frame::prepare_frame(&mut self.state);
        let state = &self.state;
        terminal.draw(|f| crate::ui::draw(state, theme, f))?;
        self.state.dirty = false;
        self.state.frames += 1;
        Ok(true)
    }
}
