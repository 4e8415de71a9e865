//! The real `overseer sim` as a hostile server (`--scenario hostile`, the hostile `--faults`
//! modes), and the real `overseer` binary against it: every misbehaviour costs bounded time
//! and a bounded number of requests (counted by the simulator at `GET /_sim/stats`), ends in
//! a clear line and an exact exit code, and loses no event. Issue 10's items are named.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::sim_bin::{Reaper, start_sim};
use serde_json::Value;
use tokio::time::timeout;

const BIN: &str = env!("CARGO_BIN_EXE_overseer");

/// A generous bound on any one command: the machine is slow and shared.
const BOUND: Duration = Duration::from_secs(60);

struct Output {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Run `overseer --base-url BASE ARGS…` with `env` set (and no key unless given); the test
/// fails if it has not exited `within`.
async fn run_env(base: &str, args: &[&str], env: &[(&str, &str)], within: Duration) -> Output {
    let child = tokio::process::Command::new(BIN)
        .args(["--base-url", base])
        .args(args)
        .env_remove("ANTHROPIC_API_KEY")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start overseer");
    let started = Instant::now();
    let out = timeout(within, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("overseer {args:?} did not exit within {within:?}"))
        .expect("overseer output");
    eprintln!("overseer {args:?}: {:?}", started.elapsed());
    Output {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

async fn run(base: &str, args: &[&str]) -> Output {
    run_env(base, args, &[], BOUND).await
}

/// `overseer sim --scenario hostile` with these faults.
fn hostile_sim(faults: &str) -> (Reaper, String) {
    start_sim(&["--scenario", "hostile", "--faults", faults])
}

async fn get(url: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(url)
        .header(
            "anthropic-beta",
            "managed-agents-2026-04-01,agent-memory-2026-07-22,dreaming-2026-04-21",
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
}

/// The simulator's request counts.
async fn stats(base: &str) -> Value {
    get(&format!("{base}/_sim/stats"))
        .await
        .json()
        .await
        .expect("stats JSON")
}

fn count(stats: &Value, key: &str) -> u64 {
    stats[key]
        .as_u64()
        .unwrap_or_else(|| panic!("no {key} in {stats}"))
}

/// (id, title) of every session, read leniently (one object carries a lone surrogate).
async fn sessions(base: &str) -> Vec<(String, String)> {
    let body = get(&format!("{base}/v1/sessions?limit=100"))
        .await
        .text()
        .await
        .expect("body");
    let v: Value = serde_json::from_str(&body.replace(r"\ud800", "?")).expect("session list");
    v["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap_or("").to_owned(),
                s["title"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

async fn session_titled(base: &str, prefix: &str) -> String {
    sessions(base)
        .await
        .into_iter()
        .find(|(_, t)| t.starts_with(prefix))
        .map(|(id, _)| id)
        .unwrap_or_else(|| panic!("no session titled {prefix}…"))
}

/// The items of a JSON array, as raw text, split by a scanner that knows only strings and
/// brackets (so it reads what no JSON parser will: any depth, lone surrogates).
fn raw_items(array: &str) -> Vec<String> {
    let bytes = array.as_bytes();
    assert_eq!(bytes.first(), Some(&b'['), "not an array");
    let (mut items, mut depth, mut start) = (Vec::new(), 0usize, 1usize);
    let (mut in_string, mut escaped) = (false, false);
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    let last = array[start..i].trim();
                    if !last.is_empty() {
                        items.push(last.to_owned());
                    }
                    return items;
                }
            }
            b',' if depth == 1 => {
                items.push(array[start..i].trim().to_owned());
                start = i + 1;
            }
            _ => {}
        }
    }
    panic!("unterminated array");
}

/// Every event the API holds for `session`, as the raw JSON of its history pages.
async fn history(base: &str, session: &str) -> Vec<String> {
    let mut events = Vec::new();
    let mut page: Option<String> = None;
    loop {
        let mut url = format!("{base}/v1/sessions/{session}/events?order=asc&limit=100");
        if let Some(p) = &page {
            url.push_str(&format!("&page={p}"));
        }
        let body = get(&url).await.text().await.expect("history page");
        let data = body
            .strip_prefix("{\"data\":")
            .expect("a page starts with its data");
        let (array, next) = data
            .rsplit_once(",\"next_page\":")
            .expect("a page ends with next_page");
        events.extend(raw_items(array));
        match next.trim_end_matches('}').trim_matches('"') {
            // `null`, or a list fault's own cursor (it never ends: the real list has).
            "null" => return events,
            cursor if cursor.starts_with("sim_") => return events,
            cursor => page = Some(cursor.to_owned()),
        }
    }
}

fn lines(events: &[String]) -> String {
    events.iter().map(|e| format!("{e}\n")).collect()
}

/// (1) Endless `next_page`: `sessions --json` stops at its page cap, says "showing the first
/// N", and skips the one unreadable session on every page with a count.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_on_endless_pages_stop_at_the_cap() {
    let (_sim, base) = hostile_sim("endless-pages");
    let out = run_env(
        &base,
        &["sessions", "--json"],
        &[],
        Duration::from_secs(180),
    )
    .await;
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert_eq!(
        out.stderr,
        "overseer: skipped 1000 unreadable sessions\n\
         overseer: the list may be incomplete: stopped after 1000 pages — showing the first 4000\n"
    );
    let listed: Value = serde_json::from_str(&out.stdout).expect("JSON array");
    assert_eq!(listed.as_array().map(Vec::len), Some(4000));
    assert_eq!(count(&stats(&base).await, "session_lists"), 1000);
}

/// (1, 3) A repeated cursor stops a listing at once: two pages, and it says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_cursor_stops_sessions_and_tail_at_once() {
    let (_sim, base) = hostile_sim("repeat-cursor");
    let out = run(&base, &["sessions"]).await;
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert_eq!(
        out.stderr,
        "overseer: skipped 2 unreadable sessions\n\
         overseer: the list may be incomplete: the server repeated a page cursor — showing the first 8\n"
    );
    assert_eq!(out.stdout.lines().count(), 1 + 8, "{}", out.stdout);
    assert_eq!(count(&stats(&base).await, "session_lists"), 2);

    // History: the same page twice, each event printed once, and a gap is a failure.
    let id = session_titled(&base, "Fix flaky snapshot").await;
    let expected = lines(&history(&base, &id).await);
    let before = count(&stats(&base).await, "history");
    let out = run(&base, &["tail", &id, "--jsonl", "--exit-on-idle"]).await;
    assert_eq!(count(&stats(&base).await, "history") - before, 2);
    assert_eq!(out.code, Some(1), "stderr: {}", out.stderr);
    assert!(
        out.stderr.contains(
            "overseer: gap: events may be missing: history repeated a page cursor; reading stopped\n"
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.ends_with(&format!(
            "{id}: the output is incomplete (1 gap in the history)\n"
        )),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, expected);
}

/// (2) A stream request accepted and never answered: `tail` gives up on the headers, says
/// why, and prints the history it can read anyway.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_on_a_hanging_stream_reads_history_and_says_why() {
    let (_sim, base) = hostile_sim("hang-stream");
    let id = session_titled(&base, "Fix flaky snapshot").await;
    let out = run_env(
        &base,
        &["tail", &id, "--jsonl", "--exit-on-idle"],
        &[],
        Duration::from_secs(120),
    )
    .await;
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert_eq!(out.stdout, lines(&history(&base, &id).await));
    assert!(
        out.stderr
            .starts_with("overseer: reconnecting (attempt 1): ")
            && out.stderr.contains("/events/stream"),
        "{}",
        out.stderr
    );
    let s = stats(&base).await;
    assert_eq!((count(&s, "streams"), count(&s, "history")), (1, 2));
}

/// (4, 7) Streams that send one byte and close: reconnects follow the backoff (a byte is not
/// a healthy stream), every re-backfill starts from a valid time (the hostile session has
/// `processed_at: "yesterday"` and the year 2999; a bad start would be a 400), and every
/// event is printed exactly once, byte for byte.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_byte_streams_reconnect_at_the_backoff_without_losing_or_repeating() {
    let (_sim, base) = hostile_sim("one-byte-stream");
    let id = session_titled(&base, "Hostile text").await;
    let expected = lines(&history(&base, &id).await);
    let before = stats(&base).await;
    let child = tokio::process::Command::new(BIN)
        .args(["--base-url", &base, "tail", &id, "--jsonl"])
        .env_remove("ANTHROPIC_API_KEY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start tail");
    tokio::time::sleep(Duration::from_secs(6)).await;
    let after = stats(&base).await;
    let pid = child.id().expect("tail pid");
    // SIGINT: tail flushes what it printed and exits.
    let _ = std::process::Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status();
    let out = timeout(BOUND, child.wait_with_output())
        .await
        .expect("tail stops on SIGINT")
        .expect("tail output");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let streams = count(&after, "streams") - count(&before, "streams");
    let reads = count(&after, "history") - count(&before, "history");
    // Backoff 0.2, 0.4, 0.8, 1.6, 3.2 s (jitter -25 %): at most 6 opens in 6 s; reset by
    // every byte it would be one every 0.2 s (about 30).
    assert!((3..=6).contains(&streams), "{streams} streams; {stderr}");
    // One backfill per connection (the counts may be read between an open and its backfill).
    assert!(
        reads == streams || reads + 1 == streams,
        "{reads} history reads for {streams} streams"
    );
    assert!(stdout == expected, "stdout differs; stderr: {stderr}");
    assert!(!stderr.contains("400"), "{stderr}");
    assert!(
        stderr.contains("overseer: reconnecting (attempt 3)"),
        "{stderr}"
    );
}

