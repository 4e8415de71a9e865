//! The inspector's tree of one huge event (issue 10 item 6): building the foldable tree of a
//! 20 MB tool result (one 20 MB string of lines, and 20 MB of small values) is one bounded
//! pass, once per selection; the tree's heap stays a few MB whatever the event's size.
//!
//! `cargo bench --bench inspector -- --warm-up-time 1 --measurement-time 3`

use criterion::{Criterion, criterion_group, criterion_main};
use overseer::model::json_tree::JsonTree;

fn events() -> Vec<(&'static str, String)> {
    let line = "compiling crate number 000000 of a very long build log\\n";
    let text = line.repeat(20 * 1024 * 1024 / line.len());
    let one_string = format!(
        r#"{{"type":"agent.tool_result","id":"sevt_big","content":[{{"type":"text","text":"{text}"}}]}}"#
    );
    let values: Vec<String> = (0..2_000_000).map(|i| format!("{{\"n\":{i}}}")).collect();
    let many_values = format!(
        r#"{{"type":"agent.tool_result","id":"sevt_many","content":[{}]}}"#,
        values.join(",")
    );
    vec![
        ("tree_20mb_string", one_string),
        ("tree_20mb_values", many_values),
    ]
}

fn bench(c: &mut Criterion) {
    for (name, raw) in events() {
        let tree = JsonTree::build(&raw);
        eprintln!(
            "{name}: event {:.1} MB → {} rows, tree heap {:.1} MB",
            raw.len() as f64 / 1_048_576.0,
            tree.rows.len(),
            tree.heap_bytes() as f64 / 1_048_576.0
        );
        c.bench_function(name, |b| {
            b.iter(|| JsonTree::build(std::hint::black_box(&raw)))
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
