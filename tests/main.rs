//! Every integration test, in one binary: one link against the AWS SDKs instead of one per file,
//! and one `cargo clippy --all-targets` unit. Each module is one concern (its own file, gated on the
//! features it needs); run one with `cargo test --test integration NAME::` (through
//! `scripts/test.sh` when it talks to moto).

#[cfg(feature = "guard")]
mod common;
#[path = "events/main.rs"]
mod events;

mod adversarial;
mod alert_bodies;
mod audit_live;
mod audit_module;
mod audit_plan;
mod aws_cloudwatch;
mod aws_contributors;
mod aws_lambda;
mod aws_mocked;
mod aws_pagination;
mod aws_sns;
mod chain;
mod cli_deployment;
mod cli_exit_codes;
mod cli_reenable;
mod cli_status;
mod cli_trip;
mod control_plane_calls;
mod doc_links;
mod event_props;
mod fault_proxy;
mod fault_proxy_status;
mod fuzz_volume;
mod guard_cli;
mod guard_contributor;
mod guard_drift;
mod guard_flood;
mod guard_mappings;
mod guard_offender;
mod guard_park;
mod guard_race;
mod guard_trip;
mod guard_trip_cap;
mod hostile_claims;
mod hostile_drift_iam;
mod hostile_markup;
mod hostile_records;
mod infra;
mod lambda_e2e;
mod log_secrets;
mod replay;
mod simulate;
mod simulate_infra;
mod simulate_output;
