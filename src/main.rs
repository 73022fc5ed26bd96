//! The `runaway-guard` binary: Lambda mode when `AWS_LAMBDA_RUNTIME_API` is set, otherwise the CLI.

fn main() {}
