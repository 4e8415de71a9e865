//! The harness the UI integration tests share: the real app loop (update + runner + feed) on a
//! TestBackend, driven with key events, read back as text. "Eventually" conditions poll with
//! generous timeouts: the machine is slow and shared.
#![allow(dead_code)] // each test file uses a different part

pub mod sim_bin;
pub mod snap;

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use futures::StreamExt;
use overseer::api::types::ListEventsParams;
use overseer::api::{Client, ClientConfig};
use overseer::app::state::State;
use overseer::app::{App, Msg};
use overseer::sim::{SimHandle, SimOptions};
use overseer::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const PATIENCE: Duration = Duration::from_secs(30);

/// An in-process simulator on a free loopback port, and a client for it.
pub async fn sim(opts: SimOptions) -> (SimHandle, Client) {
    let sim = overseer::sim::start(opts, ([127, 0, 0, 1], 0).into())
        .await
        .expect("simulator");
    let client = Client::new(ClientConfig::new(sim.base_url(), None)).expect("client");
    (sim, client)
}

/// A session's whole history as the API returns it (events that fail to read are skipped).
pub async fn history(c: &Client, session_id: &str) -> Vec<serde_json::Value> {
    c.events_all(session_id, ListEventsParams::default())
        .filter_map(|e| async move { e.ok().map(|e| e.to_value()) })
        .collect()
        .await
}

/// The state every dashboard test starts from: the clock now, the demo badge on, `base_url`
/// shown in the header.
pub fn demo_state(base_url: &str) -> State {
    let mut state = State::new(overseer::app::terminal::now_secs());
    state.profile = "demo".into();
    state.base_url = base_url.to_string();
    state.demo = true;
    state
}

pub struct Harness {
    pub app: App,
    pub term: Terminal<TestBackend>,
    pub theme: Theme,
}

impl Harness {
    /// The real app loop (update + runner) over `state` and `client` on a `w`×`h` test terminal,
    /// already told its size. Not started: `start` begins the session poller and feeds.
    pub fn new(mut state: State, client: Client, (w, h): (u16, u16)) -> Harness {
        state.size = (w, h);
        let mut harness = Harness {
            app: App::new(state, Some(client)),
            term: Terminal::new(TestBackend::new(w, h)).expect("test terminal"),
            theme: Theme::dark(),
        };
        harness.app.handle(Msg::Resize(w, h));
        harness
    }

    /// Start the background work: the session list poller (every 500 ms) and the feeds.
    pub fn start(&mut self) {
        self.app.start(Duration::from_millis(500));
    }

    pub fn screen(&self) -> String {
        let buf = self.term.backend().buffer();
        let mut out = String::new();
        for y in 0..buf.area.height {
            let mut skip = 0;
            for x in 0..buf.area.width {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let sym = buf[(x, y)].symbol();
                out.push_str(sym);
                skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            }
            out.push('\n');
        }
        out
    }

    pub async fn settle(&mut self) {
        self.app.pump(Duration::from_millis(50)).await;
        self.app
            .handle(Msg::Tick(overseer::app::terminal::now_secs()));
        self.app.draw(&mut self.term, &self.theme).unwrap();
    }

    /// Pump messages and redraw until `cond(screen)` holds.
    pub async fn wait_for(&mut self, what: &str, cond: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            self.settle().await;
            let s = self.screen();
            if cond(&s) {
                return s;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "timed out waiting for {what}; screen:\n{s}"
            );
        }
    }

    pub async fn key(&mut self, code: KeyCode) {
        self.key_mod(code, KeyModifiers::NONE).await;
    }

    pub async fn key_mod(&mut self, code: KeyCode, m: KeyModifiers) {
        self.app.handle(Msg::Key(KeyEvent::new(code, m)));
        self.settle().await;
    }

    pub async fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c)).await;
        }
    }

    pub async fn command(&mut self, word: &str) {
        self.key(KeyCode::Char(':')).await;
        for c in word.chars() {
            self.key(KeyCode::Char(c)).await;
        }
        self.key(KeyCode::Enter).await;
    }

    /// Press `j` until `cond` holds (at most `max` times).
    pub async fn down_until(&mut self, max: usize, cond: impl Fn(&str) -> bool) -> bool {
        for _ in 0..=max {
            if cond(&self.screen()) {
                return true;
            }
            self.key(KeyCode::Char('j')).await;
        }
        cond(&self.screen())
    }
}
