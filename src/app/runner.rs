//! Runs `Cmd`s as tokio tasks that report back with `Msg`s: starts the session list poller
//! (`poller.rs`), the watched session's feed, archive/delete, exports.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use tokio::sync::{Notify, mpsc::UnboundedSender};
use tokio::task::JoinHandle;

use crate::api::feed::{self, FeedConfig, FeedHandle};
use crate::api::types::{
    ListDeploymentRunsParams, ListDeploymentsParams, ListDreamsParams, ListParams,
    ListThreadsParams, SessionThread,
};
use crate::api::{ApiError, Client};
use crate::app::msg::{Cmd, Msg, ViewData, ViewLoad};

/// How often an open resource view re-fetches (these change slowly).
const VIEW_POLL: Duration = Duration::from_secs(15);
/// Caps on what a resource view fetches (the views are for browsing, not export).
const MAX_STORES: usize = 1_000;
const MAX_DREAMS: usize = 500;
const MAX_DEPLOYMENTS: usize = 200;
const RUNS_PER_DEPLOYMENT: u32 = 20;
/// Threads listed for a watched session at most (the `T` filter cycles through them).
const MAX_THREADS: usize = 500;

pub struct Runner {
    client: Option<Client>,
    tx: UnboundedSender<Msg>,
    feed: Option<(FeedHandle, JoinHandle<()>)>,
    /// The selected sub-agent thread's own feed, next to `feed`.
    thread_feed: Option<(FeedHandle, JoinHandle<()>)>,
    /// The watched session's thread listing.
    threads: Option<JoinHandle<()>>,
    poller: Option<JoinHandle<()>>,
    /// The open resource view's poll.
    view: Option<JoinHandle<()>>,
    poll_now: Arc<Notify>,
    /// Effects on the terminal itself, for the terminal loop.
    pub terminal: Vec<Cmd>,
    /// Dream review: the journal and its tasks.
    review: crate::app::review_tasks::ReviewTasks,
}

impl Drop for Runner {
    fn drop(&mut self) {
        if let Some(p) = &self.poller {
            p.abort();
        }
        if let Some((_, t)) = &self.feed {
            t.abort();
        }
        if let Some((_, t)) = &self.thread_feed {
            t.abort();
        }
        if let Some(v) = &self.view {
            v.abort();
        }
        if let Some(t) = &self.threads {
            t.abort();
        }
    }
}

impl Runner {
    /// `client: None` runs nothing over the network (snapshot tests).
    pub fn new(client: Option<Client>, tx: UnboundedSender<Msg>) -> Runner {
        Runner {
            client,
            tx,
            feed: None,
            thread_feed: None,
            threads: None,
            poller: None,
            view: None,
            poll_now: Arc::new(Notify::new()),
            terminal: Vec::new(),
            review: Default::default(),
        }
    }

    pub fn start_polling(&mut self, interval: Duration) {
        let Some(client) = self.client.clone() else {
            return;
        };
        let tx = self.tx.clone();
        let now = self.poll_now.clone();
        let cfg = crate::app::poller::PollConfig::new(interval);
        self.poller = Some(tokio::spawn(crate::app::poller::poll_loop(
            client, tx, now, cfg,
        )));
    }

