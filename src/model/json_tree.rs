//! A foldable view of one JSON value, built once per selection and bounded whatever the input:
//! - a string longer than [`VALUE_CAP`] bytes keeps its first part and says its total size;
//! - nesting deeper than [`DEPTH_CAP`] is one folded marker row (the parser never recurses past it);
//! - at most [`ROW_CAP`] rows are kept, each at most [`LINE_CAP`] bytes, and at most
//!   [`TEXT_CAP`] bytes of text in all: once a cap is reached the parser stops reading, so a
//!   50 MB event costs one bounded pass and a tree of a few MB, never its pretty-printed size;
//! - strings are decoded (escapes, lone surrogates → U+FFFD) and sanitized, and a string with
//!   newlines is shown as text, one row per line, foldable.
//!
//! Work per key or frame (moving, folding, drawing) touches the visible rows only; folding
//! recomputes the visible list, bounded by [`ROW_CAP`].

use crate::text;

pub const VALUE_CAP: usize = 256 * 1024;
pub const DEPTH_CAP: usize = 64;
pub const ROW_CAP: usize = 50_000;
pub const LINE_CAP: usize = 4096;
pub const TEXT_CAP: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Object,
    Array,
    /// A string with newlines: the row is its header, its lines are [`Kind::Line`] children.
    Text,
    Line,
    Str,
    Number,
    Bool,
    Null,
    /// Something left out (too big, too deep, too many rows): says what and how much.
    Note,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub depth: u16,
    /// Object key or `[i]` (sanitized); `None` for the root and text lines.
    pub key: Option<String>,
    pub kind: Kind,
    /// Scalar text (strings without quotes), a container's summary, a text line, a note.
    pub text: String,
    /// One past this row's last descendant (rows `i+1..end` are its children).
    pub end: u32,
    pub folded: bool,
}

impl Row {
    pub fn foldable(&self) -> bool {
        matches!(self.kind, Kind::Object | Kind::Array | Kind::Text)
    }
}

/// The rows of one value and which of them are shown.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JsonTree {
    pub rows: Vec<Row>,
    /// Indexes of the rows not hidden by a fold, in order.
    pub visible: Vec<u32>,
    /// Size of the source text in bytes.
    pub source_bytes: usize,
    /// Something was left out: the whole value is only in `$PAGER`.
    pub cut: bool,
}

/// Rows being built, with the caps' bookkeeping.
#[derive(Default)]
struct Rows {
    rows: Vec<Row>,
    cut: bool,
    /// A cap was reached: nothing more is kept (the parser stops).
    full: bool,
    /// Bytes of text (keys and values) kept so far.
    bytes: usize,
}

/// Why parsing stopped early.
enum Halt {
    /// Not JSON: shown as text.
    NotJson,
    /// A cap was reached: the rows so far are the tree.
    Full,
}

struct Parser<'a> {
    b: &'a [u8],
    s: &'a str,
    i: usize,
    out: Rows,
}

impl JsonTree {
    /// Parse `raw`; text that is not JSON is shown as sanitized text lines.
    pub fn build(raw: &str) -> JsonTree {
        let mut p = Parser {
            b: raw.as_bytes(),
            s: raw,
            i: 0,
            out: Rows::default(),
        };
        p.ws();
        let ok = match p.value(0, None) {
            Ok(()) => {
                p.ws();
                p.i == p.b.len()
            }
            Err(Halt::Full) => true,
            Err(Halt::NotJson) => false,
        };
        let mut tree = if ok {
            JsonTree {
                rows: p.out.rows,
                cut: p.out.cut,
                ..Default::default()
            }
        } else {
            JsonTree::text(raw)
        };
        tree.source_bytes = raw.len();
        tree.refresh();
        tree
    }

    /// Plain text, one row per line (bounded like every tree).
    pub fn text(raw: &str) -> JsonTree {
        let mut out = Rows::default();
        out.text_lines(0, head(raw, VALUE_CAP));
        if raw.len() > VALUE_CAP && !out.full {
            out.cut = true;
            out.rows.push(note(
                0,
                format!("… {} in all · o opens the rest in $PAGER", size(raw.len())),
            ));
        }
        let mut t = JsonTree {
            rows: out.rows,
            cut: out.cut,
            source_bytes: raw.len(),
            ..Default::default()
        };
        t.refresh();
        t
    }

