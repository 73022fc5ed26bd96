//! The simulator's default alarms are exactly the trigger alarms the Terraform module in `infra/`
//! creates with its default inputs: same names, metrics, grouping, comparisons, thresholds, periods
//! and M of N. A trigger is an alarm whose action is the guard's function, or a Metrics Insights
//! alarm on `AWS/Lambda` (its contributor events reach the guard through EventBridge). Changing a
//! module default without the simulator (or the reverse) fails here.
#![cfg(feature = "guard")]

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use hcl::eval::{Context, Evaluate, FuncArgs, FuncDef, ParamType};
use hcl::{Block, Body, Expression, Value};
use runaway_guard::simulate::scenario::{AlarmSpec, Comparison, LambdaMetric, default_alarms};

/// The module's root files, parsed.
fn module() -> Vec<Body> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("infra");
    let mut paths: Vec<_> = fs::read_dir(&dir)
        .expect("infra/ is readable")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| hcl::parse(&fs::read_to_string(p).expect("readable")).expect("parses as HCL"))
        .collect()
}

fn blocks<'a>(bodies: &'a [Body], ident: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
    bodies.iter().flat_map(move |b| b.blocks().filter(move |blk| blk.identifier() == ident))
}

fn attr<'a>(block: &'a Block, key: &str) -> Option<&'a Expression> {
    block.body().attributes().find(|a| a.key() == key).map(|a| a.expr())
}

fn floor(args: FuncArgs) -> Result<Value, String> {
    let n = args[0].as_f64().ok_or("floor of a non-number")?;
    Ok(Value::from(n.floor() as i64))
}

/// `var.*` = every variable's default, `local.*` = every local that evaluates with them.
fn context(bodies: &[Body]) -> Context<'static> {
    let mut ctx = Context::new();
    ctx.declare_func("floor", FuncDef::builder().param(ParamType::Number).build(floor));
    let vars: hcl::Map<String, Value> = blocks(bodies, "variable")
        .map(|v| {
            let default =
                attr(v, "default").map_or(Value::Null, |e| e.evaluate(&Context::new()).expect("literal"));
            (v.labels()[0].as_str().to_owned(), default)
        })
        .collect();
    ctx.declare_var("var", Value::Object(vars));
    let mut locals = hcl::Map::new();
    for local in blocks(bodies, "locals").flat_map(|b| b.body().attributes()) {
        // Locals built with functions this test does not declare (join, concat) are read as text.
        if let Ok(v) = local.expr().evaluate(&ctx) {
            locals.insert(local.key().to_owned(), v);
        }
    }
    ctx.declare_var("local", Value::Object(locals));
    ctx
}

/// The raw text of `local.NAME` (for query expressions).
fn local_text(bodies: &[Body], name: &str) -> Option<String> {
    let local = blocks(bodies, "locals").flat_map(|b| b.body().attributes()).find(|a| a.key() == name)?;
    Some(hcl::format::to_string(local.expr()).expect("formats"))
}

/// How many instances of `alarm` the defaults create.
fn instances(alarm: &Block, ctx: &Context) -> usize {
    if let Some(count) = attr(alarm, "count") {
        return count.evaluate(ctx).expect("count evaluates").as_u64().expect("count is a number") as usize;
    }
    match attr(alarm, "for_each").map(|e| e.evaluate(ctx).expect("for_each evaluates")) {
        Some(Value::Object(map)) => map.len(),
        Some(Value::Array(list)) => list.len(),
        Some(other) => panic!("for_each is {other}"),
        None => 1,
    }
}

