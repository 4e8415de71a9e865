//! Sanitize untrusted text, measure width in cells, wrap, pretty JSON.
//!
//! Everything an agent or the API says passes through [`sanitize`] (multi-line) or
//! [`one_line`] before it reaches the terminal: escape sequences (CSI, OSC, DCS, …), C0 and C1
//! controls and bidi overrides are removed, tabs are expanded, and widths are measured in
//! terminal cells so wide characters never break a layout.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Tab stops every this many cells.
pub const TAB_WIDTH: usize = 4;

/// Characters that reorder text visually (bidi embeddings, overrides, isolates and marks).
/// They let hostile text disguise what it says (CVE-2021-42574 "Trojan Source").
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Zero-width format characters and variation selectors. Terminals disagree about them (and
/// with `unicode-width`): a ZWJ may fuse two emoji into one glyph of a different width, a soft
/// hyphen may draw as a dash, a variation selector may widen the glyph before it. Dropped, so
/// what is measured is what is drawn.
fn is_zero_width_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{0600}'..='\u{0605}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// A regional indicator (U+1F1E6–U+1F1FF) as its ASCII letter: a pair of them is a flag that
/// some terminals draw as one 2-cell glyph and others as two, so it is drawn as "US" instead.
fn regional_letter(c: char) -> Option<char> {
    let n = u32::from(c).checked_sub(0x1F1E6)?;
    if n < 26 {
        char::from_u32(u32::from('A') + n)
    } else {
        None
    }
}

/// What the scanner is inside of while it drops an escape sequence.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Escape {
    None,
    /// Just saw ESC.
    Start,
    /// ESC followed by intermediate bytes (0x20–0x2F), waiting for the final byte.
    Intermediate,
    /// CSI: parameters until a final byte 0x40–0x7E.
    Csi,
    /// OSC / DCS / SOS / PM / APC: a string until BEL or ST.
    Str,
    /// Inside a string, just saw ESC (maybe the ESC \ terminator).
    StrEsc,
}

/// Remove escape sequences and control characters, drop bidi controls and zero-width format
/// characters (ZWJ, soft hyphen, variation selectors …), draw regional indicators as ASCII
/// letters, expand tabs. Newlines are kept (`\r\n` and lone `\r` become `\n`).
pub fn sanitize(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut state = Escape::None;
    // Width of the current line so far, for tab expansion.
    let mut column = 0usize;
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match state {
            Escape::None => {}
            Escape::Start => {
                state = match c {
                    '[' => Escape::Csi,
                    ']' | 'P' | 'X' | '^' | '_' => Escape::Str,
                    '\u{20}'..='\u{2F}' => Escape::Intermediate,
                    _ => Escape::None,
                };
                continue;
            }
            Escape::Intermediate => {
                if !('\u{20}'..='\u{2F}').contains(&c) {
                    state = Escape::None;
                }
                continue;
            }
            Escape::Csi => {
                if ('\u{40}'..='\u{7E}').contains(&c) || !c.is_ascii() {
                    state = Escape::None;
                }
                continue;
            }
            Escape::Str => {
                match c {
                    '\u{07}' | '\u{9C}' => state = Escape::None,
                    '\u{1B}' => state = Escape::StrEsc,
                    _ => {}
                }
                continue;
            }
            Escape::StrEsc => {
                state = if c == '\\' { Escape::None } else { Escape::Str };
                continue;
            }
        }
        match c {
            '\u{1B}' => state = Escape::Start,
            '\u{9B}' => state = Escape::Csi,
            '\u{90}' | '\u{98}' | '\u{9D}' | '\u{9E}' | '\u{9F}' => state = Escape::Str,
            '\n' | '\u{2028}' | '\u{2029}' => {
                out.push('\n');
                column = 0;
            }
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                    column = 0;
                }
            }
            '\t' => {
                let spaces = TAB_WIDTH - column % TAB_WIDTH;
                out.extend(std::iter::repeat_n(' ', spaces));
                column += spaces;
            }
            c if c.is_control() || is_bidi_control(c) || is_zero_width_format(c) => {}
            c => {
                let c = regional_letter(c).unwrap_or(c);
                out.push(c);
                column += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            }
        }
    }
    out
}