    /// The value under the top-level key `key` as its own tree (depths shifted to start at 0).
    pub fn child(&self, key: &str) -> Option<JsonTree> {
        let root = self.rows.first()?;
        let mut i = 1usize;
        while i < root.end as usize && i < self.rows.len() {
            let r = &self.rows[i];
            if r.depth == 1 && r.key.as_deref() == Some(key) {
                let end = (r.end as usize).min(self.rows.len());
                let rows = self.rows[i..end]
                    .iter()
                    .enumerate()
                    .map(|(j, r2)| Row {
                        depth: r2.depth.saturating_sub(1),
                        key: if j == 0 { None } else { r2.key.clone() },
                        end: r2.end - i as u32,
                        kind: r2.kind,
                        text: r2.text.clone(),
                        folded: r2.folded,
                    })
                    .collect();
                let mut t = JsonTree {
                    rows,
                    cut: self.cut,
                    source_bytes: self.source_bytes,
                    ..Default::default()
                };
                t.refresh();
                return Some(t);
            }
            i = (r.end as usize).max(i + 1);
        }
        None
    }

    /// A top-level scalar's text (`"name"` → `bash`).
    pub fn field(&self, key: &str) -> Option<&str> {
        let root = self.rows.first()?;
        let mut i = 1usize;
        while i < root.end as usize && i < self.rows.len() {
            let r = &self.rows[i];
            if r.depth == 1 && r.key.as_deref() == Some(key) {
                return Some(&r.text);
            }
            i = (r.end as usize).max(i + 1);
        }
        None
    }

    /// Recompute the visible rows after a fold change (bounded by [`ROW_CAP`]).
    pub fn refresh(&mut self) {
        self.visible.clear();
        let mut i = 0usize;
        while i < self.rows.len() {
            self.visible.push(i as u32);
            let r = &self.rows[i];
            i = if r.folded && r.foldable() {
                (r.end as usize).max(i + 1)
            } else {
                i + 1
            };
        }
    }

    /// Fold (`Some(true)`), unfold (`Some(false)`) or toggle (`None`) row `row`.
    pub fn set_fold(&mut self, row: usize, fold: Option<bool>) -> bool {
        let Some(r) = self.rows.get_mut(row) else {
            return false;
        };
        if !r.foldable() || r.end as usize <= row + 1 {
            return false;
        }
        let new = fold.unwrap_or(!r.folded);
        let changed = new != r.folded;
        r.folded = new;
        if changed {
            self.refresh();
        }
        changed
    }

    /// Fold every container below the root (`true`) or unfold everything (`false`).
    pub fn fold_all(&mut self, fold: bool) {
        for (i, r) in self.rows.iter_mut().enumerate() {
            if r.foldable() {
                r.folded = fold && i > 0;
            }
        }
        self.refresh();
    }

    /// The row that contains `row` (its parent), if any.
    pub fn parent(&self, row: usize) -> Option<usize> {
        let depth = self.rows.get(row)?.depth;
        (0..row).rev().find(|&j| self.rows[j].depth < depth)
    }

    /// Where row `row` is in the visible list (`None` when a fold hides it).
    pub fn position(&self, row: usize) -> Option<usize> {
        self.visible.binary_search(&(row as u32)).ok()
    }

    /// Unfold every container that hides row `row`, so it can be shown.
    pub fn reveal(&mut self, row: usize) {
        let mut changed = false;
        let mut at = row;
        while let Some(p) = self.parent(at) {
            if let Some(r) = self.rows.get_mut(p)
                && r.folded
            {
                r.folded = false;
                changed = true;
            }
            at = p;
        }
        if changed {
            self.refresh();
        }
    }

    /// The next row after `from` (or before it, `forward == false`) whose key or text contains
    /// `query`: case-insensitive unless the query has a capital (smart case). Folded rows are
    /// searched too. Bounded by the tree's caps ([`ROW_CAP`] rows, [`TEXT_CAP`] bytes).
    pub fn find(&self, query: &str, from: usize, forward: bool) -> Option<usize> {
        if query.is_empty() {
            return None;
        }
        let hit = |r: &Row| row_matches(r, query);
        if forward {
            (from.saturating_add(1)..self.rows.len()).find(|&i| hit(&self.rows[i]))
        } else {
            (0..from.min(self.rows.len()))
                .rev()
                .find(|&i| hit(&self.rows[i]))
        }
    }

    /// Heap bytes held by the tree (rows, their text, the visible list): what a selection costs.
    pub fn heap_bytes(&self) -> usize {
        self.rows.capacity() * std::mem::size_of::<Row>()
            + self
                .rows
                .iter()
                .map(|r| r.text.capacity() + r.key.as_ref().map_or(0, String::capacity))
                .sum::<usize>()
            + self.visible.capacity() * 4
    }

