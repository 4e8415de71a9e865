//! overseer: a terminal dashboard for supervising Claude Managed Agents.
//!
//! Layers (each depends only on the ones below it), see DESIGN.md:
//! `cli` → `app` / `ui` → `ops` → `model` / `review` → `api` / `sim` → `text`, `cron`, `config`, `theme`.
//! `ops` holds the async operations that combine the client with the model (gather the Needs-you
//! queue, answer a call, interrupt, send), shared by the headless commands and the dashboard.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod api;
pub mod app;
pub mod cli;
pub mod config;
pub mod cron;
pub mod model;
pub mod ops;
pub mod review;
pub mod sim;
pub mod text;
pub mod theme;
pub mod ui;
