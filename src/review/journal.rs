//! The durable decision journal: append-only JSONL, one file per API base URL + workspace
//! (`<data dir>/review/journal-<12 hex of sha256(base_url, workspace)>.jsonl`), so decisions made
//! against one organisation can never be replayed against another. The first line is a header
//! `{"version", "base_url", "workspace"}`; each further line is one [`Record`]. `append` returns
//! only after the line is written and `fsync`ed: a decision counts once `append` returned.
//!
//! Blocking file I/O: call it from a background task (`spawn_blocking`), never the draw path.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::review::Record;

/// The journal format this build writes. A journal with a higher version is refused.
pub const JOURNAL_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub version: u32,
    pub base_url: String,
    /// `None` = the key's default workspace.
    pub workspace: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("review journal {path}: {error}")]
    Io {
        path: PathBuf,
        #[source]
        error: std::io::Error,
    },
    #[error(
        "review journal {path} was written by a newer overseer (format {found}, this one reads up to {supported}); upgrade overseer or move the file away"
    )]
    NewerVersion {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error(
        "review journal {path} belongs to {found_url} (workspace {found_ws}), not {want_url} (workspace {want_ws}); refusing to mix decisions"
    )]
    OtherTarget {
        path: PathBuf,
        found_url: String,
        found_ws: String,
        want_url: String,
        want_ws: String,
    },
    #[error("review journal {path}, line {line}: not a journal record ({message})")]
    Corrupt {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("review journal {path} is in use by another overseer process")]
    Locked { path: PathBuf },
    #[error("review journal: cannot encode a record: {0}")]
    Encode(String),
    #[error("no data directory for the review journal (set OVERSEER_DATA_DIR)")]
    NoDataDir,
}

/// Something the caller should tell the user; the journal still opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JournalWarning {
    /// The last line was cut short (a crash mid-write); it was dropped.
    TornLastLine { path: PathBuf, bytes: usize },
}

impl std::fmt::Display for JournalWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JournalWarning::TornLastLine { path, bytes } => write!(
                f,
                "review journal {}: ignored a torn last line ({bytes} bytes) left by an interrupted write",
                path.display()
            ),
        }
    }
}

/// An open journal (holds an exclusive lock on the file while alive).
#[derive(Debug)]
pub struct Journal {
    file: File,
    path: PathBuf,
    header: Header,
}

/// What opening a journal found.
#[derive(Debug)]
pub struct Opened {
    pub journal: Journal,
    pub records: Vec<Record>,
    pub warnings: Vec<JournalWarning>,
}

impl Journal {
    /// `<dir>/journal-<12 hex>.jsonl` for this base URL and workspace.
    pub fn path_for(dir: &Path, base_url: &str, workspace: Option<&str>) -> PathBuf {
        let mut h = Sha256::new();
        h.update(base_url.trim_end_matches('/').as_bytes());
        h.update([0u8]);
        h.update(workspace.unwrap_or("").as_bytes());
        let digest = h.finalize();
        let tag: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        dir.join(format!("journal-{tag}.jsonl"))
    }

    /// The default location: `<data dir>/review/`.
    pub fn default_path(base_url: &str, workspace: Option<&str>) -> Result<PathBuf, JournalError> {
        let dir = crate::config::data_dir().ok_or(JournalError::NoDataDir)?;
        Ok(Self::path_for(&dir.join("review"), base_url, workspace))
    }

