payspec_macros::provider!("tests/ui/specs/undefined_field.yaml");

fn main() {}
