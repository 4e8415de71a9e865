//! `o` in the inspector: show a value in `$PAGER` (default `less`) while the terminal is handed
//! over (the terminal loop leaves raw mode and the alternate screen around this call). The text
//! goes through a private temporary file, removed afterwards. This is the one step allowed to
//! take time proportional to an event: the person asked to read all of it.

use std::io::{self, Write};
use std::process::Command;

/// Write `text` (sanitized: the pager shows it raw) to a temporary file and run the pager on it.
pub fn show(text: &str) -> io::Result<()> {
    let pager = std::env::var("PAGER")
        .ok()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| "less".to_string());
    let dir = std::env::temp_dir();
    let path = dir.join(format!("overseer-{}-{}.txt", std::process::id(), unique()));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)?;
    file.write_all(crate::text::sanitize(text).as_bytes())?;
    file.flush()?;
    drop(file);
    // `$PAGER` may carry arguments (`less -R`): split on whitespace like a shell would here.
    let mut words = pager.split_whitespace();
    let result = match words.next() {
        Some(program) => Command::new(program)
            .args(words)
            .arg(&path)
            .status()
            .and_then(|s| {
                if s.success() {
                    Ok(())
                } else {
                    Err(io::Error::other(format!("{pager} exited with {s}")))
                }
            }),
        None => Err(io::Error::other("empty $PAGER")),
    };
    let _ = std::fs::remove_file(&path);
    result
}

fn unique() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}
