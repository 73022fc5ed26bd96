//! The operator CLI against a deployment in moto, through the real binary: it finds the guard by its
//! `runaway-guard:role` tag (or `--guard` / `RUNAWAY_GUARD_FUNCTION`), takes the topic and exemptions
//! from the guard's environment, never trips the guard or an exempt function, refuses ARNs of
//! another account, region or partition and qualified ARNs, and fails (exit 1, `alert-pending`
//! kept, `status` showing it) when the page cannot be sent. Run through `scripts/test.sh`.
#![cfg(feature = "guard")]

use crate::common::guard::{Cli, handle, report};
use crate::common::{ACCOUNT, FunctionSpec, Moto};
use aws_sdk_lambda::types::Environment;
use runaway_guard::ports::tags;
use serde_json::Value;

const GUARD: &str = "runaway-guard";
const HERE: &str = "123456789012/us-east-1";

/// Deploys a guard function as the Terraform module does: tagged, its environment naming `topic`,
/// the record key and the exemptions.
async fn deploy_guard(moto: &Moto, name: &str, topic: &str, exempt: &str) {
    let exemptions = [("RUNAWAY_GUARD_EXEMPT", exempt)];
    moto.deploy_guard(name, topic, if exempt.is_empty() { &[] } else { &exemptions }).await;
}

#[tokio::test]
async fn arns_elsewhere_and_qualified_arns_are_refused_naming_both_sides() {
    let moto = Moto::start().await;
    moto.create_function("orders").await;
    moto.reserve("orders", 7).await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    deploy_guard(&moto, GUARD, &topic, "").await;
    let before = moto.snapshot().await;

    let refused = [
        ("arn:aws:lambda:eu-west-1:123456789012:function:orders", "aws/123456789012/eu-west-1"),
        ("arn:aws:lambda:us-east-1:999999999999:function:orders", "aws/999999999999/us-east-1"),
        ("arn:aws-cn:lambda:us-east-1:123456789012:function:orders", "aws-cn/123456789012/us-east-1"),
        ("arn:aws:lambda:us-east-1:123456789012:function:orders:live", "alias live"),
        ("arn:aws:lambda:us-east-1:123456789012:function:orders:3", "version 3"),
    ];
    for (arn, named) in refused {
        for args in [vec!["trip", arn, "--reason", "x"], vec!["reenable", arn, "--force"]] {
            let run = Cli::new(Some(&topic), &args).run();
            assert_eq!(run.code, 2, "{args:?}: {run:?}");
            assert!(run.stderr.contains(named), "{args:?} names {named}: {}", run.stderr);
            if !named.contains(' ') {
                assert!(run.stderr.contains("aws/123456789012/us-east-1"), "names our side: {}", run.stderr);
            }
        }
    }
    assert_eq!(moto.snapshot().await, before, "nothing throttled anywhere");
    assert!(moto.delivered(&queue).await.is_empty());

    let own = Cli::new(
        Some(&topic),
        &["trip", "arn:aws:lambda:us-east-1:123456789012:function:orders", "--reason", "x"],
    )
    .run();
    assert_eq!((own.code, moto.reserved("orders").await), (0, Some(0)), "{own:?}");
}

