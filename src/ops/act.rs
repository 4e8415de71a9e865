//! Acting on a session: answer a waiting call, interrupt, send a message.
//!
//! The checked answer ([`answer`]) re-reads the session and refuses, sending nothing, when the
//! call does not wait for that kind of answer. The dashboard, which holds a live queue, checks
//! against it ([`crate::model::needs::SessionNeeds::check`]) and sends with [`send_answer`].

use crate::api::{ApiError, Client, EventParams, SessionEvent};
use crate::model::needs::Answer;
use crate::text;

use super::OpError;
use super::needs::{Limits, session_needs};

/// Check that `event_id` in `session_id` waits for `answer`, then send it. Returns the echoed
/// events.
pub async fn answer(
    client: &Client,
    session_id: &str,
    event_id: &str,
    answer: &Answer,
) -> Result<Vec<SessionEvent>, OpError> {
    let session = client.get_session(session_id).await?;
    let gathered = session_needs(client, &session, Limits::default()).await?;
    if let Err(refusal) = gathered.needs.check(event_id, answer) {
        let sentence = refusal.sentence(session_id, event_id, answer);
        return Err(OpError::Refused { refusal, sentence });
    }
    Ok(send_answer(client, session_id, event_id, answer).await?)
}

/// Send `answer` for `event_id` without checking (the caller has checked against a live queue).
/// Sub-agent calls need nothing more: the server routes by the call's id.
pub async fn send_answer(
    client: &Client,
    session_id: &str,
    event_id: &str,
    answer: &Answer,
) -> Result<Vec<SessionEvent>, ApiError> {
    client
        .send_event(session_id, answer.to_params(event_id))
        .await
}

/// Interrupt the session, or only the sub-agent thread `thread_id` (checked to exist first, so a
/// mistyped thread never interrupts the whole session).
pub async fn interrupt(
    client: &Client,
    session_id: &str,
    thread_id: Option<&str>,
) -> Result<Vec<SessionEvent>, OpError> {
    let event = match thread_id {
        None => EventParams::interrupt(),
        Some(thread) => {
            match client.get_thread(session_id, thread).await {
                Ok(_) => {}
                Err(ApiError::Http(h)) if h.status == 404 => {
                    // Tell a missing session apart from a missing thread.
                    client.get_session(session_id).await?;
                    return Err(OpError::UnknownThread {
                        session_id: text::one_line(session_id),
                        thread_id: text::one_line(thread),
                    });
                }
                Err(e) => return Err(e.into()),
            }
            EventParams::UserInterrupt {
                session_thread_id: Some(thread.to_string()),
            }
        }
    };
    Ok(client.send_event(session_id, event).await?)
}

/// Send a user message.
pub async fn send_message(
    client: &Client,
    session_id: &str,
    message: &str,
) -> Result<Vec<SessionEvent>, OpError> {
    if message.trim().is_empty() {
        return Err(OpError::Invalid(
            "the message is empty; nothing was sent".to_string(),
        ));
    }
    Ok(client
        .send_event(session_id, EventParams::user_text(message))
        .await?)
}
