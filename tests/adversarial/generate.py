#!/usr/bin/env python3
"""Writes the adversarial events (one JSON file each) and cases.json, the manifest the
`adversarial` integration test runs through `runaway-guard handle` against moto.
Re-run after editing: `python3 tests/adversarial/generate.py`."""
import json, os

HERE = os.path.dirname(os.path.abspath(__file__))
OWN, OTHER = "123456789012", "444455556666"

def chain(function="victim", depth=3, root="r-1", account=OWN, region="us-east-1", source="com.example.orders", **extra):
    e = {"version": "0", "id": "x", "detail-type": "OrderRowProcessed", "source": source, "account": account,
         "time": "2026-11-20T09:21:07Z", "region": region, "resources": [],
         "detail": {"runawayGuard": {"root": root, "depth": depth, "function": function}}}
    e.update(extra)
    return e

def alarm_eb(dims, account=OWN, region="us-east-1", source="aws.cloudwatch", arn_account=None, namespace="AWS/Lambda"):
    return {"version": "0", "id": "y", "detail-type": "CloudWatch Alarm State Change", "source": source,
            "account": account, "time": "2026-11-20T09:15:10Z", "region": region,
            "resources": [f"arn:aws:cloudwatch:{region}:{arn_account or account}:alarm:a1"],
            "detail": {"alarmName": "a1", "state": {"value": "ALARM", "reason": "x"},
                       "configuration": {"metrics": [{"id": "m1", "metricStat": {"metric": {
                           "namespace": namespace, "name": "Invocations", "dimensions": dims}}}]}}}

def raw_chain_depth(depth_text):
    return ('{"source":"com.example","detail-type":"x","account":"%s","region":"us-east-1",'
            '"detail":{"runawayGuard":{"root":"r","depth":%s,"function":"victim"}}}' % (OWN, depth_text))

def sqs_attr(header):
    return {"Records": [{"messageId": "m", "body": "{}", "eventSource": "aws:sqs",
                         "eventSourceARN": f"arn:aws:sqs:us-east-1:{OWN}:q", "awsRegion": "us-east-1",
                         "messageAttributes": {"runaway-guard-chain": {"stringValue": header, "dataType": "String"}}}]}

