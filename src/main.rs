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
        Some(cli) => match runtime.block_on(commands::run(cli, config)) {
            Ok(code) => code,
            Err(err) => {
                eprintln!(
                    "error: {}",
                    runaway_guard::sanitise::one_line_max(&format!("{err:#}"), usize::MAX)
                );
                ExitCode::from(EXIT_FAILURE)
            }
        },
    }
}

/// JSON logs in Lambda (CloudWatch Logs Insights reads the keys); compact human logs on the CLI,
/// coloured only when standard error is a terminal (a file or a pipe gets no ANSI codes).
/// `RUST_LOG` (default `info` in Lambda, `warn` on the CLI) chooses the level, but never above
/// [`secret_safe_caps`]: both filters must let an event through.
fn init_tracing(lambda_mode: bool) {
    use tracing_subscriber::filter::FilterExt;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::{EnvFilter, Layer};
    let requested = EnvFilter::try_from_env("RUST_LOG")
        // On the CLI the SDK's configuration warnings (a failed IMDS region probe, with the whole response) say
        // nothing the one-line "no region"/"no credentials" errors do not say better.
        .unwrap_or_else(|_| {
            EnvFilter::new(if lambda_mode { "info" } else { "warn,aws_config=error,aws_runtime=error" })
        });
    let filter = requested.and(secret_safe_caps());
    let colour = !lambda_mode && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let layer =
        tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_target(false).with_ansi(colour);
    let registry = tracing_subscriber::registry();
    if lambda_mode {
        let layer = layer.json().flatten_event(true).with_current_span(true).with_span_list(false);
        registry.with(layer.with_filter(filter)).init();
    } else {
        registry.with(layer.compact().with_filter(filter)).init();
    }
}

/// Levels no `RUST_LOG` can raise, because above them these crates log secrets or raw payloads:
/// `aws-sigv4` traces the canonical request, which carries `x-amz-security-token`; the smithy
/// orchestrator traces whole requests (headers and bodies); `lambda_runtime` traces an event it could
/// not parse; HTTP/TLS stacks trace headers and frames. Their `debug` (retries, credential provider
/// names) holds no secret; `tests/log_secrets.rs` checks all of it at `RUST_LOG=trace`. A separate
/// filter, not extra `RUST_LOG` directives, so a more specific `RUST_LOG=aws_sigv4::x=trace` can't undo it.
fn secret_safe_caps() -> tracing_subscriber::filter::Targets {
    use tracing::Level;
    let mut caps = tracing_subscriber::filter::Targets::new().with_default(Level::TRACE);
    for target in ["aws_sigv4", "hyper", "hyper_util", "h2", "rustls"] {
        caps = caps.with_target(target, Level::INFO);
    }
    let debug_only = [
        "aws_smithy_runtime",
        "aws_smithy_runtime_api",
        "aws_smithy_http",
        "aws_smithy_http_client",
        "aws_config",
        "aws_runtime",
        "aws_credential_types",
        "lambda_runtime",
        "lambda_runtime_api_client",
    ];
    for target in debug_only {
        caps = caps.with_target(target, Level::DEBUG);
    }
    caps
}
