//! The harness the UI integration tests share: the real app loop (update + runner + feed) on a
//! TestBackend, driven with key events, read back as text. "Eventually" conditions poll with
//! generous timeouts: the machine is slow and shared.
#![allow(dead_code)] // each test file uses a different part

pub mod sim_bin;

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use overseer::app::{App, Msg};
use overseer::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const PATIENCE: Duration = Duration::from_secs(30);

pub struct Harness {
    pub app: App,
    pub term: Terminal<TestBackend>,
    pub theme: Theme,
}

impl Harness {
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
