payspec_macros::provider!("tests/ui/specs/digest_without_encode.yaml");

fn main() {}
