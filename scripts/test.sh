#!/usr/bin/env bash
# THE test command: on a fresh machine with Rust and Python 3 it creates the pinned tool venvs,
# starts moto_server on a free 127.0.0.1 port, runs every check and test, and stops moto on any exit.
#
#   scripts/test.sh                  everything (what CI runs via .ci/run)
#   scripts/test.sh ARGS...          only `cargo test ARGS...` against a fresh moto
#                                    (e.g. scripts/test.sh --test integration aws_lambda::); these
#                                    use the debug binary unless RUNAWAY_GUARD_BIN is set
#
# Environment: XDG_CACHE_HOME (or RG_VENV_ROOT) relocates the venvs, default .venv/ in the repo.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib/venv.sh
source scripts/lib/venv.sh
# shellcheck source=lib/moto.sh
source scripts/lib/moto.sh

MOTO_SPEC=('moto[server]==5.2.5')
CARGO_LAMBDA_SPEC=('cargo-lambda==1.9.2')

STARTED=$SECONDS
STEPS=0
CURRENT="setup"

on_exit() {
    local rc=$?
    stop_moto
    if ((rc != 0)); then
        echo "test.sh: FAILED at step: $CURRENT (exit $rc) after $((SECONDS - STARTED)) s" >&2
    fi
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# step NAME COMMAND... — runs one check, failing fast with its name.
step() {
    CURRENT="$1"
    shift
    local t0=$SECONDS
    echo "==> $CURRENT: $*"
    "$@"
    STEPS=$((STEPS + 1))
    echo "<== $CURRENT ok ($((SECONDS - t0)) s)"
}

for tool in cargo python3; do
    command -v "$tool" >/dev/null || { echo "test.sh: '$tool' is required but not on PATH" >&2; exit 1; }
done

CURRENT="python venvs"
MOTO_BIN="$(ensure_venv moto "${MOTO_SPEC[@]}")"
CARGO_LAMBDA_BIN="$(ensure_venv cargo-lambda "${CARGO_LAMBDA_SPEC[@]}")"
# The end-to-end test runs the binary under `cargo lambda watch`.
export PATH="$CARGO_LAMBDA_BIN:$PATH"

CURRENT="start moto"
start_moto "$MOTO_BIN"

if (($# > 0)); then
    step "cargo test $*" cargo test "$@"
    echo "test.sh: 1 step passed in $((SECONDS - STARTED)) s"
    exit 0
fi

step "format" cargo fmt --all -- --check
step "clippy (guard, all targets)" cargo clippy --all-targets -- -D warnings
step "clippy (guard as deployed, without the audit)" cargo clippy --no-default-features --features guard --all-targets -- -D warnings
# Builds the detector alone with its tests (clippy type-checks them); they run in the step below.
step "clippy (detector)" cargo clippy --no-default-features --features detector --all-targets -- -D warnings
step "clippy (chain only)" cargo clippy --no-default-features -- -D warnings
# The integration tests drive the debug binary Cargo builds for the test run (the same code as the
# release build; a release build would add about 12 minutes on 2 cores). RUNAWAY_GUARD_BIN names
# another binary to drive, e.g. target/release/runaway-guard.
step "tests (guard, all targets)" cargo test --all-targets
step "doc tests" cargo test --doc
step "build (chain only)" cargo build --no-default-features
if [[ -f scripts/check-infra.sh ]]; then
    # Owns its own venv (checkov pins an old boto3) and Terraform checks.
    step "infra checks" bash scripts/check-infra.sh
fi

echo "test.sh: all $STEPS steps passed in $((SECONDS - STARTED)) s"
