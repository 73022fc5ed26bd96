//! The real binary in Lambda mode under cargo-lambda's Runtime API emulator (`cargo lambda watch
//! --only-lambda-apis`), invoked with `cargo lambda invoke`. `scripts/test.sh` puts cargo-lambda on PATH.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::guard::binary;

/// Kills and reaps the child it owns, whatever way the test ends.
pub struct Reaped(pub Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local address").port()
}

fn wait_for_port(port: u16, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("cargo lambda watch exited early: {status}");
        }
        assert!(Instant::now() < deadline, "cargo lambda watch did not listen on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The emulator plus the guard connected to it.
pub struct Lambda {
    port: u16,
    _emulator: Reaped,
    _guard: Reaped,
}

impl Lambda {
    /// The guard alerting to `topic`, its own output discarded.
    pub fn start(topic: &str) -> Lambda {
        Self::start_with(topic, &[], None)
    }

    /// The guard alerting to `topic` with extra environment `env`; its stdout and stderr are appended
    /// to `log` when given (a file, so a chatty guard can never block on a full pipe).
    pub fn start_with(topic: &str, env: &[(&str, &str)], log: Option<&Path>) -> Lambda {
        let port = free_port();
        let mut emulator = Command::new("cargo")
            .args(["lambda", "watch", "--only-lambda-apis", "-A", "127.0.0.1", "-P", &port.to_string()])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn `cargo lambda watch` (scripts/test.sh puts cargo-lambda on PATH)");
        wait_for_port(port, &mut emulator);
        let emulator = Reaped(emulator);
        let mut command = Command::new(binary());
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy().into_owned();
            if key.starts_with("RUNAWAY_GUARD_") || key.starts_with("AWS_LAMBDA_") || key == "RUST_LOG" {
                command.env_remove(key);
            }
        }
        command
            .env("AWS_LAMBDA_RUNTIME_API", format!("http://127.0.0.1:{port}/.rt"))
            .env("AWS_LAMBDA_FUNCTION_NAME", "_")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("RUNAWAY_GUARD_TOPIC_ARN", topic)
            // As the module deploys it (the key exists in every test account, see `Moto::start`).
            .env("RUNAWAY_GUARD_RECORD_KEY_ARN", super::RECORD_KEY_ARN)
            .envs(env.iter().copied());
        let (stdout, stderr) = match log {
            Some(path) => {
                let file =
                    std::fs::OpenOptions::new().create(true).append(true).open(path).expect("log file");
                (Stdio::from(file.try_clone().expect("clone log file")), Stdio::from(file))
            }
            None => (Stdio::null(), Stdio::null()),
        };
        let guard = command.stdout(stdout).stderr(stderr).spawn().expect("spawn the guard in Lambda mode");
        Lambda { port, _emulator: emulator, _guard: Reaped(guard) }
    }

    /// `cargo lambda invoke` with `event`: whether it succeeded, and its output.
    pub fn invoke_raw(&self, event: &[u8]) -> (bool, String) {
        let file = tempfile::NamedTempFile::new().expect("temp file");
        std::fs::write(file.path(), event).expect("write event");
        let mut invoke = Command::new("cargo");
        invoke.args([
            "lambda",
            "invoke",
            "-A",
            "127.0.0.1",
            "-P",
            &self.port.to_string(),
            "_",
            "--data-file",
        ]);
        let out = invoke.arg(file.path()).stdin(Stdio::null()).output().expect("run cargo lambda invoke");
        let text =
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.success(), text)
    }

    /// `cargo lambda invoke` with `event`; the guard's JSON answer.
    pub fn invoke(&self, event: &[u8]) -> Value {
        let (ok, text) = self.invoke_raw(event);
        assert!(ok, "invoke failed: {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("answer is not JSON ({e}): {text}"))
    }
}