/// [`sanitize`], then fold every line break and run of whitespace into one space: for
/// single-row summaries.
pub fn one_line(input: &str) -> String {
    let clean = sanitize(input);
    let mut out = String::with_capacity(clean.len());
    let mut space = false;
    for c in clean.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

/// Width in terminal cells of already sanitized text.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cut sanitized text to at most `max` cells, ending with `…` when something was cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = width(g);
        if used + w > max - 1 {
            break;
        }
        out.push_str(g);
        used += w;
    }
    out.push('…');
    out
}

/// Pad or cut sanitized text to exactly `cells` cells.
pub fn fit(s: &str, cells: usize) -> String {
    let mut out = truncate(s, cells);
    let w = width(&out);
    out.extend(std::iter::repeat_n(' ', cells.saturating_sub(w)));
    out
}

/// Wrap sanitized text into lines of at most `max` cells (at least one line). Breaks at
/// spaces where it can and inside words where it must; a character wider than `max` becomes `?`.
pub fn wrap(s: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    for paragraph in s.split('\n') {
        let mut line = String::new();
        let mut used = 0usize;
        for word in paragraph.split_word_bounds() {
            let ww = width(word);
            if used + ww <= max {
                line.push_str(word);
                used += ww;
                continue;
            }
            if word.trim().is_empty() {
                // A space at the break point is swallowed.
                lines.push(std::mem::take(&mut line));
                used = 0;
                continue;
            }
            if ww <= max && used > 0 {
                lines.push(std::mem::take(&mut line));
                line.push_str(word);
                used = ww;
                continue;
            }
            for g in word.graphemes(true) {
                let (g, gw) = if width(g) > max {
                    ("?", 1)
                } else {
                    (g, width(g))
                };
                if used + gw > max {
                    lines.push(std::mem::take(&mut line));
                    used = 0;
                }
                line.push_str(g);
                used += gw;
            }
        }
        lines.push(line);
    }
    lines
}

