//! Finds the AWS operations the adapters in `src/aws/` call, as IAM action names, split into what
//! the guard calls in Lambda and what only the operator CLI calls ([`CLI_ONLY`] files).
//!
//! A call is `.op()` with empty parentheses (SDK fluent operations take no arguments; parameters are
//! set on the returned builder), where `op` is one of the service's operations as listed by the SDK
//! crate's `src/operation/` directory. That list keeps `.send()`, `.build()`, `.set_*()` and the
//! adapters' own helpers from matching. Comments, string and char literals and everything from the
//! first `#[cfg(test)]` on are removed first, so docs, messages and mock set-up never count.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// IAM needs no permission for these: AWS always allows them.
pub const ALWAYS_ALLOWED: &[&str] = &["sts:GetCallerIdentity"];

/// Actions infra/iam.tf grants before the adapter that calls them has landed, each with that adapter.
/// [`compare`] does not report them as unused; once the call exists the entry is redundant (the test
/// says so) and is deleted, so the comparison is exact again for it.
pub const GRANTED_AHEAD_OF_CALLS: &[(&str, &str)] = &[];

/// Operations whose IAM action is not the PascalCase of the SDK name.
const IAM_NAME_OVERRIDES: &[(&str, &str)] = &[
    ("lambda:invoke", "lambda:InvokeFunction"),
    ("sqs:change_message_visibility_batch", "sqs:ChangeMessageVisibility"),
    ("lambda:invoke_with_response_stream", "lambda:InvokeFunction"),
    ("lambda:get_layer_version_by_arn", "lambda:GetLayerVersion"),
    ("s3:get_bucket_notification_configuration", "s3:GetBucketNotification"),
    ("s3:list_buckets", "s3:ListAllMyBuckets"),
];

/// The IAM action that allows `service`'s SDK operation `op`.
pub fn iam_action(service: &str, op: &str) -> String {
    let key = format!("{service}:{op}");
    IAM_NAME_OVERRIDES
        .iter()
        .find(|(k, _)| *k == key)
        .map_or_else(|| format!("{service}:{}", pascal(op)), |(_, action)| (*action).to_owned())
}

/// Adapter file stem → (IAM service prefix, its SDK operations).
fn services() -> [(&'static str, &'static str); 11] {
    [
        ("lambda", LAMBDA_OPERATIONS),
        ("events", EVENTS_OPERATIONS),
        ("iam", IAM_OPERATIONS),
        ("s3", S3_OPERATIONS),
        ("kinesis", KINESIS_OPERATIONS),
        ("kms", KMS_OPERATIONS),
        ("cloudwatch", CLOUDWATCH_OPERATIONS),
        ("dynamodb", DYNAMODB_OPERATIONS),
        ("sns", SNS_OPERATIONS),
        ("sqs", SQS_OPERATIONS),
        ("sts", STS_OPERATIONS),
    ]
}

/// Adapter files (paths under `src/aws/`) whose calls only the operator CLI makes, with the
/// operator's credentials, never the guard in Lambda: the operator policy grants them, the guard's
/// role must not. `deployment.rs` is searched for every service's operations.
pub const CLI_ONLY: &[&str] = &["deployment.rs", "lambda/operator.rs", "lambda/replay.rs", "sqs/parked.rs"];

/// The IAM actions the adapters call, by who calls them.
#[derive(Debug, Default, PartialEq)]
pub struct Calls {
    /// Called by the guard in Lambda (and by the CLI's `handle` and `trip`, which run the same path).
    pub guard: BTreeSet<String>,
    /// Called from [`CLI_ONLY`] files.
    pub cli_only: BTreeSet<String>,
}

impl Calls {
    /// What the operator CLI calls: everything (`handle` runs the guard's path).
    pub fn operator(&self) -> BTreeSet<String> {
        self.guard.union(&self.cli_only).cloned().collect()
    }

    /// What the CLI alone calls: never the guard.
    pub fn cli_alone(&self) -> BTreeSet<String> {
        self.cli_only.difference(&self.guard).cloned().collect()
    }
}

fn is_cli_only(dir: &Path, path: &Path) -> bool {
    let relative = path.strip_prefix(dir).unwrap_or(path).to_string_lossy().replace('\\', "/");
    CLI_ONLY.contains(&relative.as_str())
}

/// Subdirectories of `src/aws/` that only the operator CLI uses (the loop audit's read-only adapters,
/// built only with the `audit` feature). A file there belongs to the service its stem names
/// (`audit/lambda.rs`), and only services with an operation list here are searched: searching
/// `audit/iam.rs` for every service would count its `.get_policy()` as `lambda:GetPolicy`.
pub const CLI_ONLY_DIRS: &[&str] = &["audit"];

fn in_cli_only_dir(dir: &Path, path: &Path) -> bool {
    CLI_ONLY_DIRS.iter().any(|d| path.starts_with(dir.join(d)))
}