#[tokio::test]
async fn the_tagged_guard_is_found_and_neither_it_nor_its_exemptions_are_ever_tripped() {
    let moto = Moto::start().await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    deploy_guard(&moto, GUARD, &topic, "billing").await;
    for name in ["billing", "orders-worker"] {
        moto.create_function(name).await;
    }
    let spec = FunctionSpec { tags: &[("runaway-guard:exempt", "true")], ..FunctionSpec::default() };
    let payments = moto.create_function_with("payments", spec).await;
    let before = moto.snapshot().await;

    // No topic or exemption in this shell: both come from the guard's environment. Each refusal
    // names what to change first.
    let fixes = [
        (GUARD, String::new()),
        ("billing", format!("remove billing from RUNAWAY_GUARD_EXEMPT in the guard {GUARD}'s")),
        (
            "payments",
            format!("aws lambda untag-resource --resource {payments} --tag-keys runaway-guard:exempt"),
        ),
    ];
    for (function, fix) in fixes {
        let run = Cli::new(None, &["trip", function, "--reason", "test"]).run();
        assert_eq!(run.code, 2, "{function}: {run:?}");
        assert!(run.stderr.contains("refusing to trip") && run.stderr.contains(HERE), "{}", run.stderr);
        assert!(run.stderr.contains(&fix), "{function}: names {fix:?}: {}", run.stderr);
    }
    let replay = Cli::new(None, &["handle", "-"]).stdin(report("billing", 40, "r1").to_string()).run();
    assert_eq!(replay.code, 0, "{replay:?}");
    assert_eq!(replay.outcomes(), [("billing".to_owned(), "exempt".to_owned())]);
    assert_eq!(
        (replay.json()["account"].as_str(), replay.json()["guard"].as_str()),
        (Some(ACCOUNT), Some(GUARD))
    );
    let replay = Cli::new(None, &["handle", "-"]).stdin(report(GUARD, 40, "r2").to_string()).run();
    assert_eq!(replay.outcomes(), [(GUARD.to_owned(), "exempt".to_owned())], "{replay:?}");
    assert_eq!(moto.snapshot().await, before);
    assert!(moto.delivered(&queue).await.is_empty());

    let run = Cli::new(None, &["trip", "orders-worker", "--reason", "runaway bill"]).run();
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains(&format!("Guard: {GUARD}; acting as arn:aws:")) && run.stdout.contains(HERE),
        "{}",
        run.stdout
    );
    assert_eq!(moto.delivered(&queue).await.len(), 1, "paged on the guard's own topic");
}

#[tokio::test]
async fn the_guard_can_be_named_and_a_wrong_name_is_refused() {
    let moto = Moto::start().await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    // Untagged: found only when named.
    moto.create_function("my-guard").await;
    let env = Environment::builder().variables("RUNAWAY_GUARD_TOPIC_ARN", &topic).build();
    let lambda = moto.lambda();
    lambda
        .update_function_configuration()
        .function_name("my-guard")
        .environment(env)
        .send()
        .await
        .expect("env");
    moto.create_function("orders-worker").await;

    let named = Cli::new(None, &["--guard", "my-guard", "trip", "my-guard", "--reason", "x"]).run();
    assert_eq!(named.code, 2, "the named guard is exempt: {named:?}");
    let by_env = Cli::new(None, &["trip", "my-guard", "--reason", "x"])
        .env("RUNAWAY_GUARD_FUNCTION", "my-guard")
        .run();
    assert_eq!(by_env.code, 2, "{by_env:?}");
    let misspelt = Cli::new(None, &["--guard", "my-gaurd", "status"]).run();
    assert_eq!(misspelt.code, 2, "{misspelt:?}");
    assert!(misspelt.stderr.contains("did you mean my-guard?"), "{}", misspelt.stderr);
    let not_a_guard = Cli::new(None, &["--guard", "orders-worker", "status"]).run();
    assert_eq!(not_a_guard.code, 2, "{not_a_guard:?}");
    assert!(not_a_guard.stderr.contains("not a runaway-guard deployment"), "{}", not_a_guard.stderr);

    let run =
        Cli::new(None, &["--guard", "my-guard", "trip", "orders-worker", "--reason", "x", "--json"]).run();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["guard"], "my-guard");
    assert_eq!(moto.delivered(&queue).await.len(), 1);
}

