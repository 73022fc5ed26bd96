//! Checks Terraform files against the AWS provider's schema, standing in for `terraform validate`
//! (which needs the provider binary, not downloadable offline). The schema comes from the jsii manifest
//! of the PyPI wheel `cdktf-cdktf-provider-aws` (provider 6.25.0), compacted once by
//! `scripts/provider-schema.py` into a cached JSON file.
//!
//! Reported: unknown resource and data source types; unknown arguments and blocks at any depth; an
//! argument written as a block or a block as an argument; missing required arguments and blocks (nested
//! ones too); module inputs the called local module does not declare and required inputs left out.
//! Understood: `count`, `for_each`, `depends_on`, `provider`, `lifecycle` (with pre/postconditions),
//! `provisioner`/`connection`, `dynamic` blocks (their `content` is checked as the block), `check`
//! blocks with scoped data sources, and the `provider "aws"` configuration.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use hcl::{Block, Body};
use serde::Deserialize;

/// The compact schema written by `scripts/provider-schema.py`.
#[derive(Debug, Deserialize)]
pub struct Schema {
    pub wheel: String,
    pub provider: String,
    resources: BTreeMap<String, String>,
    data_sources: BTreeMap<String, String>,
    provider_config: String,
    types: HashMap<String, Shape>,
}

/// One resource, data source or nested block: argument name → required, block name → (required, type).
#[derive(Debug, Deserialize)]
struct Shape {
    attributes: BTreeMap<String, bool>,
    blocks: BTreeMap<String, (bool, String)>,
}

/// Meta-arguments Terraform accepts on every resource / data source, beside the provider's own.
const RESOURCE_META_ARGUMENTS: &[&str] = &["count", "for_each", "depends_on", "provider"];
const RESOURCE_META_BLOCKS: &[&str] = &["lifecycle", "provisioner", "connection"];
const LIFECYCLE_ARGUMENTS: &[&str] =
    &["create_before_destroy", "prevent_destroy", "ignore_changes", "replace_triggered_by"];
const MODULE_META_ARGUMENTS: &[&str] = &["source", "version", "providers", "count", "for_each", "depends_on"];

