//! The AWS managed policies execution roles commonly attach, for plans (a plan holds only the
//! policy's ARN). Their write permissions as published (2026-12); the live audit reads the current
//! documents instead. A managed policy not listed here is reported as unread.

const LOGS: &str = r#"{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}"#;

/// The document of the AWS managed policy `arn`, when it is one of the listed.
pub fn document(arn: &str) -> Option<String> {
    let name = arn.strip_prefix("arn:aws:iam::aws:policy/")?;
    let statements = match name {
        "service-role/AWSLambdaBasicExecutionRole" => LOGS.to_owned(),
        "service-role/AWSLambdaSQSQueueExecutionRole" => format!(
            r#"{{"Effect":"Allow","Action":["sqs:ReceiveMessage","sqs:DeleteMessage","sqs:GetQueueAttributes"],"Resource":"*"}},{LOGS}"#
        ),
        "service-role/AWSLambdaDynamoDBExecutionRole" => format!(
            r#"{{"Effect":"Allow","Action":["dynamodb:DescribeStream","dynamodb:GetRecords","dynamodb:GetShardIterator","dynamodb:ListStreams"],"Resource":"*"}},{LOGS}"#
        ),
        "service-role/AWSLambdaKinesisExecutionRole" => format!(
            r#"{{"Effect":"Allow","Action":["kinesis:DescribeStream","kinesis:DescribeStreamSummary","kinesis:GetRecords","kinesis:GetShardIterator","kinesis:ListShards","kinesis:ListStreams","kinesis:SubscribeToShard"],"Resource":"*"}},{LOGS}"#
        ),
        "AdministratorAccess" => r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#.to_owned(),
        "PowerUserAccess" => {
            r#"{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"}"#
                .to_owned()
        }
        "AmazonS3FullAccess" => full("s3"),
        "AmazonSQSFullAccess" => full("sqs"),
        "AmazonSNSFullAccess" => full("sns"),
        "AmazonDynamoDBFullAccess" => full("dynamodb"),
        "AmazonEventBridgeFullAccess" => full("events"),
        "AmazonKinesisFullAccess" => full("kinesis"),
        "AWSLambda_FullAccess" => full("lambda"),
        _ => return None,
    };
    Some(format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#))
}

fn full(service: &str) -> String {
    format!(r#"{{"Effect":"Allow","Action":"{service}:*","Resource":"*"}}"#)
}