/// (5) A 307 to another origin: the key never travels there, and the error names both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cross_origin_redirect_never_carries_the_key() {
    let (_other, other) = start_sim(&["--scenario", "hostile"]);
    let (_sim, base) = hostile_sim(&format!("redirect={other}"));
    let key = "sk-ant-api03-simhostile-secret";
    let env = [("ANTHROPIC_API_KEY", key)];
    let out = run_env(&base, &["sessions"], &env, BOUND).await;
    assert_eq!(out.code, Some(1), "stderr: {}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "refused a redirect from {base} to {other}: the API key is never sent to another origin"
        )),
        "{}",
        out.stderr
    );
    let id = session_titled(&other, "Hostile text").await;
    let out = run_env(&base, &["tail", &id, "--exit-on-idle"], &env, BOUND).await;
    assert_eq!(out.code, Some(1), "stderr: {}", out.stderr);
    assert!(
        out.stderr.contains(&format!("to {other}")),
        "{}",
        out.stderr
    );
    for text in [&out.stdout, &out.stderr] {
        assert!(!text.contains(key));
    }
    let (here, there) = (stats(&base).await, stats(&other).await);
    assert!(count(&here, "with_api_key") >= 2, "{here}");
    // Only this test's own reads (no key) reached the other origin.
    assert_eq!(count(&there, "with_api_key"), 0, "{there}");
}

