payspec_macros::provider!("tests/ui/specs/wrong_type.yaml");

fn main() {}