    /// The text of row `row` and everything under it, as it would be copied: JSON-ish for
    /// containers, the plain text for strings and text (bounded by the tree's caps).
    pub fn value_text(&self, row: usize) -> String {
        let Some(r) = self.rows.get(row) else {
            return String::new();
        };
        match r.kind {
            Kind::Text => self.rows[row + 1..(r.end as usize).min(self.rows.len())]
                .iter()
                .map(|l| l.text.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            Kind::Object | Kind::Array => {
                let end = (r.end as usize).min(self.rows.len());
                let mut out = String::new();
                for l in &self.rows[row..end] {
                    out.push_str(&" ".repeat(usize::from(l.depth.saturating_sub(r.depth)) * 2));
                    out.push_str(&l.plain());
                    out.push('\n');
                }
                out
            }
            _ => r.text.clone(),
        }
    }
}

impl Row {
    /// The row as plain text: `key: value`.
    pub fn plain(&self) -> String {
        let value = match self.kind {
            Kind::Str => format!("\"{}\"", self.text),
            _ => self.text.clone(),
        };
        match &self.key {
            Some(k) => format!("{k}: {value}"),
            None => value,
        }
    }
}

/// Does `query` occur in the row's key or text (smart case)?
pub fn row_matches(r: &Row, query: &str) -> bool {
    let smart = query.chars().any(char::is_uppercase);
    let has = |s: &str| {
        if smart {
            s.contains(query)
        } else {
            contains_ignore_case(s, query)
        }
    };
    has(&r.text) || r.key.as_deref().is_some_and(has)
}

/// Case-insensitive `contains` without allocating (ASCII folding; other letters must match).
fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if n.len() > h.len() {
        return false;
    }
    if !needle.chars().any(|c| c.is_alphabetic()) {
        return memchr::memmem::find(h, n).is_some();
    }
    if !needle.is_ascii() {
        return hay.to_lowercase().contains(&needle.to_lowercase());
    }
    h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

fn head(s: &str, max: usize) -> &str {
    let mut cut = s.len().min(max);
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    &s[..cut]
}

pub fn size(bytes: usize) -> String {
    match bytes {
        0..=1023 => format!("{bytes} B"),
        1024..=1_048_575 => format!("{:.1} KB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MB", bytes as f64 / 1_048_576.0),
    }
}

fn note(depth: u16, text: String) -> Row {
    Row {
        depth,
        key: None,
        kind: Kind::Note,
        text,
        end: 0,
        folded: false,
    }
}

impl Rows {
    /// Keep `row` unless a cap is reached (then a note says so once, and `full` is set).
    fn push(&mut self, mut row: Row) -> bool {
        if self.full {
            return false;
        }
        if self.rows.len() >= ROW_CAP || self.bytes >= TEXT_CAP {
            self.cut = true;
            self.full = true;
            let n = self.rows.len() as u32;
            let what = if self.rows.len() >= ROW_CAP {
                format!("more than {ROW_CAP} rows")
            } else {
                format!("more than {} of text", size(TEXT_CAP))
            };
            self.rows.push(Row {
                end: n + 1,
                ..note(0, format!("… {what} · o opens the whole value in $PAGER"))
            });
            return false;
        }
        row.end = self.rows.len() as u32 + 1;
        if row.text.len() > LINE_CAP {
            let kept = head(&row.text, LINE_CAP).len();
            row.text.truncate(kept);
            row.text.push('…');
        }
        if let Some(k) = &mut row.key
            && k.len() > LINE_CAP
        {
            let kept = head(k, LINE_CAP).len();
            k.truncate(kept);
            k.push('…');
        }
        self.bytes += row.text.len() + row.key.as_ref().map_or(0, String::len);
        self.rows.push(row);
        true
    }

