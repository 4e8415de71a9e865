//! CLI entry: parse arguments, pick a command; nothing else.

use clap::{Parser, Subcommand};
use overseer::cli;

#[derive(Debug, Parser)]
#[command(
    name = "overseer",
    version,
    about = "k9s for Claude Managed Agents sessions"
)]
struct Cli {
    #[command(flatten)]
    globals: cli::Globals,
    #[command(flatten)]
    dashboard: cli::dashboard::Args,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the simulated Managed Agents API on loopback.
    Sim(cli::sim::Args),
    /// List sessions.
    Sessions(cli::sessions::Args),
    /// Print a session's events, history then live.
    Tail(cli::tail::Args),
    /// List the tool calls waiting for a human, oldest first.
    Needs(cli::needs::Args),
    /// Allow a tool call that waits for confirmation.
    Approve(cli::act::ApproveArgs),
    /// Deny a tool call that waits for confirmation.
    Deny(cli::act::DenyArgs),
    /// Answer a custom tool call.
    Answer(cli::act::AnswerArgs),
    /// Interrupt a session (or one sub-agent thread).
    Interrupt(cli::act::InterruptArgs),
    /// Send a user message to a session.
    Send(cli::act::SendArgs),
    /// List dreams.
    Dreams(cli::dreams::Args),
    /// List deployments, or pause | unpause | run | archive one.
    Deployments(cli::deployments::Args),
    /// Review a completed dream's changes: accept, reject, apply to its input store.
    Review(cli::review::Args),
}

fn main() -> std::process::ExitCode {
    let args = Cli::parse();
    // Logs go to a file in the state dir, never to the terminal.
    let _log_guard = cli::init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("overseer: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match args.command {
            None => cli::dashboard::run(args.dashboard, &args.globals).await,
            Some(Command::Sim(a)) => cli::sim::run(a, &args.globals).await,
            Some(Command::Sessions(a)) => cli::sessions::run(a, &args.globals).await,
            Some(Command::Tail(a)) => cli::tail::run(a, &args.globals).await,
            Some(Command::Needs(a)) => cli::needs::run(a, &args.globals).await,
            Some(Command::Approve(a)) => cli::act::approve(a, &args.globals).await,
            Some(Command::Deny(a)) => cli::act::deny(a, &args.globals).await,
            Some(Command::Answer(a)) => cli::act::answer(a, &args.globals).await,
            Some(Command::Interrupt(a)) => cli::act::interrupt(a, &args.globals).await,
            Some(Command::Send(a)) => cli::act::send(a, &args.globals).await,
            Some(Command::Dreams(a)) => cli::dreams::run(a, &args.globals).await,
            Some(Command::Deployments(a)) => cli::deployments::run(a, &args.globals).await,
            Some(Command::Review(a)) => cli::review::run(a, &args.globals).await,
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("overseer: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
