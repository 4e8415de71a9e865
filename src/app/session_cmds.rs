//! Running the session actions' commands (interrupt, message, outcome) for the runner: one
//! request each through `ops::act`, then one `Msg::SessionActionDone` with the toast line
//! (failures carry the API's request id in their sentence).

use std::sync::Arc;

use tokio::sync::{Notify, mpsc::UnboundedSender};

use crate::api::Client;
use crate::app::compose::ComposeKind;
use crate::app::msg::{Cmd, Msg};
use crate::ops::{OpError, act};
use crate::text;

pub async fn run(client: Client, tx: UnboundedSender<Msg>, wake: Arc<Notify>, cmd: Cmd) {
    let (draft, result, done, failed) = match cmd {
        Cmd::Interrupt {
            session_id,
            thread_id,
        } => {
            let r = act::interrupt(&client, &session_id, thread_id.as_deref()).await;
            let what = match &thread_id {
                Some(t) => format!(
                    "thread {} of {}",
                    text::one_line(t),
                    text::one_line(&session_id)
                ),
                None => text::one_line(&session_id),
            };
            (
                None,
                r,
                format!("interrupted {what}"),
                format!("interrupt of {what} failed"),
            )
        }
        Cmd::SendMessage { session_id, text } => {
            let r = act::send_message(&client, &session_id, &text).await;
            let sid = text::one_line(&session_id);
            (
                Some((session_id, ComposeKind::Message)),
                r,
                format!("message sent to {sid}"),
                format!("message to {sid} not sent"),
            )
        }
        Cmd::SendEvent {
            session_id,
            draft,
            event,
        } => {
            let kind = event.type_name();
            let r = client
                .send_event(&session_id, event)
                .await
                .map_err(OpError::from);
            let sid = text::one_line(&session_id);
            (
                Some((session_id, draft)),
                r,
                format!("{kind} sent to {sid}"),
                format!("{kind} to {sid} not sent"),
            )
        }
        _ => return,
    };
    let msg = match result {
        Ok(_) => Msg::SessionActionDone {
            draft,
            text: done,
            error: false,
        },
        Err(e) => Msg::SessionActionDone {
            draft,
            text: format!("{failed}: {e}"),
            error: true,
        },
    };
    let _ = tx.send(msg);
    wake.notify_one();
}
