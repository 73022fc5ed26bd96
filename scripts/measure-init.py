#!/usr/bin/env python3
"""Measures the guard's Lambda-mode start-up: process start -> first Runtime API `next` request,
and the resident memory at that moment. Stands in for the Lambda Runtime API on 127.0.0.1 with the
standard library only, so nothing reaches AWS.

Usage: scripts/measure-init.py [BINARY] [RUNS]   (default target/release/runaway-guard, 20 runs)
Prints one line per run and the median; exits non-zero if the binary never asked for an event.
"""
import http.server
import os
import statistics
import subprocess
import sys
import threading
import time

BINARY = sys.argv[1] if len(sys.argv) > 1 else "target/release/runaway-guard"
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 20


class RuntimeApi(http.server.BaseHTTPRequestHandler):
    first_next = None

    def do_GET(self):  # noqa: N802 (http.server naming)
        if self.path.endswith("/invocation/next") and RuntimeApi.first_next is None:
            at = time.perf_counter()
            # Read RSS before publishing the time: the main thread kills the binary once it sees it.
            RuntimeApi.rss_kb = rss_kb(RuntimeApi.pid)
            RuntimeApi.first_next = at
        # Never answer: the measurement ends at the first request.
        time.sleep(2)

    def log_message(self, *args):
        pass


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def one_run():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RuntimeApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{server.server_address[1]}",
        "AWS_LAMBDA_FUNCTION_NAME": "runaway-guard",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_STREAM_NAME": "local",
        "AWS_LAMBDA_LOG_GROUP_NAME": "local",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        # Nothing from the developer's own AWS setup: no config files, no instance metadata.
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
        "RUNAWAY_GUARD_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:runaway-guard-alerts",
    }
    RuntimeApi.first_next = None
    start = time.perf_counter()
    proc = subprocess.Popen([BINARY], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    RuntimeApi.pid = proc.pid
    deadline = start + 5
    while RuntimeApi.first_next is None and time.perf_counter() < deadline:
        time.sleep(0.0005)
    proc.kill()
    proc.wait()
    server.shutdown()
    if RuntimeApi.first_next is None:
        return None, None
    return (RuntimeApi.first_next - start) * 1000, RuntimeApi.rss_kb


def main():
    inits, rsss = [], []
    for i in range(RUNS):
        ms, kb = one_run()
        if ms is None:
            print(f"run {i}: the binary never requested an event", file=sys.stderr)
            return 1
        inits.append(ms)
        if kb is not None:
            rsss.append(kb)
        print(f"run {i}: init {ms:.2f} ms, RSS {kb} kB")
    print(f"median init to first `next`: {statistics.median(inits):.2f} ms "
          f"(min {min(inits):.2f}, max {max(inits):.2f}); median RSS {statistics.median(rsss) / 1024 if rsss else float('nan'):.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
