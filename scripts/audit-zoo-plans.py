#!/usr/bin/env python3
"""Writes the loop audit's zoo of Terraform plans (the `terraform show -json` shape) to DIR.

    python3 scripts/audit-zoo-plans.py tests/fixtures/audit

Each plan is what `terraform show -json` prints for a small configuration: planned values with the
ARNs unknown (absent), configuration references naming where they come from, the account in a
`data.aws_caller_identity` read during the plan. tests/audit_plan.rs audits each one.
"""
import json, sys
ACCOUNT = "111122223333"
R = "us-east-1"

class Plan:
    def __init__(self, caller=True):
        self.planned, self.config, self.data = [], [], []
        if caller:
            self.data.append({"address": "data.aws_caller_identity.current", "mode": "data", "type": "aws_caller_identity",
                              "name": "current", "values": {"account_id": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/ci"}})
    def res(self, typ, name, values, refs=None, mode="managed"):
        addr = (f"data.{typ}.{name}" if mode == "data" else f"{typ}.{name}")
        self.planned.append({"address": addr, "mode": mode, "type": typ, "name": name, "values": values})
        exprs = {}
        for k, v in (refs or {}).items():
            exprs[k] = v
        self.config.append({"address": addr, "mode": mode, "type": typ, "name": name, "expressions": exprs})
        return addr
    def dump(self, path):
        plan = {
            "format_version": "1.2", "terraform_version": "1.11.0",
            "planned_values": {"root_module": {"resources": self.planned}},
            "prior_state": {"format_version": "1.0", "values": {"root_module": {"resources": self.data}}},
            "configuration": {"provider_config": {"aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws",
                              "expressions": {"region": {"constant_value": R}}}},
                              "root_module": {"resources": self.config}},
        }
        with open(path, "w") as f:
            json.dump(plan, f, indent=1)
            f.write("\n")

def ref(addr, attr="arn"):
    return {"references": [f"{addr}.{attr}", addr]}

def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})

def allow(actions, resources, sid=None, **extra):
    s = {"Effect": "Allow", "Action": actions, "Resource": resources}
    if sid: s = {"Sid": sid, **s}
    s.update(extra)
    return s

def function(p, name, memory=128, reserved=-1, arch="x86_64"):
    role = p.res("aws_iam_role", name, {"name": name, "assume_role_policy": "{}", "inline_policy": []})
    fn = p.res("aws_lambda_function", name, {"function_name": name, "memory_size": memory,
               "reserved_concurrent_executions": reserved, "architectures": [arch]},
               {"role": ref(role)})
    return fn, role

def role_policy(p, role, name, text=None, doc=None):
    if text is not None:
        p.res("aws_iam_role_policy", name, {"name": name, "policy": text}, {"role": ref(role, "name")})
    else:
        p.res("aws_iam_role_policy", name, {"name": name}, {"role": ref(role, "name"), "policy": ref(doc, "json")})

def rule(p, name, pattern, fn, bus=None):
    vals = {"name": name, "event_pattern": json.dumps(pattern), "state": "ENABLED"}
    refs = {}
    if bus: refs["event_bus_name"] = ref(bus, "name"); vals_bus = None
    else: vals["event_bus_name"] = "default"
    r = p.res("aws_cloudwatch_event_rule", name, vals, refs)
    p.res("aws_cloudwatch_event_target", name, {"target_id": name}, {"rule": ref(r, "name"), "arn": ref(fn)})
    return r

