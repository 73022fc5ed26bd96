//! Runs the CLI's subcommands against AWS (or the simulator) and maps results to exit codes:
//! 0 ok, 1 AWS/runtime failure, 2 usage or bad input.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use serde::Serialize;

use crate::cli::{Cli, Command};
use crate::config::Config;
use crate::report::{Outcome, Report};
use crate::simulate;
use crate::time::Timestamp;

#[cfg(feature = "audit")]
mod audit;
pub mod error;
mod reenable;
mod replay;
mod setup;
mod status;
mod target;
mod trip;

use setup::{Operation, Refusal};

/// Exit code for success.
pub const EXIT_OK: u8 = 0;
/// Exit code for AWS or runtime failures.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code for usage errors and bad input.
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code of `audit` when a loop that may run costs more than its threshold.
pub const EXIT_LOOP_FOUND: u8 = 3;

/// Runs one subcommand.
pub async fn run(cli: Cli, config: Config) -> anyhow::Result<ExitCode> {
    let guard = cli.guard.as_deref();
    let region = cli.region.as_deref();
    if let Some(bad) = region.filter(|r| !crate::name::is_region(r)) {
        return Ok(
            Refusal::bad_input(format!("--region {bad:?} is not a region code such as eu-west-1")).exit()
        );
    }
    let result = match cli.command {
        Command::Simulate { scenario, scenario_file, json, svg, seed, uninstrumented, compare, alerts } => {
            let args =
                SimulateArgs { scenario, scenario_file, json, svg, seed, uninstrumented, compare, alerts };
            return simulate(args, &config);
        }
        #[cfg(feature = "audit")]
        Command::Audit(args) => return Ok(audit::run(args, region, &config).await),
        Command::Handle { file, dry_run, json: _ } => {
            handle(file.as_deref(), dry_run, (guard, region), config).await
        }
        Command::Status { json } => match Operation::open(guard, region, config).await {
            Ok(op) => status::run(json, op).await,
            Err(refusal) => Err(refusal),
        },
        Command::Reenable { function, force, to, json } => {
            let to = to.as_deref().map(reenable::parse_to).transpose();
            match target::parse_name(&function).and(to) {
                Err(refusal) => Err(refusal),
                Ok(to) => match Operation::open(guard, region, config).await {
                    Ok(op) => reenable::run(reenable::ReenableArgs { function, force, to, json }, op).await,
                    Err(refusal) => Err(refusal),
                },
            }
        }
        Command::Replay(args) => match replay_args(args) {
            Err(refusal) => Err(refusal),
            Ok(args) => match Operation::open(guard, region, config).await {
                Ok(op) => replay::run(args, op).await,
                Err(refusal) => Err(refusal),
            },
        },
        Command::Trip { function, reason, dry_run, force, json } => {
            // Everything checkable without AWS is checked before the first call.
            match target::parse_name(&function).and_then(|_| target::check_reason(&reason)) {
                Err(refusal) => Err(refusal),
                Ok(_) => match Operation::open(guard, region, config).await {
                    Ok(op) => trip::run(trip::TripArgs { function, reason, dry_run, force, json }, op).await,
                    Err(refusal) => Err(refusal),
                },
            }
        }
    };
    Ok(result.unwrap_or_else(Refusal::exit))
}

/// Checks `replay`'s arguments before any AWS call.
fn replay_args(args: crate::cli::ReplayArgs) -> Result<replay::ReplayArgs, Refusal> {
    target::parse_name(&args.function)?;
    let rate = args.rate.map(crate::replay::rate::from_flag).transpose().map_err(Refusal::bad_input)?;
    if let Some(from) = args.from.as_deref().filter(|arn| !crate::aws::sqs::is_queue_arn(arn)) {
        return Err(Refusal::bad_input(format!(
            "--from {from:?}: give the queue's ARN (arn:aws:sqs:REGION:ACCOUNT:NAME)"
        )));
    }
    let since = replay::parse_time("--since", args.since.as_deref())?;
    let until = replay::parse_time("--until", args.until.as_deref())?;
    if let (Some(since), Some(until)) = (since, until)
        && since > until
    {
        return Err(Refusal::bad_input("--since is after --until: nothing could replay"));
    }
    let filter = crate::replay::Filter {
        skip_depth_over: args.skip_depth_over,
        only_sources: args.only_source,
        exclude_detail_types: args.exclude_detail_type,
        since,
        until,
    };
    Ok(replay::ReplayArgs {
        function: args.function,
        rate,
        dry_run: args.dry_run,
        filter,
        from: args.from,
        json: args.json,
        force: args.force,
    })
}

/// Any JSON output, with the account and region it was read from or acted on and the guard used.
#[derive(Serialize)]
struct Located<'a, T: Serialize> {
    #[serde(flatten)]
    inner: &'a T,
    account: &'a str,
    region: &'a str,
    guard: Option<&'a str>,
}

impl<'a, T: Serialize> Located<'a, T> {
    fn new(op: &'a Operation, inner: &'a T) -> Self {
        Self {
            inner,
            account: &op.location().account,
            region: &op.location().region,
            guard: op.guard.as_ref().map(|g| g.as_str()),
        }
    }
}

