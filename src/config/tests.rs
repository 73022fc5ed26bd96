//! Unit tests for `Config::from_lookup`.

use std::collections::HashMap;

use super::*;

fn load(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Config::from_lookup(|name| map.get(name).cloned())
}

#[test]
fn empty_environment_gives_the_defaults() {
    assert_eq!(load(&[]).unwrap(), Config::default());
    assert_eq!(load(&[(vars::MAX_DEPTH, ""), (vars::DRY_RUN, "  ")]).unwrap(), Config::default());
}

#[test]
fn reads_every_variable() {
    let c = load(&[
        (vars::TOPIC_ARN, "arn:aws:sns:eu-west-1:111122223333:guard-alerts"),
        (vars::DRY_RUN, "1"),
        (vars::MAX_DEPTH, "8"),
        (vars::EXEMPT, "a, b-2 ,,c_3"),
        (vars::MAX_TRIPS_PER_HOUR, "0"),
        (vars::CHAIN_BUDGET, "300"),
        (vars::CHAIN_TTL_SECS, "600"),
        (vars::MAX_CHAINS, "5000"),
        (vars::MAX_FUNCTIONS, "100"),
        (vars::BUCKET_SECS, "5"),
        (vars::RATE_LIMIT_PER_SEC, "12.5"),
        (vars::GROWTH_BUCKETS, "4"),
        (vars::GROWTH_FLOOR, "50"),
        (vars::COST_LIMIT_USD_PER_HOUR, "2"),
        (vars::GRACE_SECS, "0"),
        (vars::PRICE_PER_REQUEST, "0.0000002"),
        (vars::PRICE_PER_GB_SECOND_X86, "0.00002"),
        (vars::PRICE_PER_GB_SECOND_ARM64, "0.00001"),
        (vars::SELF_FUNCTION, "runaway-guard"),
    ])
    .unwrap();
    assert_eq!(c.topic_arn.as_deref(), Some("arn:aws:sns:eu-west-1:111122223333:guard-alerts"));
    assert!(c.dry_run);
    assert_eq!((c.max_depth, c.max_trips_per_hour, c.chain_budget, c.chain_ttl_secs), (8, 0, 300, 600));
    assert_eq!((c.max_chains, c.max_functions, c.bucket_secs), (5000, 100, 5));
    assert_eq!((c.rate_limit_per_sec, c.growth_buckets, c.growth_floor), (12.5, 4, 50));
    assert_eq!((c.cost_limit_usd_per_hour, c.grace_secs), (2.0, 0));
    assert_eq!(c.prices, Prices { per_request: 2e-7, per_gb_second_x86: 2e-5, per_gb_second_arm: 1e-5 });
    let exempt: Vec<&str> = c.exempt.iter().map(FunctionName::as_str).collect();
    assert_eq!(exempt, ["a", "b-2", "c_3"]);
    assert_eq!(c.self_function.unwrap().as_str(), "runaway-guard");
}

#[test]
fn booleans_accept_only_four_spellings() {
    for (raw, want) in [("true", true), ("1", true), ("false", false), ("0", false)] {
        assert_eq!(load(&[(vars::DRY_RUN, raw)]).unwrap().dry_run, want);
    }
    for bad in ["yes", "TRUE", "2", "on"] {
        assert_eq!(load(&[(vars::DRY_RUN, bad)]).unwrap_err().variable, vars::DRY_RUN, "{bad}");
    }
}

