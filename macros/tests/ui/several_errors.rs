payspec_macros::provider!("tests/ui/specs/several_errors.yaml");

fn main() {}