#[tokio::test]
async fn where_no_guard_is_deployed_trip_and_reenable_refuse_and_status_promises_nothing() {
    let moto = Moto::start().await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    moto.create_function("orders-worker").await;
    moto.reserve("orders-worker", 0).await;
    let before = moto.snapshot().await;
    let refusal = "error: no runaway-guard in 123456789012/us-east-1; deploy one or pass --force";
    for args in [
        ["trip", "orders-worker", "--reason", "x"].as_slice(),
        &["trip", "orders-worker", "--reason", "x", "--dry-run"],
        &["reenable", "orders-worker"],
        &["reenable", "orders-worker", "--to", "5"],
    ] {
        let run = Cli::new(Some(&topic), args).run();
        assert_eq!((run.code, run.stderr.trim(), run.stdout.as_str()), (2, refusal, ""), "{args:?}: {run:?}");
        let json = Cli::new(Some(&topic), &[args, ["--json"].as_slice()].concat()).run();
        assert_eq!((json.code, json.stderr.as_str()), (2, ""), "{args:?}: {json:?}");
        let error = &json.json()["error"];
        assert_eq!(
            (error["kind"].as_str(), error["exit_code"].as_u64()),
            (Some("no_guard"), Some(2)),
            "{json:?}"
        );
        assert_eq!(error["message"], refusal.trim_start_matches("error: "));
    }
    assert_eq!(moto.snapshot().await, before, "nothing changed");
    assert!(moto.delivered(&queue).await.is_empty());

    // Read-only commands need no guard; `status` names the 0 and promises no re-send.
    let status = Cli::new(None, &["status"]).run();
    assert_eq!(status.code, 0, "{status:?}");
    let forced = Cli::new(None, &["reenable", "orders-worker", "--force"]).run();
    assert_eq!(
        (forced.code, moto.reserved("orders-worker").await),
        (1, None),
        "lifted, not paged: {forced:?}"
    );
}

#[tokio::test]
async fn a_forced_trip_whose_page_cannot_be_sent_fails_and_status_shows_it() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    moto.create_function("thumbnailer").await;
    let missing_topic = "arn:aws:sns:us-east-1:123456789012:no-such-topic";

    let no_topic = Cli::new(None, &["trip", "orders-worker", "--reason", "runaway bill", "--force"]).run();
    assert_eq!(no_topic.code, 1, "{no_topic:?}");
    assert!(no_topic.stderr.contains("NOT paged"), "{}", no_topic.stderr);
    // The failed publish is logged (an ERROR line): uncoloured, since stderr is a pipe here.
    assert!(no_topic.stderr.contains("alert not published"), "{}", no_topic.stderr);
    assert!(!no_topic.stderr.contains('\u{1b}'), "no colour into a pipe: {:?}", no_topic.stderr);
    let wrong_topic =
        Cli::new(Some(missing_topic), &["trip", "thumbnailer", "--reason", "x", "--json", "--force"]).run();
    assert_eq!(wrong_topic.code, 1, "{wrong_topic:?}");
    assert_eq!(wrong_topic.json()["decisions"][0]["alerted"], false);
    for function in ["orders-worker", "thumbnailer"] {
        assert_eq!(moto.reserved(function).await, Some(0), "contained all the same");
        assert_eq!(moto.tags(function).await[tags::ALERT_PENDING], "true", "{function}");
    }

    let status = Cli::new(None, &["status", "--json"]).run();
    assert_eq!(status.code, 0, "{status:?}");
    let rows = status.json();
    let pending: Vec<&Value> = rows.as_array().expect("array").iter().map(|r| &r["alert_pending"]).collect();
    assert_eq!(pending, [&Value::Bool(true), &Value::Bool(true)], "{rows}");
    let table = Cli::new(None, &["status"]).run();
    assert!(
        table.stdout.contains("NOT SENT") && table.stdout.contains("2 trip alert(s) NOT SENT"),
        "{}",
        table.stdout
    );
    assert!(
        table.stdout.contains(&format!("No runaway-guard is deployed in {HERE}: nothing re-sends"))
            && !table.stdout.contains("re-sends an unsent alert on the function's next event"),
        "no guard here, so no promise: {}",
        table.stdout
    );
    deploy_guard(&moto, GUARD, missing_topic, "").await;
    let guarded = Cli::new(None, &["status"]).run();
    assert!(
        guarded
            .stdout
            .contains(&format!("The guard {GUARD} re-sends an unsent alert on the function's next event")),
        "{}",
        guarded.stdout
    );

    let replay = handle(missing_topic, &report("orders-worker", 17, "r1")).run();
    assert_eq!(replay.code, 1, "a replay whose page fails fails too: {replay:?}");
}

