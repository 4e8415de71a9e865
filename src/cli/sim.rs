//! `overseer sim`.

use super::Globals;

#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {}

pub async fn run(_args: Args, _globals: &Globals) -> anyhow::Result<()> {
    anyhow::bail!("not implemented yet")
}
