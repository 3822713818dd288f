payspec_macros::provider!("tests/ui/specs/unknown_key.yaml");

fn main() {}
