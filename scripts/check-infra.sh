#!/usr/bin/env bash
# Static checks of the Terraform module in infra/ (run by scripts/test.sh and CI).
#   1. terraform fmt -check -recursive infra   (SKIPPED, not failed, when terraform is not installed)
#   2. checkov, offline, in its own pinned venv (checkov pins an old boto3, so it never shares a venv)
#   3. the AWS provider schema: scripts/provider-schema.py downloads the pinned cdktf wheel once and
#      caches a compact schema; `cargo test --test integration infra::` checks every .tf file against it
# `terraform validate` is not run: it needs the AWS provider, which cannot be downloaded here. The HCL
# parse, provider-schema, variable/output and IAM-vs-code checks live in tests/infra.rs (cargo test).
set -euo pipefail

CHECKOV_VERSION="3.2.533"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${CHECKOV_VENV:-$ROOT/.venv-checkov}"
PYTHON="${PYTHON:-python3}"

cd "$ROOT"

echo "== terraform fmt"
if command -v terraform >/dev/null 2>&1; then
    # TF_CLI_CONFIG_FILE: silence the warning about a missing ~/.terraformrc; fmt needs no configuration.
    if ! TF_CLI_CONFIG_FILE=/dev/null terraform fmt -check -recursive -diff infra; then
        echo "FAILED: terraform fmt -check (run: terraform fmt -recursive infra)" >&2
        exit 1
    fi
    echo "ok: terraform fmt -check -recursive infra"
else
    echo "SKIPPED: terraform fmt -check (terraform is not installed on this machine)"
fi

echo "== checkov $CHECKOV_VERSION"
if [[ "$("$VENV/bin/checkov" --version 2>/dev/null || true)" != "$CHECKOV_VERSION" ]]; then
    echo "installing checkov==$CHECKOV_VERSION into $VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
fi

# Offline: --skip-download keeps checkov from fetching external modules and policies.
# Every skip is inline in the .tf files as #checkov:skip=CKV_...:reason.
"$VENV/bin/checkov" -d infra --framework terraform --skip-download --quiet --compact
echo "ok: checkov -d infra passed"

echo "== AWS provider schema"
# Prepared here so a fresh machine downloads the wheel once, visibly; tests/infra.rs reads the cache.
"$PYTHON" scripts/provider-schema.py
echo "ok: provider schema cached (checked by cargo test --test integration infra::)"
