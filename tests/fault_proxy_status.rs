//! `runaway-guard status` when one listed function cannot be read: the real binary talks to moto
//! through the fault-injecting proxy, which answers one function's `ListTags` with a 404 (deleted
//! after the listing) or a 403. Every other function is still listed; the unreadable one is named.
#![cfg(feature = "guard")]

use crate::common::Moto;
use crate::common::fault_proxy::{ALWAYS, Fault, FaultProxy};
use crate::common::guard::{Cli, Run};
use serde_json::Value;

/// moto with two functions at 0 (no record) and one running, and a proxy in front.
async fn account() -> (Moto, FaultProxy) {
    let moto = Moto::start().await;
    for (name, reserved) in [("gone-fn", 0), ("kept-fn", 0), ("idle-fn", 5)] {
        moto.create_function(name).await;
        moto.reserve(name, reserved).await;
    }
    let proxy = FaultProxy::start(&moto.endpoint);
    (moto, proxy)
}

fn status(proxy: &FaultProxy, json: bool) -> Run {
    let args: &[&str] = if json { &["status", "--json"] } else { &["status"] };
    Cli::new(None, args).env("AWS_ENDPOINT_URL", &proxy.url).run()
}

fn rows(run: &Run) -> Vec<(String, Option<String>)> {
    let listed: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {run:?}"));
    let listed = listed.as_array().unwrap_or_else(|| panic!("an array: {run:?}"));
    listed
        .iter()
        .map(|r| {
            (
                r["function"].as_str().unwrap_or_default().to_owned(),
                r["unreadable"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_vanished_function_is_named_and_never_hides_the_others() {
    let (_moto, proxy) = account().await;
    proxy.fail_for("ListTags", "gone-fn", ALWAYS, Fault::NotFound404);

    let run = status(&proxy, true);
    assert_eq!(run.code, 0, "a deleted function hides no trip: {run:?}");
    let listed = rows(&run);
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert_eq!(listed[1], ("kept-fn".to_owned(), None), "{listed:?}");
    assert_eq!(listed[0].0, "gone-fn");
    assert!(listed[0].1.as_deref().is_some_and(|e| e.contains("ResourceNotFound")), "{listed:?}");

    let table = status(&proxy, false);
    assert_eq!(table.code, 0, "{table:?}");
    assert!(table.stdout.contains("kept-fn") && table.stdout.contains("NOT READ: gone-fn"), "{table:?}");
    assert!(table.stdout.contains("\n0 tripped."), "the unread one is not counted as tripped: {table:?}");
    assert!(table.stdout.contains("kept-fn: restore with"), "at 0 without a record, apart: {table:?}");
}

#[tokio::test]
async fn a_denied_read_of_one_function_lists_the_others_and_fails_the_command() {
    let (_moto, proxy) = account().await;
    proxy.fail_for("ListTags", "gone-fn", ALWAYS, Fault::Deny403);

    let run = status(&proxy, true);
    assert_eq!(run.code, 1, "a function that could not be read may be tripped: {run:?}");
    let listed = rows(&run);
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert_eq!(listed[1], ("kept-fn".to_owned(), None));
    assert!(listed[0].1.as_deref().is_some_and(|e| e.contains("AccessDenied")), "{listed:?}");
}
