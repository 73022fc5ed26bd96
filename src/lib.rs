//! runaway-guard: a recursion and runaway-cost guard for AWS Lambda.
//!
//! Layout (one concern per file):
//! - [`name`]: validated function names; nothing unchecked reaches an AWS call.
//! - [`arn`]: the one ARN reader (partition, region, account, qualifier checked in one place).
//! - [`chain`]: the chain header guarded functions propagate (builds without AWS crates).
//! - [`time`]: `Timestamp`, time as a value; detection never reads a clock.
//! - `signal`: what an inbound record means (chain observation, alarm, sweep).
//! - `event`: inbound JSON → signals, dispatching on explicit keys.
//! - `detect`: pure detector (chain table, rate windows, cost model) → `verdict`s.
//! - `policy`: pure verdict → plan (exempt, cap, dry-run, idempotent, grace).
//! - `config`: environment → typed `Config`.
//! - `ports`: capability traits (`Throttler`, `Metrics`, `Notifier`, `Identity`) and their domain types.
//! - `report`: the JSON report (`decisions`, outcomes).
//! - `sanitise`: the one escaping rule for every value from outside, per face a person reads
//!   (plain text and logs, chat markdown, SNS subjects, JSON).
//! - `role`: the IAM role behind a caller ARN (how the drift watch knows the guard's own calls).
//! - `aws`: SDK adapters implementing the ports (the only files importing `aws_sdk_*`).
//! - `record`: the trip record's seal: canonical bytes, the MAC tag, sealing and checking.
//! - `alert`: composing the SNS alert (subject, body, attributes) and its e-mail and chat bodies.
//! - `control_plane`: the environment's Lambda control-plane budget (a token bucket whose last
//!   tokens only the trip takes).
//! - `depth_limit`: per-function depth limits learned from the `runaway-guard:max-depth` tag.
//! - `trip` / `operator`: the trip flow, and `status` / `reenable` (docs/trip-and-restore.md).
//! - `replay`: parked asynchronous events back to a re-enabled function (parse, filter, pace).
//! - `handler`: async glue: event → detect → policy → ports → report.
//! - `deployment`: where the CLI acts and which deployed guard it acts for.
//! - `cli`: the operator CLI (`handle`, `status`, `reenable`, `trip`, `replay`, `simulate`).
//! - `simulate`: a simulated account in virtual time, scenarios and peers.
//! - `audit`: the loop audit of an account's wiring or a Terraform plan (feature `audit`).

#![forbid(unsafe_code)]
#![recursion_limit = "256"]
#![warn(missing_docs)]

pub mod arn;
pub mod chain;
pub mod name;
pub mod time;

#[cfg(feature = "detector")]
pub mod config;
#[cfg(feature = "detector")]
pub mod detect;
#[cfg(feature = "detector")]
pub mod event;
#[cfg(feature = "detector")]
pub mod policy;
#[cfg(feature = "detector")]
pub mod ports;
#[cfg(feature = "detector")]
pub mod report;
#[cfg(feature = "detector")]
pub mod role;
#[cfg(feature = "detector")]
pub mod sanitise;
#[cfg(feature = "detector")]
pub mod signal;
#[cfg(feature = "detector")]
pub mod trust;
#[cfg(feature = "detector")]
pub mod verdict;

#[cfg(feature = "guard")]
pub mod alert;
#[cfg(feature = "audit")]
pub mod audit;
#[cfg(feature = "guard")]
pub mod aws;
#[cfg(feature = "guard")]
pub mod cli;
#[cfg(feature = "guard")]
pub mod clients;
#[cfg(feature = "guard")]
pub mod commands;
#[cfg(feature = "guard")]
pub mod control_plane;
#[cfg(feature = "guard")]
pub mod deployment;
#[cfg(feature = "guard")]
pub mod depth_limit;
#[cfg(feature = "guard")]
pub mod emf;
#[cfg(all(feature = "guard", test))]
pub mod fake;
#[cfg(feature = "guard")]
pub mod handler;
#[cfg(feature = "guard")]
pub mod offender;
#[cfg(feature = "guard")]
pub mod operator;
#[cfg(feature = "guard")]
pub mod record;
#[cfg(feature = "guard")]
pub mod replay;
#[cfg(feature = "guard")]
pub mod runtime;
#[cfg(feature = "guard")]
pub mod simulate;
#[cfg(feature = "guard")]
pub mod table;
#[cfg(feature = "guard")]
pub mod trip;
