//! How the CLI reports an error: one sanitised line on standard error, or, when the subcommand was
//! given `--json`, one JSON object on standard output (`{"error": {"kind", "message", "exit_code"}}`)
//! so a script reading stdout never has to parse text. The exit code is the same either way.

use std::process::ExitCode;
use std::sync::OnceLock;

use serde::Serialize;

/// Whether errors are printed as JSON, decided once from the command line at start-up.
static JSON_ERRORS: OnceLock<bool> = OnceLock::new();

/// Prints errors as JSON on stdout from now on (the subcommand was given `--json`). Only the first
/// call counts: the output format is settled before anything is printed.
pub fn use_json_errors(json: bool) {
    let _ = JSON_ERRORS.set(json);
}

/// Whether errors are printed as JSON.
pub fn json_errors() -> bool {
    JSON_ERRORS.get().copied().unwrap_or(false)
}

/// What kind of error it is: a stable word scripts can match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The command line could not be parsed (clap's usage errors).
    Usage,
    /// The input, the arguments or the setup is wrong (exit 2).
    BadInput,
    /// No runaway-guard is deployed where the CLI would act (exit 2).
    NoGuard,
    /// A configuration variable is invalid (exit 2).
    Config,
    /// AWS or the runtime failed (exit 1).
    Failure,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    kind: ErrorKind,
    message: &'a str,
    exit_code: u8,
}

#[derive(Serialize)]
struct ErrorEnvelope<'a> {
    error: ErrorBody<'a>,
}

/// The JSON form of an error (the message already sanitised to one line).
pub fn error_json(kind: ErrorKind, message: &str, exit_code: u8) -> String {
    let envelope = ErrorEnvelope { error: ErrorBody { kind, message, exit_code } };
    // Serialising a struct of a string and two plain values cannot fail; the fallback keeps the shape.
    serde_json::to_string_pretty(&envelope)
        .unwrap_or_else(|_| format!("{{\"error\": {{\"kind\": \"failure\", \"exit_code\": {exit_code}}}}}"))
}

/// Prints the error in the format in force and returns the exit code.
pub fn report(kind: ErrorKind, message: &str, exit_code: u8) -> ExitCode {
    let line = crate::sanitise::one_line_max(message, usize::MAX);
    if json_errors() {
        println!("{}", crate::sanitise::json(&error_json(kind, &line, exit_code)));
    } else {
        eprintln!("error: {line}");
    }
    ExitCode::from(exit_code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_shape_is_stable() {
        let text = error_json(ErrorKind::NoGuard, "no runaway-guard in 1/r", 2);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"error": {"kind": "no_guard", "message": "no runaway-guard in 1/r", "exit_code": 2}})
        );
    }
}
