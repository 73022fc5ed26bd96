//! Runs the CLI's subcommands against AWS (or the simulator) and maps results to exit codes:
//! 0 ok, 1 AWS/runtime failure, 2 usage or bad input.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use crate::cli::Command;
use crate::clients::AwsPorts;
use crate::config::Config;
use crate::handler::HandleError;
use crate::name::FunctionName;
use crate::operator::{self, ReenableError};
use crate::report::{Outcome, Report};
use crate::simulate;
use crate::time::Timestamp;

/// Exit code for success.
pub const EXIT_OK: u8 = 0;
/// Exit code for AWS or runtime failures.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code for usage errors and bad input.
pub const EXIT_BAD_INPUT: u8 = 2;

/// Runs one subcommand.
pub async fn run(command: Command, mut config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Simulate { scenario, scenario_file, json, svg, seed, uninstrumented } => {
            simulate(SimulateArgs { scenario, scenario_file, json, svg, seed, uninstrumented }, &config)
        }
        Command::Handle { file, dry_run } => {
            config.dry_run |= dry_run;
            let raw = match read_event(file.as_deref()) {
                Ok(raw) => raw,
                Err(err) => return Ok(bad_input(&format!("{err:#}"))),
            };
            // Parse before any AWS client exists: a bad event must change nothing, even by accident.
            let parsed = match crate::event::parse_bytes(&raw) {
                Ok(parsed) => parsed,
                Err(err) => return Ok(print_report(Err(HandleError::BadEvent(err)))),
            };
            let ports = AwsPorts::load(config.topic_arn.clone()).await;
            let account = ports.account().await;
            let guard = ports.guard(config, account);
            Ok(print_report(Ok(guard.handle_parsed(parsed, Timestamp::now()).await)))
        }
        Command::Status { json } => {
            let ports = AwsPorts::load(config.topic_arn.clone()).await;
            let entries = operator::status(&ports.throttler).await.context("listing tripped functions")?;
            if json {
                println!("{}", serde_json::to_string_pretty(&entries)?);
            } else {
                print!("{}", crate::table::status(&entries));
            }
            Ok(ExitCode::from(EXIT_OK))
        }
        Command::Reenable { function, force, json } => {
            let function = match parse_function(&function) {
                Ok(f) => f,
                Err(code) => return Ok(code),
            };
            let ports = AwsPorts::load(config.topic_arn.clone()).await;
            let ports_ref = (&ports.throttler, &ports.notifier, &ports.identity);
            let result =
                operator::reenable(ports_ref, ports.region.as_deref(), &function, force, Timestamp::now())
                    .await;
            match result {
                Ok(done) if json => println!("{}", serde_json::to_string_pretty(&done)?),
                Ok(done) => print!("{}", crate::table::reenabled(&done)),
                Err(ReenableError::NotTripped(f)) => {
                    return Ok(bad_input(&ReenableError::NotTripped(f).to_string()));
                }
                Err(ReenableError::Port(err)) => return Err(err).context("re-enable failed"),
            }
            Ok(ExitCode::from(EXIT_OK))
        }
        Command::Trip { function, reason, dry_run } => {
            config.dry_run |= dry_run;
            let function = match parse_function(&function) {
                Ok(f) => f,
                Err(code) => return Ok(code),
            };
            let ports = AwsPorts::load(config.topic_arn.clone()).await;
            let account = ports.account().await;
            let guard = ports.guard(config, account);
            let decision = guard.trip(&function, &reason, Timestamp::now()).await;
            let report = Report { decisions: vec![decision], ..Report::default() };
            Ok(print_report(Ok(report)))
        }
    }
}

struct SimulateArgs {
    scenario: Option<String>,
    scenario_file: Option<PathBuf>,
    json: bool,
    svg: Option<PathBuf>,
    seed: u64,
    uninstrumented: bool,
}

fn simulate(args: SimulateArgs, config: &Config) -> anyhow::Result<ExitCode> {
    let loaded = match (&args.scenario, &args.scenario_file) {
        (Some(name), _) => simulate::scenario(name).map(|s| vec![s]),
        (None, Some(path)) => simulate::load_scenario_file(path).map(|s| vec![s]),
        (None, None) => simulate::scenario_names().into_iter().map(simulate::scenario).collect(),
    };
    let scenarios = match loaded {
        Ok(scenarios) => scenarios,
        Err(err) => return Ok(bad_input(&format!("{err:#}"))),
    };
    let mode = if args.uninstrumented {
        simulate::Instrumentation::Uninstrumented
    } else {
        simulate::Instrumentation::Instrumented
    };
    let results = scenarios
        .iter()
        .map(|s| simulate::run_in(s, args.seed, config, mode))
        .collect::<Result<Vec<_>, _>>()
        .context("simulation failed")?;
    if args.json {
        // One scenario asked for: its object; all of them: an array of those objects.
        let text = match results.as_slice() {
            [one] if args.scenario.is_some() || args.scenario_file.is_some() => {
                serde_json::to_string_pretty(one)?
            }
            all => serde_json::to_string_pretty(all)?,
        };
        println!("{text}");
    } else {
        print!("{}", simulate::render::text(&results));
    }
    if let Some(path) = &args.svg {
        std::fs::write(path, simulate::svg::render(&results))
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(ExitCode::from(EXIT_OK))
}

fn read_event(file: Option<&Path>) -> anyhow::Result<Vec<u8>> {
    let mut raw = Vec::new();
    let limit = crate::event::MAX_EVENT_BYTES as u64 + 1;
    match file {
        None => std::io::stdin()
            .take(limit)
            .read_to_end(&mut raw)
            .map(|_| ())
            .context("reading standard input")?,
        Some(p) if p == Path::new("-") => std::io::stdin()
            .take(limit)
            .read_to_end(&mut raw)
            .map(|_| ())
            .context("reading standard input")?,
        Some(p) => {
            let f = std::fs::File::open(p).with_context(|| format!("opening {}", p.display()))?;
            f.take(limit)
                .read_to_end(&mut raw)
                .map(|_| ())
                .with_context(|| format!("reading {}", p.display()))?
        }
    }
    Ok(raw)
}

fn parse_function(input: &str) -> Result<FunctionName, ExitCode> {
    FunctionName::from_name_or_arn(input)
        .map(|(name, _)| name)
        .map_err(|err| bad_input(&format!("{input:?}: {err}")))
}

fn bad_input(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_BAD_INPUT)
}

fn print_report(result: Result<Report, HandleError>) -> ExitCode {
    let report = match result {
        Ok(report) => report,
        Err(HandleError::BadEvent(err)) => return bad_input(&format!("event rejected, nothing done: {err}")),
    };
    match serde_json::to_string_pretty(&report) {
        Ok(text) => println!("{text}"),
        Err(err) => eprintln!("error: report not serialisable: {err}"),
    }
    // As in Lambda mode: any retryable failure (a throttle, or the alert of a throttled function,
    // that did not go through) fails the run, so whatever drives it retries the event.
    if report.count(Outcome::Failed) > 0 || report.needs_retry() {
        ExitCode::from(EXIT_FAILURE)
    } else if !report.rejected.is_empty() {
        ExitCode::from(EXIT_BAD_INPUT)
    } else {
        ExitCode::from(EXIT_OK)
    }
}