#[tokio::test]
async fn setup_errors_are_one_line_with_the_fix() {
    let _moto = Moto::start().await;
    let no_region =
        Cli::new(None, &["status"]).env_remove("AWS_REGION").env_remove("AWS_DEFAULT_REGION").run();
    assert_eq!(no_region.code, 2, "{no_region:?}");
    assert_eq!(
        no_region.stderr.trim(),
        "error: no region: set AWS_REGION (or `region` in the profile AWS_PROFILE names)"
    );

    // `--region` (what every command in an alert carries) wins over the environment, and is checked.
    let elsewhere = Cli::new(None, &["status", "--json", "--region", "eu-west-1"]).run();
    assert_eq!(elsewhere.code, 0, "{elsewhere:?}");
    assert!(elsewhere.stderr.contains("eu-west-1"), "acts in the region asked for: {}", elsewhere.stderr);
    let given = Cli::new(None, &["status", "--region", "eu-west-1"])
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .run();
    assert_eq!(given.code, 0, "the flag is a region: {given:?}");
    let bad = Cli::new(None, &["status", "--region", "Mars 1"]).run();
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("--region \"Mars 1\" is not a region code"), "{}", bad.stderr);

    // Instance metadata on a closed loopback port: the SDK's failed IMDS probes must not reach the operator.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr");
    let probed = Cli::new(None, &["status"])
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_EC2_METADATA_DISABLED")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &format!("http://{closed}"))
        .run();
    assert_eq!(probed.code, 2, "{probed:?}");
    assert_eq!(probed.stderr.lines().count(), 1, "one line, no IMDS dump: {}", probed.stderr);
    assert!(probed.stderr.starts_with("error: no region"), "{}", probed.stderr);

    let no_credentials = Cli::new(None, &["trip", "orders", "--reason", "x"])
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .run();
    assert_eq!(no_credentials.code, 2, "{no_credentials:?}");
    assert_eq!(no_credentials.stderr.lines().count(), 1, "{}", no_credentials.stderr);
    assert!(no_credentials.stderr.starts_with("error: no AWS credentials"), "{}", no_credentials.stderr);
    assert!(no_credentials.stderr.contains("set AWS_PROFILE"), "{}", no_credentials.stderr);
    for noise in ["IMDS", "dispatch failure", "DispatchFailure"] {
        assert!(!no_credentials.stderr.contains(noise), "{}", no_credentials.stderr);
    }

    // A profile that does not exist is named, for the region and for the credentials.
    let dir = std::env::temp_dir().join(format!("rg-no-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (config, credentials) = (dir.join("config"), dir.join("credentials"));
    std::fs::write(&config, "[profile staging]\nregion = us-east-1\n").expect("config");
    std::fs::write(&credentials, "").expect("credentials");
    let with_profile = |cli: Cli| {
        cli.env("AWS_PROFILE", "prod")
            .env("AWS_CONFIG_FILE", config.to_str().expect("path"))
            .env("AWS_SHARED_CREDENTIALS_FILE", credentials.to_str().expect("path"))
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_SESSION_TOKEN")
    };
    let no_profile = with_profile(Cli::new(None, &["status"])).run();
    assert_eq!((no_profile.code, no_profile.stderr.lines().count()), (2, 1), "{no_profile:?}");
    assert!(
        no_profile.stderr.starts_with("error: no AWS credentials from AWS_PROFILE=prod"),
        "{no_profile:?}"
    );
    let no_region = with_profile(Cli::new(None, &["status", "--json"]))
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .run();
    assert_eq!((no_region.code, no_region.stderr.as_str()), (2, ""), "{no_region:?}");
    let message = no_region.json()["error"]["message"].as_str().map(str::to_owned);
    assert!(
        message.is_some_and(|m| m.starts_with("no region: AWS_PROFILE=prod gives none")),
        "{no_region:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_misspelt_function_is_bad_input_with_a_suggestion() {
    let moto = Moto::start().await;
    moto.create_function("orders-worker").await;
    let (topic, queue) = moto.topic_with_queue("guard").await;
    for args in [["trip", "orders-wroker", "--reason", "x"].as_slice(), &["reenable", "orders-wroker"]] {
        let run = Cli::new(Some(&topic), args).run();
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert_eq!(
            run.stderr.trim(),
            "error: function orders-wroker not found in 123456789012/us-east-1; did you mean orders-worker?"
        );
    }
    assert!(moto.delivered(&queue).await.is_empty());
}
