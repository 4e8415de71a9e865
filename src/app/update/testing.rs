//! Key and feed helpers for the update tests.

pub(crate) fn key(state: &mut State, code: KeyCode) -> Vec<Cmd> {
    update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub(crate) fn ctrl(state: &mut State, c: char) -> Vec<Cmd> {
    update(
        state,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

pub(crate) fn feed(state: &mut State, item: FeedItem) {
    let id = state.watched.as_ref().unwrap().session_id.clone();
    let _ = update(
        state,
        Msg::Feed {
            session_id: id,
            item,
        },
    );
}

pub(crate) fn last_type(state: &State) -> String {
    let w = state.watched.as_ref().unwrap();
    w.transcript
        .get(w.transcript.len() - 1)
        .unwrap()
        .type_name
        .to_string()
}

/// The `Msg` a `Cmd::After` carries, checking it waits for the selection to rest.
pub(crate) fn settle_msg(cmds: Vec<Cmd>) -> Msg {
    let [Cmd::After { delay, msg }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    assert_eq!(*delay, SELECTION_SETTLE);
    msg.0.clone()
}

pub(crate) use crate::api::feed::FeedItem;
pub(crate) use crate::app::frame::prepare_frame;
pub(crate) use crate::app::msg::{Cmd, Msg};
pub(crate) use crate::app::state::{Pane, State, View};
pub(crate) use crate::app::update::sessions::{SELECTION_SETTLE, watch};
pub(crate) use crate::app::update::update;
pub(crate) use crate::model::sessions::DerivedState;
pub(crate) use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
pub(crate) use serde_json::json;
