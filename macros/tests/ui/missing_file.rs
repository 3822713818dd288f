payspec_macros::provider!("tests/ui/specs/does_not_exist.yaml");

fn main() {}
