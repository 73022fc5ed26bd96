# shellcheck shell=bash
# Start and stop a moto server on a free loopback port. Sourced by scripts/test.sh.

MOTO_PID=""
MOTO_LOG=""

# free_port — a TCP port on 127.0.0.1 nobody is listening on right now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_for_http URL SECONDS — succeeds once URL answers any HTTP status.
wait_for_http() {
    python3 - "$1" "$2" <<'PY'
import sys, time, urllib.request, urllib.error
url, deadline = sys.argv[1], time.time() + float(sys.argv[2])
while time.time() < deadline:
    try:
        urllib.request.urlopen(url, timeout=1)
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)  # it answered
    except Exception:
        time.sleep(0.2)
sys.exit(1)
PY
}

# start_moto BIN_DIR — starts moto_server, exports the AWS environment pointing at it.
start_moto() {
    local bin="$1" port
    port="$(free_port)"
    MOTO_LOG="$(mktemp "${TMPDIR:-/tmp}/runaway-guard-moto.XXXXXX.log")"
    "$bin/moto_server" -H 127.0.0.1 -p "$port" >"$MOTO_LOG" 2>&1 &
    MOTO_PID=$!
    if ! wait_for_http "http://127.0.0.1:$port/moto-api/" 30; then
        echo "test.sh: moto_server did not answer on 127.0.0.1:$port within 30 s; its log:" >&2
        tail -n 30 "$MOTO_LOG" >&2
        return 1
    fi
    export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
    # Dummy credentials, and nothing from the developer's own AWS setup: no profile, no config
    # files, no instance metadata. Tests can only ever reach this loopback moto.
    export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
    export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
    export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
    unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE
    export RUNAWAY_GUARD_MOTO=1
    echo "test.sh: moto_server (pid $MOTO_PID) on $AWS_ENDPOINT_URL, log $MOTO_LOG"
}

# stop_moto — stops the server this script started (by its pid only).
stop_moto() {
    if [[ -n "$MOTO_PID" ]] && kill -0 "$MOTO_PID" 2>/dev/null; then
        kill "$MOTO_PID" 2>/dev/null || true
        wait "$MOTO_PID" 2>/dev/null || true
    fi
    MOTO_PID=""
}
