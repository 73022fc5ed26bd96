//! The `runaway-guard` binary: Lambda mode when `AWS_LAMBDA_RUNTIME_API` is set, otherwise the CLI.

// The Lambda-mode future (runtime loop over the handler over the SDK calls) nests deeply.
#![recursion_limit = "256"]

use std::process::ExitCode;

use clap::Parser;
use runaway_guard::cli::Cli;
use runaway_guard::commands::error::{self, ErrorKind};
use runaway_guard::commands::{self, EXIT_BAD_INPUT, EXIT_FAILURE};
use runaway_guard::config::Config;

fn main() -> ExitCode {
    let lambda_mode = std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some();
    // Parse arguments first so `--help` works without any configuration.
    let cli = if lambda_mode {
        None
    } else {
        match parse_cli() {
            Ok(cli) => Some(cli),
            Err(code) => return code,
        }
    };
    error::use_json_errors(cli.as_ref().is_some_and(|cli| cli.command.json()));
    init_tracing(lambda_mode);
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            return error::report(ErrorKind::Config, &format!("configuration error: {err}"), EXIT_BAD_INPUT);
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
            Err(err) => error::report(ErrorKind::Failure, &format!("{err:#}"), EXIT_FAILURE),
        },
    }
}

/// The command line; a usage error is clap's text (exit 2), or JSON on stdout when `--json` was
/// among the arguments, so a script asking for JSON gets JSON even for a typo.
fn parse_cli() -> Result<Cli, ExitCode> {
    Cli::try_parse().map_err(|err| {
        use clap::error::ErrorKind as Clap;
        let asked_json = std::env::args_os().skip(1).any(|a| a == "--json");
        match err.kind() {
            Clap::DisplayHelp | Clap::DisplayVersion | Clap::DisplayHelpOnMissingArgumentOrSubcommand => {
                err.exit()
            }
            _ if asked_json => {
                error::use_json_errors(true);
                // clap's text up to its usage lines, as one line: "the following required arguments
                // were not provided: --reason <REASON>".
                let text = err.render().to_string();
                let lines =
                    text.lines().take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more"));
                let message = lines.map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
                error::report(ErrorKind::Usage, message.trim_start_matches("error: "), EXIT_BAD_INPUT)
            }
            _ => err.exit(),
        }
    })
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
