//! An outcome as the inspector shows it: the `user.define_outcome` (description, rubric, max
//! iterations) with its grader's evaluations (`span.outcome_evaluation_*`: iteration, result,
//! explanation). Pure; built once per selection by a bounded scan of the span index.

use crate::model::json_tree::JsonTree;
use crate::model::transcript::{EventClass, Filter, Transcript};

/// How many span events (after the definition) or other events (before an evaluation) are
/// looked at to join an outcome with its evaluations.
pub const OUTCOME_SCAN: usize = 5_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub iteration: u64,
    /// `satisfied`, `needs_revision`, `max_iterations_reached`, `failed`, `interrupted`, or
    /// `running` while only its `span.outcome_evaluation_start` is seen.
    pub result: String,
    pub explanation: Option<String>,
    /// Index of the event that says it (the end, or the start while running).
    pub index: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub outcome_id: String,
    pub define_index: Option<usize>,
    pub description: Option<String>,
    pub max_iterations: Option<u64>,
    /// The rubric (`{type: text, content}` or `{type: file, file_id}`) as a tree.
    pub rubric: JsonTree,
    pub evaluations: Vec<Evaluation>,
    /// The scan stopped at [`OUTCOME_SCAN`] events: later evaluations may exist.
    pub scan_capped: bool,
}

pub fn is_outcome_event(type_name: &str) -> bool {
    type_name == "user.define_outcome" || type_name.starts_with("span.outcome_evaluation_")
}

impl Outcome {
    /// The outcome the event at `index` defines or evaluates.
    pub fn of(t: &Transcript, index: usize) -> Option<Outcome> {
        let e = t.get(index)?;
        if !is_outcome_event(e.type_name) {
            return None;
        }
        let head = JsonTree::build(e.raw);
        let outcome_id = head.field("outcome_id")?.to_string();
        let define_index = if e.type_name == "user.define_outcome" {
            Some(index)
        } else {
            find_definition(t, index, &outcome_id)
        };
        let def = define_index
            .and_then(|i| t.get(i))
            .map(|d| JsonTree::build(d.raw));
        let field = |k: &str| def.as_ref().and_then(|d| d.field(k)).map(str::to_string);
        let (evaluations, scan_capped) = evaluations(t, define_index.unwrap_or(index), &outcome_id);
        Some(Outcome {
            define_index,
            description: field("description"),
            max_iterations: field("max_iterations").and_then(|v| v.parse().ok()),
            rubric: def
                .as_ref()
                .and_then(|d| d.child("rubric"))
                .unwrap_or_default(),
            outcome_id,
            evaluations,
            scan_capped,
        })
    }

    /// The latest verdict: the last evaluation's result, or `pending` before the first.
    pub fn result(&self) -> &str {
        self.evaluations
            .last()
            .map_or("pending", |e| e.result.as_str())
    }

    /// The evaluations as a foldable tree: `iteration N: {result, explanation}`.
    pub fn evaluations_tree(&self) -> JsonTree {
        // Written by hand to keep iteration order (a serde_json map would sort the keys).
        let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
        let mut json = String::from("{");
        for (n, ev) in self.evaluations.iter().enumerate() {
            if n > 0 {
                json.push(',');
            }
            json.push_str(&q(&format!("iteration {}", ev.iteration)));
            json.push_str(":{\"result\":");
            json.push_str(&q(&ev.result));
            if let Some(x) = &ev.explanation {
                json.push_str(",\"explanation\":");
                json.push_str(&q(x));
            }
            json.push('}');
        }
        json.push('}');
        JsonTree::build(&json)
    }
}

/// The `user.define_outcome` with `outcome_id` before event `index` (bounded, newest first).
fn find_definition(t: &Transcript, index: usize, outcome_id: &str) -> Option<usize> {
    let filter = Filter {
        classes: vec![EventClass::Other],
        thread: None,
    };
    let end = t.rank(&filter, index);
    let rows = t.rows(&filter, end.saturating_sub(OUTCOME_SCAN)..end);
    rows.iter()
        .rev()
        .filter(|e| e.type_name == "user.define_outcome")
        .find(|e| JsonTree::build(e.raw).field("outcome_id") == Some(outcome_id))
        .map(|e| e.index)
}

