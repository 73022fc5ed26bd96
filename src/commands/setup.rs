//! What every AWS-facing subcommand does first: open the session (region, credentials, account),
//! find the deployed guard and take its configuration, so the CLI acts exactly as the guard would.

use std::process::ExitCode;

use crate::aws::LambdaDeployment;
use crate::clients::{AwsPorts, Session, SetupError};
use crate::config::Config;
use crate::deployment::{DeployedGuard, Deployment, Location, did_you_mean};
use crate::name::FunctionName;
use crate::ports::PortError;

use super::error::{self, ErrorKind};
use super::{EXIT_BAD_INPUT, EXIT_FAILURE};

/// A refusal or failure: one line (on standard error, or JSON on standard output under `--json`)
/// and the exit code.
#[derive(Debug)]
pub struct Refusal {
    /// 1 (AWS/runtime failure) or 2 (usage or bad input).
    pub code: u8,
    /// What kind of error, for `--json`.
    pub kind: ErrorKind,
    /// The line, saying what to do about it.
    pub message: String,
}

impl Refusal {
    /// Exit 2: the input or the setup is wrong.
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self { code: EXIT_BAD_INPUT, kind: ErrorKind::BadInput, message: message.into() }
    }

    /// Exit 1: AWS or the runtime failed.
    pub fn failure(message: impl Into<String>) -> Self {
        Self { code: EXIT_FAILURE, kind: ErrorKind::Failure, message: message.into() }
    }

    /// Exit 2: no runaway-guard is deployed where the CLI would act.
    pub fn no_guard(here: &Location) -> Self {
        Self {
            code: EXIT_BAD_INPUT,
            kind: ErrorKind::NoGuard,
            message: format!("no runaway-guard in {here}; deploy one or pass --force"),
        }
    }

    /// Prints the line (which may quote outside values: shown through the one sanitiser) in the
    /// format in force and returns the exit code.
    pub fn exit(self) -> ExitCode {
        error::report(self.kind, &self.message, self.code)
    }
}

impl From<SetupError> for Refusal {
    fn from(err: SetupError) -> Self {
        match err {
            SetupError::Identity(_) => Self::failure(err.to_string()),
            SetupError::NoRegion
            | SetupError::NoRegionInProfile(_)
            | SetupError::NoCredentials(_)
            | SetupError::NoProfileCredentials { .. } => Self::bad_input(err.to_string()),
        }
    }
}

/// The session, the guard it acts for and the configuration in force.
pub struct Operation {
    /// Region, credentials, account.
    pub session: Session,
    /// The deployed guard's function, when one was found.
    pub guard: Option<FunctionName>,
    /// The guard's configuration (or this shell's, when no guard was found).
    pub config: Config,
    /// Finds functions by name.
    pub deployment: LambdaDeployment,
}

impl Operation {
    /// Opens the session and finds the guard: `--guard NAME` / `RUNAWAY_GUARD_FUNCTION` when given,
    /// else the one function tagged `runaway-guard:role = guard`; with none, this shell's settings.
    /// `region` (`--region`) overrides the environment's.
    pub async fn open(guard: Option<&str>, region: Option<&str>, local: Config) -> Result<Self, Refusal> {
        let named = guard.map(super::target::parse_name).transpose()?;
        let session = Session::open(region).await?;
        let deployment = LambdaDeployment::new(&session.sdk);
        let found = match named {
            Some((name, arn)) => {
                if let Some(arn) = arn {
                    crate::deployment::check_arn(guard.unwrap_or_default(), &name, &arn, &session.location)
                        .map_err(|e| Refusal::bad_input(format!("--guard: {e}")))?;
                }
                Some(named_guard(&deployment, &name, &session.location).await?)
            }
            None => tagged_guard(&deployment, &session.location).await?,
        };
        let (guard, config) = match found {
            Some(found) => (Some(found.function.clone()), merged(&found, local)?),
            None => (None, local),
        };
        Ok(Self { session, guard, config, deployment })
    }

