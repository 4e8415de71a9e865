//! A fast incremental SSE frame parser (bytes in, `event`/`data` frames out).
//! Owner: feed helper.
//!
//! Follows the SSE rules the official SDK decoder applies: lines end in `\n`, `\r\n` or `\r`
//! (a `\r\n` split across two chunks is one line end); a blank line ends a frame; lines starting
//! with `:` are comments; `data:` lines are joined with `\n`; one space after the `:` is dropped;
//! `id:` and `retry:` are read and ignored. A frame is handed out borrowed from the parser's
//! buffers, so the only copy is of the data bytes themselves; no allocation per frame once warm.

use memchr::memchr2;

/// A frame longer than this is dropped (hostile or broken input must not grow memory forever).
pub const MAX_FRAME_BYTES: usize = 64 << 20;

/// One dispatched SSE frame, borrowed from the parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SseFrame<'a> {
    /// `None` when the frame had no `event:` line.
    pub event: Option<&'a str>,
    pub data: &'a str,
}

/// What a frame means to a Managed Agents client (the SDK's rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind<'a> {
    /// An event: `data` is its JSON.
    Event(&'a str),
    /// `event: error`: `data` is the error JSON.
    Error(&'a str),
    /// `ping`, a frame without `event:`, or empty data.
    Skip,
}

impl<'a> SseFrame<'a> {
    pub fn kind(&self) -> FrameKind<'a> {
        match self.event {
            None | Some("ping") => FrameKind::Skip,
            Some("error") => FrameKind::Error(self.data),
            Some(_) if self.data.is_empty() => FrameKind::Skip,
            Some(_) => FrameKind::Event(self.data),
        }
    }
}

/// What [`SseParser::push_marking_drops`] hands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parsed<'a> {
    Frame(SseFrame<'a>),
    /// A frame was dropped here (over [`MAX_FRAME_BYTES`] or not UTF-8).
    Dropped,
}

/// An owned copy of a frame (tests, simple callers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedFrame {
    pub event: Option<String>,
    pub data: String,
}

impl From<SseFrame<'_>> for OwnedFrame {
    fn from(f: SseFrame<'_>) -> Self {
        OwnedFrame {
            event: f.event.map(str::to_owned),
            data: f.data.to_owned(),
        }
    }
}

/// Incremental parser state; feed it chunks in order with [`SseParser::push`].
#[derive(Debug, Default)]
pub struct SseParser {
    /// Bytes of a line not yet ended.
    partial: Vec<u8>,
    /// The previous chunk ended in `\r`: a leading `\n` in the next chunk belongs to it.
    skip_lf: bool,
    event: Vec<u8>,
    has_event: bool,
    data: Vec<u8>,
    data_lines: usize,
    /// The current frame grew past `MAX_FRAME_BYTES`: drop it at its end.
    oversize: bool,
    /// Frames dropped because they were too large or not UTF-8.
    dropped: u64,
}