impl Schema {
    /// Runs `scripts/provider-schema.py` (which downloads and extracts the pinned wheel on first use)
    /// and loads the cached schema it prints the path of.
    pub fn load(root: &Path) -> Result<Schema, String> {
        let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
        let script = root.join("scripts/provider-schema.py");
        let out = Command::new(&python)
            .arg(&script)
            .output()
            .map_err(|e| format!("cannot run {python} {}: {e}", script.display()))?;
        if !out.status.success() {
            return Err(format!(
                "{} failed ({}):\n{}",
                script.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        let text = std::fs::read_to_string(&path).map_err(|e| format!("read {}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{} is not a provider schema: {e}", path.display()))
    }

    fn shape(&self, id: &str) -> &Shape {
        // The extractor writes every referenced type; a missing one means a corrupt cache.
        self.types.get(id).unwrap_or_else(|| panic!("provider schema has no type {id}: delete the cache"))
    }
}

/// Every schema violation in `body` (the contents of `file`), one line each.
pub fn check_file(schema: &Schema, file: &Path, body: &Body) -> Vec<String> {
    let mut problems = Vec::new();
    let at = file.display().to_string();
    for block in body.blocks() {
        let labels: Vec<&str> = block.labels().iter().map(|l| l.as_str()).collect();
        match (block.identifier(), labels.as_slice()) {
            ("resource", [kind, name]) => match schema.resources.get(*kind) {
                Some(id) => {
                    check_resource(schema, id, block.body(), &format!("{at}: {kind}.{name}"), &mut problems)
                }
                None => {
                    problems.push(format!("{at}: unknown resource type {kind:?} (resource {kind}.{name})"))
                }
            },
            ("data", [kind, name]) => check_data(schema, kind, name, block.body(), &at, &mut problems),
            ("provider", ["aws"]) => check_body(
                schema,
                &schema.provider_config,
                block.body(),
                &format!("{at}: provider aws"),
                &mut problems,
            ),
            ("check", [name]) => {
                for data in block.body().blocks().filter(|b| b.identifier() == "data") {
                    if let [kind, dname] = data.labels() {
                        let where_ = format!("{at}: check {name}");
                        check_data(
                            schema,
                            kind.as_str(),
                            dname.as_str(),
                            data.body(),
                            &where_,
                            &mut problems,
                        );
                    }
                }
            }
            ("module", [name]) => check_module_call(file, name, block.body(), &mut problems),
            _ => {}
        }
    }
    problems
}

fn check_data(schema: &Schema, kind: &str, name: &str, body: &Body, at: &str, problems: &mut Vec<String>) {
    match schema.data_sources.get(kind) {
        Some(id) => check_resource(schema, id, body, &format!("{at}: data.{kind}.{name}"), problems),
        None => problems.push(format!("{at}: unknown data source type {kind:?} (data.{kind}.{name})")),
    }
}

/// A resource or data source body: the provider's schema plus Terraform's meta-arguments.
fn check_resource(schema: &Schema, id: &str, body: &Body, at: &str, problems: &mut Vec<String>) {
    let meta = |b: &Block| RESOURCE_META_BLOCKS.contains(&b.identifier());
    for block in body.blocks().filter(|b| b.identifier() == "lifecycle") {
        check_lifecycle(block.body(), &format!("{at}.lifecycle"), problems);
    }
    let own: Vec<_> = body.attributes().filter(|a| !RESOURCE_META_ARGUMENTS.contains(&a.key())).collect();
    let blocks: Vec<&Block> = body.blocks().filter(|b| !meta(b)).collect();
    check_parts(schema, schema.shape(id), own.iter().map(|a| a.key()), &blocks, at, problems);
}

fn check_lifecycle(body: &Body, at: &str, problems: &mut Vec<String>) {
    for attr in body.attributes().filter(|a| !LIFECYCLE_ARGUMENTS.contains(&a.key())) {
        problems.push(format!("{at}: unknown lifecycle argument {:?}", attr.key()));
    }
    for block in body.blocks() {
        if !["precondition", "postcondition"].contains(&block.identifier()) {
            problems.push(format!("{at}: unknown lifecycle block {:?}", block.identifier()));
            continue;
        }
        let keys: BTreeSet<&str> = block.body().attributes().map(|a| a.key()).collect();
        for required in ["condition", "error_message"] {
            if !keys.contains(required) {
                problems.push(format!("{at}.{}: missing required argument {required:?}", block.identifier()));
            }
        }
    }
}

/// A nested block's body against the block's type.
fn check_body(schema: &Schema, id: &str, body: &Body, at: &str, problems: &mut Vec<String>) {
    let blocks: Vec<&Block> = body.blocks().collect();
    check_parts(schema, schema.shape(id), body.attributes().map(|a| a.key()), &blocks, at, problems)
}

fn check_parts<'a>(
    schema: &Schema,
    shape: &Shape,
    attributes: impl Iterator<Item = &'a str>,
    blocks: &[&Block],
    at: &str,
    problems: &mut Vec<String>,
) {
    let mut present: BTreeSet<&str> = BTreeSet::new();
    for key in attributes {
        present.insert(key);
        if shape.blocks.contains_key(key) {
            problems.push(format!("{at}: {key:?} is a block, not an argument (write `{key} {{ ... }}`)"));
        } else if !shape.attributes.contains_key(key) {
            problems.push(format!("{at}: unknown argument {key:?}"));
        }
    }
    for block in blocks {
        let (name, body, where_) = match dynamic_content(block, at, problems) {
            Some(found) => found,
            None => continue,
        };
        present.insert(name);
        match shape.blocks.get(name) {
            Some((_, nested)) => check_body(schema, nested, body, &where_, problems),
            None if shape.attributes.contains_key(name) => {
                problems.push(format!("{at}: {name:?} is an argument, not a block (write `{name} = ...`)"))
            }
            None => problems.push(format!("{at}: unknown block {name:?}")),
        }
    }
    for (name, required) in &shape.attributes {
        if *required && !present.contains(name.as_str()) {
            problems.push(format!("{at}: missing required argument {name:?}"));
        }
    }
    for (name, (required, _)) in &shape.blocks {
        if *required && !present.contains(name.as_str()) {
            problems.push(format!("{at}: missing required block {name:?}"));
        }
    }
}

/// The block's schema name, the body to check and where it is: a `dynamic "x"` block stands for `x`
/// blocks shaped like its `content`.
fn dynamic_content<'a>(
    block: &'a Block,
    at: &str,
    problems: &mut Vec<String>,
) -> Option<(&'a str, &'a Body, String)> {
    if block.identifier() != "dynamic" {
        let name = block.identifier();
        return Some((name, block.body(), format!("{at}.{name}")));
    }
    let name = match block.labels() {
        [label] => label.as_str(),
        _ => {
            problems.push(format!("{at}: a dynamic block needs exactly one label"));
            return None;
        }
    };
    let where_ = format!("{at}.dynamic.{name}");
    if !block.body().attributes().any(|a| a.key() == "for_each") {
        problems.push(format!("{where_}: missing required argument \"for_each\""));
    }
    match block.body().blocks().find(|b| b.identifier() == "content") {
        Some(content) => Some((name, content.body(), where_)),
        None => {
            problems.push(format!("{where_}: missing required block \"content\""));
            None
        }
    }
}

/// A call of a local module (`source = "./..."` or `"../..."`): every input must be one of its
/// variables, and every variable without a default must be given.
fn check_module_call(file: &Path, name: &str, body: &Body, problems: &mut Vec<String>) {
    let source = body.attributes().find(|a| a.key() == "source").map(|a| a.expr().to_string());
    let Some(source) = source.map(|s| s.trim_matches('"').to_owned()) else {
        problems.push(format!("{}: module {name}: missing required argument \"source\"", file.display()));
        return;
    };
    if !(source.starts_with("./") || source.starts_with("../")) {
        return; // A registry or git module: its inputs are not known offline.
    }
    let dir = file.parent().unwrap_or(Path::new(".")).join(&source);
    let variables = match module_variables(&dir) {
        Ok(v) => v,
        Err(e) => return problems.push(format!("{}: module {name}: {e}", file.display())),
    };
    let at = format!("{}: module {name}", file.display());
    let given: BTreeSet<&str> = body.attributes().map(|a| a.key()).collect();
    for key in given.iter().filter(|k| !MODULE_META_ARGUMENTS.contains(k)) {
        if !variables.contains_key(*key) {
            problems.push(format!("{at}: {source} has no input {key:?}"));
        }
    }
    for (var, has_default) in &variables {
        if !has_default && !given.contains(var.as_str()) {
            problems.push(format!("{at}: missing required input {var:?}"));
        }
    }
}

/// Variable name → whether it has a default, over the `.tf` files directly in `dir`.
fn module_variables(dir: &Path) -> Result<BTreeMap<String, bool>, String> {
    let mut variables = BTreeMap::new();
    let entries = std::fs::read_dir(dir).map_err(|e| format!("read {}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "tf") {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| format!("read {}: {e}", path.display()))?;
        let body: Body = hcl::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        for var in body.blocks().filter(|b| b.identifier() == "variable") {
            if let [label] = var.labels() {
                let has_default = var.body().attributes().any(|a| a.key() == "default");
                variables.insert(label.as_str().to_owned(), has_default);
            }
        }
    }
    Ok(variables)
}
