//! Text output: a table per scenario and a sparkline of invocations per second per mechanism.