/// The metric a Metrics Insights query sums, when it groups Lambda metrics by function.
fn insights_metric(query: &str) -> Option<LambdaMetric> {
    let grouped = query.contains(r#"SCHEMA(\"AWS/Lambda\", FunctionName)"#)
        || query.contains(r#"SCHEMA("AWS/Lambda", FunctionName)"#);
    if !grouped || !query.contains("GROUP BY FunctionName") {
        return None;
    }
    [
        LambdaMetric::Invocations,
        LambdaMetric::RecursiveInvocationsDropped,
        LambdaMetric::Throttles,
        LambdaMetric::Duration,
    ]
    .into_iter()
    .find(|m| query.contains(&format!("SUM({})", m.as_str())))
}

fn lambda_metric(name: &str) -> LambdaMetric {
    serde_json::from_value(serde_json::json!(name)).unwrap_or_else(|_| panic!("unmodelled metric {name}"))
}

/// The module's default trigger alarms, as the simulator's `AlarmSpec`.
fn module_triggers() -> BTreeMap<String, AlarmSpec> {
    let bodies = module();
    let ctx = context(&bodies);
    let eval = |e: &Expression| e.evaluate(&ctx).unwrap_or_else(|err| panic!("{err}"));
    let mut triggers = BTreeMap::new();
    for alarm in
        blocks(&bodies, "resource").filter(|b| b.labels()[0].as_str() == "aws_cloudwatch_metric_alarm")
    {
        let query = alarm
            .body()
            .blocks()
            .filter(|b| b.identifier() == "metric_query")
            .filter_map(|q| attr(q, "expression"))
            .map(|e| match e {
                Expression::Traversal(_) => {
                    let name = hcl::format::to_string(e).expect("formats");
                    local_text(&bodies, name.trim_start_matches("local.")).unwrap_or(name)
                }
                other => hcl::format::to_string(other).expect("formats"),
            })
            .next();
        let per_function = query.as_deref().and_then(insights_metric);
        let actions = attr(alarm, "alarm_actions").map(|e| hcl::format::to_string(e).expect("formats"));
        let acts_on_guard = actions.is_some_and(|a| a.contains("aws_lambda_function.this"));
        // Alarms paging people (guard health, dead letters) are not triggers; skip them first.
        if !(acts_on_guard || per_function.is_some()) || instances(alarm, &ctx) == 0 {
            continue;
        }
        let number = |key: &str| attr(alarm, key).map(|e| eval(e).as_f64().expect("a number"));
        let string = |key: &str| attr(alarm, key).map(|e| eval(e).as_str().expect("a string").to_owned());
        let name = string("alarm_name").expect("named");
        let metric = per_function.unwrap_or_else(|| lambda_metric(&string("metric_name").expect("metric")));
        let period = number("period").or_else(|| {
            let q = alarm.body().blocks().find(|b| b.identifier() == "metric_query")?;
            attr(q, "period").map(|e| eval(e).as_f64().expect("a number"))
        });
        assert_eq!(period, Some(60.0), "{name}: the simulator's alarms have a 60 s period");
        if per_function.is_none() {
            assert_eq!(string("namespace").as_deref(), Some("AWS/Lambda"), "{name}");
            assert!(attr(alarm, "dimensions").is_none(), "{name}: a per-function classic alarm by default");
        }
        let comparison = match string("comparison_operator").as_deref() {
            Some("GreaterThanThreshold") => Comparison::GreaterThanThreshold,
            Some("GreaterThanOrEqualToThreshold") => Comparison::GreaterThanOrEqualToThreshold,
            other => panic!("{name}: comparison {other:?} is not modelled"),
        };
        assert_eq!(string("treat_missing_data").as_deref(), Some("notBreaching"), "{name}");
        let evaluation_periods = number("evaluation_periods").expect("evaluation_periods") as u32;
        let spec = AlarmSpec {
            name: name.clone(),
            metric,
            function: None,
            per_function: per_function.is_some(),
            comparison,
            threshold: number("threshold").expect("threshold"),
            evaluation_periods,
            datapoints_to_alarm: Some(number("datapoints_to_alarm").map_or(evaluation_periods, |d| d as u32)),
        };
        triggers.insert(name, spec);
    }
    triggers
}

#[test]
fn the_simulators_default_alarms_are_the_modules() {
    let module = module_triggers();
    let simulator: BTreeMap<String, AlarmSpec> =
        default_alarms().into_iter().map(|a| (a.name.clone(), a)).collect();
    assert_eq!(
        simulator.keys().collect::<Vec<_>>(),
        module.keys().collect::<Vec<_>>(),
        "the simulator's default alarms and the module's default trigger alarms differ"
    );
    for (name, spec) in &module {
        let mine = &simulator[name];
        let normalised = AlarmSpec { datapoints_to_alarm: Some(mine.datapoints()), ..mine.clone() };
        assert_eq!(&normalised, spec, "{name} differs from infra/");
    }
}

#[test]
fn the_query_reader_sees_the_metric_and_the_grouping() {
    let q = r#"SELECT SUM(RecursiveInvocationsDropped) FROM SCHEMA("AWS/Lambda", FunctionName) GROUP BY FunctionName"#;
    assert_eq!(insights_metric(q), Some(LambdaMetric::RecursiveInvocationsDropped));
    assert_eq!(insights_metric(&q.replace("GROUP BY FunctionName", "")), None, "not grouped: one series");
    assert_eq!(insights_metric(&q.replace("AWS/Lambda", "AWS/SQS")), None);
}
