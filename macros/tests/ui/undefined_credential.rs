payspec_macros::provider!("tests/ui/specs/undefined_credential.yaml");

fn main() {}