J = json.dumps
CASES = [
 # name, description, content (str), exit, substring (stdout+stderr)
 ("shell-metachar-function", "chain header names `victim;rm -rf /`", J(chain("victim;rm -rf /")), 2, "function name"),
 ("shell-subst-function", "function `$(curl evil)`", J(chain("$(curl evil)")), 2, "function name"),
 ("backtick-function", "function with backticks and pipes", J(chain("`id`|sh")), 2, "function name"),
 ("ssrf-url-function", "function `http://169.254.169.254/latest/meta-data`", J(chain("http://169.254.169.254/latest/meta-data")), 2, "function name"),
 ("ssrf-alarm-dimension", "alarm dimension FunctionName is an SSRF URL", J(alarm_eb({"FunctionName": "http://127.0.0.1:9/x"})), 2, "invalid function"),
 ("shell-alarm-dimension", "alarm dimension `victim && reboot`", J(alarm_eb({"FunctionName": "victim && reboot"})), 2, "invalid function"),
 ("path-traversal-function", "function `../../etc/passwd`", J(chain("../../etc/passwd")), 2, "function name"),
 ("newline-log-injection", "function with CR/LF to forge log lines", J(chain("victim\r\nlevel=INFO all clear")), 2, "function name"),
 ("unicode-lookalike-function", "Cyrillic `і` in `victim` (look-alike)", J(chain("vict\u0456m")), 2, "function name"),
 ("zero-width-function", "zero-width joiner inside the name", J(chain("vic\u200dtim")), 2, "function name"),
 ("foreign-account-chain", "chain event from another account", J(chain(account=OTHER, depth=99)), 2, "claims account 444455556666"),
 ("foreign-region-chain", "chain event claiming eu-west-1", J(chain(region="eu-west-1", depth=99)), 2, "claims region eu-west-1"),
 ("forged-alarm-source", "alarm state change with `source: com.evil`", J(alarm_eb({"FunctionName": "victim"}, source="com.evil")), 2, "unrecognised event shape"),
 ("foreign-account-alarm", "alarm from another account", J(alarm_eb({"FunctionName": "victim"}, account=OTHER)), 2, "claims account 444455556666"),
 ("inconsistent-alarm-arn", "alarm ARN of another account than the envelope", J(alarm_eb({"FunctionName": "victim"}, arn_account=OTHER)), 2, "alarm ARN names account"),
 ("foreign-region-alarm", "Lambda alarm claiming us-west-2", J(alarm_eb({"FunctionName": "victim"}, region="us-west-2")), 2, "claims region us-west-2"),
 ("foreign-function-arn-dimension", "dimension is a function ARN of another account", J(alarm_eb({"FunctionName": f"arn:aws:lambda:us-east-1:{OTHER}:function:victim"})), 2, "function ARN of another account"),
 ("china-partition-arn", "dimension ARN in aws-cn partition", J(alarm_eb({"FunctionName": f"arn:aws-xx:lambda:us-east-1:{OWN}:function:victim"})), 2, "unknown partition"),
 ("depth-zero", "depth 0", raw_chain_depth("0"), 2, "depth"),
 ("depth-negative", "depth -1", raw_chain_depth("-1"), 2, "depth"),
 ("depth-overflow", "depth 2^32", raw_chain_depth("4294967296"), 2, "depth"),
 ("depth-huge-exponent", "depth 1e999", raw_chain_depth("1e999"), 2, "number out of range"),
 ("depth-float", "depth 1.5", raw_chain_depth("1.5"), 2, "depth"),
 ("depth-string", "depth \"3\"", raw_chain_depth('"3"'), 2, "depth"),
 ("depth-attribute-overflow", "SQS attribute depth=99999999999999999999", J(sqs_attr("root=r;depth=99999999999999999999;function=victim")), 2, "depth"),
 ("duplicate-key-depth", "`depth` twice in the header object", '{"source":"x","detail-type":"y","account":"%s","region":"us-east-1","detail":{"runawayGuard":{"root":"r","depth":1,"depth":999,"function":"victim"}}}' % OWN, 2, "depth"),
 ("duplicate-key-source", "`source` twice (aws.cloudwatch last)", '{"source":"com.evil","source":"aws.cloudwatch","detail-type":"CloudWatch Alarm State Change","detail":{}}', 2, "repeats the key"),
 ("duplicate-attribute-field", "SQS header string repeats `function`", J(sqs_attr("root=r;depth=99;function=victim;function=other")), 2, "function"),
 ("huge-root", "chain root of 1 MB", J(chain(root="r" * 1_000_000)), 2, "root"),
 ("root-with-semicolons", "root containing `;depth=1`", J(sqs_attr("root=a;depth=1;depth=99;function=victim")), 2, "depth"),
 ("oversize-field-name", "function name of 100 kB", J(chain("a" * 100_000)), 2, "function name"),
 ("oversize-payload", "7 MB event", None, 2, "bytes; at most"),
 ("deep-nesting", "10,000 nested arrays", "[" * 10000 + "]" * 10000, 2, "levels deep"),
 ("deep-nesting-in-detail", "deep nesting inside detail", '{"detail":' + '{"a":' * 200 + '1' + '}' * 200 + '}', 2, "levels deep"),
 ("truncated", "event cut mid-string", J(chain())[:-20], 2, "truncated"),
 ("not-json", "binary garbage", "\u0000\u0001\u00ff<script>", 2, "not valid JSON"),
 ("empty-records", "`Records: []`", '{"Records": []}', 2, "empty Records"),
 ("s3-record", "record from aws:s3", '{"Records":[{"eventSource":"aws:s3"}]}', 2, "not one the guard reads"),
 ("null-everything", "every field null", '{"source":null,"detail-type":null,"detail":null}', 2, "unrecognised"),
 ("alarm-state-bogus", "alarm state `PWNED`", J(alarm_eb({"FunctionName": "victim"})).replace('"ALARM"', '"PWNED"'), 2, "not ALARM"),
 ("self-throttle", "depth 999 naming the guard itself", J(chain("runaway-guard", depth=999)), 0, "\"exempt\""),
 ("exempt-tagged", "depth 999 naming a function tagged exempt", J(chain("exempt-fn", depth=999)), 0, "\"exempt\""),
]

def main():
    manifest = []
    for name, desc, content, code, needle in CASES:
        entry = {"name": name, "description": desc, "exit": code, "contains": needle}
        if content is None:
            entry["generate"] = "oversize"
        else:
            with open(os.path.join(HERE, name + ".json"), "w", encoding="utf-8") as f:
                f.write(content)
            entry["file"] = name + ".json"
        manifest.append(entry)
    with open(os.path.join(HERE, "cases.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(len(manifest), "cases")

main()
