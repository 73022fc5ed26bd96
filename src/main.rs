//! The `runaway-guard` binary: Lambda mode when `AWS_LAMBDA_RUNTIME_API` is set, otherwise the CLI.

// The Lambda-mode future (runtime loop over the handler over the SDK calls) nests deeply.
#![recursion_limit = "256"]

use std::process::ExitCode;

use clap::Parser;
use runaway_guard::cli::Cli;
use runaway_guard::commands::{self, EXIT_BAD_INPUT, EXIT_FAILURE};
use runaway_guard::config::Config;

fn main() -> ExitCode {
    let lambda_mode = std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some();
    // Parse arguments first so `--help` works without any configuration.
    let cli = if lambda_mode { None } else { Some(Cli::parse()) };
    init_tracing(lambda_mode);
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("configuration error: {err}");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    match cli {
        None => {
            if config.topic_arn.is_none() {
                eprintln!("configuration error: RUNAWAY_GUARD_TOPIC_ARN is required in Lambda mode");
                return ExitCode::from(EXIT_BAD_INPUT);
            }
            match runtime.block_on(runaway_guard::runtime::run(config)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("error: {err}");
                    ExitCode::from(EXIT_FAILURE)
                }
            }
        }
        Some(cli) => match runtime.block_on(commands::run(cli.command, config)) {
            Ok(code) => code,
            Err(err) => {
                eprintln!("error: {err:#}");
                ExitCode::from(EXIT_FAILURE)
            }
        },
    }
}

/// JSON logs in Lambda (CloudWatch Logs Insights reads the keys); compact human logs on a terminal.
fn init_tracing(lambda_mode: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("RUST_LOG")
        .unwrap_or_else(|_| EnvFilter::new(if lambda_mode { "info" } else { "warn" }));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if lambda_mode {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .with_target(false)
            .init();
    } else {
        builder.compact().with_target(false).init();
    }
}
