payspec_macros::provider!("tests/ui/specs/yaml_syntax.yaml");

fn main() {}