def gen(dirname):
    # 1. The $4,000 incident: a function re-invoking itself through EventBridge.
    p = Plan()
    fn, role = function(p, "enricher", memory=1024)
    rule(p, "orders", {"source": ["app.orders"], "detail-type": ["OrderPlaced"]}, fn)
    role_policy(p, role, "put-events", policy(allow("events:PutEvents", f"arn:aws:events:{R}:{ACCOUNT}:event-bus/default", "PutOrderEvents")))
    p.dump(f"{dirname}/eventbridge-self-loop.json")

    # 2. Bus ping-pong between two functions on a custom bus (policy from an aws_iam_policy_document).
    p = Plan()
    bus = p.res("aws_cloudwatch_event_bus", "game", {"name": "game"})
    ping, ping_role = function(p, "ping")
    pong, pong_role = function(p, "pong")
    rule(p, "to-ping", {"source": ["app.pong"]}, ping, bus)
    rule(p, "to-pong", {"source": ["app.ping"]}, pong, bus)
    doc = p.res("aws_iam_policy_document", "put_game", {}, {"statement": [{"sid": {"constant_value": "PutGame"}, "actions": {"constant_value": ["events:PutEvents"]}, "resources": ref(bus)}]}, mode="data")
    pol = p.res("aws_iam_policy", "put_game", {"name": "put-game"}, {"policy": ref(doc, "json")})
    for r in (ping_role, pong_role):
        p.res("aws_iam_role_policy_attachment", r.split(".")[1], {}, {"role": ref(r, "name"), "policy_arn": ref(pol)})
    p.dump(f"{dirname}/bus-ping-pong.json")

    # 3/4. S3 thumbnailer: writes into the prefix that triggers it, or into a disjoint one.
    for case, resource in (("own-prefix", "arn:aws:s3:::photos/*"), ("disjoint-prefix", "arn:aws:s3:::photos/thumbs/*")):
        p = Plan()
        bucket = p.res("aws_s3_bucket", "photos", {"bucket": "photos"})
        fn, role = function(p, "thumbnailer", memory=2048)
        p.res("aws_s3_bucket_notification", "photos", {"bucket": "photos", "eventbridge": False,
              "lambda_function": [{"events": ["s3:ObjectCreated:*"], "filter_prefix": "uploads/", "filter_suffix": ".jpg"}]},
              {"bucket": ref(bucket, "id"), "lambda_function": [{"lambda_function_arn": ref(fn)}]})
        role_policy(p, role, "thumbs", policy(allow(["s3:GetObject", "s3:PutObject"], resource, "WriteThumbnails")))
        p.dump(f"{dirname}/s3-thumbnailer-{case}.json")

    # 5. DynamoDB stream write-back.
    p = Plan()
    table = p.res("aws_dynamodb_table", "orders", {"name": "orders", "stream_enabled": True, "stream_view_type": "NEW_IMAGE"})
    fn, role = function(p, "stamper", memory=256)
    p.res("aws_lambda_event_source_mapping", "orders", {"enabled": True, "starting_position": "LATEST", "parallelization_factor": 2},
          {"event_source_arn": ref(table, "stream_arn"), "function_name": ref(fn)})
    role_policy(p, role, "stamp", policy(allow("dynamodb:UpdateItem", f"arn:aws:dynamodb:{R}:{ACCOUNT}:table/orders", "StampOrders")))
    p.dump(f"{dirname}/dynamodb-write-back.json")

    # 6. SQS re-enqueue, mapping capped at 50.
    p = Plan()
    queue = p.res("aws_sqs_queue", "jobs", {"name": "jobs"})
    fn, role = function(p, "worker", memory=512)
    p.res("aws_lambda_event_source_mapping", "jobs", {"enabled": True, "scaling_config": [{"maximum_concurrency": 50}]},
          {"event_source_arn": ref(queue), "function_name": ref(fn)})
    role_policy(p, role, "requeue", policy(allow(["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"], f"arn:aws:sqs:{R}:{ACCOUNT}:jobs", "Requeue")))
    p.dump(f"{dirname}/sqs-reenqueue.json")

    # 7. SNS ping-pong.
    p = Plan()
    a = p.res("aws_sns_topic", "a", {"name": "a"})
    b = p.res("aws_sns_topic", "b", {"name": "b"})
    alpha, alpha_role = function(p, "alpha")
    beta, beta_role = function(p, "beta")
    for topic, fn in ((a, alpha), (b, beta)):
        p.res("aws_sns_topic_subscription", fn.split(".")[1], {"protocol": "lambda"}, {"topic_arn": ref(topic), "endpoint": ref(fn)})
    role_policy(p, alpha_role, "publish-b", policy(allow("sns:Publish", f"arn:aws:sns:{R}:{ACCOUNT}:b", "PublishB")))
    role_policy(p, beta_role, "publish-a", policy(allow("sns:Publish", f"arn:aws:sns:{R}:{ACCOUNT}:a", "PublishA")))
    p.dump(f"{dirname}/sns-ping-pong.json")

    # 8. A rule pinned to aws.s3: PutEvents cannot send that source.
    p = Plan()
    fn, role = function(p, "indexer")
    rule(p, "object-created", {"source": ["aws.s3"], "detail-type": ["Object Created"]}, fn)
    role_policy(p, role, "put-events", policy(allow("events:PutEvents", "*", "PutAnyBus")))
    p.dump(f"{dirname}/rule-pinned-aws-s3.json")

    # 9. An explicit Deny stops the write that would close the loop.
    p = Plan()
    queue = p.res("aws_sqs_queue", "tasks", {"name": "tasks"})
    fn, role = function(p, "fanout")
    p.res("aws_lambda_event_source_mapping", "tasks", {"enabled": True}, {"event_source_arn": ref(queue), "function_name": ref(fn)})
    role_policy(p, role, "sqs", policy(allow("sqs:*", "*", "AllSqs"),
        {"Sid": "NeverBackIntoTasks", "Effect": "Deny", "Action": "sqs:SendMessage", "Resource": f"arn:aws:sqs:{R}:{ACCOUNT}:tasks"}))
    p.dump(f"{dirname}/explicit-deny.json")

    # 10. A wildcard policy: s3:* on *.
    p = Plan()
    bucket = p.res("aws_s3_bucket", "inbox", {"bucket": "inbox"})
    fn, role = function(p, "sorter", memory=1024)
    p.res("aws_s3_bucket_notification", "inbox", {"bucket": "inbox", "eventbridge": False,
          "lambda_function": [{"events": ["s3:ObjectCreated:*"], "filter_prefix": "", "filter_suffix": ""}]},
          {"bucket": ref(bucket, "id"), "lambda_function": [{"lambda_function_arn": ref(fn)}]})
    role_policy(p, role, "s3-everything", policy(allow("s3:*", "*", "S3Everything")))
    p.dump(f"{dirname}/wildcard-s3.json")

    # 11. Writes to another account's bus: leaves the account, not a loop here.
    p = Plan()
    fn, role = function(p, "forwarder")
    rule(p, "orders", {"source": ["app.orders"]}, fn)
    role_policy(p, role, "central", policy(allow("events:PutEvents", "arn:aws:events:us-east-1:999999999999:event-bus/central", "ToCentral")))
    p.dump(f"{dirname}/cross-account-bus.json")

gen(sys.argv[1])
