//! The exit codes docs/operate.md documents are the binary's: every row of its case table is run, in
//! order, through the real binary against one moto account, and its exit code compared. The docs'
//! command tables name every subcommand and flag `--help` lists. Run through `scripts/test.sh`.
#![cfg(feature = "guard")]

use crate::common::guard::{Cli, binary};
use crate::common::{Moto, ROLE_ARN};
use aws_sdk_lambda::config::Region;
use aws_sdk_lambda::types::{Environment, FunctionCode, Runtime};
use aws_smithy_types::Blob;

const OPERATE: &str = include_str!("../docs/operate.md");
const GUIDE: &str = include_str!("../docs/guide.md");

/// One documented case: the environment it sets, the arguments, and the exit code the docs promise.
#[derive(Debug)]
struct Case {
    what: String,
    env: Vec<(String, String)>,
    args: Vec<String>,
    exit: i32,
}

/// The rows of the `| case | command | exit |` table.
fn documented_cases() -> Vec<Case> {
    let mut lines = OPERATE.lines().skip_while(|l| !l.starts_with("| case | command | exit |")).skip(2);
    let mut cases = Vec::new();
    for line in lines.by_ref().take_while(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        let [what, command, exit] = cells.as_slice() else { panic!("a row of three cells: {line}") };
        let command = command.trim_matches('`');
        let words = shell_words(command);
        let at = words.iter().position(|w| w == "runaway-guard").unwrap_or_else(|| panic!("{line}"));
        let env = words[..at]
            .iter()
            .map(|w| w.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())).expect("VAR=value"))
            .collect();
        let exit = exit.parse().unwrap_or_else(|_| panic!("exit code in {line}"));
        cases.push(Case { what: (*what).to_owned(), env, args: words[at + 1..].to_vec(), exit });
    }
    cases
}

/// Splits a documented command line as a shell would for these (double quotes only).
fn shell_words(line: &str) -> Vec<String> {
    let (mut words, mut word, mut quoted, mut started) = (Vec::new(), String::new(), false, false);
    for c in line.chars() {
        match c {
            '"' => (quoted, started) = (!quoted, true),
            c if c.is_whitespace() && !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                }
                started = false;
            }
            c => (word, started) = (word + &c.to_string(), true),
        }
    }
    if started {
        words.push(word);
    }
    words
}

/// The account the table describes.
async fn documented_account(moto: &Moto) {
    let (topic, _queue) = moto.topic_with_queue("runaway-guard-alerts").await;
    moto.deploy_guard("runaway-guard", &topic, &[("RUNAWAY_GUARD_EXEMPT", "billing")]).await;
    for name in ["orders-worker", "billing", "broken-guard"] {
        moto.create_function(name).await;
    }
    let missing = "arn:aws:sns:us-east-1:123456789012:no-such-topic";
    let env = Environment::builder().variables("RUNAWAY_GUARD_TOPIC_ARN", missing).build();
    let lambda = moto.lambda();
    let update = lambda.update_function_configuration().function_name("broken-guard").environment(env);
    update.send().await.expect("broken-guard's environment");
    let elsewhere =
        aws_sdk_lambda::config::Builder::from(&moto.config).region(Region::new("eu-west-1")).build();
    aws_sdk_lambda::Client::from_conf(elsewhere)
        .create_function()
        .function_name("orders-worker")
        .runtime(Runtime::Providedal2023)
        .role(ROLE_ARN)
        .handler("bootstrap")
        .code(FunctionCode::builder().zip_file(Blob::new(EMPTY_ZIP.to_vec())).build())
        .send()
        .await
        .expect("orders-worker in eu-west-1");
}

const EMPTY_ZIP: [u8; 22] = [0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

#[tokio::test]
async fn every_documented_exit_code_is_the_binarys() {
    let moto = Moto::start().await;
    documented_account(&moto).await;
    let cases = documented_cases();
    assert!(cases.len() >= 20, "the table was found: {cases:?}");
    for code in 0..=3 {
        assert!(cases.iter().any(|c| c.exit == code), "exit {code} has a documented case");
    }
    let mut wrong = Vec::new();
    for case in &cases {
        let args: Vec<&str> = case.args.iter().map(String::as_str).collect();
        let run = case.env.iter().fold(Cli::new(None, &args), |cli, (k, v)| cli.env(k, v)).run();
        if run.code != case.exit {
            wrong.push(format!(
                "{} ({:?}): documented {}, got {}: {run:?}",
                case.what, args, case.exit, run.code
            ));
        }
        if args.contains(&"--json") && run.code != 0 {
            let error = &run.json()["error"];
            assert_eq!(error["exit_code"], run.code, "{}: {run:?}", case.what);
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(moto.reserved("orders-worker").await, Some(0), "the last trip held");
}

/// Every subcommand `--help` lists, and each of its long flags, appears in the docs' command tables.
#[test]
fn the_docs_name_every_subcommand_and_flag_help_lists() {
    let help = |args: &[&str]| {
        let out = std::process::Command::new(binary()).args(args).output().expect("run --help");
        assert!(out.status.success(), "{args:?}");
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let top = help(&["--help"]);
    let commands: Vec<&str> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.contains(&"trip") && commands.contains(&"reenable"), "{top}");
    for command in commands {
        let usage = format!("runaway-guard {command}");
        assert!(GUIDE.contains(&usage), "docs/guide.md names `{usage}`");
        let flags: Vec<String> = help(&[command, "--help"])
            .split_whitespace()
            .filter(|w| w.starts_with("--") && *w != "--help" && *w != "--version")
            .map(|w| w.trim_end_matches(',').split(['=', '[', '<']).next().unwrap_or(w).to_owned())
            .collect();
        let documented = GUIDE.lines().chain(OPERATE.lines()).filter(|l| l.contains(&usage));
        let documented: String = documented.collect::<Vec<_>>().join("\n");
        for flag in flags.iter().filter(|f| !matches!(f.as_str(), "--guard" | "--region")) {
            assert!(documented.contains(flag.as_str()), "`{usage}` in the docs lists {flag}");
        }
    }
}

#[test]
fn documented_commands_split_as_a_shell_would() {
    assert_eq!(
        shell_words(r#"A=b runaway-guard trip x --reason "a, b" --reason " ""#),
        ["A=b", "runaway-guard", "trip", "x", "--reason", "a, b", "--reason", " "]
    );
}
