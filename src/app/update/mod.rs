//! `update(&mut State, Msg) -> Vec<Cmd>`: the only place state changes. No I/O here, and
//! nothing proportional to history (searches and exports run in bounded steps).
//!
//! This file is the routing table: each message goes to the file of its concern.

pub(crate) mod actions;
#[cfg(test)]
mod bindings;
pub(crate) mod deployments;
pub(crate) mod detail;
pub(crate) mod export;
pub(crate) mod feed;
pub(crate) mod input;
pub(crate) mod inspector;
pub(crate) mod memory;
pub(crate) mod mouse;
pub(crate) mod needs;
pub(crate) mod review;
pub(crate) mod search;
pub(crate) mod session_actions;
pub(crate) mod sessions;
pub(crate) mod stream;
#[cfg(test)]
pub(crate) mod testing;
pub(crate) mod threads;

use crate::app::msg::{Cmd, Msg};
use crate::app::state::State;
use crate::app::views;

pub use input::complete;
pub use sessions::{SELECTION_SETTLE, sort_label};

pub fn update(state: &mut State, msg: Msg) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    let c = &mut cmds;
    match msg {
        Msg::Key(key) => input::on_key_msg(state, key, c),
        Msg::Paste(text) => input::on_paste(state, &text),
        Msg::Mouse(m) => mouse::on_mouse(state, m, c),
        Msg::SelectionSettled { generation } => {
            sessions::on_selection_settled(state, generation, c)
        }
        Msg::Resize(w, h) => sessions::on_resize(state, w, h),
        Msg::Tick(now) => {
            sessions::on_tick(state, now, c);
            needs::maybe_gather(state, c);
            threads::refresh_today(state);
        }
        Msg::SessionsLoaded(list) => {
            sessions::on_sessions_loaded(state, list, c);
            needs::maybe_gather(state, c);
            threads::refresh_today(state);
        }
        Msg::SessionEvidence { id, evidence } => sessions::on_evidence(state, id, evidence),
        Msg::SessionsSynced(sync) => {
            sessions::on_sessions_synced(state, *sync, c);
            needs::maybe_gather(state, c);
        }
        Msg::ListConn(conn) => sessions::on_list_conn(state, conn),
        Msg::Feed { session_id, item } => {
            needs::on_feed_item(state, &session_id, None, &item, c);
            threads::on_feed(state, &session_id, &item);
            feed::on_feed(state, &session_id, item);
            needs::after_feed(state);
        }
        Msg::ThreadFeed {
            session_id,
            thread_id,
            item,
        } => {
            needs::on_feed_item(state, &session_id, Some(&thread_id), &item, c);
            feed::on_thread_feed(state, &session_id, &thread_id, item)
        }
        Msg::ThreadsListed {
            session_id,
            threads,
        } => feed::on_threads_listed(state, &session_id, threads),
        Msg::Done { text, error } => actions::on_done(state, &text, error, c),
        Msg::SessionActionDone { draft, text, error } => {
            session_actions::on_done(state, draft, &text, error)
        }
        Msg::ViewLoaded(data) => views::on_loaded(state, data),
        Msg::ViewFailed { load, error } => {
            views::on_failed(state, &load, &error);
        }
        Msg::Memory(m) => memory::on_msg(state, *m, c),
        Msg::Deploy(m) => deployments::on_msg(state, m, c),
        Msg::ExportStep {
            session_id,
            from,
            markdown,
            jsonl,
        } => export::export_step(state, session_id, from, markdown, jsonl, c),
        Msg::Review(m) => review::on_msg(state, m, c),
        Msg::SearchStep {
            query,
            from,
            forward,
            scanned,
        } => search::search_step(state, query, from, forward, scanned, c),
        Msg::NeedsGathered(result) => needs::on_gathered(state, result, c),
        Msg::AnswerSent {
            session_id,
            event_id,
            result,
        } => needs::on_answer_sent(state, &session_id, &event_id, result, c),
        Msg::Focus(focused) => needs::on_focus(state, focused),
        Msg::Info(m) => threads::on_info(state, m, c),
    }
    cmds
}
