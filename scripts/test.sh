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
    # Background lanes still running (a failed step ends the run early) stop with it.
    local lane
    for lane in $(jobs -p); do kill "$lane" 2>/dev/null || true; done
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

# lane NAME LOG COMMAND... — starts a step that needs no CPU-bound Rust work (pip, checkov) in the
# background, so it runs beside clippy instead of after it; `join` waits for it.
lane() {
    local name="$1" log="$2"
    shift 2
    echo "==> $name (in the background): $*"
    ("$@") >"$log" 2>&1 &
    LANE_PIDS["$name"]=$!
    LANE_LOGS["$name"]="$log"
    LANE_STARTED["$name"]=$SECONDS
}

# join NAME — waits for a background step, prints its output and fails the run if it failed.
join() {
    CURRENT="$1"
    local rc=0
    wait "${LANE_PIDS[$1]}" || rc=$?
    cat "${LANE_LOGS[$1]}"
    ((rc == 0)) || exit "$rc"
    STEPS=$((STEPS + 1))
    echo "<== $CURRENT ok (joined after $((SECONDS - LANE_STARTED[$1])) s)"
}
declare -A LANE_PIDS LANE_LOGS LANE_STARTED
LANE_DIR="$(mktemp -d "${TMPDIR:-/tmp}/runaway-guard-test.XXXXXX")"

for tool in cargo python3; do
    command -v "$tool" >/dev/null || { echo "test.sh: '$tool' is required but not on PATH" >&2; exit 1; }
done

# venvs — makes (or finds) both tool venvs, moto started on them, and cargo-lambda on PATH.
venvs() {
    CURRENT="python venvs"
    MOTO_BIN="$(ensure_venv moto "${MOTO_SPEC[@]}")"
    CARGO_LAMBDA_BIN="$(ensure_venv cargo-lambda "${CARGO_LAMBDA_SPEC[@]}")"
    # The end-to-end test runs the binary under `cargo lambda watch`.
    export PATH="$CARGO_LAMBDA_BIN:$PATH"
    CURRENT="start moto"
    start_moto "$MOTO_BIN"
}

if (($# > 0)); then
    venvs
    step "cargo test $*" cargo test "$@"
    echo "test.sh: 1 step passed in $((SECONDS - STARTED)) s"
    exit 0
fi

# The venvs and the infra checks download and run Python; they go beside the Rust checks.
make_venvs() {
    ensure_venv moto "${MOTO_SPEC[@]}" >/dev/null
    ensure_venv cargo-lambda "${CARGO_LAMBDA_SPEC[@]}" >/dev/null
}
lane "python venvs" "$LANE_DIR/venvs.log" make_venvs
if [[ -f scripts/check-infra.sh ]]; then
    # Owns its own venv (checkov pins an old boto3) and Terraform checks. It caches the provider
    # schema minutes before the tests that read it start; the cache is written atomically.
    lane "infra checks" "$LANE_DIR/infra.log" bash scripts/check-infra.sh
fi

step "format" cargo fmt --all -- --check
step "clippy (guard, all targets)" cargo clippy --all-targets -- -D warnings
step "clippy (guard as deployed, without the audit)" cargo clippy --no-default-features --features guard --all-targets -- -D warnings
# Builds the detector alone with its tests (clippy type-checks them); they run in the step below.
step "clippy (detector)" cargo clippy --no-default-features --features detector --all-targets -- -D warnings
step "clippy (chain only)" cargo clippy --no-default-features -- -D warnings
join "python venvs"
venvs
# The integration tests drive the debug binary Cargo builds for the test run (the same code as the
# release build; a release build would add about 12 minutes on 2 cores). RUNAWAY_GUARD_BIN names
# another binary to drive, e.g. target/release/runaway-guard.
step "tests (guard, all targets)" cargo test --all-targets
step "doc tests" cargo test --doc
step "build (chain only)" cargo build --no-default-features
if [[ -v 'LANE_PIDS[infra checks]' ]]; then
    join "infra checks"
fi
rm -rf "$LANE_DIR"

echo "test.sh: all $STEPS steps passed in $((SECONDS - STARTED)) s"