    /// Refuses to change anything where no runaway-guard is deployed, unless `force`: with no guard,
    /// nothing re-sends an unsent page, nothing watches a re-enabled function, and a trip alert has
    /// nowhere to go. `trip`, `reenable` and `replay` call this before their first change.
    pub fn require_guard(&self, force: bool) -> Result<(), Refusal> {
        match &self.guard {
            None if !force => Err(Refusal::no_guard(self.location())),
            _ => Ok(()),
        }
    }

    /// Where the CLI acts.
    pub fn location(&self) -> &Location {
        &self.session.location
    }

    /// The clients, alerting to `topic` and checking trip records with the guard's record key.
    pub fn ports(&self, topic: Option<String>) -> AwsPorts {
        AwsPorts::from_sdk(&self.session.sdk, topic).with_record_key(self.config.record_key_arn.clone())
    }

    /// The account and region, as every sentence names them: `123456789012/us-east-1`.
    pub fn context_line(&self) -> String {
        self.location().to_string()
    }

    /// The line after the human output: which guard's configuration applied, and who acted.
    pub fn footer(&self) -> String {
        match &self.guard {
            Some(name) => format!("Guard: {name}; acting as {}.\n", self.location().caller_arn),
            None => format!(
                "Guard: none tagged runaway-guard:role=guard here, so this shell's RUNAWAY_GUARD_* settings \
                 apply; acting as {}.\n",
                self.location().caller_arn
            ),
        }
    }
}

async fn named_guard(
    deployment: &LambdaDeployment,
    name: &FunctionName,
    here: &Location,
) -> Result<DeployedGuard, Refusal> {
    let found = deployment.function(name).await.map_err(|e| lookup_failed(&e))?;
    let Some(found) = found else {
        return Err(not_found(deployment, name, here, "guard function").await);
    };
    if !found.looks_like_a_guard() {
        return Err(Refusal::bad_input(format!(
            "{name} in {here} is not a runaway-guard deployment (its environment has no \
             RUNAWAY_GUARD_TOPIC_ARN); name the guard's own function with --guard"
        )));
    }
    Ok(found)
}

async fn tagged_guard(
    deployment: &LambdaDeployment,
    here: &Location,
) -> Result<Option<DeployedGuard>, Refusal> {
    let mut guards = deployment.tagged_guards().await.map_err(|e| lookup_failed(&e))?;
    match guards.len() {
        0 | 1 => Ok(guards.pop()),
        _ => {
            let names: Vec<&str> = guards.iter().map(|g| g.function.as_str()).collect();
            Err(Refusal::bad_input(format!(
                "{} functions in {here} are tagged runaway-guard:role=guard ({}); choose one with --guard NAME",
                names.len(),
                names.join(", ")
            )))
        }
    }
}

/// The guard's configuration, plus this shell's extra exemptions (more exemptions are only safer).
fn merged(guard: &DeployedGuard, local: Config) -> Result<Config, Refusal> {
    let mut config = guard.config().map_err(|e| {
        Refusal::failure(format!("the deployed guard {}'s environment is invalid: {e}", guard.function))
    })?;
    if let Some(local_topic) = local.topic_arn.as_deref().filter(|t| config.topic_arn.as_deref() != Some(*t))
    {
        eprintln!(
            "note: alerts go to the deployed guard's topic, not RUNAWAY_GUARD_TOPIC_ARN={local_topic} from this shell"
        );
    }
    config.exempt.extend(local.exempt);
    config.dry_run |= local.dry_run;
    Ok(config)
}

fn lookup_failed(err: &PortError) -> Refusal {
    Refusal::failure(format!("cannot look for the deployed guard: {err}; name it with --guard NAME"))
}

/// "function X not found in A/R; did you mean Y?" (exit 2).
pub async fn not_found(
    deployment: &LambdaDeployment,
    name: &FunctionName,
    here: &Location,
    what: &str,
) -> Refusal {
    let hint = match deployment.function_names().await {
        Ok(names) => match did_you_mean(name.as_str(), names.iter().map(String::as_str)) {
            Some(close) => format!("; did you mean {close}?"),
            None => "; check AWS_REGION and AWS_PROFILE".to_owned(),
        },
        Err(_) => String::new(),
    };
    Refusal::bad_input(format!("{what} {name} not found in {here}{hint}"))
}