    /// One [`Kind::Line`] row per line of `s` (sanitized); `false` once a cap stopped it.
    fn text_lines(&mut self, depth: u16, s: &str) -> bool {
        for line in text::sanitize(s).split('\n') {
            if !self.push(Row {
                depth,
                key: None,
                kind: Kind::Line,
                text: line.to_string(),
                end: 0,
                folded: false,
            }) {
                return false;
            }
        }
        true
    }
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\n' | b'\r' | b'\t') {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Parse one value at nesting `depth`, pushing its rows.
    fn value(&mut self, depth: usize, key: Option<String>) -> Result<(), Halt> {
        let d = depth as u16;
        match self.peek().ok_or(Halt::NotJson)? {
            c @ (b'{' | b'[') => {
                if depth >= DEPTH_CAP {
                    let start = self.i;
                    self.skip_container().ok_or(Halt::NotJson)?;
                    self.out.cut = true;
                    let text = format!(
                        "{} nested deeper than {DEPTH_CAP} ({}) · o opens it in $PAGER",
                        if c == b'{' { "{…}" } else { "[…]" },
                        size(self.i - start)
                    );
                    return self.keep(Row {
                        key,
                        ..note(d, text)
                    });
                }
                let at = self.out.rows.len();
                let kind = if c == b'{' { Kind::Object } else { Kind::Array };
                self.keep(Row {
                    depth: d,
                    key,
                    kind,
                    text: String::new(),
                    end: 0,
                    folded: false,
                })?;
                self.i += 1;
                self.ws();
                let close = if c == b'{' { b'}' } else { b']' };
                let mut n = 0usize;
                let result = self.members(c, close, depth, &mut n);
                // Close the container's row, also when a cap stopped the parse inside it.
                let end = self.out.rows.len() as u32;
                let more = if result.is_err() { "+" } else { "" };
                if let Some(r) = self.out.rows.get_mut(at) {
                    r.end = end;
                    r.text = match (kind, n) {
                        (Kind::Object, 0) if more.is_empty() => "{}".into(),
                        (Kind::Array, 0) if more.is_empty() => "[]".into(),
                        (Kind::Object, n) => format!("{{{n}{more}}}"),
                        (_, n) => format!("[{n}{more}]"),
                    };
                }
                result
            }
            b'"' => {
                let start = self.i;
                let s = self.string().ok_or(Halt::NotJson)?;
                let bytes = self.i - start;
                self.push_string(d, key, &s, bytes)
            }
            _ => {
                let start = self.i;
                while self.i < self.b.len()
                    && !matches!(
                        self.b[self.i],
                        b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'
                    )
                {
                    self.i += 1;
                }
                let lit = self.s.get(start..self.i).ok_or(Halt::NotJson)?;
                let kind = match lit {
                    "true" | "false" => Kind::Bool,
                    "null" => Kind::Null,
                    _ if serde_json::from_str::<serde_json::Number>(lit).is_ok() => Kind::Number,
                    _ => return Err(Halt::NotJson),
                };
                self.keep(Row {
                    depth: d,
                    key,
                    kind,
                    text: lit.to_string(),
                    end: 0,
                    folded: false,
                })
            }
        }
    }

    /// The members of a container whose opening bracket `c` was just read; `n` counts them.
    fn members(&mut self, c: u8, close: u8, depth: usize, n: &mut usize) -> Result<(), Halt> {
        if self.peek() == Some(close) {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.ws();
            let child_key = if c == b'{' {
                let k = self.string().ok_or(Halt::NotJson)?;
                self.ws();
                if self.peek() != Some(b':') {
                    return Err(Halt::NotJson);
                }
                self.i += 1;
                self.ws();
                text::one_line(&k)
            } else {
                format!("[{n}]")
            };
            self.value(depth + 1, Some(child_key))?;
            *n += 1;
            self.ws();
            match self.peek().ok_or(Halt::NotJson)? {
                b',' => self.i += 1,
                x if x == close => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(Halt::NotJson),
            }
        }
    }

    /// Keep a row, or stop the parse once a cap is reached.
    fn keep(&mut self, row: Row) -> Result<(), Halt> {
        if self.out.push(row) {
            Ok(())
        } else {
            Err(Halt::Full)
        }
    }

    fn push_string(
        &mut self,
        d: u16,
        key: Option<String>,
        s: &str,
        bytes: usize,
    ) -> Result<(), Halt> {
        let big = s.len() >= VALUE_CAP;
        if !s.contains('\n') && !big {
            return self.keep(Row {
                depth: d,
                key,
                kind: Kind::Str,
                text: text::one_line(s),
                end: 0,
                folded: false,
            });
        }
        let at = self.out.rows.len();
        let lines = s.split('\n').count();
        let more = if big { "+" } else { "" };
        self.keep(Row {
            depth: d,
            key,
            kind: Kind::Text,
            text: format!("text · {lines}{more} lines · {}", size(bytes)),
            end: 0,
            folded: false,
        })?;
        let mut done = self.out.text_lines(d + 1, s);
        if big && done {
            self.out.cut = true;
            done = self.out.push(note(
                d + 1,
                format!(
                    "… first {} of {} shown · o opens the rest in $PAGER",
                    size(VALUE_CAP),
                    size(bytes)
                ),
            ));
        }
        let end = self.out.rows.len() as u32;
        if let Some(r) = self.out.rows.get_mut(at) {
            r.end = end;
        }
        if done { Ok(()) } else { Err(Halt::Full) }
    }

