//! Finding what a plan's attribute points at: its planned value when known, else the resource its
//! configuration references; and the ARN of each planned resource, built from its name when the
//! plan does not know it yet.

use std::collections::HashMap;

use serde_json::Value;

use super::{Planned, strip_indexes};

/// A value of the plan: a literal, or the resource a reference names.
#[derive(Debug, Clone)]
pub enum Target<'a> {
    /// A known string (an ARN or a name).
    Literal(String),
    /// The resource the configuration references.
    Resource(&'a Planned<'a>),
}

/// The plan's resources with the account and region they are planned in.
pub struct Resolver<'a> {
    /// Every resource and data source.
    pub resources: Vec<Planned<'a>>,
    /// The provider's region, or `*`.
    pub region: String,
    /// The account, when the plan shows it.
    pub account: Option<String>,
    /// Each resource's address without count/for_each keys → its position (the first, for
    /// instances of one resource).
    by_address: HashMap<String, usize>,
}

impl<'a> Resolver<'a> {
    /// Indexes `resources`; the account comes from `data.aws_caller_identity` when the plan has one.
    pub fn new(resources: Vec<Planned<'a>>, region: String) -> Self {
        let account = resources
            .iter()
            .filter(|r| r.kind == "aws_caller_identity")
            .find_map(|r| r.values.get("account_id").and_then(Value::as_str))
            .map(str::to_owned);
        let mut by_address = HashMap::new();
        for (i, r) in resources.iter().enumerate() {
            by_address.entry(strip_indexes(&r.address)).or_insert(i);
        }
        Self { resources, region, account, by_address }
    }

    /// Resources of one type.
    pub fn of_kind(&self, kind: &'a str) -> impl Iterator<Item = &Planned<'a>> + '_ {
        self.resources.iter().filter(move |r| r.kind == kind)
    }

    /// `values.key` (or `expressions.key`'s reference) of `block` in `owner`: for top-level
    /// attributes pass the resource's own values and expressions.
    pub fn target(
        &self,
        owner: &Planned<'a>,
        values: &Value,
        expressions: &Value,
        key: &str,
    ) -> Option<Target<'_>> {
        if let Some(text) = values.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()) {
            return Some(Target::Literal(text.to_owned()));
        }
        let refs = expressions.get(key)?.get("references")?.as_array()?;
        refs.iter()
            .filter_map(Value::as_str)
            .find_map(|r| self.referenced(&owner.module, r))
            .map(Target::Resource)
    }

    /// The resource `reference` (`aws_sqs_queue.q.arn`, `data.x.y.json`) names from `module`.
    pub fn referenced(&self, module: &str, reference: &str) -> Option<&Planned<'a>> {
        let mut candidate = strip_indexes(reference);
        loop {
            let address = format!("{module}{candidate}");
            if let Some(&found) = self.by_address.get(&address) {
                return self.resources.get(found);
            }
            candidate = candidate.rsplit_once('.')?.0.to_owned();
        }
    }

    /// A target as an ARN: a literal ARN as is, a literal name through `from_name`, a resource's ARN.
    pub fn arn(&self, target: &Target<'_>, from_name: impl Fn(&str) -> String) -> String {
        match target {
            Target::Literal(text) if text.starts_with("arn:") => text.clone(),
            Target::Literal(name) => from_name(name),
            Target::Resource(resource) => self.arn_of(resource),
        }
    }

    /// The ARN of a planned resource: its own when known, else built from its name (or, when even
    /// that is unknown, from its address, so two such resources stay two nodes).
    pub fn arn_of(&self, r: &Planned<'_>) -> String {
        if let Some(arn) = r.values.get("arn").and_then(Value::as_str).filter(|a| a.starts_with("arn:")) {
            return arn.to_owned();
        }
        let name = |key: &str| {
            r.values.get(key).and_then(Value::as_str).map_or_else(|| r.address.clone(), str::to_owned)
        };
        match r.kind {
            "aws_lambda_function" => self.build("lambda", &format!("function:{}", name("function_name"))),
            "aws_cloudwatch_event_bus" => self.build("events", &format!("event-bus/{}", name("name"))),
            "aws_sqs_queue" => self.build("sqs", &name("name")),
            "aws_sns_topic" => self.build("sns", &name("name")),
            "aws_dynamodb_table" => self.build("dynamodb", &format!("table/{}", name("name"))),
            "aws_kinesis_stream" => self.build("kinesis", &format!("stream/{}", name("name"))),
            "aws_s3_bucket" => format!("arn:aws:s3:::{}", name("bucket")),
            "aws_iam_role" => format!("arn:aws:iam::{}:role/{}", self.account_or_any(), name("name")),
            "aws_iam_policy" => format!("arn:aws:iam::{}:policy/{}", self.account_or_any(), name("name")),
            _ => r.address.clone(),
        }
    }

    /// `arn:aws:<service>:<region>:<account>:<resource>`, `*` where the plan does not say.
    pub fn build(&self, service: &str, resource: &str) -> String {
        format!("arn:aws:{service}:{}:{}:{resource}", self.region, self.account_or_any())
    }

    fn account_or_any(&self) -> &str {
        self.account.as_deref().unwrap_or("*")
    }
}