/// Every IAM action called from the `.rs` files of `dir` and of its service subdirectories: a file
/// `lambda.rs` or any `.rs` under `lambda/` (a module split into files) belongs to that service. Any
/// other file is searched for every service's operations, and a hit there is an error (the call could
/// not be attributed) unless the file is one of [`CLI_ONLY`].
pub fn adapter_calls(dir: &Path) -> Result<Calls, String> {
    let mut calls = Calls::default();
    for (path, owner) in rust_files(dir)? {
        if in_cli_only_dir(dir, &path) {
            let stem = path.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            if let Some((service, ops)) = services().into_iter().find(|(s, _)| *s == stem) {
                let source = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                calls.cli_only.extend(calls_in(&source, service, ops));
            }
            continue;
        }
        let source = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let cli_only = is_cli_only(dir, &path);
        let into = if cli_only { &mut calls.cli_only } else { &mut calls.guard };
        match services().into_iter().find(|(s, _)| *s == owner) {
            Some((service, ops)) => into.extend(calls_in(&source, service, ops)),
            None if cli_only => {
                into.extend(services().into_iter().flat_map(|(s, ops)| calls_in(&source, s, ops)));
            }
            None => {
                let stray: Vec<String> =
                    services().into_iter().flat_map(|(s, ops)| calls_in(&source, s, ops)).collect();
                if !stray.is_empty() {
                    return Err(format!(
                        "{} calls {stray:?} but is not one of lambda.rs/cloudwatch.rs/dynamodb.rs/kms.rs/\
                         sns.rs/sqs.rs/sts.rs (or under lambda/, cloudwatch/, ...): move the call into its \
                         service's adapter or teach tests/infra/scan.rs the file",
                        path.display()
                    ));
                }
            }
        }
    }
    Ok(calls)
}