    /// Decode a string at `self.i` (on its opening quote), keeping at most [`VALUE_CAP`] bytes
    /// of it; the rest is skipped without copying.
    fn string(&mut self) -> Option<String> {
        if self.peek()? != b'"' {
            return None;
        }
        self.i += 1;
        let mut out = String::new();
        loop {
            // Copy the run up to the next quote or backslash in one go.
            let rest = &self.b[self.i..];
            let run = memchr::memchr2(b'"', b'\\', rest)?;
            if out.len() < VALUE_CAP {
                let piece = &self.s[self.i..self.i + run];
                out.push_str(head(piece, VALUE_CAP - out.len()));
            }
            self.i += run;
            let c = self.b[self.i];
            self.i += 1;
            if c == b'"' {
                return Some(out);
            }
            let esc = self.peek()?;
            self.i += 1;
            let ch = match esc {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    let hi = self.hex4()?;
                    if (0xD800..0xDC00).contains(&hi)
                        && self.b.get(self.i) == Some(&b'\\')
                        && self.b.get(self.i + 1) == Some(&b'u')
                    {
                        let save = self.i;
                        self.i += 2;
                        let lo = self.hex4()?;
                        if (0xDC00..0xE000).contains(&lo) {
                            let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                            char::from_u32(c).unwrap_or('\u{FFFD}')
                        } else {
                            self.i = save;
                            '\u{FFFD}'
                        }
                    } else {
                        char::from_u32(hi).unwrap_or('\u{FFFD}')
                    }
                }
                _ => return None,
            };
            if out.len() < VALUE_CAP {
                out.push(ch);
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.s.get(self.i..self.i + 4)?;
        let v = u32::from_str_radix(h, 16).ok()?;
        self.i += 4;
        Some(v)
    }

    /// Skip a container iteratively (any depth), strings included.
    fn skip_container(&mut self) -> Option<()> {
        let mut depth = 0usize;
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        self.i += 1;
                        return Some(());
                    }
                }
                b'"' => {
                    self.i += 1;
                    loop {
                        let run = memchr::memchr2(b'"', b'\\', &self.b[self.i..])?;
                        self.i += run;
                        if self.b[self.i] == b'"' {
                            break;
                        }
                        self.i += 2;
                    }
                }
                _ => {}
            }
            self.i += 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(t: &JsonTree) -> Vec<String> {
        t.visible
            .iter()
            .map(|&i| {
                let r = &t.rows[i as usize];
                format!("{}{}", "  ".repeat(usize::from(r.depth)), r.plain())
            })
            .collect()
    }