/// Pretty-print JSON (sanitized), keeping the keys in wire order. Text that is not JSON is
/// returned sanitized as it is.
pub fn json_pretty(raw: &str) -> String {
    if serde_json::from_str::<serde::de::IgnoredAny>(raw).is_err() {
        return sanitize(raw);
    }
    let mut out = String::with_capacity(raw.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.extend(std::iter::repeat_n(' ', depth * 2));
    };
    let mut chars = raw.trim().chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                // Skip whitespace to see whether the container is empty.
                while chars.peek().is_some_and(|n| n.is_whitespace()) {
                    chars.next();
                }
                if matches!(chars.peek(), Some('}' | ']')) {
                    if let Some(close) = chars.next() {
                        out.push(close);
                    }
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    sanitize(&out)
}

/// Human byte-free count: 1234 → "1.2k", 1234567 → "1.2M".
pub fn compact_count(n: u64) -> String {
    match n {
        0..=999 => n.to_string(),
        1_000..=999_999 => format!("{:.1}k", n as f64 / 1_000.0),
        1_000_000..=999_999_999 => format!("{:.1}M", n as f64 / 1_000_000.0),
        _ => format!("{:.1}G", n as f64 / 1_000_000_000.0),
    }
}

/// A duration as one short token: "45s", "12m", "3h", "2d".
pub fn compact_age(secs: u64) -> String {
    match secs {
        0..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m", secs / 60),
        3600..=86_399 => format!("{}h", secs / 3600),
        _ => format!("{}d", secs / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn strips_csi_osc_and_c1() {
        assert_eq!(sanitize("a\x1b[31mred\x1b[0m b"), "ared b");
        assert_eq!(sanitize("x\x1b]0;title\x07y"), "xy");
        assert_eq!(sanitize("x\x1b]52;c;ZXZpbA==\x1b\\y"), "xy");
        assert_eq!(sanitize("x\u{9b}2Jy"), "xy");
        assert_eq!(sanitize("x\u{85}y\u{7f}z"), "xyz");
        assert_eq!(sanitize("a\x1b(Bb"), "ab");
        assert_eq!(sanitize("bell\x07 nul\0"), "bell nul");
    }

    #[test]
    fn drops_bidi_overrides() {
        assert_eq!(
            sanitize("if admin \u{202E}}{\u{2066}x\u{2069}"),
            "if admin }{x"
        );
    }

    #[test]
    fn expands_tabs_by_cells() {
        assert_eq!(sanitize("a\tb"), "a   b");
        assert_eq!(sanitize("世\tb"), "世  b");
        assert_eq!(sanitize("\tx\n\ty"), "    x\n    y");
    }

    #[test]
    fn normalises_line_ends() {
        assert_eq!(sanitize("a\r\nb\rc"), "a\nb\nc");
        assert_eq!(one_line("  a\n\n b\tc  "), "a b c");
    }

    #[test]
    fn truncate_and_fit_count_cells() {
        assert_eq!(truncate("hello world", 5), "hell…");
        assert_eq!(truncate("世界世界", 5), "世界…");
        assert_eq!(fit("ab", 4), "ab  ");
        assert_eq!(fit("世界世界", 4), "世… ");
        assert_eq!(truncate("abc", 0), "");
    }

    #[test]
    fn wraps_words_and_breaks_long_ones() {
        assert_eq!(
            wrap("the quick brown fox", 9),
            vec!["the quick", "brown fox"]
        );
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("a\n\nb", 4), vec!["a", "", "b"]);
        assert_eq!(wrap("世界世界", 3), vec!["世", "界", "世", "界"]);
        assert_eq!(wrap("世", 1), vec!["?"]);
    }

    #[test]
    fn json_pretty_indents_and_sanitizes() {
        assert_eq!(json_pretty(r#"{"a":[1]}"#), "{\n  \"a\": [\n    1\n  ]\n}");
        assert_eq!(
            json_pretty("{\"t\":\"x\u{202E}y\"}"),
            "{\n  \"t\": \"xy\"\n}"
        );
        assert_eq!(json_pretty("not json \x1b[2J"), "not json ");
        // Wire order is kept; empty containers stay compact; strings are left alone.
        assert_eq!(
            json_pretty(r#"{"type":"x", "a":{}, "b":[ ], "s":"a,{b}:\"c"}"#),
            "{\n  \"type\": \"x\",\n  \"a\": {},\n  \"b\": [],\n  \"s\": \"a,{b}:\\\"c\"\n}"
        );
    }

    #[test]
    fn compact_numbers() {
        assert_eq!(compact_count(999), "999");
        assert_eq!(compact_count(12_345), "12.3k");
        assert_eq!(compact_count(2_500_000), "2.5M");
        assert_eq!(compact_age(59), "59s");
        assert_eq!(compact_age(3600 * 5), "5h");
        assert_eq!(compact_age(86_400 * 3), "3d");
    }

    #[test]
    fn drops_zero_width_formats_and_spells_flags() {
        // ZWJ family, flag, soft hyphen, variation selectors, lone ZWJ, BOM, word joiner.
        assert_eq!(
            sanitize("\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}"),
            "\u{1F468}\u{1F469}\u{1F467}"
        );
        assert_eq!(sanitize("flag \u{1F1FA}\u{1F1F8}!"), "flag US!");
        assert_eq!(
            sanitize("co\u{00AD}op \u{2764}\u{FE0F} \u{263A}\u{FE0E}"),
            "coop \u{2764} \u{263A}"
        );
        assert_eq!(sanitize("a\u{200D}b\u{FEFF}c\u{2060}d\u{200B}e"), "abcde");
        assert_eq!(sanitize("a\u{2028}b\u{2029}c"), "a\nb\nc");
        assert_eq!(width(&sanitize("\u{1F1FA}\u{1F1F8}")), 2);
        assert_eq!(width(&sanitize("\u{1F468}\u{200D}\u{1F469}")), 4);
    }

    fn forbidden(c: char) -> bool {
        (c.is_control() && c != '\n')
            || is_bidi_control(c)
            || is_zero_width_format(c)
            || regional_letter(c).is_some()
    }

    /// Escape-heavy text: ESC, CSI/OSC/DCS sequences, C1 controls, bidi, zero-width formats,
    /// regional indicators, combining marks, wide and narrow printable text, mixed.
    fn hostile_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("\x1b".to_string()),
            "\x1b\\[[0-9;?]{0,6}[@-~]?",
            "\x1b\\][0-9]{0,2};[a-z]{0,6}(\x07|\x1b\\\\)?",
            "\x1bP[a-z0-9]{0,4}(\x1b\\\\)?",
            "\x1b[ -/]{0,2}[0-~]?",
            "[\u{80}-\u{9f}]",
            "[\u{0}-\u{1f}\u{7f}]",
            "[\u{202a}-\u{202e}\u{2066}-\u{2069}\u{200e}\u{200f}\u{61c}]",
            "[\u{200b}-\u{200d}\u{ad}\u{fe00}-\u{fe0f}\u{2060}\u{feff}\u{e0041}]",
            "[\u{1f1e6}-\u{1f1ff}]{1,3}",
            "[a-z][\u{300}-\u{36f}]{1,3}",
            "[\u{300}-\u{36f}]",
            "[\u{1f468}\u{1f469}\u{2764}\u{263a}\u{4e16}\u{754c}]",
            "[ -~]{0,8}",
        ];
        proptest::collection::vec(piece, 0..30).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn sanitize_never_lets_controls_through(s in any::<String>()) {
            let out = sanitize(&s);
            prop_assert!(!out.chars().any(forbidden), "{:?}", out);
        }

        #[test]
        fn sanitize_handles_hostile_mixtures(
            parts in proptest::collection::vec(prop_oneof![
                Just("\x1b[".to_string()), Just("\x1b]".to_string()), Just("\x1b".to_string()),
                Just("\u{9b}".to_string()), Just("\u{202e}".to_string()), Just("\t".to_string()),
                Just("\r".to_string()), Just("世".to_string()), Just("\x07".to_string()),
                "[a-z;0-9\\\\]{0,4}",
            ], 0..40)
        ) {
            let out = sanitize(&parts.concat());
            prop_assert!(!out.chars().any(forbidden));
            prop_assert!(!one_line(&parts.concat()).contains('\n'));
        }

        /// Nothing that drives the terminal or draws differently than it measures survives,
        /// and the whole line measures as the sum of its graphemes (what a cell grid draws).
        #[test]
        fn sanitize_measures_as_it_draws(s in hostile_text()) {
            for out in [sanitize(&s), one_line(&s)] {
                prop_assert!(!out.chars().any(forbidden), "{:?} -> {:?}", s, out);
                let per_grapheme: usize = out.graphemes(true).map(width).sum();
                prop_assert_eq!(width(&out), per_grapheme, "{:?} -> {:?}", s, out);
            }
        }

        #[test]
        fn json_pretty_keeps_the_value(k in "[a-z]{1,8}", s in "[ -~]{0,20}", n in any::<i64>()) {
            let v = serde_json::json!({ k.clone(): [s.clone(), n, {"x": {}}, []], "t": s });
            let pretty = json_pretty(&v.to_string());
            let back: serde_json::Value = serde_json::from_str(&pretty).unwrap();
            prop_assert_eq!(back, v);
        }

        #[test]
        fn wrap_never_exceeds_width(s in any::<String>(), max in 1usize..40) {
            for line in wrap(&sanitize(&s), max) {
                prop_assert!(width(&line) <= max, "{:?} > {}", line, max);
            }
        }

        #[test]
        fn truncate_never_exceeds_width(s in any::<String>(), max in 0usize..40) {
            let clean = one_line(&s);
            prop_assert!(width(&truncate(&clean, max)) <= max);
            prop_assert_eq!(width(&fit(&clean, max)), max);
        }
    }
}
