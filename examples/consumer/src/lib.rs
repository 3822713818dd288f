//! A consumer of generated code only: `payspec` with `default-features = false` (no interpreter, no
//! YAML parser) and `payspec::provider!`. `runtime/tests/consumer.rs` checks its dependency tree and
//! runs its test with exactly these features.

#![deny(missing_docs)]

payspec::provider!("../../specs/hitechpay.yaml");