/// `handle`: parse before any AWS client exists (a bad event must change nothing, even by accident),
/// then run it through the guard as deployed, exemptions included.
async fn handle(
    file: Option<&Path>,
    dry_run: bool,
    (guard, region): (Option<&str>, Option<&str>),
    config: Config,
) -> Result<ExitCode, Refusal> {
    let raw = read_event(file).map_err(|err| Refusal::bad_input(format!("{err:#}")))?;
    let parsed = match crate::event::parse_bytes(&raw) {
        Ok(parsed) => parsed,
        Err(err) => return Err(Refusal::bad_input(format!("event rejected, nothing done: {err}"))),
    };
    let op = Operation::open(guard, region, config).await?;
    let mut config = op.config.clone();
    config.dry_run |= dry_run;
    let ports = op.ports(config.topic_arn.clone());
    let guard = ports.guard(config, Some(op.location().account.clone()));
    let report = guard.handle_parsed(parsed, Timestamp::now()).await;
    eprint!("Handled in {}. {}", op.context_line(), op.footer());
    Ok(print_report(&Located::new(&op, &report), &report))
}

struct SimulateArgs {
    scenario: Option<String>,
    scenario_file: Option<PathBuf>,
    json: bool,
    svg: Option<PathBuf>,
    seed: u64,
    uninstrumented: bool,
    compare: bool,
    alerts: bool,
}

impl SimulateArgs {
    /// The modes to run, and the one the text shows as the guard's when it is not every one.
    /// `--uninstrumented` runs the instrumented guard too for its text, to say how they compare
    /// (the baseline and peers are shared, so that costs one guard run); its JSON holds only its own.
    fn modes(&self) -> (Vec<simulate::Instrumentation>, Option<simulate::Instrumentation>) {
        use simulate::Instrumentation::{Instrumented, Uninstrumented};
        match (self.compare, self.uninstrumented, self.json) {
            (true, _, _) => (vec![Instrumented, Uninstrumented], None),
            (false, true, false) => (vec![Instrumented, Uninstrumented], Some(Uninstrumented)),
            (false, true, true) => (vec![Uninstrumented], None),
            (false, false, _) => (vec![Instrumented], None),
        }
    }
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
    let (modes, primary) = args.modes();
    let results: Vec<simulate::SimulationResult> = scenarios
        .iter()
        .map(|s| simulate::run_modes(s, args.seed, config, &modes))
        .collect::<Result<Vec<_>, _>>()
        .context("simulation failed")?
        .into_iter()
        .flatten()
        .collect();
    if args.json {
        // One scenario in one mode: its object; otherwise an array of those objects.
        let text = match results.as_slice() {
            [one] if args.scenario.is_some() || args.scenario_file.is_some() => {
                serde_json::to_string_pretty(one)?
            }
            all => serde_json::to_string_pretty(all)?,
        };
        print_quietly(&format!("{text}\n"))?;
    } else {
        let options = simulate::render::Options { alerts: args.alerts, primary };
        print_quietly(&simulate::render::text_with(&results, options))?;
    }
    if let Some(path) = &args.svg {
        // The chart shows the modes the text shows: the reference run stays out of it.
        let shown: Vec<_> = results.iter().filter(|r| primary.is_none_or(|p| r.mode == p)).cloned().collect();
        std::fs::write(path, simulate::svg::render(&shown))
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(ExitCode::from(EXIT_OK))
}

/// Writes to stdout; a reader that stopped early (`simulate --json | head`) is not an error.
fn print_quietly(text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing to stdout"),
    }
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

fn bad_input(message: &str) -> ExitCode {
    Refusal::bad_input(message).exit()
}

fn print_report(out: &Located<'_, Report>, report: &Report) -> ExitCode {
    match serde_json::to_string_pretty(out) {
        Ok(text) => println!("{}", crate::sanitise::json(&text)),
        Err(err) => eprintln!("error: report not serialisable: {err}"),
    }
    // As in Lambda mode: any retryable failure (a throttle, or the alert of a throttled function,
    // that did not go through) fails the run, so whatever drives it retries the event. On the CLI a
    // throttle nobody was paged about, or a failed step nobody was told of, fails it too.
    let unpaged = report
        .decisions
        .iter()
        .any(|d| matches!(d.outcome, Outcome::Throttled | Outcome::WouldThrottle) && !d.alerted);
    // A failed step that on-call was told about (the alert names the fix) is not a silent failure.
    let errors = report.decisions.iter().any(|d| !d.errors.is_empty() && !d.alerted);
    if report.count(Outcome::Failed) > 0 || report.needs_retry() || unpaged || errors {
        if unpaged || errors {
            eprintln!("error: a step failed or on-call was NOT paged; see \"errors\" in the report");
        }
        ExitCode::from(EXIT_FAILURE)
    } else if !report.rejected.is_empty() {
        ExitCode::from(EXIT_BAD_INPUT)
    } else {
        ExitCode::from(EXIT_OK)
    }
}