    #[test]
    fn builds_rows_and_folds() {
        let mut t = JsonTree::build(r#"{"a":1,"b":{"c":"x","d":[true,null]},"e":"l1\nl2"}"#);
        assert_eq!(
            shown(&t),
            [
                "{3}",
                "  a: 1",
                "  b: {2}",
                "    c: \"x\"",
                "    d: [2]",
                "      [0]: true",
                "      [1]: null",
                "  e: text · 2 lines · 8 B",
                "    l1",
                "    l2",
            ]
        );
        assert!(t.set_fold(2, None));
        assert_eq!(shown(&t)[2..4], ["  b: {2}", "  e: text · 2 lines · 8 B"]);
        t.fold_all(true);
        assert_eq!(
            shown(&t),
            ["{3}", "  a: 1", "  b: {2}", "  e: text · 2 lines · 8 B"]
        );
        t.fold_all(false);
        assert_eq!(t.visible.len(), 10);
        assert_eq!(t.parent(5), Some(4));
        assert_eq!(t.field("a"), Some("1"));
        let b = t.child("b").unwrap();
        assert_eq!(
            shown(&b),
            [
                "{2}",
                "  c: \"x\"",
                "  d: [2]",
                "    [0]: true",
                "    [1]: null"
            ]
        );
        assert_eq!(t.value_text(7), "l1\nl2");
    }

    #[test]
    fn hostile_inputs_are_bounded_and_safe() {
        // 10,000-deep nesting: one marker row at the depth cap, no recursion past it.
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let t = JsonTree::build(&deep);
        assert_eq!(t.rows.len(), DEPTH_CAP + 1);
        assert!(
            t.rows[DEPTH_CAP]
                .text
                .starts_with("[…] nested deeper than 64")
        );
        assert!(t.cut);
        // Lone surrogate, escapes and bidi are decoded then sanitized.
        let t = JsonTree::build(r#"{"s":"a\ud800b","e":"x\u001b[31mred\u202e!"}"#);
        assert_eq!(t.field("s"), Some("a\u{FFFD}b"));
        assert_eq!(t.field("e"), Some("xred!"));
        // A 1 MB string keeps its first 256 KB and says the total.
        let big = format!(r#"{{"out":"{}"}}"#, "x".repeat(1 << 20));
        let t = JsonTree::build(&big);
        let last = &t.rows[t.rows.len() - 1];
        assert_eq!(
            last.text,
            "… first 256.0 KB of 1.0 MB shown · o opens the rest in $PAGER"
        );
        assert!(t.rows.iter().all(|r| r.text.len() <= LINE_CAP + 3));
        // Many lines: capped rows.
        let lines = format!(r#"{{"out":"{}"}}"#, "y\\n".repeat(80_000));
        let t = JsonTree::build(&lines);
        assert_eq!(t.rows.len(), ROW_CAP + 1);
        // Not JSON: text.
        let t = JsonTree::build("{\"unterminated");
        assert_eq!(shown(&t), ["{\"unterminated"]);
    }

    #[test]
    fn a_50_mb_event_builds_a_tree_of_bounded_size() {
        // 50 strings of 1 MB of 100-byte lines: each keeps its first VALUE_CAP bytes until TEXT_CAP is reached,
        // then the parse stops; the tree holds a few MB, not 50 (nor its pretty-printed size).
        let chunk = format!("{}\\n", "y".repeat(98)).repeat(10_700);
        let items: Vec<String> = (0..50).map(|_| format!("\"{chunk}\"")).collect();
        let raw = format!(
            r#"{{"type":"agent.tool_result","content":[{}]}}"#,
            items.join(",")
        );
        assert!(raw.len() > 50 << 20);
        let t = JsonTree::build(&raw);
        assert!(t.cut);
        assert_eq!(t.source_bytes, raw.len());
        assert!(t.rows.len() <= ROW_CAP + 1);
        let text: usize = t.rows.iter().map(|r| r.text.len()).sum();
        assert!(text <= TEXT_CAP + LINE_CAP + 256, "{text}");
        assert!(t.heap_bytes() < 8 << 20, "{}", t.heap_bytes());
        let last = &t.rows[t.rows.len() - 1];
        assert_eq!(
            last.text,
            "… more than 4.0 MB of text · o opens the whole value in $PAGER"
        );
        // The open containers say they were cut (`[n+]`: n strings were read before the stop).
        assert_eq!(t.field("type"), Some("agent.tool_result"));
        let content = t.rows.iter().find(|r| r.key.as_deref() == Some("content"));
        let content = content.map_or("", |r| r.text.as_str());
        assert!(
            content.starts_with('[') && content.ends_with("+]"),
            "{content}"
        );
        // Millions of small values: the parse stops at the row cap instead of reading them all.
        let many = format!("[{}1]", "1,".repeat(3_000_000));
        let t = JsonTree::build(&many);
        assert_eq!(t.rows.len(), ROW_CAP + 1);
        assert_eq!(t.rows[0].text, format!("[{}+]", ROW_CAP - 1));
    }

    #[test]
    fn find_searches_folded_rows_and_reveal_unfolds_them() {
        let mut t = JsonTree::build(r#"{"a":{"b":{"needle":"Found It"}},"c":"found again"}"#);
        t.fold_all(true);
        assert_eq!(shown(&t), ["{2}", "  a: {1}", "  c: \"found again\""]);
        // Smart case: lower-case matches any case; a capital must match exactly.
        assert_eq!(t.find("found", 0, true), Some(3));
        assert_eq!(t.find("Found", 3, true), None);
        assert_eq!(t.find("found", 3, true), Some(4));
        assert_eq!(t.find("needle", 4, false), Some(3));
        assert_eq!(t.position(3), None);
        t.reveal(3);
        assert_eq!(t.position(3), Some(3));
        assert_eq!(shown(&t)[3], "      needle: \"Found It\"");
    }
}