/// The evaluations of `outcome_id` among the span events from `from` on (bounded), one per
/// iteration: the end's verdict, or `running` while only the start is seen.
fn evaluations(t: &Transcript, from: usize, outcome_id: &str) -> (Vec<Evaluation>, bool) {
    let filter = Filter {
        classes: vec![EventClass::Span],
        thread: None,
    };
    let start = t.rank(&filter, from);
    let rows = t.rows(&filter, start..start + OUTCOME_SCAN);
    let capped = rows.len() == OUTCOME_SCAN;
    let mut out: Vec<Evaluation> = Vec::new();
    for e in rows {
        let end = match e.type_name {
            "span.outcome_evaluation_end" => true,
            "span.outcome_evaluation_start" => false,
            _ => continue,
        };
        let tree = JsonTree::build(e.raw);
        if tree.field("outcome_id") != Some(outcome_id) {
            continue;
        }
        let iteration = tree
            .field("iteration")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let ev = Evaluation {
            iteration,
            result: if end {
                tree.field("result").unwrap_or("?").to_string()
            } else {
                "running".into()
            },
            explanation: end
                .then(|| tree.child("explanation").map(|x| x.value_text(0)))
                .flatten()
                .filter(|x| !x.is_empty() && x != "null"),
            index: e.index,
        };
        match out.iter_mut().find(|o| o.iteration == iteration) {
            Some(o) if end => *o = ev,
            Some(_) => {}
            None => out.push(ev),
        }
    }
    (out, capped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outcome_gathers_its_evaluations_from_either_end() {
        let mut t = Transcript::new();
        for raw in [
            r#"{"type":"user.define_outcome","id":"d1","outcome_id":"outc_1","description":"Ship X","rubric":{"type":"text","content":"- tests pass"},"max_iterations":3}"#,
            r#"{"type":"span.outcome_evaluation_start","id":"s0","outcome_id":"outc_1","iteration":0}"#,
            r#"{"type":"span.outcome_evaluation_start","id":"o0","outcome_id":"outc_other","iteration":0}"#,
            r#"{"type":"span.outcome_evaluation_end","id":"e0","outcome_id":"outc_1","iteration":0,"result":"needs_revision","explanation":"tests fail\nline 2"}"#,
            r#"{"type":"agent.message","id":"m"}"#,
            r#"{"type":"span.outcome_evaluation_start","id":"s1","outcome_id":"outc_1","iteration":1}"#,
        ] {
            t.upsert(raw);
        }
        for i in [0, 3, 5] {
            let o = Outcome::of(&t, i).unwrap();
            assert_eq!(o.define_index, Some(0));
            assert_eq!(o.description.as_deref(), Some("Ship X"));
            assert_eq!(o.max_iterations, Some(3));
            assert_eq!(o.rubric.field("content"), Some("- tests pass"));
            let got: Vec<(u64, &str, Option<&str>)> = o
                .evaluations
                .iter()
                .map(|e| (e.iteration, e.result.as_str(), e.explanation.as_deref()))
                .collect();
            assert_eq!(
                got,
                [
                    (0, "needs_revision", Some("tests fail\nline 2")),
                    (1, "running", None)
                ]
            );
            assert_eq!(o.result(), "running");
        }
        let tree = Outcome::of(&t, 0).unwrap().evaluations_tree();
        let rows: Vec<String> = tree.rows.iter().map(|r| r.plain()).collect();
        assert_eq!(
            rows,
            [
                "{2}",
                "iteration 0: {2}",
                "result: \"needs_revision\"",
                "explanation: text · 2 lines · 20 B",
                "tests fail",
                "line 2",
                "iteration 1: {1}",
                "result: \"running\"",
            ]
        );
        assert!(Outcome::of(&t, 4).is_none());
    }
}