/// (8) `tail --jsonl` of the hostile session prints every event the API holds byte for byte,
/// the 20 MB one and the unreadable ones included; human `tail` says which are malformed and
/// writes no control or bidi character.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_prints_every_hostile_event() {
    let (_sim, base) = hostile_sim("");
    for title in ["Hostile text", "Build log triage"] {
        let id = session_titled(&base, title).await;
        let events = history(&base, &id).await;
        let out = run(&base, &["tail", &id, "--jsonl", "--exit-on-idle"]).await;
        assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
        assert!(out.stdout == lines(&events), "{title}: output differs");
        assert_eq!(out.stderr, "");
    }
    let id = session_titled(&base, "Hostile text").await;
    let events = history(&base, &id).await;
    let unreadable: Vec<String> = events
        .iter()
        .filter(|e| serde_json::from_str::<Value>(e).is_err())
        .map(|e| {
            let id = e
                .split("\"id\":\"")
                .nth(1)
                .and_then(|r| r.split('"').next());
            format!(
                "[malformed] event {} could not be read ({} bytes)",
                id.unwrap_or("?"),
                e.len()
            )
        })
        .collect();
    assert_eq!(unreadable.len(), 2, "the deep input and the lone surrogate");
    let out = run(&base, &["tail", &id, "--exit-on-idle"]).await;
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    let printed: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(printed.len(), events.len(), "{}", out.stdout);
    let malformed: Vec<&str> = printed
        .iter()
        .filter_map(|l| l.find("[malformed]").map(|at| &l[at..]))
        .collect();
    assert_eq!(malformed, unreadable);
    let bad = |c: char| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{61c}')
    };
    assert!(!out.stdout.chars().any(bad), "{:?}", out.stdout);
    assert!(
        printed
            .iter()
            .any(|l| l.contains("session.hologram_projected")),
        "the unknown type is shown"
    );
}

