//! `overseer approve | deny | answer | interrupt | send`: act on one session, headless.
//!
//! Each exits 0 once the API has accepted the event. A call that does not wait for that answer
//! (answered, no longer listed, of the other kind, unknown) is an error and nothing is sent.

use super::Globals;
use crate::api::SessionEvent;
use crate::model::needs::Answer;
use crate::ops::act;
use crate::text;

#[derive(Debug, Clone, clap::Args)]
pub struct ApproveArgs {
    pub session_id: String,
    /// The id of the waiting `agent.tool_use` / `agent.mcp_tool_use` event.
    pub event_id: String,
}

#[derive(Debug, Clone, clap::Args)]
pub struct DenyArgs {
    pub session_id: String,
    /// The id of the waiting `agent.tool_use` / `agent.mcp_tool_use` event.
    pub event_id: String,
    /// Why, for the agent.
    #[arg(long, value_name = "TEXT")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, clap::Args)]
#[command(group(clap::ArgGroup::new("result").required(true).args(["text", "error"])))]
pub struct AnswerArgs {
    pub session_id: String,
    /// The id of the waiting `agent.custom_tool_use` event.
    pub event_id: String,
    /// The tool's result.
    #[arg(long, value_name = "TEXT")]
    pub text: Option<String>,
    /// The tool failed with this error text (`is_error: true`).
    #[arg(long, value_name = "TEXT")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct InterruptArgs {
    pub session_id: String,
    /// Interrupt only this sub-agent thread.
    #[arg(long, value_name = "THREAD_ID")]
    pub thread: Option<String>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct SendArgs {
    pub session_id: String,
    /// The message.
    pub text: String,
}

pub async fn approve(args: ApproveArgs, globals: &Globals) -> anyhow::Result<()> {
    respond(&args.session_id, &args.event_id, Answer::Allow, globals).await
}

pub async fn deny(args: DenyArgs, globals: &Globals) -> anyhow::Result<()> {
    let answer = Answer::Deny {
        message: args.message,
    };
    respond(&args.session_id, &args.event_id, answer, globals).await
}

pub async fn answer(args: AnswerArgs, globals: &Globals) -> anyhow::Result<()> {
    let answer = match (args.text, args.error) {
        (Some(text), None) => Answer::Result {
            text,
            is_error: false,
        },
        (None, Some(text)) => Answer::Result {
            text,
            is_error: true,
        },
        // clap's group makes exactly one present.
        _ => anyhow::bail!("give exactly one of --text or --error"),
    };
    respond(&args.session_id, &args.event_id, answer, globals).await
}

pub async fn interrupt(args: InterruptArgs, globals: &Globals) -> anyhow::Result<()> {
    let conn = super::connect(globals).await?;
    let echoed = act::interrupt(&conn.client, &args.session_id, args.thread.as_deref()).await?;
    let scope = match &args.thread {
        Some(t) => format!("thread {} of session", text::one_line(t)),
        None => "session".to_string(),
    };
    println!(
        "interrupted {scope} {}{}",
        text::one_line(&args.session_id),
        echo_suffix(&echoed)
    );
    Ok(())
}

pub async fn send(args: SendArgs, globals: &Globals) -> anyhow::Result<()> {
    let conn = super::connect(globals).await?;
    let echoed = act::send_message(&conn.client, &args.session_id, &args.text).await?;
    println!(
        "sent a message to session {}{}",
        text::one_line(&args.session_id),
        echo_suffix(&echoed)
    );
    Ok(())
}

async fn respond(
    session_id: &str,
    event_id: &str,
    answer: Answer,
    globals: &Globals,
) -> anyhow::Result<()> {
    let conn = super::connect(globals).await?;
    let echoed = act::answer(&conn.client, session_id, event_id, &answer).await?;
    let done = match &answer {
        Answer::Allow => "approved",
        Answer::Deny { .. } => "denied",
        Answer::Result {
            is_error: false, ..
        } => "answered",
        Answer::Result { is_error: true, .. } => "answered (as an error)",
    };
    println!(
        "{done} {} in session {}{}",
        text::one_line(event_id),
        text::one_line(session_id),
        echo_suffix(&echoed)
    );
    Ok(())
}

/// ` (event sevt_…)`: the id the API gave the sent event, when it echoed one.
fn echo_suffix(echoed: &[SessionEvent]) -> String {
    match echoed.first().and_then(|e| e.id.as_deref()) {
        Some(id) => format!(" (event {})", text::one_line(id)),
        None => String::new(),
    }
}