/// The `.rs` files under `dir`, sorted, each with the name that attributes it to a service: its stem
/// for a file directly in `dir`, else the name of its top-level subdirectory.
fn rust_files(dir: &Path) -> Result<Vec<(std::path::PathBuf, String)>, String> {
    let mut found = Vec::new();
    let mut pending = vec![(dir.to_path_buf(), None::<String>)];
    while let Some((current, owner)) = pending.pop() {
        for entry in fs::read_dir(&current).map_err(|e| format!("{}: {e}", current.display()))?.flatten() {
            let path = entry.path();
            let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
            if path.is_dir() {
                pending.push((path, Some(owner.clone().unwrap_or(name))));
            } else if path.extension().is_some_and(|e| e == "rs") {
                let stem = path.file_stem().unwrap_or_default().to_string_lossy().into_owned();
                found.push((path, owner.clone().unwrap_or(stem)));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The IAM actions (`service:PascalCase`) of the operations of `ops` that `source` calls.
pub fn calls_in(source: &str, service: &str, ops: &str) -> BTreeSet<String> {
    let known: BTreeSet<&str> = ops.split_whitespace().collect();
    let code = strip(source);
    let code = production_part(&code);
    let bytes = code.as_bytes();
    let mut found = BTreeSet::new();
    for (dot, _) in code.match_indices('.') {
        let mut i = skip_ws(bytes, dot + 1);
        let start = i;
        while i < bytes.len()
            && (bytes[i].is_ascii_lowercase() || bytes[i].is_ascii_digit() || bytes[i] == b'_')
        {
            i += 1;
        }
        let name = &code[start..i];
        let j = skip_ws(bytes, i);
        let empty_args = bytes.get(j) == Some(&b'(') && bytes.get(skip_ws(bytes, j + 1)) == Some(&b')');
        if empty_args && known.contains(name) {
            found.insert(iam_action(service, name));
        }
    }
    found
}

/// The code before the first `#[cfg(test)] mod`: unit tests may drive a client to set up a mock.
fn production_part(code: &str) -> &str {
    for (at, _) in code.match_indices("#[cfg(test)]") {
        if code[at + "#[cfg(test)]".len()..].trim_start().starts_with("mod ") {
            return &code[..at];
        }
    }
    code
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// `get_function_concurrency` → `GetFunctionConcurrency`.
pub fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or_else(String::new, |f| f.to_ascii_uppercase().to_string() + c.as_str())
        })
        .collect()
}

/// The source with comments removed and string/char literals emptied (lifetimes are kept).
pub fn strip(source: &str) -> String {
    let s: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < s.len() {
        let next = s.get(i + 1).copied();
        if s[i] == '/' && next == Some('/') {
            while i < s.len() && s[i] != '\n' {
                i += 1;
            }
        } else if s[i] == '/' && next == Some('*') {
            let mut depth = 0;
            while i < s.len() {
                if s[i] == '/' && s.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if s[i] == '*' && s.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if let Some(end) = raw_string_end(&s, i) {
            out.push_str("\"\"");
            i = end;
        } else if s[i] == '"' {
            i += 1;
            while i < s.len() && s[i] != '"' {
                i += if s[i] == '\\' { 2 } else { 1 };
            }
            out.push_str("\"\"");
            i += 1;
        } else if s[i] == '\'' && (next == Some('\\') || s.get(i + 2) == Some(&'\'')) {
            // Past the opening quote and the first character, or an escape's backslash and next char.
            i += if next == Some('\\') { 3 } else { 2 };
            while i < s.len() && s[i] != '\'' {
                i += 1;
            }
            out.push_str("' '");
            i += 1;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    out
}

/// If a raw string (`r"…"`, `r#"…"#`, `br"…"`) starts at `i`, the index just past its end.
fn raw_string_end(s: &[char], i: usize) -> Option<usize> {
    let prev_is_ident = i > 0 && (s[i - 1].is_alphanumeric() || s[i - 1] == '_');
    if s[i] != 'r' || (prev_is_ident && !(s[i - 1] == 'b' && (i < 2 || !s[i - 2].is_alphanumeric()))) {
        return None;
    }
    let mut j = i + 1;
    while s.get(j) == Some(&'#') {
        j += 1;
    }
    if s.get(j) != Some(&'"') {
        return None;
    }
    let hashes = j - i - 1;
    j += 1;
    while j < s.len() {
        if s[j] == '"' && (1..=hashes).all(|k| s.get(j + k) == Some(&'#')) {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(s.len())
}

/// `Err` listing, in both directions, where the calls and the granted actions differ; an action in
/// `ahead` may be granted without a call yet. IAM action names are case-insensitive, so
/// `CreateSmsSandboxPhoneNumber` (from snake case) matches `CreateSMS…`.
pub fn compare(calls: &BTreeSet<String>, granted: &BTreeSet<String>, ahead: &[&str]) -> Result<(), String> {
    let key = |a: &String| a.to_ascii_lowercase();
    let needed: BTreeSet<&String> =
        calls.iter().filter(|c| !ALWAYS_ALLOWED.iter().any(|a| a.eq_ignore_ascii_case(c))).collect();
    let granted_keys: BTreeSet<String> = granted.iter().map(key).collect();
    let needed_keys: BTreeSet<String> = needed.iter().map(|c| key(c)).collect();
    let missing: Vec<&String> = needed.into_iter().filter(|c| !granted_keys.contains(&key(c))).collect();
    let is_ahead = |g: &String| ahead.iter().any(|a| a.eq_ignore_ascii_case(g));
    let unused: Vec<&String> =
        granted.iter().filter(|g| !needed_keys.contains(&key(g)) && !is_ahead(g)).collect();
    if missing.is_empty() && unused.is_empty() {
        return Ok(());
    }
    Err(format!(
        "  called but not granted (add to a non-Platform statement of infra/iam.tf): {missing:?}\n  \
         granted but never called (remove from infra/iam.tf): {unused:?}\n  \
         ({} is always allowed and must not be granted)",
        ALWAYS_ALLOWED.join(", ")
    ))
}

/// aws-sdk-lambda 1.115.0: `ls src/operation`.
const LAMBDA_OPERATIONS: &str = "\
    add_layer_version_permission add_permission checkpoint_durable_execution create_alias \
    create_capacity_provider create_code_signing_config create_event_source_mapping create_function \
    create_function_url_config delete_alias delete_capacity_provider delete_code_signing_config \
    delete_event_source_mapping delete_function delete_function_code_signing_config \
    delete_function_concurrency delete_function_event_invoke_config delete_function_url_config \
    delete_layer_version delete_provisioned_concurrency_config get_account_settings get_alias \
    get_capacity_provider get_code_signing_config get_durable_execution get_durable_execution_history \
    get_durable_execution_state get_event_source_mapping get_function get_function_code_signing_config \
    get_function_concurrency get_function_configuration get_function_event_invoke_config \
    get_function_recursion_config get_function_scaling_config get_function_url_config get_layer_version \
    get_layer_version_by_arn get_layer_version_policy get_policy get_provisioned_concurrency_config \
    get_runtime_management_config invoke invoke_async invoke_with_response_stream list_aliases \
    list_capacity_providers list_code_signing_configs list_durable_executions_by_function \
    list_event_source_mappings list_function_event_invoke_configs list_function_url_configs \
    list_function_versions_by_capacity_provider list_functions list_functions_by_code_signing_config \
    list_layer_versions list_layers list_provisioned_concurrency_configs list_tags \
    list_versions_by_function publish_layer_version publish_version put_function_code_signing_config \
    put_function_concurrency put_function_event_invoke_config put_function_recursion_config \
    put_function_scaling_config put_provisioned_concurrency_config put_runtime_management_config \
    remove_layer_version_permission remove_permission send_durable_execution_callback_failure \
    send_durable_execution_callback_heartbeat send_durable_execution_callback_success \
    stop_durable_execution tag_resource untag_resource update_alias update_capacity_provider \
    update_code_signing_config update_event_source_mapping update_function_code \
    update_function_configuration update_function_event_invoke_config update_function_url_config \
";

/// aws-sdk-cloudwatch 1.99.0: `ls src/operation`.
const CLOUDWATCH_OPERATIONS: &str = "\
    delete_alarms delete_anomaly_detector delete_dashboards delete_insight_rules delete_metric_stream \
    describe_alarm_contributors describe_alarm_history describe_alarms describe_alarms_for_metric \
    describe_anomaly_detectors describe_insight_rules disable_alarm_actions disable_insight_rules \
    enable_alarm_actions enable_insight_rules get_dashboard get_insight_rule_report get_metric_data \
    get_metric_statistics get_metric_stream get_metric_widget_image list_dashboards \
    list_managed_insight_rules list_metric_streams list_metrics list_tags_for_resource \
    put_anomaly_detector put_composite_alarm put_dashboard put_insight_rule put_managed_insight_rules \
    put_metric_alarm put_metric_data put_metric_stream set_alarm_state start_metric_streams \
    stop_metric_streams tag_resource untag_resource \
";

/// aws-sdk-dynamodb 1.104.0: `ls src/operation`, then aws-sdk-dynamodbstreams 1.94.0's (the same
/// `dynamodb:` IAM prefix; its adapter is `src/aws/dynamodb/streams.rs`).
const DYNAMODB_OPERATIONS: &str = "\
    batch_execute_statement batch_get_item batch_write_item create_backup create_global_table \
    create_table delete_backup delete_item delete_resource_policy delete_table describe_backup \
    describe_continuous_backups describe_contributor_insights describe_endpoints describe_export \
    describe_global_table describe_global_table_settings describe_import \
    describe_kinesis_streaming_destination describe_limits describe_table \
    describe_table_replica_auto_scaling describe_time_to_live disable_kinesis_streaming_destination \
    enable_kinesis_streaming_destination execute_statement execute_transaction \
    export_table_to_point_in_time get_item get_resource_policy import_table list_backups \
    list_contributor_insights list_exports list_global_tables list_imports list_tables \
    list_tags_of_resource put_item put_resource_policy query restore_table_from_backup \
    restore_table_to_point_in_time scan tag_resource transact_get_items transact_write_items \
    untag_resource update_continuous_backups update_contributor_insights update_global_table \
    update_global_table_settings update_item update_kinesis_streaming_destination update_table \
    update_table_replica_auto_scaling update_time_to_live \
    describe_stream get_records get_shard_iterator list_streams \
";

/// aws-sdk-kinesis 1.99.0: `ls src/operation`.
const KINESIS_OPERATIONS: &str = "\
    add_tags_to_stream create_stream decrease_stream_retention_period delete_resource_policy \
    delete_stream deregister_stream_consumer describe_account_settings describe_limits \
    describe_stream describe_stream_consumer describe_stream_summary disable_enhanced_monitoring \
    enable_enhanced_monitoring get_records get_resource_policy get_shard_iterator \
    increase_stream_retention_period list_shards list_stream_consumers list_streams \
    list_tags_for_resource list_tags_for_stream merge_shards put_record put_records \
    put_resource_policy register_stream_consumer remove_tags_from_stream split_shard \
    start_stream_encryption stop_stream_encryption subscribe_to_shard tag_resource \
    untag_resource update_account_settings update_max_record_size update_shard_count \
    update_stream_mode update_stream_warm_throughput \
";

/// aws-sdk-sns 1.94.0: `ls src/operation`.
const SNS_OPERATIONS: &str = "\
    add_permission check_if_phone_number_is_opted_out confirm_subscription create_platform_application \
    create_platform_endpoint create_sms_sandbox_phone_number create_topic delete_endpoint \
    delete_platform_application delete_sms_sandbox_phone_number delete_topic get_data_protection_policy \
    get_endpoint_attributes get_platform_application_attributes get_sms_attributes \
    get_sms_sandbox_account_status get_subscription_attributes get_topic_attributes \
    list_endpoints_by_platform_application list_origination_numbers list_phone_numbers_opted_out \
    list_platform_applications list_sms_sandbox_phone_numbers list_subscriptions \
    list_subscriptions_by_topic list_tags_for_resource list_topics opt_in_phone_number publish \
    publish_batch put_data_protection_policy remove_permission set_endpoint_attributes \
    set_platform_application_attributes set_sms_attributes set_subscription_attributes \
    set_topic_attributes subscribe tag_resource unsubscribe untag_resource \
    verify_sms_sandbox_phone_number \
";

/// aws-sdk-sqs 1.93.0: `ls src/operation`.
const SQS_OPERATIONS: &str = "\
    add_permission cancel_message_move_task change_message_visibility change_message_visibility_batch \
    create_queue delete_message delete_message_batch delete_queue get_queue_attributes get_queue_url \
    list_dead_letter_source_queues list_message_move_tasks list_queue_tags list_queues purge_queue \
    receive_message remove_permission send_message send_message_batch set_queue_attributes \
    start_message_move_task tag_queue untag_queue \
";

/// aws-sdk-eventbridge 1.100.0: `ls src/operation`.
const EVENTS_OPERATIONS: &str = "\
    activate_event_source cancel_replay create_api_destination create_archive create_connection \
    create_endpoint create_event_bus create_partner_event_source deactivate_event_source \
    deauthorize_connection delete_api_destination delete_archive delete_connection delete_endpoint \
    delete_event_bus delete_partner_event_source delete_rule describe_api_destination describe_archive \
    describe_connection describe_endpoint describe_event_bus describe_event_source \
    describe_partner_event_source describe_replay describe_rule disable_rule enable_rule \
    list_api_destinations list_archives list_connections list_endpoints list_event_buses \
    list_event_sources list_partner_event_source_accounts list_partner_event_sources list_replays \
    list_rule_names_by_target list_rules list_tags_for_resource list_targets_by_rule put_events \
    put_partner_events put_permission put_rule put_targets remove_permission remove_targets start_replay \
    tag_resource test_event_pattern untag_resource update_api_destination update_archive \
    update_connection update_endpoint update_event_bus";

/// aws-sdk-iam 1.103.0: `ls src/operation`.
const IAM_OPERATIONS: &str = "\
    accept_delegation_request add_client_id_to_open_id_connect_provider add_role_to_instance_profile \
    add_user_to_group associate_delegation_request attach_group_policy attach_role_policy \
    attach_user_policy change_password create_access_key create_account_alias create_delegation_request \
    create_group create_instance_profile create_login_profile create_open_id_connect_provider \
    create_policy create_policy_version create_role create_saml_provider create_service_linked_role \
    create_service_specific_credential create_user create_virtual_mfa_device deactivate_mfa_device \
    delete_access_key delete_account_alias delete_account_password_policy delete_group \
    delete_group_policy delete_instance_profile delete_login_profile delete_open_id_connect_provider \
    delete_policy delete_policy_version delete_role delete_role_permissions_boundary delete_role_policy \
    delete_saml_provider delete_server_certificate delete_service_linked_role \
    delete_service_specific_credential delete_signing_certificate delete_ssh_public_key delete_user \
    delete_user_permissions_boundary delete_user_policy delete_virtual_mfa_device detach_group_policy \
    detach_role_policy detach_user_policy disable_organizations_root_credentials_management \
    disable_organizations_root_sessions disable_outbound_web_identity_federation enable_mfa_device \
    enable_organizations_root_credentials_management enable_organizations_root_sessions \
    enable_outbound_web_identity_federation generate_credential_report \
    generate_organizations_access_report generate_service_last_accessed_details get_access_key_last_used \
    get_account_authorization_details get_account_password_policy get_account_summary \
    get_context_keys_for_custom_policy get_context_keys_for_principal_policy get_credential_report \
    get_delegation_request get_group get_group_policy get_human_readable_summary get_instance_profile \
    get_login_profile get_mfa_device get_open_id_connect_provider get_organizations_access_report \
    get_outbound_web_identity_federation_info get_policy get_policy_version get_role get_role_policy \
    get_saml_provider get_server_certificate get_service_last_accessed_details \
    get_service_last_accessed_details_with_entities get_service_linked_role_deletion_status \
    get_ssh_public_key get_user get_user_policy list_access_keys list_account_aliases \
    list_attached_group_policies list_attached_role_policies list_attached_user_policies \
    list_delegation_requests list_entities_for_policy list_group_policies list_groups \
    list_groups_for_user list_instance_profile_tags list_instance_profiles \
    list_instance_profiles_for_role list_mfa_device_tags list_mfa_devices \
    list_open_id_connect_provider_tags list_open_id_connect_providers list_organizations_features \
    list_policies list_policies_granting_service_access list_policy_tags list_policy_versions \
    list_role_policies list_role_tags list_roles list_saml_provider_tags list_saml_providers \
    list_server_certificate_tags list_server_certificates list_service_specific_credentials \
    list_signing_certificates list_ssh_public_keys list_user_policies list_user_tags list_users \
    list_virtual_mfa_devices put_group_policy put_role_permissions_boundary put_role_policy \
    put_user_permissions_boundary put_user_policy reject_delegation_request \
    remove_client_id_from_open_id_connect_provider remove_role_from_instance_profile \
    remove_user_from_group reset_service_specific_credential resync_mfa_device send_delegation_token \
    set_default_policy_version set_security_token_service_preferences simulate_custom_policy \
    simulate_principal_policy tag_instance_profile tag_mfa_device tag_open_id_connect_provider \
    tag_policy tag_role tag_saml_provider tag_server_certificate tag_user untag_instance_profile \
    untag_mfa_device untag_open_id_connect_provider untag_policy untag_role untag_saml_provider \
    untag_server_certificate untag_user update_access_key update_account_password_policy \
    update_assume_role_policy update_delegation_request update_group update_login_profile \
    update_open_id_connect_provider_thumbprint update_role update_role_description update_saml_provider \
    update_server_certificate update_service_specific_credential update_signing_certificate \
    update_ssh_public_key update_user upload_server_certificate upload_signing_certificate \
    upload_ssh_public_key";

/// aws-sdk-s3 1.122.0: `ls src/operation`.
const S3_OPERATIONS: &str = "\
    abort_multipart_upload complete_multipart_upload copy_object create_bucket \
    create_bucket_metadata_configuration create_bucket_metadata_table_configuration \
    create_multipart_upload create_session delete_bucket delete_bucket_analytics_configuration \
    delete_bucket_cors delete_bucket_encryption delete_bucket_intelligent_tiering_configuration \
    delete_bucket_inventory_configuration delete_bucket_lifecycle delete_bucket_metadata_configuration \
    delete_bucket_metadata_table_configuration delete_bucket_metrics_configuration \
    delete_bucket_ownership_controls delete_bucket_policy delete_bucket_replication \
    delete_bucket_tagging delete_bucket_website delete_object delete_object_tagging delete_objects \
    delete_public_access_block get_bucket_abac get_bucket_accelerate_configuration get_bucket_acl \
    get_bucket_analytics_configuration get_bucket_cors get_bucket_encryption \
    get_bucket_intelligent_tiering_configuration get_bucket_inventory_configuration \
    get_bucket_lifecycle_configuration get_bucket_location get_bucket_logging \
    get_bucket_metadata_configuration get_bucket_metadata_table_configuration \
    get_bucket_metrics_configuration get_bucket_notification_configuration get_bucket_ownership_controls \
    get_bucket_policy get_bucket_policy_status get_bucket_replication get_bucket_request_payment \
    get_bucket_tagging get_bucket_versioning get_bucket_website get_object get_object_acl \
    get_object_attributes get_object_legal_hold get_object_lock_configuration get_object_retention \
    get_object_tagging get_object_torrent get_public_access_block head_bucket head_object \
    list_bucket_analytics_configurations list_bucket_intelligent_tiering_configurations \
    list_bucket_inventory_configurations list_bucket_metrics_configurations list_buckets \
    list_directory_buckets list_multipart_uploads list_object_versions list_objects list_objects_v2 \
    list_parts put_bucket_abac put_bucket_accelerate_configuration put_bucket_acl \
    put_bucket_analytics_configuration put_bucket_cors put_bucket_encryption \
    put_bucket_intelligent_tiering_configuration put_bucket_inventory_configuration \
    put_bucket_lifecycle_configuration put_bucket_logging put_bucket_metrics_configuration \
    put_bucket_notification_configuration put_bucket_ownership_controls put_bucket_policy \
    put_bucket_replication put_bucket_request_payment put_bucket_tagging put_bucket_versioning \
    put_bucket_website put_object put_object_acl put_object_legal_hold put_object_lock_configuration \
    put_object_retention put_object_tagging put_public_access_block rename_object restore_object \
    select_object_content update_bucket_metadata_inventory_table_configuration \
    update_bucket_metadata_journal_table_configuration update_object_encryption upload_part \
    upload_part_copy write_get_object_response";

/// aws-sdk-kms 1.99.0: `ls src/operation`.
const KMS_OPERATIONS: &str = "\
    cancel_key_deletion connect_custom_key_store create_alias create_custom_key_store create_grant \
    create_key decrypt delete_alias delete_custom_key_store delete_imported_key_material \
    derive_shared_secret describe_custom_key_stores describe_key disable_key disable_key_rotation \
    disconnect_custom_key_store enable_key enable_key_rotation encrypt generate_data_key \
    generate_data_key_pair generate_data_key_pair_without_plaintext generate_data_key_without_plaintext \
    generate_mac generate_random get_key_policy get_key_rotation_status get_parameters_for_import \
    get_public_key import_key_material list_aliases list_grants list_key_policies list_key_rotations \
    list_keys list_resource_tags list_retirable_grants put_key_policy re_encrypt replicate_key \
    retire_grant revoke_grant rotate_key_on_demand schedule_key_deletion sign tag_resource \
    untag_resource update_alias update_custom_key_store update_key_description update_primary_region \
    verify verify_mac \
";

/// aws-sdk-sts 1.97.0: `ls src/operation`.
const STS_OPERATIONS: &str = "\
    assume_role assume_role_with_saml assume_role_with_web_identity assume_root \
    decode_authorization_message get_access_key_info get_caller_identity get_delegated_access_token \
    get_federation_token get_session_token get_web_identity_token \
";

#[cfg(test)]
mod tests {
    use super::*;

    const ADAPTER: &str = r###"
//! Docs mention `.put_function_concurrency()` and must not count.
use aws_sdk_lambda::Client;

impl LambdaThrottler {
    /// Calls `.delete_function_concurrency()` (a doc comment, not a call).
    async fn current(&self, name: &str) -> Result<Option<i32>, Error> {
        let out = self
            .client
            .get_function_concurrency()
            .function_name(name)
            .send()
            .await?;
        let _ = "client.tag_resource() in a string";
        let _ = r##"raw .untag_resource() "quoted" "##;
        let _c = '"';
        self.helper_list_tags(name).await?; // a helper with arguments, not an SDK call
        self.list_tags_of(name);
        let pages = self.client.list_functions ( ).into_paginator().send();
        /* block comment .get_account_settings() /* nested */ still comment */
        Ok(out.reserved_concurrent_executions().map(|c| c.max(0)))
    }

    fn build(&self) -> Request<'_> {
        Request::builder().set_function_name(None).build()
    }
}

#[cfg(test)]
mod tests {
    fn setup(client: &Client) {
        client.put_function_concurrency();
    }
}
"###;

    #[test]
    fn finds_fluent_calls_across_lines_and_spacing() {
        let calls = calls_in(ADAPTER, "lambda", LAMBDA_OPERATIONS);
        let expected: BTreeSet<String> =
            ["lambda:GetFunctionConcurrency", "lambda:ListFunctions"].map(String::from).into();
        assert_eq!(calls, expected);
    }

    #[test]
    fn operation_list_excludes_builder_methods() {
        let ops: BTreeSet<&str> = LAMBDA_OPERATIONS.split_whitespace().collect();
        for not_an_op in ["send", "build", "set_function_name", "function_name", "into_paginator"] {
            assert!(!ops.contains(not_an_op), "{not_an_op} is listed as an operation");
        }
        assert_eq!(ops.len(), 85);
        assert!(ops.contains("get_function_event_invoke_config"));
    }

    #[test]
    fn other_services_use_their_own_lists() {
        let src = "async fn f(c: &C) { c.get_metric_data().send().await; c.list_metrics().send(); \
                   s.publish().topic_arn(a).send(); t.get_caller_identity().send(); }";
        assert_eq!(calls_in(src, "cloudwatch", CLOUDWATCH_OPERATIONS).len(), 2);
        let sns: Vec<String> = calls_in(src, "sns", SNS_OPERATIONS).into_iter().collect();
        assert_eq!(sns, ["sns:Publish"]);
        let sts: Vec<String> = calls_in(src, "sts", STS_OPERATIONS).into_iter().collect();
        assert_eq!(sts, ["sts:GetCallerIdentity"]);
    }

    #[test]
    fn strip_keeps_lifetimes_and_empties_literals() {
        let stripped = strip("fn f<'a>(x: &'a str) -> char { let s = \"a.b()\"; 'x' } // c.d()");
        assert_eq!(stripped, "fn f<'a>(x: &'a str) -> char { let s = \"\"; ' ' } ");
        let escaped = strip("let q = '\\''; let u = '\\u{41}'; x.list_tags()");
        assert_eq!(escaped, "let q = ' '; let u = ' '; x.list_tags()");
    }

    #[test]
    fn operations_named_differently_in_iam_are_translated() {
        assert_eq!(iam_action("lambda", "invoke"), "lambda:InvokeFunction");
        assert_eq!(iam_action("lambda", "list_tags"), "lambda:ListTags");
        let calls = calls_in("fn f() { c.invoke().send(); }", "lambda", LAMBDA_OPERATIONS);
        assert_eq!(calls, set(&["lambda:InvokeFunction"]));
    }

    #[test]
    fn pascal_converts_snake_case() {
        assert_eq!(pascal("get_function_concurrency"), "GetFunctionConcurrency");
        assert_eq!(pascal("publish"), "Publish");
    }

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn compare_accepts_equal_sets_and_exempts_get_caller_identity() {
        let calls = set(&["lambda:ListTags", "sts:GetCallerIdentity"]);
        assert_eq!(compare(&calls, &set(&["lambda:ListTags"]), &[]), Ok(()));
        assert_eq!(
            compare(
                &set(&["sns:CreateSmsSandboxPhoneNumber"]),
                &set(&["sns:CreateSMSSandboxPhoneNumber"]),
                &[]
            ),
            Ok(())
        );
    }

    #[test]
    fn compare_reports_a_call_without_permission() {
        let err = compare(&set(&["lambda:ListTags", "lambda:TagResource"]), &set(&["lambda:ListTags"]), &[])
            .unwrap_err();
        let expected = "called but not granted (add to a non-Platform statement of infra/iam.tf): \
                        [\"lambda:TagResource\"]";
        assert!(err.contains(expected), "{err}");
    }

    #[test]
    fn compare_reports_a_permission_without_call() {
        let granted = set(&["lambda:ListTags", "lambda:InvokeFunction", "sts:GetCallerIdentity"]);
        let err = compare(&set(&["lambda:ListTags"]), &granted, &[]).unwrap_err();
        let expected = "never called (remove from infra/iam.tf): \
                        [\"lambda:InvokeFunction\", \"sts:GetCallerIdentity\"]";
        assert!(err.contains(expected), "{err}");
    }

    #[test]
    fn compare_lets_an_action_be_granted_ahead_of_its_call_but_no_other() {
        let ahead = ["cloudwatch:DescribeAlarmContributors"];
        let granted = set(&["cloudwatch:GetMetricData", "cloudwatch:describealarmcontributors"]);
        assert_eq!(compare(&set(&["cloudwatch:GetMetricData"]), &granted, &ahead), Ok(()));
        let both = set(&["cloudwatch:GetMetricData", "cloudwatch:DescribeAlarmContributors"]);
        assert_eq!(compare(&both, &granted, &ahead), Ok(()));
        let extra = set(&[
            "cloudwatch:GetMetricData",
            "cloudwatch:DescribeAlarmContributors",
            "cloudwatch:ListMetrics",
        ]);
        let err = compare(&set(&["cloudwatch:GetMetricData"]), &extra, &ahead).unwrap_err();
        assert!(
            err.contains("never called (remove from infra/iam.tf): [\"cloudwatch:ListMetrics\"]"),
            "{err}"
        );
    }

    #[test]
    fn adapter_calls_rejects_a_call_in_an_unmapped_file() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("lambda.rs"), "fn f() { c.list_tags().send(); }").unwrap();
        fs::write(dir.path().join("mod.rs"), "pub mod lambda; fn g() { Client::new(&conf); }").unwrap();
        let calls = adapter_calls(dir.path()).unwrap();
        assert_eq!(calls.guard, set(&["lambda:ListTags"]));
        fs::write(dir.path().join("throttle.rs"), "fn h() { c.put_function_concurrency().send(); }").unwrap();
        let err = adapter_calls(dir.path()).unwrap_err();
        assert!(err.contains("throttle.rs") && err.contains("lambda:PutFunctionConcurrency"), "{err}");
    }

    #[test]
    fn adapter_calls_attributes_files_in_a_service_directory_to_that_service() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("cloudwatch.rs"),
            "mod contributors; fn f() { c.get_metric_data().send(); }",
        )
        .unwrap();
        fs::create_dir_all(dir.path().join("cloudwatch/nested")).unwrap();
        fs::write(
            dir.path().join("cloudwatch/contributors.rs"),
            "fn g() { c.describe_alarm_contributors(); }",
        )
        .unwrap();
        fs::write(dir.path().join("cloudwatch/nested/more.rs"), "fn h() { c.list_metrics().send(); }")
            .unwrap();
        let calls = adapter_calls(dir.path()).unwrap();
        let expected = set(&[
            "cloudwatch:DescribeAlarmContributors",
            "cloudwatch:GetMetricData",
            "cloudwatch:ListMetrics",
        ]);
        assert_eq!(calls.guard, expected);
        fs::create_dir_all(dir.path().join("shared")).unwrap();
        fs::write(dir.path().join("shared/retry.rs"), "fn r() { c.publish().send(); }").unwrap();
        let err = adapter_calls(dir.path()).unwrap_err();
        assert!(err.contains("retry.rs") && err.contains("sns:Publish"), "{err}");
    }

    #[test]
    fn calls_in_cli_only_files_are_the_operators_alone() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("lambda.rs"),
            "fn f() { c.list_tags().send(); c.put_function_concurrency(); }",
        )
        .unwrap();
        fs::create_dir_all(dir.path().join("lambda")).unwrap();
        fs::write(
            dir.path().join("lambda/operator.rs"),
            "fn g() { c.delete_function_concurrency().send(); c.list_tags(); }",
        )
        .unwrap();
        fs::write(dir.path().join("deployment.rs"), "fn h() { c.list_functions().send(); }").unwrap();
        fs::write(dir.path().join("dynamodb.rs"), "fn i() { c.update_item().send(); }").unwrap();
        let calls = adapter_calls(dir.path()).unwrap();
        assert_eq!(
            calls.guard,
            set(&["dynamodb:UpdateItem", "lambda:ListTags", "lambda:PutFunctionConcurrency"])
        );
        assert_eq!(calls.cli_alone(), set(&["lambda:DeleteFunctionConcurrency", "lambda:ListFunctions"]));
        assert_eq!(calls.operator().len(), 5);
    }
}