/// (9, 12) One session object with a lone surrogate costs that session only, with a count;
/// the table is clean and `--json` escapes what a terminal would obey.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_skip_just_the_unreadable_one() {
    let (_sim, base) = hostile_sim("");
    let all = sessions(&base).await;
    assert_eq!(all.len(), 5);
    let readable: Vec<&str> = all
        .iter()
        .filter(|(_, t)| !t.contains('?'))
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(readable.len(), 4);

    let out = run(&base, &["sessions", "--json"]).await;
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert_eq!(out.stderr, "overseer: skipped 1 unreadable session\n");
    let v: Value = serde_json::from_str(&out.stdout).expect("JSON");
    let ids: Vec<&str> = v
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(ids, readable);
    assert!(
        !out.stdout
            .chars()
            .any(|c| matches!(c, '\u{1b}' | '\u{80}'..='\u{9f}' | '\u{202e}')),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains(r"\u001b[31mred\u001b[0m \u202etxt.exe"));

    let out = run(&base, &["sessions"]).await;
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert_eq!(out.stderr, "overseer: skipped 1 unreadable session\n");
    assert_eq!(out.stdout.lines().count(), 1 + 4, "{}", out.stdout);
    assert!(
        !out.stdout
            .chars()
            .any(|c| (c.is_control() && c != '\n') || c == '\u{202e}'),
        "{:?}",
        out.stdout
    );

    // The Needs-you queue reads the same list of idle sessions: the bad one costs itself only.
    let out = run(&base, &["needs", "--json"]).await;
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(
        out.stderr
            .contains("overseer: skipped 1 unreadable session\n"),
        "{}",
        out.stderr
    );
    let v: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert!(v.is_array(), "{v}");
}

/// (11) History pages over the client's size cap: re-read with a smaller `limit`, every event
/// arrives, and the read costs two requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_history_pages_are_re_read_smaller() {
    let (_sim, base) = hostile_sim("big-page");
    let id = session_titled(&base, "Hostile text").await;
    let expected = lines(&history(&base, &id).await);
    let before = count(&stats(&base).await, "history");
    let out = run(&base, &["tail", &id, "--jsonl", "--exit-on-idle"]).await;
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(out.stdout == expected, "output differs");
    assert_eq!(count(&stats(&base).await, "history") - before, 2);
}

/// (12) An HTML answer (a wrong base URL) is named as such, with the URL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_html_answer_is_named() {
    let (_sim, base) = hostile_sim("html");
    let out = run(&base, &["sessions"]).await;
    assert_eq!(out.code, Some(1), "stderr: {}", out.stderr);
    assert!(
        out.stderr.contains("text/html") && out.stderr.contains(&format!("{base}/v1/sessions")),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
}

/// (12) A list request accepted and never answered: a timeout that names the URL, not a hang.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_list_times_out_with_the_url() {
    let (_sim, base) = hostile_sim("hang-list");
    let out = run_env(&base, &["sessions"], &[], Duration::from_secs(300)).await;
    assert_eq!(out.code, Some(1), "stderr: {}", out.stderr);
    assert!(
        out.stderr.contains(&format!("{base}/v1/sessions")),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
}