#[test]
fn errors_name_the_variable() {
    let cases = [
        (vars::TOPIC_ARN, "arn:aws:sqs:us-east-1:111122223333:q"),
        (vars::TOPIC_ARN, "arn:aws:sns:us-east-1:1111:t"),
        (vars::TOPIC_ARN, "arn:aws:sns:us-east-1:111122223333:bad topic"),
        (vars::TOPIC_ARN, "topic"),
        (vars::MAX_DEPTH, "0"),
        (vars::MAX_DEPTH, "-3"),
        (vars::MAX_DEPTH, "sixteen"),
        (vars::MAX_TRIPS_PER_HOUR, "1001"),
        (vars::CHAIN_BUDGET, "0"),
        (vars::MAX_CHAINS, "99999999999"),
        (vars::BUCKET_SECS, "0"),
        (vars::RATE_LIMIT_PER_SEC, "0"),
        (vars::RATE_LIMIT_PER_SEC, "NaN"),
        (vars::RATE_LIMIT_PER_SEC, "inf"),
        (vars::GROWTH_BUCKETS, "17"),
        (vars::COST_LIMIT_USD_PER_HOUR, "-1"),
        (vars::PRICE_PER_REQUEST, "-0.1"),
        (vars::EXEMPT, "good,bad name"),
        (vars::SELF_FUNCTION, "not/a/name"),
    ];
    for (variable, value) in cases {
        let err = load(&[(variable, value)]).unwrap_err();
        assert_eq!(err.variable, variable, "{value}");
        assert!(err.to_string().contains(variable), "{err}");
    }
}

#[test]
fn accepts_fifo_and_other_partition_topics() {
    for arn in
        ["arn:aws:sns:us-east-1:111122223333:alerts.fifo", "arn:aws-us-gov:sns:us-gov-west-1:111122223333:a"]
    {
        assert_eq!(load(&[(vars::TOPIC_ARN, arn)]).unwrap().topic_arn.as_deref(), Some(arn));
    }
}

#[test]
fn reads_the_trust_variables() {
    let c = load(&[(vars::TRUSTED_ACCOUNTS, "444455556666, ,777788889999")]).unwrap();
    let trusted: Vec<&str> = c.trusted_accounts.iter().map(String::as_str).collect();
    assert_eq!(trusted, ["444455556666", "777788889999"]);
    for bad in ["12345", "4444555566667", "44445555666x", "arn:aws:iam::444455556666:root"] {
        let err = load(&[(vars::TRUSTED_ACCOUNTS, bad)]).unwrap_err();
        assert_eq!(err.variable, vars::TRUSTED_ACCOUNTS, "{bad}");
    }
}

#[test]
fn reads_the_baseline_variables() {
    use crate::config::baseline_vars as b;
    let c = load(&[
        (b::COST_FLOOR_USD_PER_HOUR, "2.5"),
        (b::RECURSION_FLOOR_USD_PER_HOUR, "0.25"),
        (b::SURGE_FACTOR, "8"),
        (b::EXTREME_FACTOR, "50"),
        (b::HISTORY_DAYS, "3"),
        (b::RECENT_MINUTES, "12"),
        (b::GROWTH_MINUTES, "4"),
        (b::GROWTH_RATIO, "2"),
        (b::SATURATION_MINUTES, "5"),
        (b::CONTRIBUTOR_ALARMS, "per-function-invocations, ,per-function-recursion"),
    ])
    .unwrap()
    .baseline;
    assert_eq!((c.cost_floor_usd_per_hour, c.surge_factor, c.extreme_factor), (2.5, 8.0, 50.0));
    assert_eq!((c.history_days, c.recent_minutes, c.growth_minutes, c.saturation_minutes), (3, 12, 4, 5));
    assert_eq!(c.growth_ratio, 2.0);
    assert_eq!(c.recursion_floor_usd_per_hour, 0.25);
    assert_eq!(c.contributor_alarms, ["per-function-invocations", "per-function-recursion"]);
    assert_eq!(load(&[]).unwrap().baseline, crate::config::Baseline::default());
    for (variable, bad) in [
        (b::COST_FLOOR_USD_PER_HOUR, "0"),
        (b::RECURSION_FLOOR_USD_PER_HOUR, "-1"),
        (b::SURGE_FACTOR, "1"),
        (b::EXTREME_FACTOR, "5"),
        (b::HISTORY_DAYS, "456"),
        (b::GROWTH_RATIO, "nan"),
        (b::RECENT_MINUTES, "3"),
        (b::CONTRIBUTOR_ALARMS, "ok,bad\u{7}name"),
    ] {
        let err = load(&[(variable, bad)]).unwrap_err();
        assert_eq!(err.variable, variable, "{variable}={bad:?}");
    }
}

