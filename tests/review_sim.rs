//! Dream review against the simulator over loopback: the diff, decisions, the journal across a
//! restart, apply with preconditions (conflicts), request counts, and a SIGKILLed `overseer
//! review --apply` child that a second run finishes without writing anything twice.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use overseer::api::types::{
    CreateDreamParams, CreateMemoryParams, CreateMemoryStoreParams, Dream, DreamStatus,
    ListMemoriesParams, ListMemoryVersionsParams, ListSessionsParams, MemoryListItem,
    MemoryOperation, MemoryView, UpdateMemoryParams,
};
use overseer::api::{Client, ClientConfig};
use overseer::model::review::{ChangeKind, ChangeState, Decision, ReviewQueue};
use overseer::review::{Journal, apply, diff};
use overseer::sim::{self, Faults, SimHandle, SimOptions};

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// Fast simulated time: a dream created through the API completes within a second.
async fn fast_sim() -> SimHandle {
    sim::start(
        SimOptions {
            speed: 200.0,
            faults: Faults::default(),
            ..SimOptions::default()
        },
        loopback(),
    )
    .await
    .unwrap()
}

fn client(base: &str) -> Client {
    Client::new(ClientConfig::new(base, None)).unwrap()
}

async fn make_store(c: &Client, name: &str, files: &[(String, String)]) -> String {
    let store = c
        .create_memory_store(&CreateMemoryStoreParams {
            name: name.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .id;
    let mut s = futures::stream::iter(files.iter().cloned())
        .map(|(path, content)| {
            let (c, store) = (c.clone(), store.clone());
            async move {
                c.create_memory(&store, &CreateMemoryParams { path, content })
                    .await
                    .unwrap()
            }
        })
        .buffer_unordered(8);
    while s.next().await.is_some() {}
    drop(s);
    store
}

/// Every memory of a store: path → (id, content).
async fn contents(c: &Client, store: &str) -> BTreeMap<String, (String, String)> {
    let params = ListMemoriesParams {
        limit: Some(100),
        view: Some(MemoryView::Basic),
        ..Default::default()
    };
    let mut listed = Vec::new();
    let mut s = Box::pin(c.memories_all(store, params));
    while let Some(item) = s.next().await {
        if let MemoryListItem::Memory(m) = item.unwrap() {
            listed.push(m);
        }
    }
    futures::stream::iter(listed)
        .map(|m| async move {
            let full = c
                .get_memory(store, &m.id, Some(MemoryView::Full))
                .await
                .unwrap();
            (m.path, (m.id, full.content.unwrap_or_default()))
        })
        .buffer_unordered(8)
        .collect()
        .await
}

fn texts(m: &BTreeMap<String, (String, String)>) -> BTreeMap<String, String> {
    m.iter().map(|(k, (_, v))| (k.clone(), v.clone())).collect()
}

/// A completed create_new dream over a new store holding `files`.
async fn dream_over(c: &Client, files: &[(String, String)]) -> (Dream, String, String) {
    let input = make_store(c, "review input", files).await;
    let sessions = c
        .list_sessions(&ListSessionsParams {
            limit: Some(1),
            ..Default::default()
        })
        .await
        .unwrap();
    let session = sessions.data[0].id.clone();
    let d = c
        .create_dream(&CreateDreamParams::new(
            &input,
            vec![session],
            "claude-opus-5-5",
        ))
        .await
        .unwrap();
    let start = Instant::now();
    loop {
        let d = c.get_dream(&d.id).await.unwrap();
        if d.status == DreamStatus::Completed {
            let out = d.output_store_id().unwrap().to_string();
            return (d, input, out);
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "dream never completed: {d:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(p, c)| (p.to_string(), c.to_string()))
        .collect()
}

/// What the simulator's dream does to `six_files()` (one session): merges alpha into beta,
/// corrects the last note, archives gamma (a pure rename), refiles delta with a line on where it
/// came from (a rename with edits) and writes a summary of the store.
const MERGED_BETA: &str = "beta v1\n\n## Merged from alpha.md\nalpha v1\n";
const LAST_FIXED: &str = "last\n\n> Corrected against 1 recent session: the details above were checked on 2026-12-01; superseded ones removed.\n";
const DELTA_MOVED: &str = "delta\n_Moved here from /b/, where 1 recent session looked for it._\n";
const SUMMARY: &str = "# Summary of this store\n\nConsolidated by a dream over 1 recent session: merged alpha into beta; corrected last; archived gamma; moved delta to /reference/b/.\n\n- beta (/a/beta.md)\n- gamma (/archive/a/gamma.md)\n- eps (/c/eps.md)\n- delta (/reference/b/delta.md)\n- last (/z/last.md)\n";

fn six_files() -> Vec<(String, String)> {
    files(&[
        ("/a/alpha.md", "alpha v1\n"),
        ("/a/beta.md", "beta v1\n"),
        ("/a/gamma.md", "gamma v1\n"),
        ("/b/delta.md", "delta\n"),
        ("/c/eps.md", "eps\n"),
        ("/z/last.md", "last\n"),
    ])
}

fn id_of(q: &ReviewQueue, kind: ChangeKind, path: &str) -> String {
    q.changes
        .iter()
        .find(|c| c.kind == kind && c.path == path)
        .unwrap_or_else(|| panic!("no {kind:?} {path} in {:?}", q.changes))
        .id
        .clone()
}

fn decide(q: &mut ReviewQueue, j: &mut Journal, id: &str, d: Decision) {
    let r = q.decide(id, d).unwrap();
    j.append(&r).unwrap();
    q.apply_record(&r);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_decide_restart_apply_leaves_exact_input_store() {
    let sim = fast_sim().await;
    let c = client(&sim.base_url());
    let (dream, input, output) = dream_over(&c, &six_files()).await;
    let out_now = texts(&contents(&c, &output).await);
    let want_out: BTreeMap<String, String> = [
        ("/a/beta.md", MERGED_BETA),
        ("/archive/a/gamma.md", "gamma v1\n"),
        ("/c/eps.md", "eps\n"),
        ("/reference/b/delta.md", DELTA_MOVED),
        ("/summary.md", SUMMARY),
        ("/z/last.md", LAST_FIXED),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(out_now, want_out);

    let (changes, stats) = diff::dream_changes(&c, &dream).await.unwrap();
    let kinds: Vec<(ChangeKind, &str, Option<&str>)> = changes
        .iter()
        .map(|c| (c.kind, c.path.as_str(), c.old_path.as_deref()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (ChangeKind::Deleted, "/a/alpha.md", None),
            (ChangeKind::Modified, "/a/beta.md", None),
            (
                ChangeKind::Renamed,
                "/archive/a/gamma.md",
                Some("/a/gamma.md")
            ),
            (
                ChangeKind::Renamed,
                "/reference/b/delta.md",
                Some("/b/delta.md")
            ),
            (ChangeKind::Added, "/summary.md", None),
            (ChangeKind::Modified, "/z/last.md", None),
        ]
    );
    // One page per store; contents of 2 modified (both sides), alpha, both deltas, the
    // summary. The pure rename and the unchanged memories were never fetched.
    assert_eq!(
        stats,
        diff::DiffStats {
            input_pages: 1,
            output_pages: 1,
            fetched: 8
        }
    );
    assert_eq!(
        changes[3].diff.unified(),
        "@@ -1 +1,2 @@\n delta\n+_Moved here from /b/, where 1 recent session looked for it._\n"
    );

    let dir = tempfile::tempdir().unwrap();
    let jpath = Journal::path_for(dir.path(), &sim.base_url(), None);
    let opened = Journal::open(&jpath, &sim.base_url(), None).unwrap();
    let mut j = opened.journal;
    let mut q = ReviewQueue::rebuild(&dream.id, changes.clone(), &opened.records);
    let alpha = id_of(&q, ChangeKind::Deleted, "/a/alpha.md");
    let beta = id_of(&q, ChangeKind::Modified, "/a/beta.md");
    let gamma = id_of(&q, ChangeKind::Renamed, "/archive/a/gamma.md");
    let delta = id_of(&q, ChangeKind::Renamed, "/reference/b/delta.md");
    let summary = id_of(&q, ChangeKind::Added, "/summary.md");
    let last = id_of(&q, ChangeKind::Modified, "/z/last.md");
    decide(&mut q, &mut j, &alpha, Decision::Accept);
    decide(
        &mut q,
        &mut j,
        &beta,
        Decision::Edit {
            content: "beta v1\nalpha v1\n".into(),
        },
    );
    decide(&mut q, &mut j, &gamma, Decision::Accept);
    decide(&mut q, &mut j, &delta, Decision::Accept);
    decide(&mut q, &mut j, &last, Decision::Reject);
    decide(&mut q, &mut j, &summary, Decision::Accept);
    // Changed my mind: undo the last one and reject it instead.
    let r = q.undo().unwrap();
    j.append(&r).unwrap();
    q.apply_record(&r);
    decide(&mut q, &mut j, &summary, Decision::Reject);
    let before: Vec<ChangeState> = q.entries.iter().map(|e| e.state).collect();
    drop(j);

    // A crash mid-append leaves a torn line; a restart rebuilds the same decisions.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&jpath)
        .unwrap();
    std::io::Write::write_all(&mut f, b"{\"type\":\"decision\",\"dre").unwrap();
    drop(f);
    let opened = Journal::open(&jpath, &sim.base_url(), None).unwrap();
    assert_eq!(opened.warnings.len(), 1);
    let mut j = opened.journal;
    let (changes2, _) = diff::dream_changes(&c, &dream).await.unwrap();
    let mut q = ReviewQueue::rebuild(&dream.id, changes2, &opened.records);
    let after: Vec<ChangeState> = q.entries.iter().map(|e| e.state).collect();
    assert_eq!(before, after);
    assert_eq!(
        q.content_to_write(q.position(&beta).unwrap()),
        Some("beta v1\nalpha v1\n")
    );

    let report = apply::apply_queue(&c, &mut j, &input, &mut q)
        .await
        .unwrap();
    assert_eq!(report.applied.len(), 4);
    assert!(report.conflicts.is_empty() && report.already.is_empty());
    assert!(q.settled());

    let expected: BTreeMap<String, String> = [
        ("/a/beta.md", "beta v1\nalpha v1\n"),
        ("/archive/a/gamma.md", "gamma v1\n"),
        ("/c/eps.md", "eps\n"),
        ("/reference/b/delta.md", DELTA_MOVED),
        ("/z/last.md", "last\n"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(texts(&contents(&c, &input).await), expected);

    // Another restart: everything stays decided (applied or rejected), nothing new is pending,
    // although the input store now differs from the output only where we said no or edited.
    drop(j);
    let opened = Journal::open(&jpath, &sim.base_url(), None).unwrap();
    let (changes3, _) = diff::dream_changes(&c, &dream).await.unwrap();
    let q3 = ReviewQueue::rebuild(&dream.id, changes3, &opened.records);
    let states: Vec<(String, ChangeState)> = q3
        .changes
        .iter()
        .zip(&q3.entries)
        .map(|(c, e)| (c.path.clone(), e.state))
        .collect();
    use ChangeState::{Applied, Rejected};
    assert_eq!(
        states,
        vec![
            ("/a/alpha.md".to_string(), Applied),
            ("/a/beta.md".to_string(), Applied),
            ("/archive/a/gamma.md".to_string(), Applied),
            ("/reference/b/delta.md".to_string(), Applied),
            ("/summary.md".to_string(), Rejected),
            ("/z/last.md".to_string(), Rejected),
        ]
    );
    assert!(q3.settled());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_memory_changed_after_review_becomes_a_conflict_and_the_rest_applies() {
    let sim = fast_sim().await;
    let c = client(&sim.base_url());
    let (dream, input, _output) = dream_over(&c, &six_files()).await;
    let (changes, _) = diff::dream_changes(&c, &dream).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let opened = Journal::open(&dir.path().join("j.jsonl"), &sim.base_url(), None).unwrap();
    let mut j = opened.journal;
    let mut q = ReviewQueue::rebuild(&dream.id, changes, &opened.records);
    let r = q.decide_all(true).unwrap();
    j.append(&r).unwrap();
    q.apply_record(&r);

    // Someone edits beta and takes the summary's path between review and apply.
    let live = contents(&c, &input).await;
    let (beta_id, _) = &live["/a/beta.md"];
    c.update_memory(
        &input,
        beta_id,
        &UpdateMemoryParams {
            content: Some("someone else\n".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    c.create_memory(
        &input,
        &CreateMemoryParams {
            path: "/summary.md".into(),
            content: "mine\n".into(),
        },
    )
    .await
    .unwrap();

    let report = apply::apply_queue(&c, &mut j, &input, &mut q)
        .await
        .unwrap();
    let beta = id_of(&q, ChangeKind::Modified, "/a/beta.md");
    let summary = id_of(&q, ChangeKind::Added, "/summary.md");
    let mut conflicts = report.conflicts.clone();
    conflicts.sort();
    let mut want = vec![beta.clone(), summary.clone()];
    want.sort();
    assert_eq!(conflicts, want);
    assert_eq!(report.applied.len(), 4);
    let i = q.position(&beta).unwrap();
    assert_eq!(q.entries[i].state, ChangeState::Conflict);
    // Three-way: reviewed, live, proposed.
    let ch = &q.changes[i];
    assert_eq!(
        ch.reviewed.as_ref().unwrap().content.as_deref(),
        Some("beta v1\n")
    );
    assert_eq!(
        q.entries[i].live.as_ref().unwrap().content.as_deref(),
        Some("someone else\n")
    );
    assert_eq!(
        ch.proposed.as_ref().unwrap().content.as_deref(),
        Some(MERGED_BETA)
    );
    assert!(!q.settled());

    let after = texts(&contents(&c, &input).await);
    let expected: BTreeMap<String, String> = [
        ("/a/beta.md", "someone else\n"),
        ("/archive/a/gamma.md", "gamma v1\n"),
        ("/c/eps.md", "eps\n"),
        ("/reference/b/delta.md", DELTA_MOVED),
        ("/summary.md", "mine\n"),
        ("/z/last.md", LAST_FIXED),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(after, expected);

    // Re-accepting the conflict after seeing the live version writes over exactly that version.
    let r = q.decide(&beta, Decision::Accept).unwrap();
    j.append(&r).unwrap();
    q.apply_record(&r);
    let report = apply::apply_queue(&c, &mut j, &input, &mut q)
        .await
        .unwrap();
    assert_eq!(report.applied, vec![beta.clone()]);
    let after = texts(&contents(&c, &input).await);
    assert_eq!(after["/a/beta.md"], MERGED_BETA);
}

// ---------------------------------------------------------------------------------------------
// Request counts

struct CountingProxy {
    base: String,
    count: Arc<AtomicUsize>,
}

async fn counting_proxy(target: String) -> CountingProxy {
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    let http = reqwest::Client::new();
    let app = axum::Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let http = http.clone();
            let target = target.clone();
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                let url = format!(
                    "{target}{}",
                    uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")
                );
                let mut req = http.request(method, url).body(body);
                for (k, v) in &headers {
                    if k != "host" {
                        req = req.header(k, v);
                    }
                }
                let resp = req.send().await.unwrap();
                let status = StatusCode::from_u16(resp.status().as_u16()).unwrap();
                let body = resp.bytes().await.unwrap();
                let r: Response = (status, body).into_response();
                r
            }
        },
    );
    let listener = tokio::net::TcpListener::bind(loopback()).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    CountingProxy {
        base: format!("http://{addr}"),
        count,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_requests_are_list_pages_plus_changed_memories_only() {
    let sim = fast_sim().await;
    let c = client(&sim.base_url());
    let n = 250;
    let base: Vec<(String, String)> = (0..n)
        .map(|i| (format!("/notes/n{i:04}.md"), format!("note {i}\n")))
        .collect();
    let mut out = base.clone();
    // 10 modified, 3 deleted, 2 added, 1 pure rename.
    for item in out.iter_mut().take(10) {
        item.1.push_str("changed\n");
    }
    out.retain(|(p, _)| {
        !matches!(
            p.as_str(),
            "/notes/n0100.md" | "/notes/n0101.md" | "/notes/n0102.md"
        )
    });
    out.push(("/new/a.md".into(), "a\n".into()));
    out.push(("/new/b.md".into(), "b\n".into()));
    if let Some(item) = out.iter_mut().find(|(p, _)| p == "/notes/n0200.md") {
        item.0 = "/moved/n0200.md".into();
    }
    let input = make_store(&c, "in", &base).await;
    let output = make_store(&c, "out", &out).await;

    let proxy = counting_proxy(sim.base_url()).await;
    let pc = client(&proxy.base);
    let (changes, stats) = diff::store_changes(&pc, "drm_x", &input, &output)
        .await
        .unwrap();
    let mut count_by_kind: HashMap<ChangeKind, usize> = HashMap::new();
    for ch in &changes {
        *count_by_kind.entry(ch.kind).or_default() += 1;
    }
    assert_eq!(count_by_kind[&ChangeKind::Modified], 10);
    assert_eq!(count_by_kind[&ChangeKind::Deleted], 3);
    assert_eq!(count_by_kind[&ChangeKind::Added], 2);
    assert_eq!(count_by_kind[&ChangeKind::Renamed], 1);
    // 250 and 249 memories: 3 pages each; 2 × 10 modified + 3 deleted + 2 added fetched.
    assert_eq!(
        stats,
        diff::DiffStats {
            input_pages: 3,
            output_pages: 3,
            fetched: 25
        }
    );
    assert_eq!(proxy.count.load(Ordering::SeqCst), stats.requests());
    assert_eq!(stats.requests(), 31);
}

// ---------------------------------------------------------------------------------------------
// SIGKILL mid-apply

fn overseer(data: &Path, base: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_overseer"));
    cmd.arg("--base-url")
        .arg(base)
        .args(args)
        .env("OVERSEER_DATA_DIR", data)
        .env("OVERSEER_STATE_DIR", data)
        .env("OVERSEER_CONFIG_DIR", data)
        .env_remove("ANTHROPIC_API_KEY")
        .env_remove("ANTHROPIC_BASE_URL")
        .stdin(Stdio::null());
    cmd
}

fn journal_file(data: &Path) -> Option<PathBuf> {
    std::fs::read_dir(data.join("review"))
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "jsonl"))
}

fn count_in(path: &Path, needle: &str) -> usize {
    std::fs::read_to_string(path)
        .map(|t| t.matches(needle).count())
        .unwrap_or(0)
}

#[derive(serde::Deserialize, Debug, Clone)]
struct Row {
    id: String,
    kind: String,
    path: String,
    old_path: Option<String>,
    state: String,
}

fn rows(out: &std::process::Output) -> Vec<Row> {
    assert!(
        out.status.success(),
        "overseer review failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_apply_resumes_and_writes_every_accepted_change_exactly_once() {
    let (_sim, base) = common::sim_bin::start_sim(&["--speed", "200", "--faults", "latency-ms=20"]);
    let c = client(&base);
    let n = 200;
    let initial: Vec<(String, String)> = (0..n)
        .map(|i| (format!("/notes/n{i:04}.md"), format!("note {i}\n")))
        .collect();
    let (dream, input, output) = dream_over(&c, &initial).await;
    // The dream changed 6; change most of the rest through the API: ~200 changes in all.
    let out_now = contents(&c, &output).await;
    let mut s = futures::stream::iter(out_now.iter().skip(5).take(190))
        .map(|(_, (id, content))| {
            let (c, output) = (c.clone(), output.clone());
            let content = format!("{content}edited by the dream\n");
            let id = id.clone();
            async move {
                c.update_memory(
                    &output,
                    &id,
                    &UpdateMemoryParams {
                        content: Some(content),
                        ..Default::default()
                    },
                )
                .await
                .unwrap()
            }
        })
        .buffer_unordered(8);
    while s.next().await.is_some() {}
    let before = contents(&c, &input).await;
    let data = tempfile::tempdir().unwrap();

    // Review: accept every other change, reject the rest.
    let out = overseer(data.path(), &base, &["review", &dream.id, "--json"])
        .output()
        .unwrap();
    let listed = rows(&out);
    assert!(listed.len() >= 195, "{}", listed.len());
    let accepted: Vec<Row> = listed.iter().step_by(2).cloned().collect();
    let mut args: Vec<&str> = vec!["review", &dream.id, "--json", "--accept"];
    args.extend(accepted.iter().map(|r| r.id.as_str()));
    args.extend(["--reject", "all"]);
    let decided = rows(&overseer(data.path(), &base, &args).output().unwrap());
    assert_eq!(
        decided.iter().filter(|r| r.state == "accepted").count(),
        accepted.len()
    );
    assert_eq!(
        decided.iter().filter(|r| r.state == "rejected").count(),
        listed.len() - accepted.len()
    );

    // Apply, and SIGKILL it part way through.
    let jpath = journal_file(data.path()).unwrap();
    let mut child = overseer(data.path(), &base, &["review", &dream.id, "--apply"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while count_in(&jpath, "\"apply_done\"") < 20 {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "apply never started"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "apply finished before the kill"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let done_at_kill = count_in(&jpath, "\"apply_done\"");
    assert!(done_at_kill < accepted.len(), "{done_at_kill}");

    // Run again: it finishes the rest.
    let last = rows(
        &overseer(
            data.path(),
            &base,
            &["review", &dream.id, "--apply", "--json"],
        )
        .output()
        .unwrap(),
    );
    let state: HashMap<&str, &str> = last
        .iter()
        .map(|r| (r.id.as_str(), r.state.as_str()))
        .collect();
    for r in &listed {
        let want = if accepted.iter().any(|a| a.id == r.id) {
            "applied"
        } else {
            "rejected"
        };
        assert_eq!(state.get(r.id.as_str()).copied(), Some(want), "{r:?}");
    }

    // Memory versions prove each accepted change was written once, nothing rejected at all.
    let mut versions = Vec::new();
    let mut s = Box::pin(c.memory_versions_all(
        &input,
        ListMemoryVersionsParams {
            limit: Some(100),
            ..Default::default()
        },
    ));
    while let Some(v) = s.next().await {
        versions.push(v.unwrap());
    }
    let writes = |memory_id: &str, op: MemoryOperation| {
        versions
            .iter()
            .filter(|v| v.memory_id == memory_id && v.operation == op)
            .count()
    };
    let created_at_path = |path: &str| {
        versions
            .iter()
            .filter(|v| v.operation == MemoryOperation::Created && v.path.as_deref() == Some(path))
            .count()
    };
    for r in &listed {
        let is_accepted = accepted.iter().any(|a| a.id == r.id);
        let want = usize::from(is_accepted);
        match r.kind.as_str() {
            "modified" => {
                let (id, _) = &before[&r.path];
                assert_eq!(writes(id, MemoryOperation::Modified), want, "{r:?}");
            }
            "renamed" => {
                let (id, _) = &before[r.old_path.as_ref().unwrap()];
                assert_eq!(writes(id, MemoryOperation::Modified), want, "{r:?}");
            }
            "deleted" => {
                let (id, _) = &before[&r.path];
                assert_eq!(writes(id, MemoryOperation::Deleted), want, "{r:?}");
            }
            "added" => assert_eq!(created_at_path(&r.path), want, "{r:?}"),
            other => panic!("kind {other}"),
        }
    }
    // And the accepted content is what the output store proposed.
    let after = contents(&c, &input).await;
    let out_final = contents(&c, &output).await;
    for r in &accepted {
        if r.kind != "deleted" {
            assert_eq!(after[&r.path].1, out_final[&r.path].1, "{r:?}");
        } else {
            assert!(!after.contains_key(&r.path), "{r:?}");
        }
    }
}

/// Between two headless runs the re-diff sees a memory changed in the input store after its
/// change was accepted: the journal knows what was reviewed, so the change comes back under its
/// id as a conflict (reviewed, live, proposed), the live memory is untouched, the other accepted
/// changes apply; accepting it again writes over exactly that live version.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_edited_live_between_runs_comes_back_as_a_conflict() {
    let sim = fast_sim().await;
    let base = sim.base_url();
    let c = client(&base);
    let (dream, input, output) = dream_over(&c, &six_files()).await;
    let data = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut cmd = overseer(data.path(), &base, args);
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        tokio::task::spawn_blocking(move || cmd.output().unwrap())
    };
    let listed = rows(
        &run(&["review", &dream.id, "--json", "--accept", "all"])
            .await
            .unwrap(),
    );
    assert!(listed.iter().all(|r| r.state == "accepted"), "{listed:?}");
    let modified = listed
        .iter()
        .find(|r| r.kind == "modified")
        .unwrap()
        .clone();
    let live = contents(&c, &input).await;
    let reviewed_text = live[&modified.path].1.clone();
    c.update_memory(
        &input,
        &live[&modified.path].0,
        &UpdateMemoryParams {
            content: Some("someone else\n".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();

    let out = run(&["review", &dream.id, "--apply", "--json"])
        .await
        .unwrap();
    assert!(!out.status.success(), "a conflict exits non-zero");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "overseer: conflict: {} {}: {} changed in the input store since it was reviewed",
            modified.id, modified.path, modified.path
        )),
        "{stderr}"
    );
    let after: Vec<Row> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(after.len(), listed.len(), "{after:?}");
    let state: HashMap<&str, &str> = after
        .iter()
        .map(|r| (r.id.as_str(), r.state.as_str()))
        .collect();
    for r in &listed {
        let want = if r.id == modified.id {
            "conflict"
        } else {
            "applied"
        };
        assert_eq!(state.get(r.id.as_str()).copied(), Some(want), "{r:?}");
    }
    assert_eq!(
        contents(&c, &input).await[&modified.path].1,
        "someone else\n"
    );

    // The three-way view has the three versions (the journal kept what was reviewed).
    let jpath = journal_file(data.path()).unwrap();
    let opened = Journal::open(&jpath, &base, None).unwrap();
    let (changes, _) = diff::dream_changes(&c, &dream).await.unwrap();
    let q = ReviewQueue::rebuild(&dream.id, changes, &opened.records);
    drop(opened);
    let i = q.position(&modified.id).unwrap();
    let proposed_text = contents(&c, &output).await[&modified.path].1.clone();
    assert_eq!(q.entries[i].state, ChangeState::Conflict);
    assert_eq!(
        q.changes[i].reviewed.as_ref().unwrap().content.as_deref(),
        Some(reviewed_text.as_str())
    );
    assert_eq!(
        q.entries[i].live.as_ref().unwrap().content.as_deref(),
        Some("someone else\n")
    );
    assert_eq!(
        q.changes[i].proposed.as_ref().unwrap().content.as_deref(),
        Some(proposed_text.as_str())
    );

    // Accept it again (after seeing the live version) and apply: written over that version.
    let last = rows(
        &run(&[
            "review",
            &dream.id,
            "--json",
            "--accept",
            &modified.id,
            "--apply",
        ])
        .await
        .unwrap(),
    );
    assert!(last.iter().all(|r| r.state == "applied"), "{last:?}");
    assert_eq!(last.len(), listed.len());
    assert_eq!(contents(&c, &input).await[&modified.path].1, proposed_text);
}
