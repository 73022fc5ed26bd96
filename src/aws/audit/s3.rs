//! S3: the region's buckets (ListBuckets with BucketRegion) and each one's notification
//! configuration (GetBucketNotificationConfiguration): to functions, queues and topics with their
//! key filters, and to EventBridge.

use aws_sdk_s3::Client;
use aws_sdk_s3::operation::get_bucket_notification_configuration::GetBucketNotificationConfigurationOutput as Config;
use aws_sdk_s3::types::{FilterRuleName, NotificationConfigurationFilter};
use futures::StreamExt as _;

use super::{PARALLEL, unread};
use crate::audit::model::{Filter, Trigger, Via, Wiring};
use crate::aws::error::port_error;

pub(super) async fn read(sdk: &aws_config::SdkConfig, region: &str, wiring: &mut Wiring) {
    // A custom endpoint (a local S3) cannot route virtual-hosted bucket names.
    let config =
        aws_sdk_s3::config::Builder::from(sdk).force_path_style(sdk.endpoint_url().is_some()).build();
    let client = Client::from_conf(config);
    let mut buckets = Vec::new();
    let mut pages = client.list_buckets().bucket_region(region).into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(page) => buckets.extend(page.buckets().iter().filter_map(|b| b.name().map(str::to_owned))),
            Err(e) => return unread(wiring, &port_error("ListBuckets", region, e)),
        }
    }
    let configs: Vec<_> = futures::stream::iter(buckets)
        .map(|bucket| {
            let client = client.clone();
            async move {
                let got = client.get_bucket_notification_configuration().bucket(&bucket).send().await;
                (
                    bucket.clone(),
                    got.map_err(|e| port_error("GetBucketNotificationConfiguration", &bucket, e)),
                )
            }
        })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    for (bucket, config) in configs {
        match config {
            Ok(config) => triggers(&bucket, &config, wiring),
            Err(err) => unread(wiring, &err),
        }
    }
}

fn triggers(bucket: &str, config: &Config, wiring: &mut Wiring) {
    let source = format!("arn:aws:s3:::{bucket}");
    let mut add = |target: &str, events: Vec<String>, filter: Option<&NotificationConfigurationFilter>| {
        wiring.triggers.push(Trigger {
            source: source.clone(),
            target: target.to_owned(),
            via: Via::BucketNotification { events },
            filter: key_filter(filter),
        });
    };
    let names = |events: &[aws_sdk_s3::types::Event]| events.iter().map(|e| e.as_str().to_owned()).collect();
    for c in config.lambda_function_configurations() {
        add(c.lambda_function_arn(), names(c.events()), c.filter());
    }
    for c in config.queue_configurations() {
        add(c.queue_arn(), names(c.events()), c.filter());
    }
    for c in config.topic_configurations() {
        add(c.topic_arn(), names(c.events()), c.filter());
    }
    if config.event_bridge_configuration().is_some() {
        let bus = format!(
            "arn:aws:events:{}:{}:event-bus/default",
            wiring.region,
            wiring.account.as_deref().unwrap_or("*")
        );
        wiring.triggers.push(Trigger {
            source,
            target: bus,
            via: Via::BucketToEventBridge,
            filter: Filter::None,
        });
    }
}

fn key_filter(filter: Option<&NotificationConfigurationFilter>) -> Filter {
    let rules = filter.and_then(|f| f.key()).map(|k| k.filter_rules()).unwrap_or_default();
    let value = |name: FilterRuleName| {
        rules.iter().find(|r| r.name() == Some(&name)).and_then(|r| r.value()).unwrap_or("").to_owned()
    };
    Filter::Key { prefix: value(FilterRuleName::Prefix), suffix: value(FilterRuleName::Suffix) }
}
