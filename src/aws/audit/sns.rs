//! SNS: the region's subscriptions (ListSubscriptions, 100 a page) that deliver to a function or a
//! queue. Filter policies are not read: a subscription "may" pass what a function publishes.

use aws_sdk_sns::Client;

use super::unread;
use crate::audit::model::{Filter, Trigger, Via, Wiring};
use crate::aws::error::port_error;

pub(super) async fn read(sdk: &aws_config::SdkConfig, wiring: &mut Wiring) {
    let client = Client::new(sdk);
    let mut items = client.list_subscriptions().into_paginator().items().send();
    loop {
        match items.next().await {
            None => return,
            Some(Err(e)) => return unread(wiring, &port_error("ListSubscriptions", "region", e)),
            Some(Ok(s)) => {
                let (Some(protocol), Some(topic), Some(endpoint)) =
                    (s.protocol(), s.topic_arn(), s.endpoint())
                else {
                    continue;
                };
                if matches!(protocol, "lambda" | "sqs") {
                    wiring.triggers.push(Trigger {
                        source: topic.to_owned(),
                        target: endpoint.to_owned(),
                        via: Via::Subscription,
                        filter: Filter::None,
                    });
                }
            }
        }
    }
}
