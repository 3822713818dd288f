//! Semantic checks after deserialization.
use crate::diag::Diagnostic;
use crate::model::Spec;
use crate::positions::Index;

pub fn validate(_spec: &Spec, _index: &Index, _pruned: &[String]) -> Vec<Diagnostic> {
    Vec::new()
}
