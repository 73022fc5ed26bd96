//! [`DynamoTripBudget`]: the account-wide trip cap behind [`TripBudget`], one item per hour in the
//! table `RUNAWAY_GUARD_TRIP_CAP_TABLE` names (`hour` = `YYYY-MM-DDTHH`, `trips`, `expires_at` the
//! TTL). A trip is one UpdateItem `ADD trips 1` under the condition `trips < cap`: DynamoDB applies
//! conditional writes to an item one at a time, so environments racing for the last trip cannot
//! both get it.

pub mod streams;

use aws_config::SdkConfig;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;

use super::error::port_error;
use crate::ports::{BudgetFuture, PortError, Take, TripBudget, TripHour};

const OP: &str = "UpdateItem";

/// The DynamoDB client, from which each configured table's budget is made.
#[derive(Debug, Clone)]
pub struct TripCapTables {
    client: Client,
}

impl TripCapTables {
    /// Builds the client from the shared SDK configuration.
    pub fn new(config: &SdkConfig) -> Self {
        Self { client: Client::new(config) }
    }

    /// The budget kept in `table` (a name or ARN, checked by the configuration).
    pub fn budget(&self, table: &str) -> DynamoTripBudget {
        DynamoTripBudget { client: self.client.clone(), table: table.to_owned() }
    }
}

/// The DynamoDB adapter.
#[derive(Debug, Clone)]
pub struct DynamoTripBudget {
    client: Client,
    table: String,
}

fn number(n: u64) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

impl DynamoTripBudget {
    async fn take(&self, hour: TripHour, cap: u32) -> Result<Take, PortError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("hour", AttributeValue::S(hour.key()))
            .update_expression("ADD trips :one SET expires_at = :expires")
            .condition_expression("attribute_not_exists(trips) OR trips < :cap")
            .expression_attribute_values(":one", number(1))
            .expression_attribute_values(":cap", number(u64::from(cap)))
            .expression_attribute_values(":expires", number(hour.expires_at()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(Take::Taken),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => {
                Ok(Take::Exhausted)
            }
            Err(e) => Err(port_error(OP, &self.table, e)),
        }
    }

    async fn release(&self, hour: TripHour) -> Result<(), PortError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("hour", AttributeValue::S(hour.key()))
            .update_expression("ADD trips :minus_one")
            .condition_expression("trips > :zero")
            .expression_attribute_values(":minus_one", AttributeValue::N("-1".to_owned()))
            .expression_attribute_values(":zero", number(0))
            .send()
            .await;
        match result {
            // Nothing counted (the item expired, or was never written): nothing to give back.
            Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => {
                Ok(())
            }
            Err(e) => Err(port_error(OP, &self.table, e)),
            Ok(_) => Ok(()),
        }
    }
}

impl TripBudget for DynamoTripBudget {
    fn try_take(&self, hour: TripHour, cap: u32) -> BudgetFuture<'_, Take> {
        Box::pin(self.take(hour, cap))
    }

    fn give_back(&self, hour: TripHour) -> BudgetFuture<'_, ()> {
        Box::pin(self.release(hour))
    }
}