#[test]
fn reads_and_checks_the_chain_shape_thresholds() {
    let pairs =
        [(vars::CHAIN_LEVEL_ALLOWANCE, "0"), (vars::CHAIN_FAN_OUT, "3"), (vars::CHAIN_CEILING, "2500")];
    let c = load(&pairs).unwrap();
    assert_eq!((c.chain_level_allowance, c.chain_fan_out, c.chain_ceiling), (0, 3, 2500));
    let bad = [
        (vars::CHAIN_LEVEL_ALLOWANCE, "-1"),
        (vars::CHAIN_LEVEL_ALLOWANCE, "100000001"),
        (vars::CHAIN_FAN_OUT, "0"),
        (vars::CHAIN_FAN_OUT, "10001"),
        (vars::CHAIN_CEILING, "0"),
        (vars::CHAIN_CEILING, "ten"),
    ];
    for (variable, value) in bad {
        assert_eq!(load(&[(variable, value)]).unwrap_err().variable, variable, "{value}");
    }
}

#[test]
fn reads_the_trip_cap_table_by_name_or_arn_and_refuses_anything_else() {
    assert_eq!(load(&[]).unwrap().trip_cap_table, None);
    let name = load(&[("RUNAWAY_GUARD_TRIP_CAP_TABLE", "runaway-guard-trip-cap")]).unwrap();
    assert_eq!(name.trip_cap_table.as_deref(), Some("runaway-guard-trip-cap"));
    let arn = "arn:aws:dynamodb:us-east-1:123456789012:table/runaway-guard-trip-cap";
    assert_eq!(load(&[("RUNAWAY_GUARD_TRIP_CAP_TABLE", arn)]).unwrap().trip_cap_table.as_deref(), Some(arn));
    for bad in
        ["ab", "a b c", "table;drop", "arn:aws:s3:::bucket", "arn:aws:dynamodb:us-east-1:1:table/x-y-z"]
    {
        let err = load(&[("RUNAWAY_GUARD_TRIP_CAP_TABLE", bad)]).unwrap_err();
        assert_eq!(err.variable, "RUNAWAY_GUARD_TRIP_CAP_TABLE", "{bad}");
    }
}

#[test]
fn reads_the_record_key_as_a_kms_key_or_alias_arn() {
    for arn in [
        "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/runaway-guard-records",
    ] {
        assert_eq!(load(&[(vars::RECORD_KEY_ARN, arn)]).unwrap().record_key_arn.as_deref(), Some(arn));
    }
    assert_eq!(load(&[]).unwrap().record_key_arn, None);
    for bad in [
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:us-east-1:111122223333:secret/x",
        "arn:aws:sns:us-east-1:111122223333:key/x",
        "arn:aws:kms:us-east-1:1111:key/x",
        "arn:aws:kms:us-east-1:111122223333:key/",
        "arn:aws:kms:us-east-1:111122223333:key/a b",
    ] {
        let err = load(&[(vars::RECORD_KEY_ARN, bad)]).unwrap_err();
        assert_eq!(err.variable, vars::RECORD_KEY_ARN, "{bad}");
    }
}

#[test]
fn reads_the_parking_queue_as_a_standard_queue_arn() {
    let arn = "arn:aws:sqs:us-east-1:111122223333:runaway-guard-parked";
    assert_eq!(load(&[(vars::PARKING_QUEUE_ARN, arn)]).unwrap().parking_queue_arn.as_deref(), Some(arn));
    assert_eq!(load(&[]).unwrap().parking_queue_arn, None);
    for bad in [
        "runaway-guard-parked",
        "https://sqs.us-east-1.amazonaws.com/111122223333/runaway-guard-parked",
        "arn:aws:sqs:us-east-1:111122223333:parked.fifo",
        "arn:aws:sns:us-east-1:111122223333:parked",
        "arn:aws:sqs:us-east-1:1111:parked",
        "arn:aws:sqs:us-east-1:111122223333:",
    ] {
        let err = load(&[(vars::PARKING_QUEUE_ARN, bad)]).unwrap_err();
        assert_eq!(err.variable, vars::PARKING_QUEUE_ARN, "{bad}");
    }
}