impl SseParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Frames dropped so far (oversize or not UTF-8).
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Parse `chunk`; call `on_frame` for every frame it completes.
    pub fn push(&mut self, chunk: &[u8], mut on_frame: impl FnMut(SseFrame<'_>)) {
        self.push_marking_drops(chunk, |parsed| {
            if let Parsed::Frame(frame) = parsed {
                on_frame(frame);
            }
        });
    }

    /// [`push`](Self::push), also telling where a frame was dropped (too large, not UTF-8), in
    /// order with the frames around it: a dropped frame may have been an event.
    pub fn push_marking_drops(&mut self, chunk: &[u8], mut on_frame: impl FnMut(Parsed<'_>)) {
        let mut rest = chunk;
        if self.skip_lf && !rest.is_empty() {
            self.skip_lf = false;
            if let Some(stripped) = rest.strip_prefix(b"\n") {
                rest = stripped;
            }
        }
        while let Some(pos) = memchr2(b'\n', b'\r', rest) {
            let line_end = pos;
            let mut next = pos + 1;
            if rest.get(pos) == Some(&b'\r') {
                match rest.get(pos + 1) {
                    Some(b'\n') => next = pos + 2,
                    Some(_) => {}
                    None => self.skip_lf = true,
                }
            }
            let piece = rest.get(..line_end).unwrap_or_default();
            if self.partial.is_empty() {
                self.line(piece, &mut on_frame);
            } else {
                let mut line = std::mem::take(&mut self.partial);
                line.extend_from_slice(piece);
                self.line(&line, &mut on_frame);
                line.clear();
                self.partial = line;
            }
            rest = rest.get(next..).unwrap_or_default();
        }
        if !rest.is_empty() {
            if self.partial.len() + rest.len() + self.data.len() > MAX_FRAME_BYTES {
                self.oversize = true;
                self.partial.clear();
            } else {
                self.partial.extend_from_slice(rest);
            }
        }
    }

    /// Parse `chunk` into owned frames.
    pub fn push_owned(&mut self, chunk: &[u8]) -> Vec<OwnedFrame> {
        let mut out = Vec::new();
        self.push(chunk, |f| out.push(f.into()));
        out
    }

    fn line(&mut self, line: &[u8], on_frame: &mut impl FnMut(Parsed<'_>)) {
        if line.is_empty() {
            self.dispatch(on_frame);
            return;
        }
        if line.first() == Some(&b':') {
            return;
        }
        let (field, value) = match memchr::memchr(b':', line) {
            Some(colon) => {
                let value = line.get(colon + 1..).unwrap_or_default();
                let value = value.strip_prefix(b" ").unwrap_or(value);
                (line.get(..colon).unwrap_or_default(), value)
            }
            None => (line, &b""[..]),
        };
        match field {
            b"data" => {
                if self.data.len() + value.len() > MAX_FRAME_BYTES {
                    self.oversize = true;
                    return;
                }
                if self.data_lines > 0 {
                    self.data.push(b'\n');
                }
                self.data.extend_from_slice(value);
                self.data_lines += 1;
            }
            b"event" => {
                self.event.clear();
                self.event.extend_from_slice(value);
                self.has_event = true;
            }
            // `id` and `retry` are part of SSE but carry nothing a client of this API uses.
            _ => {}
        }
    }

    fn dispatch(&mut self, on_frame: &mut impl FnMut(Parsed<'_>)) {
        let had_anything = self.has_event || self.data_lines > 0 || self.oversize;
        if had_anything {
            if self.oversize {
                self.dropped += 1;
                on_frame(Parsed::Dropped);
            } else {
                let event = if self.has_event {
                    std::str::from_utf8(&self.event).ok()
                } else {
                    None
                };
                match (std::str::from_utf8(&self.data), self.has_event, event) {
                    (Ok(data), false, _) => on_frame(Parsed::Frame(SseFrame { event: None, data })),
                    (Ok(data), true, Some(event)) => on_frame(Parsed::Frame(SseFrame {
                        event: Some(event),
                        data,
                    })),
                    _ => {
                        self.dropped += 1;
                        on_frame(Parsed::Dropped);
                    }
                }
            }
        }
        self.event.clear();
        self.has_event = false;
        self.data.clear();
        self.data_lines = 0;
        self.oversize = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn frames(input: &[u8]) -> Vec<OwnedFrame> {
        SseParser::new().push_owned(input)
    }

    fn f(event: Option<&str>, data: &str) -> OwnedFrame {
        OwnedFrame {
            event: event.map(str::to_owned),
            data: data.to_owned(),
        }
    }

    #[test]
    fn parses_every_line_ending_comments_and_multiline_data() {
        let input = b"event: a\ndata: {\"x\":1}\n\n: keepalive\r\nevent:b\r\ndata: one\r\ndata:two\r\nid: 7\r\nretry: 10\r\n\r\nevent: c\rdata: r\r\r";
        assert_eq!(
            frames(input),
            vec![
                f(Some("a"), "{\"x\":1}"),
                f(Some("b"), "one\ntwo"),
                f(Some("c"), "r"),
            ]
        );
    }

    #[test]
    fn kinds_follow_the_sdk_rules() {
        let got = frames(b"event: ping\ndata: {}\n\ndata: {\"no\":\"event\"}\n\nevent: error\ndata: {\"type\":\"error\"}\n\nevent: x\n\nevent: agent.message\ndata: {}\n\n");
        let kinds: Vec<FrameKind<'_>> = got
            .iter()
            .map(|o| {
                SseFrame {
                    event: o.event.as_deref(),
                    data: &o.data,
                }
                .kind()
            })
            .collect();
        assert_eq!(
            kinds,
            vec![
                FrameKind::Skip,
                FrameKind::Skip,
                FrameKind::Error("{\"type\":\"error\"}"),
                FrameKind::Skip,
                FrameKind::Event("{}"),
            ]
        );
    }

    #[test]
    fn drops_are_marked_in_order() {
        let mut p = SseParser::new();
        let mut got = Vec::new();
        p.push_marking_drops(
            b"event: a\ndata: 1\n\nevent: b\ndata: \xff\xfe\n\nevent: c\ndata: 3\n\n",
            |parsed| {
                got.push(match parsed {
                    Parsed::Frame(f) => f.data.to_owned(),
                    Parsed::Dropped => "dropped".to_owned(),
                })
            },
        );
        assert_eq!(got, ["1", "dropped", "3"]);
        assert_eq!(p.dropped(), 1);
    }

    #[test]
    fn crlf_split_between_chunks_is_one_line_end() {
        let mut p = SseParser::new();
        let mut out = p.push_owned(b"event: a\r");
        out.extend(p.push_owned(b"\ndata: 1\r"));
        out.extend(p.push_owned(b"\n\r"));
        out.extend(p.push_owned(b"\n"));
        assert_eq!(out, vec![f(Some("a"), "1")]);
    }

    #[test]
    fn a_field_without_colon_and_unterminated_frames() {
        // `data` alone is a data line with an empty value; an unterminated frame is not dispatched.
        assert_eq!(
            frames(b"event: a\ndata\ndata\n\nevent: b\ndata: never"),
            vec![f(Some("a"), "\n")]
        );
    }

    #[test]
    fn invalid_utf8_frames_are_dropped_and_counted() {
        let mut p = SseParser::new();
        let out = p.push_owned(b"event: a\ndata: \xff\xfe\n\nevent: b\ndata: ok\n\n");
        assert_eq!(out, vec![f(Some("b"), "ok")]);
        assert_eq!(p.dropped(), 1);
    }

    fn sse_corpus() -> impl Strategy<Value = Vec<u8>> {
        let line = prop_oneof![
            "[a-z.]{1,12}".prop_map(|e| format!("event: {e}")),
            "[ -~]{0,40}".prop_map(|d| format!("data: {d}")),
            "[ -~]{0,40}".prop_map(|d| format!("data:{d}")),
            Just(": comment".to_owned()),
            Just("id: 42".to_owned()),
            Just("retry: 100".to_owned()),
            Just(String::new()),
        ];
        let ending = prop_oneof![Just("\n"), Just("\r\n"), Just("\r")];
        proptest::collection::vec((line, ending), 0..40).prop_map(|lines| {
            lines
                .into_iter()
                .flat_map(|(l, e)| format!("{l}{e}").into_bytes())
                .collect()
        })
    }

    proptest! {
        /// Any chunking of the same bytes yields the same frames.
        #[test]
        fn chunking_never_changes_frames(input in sse_corpus(), cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..12)) {
            let whole = frames(&input);
            let mut points: Vec<usize> = cuts.iter().map(|c| c.index(input.len() + 1)).collect();
            points.sort_unstable();
            let mut p = SseParser::new();
            let mut got = Vec::new();
            let mut last = 0;
            for point in points.into_iter().chain(std::iter::once(input.len())) {
                got.extend(p.push_owned(&input[last..point]));
                last = point;
            }
            prop_assert_eq!(got, whole);
        }

        /// Byte-at-a-time parsing equals whole-buffer parsing.
        #[test]
        fn byte_at_a_time_equals_whole(input in sse_corpus()) {
            let mut p = SseParser::new();
            let mut got = Vec::new();
            for b in &input {
                got.extend(p.push_owned(std::slice::from_ref(b)));
            }
            prop_assert_eq!(got, frames(&input));
        }

        /// Random bytes never panic.
        #[test]
        fn hostile_bytes_never_panic(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 0..10)) {
            let mut p = SseParser::new();
            for c in &chunks {
                for fr in p.push_owned(c) {
                    let _ = SseFrame { event: fr.event.as_deref(), data: &fr.data }.kind();
                }
            }
        }
    }
}
