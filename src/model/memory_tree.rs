//! A memory store as a path tree, filled lazily one folder at a time (`depth=1` listings whose
//! deeper paths arrive as `memory_prefix` rows). Pure: the caller fetches, the tree only
//! remembers what each folder holds and which folders are open, and flattens the open part
//! into display rows when something changed (never on the draw path).

use std::collections::HashMap;

use crate::model::resources::MemoryRow;

/// Where a folder's children stand.
#[derive(Debug, Clone, PartialEq)]
pub enum Load {
    NotLoaded,
    Loading,
    /// `truncated`: the listing stopped at the fetch cap.
    Loaded {
        truncated: bool,
    },
    Failed(String),
}

/// One child of a folder as the listing gave it.
#[derive(Debug, Clone, PartialEq)]
pub enum Child {
    /// A sub-folder, by its full prefix (`/a/b/`).
    Folder(String),
    Memory(MemoryRow),
}

#[derive(Debug, Clone, PartialEq)]
struct Folder {
    open: bool,
    load: Load,
    children: Vec<Child>,
}

/// One visible row of the tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    Folder {
        depth: usize,
        /// Full prefix, ending in `/`.
        path: String,
        open: bool,
    },
    Memory {
        depth: usize,
        memory: MemoryRow,
    },
    /// A folder's children are on their way.
    Loading {
        depth: usize,
    },
    /// A folder's listing failed (one line).
    Error {
        depth: usize,
        text: String,
    },
    /// An open folder with nothing in it.
    Empty {
        depth: usize,
    },
    /// The listing stopped at the cap.
    More {
        depth: usize,
    },
}

impl Row {
    pub fn depth(&self) -> usize {
        match self {
            Row::Folder { depth, .. }
            | Row::Memory { depth, .. }
            | Row::Loading { depth }
            | Row::Error { depth, .. }
            | Row::Empty { depth }
            | Row::More { depth } => *depth,
        }
    }
}

pub const ROOT: &str = "/";

/// The last segment of a path (`/a/b/` → `b/`, `/a/x.md` → `x.md`).
pub fn name(path: &str) -> &str {
    let trimmed = path.strip_suffix('/').unwrap_or(path);
    match trimmed.rfind('/') {
        Some(i) => &path[i + 1..],
        None => path,
    }
}

