//! Spec loading (parse, deserialize, validate, position index), per seed spec.
//! `cargo bench -p payspec-model --bench load`

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

fn load(c: &mut Criterion) {
    let mut g = c.benchmark_group("load_str");
    for name in ["appotapay", "bbmsl", "hitechpay", "ninepay", "vietqr"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs").join(format!("{name}.yaml"));
        let text = std::fs::read_to_string(&path).unwrap();
        g.bench_function(name, |b| b.iter(|| payspec_model::load_str("x.yaml", black_box(&text)).unwrap()));
    }
    g.finish();
}

criterion_group!(benches, load);
criterion_main!(benches);