    pub fn run(&mut self, cmd: Cmd) {
        match cmd {
            Cmd::Watch(id) => self.watch(id),
            Cmd::WatchThread {
                session_id,
                thread_id,
            } => self.watch_thread(session_id, thread_id),
            Cmd::RefreshNow => self.poll_now.notify_one(),
            Cmd::LoadView(load) => {
                if let Some(t) = self.view.take() {
                    t.abort();
                }
                if let Some(client) = self.client.clone() {
                    self.view = Some(tokio::spawn(view_loop(client, self.tx.clone(), load)));
                }
            }
            Cmd::Memory(cmd) => {
                if let Some(client) = self.client.clone() {
                    let tx = self.tx.clone();
                    tokio::spawn(async move {
                        let msg = crate::ops::memory::run(&client, cmd).await;
                        let _ = tx.send(Msg::Memory(Box::new(msg)));
                    });
                }
            }
            Cmd::StopView => {
                if let Some(t) = self.view.take() {
                    t.abort();
                }
            }
            // Session actions (`app/session_cmds.rs`).
            cmd @ (Cmd::Interrupt { .. } | Cmd::SendMessage { .. } | Cmd::SendEvent { .. }) => {
                if let Some(client) = self.client.clone() {
                    let (tx, wake) = (self.tx.clone(), self.poll_now.clone());
                    tokio::spawn(super::session_cmds::run(client, tx, wake, cmd));
                }
            }
            Cmd::Archive(ids) => self.bulk(ids, false),
            Cmd::Delete(ids) => self.bulk(ids, true),
            Cmd::Export { files, events } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let mut written = Vec::new();
                    for (path, body) in &files {
                        // The toast names where the file really is.
                        let path = &full_path(path);
                        if let Err(e) = std::fs::write(path, body) {
                            let _ = tx.send(Msg::Done {
                                text: format!("export failed: {}: {e}", path.display()),
                                error: true,
                            });
                            return;
                        }
                        written.push(path.display().to_string());
                    }
                    let _ = tx.send(Msg::Done {
                        text: format!("exported {events} events to {}", written.join(" and ")),
                        error: false,
                    });
                });
            }
            Cmd::Review(c) => self.review.run(c, self.client.clone(), self.tx.clone()),
            Cmd::Deploy(c) => {
                if let Some(client) = self.client.clone() {
                    tokio::spawn(super::deployments_tasks::run(client, self.tx.clone(), c));
                }
            }
            // Threads tree and session detail (`app/session_info.rs`).
            Cmd::Info(cmd) => {
                if let Some(client) = self.client.clone() {
                    let (tx, wake) = (self.tx.clone(), self.poll_now.clone());
                    tokio::spawn(async move {
                        let msg = super::session_info::run(client, wake, cmd).await;
                        let _ = tx.send(Msg::Info(msg));
                    });
                }
            }
            Cmd::Defer(m) => {
                let _ = self.tx.send(m.0);
            }
            Cmd::After { delay, msg } => {
                // Without a runtime (benchmarks driving `update` synchronously) nothing would
                // ever deliver it: drop it rather than panic.
                if let Ok(rt) = tokio::runtime::Handle::try_current() {
                    let tx = self.tx.clone();
                    rt.spawn(async move {
                        tokio::time::sleep(delay).await;
                        let _ = tx.send(msg.0);
                    });
                }
            }
            Cmd::GatherNeeds => self.gather_needs(),
            Cmd::SendAnswer {
                session_id,
                event_id,
                answer,
            } => self.send_answer(session_id, event_id, answer),
            c @ (Cmd::Copy(_)
            | Cmd::Pager(_)
            | Cmd::SetMouse(_)
            | Cmd::Suspend
            | Cmd::Quit
            | Cmd::Notify { .. }) => self.terminal.push(c),
        }
    }

    // Needs-you queue.
    fn gather_needs(&mut self) {
        let Some(client) = self.client.clone() else {
            return;
        };
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let result = crate::ops::needs::gather(&client, crate::ops::needs::Limits::default())
                .await
                .map(|g| Box::new(g.queue))
                .map_err(|e| e.to_string());
            let _ = tx.send(Msg::NeedsGathered(result));
        });
    }

    fn send_answer(
        &mut self,
        session_id: String,
        event_id: String,
        answer: crate::model::needs::Answer,
    ) {
        let Some(client) = self.client.clone() else {
            return;
        };
        let tx = self.tx.clone();
        let wake = self.poll_now.clone();
        tokio::spawn(async move {
            let result = crate::ops::act::send_answer(&client, &session_id, &event_id, &answer)
                .await
                .map_err(|e| e.to_string());
            let ok = result.is_ok();
            let _ = tx.send(Msg::AnswerSent {
                session_id,
                event_id,
                result,
            });
            if ok {
                wake.notify_one();
            }
        });
    }

    fn watch(&mut self, session_id: String) {
        // Dropping the handle stops the previous feed.
        if let Some((_handle, task)) = self.feed.take() {
            task.abort();
        }
        if let Some((_handle, task)) = self.thread_feed.take() {
            task.abort();
        }
        if let Some(task) = self.threads.take() {
            task.abort();
        }
        let Some(client) = self.client.clone() else {
            return;
        };
        self.threads = Some(tokio::spawn(list_threads(
            client.clone(),
            self.tx.clone(),
            session_id.clone(),
        )));
        let mut cfg = FeedConfig::new(session_id.clone());
        cfg.deltas = true;
        let (handle, mut rx) = feed::spawn(client, cfg);
        let tx = self.tx.clone();
        let task = tokio::spawn(async move {
            while let Some(item) = rx.recv().await {
                let msg = Msg::Feed {
                    session_id: session_id.clone(),
                    item,
                };
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        self.feed = Some((handle, task));
    }

    fn watch_thread(&mut self, session_id: String, thread_id: Option<String>) {
        if let Some((_handle, task)) = self.thread_feed.take() {
            task.abort();
        }
        let (Some(client), Some(thread_id)) = (self.client.clone(), thread_id) else {
            return;
        };
        let mut cfg = FeedConfig::new(session_id.clone());
        cfg.thread_id = Some(thread_id.clone());
        let (handle, mut rx) = feed::spawn(client, cfg);
        let tx = self.tx.clone();
        let task = tokio::spawn(async move {
            while let Some(item) = rx.recv().await {
                let msg = Msg::ThreadFeed {
                    session_id: session_id.clone(),
                    thread_id: thread_id.clone(),
                    item,
                };
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        self.thread_feed = Some((handle, task));
    }

    fn bulk(&mut self, ids: Vec<String>, delete: bool) {
        let Some(client) = self.client.clone() else {
            return;
        };
        let tx = self.tx.clone();
        let wake = self.poll_now.clone();
        tokio::spawn(async move {
            let mut failed = Vec::new();
            let n = ids.len();
            for id in ids {
                let result = session_write(&client, &id, delete).await;
                if let Err(e) = result {
                    failed.push(format!("{id}: {e}"));
                }
            }
            let verb = if delete { "deleted" } else { "archived" };
            let msg = if failed.is_empty() {
                Msg::Done {
                    text: format!("{verb} {n} session(s)"),
                    error: false,
                }
            } else {
                Msg::Done {
                    text: format!("{} of {n} not {verb}: {}", failed.len(), failed.join("; ")),
                    error: true,
                }
            };
            let _ = tx.send(msg);
            wake.notify_one();
        });
    }
}

/// The sub-agent threads (not the primary one) as (id, agent name), in the listing's order.
fn sub_agent_threads(threads: Vec<SessionThread>) -> Vec<(String, String)> {
    threads
        .into_iter()
        .filter(|t| t.parent_thread_id.is_some())
        .map(|t| (t.id, t.agent.name.unwrap_or_default()))
        .collect()
}

/// List a watched session's threads once. A failure is not worth a toast: the feed's
/// `session.thread_created` events still name the threads of the loaded history.
async fn list_threads(client: Client, tx: UnboundedSender<Msg>, session_id: String) {
    let params = ListThreadsParams {
        limit: Some(100),
        ..Default::default()
    };
    let stream = client.threads_all(&session_id, params);
    if let Ok((threads, _)) = collect_capped(stream, MAX_THREADS).await {
        let threads = sub_agent_threads(threads);
        if !threads.is_empty() {
            let _ = tx.send(Msg::ThreadsListed {
                session_id,
                threads,
            });
        }
    }
}

/// Archive or delete one session.
async fn session_write(client: &Client, id: &str, delete: bool) -> Result<(), ApiError> {
    if delete {
        client.delete_session(id).await.map(|_| ())
    } else {
        client.archive_session(id).await.map(|_| ())
    }
}

/// Collect up to `max` items of a paginated list; `truncated` when more were left.
async fn collect_capped<T>(
    stream: impl futures::Stream<Item = Result<T, ApiError>>,
    max: usize,
) -> Result<(Vec<T>, bool), ApiError> {
    let mut stream = std::pin::pin!(stream);
    let mut out = Vec::new();
    while let Some(item) = stream.next().await {
        if out.len() == max {
            return Ok((out, true));
        }
        match item {
            Ok(v) => out.push(v),
            // The client stopped early (page/item cap, repeated cursor): what came is shown,
            // marked as the first part.
            Err(ApiError::ListStopped { .. }) => return Ok((out, true)),
            Err(e) => return Err(e),
        }
    }
    Ok((out, false))
}

async fn fetch_view(
    client: &Client,
    tx: &UnboundedSender<Msg>,
    load: &ViewLoad,
) -> Result<ViewData, ApiError> {
    Ok(match load {
        ViewLoad::MemoryStores => {
            let params = ListParams {
                limit: Some(100),
                include_archived: Some(true),
                ..Default::default()
            };
            let (stores, _) = collect_capped(client.memory_stores_all(params), MAX_STORES).await?;
            ViewData::MemoryStores(stores)
        }
        ViewLoad::Dreams => {
            // Store names for the dream rows (ids alone say little).
            let stores = ListParams {
                limit: Some(100),
                include_archived: Some(true),
                ..Default::default()
            };
            if let Ok((stores, _)) =
                collect_capped(client.memory_stores_all(stores), MAX_STORES).await
            {
                let _ = tx.send(Msg::ViewLoaded(ViewData::MemoryStores(stores)));
            }
            let params = ListDreamsParams {
                limit: Some(100),
                ..Default::default()
            };
            let (dreams, _) = collect_capped(client.dreams_all(params), MAX_DREAMS).await?;
            ViewData::Dreams(dreams)
        }
        ViewLoad::Deployments => {
            let params = ListDeploymentsParams {
                limit: Some(100),
                ..Default::default()
            };
            let (deployments, _) =
                collect_capped(client.deployments_all(params), MAX_DEPLOYMENTS).await?;
            let runs: Vec<Result<_, ApiError>> = futures::stream::iter(deployments)
                .map(|d| {
                    let client = client.clone();
                    async move {
                        let params = ListDeploymentRunsParams {
                            deployment_id: Some(d.id.clone()),
                            limit: Some(RUNS_PER_DEPLOYMENT),
                            ..Default::default()
                        };
                        let runs = client.list_deployment_runs(&params).await?.data;
                        Ok((d, runs))
                    }
                })
                .buffered(4)
                .collect()
                .await;
            ViewData::Deployments(runs.into_iter().collect::<Result<_, _>>()?)
        }
    })
}

/// Fetch a resource view now, then again every [`VIEW_POLL`] (backing off on errors) until
/// the task is aborted (the view closed or moved to another level).
async fn view_loop(client: Client, tx: UnboundedSender<Msg>, load: ViewLoad) {
    let mut failures: u32 = 0;
    loop {
        let delay = match fetch_view(&client, &tx, &load).await {
            Ok(data) => {
                failures = 0;
                if tx.send(Msg::ViewLoaded(data)).is_err() {
                    return;
                }
                crate::app::poller::jittered(VIEW_POLL)
            }
            Err(e) => {
                failures += 1;
                let retry_after = match &e {
                    ApiError::Http(h) => h.retry_after,
                    _ => None,
                };
                let msg = Msg::ViewFailed {
                    load: load.clone(),
                    error: e.to_string(),
                };
                if tx.send(msg).is_err() {
                    return;
                }
                let backoff = Duration::from_secs(2u64 << failures.min(6)).min(VIEW_POLL * 8);
                retry_after.unwrap_or_else(|| crate::app::poller::jittered(backoff))
            }
        };
        tokio::time::sleep(delay).await;
    }
}

/// `path` made absolute against the working directory (unchanged if that is unknown).
fn full_path(path: &std::path::Path) -> std::path::PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {

    #[test]
    fn export_paths_are_shown_in_full() {
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(
            super::full_path(std::path::Path::new("overseer-x.md")),
            cwd.join("overseer-x.md")
        );
        assert_eq!(
            super::full_path(std::path::Path::new("/tmp/a.jsonl")),
            std::path::PathBuf::from("/tmp/a.jsonl")
        );
    }
    use super::*;

    #[test]
    fn the_thread_listing_keeps_sub_agents_in_order() {
        let thread = |id: &str, parent: Option<&str>, name: Option<&str>| SessionThread {
            id: id.into(),
            parent_thread_id: parent.map(String::from),
            agent: crate::api::types::ThreadAgent {
                name: name.map(String::from),
                ..Default::default()
            },
            ..Default::default()
        };
        let listed = sub_agent_threads(vec![
            thread("sthr_primary", None, Some("coordinator")),
            thread("sthr_a", Some("sthr_primary"), Some("researcher")),
            thread("sthr_b", Some("sthr_primary"), None),
        ]);
        assert_eq!(
            listed,
            vec![
                ("sthr_a".to_string(), "researcher".to_string()),
                ("sthr_b".to_string(), String::new()),
            ]
        );
    }
}

#[cfg(test)]
mod collect_tests {
    use super::*;

    #[tokio::test]
    async fn a_listing_the_client_stopped_early_is_shown_as_truncated() {
        let stopped = ApiError::ListStopped {
            path: "/v1/memory_stores".into(),
            items: 2,
            why: "the next_page cursor repeated".into(),
        };
        let items = futures::stream::iter(vec![Ok(1), Ok(2), Err(stopped)]);
        assert_eq!(collect_capped(items, 10).await.unwrap(), (vec![1, 2], true));
        let failed = futures::stream::iter(vec![Ok(1), Err(ApiError::Config("x".into()))]);
        assert!(collect_capped(failed, 10).await.is_err());
        let whole = futures::stream::iter(vec![Ok::<_, ApiError>(1), Ok(2)]);
        assert_eq!(
            collect_capped(whole, 10).await.unwrap(),
            (vec![1, 2], false)
        );
    }
}