    /// Open (creating it with its header when new) and read every record.
    pub fn open(
        path: &Path,
        base_url: &str,
        workspace: Option<&str>,
    ) -> Result<Opened, JournalError> {
        let io = |error| JournalError::Io {
            path: path.to_path_buf(),
            error,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(JournalError::Locked {
                    path: path.to_path_buf(),
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        let want = Header {
            version: JOURNAL_VERSION,
            base_url: base_url.trim_end_matches('/').to_string(),
            workspace: workspace.map(str::to_string),
        };
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io)?;
        let mut warnings = Vec::new();
        let mut journal = Journal {
            file,
            path: path.to_path_buf(),
            header: want.clone(),
        };
        // A new file, or one whose header line itself was torn: start over with a header.
        let Some(first_end) = memchr::memchr(b'\n', &bytes) else {
            if !bytes.is_empty() {
                warnings.push(JournalWarning::TornLastLine {
                    path: path.to_path_buf(),
                    bytes: bytes.len(),
                });
                journal.truncate(0)?;
            }
            journal.write_line(&want)?;
            return Ok(Opened {
                journal,
                records: Vec::new(),
                warnings,
            });
        };
        let header: Header =
            serde_json::from_slice(&bytes[..first_end]).map_err(|e| JournalError::Corrupt {
                path: path.to_path_buf(),
                line: 1,
                message: format!("expected the header: {e}"),
            })?;
        if header.version > JOURNAL_VERSION {
            return Err(JournalError::NewerVersion {
                path: path.to_path_buf(),
                found: header.version,
                supported: JOURNAL_VERSION,
            });
        }
        if header.base_url != want.base_url || header.workspace != want.workspace {
            let ws = |w: &Option<String>| w.clone().unwrap_or_else(|| "default".into());
            return Err(JournalError::OtherTarget {
                path: path.to_path_buf(),
                found_url: header.base_url.clone(),
                found_ws: ws(&header.workspace),
                want_url: want.base_url.clone(),
                want_ws: ws(&want.workspace),
            });
        }
        let mut records = Vec::new();
        let mut start = first_end + 1;
        let mut line_no = 1;
        while start < bytes.len() {
            line_no += 1;
            let end = memchr::memchr(b'\n', &bytes[start..]).map(|i| start + i);
            let line = &bytes[start..end.unwrap_or(bytes.len())];
            let parsed = serde_json::from_slice::<Record>(line);
            let is_last = end.is_none_or(|e| e + 1 == bytes.len());
            match (end, parsed) {
                (Some(end), Ok(r)) => {
                    records.push(r);
                    start = end + 1;
                }
                // The last line, cut short (no newline: its append never returned) or
                // unreadable: a crash mid-append. Drop it so the next append starts clean.
                _ if is_last => {
                    warnings.push(JournalWarning::TornLastLine {
                        path: path.to_path_buf(),
                        bytes: line.len(),
                    });
                    journal.truncate(start as u64)?;
                    break;
                }
                (_, Err(e)) => {
                    return Err(JournalError::Corrupt {
                        path: path.to_path_buf(),
                        line: line_no,
                        message: e.to_string(),
                    });
                }
                (None, Ok(_)) => break,
            }
        }
        journal.header = header;
        Ok(Opened {
            journal,
            records,
            warnings,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Append one record; returns after it is on disk (`fsync`).
    pub fn append(&mut self, record: &Record) -> Result<(), JournalError> {
        self.write_line(record)
    }

    /// Append several records with one `fsync` (all or, after a crash, a prefix of them).
    pub fn append_all(&mut self, records: &[Record]) -> Result<(), JournalError> {
        let mut buf = Vec::new();
        for r in records {
            serde_json::to_writer(&mut buf, r).map_err(|e| JournalError::Encode(e.to_string()))?;
            buf.push(b'\n');
        }
        self.write_bytes(&buf)
    }

    fn write_line<T: Serialize>(&mut self, value: &T) -> Result<(), JournalError> {
        let mut buf = serde_json::to_vec(value).map_err(|e| JournalError::Encode(e.to_string()))?;
        buf.push(b'\n');
        self.write_bytes(&buf)
    }

    fn write_bytes(&mut self, buf: &[u8]) -> Result<(), JournalError> {
        let io = |error| JournalError::Io {
            path: self.path.clone(),
            error,
        };
        self.file.write_all(buf).map_err(io)?;
        self.file.sync_data().map_err(io)
    }

    fn truncate(&mut self, len: u64) -> Result<(), JournalError> {
        let io = |error| JournalError::Io {
            path: self.path.clone(),
            error,
        };
        self.file.set_len(len).map_err(io)?;
        self.file.seek(SeekFrom::End(0)).map_err(io)?;
        self.file.sync_data().map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::review::Decision;

    fn decision(id: &str) -> Record {
        Record::Decision {
            dream_id: "drm_1".into(),
            change_id: id.into(),
            decision: Decision::Accept,
            seen: None,
        }
    }

    #[test]
    fn records_survive_a_reopen_and_the_header_comes_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = Journal::path_for(dir.path(), "http://x", Some("ws"));
        {
            let mut o = Journal::open(&path, "http://x", Some("ws")).unwrap();
            assert!(o.records.is_empty());
            o.journal.append(&decision("a")).unwrap();
            o.journal
                .append_all(&[decision("b"), decision("c")])
                .unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let first = text.lines().next().unwrap();
        assert_eq!(
            first,
            r#"{"version":1,"base_url":"http://x","workspace":"ws"}"#
        );
        assert_eq!(
            text.lines().nth(1).unwrap(),
            r#"{"type":"decision","dream_id":"drm_1","change_id":"a","decision":"accept"}"#
        );
        let o = Journal::open(&path, "http://x", Some("ws")).unwrap();
        assert_eq!(o.records, vec![decision("a"), decision("b"), decision("c")]);
        assert!(o.warnings.is_empty());
    }

    #[test]
    fn a_torn_last_line_is_dropped_with_a_warning_and_appends_continue_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        {
            let mut o = Journal::open(&path, "http://x", None).unwrap();
            o.journal.append(&decision("a")).unwrap();
        }
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"type":"decision","dream_id":"drm_1","chan"#)
            .unwrap();
        drop(f);
        {
            let mut o = Journal::open(&path, "http://x", None).unwrap();
            assert_eq!(o.records, vec![decision("a")]);
            assert_eq!(
                o.warnings,
                vec![JournalWarning::TornLastLine {
                    path: path.clone(),
                    bytes: 43
                }]
            );
            o.journal.append(&decision("b")).unwrap();
        }
        let o = Journal::open(&path, "http://x", None).unwrap();
        assert_eq!(o.records, vec![decision("a"), decision("b")]);
        assert!(o.warnings.is_empty());
    }

    #[test]
    fn another_target_newer_version_corruption_and_a_second_opener_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let held = Journal::open(&path, "http://x", Some("ws1")).unwrap();
        let e = Journal::open(&path, "http://x", Some("ws1")).unwrap_err();
        assert!(matches!(e, JournalError::Locked { .. }), "{e}");
        drop(held);
        let e = Journal::open(&path, "http://x", Some("ws2")).unwrap_err();
        assert!(matches!(e, JournalError::OtherTarget { .. }), "{e}");
        assert!(e.to_string().contains("workspace ws1"), "{e}");
        let e = Journal::open(&path, "http://y", Some("ws1")).unwrap_err();
        assert!(matches!(e, JournalError::OtherTarget { .. }), "{e}");

        std::fs::write(
            &path,
            "{\"version\":2,\"base_url\":\"http://x\",\"workspace\":null}\n",
        )
        .unwrap();
        let e = Journal::open(&path, "http://x", None).unwrap_err();
        assert!(
            matches!(e, JournalError::NewerVersion { found: 2, .. }),
            "{e}"
        );
        // The refused file is left as it was.
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .contains("\"version\":2")
        );

        std::fs::write(
            &path,
            "{\"version\":1,\"base_url\":\"http://x\",\"workspace\":null}\nnot json\n{\"type\":\"undo\",\"dream_id\":\"d\"}\n",
        )
        .unwrap();
        let e = Journal::open(&path, "http://x", None).unwrap_err();
        assert!(matches!(e, JournalError::Corrupt { line: 2, .. }), "{e}");
    }

    #[test]
    fn the_file_name_depends_on_base_url_and_workspace() {
        let d = Path::new("/d");
        let a = Journal::path_for(d, "http://x", None);
        assert_eq!(a, Journal::path_for(d, "http://x/", None));
        assert_ne!(a, Journal::path_for(d, "http://x", Some("w")));
        assert_ne!(a, Journal::path_for(d, "http://y", None));
        assert!(a.to_string_lossy().ends_with(".jsonl"));
    }
}
