# shellcheck shell=bash
# Pinned Python tool venvs for the test command. Sourced by scripts/test.sh.
#
# Each venv lives under $RG_VENV_ROOT/<name> and carries a stamp file holding the exact pip
# specs it was built from: a matching stamp means "already installed" (idempotent, offline
# re-runs), a different one rebuilds the venv from scratch so a pin change can't half-apply.

RG_VENV_ROOT="${RG_VENV_ROOT:-${XDG_CACHE_HOME:-$PWD/.venv}/runaway-guard-venvs}"

# ensure_venv NAME SPEC... — prints the venv's bin directory on stdout.
ensure_venv() {
    local name="$1"
    shift
    local dir="$RG_VENV_ROOT/$name"
    local stamp="$dir/.runaway-guard-stamp"
    local want="$*"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        echo "$dir/bin"
        return 0
    fi
    echo "test.sh: creating venv '$name' ($want) in $dir" >&2
    rm -rf "$dir"
    python3 -m venv "$dir" >&2 || { echo "test.sh: python3 -m venv failed for $name" >&2; return 1; }
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check "$@" >&2 ||
        { echo "test.sh: pip install $want failed" >&2; return 1; }
    printf '%s' "$want" >"$stamp"
    echo "$dir/bin"
}