/// The folder holding `path` (`/a/b/` → `/a/`, `/a/x.md` → `/a/`, `/` → `/`).
pub fn parent(path: &str) -> &str {
    let trimmed = path.strip_suffix('/').unwrap_or(path);
    match trimmed.rfind('/') {
        Some(i) => &path[..=i],
        None => ROOT,
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    folders: HashMap<String, Folder>,
}

impl Default for Tree {
    fn default() -> Self {
        Tree::new()
    }
}

impl Tree {
    /// Only the root, open and not loaded yet.
    pub fn new() -> Tree {
        let mut folders = HashMap::new();
        folders.insert(
            ROOT.to_string(),
            Folder {
                open: true,
                load: Load::NotLoaded,
                children: Vec::new(),
            },
        );
        Tree { folders }
    }

    fn folder(&mut self, prefix: &str) -> &mut Folder {
        self.folders
            .entry(prefix.to_string())
            .or_insert_with(|| Folder {
                open: false,
                load: Load::NotLoaded,
                children: Vec::new(),
            })
    }

    pub fn is_open(&self, prefix: &str) -> bool {
        self.folders.get(prefix).is_some_and(|f| f.open)
    }

    pub fn load_state(&self, prefix: &str) -> Option<&Load> {
        self.folders.get(prefix).map(|f| &f.load)
    }

    /// Open a folder; true when its children must be fetched now (it becomes `Loading`).
    pub fn open(&mut self, prefix: &str) -> bool {
        let f = self.folder(prefix);
        f.open = true;
        match f.load {
            Load::NotLoaded | Load::Failed(_) => {
                f.load = Load::Loading;
                true
            }
            _ => false,
        }
    }

    pub fn close(&mut self, prefix: &str) {
        if prefix != ROOT {
            self.folder(prefix).open = false;
        }
    }

    /// A folder must be fetched again (e.g. after a write in it); true when it is open (so
    /// the caller fetches it now; a closed one fetches when it opens).
    pub fn invalidate(&mut self, prefix: &str) -> bool {
        let f = self.folder(prefix);
        if f.open {
            if f.load != Load::Loading && f.children.is_empty() {
                f.load = Load::Loading;
            }
            true
        } else {
            f.load = Load::NotLoaded;
            false
        }
    }

    /// A folder's listing arrived: folders first, then memories, each by path.
    pub fn loaded(&mut self, prefix: &str, mut children: Vec<Child>, truncated: bool) {
        let key = |c: &Child| match c {
            Child::Folder(p) => (0, p.clone()),
            Child::Memory(m) => (1, m.path.clone()),
        };
        children.sort_by_key(key);
        let f = self.folder(prefix);
        f.children = children;
        f.load = Load::Loaded { truncated };
    }

    pub fn failed(&mut self, prefix: &str, error: &str) {
        let f = self.folder(prefix);
        f.load = Load::Failed(crate::text::one_line(error));
    }

    /// Every memory the tree knows of, with the given id.
    pub fn find_memory(&self, id: &str) -> Option<&MemoryRow> {
        self.folders.values().find_map(|f| {
            f.children.iter().find_map(|c| match c {
                Child::Memory(m) if m.id == id => Some(m),
                _ => None,
            })
        })
    }

    /// The open part of the tree, depth first (the root itself is not a row).
    pub fn rows(&self) -> Vec<Row> {
        let mut out = Vec::new();
        self.push_rows(ROOT, 0, &mut out);
        out
    }

    fn push_rows(&self, prefix: &str, depth: usize, out: &mut Vec<Row>) {
        let Some(f) = self.folders.get(prefix) else {
            return;
        };
        match &f.load {
            Load::Loading if f.children.is_empty() => {
                out.push(Row::Loading { depth });
                return;
            }
            Load::Failed(text) => out.push(Row::Error {
                depth,
                text: text.clone(),
            }),
            Load::Loaded { .. } if f.children.is_empty() => out.push(Row::Empty { depth }),
            _ => {}
        }
        for c in &f.children {
            match c {
                Child::Folder(p) => {
                    let open = self.is_open(p);
                    out.push(Row::Folder {
                        depth,
                        path: p.clone(),
                        open,
                    });
                    if open {
                        self.push_rows(p, depth + 1, out);
                    }
                }
                Child::Memory(m) => out.push(Row::Memory {
                    depth,
                    memory: m.clone(),
                }),
            }
        }
        if matches!(f.load, Load::Loaded { truncated: true }) {
            out.push(Row::More { depth });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mem(path: &str) -> Child {
        Child::Memory(MemoryRow {
            id: format!("mem{path}"),
            path: path.into(),
            size: 10,
            sha: "abcd1234".into(),
            updated_at: None,
        })
    }

    fn shape(t: &Tree) -> Vec<String> {
        t.rows()
            .iter()
            .map(|r| {
                let pad = "  ".repeat(r.depth());
                match r {
                    Row::Folder { path, open, .. } => {
                        format!("{pad}{} {}", if *open { "v" } else { ">" }, name(path))
                    }
                    Row::Memory { memory, .. } => format!("{pad}{}", name(&memory.path)),
                    Row::Loading { .. } => format!("{pad}loading"),
                    Row::Error { text, .. } => format!("{pad}error {text}"),
                    Row::Empty { .. } => format!("{pad}empty"),
                    Row::More { .. } => format!("{pad}more"),
                }
            })
            .collect()
    }

    #[test]
    fn folders_open_lazily_and_keep_their_children_when_closed() {
        let mut t = Tree::new();
        assert!(shape(&t).is_empty());
        assert!(t.open(ROOT));
        assert_eq!(shape(&t), vec!["loading"]);
        t.loaded(
            ROOT,
            vec![mem("/z.md"), Child::Folder("/notes/".into()), mem("/a.md")],
            false,
        );
        assert_eq!(shape(&t), vec!["> notes/", "a.md", "z.md"]);
        assert!(t.open("/notes/"));
        assert!(!t.open("/notes/"), "already loading: no second fetch");
        assert_eq!(shape(&t), vec!["v notes/", "  loading", "a.md", "z.md"]);
        t.failed("/notes/", "503 busy\n(request-id req_1)");
        assert_eq!(
            shape(&t),
            vec![
                "v notes/",
                "  error 503 busy (request-id req_1)",
                "a.md",
                "z.md"
            ]
        );
        assert!(t.open("/notes/"), "a failed folder fetches again");
        t.loaded("/notes/", vec![mem("/notes/x.md")], true);
        assert_eq!(
            shape(&t),
            vec!["v notes/", "  x.md", "  more", "a.md", "z.md"]
        );
        t.close("/notes/");
        assert_eq!(shape(&t), vec!["> notes/", "a.md", "z.md"]);
        assert!(!t.open("/notes/"), "loaded once: reopening needs no fetch");
        assert_eq!(t.find_memory("mem/notes/x.md").map(|m| m.size), Some(10));
    }

    #[test]
    fn names_and_parents() {
        assert_eq!(name("/a/b/"), "b/");
        assert_eq!(name("/a/x.md"), "x.md");
        assert_eq!(parent("/a/b/"), "/a/");
        assert_eq!(parent("/a/x.md"), "/a/");
        assert_eq!(parent("/x.md"), "/");
        assert_eq!(parent("/"), "/");
    }
}