/// A private tmux server (its own socket), killed when the test ends however it ends.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs")
    }
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "hostile"];
        args.extend_from_slice(keys);
        self.cmd(&args);
    }
    fn text(&self, text: &str) {
        self.cmd(&["send-keys", "-t", "hostile", "-l", text]);
    }
    /// The pane as tmux holds it, trailing spaces kept.
    fn capture(&self) -> String {
        let out = self.cmd(&["capture-pane", "-t", "hostile", "-p", "-N"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.cmd(&["kill-server"]);
    }
}

/// Every row of the frame (bordered) exactly `width` cells wide by `unicode-width` with a
/// border glyph in its last column, and no row wider: what tmux drew is what overseer
/// measured. (tmux drops trailing cells never written, so an unbordered row may be shorter.)
fn check_frame(screen: &str, width: usize, when: &str) {
    let rows: Vec<&str> = screen.lines().collect();
    assert_eq!(rows.len(), 40, "{when}: {} rows:\n{screen}", rows.len());
    let mut bordered = 0;
    let mut span: Option<(usize, usize)> = None;
    for (y, row) in rows.iter().enumerate() {
        let w = unicode_width::UnicodeWidthStr::width(*row);
        assert!(
            w <= width,
            "{when}: row {y} is {w} cells wide:\n{row}\n\n{screen}"
        );
        let first = row.chars().next().unwrap_or(' ');
        if "┏┃┗╭│╰┌└".contains(first) {
            bordered += 1;
            span = Some(span.map_or((y, y), |(a, _)| (a, y)));
            assert_eq!(
                w, width,
                "{when}: row {y} is {w} cells wide:\n{row}\n\n{screen}"
            );
            let last = row.chars().last().unwrap_or(' ');
            assert!(
                "┓┃┛╮│╯┐┘┤".contains(last),
                "{when}: row {y} ends with {last:?}, not a border:\n{screen}"
            );
        }
    }
    // The panes fill every row between the header lines and the footer: no row inside them
    // lost its border (a glyph that pushed it off would show here).
    let (first, last) = span.unwrap_or((0, 0));
    assert!(
        bordered >= 30,
        "{when}: only {bordered} bordered rows:\n{screen}"
    );
    assert_eq!(
        bordered,
        last - first + 1,
        "{when}: the bordered rows are not contiguous:\n{screen}"
    );
}

/// (10) Flags, ZWJ families, a lone ZWJ, soft hyphens, variation selectors, combining marks
/// and wide CJK draw in tmux exactly as overseer measures them: the dashboard on the hostile
/// scenario, the hostile session open, every event selected in turn.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tmux_draws_the_hostile_session_as_measured() {
    if std::process::Command::new("tmux")
        .arg("-V")
        .output()
        .map(|o| !o.status.success())
        .unwrap_or(true)
    {
        eprintln!("SKIPPED: tmux is not installed; the cell-level check needs it");
        return;
    }
    let (_sim, base) = hostile_sim("");
    let home = std::env::temp_dir().join(format!("overseer-simhostile-{}", std::process::id()));
    std::fs::create_dir_all(&home).expect("temp home");
    let tmux = Tmux {
        socket: format!("overseer-simhostile-{}", std::process::id()),
    };
    // The dashboard's environment is spelled out: a tmux server does not inherit the test's.
    let command = format!(
        "env -u ANTHROPIC_API_KEY HOME={} TERM=tmux-256color {BIN} --base-url {base}",
        home.display()
    );
    let out = tmux.cmd(&[
        "new-session",
        "-d",
        "-s",
        "hostile",
        "-x",
        "120",
        "-y",
        "40",
        &command,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let wait_for = |what: &str, cond: &dyn Fn(&str) -> bool| {
        let start = Instant::now();
        loop {
            let screen = tmux.capture();
            if cond(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "no {what} on screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    wait_for("session list", &|s| s.contains("Hostile text"));
    tmux.keys(&["/"]);
    tmux.text("Hostile text");
    tmux.keys(&["Enter"]);
    wait_for("filtered list", &|s| s.contains("Sessions 1/"));
    tmux.keys(&["Enter"]);
    let screen = wait_for("the hostile session's last event", &|s| {
        s.contains("Events Hostile text") && s.contains("end turn")
    });
    check_frame(&screen, 120, "opened");
    for text in ["Team:", "漢字テスト", "soft", "malformed", "hologram"] {
        assert!(screen.contains(text), "{text} not shown:\n{screen}");
    }
    // Select every event in turn, so each one's text is drawn in the inspector too.
    for step in 0..30 {
        tmux.keys(&["k"]);
        std::thread::sleep(Duration::from_millis(250));
        check_frame(&tmux.capture(), 120, &format!("after {} k", step + 1));
    }
    tmux.keys(&["q"]);
    let _ = std::fs::remove_dir_all(&home);
}
