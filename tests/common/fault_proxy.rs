//! A fault-injecting HTTP/1.1 proxy between the guard and moto, on `127.0.0.1:0`.
//!
//! Each request is read whole (head + `Content-Length` body), named by its AWS operation (Lambda's REST
//! paths, the query protocol's `Action=`, the JSON protocols' `x-amz-target`), checked against a
//! per-operation fault script, and either answered with the fault (an error body shaped as the real
//! service shapes it, so the SDK classifies it as in production), or forwarded to moto and relayed.
//! Every connection carries one request (`Connection: close` both ways): no pooled connection can
//! outlive a fault, so the attempt log counts exactly the SDK's attempts.
//!
//! [`FaultProxy::one_at_a_time`] also forwards one request at a time. DynamoDB applies each
//! conditional write atomically; moto's server is threaded and its `UpdateItem` checks the
//! condition and then writes with no lock, so two racing writers can both pass one condition.
//! Serialising the forwarded requests restores DynamoDB's atomicity while the clients still race.

use std::collections::HashMap;
use std::io;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// `times` for a fault that never runs out.
pub const ALWAYS: u32 = u32::MAX;

/// Longest request head accepted (the SDK's are ~2 KB).
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// A failure the proxy plays instead of forwarding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 503 `ServiceUnavailable` (AWS's common error for a temporary server failure).
    Unavailable503,
    /// Throttling: Lambda's 429 `TooManyRequestsException`; the query APIs' 400 `Throttling`.
    Throttle,
    /// A TCP reset once the request is read (nothing reaches moto).
    Reset,
    /// The request reaches moto, then a TCP reset instead of its response: done, but the client can't know.
    LostResponse,
    /// No answer: the connection is held (nothing reaches moto) until the client gives up or this elapses.
    Hang(Duration),
    /// HTTP 403: Lambda's `AccessDeniedException`, SNS's `AuthorizationError`, else `AccessDenied`.
    Deny403,
    /// HTTP 404 `ResourceNotFoundException`: the function was deleted.
    NotFound404,
    /// HTTP 200 with this JSON body (nothing reaches moto): an answer to an API moto lacks, such as
    /// Lambda's `GetAccountSettings`.
    Answer(&'static str),
}

/// One request the proxy received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The AWS operation, e.g. `PutFunctionConcurrency`, `Publish`.
    pub op: String,
    /// The fault played, or `None` when forwarded to moto.
    pub fault: Option<Fault>,
}

#[derive(Default)]
struct State {
    /// Operation → (faults left to play, fault).
    script: HashMap<String, (u32, Fault)>,
    /// (operation, text the request path contains) → (faults left to play, fault).
    targeted: Vec<((String, String), (u32, Fault))>,
    log: Vec<Attempt>,
    /// Forward one request at a time (see the module documentation).
    one_at_a_time: bool,
}

/// A running proxy; stops when dropped.
pub struct FaultProxy {
    /// `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL`.
    pub url: String,
    state: Arc<Mutex<State>>,
    _stop: oneshot::Sender<()>,
}

impl FaultProxy {
    /// Starts a proxy in front of `upstream` (`http://127.0.0.1:PORT`) on its own thread and runtime,
    /// so a test may block on the guard's process while the proxy keeps serving.
    pub fn start(upstream: &str) -> FaultProxy {
        Self::with_state(upstream, State::default())
    }

    /// A proxy that forwards one request at a time, as DynamoDB applies conditional writes.
    pub fn one_at_a_time(upstream: &str) -> FaultProxy {
        Self::with_state(upstream, State { one_at_a_time: true, ..State::default() })
    }

    fn with_state(upstream: &str, state: State) -> FaultProxy {
        let upstream = upstream.trim_start_matches("http://").trim_end_matches('/').to_owned();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        listener.set_nonblocking(true).expect("non-blocking listener");
        let url = format!("http://{}", listener.local_addr().expect("proxy address"));
        let state = Arc::new(Mutex::new(state));
        let (stop, stopped) = oneshot::channel();
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            let runtime =
                tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async move {
                let listener = TcpListener::from_std(listener).expect("tokio listener");
                tokio::select! {
                    _ = serve(listener, upstream, shared) => {}
                    _ = stopped => {}
                }
            });
        });
        FaultProxy { url, state, _stop: stop }
    }

    /// Plays `fault` on the next `times` requests for `op` (replacing any script for `op`).
    pub fn fail(&self, op: &str, times: u32, fault: Fault) {
        self.lock().script.insert(op.to_owned(), (times, fault));
    }

    /// Plays `fault` on the next `times` requests for `op` whose path contains `target` (a
    /// function's name, say), before any script for `op` as a whole.
    pub fn fail_for(&self, op: &str, target: &str, times: u32, fault: Fault) {
        self.lock().targeted.push(((op.to_owned(), target.to_owned()), (times, fault)));
    }

    /// Forgets every fault script; the log is kept.
    pub fn clear_faults(&self) {
        let mut state = self.lock();
        state.script.clear();
        state.targeted.clear();
    }

    /// Returns and forgets the requests received so far.
    pub fn take_log(&self) -> Vec<Attempt> {
        std::mem::take(&mut self.lock().log)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The faults played on `op` in `log`, in order (`None`: forwarded).
pub fn attempts(log: &[Attempt], op: &str) -> Vec<Option<Fault>> {
    log.iter().filter(|a| a.op == op).map(|a| a.fault).collect()
}

async fn serve(listener: TcpListener, upstream: String, state: Arc<Mutex<State>>) {
    let turn = Arc::new(tokio::sync::Mutex::new(()));
    while let Ok((client, _)) = listener.accept().await {
        let (upstream, state, turn) = (upstream.clone(), Arc::clone(&state), Arc::clone(&turn));
        tokio::spawn(async move {
            // A client that hangs up mid-request is the guard giving up; nothing to report.
            let _ = one_exchange(client, &upstream, &state, &turn).await;
        });
    }
}

async fn one_exchange(
    mut client: TcpStream,
    upstream: &str,
    state: &Mutex<State>,
    turn: &tokio::sync::Mutex<()>,
) -> io::Result<()> {
    let request = read_request(&mut client).await?;
    let op = operation(&request);
    let (fault, one_at_a_time) = {
        let mut state = state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let path = &request.path;
        let targeted = state
            .targeted
            .iter_mut()
            .find(|((o, t), (left, _))| *o == op && path.contains(t.as_str()) && *left > 0);
        let scripted = match targeted {
            Some((_, script)) => Some(script),
            None => state.script.get_mut(&op),
        };
        let fault = match scripted {
            Some((left, fault)) if *left > 0 => {
                *left = left.saturating_sub(u32::from(*left != ALWAYS));
                Some(*fault)
            }
            _ => None,
        };
        state.log.push(Attempt { op, fault });
        (fault, state.one_at_a_time)
    };
    // Held until the answer is relayed, so moto has finished the request before the next starts.
    let _turn = if one_at_a_time { Some(turn.lock().await) } else { None };
    let response = match fault {
        None => forward(&request, upstream).await?,
        Some(fault @ (Fault::Reset | Fault::LostResponse)) => {
            if fault == Fault::LostResponse {
                forward(&request, upstream).await?;
            }
            client.set_zero_linger()?;
            return Ok(()); // dropping a zero-linger socket sends RST
        }
        Some(Fault::Hang(limit)) => {
            // Returns when the client closes (its attempt timeout) or the limit passes.
            let _ = tokio::time::timeout(limit, client.read(&mut [0u8; 1])).await;
            return Ok(());
        }
        Some(Fault::Answer(body)) => format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
        Some(fault) => error_response(&request, fault),
    };
    client.write_all(&response).await?;
    client.shutdown().await
}

struct Request {
    method: String,
    path: String,
    /// Header lines as received, without the request line.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

async fn read_request(stream: &mut TcpStream) -> io::Result<Request> {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD_BYTES || stream.read_buf(&mut buf).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let path = request_line.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut request = Request { method, path, headers, body: buf.split_off(head_end + 4) };
    let length: usize = request.header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    while request.body.len() < length {
        if stream.read_buf(&mut request.body).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
    }
    Ok(request)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The AWS operation a request calls.
fn operation(request: &Request) -> String {
    if let Some(target) = request.header("x-amz-target") {
        return target.rsplit('.').next().unwrap_or(target).to_owned();
    }
    let form = String::from_utf8_lossy(&request.body);
    if let Some(action) = form.split('&').find_map(|pair| pair.strip_prefix("Action=")) {
        return action.to_owned();
    }
    lambda_operation(&request.method, &request.path)
}

/// Lambda's restJson1 operations, by method and path (`/2019-09-30/functions/NAME/concurrency`, ...).
fn lambda_operation(method: &str, path: &str) -> String {
    let path = path.split('?').next().unwrap_or_default();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let op = match (method, segments.as_slice()) {
        ("GET", [_, "tags", _]) => "ListTags",
        ("POST", [_, "tags", _]) => "TagResource",
        ("DELETE", [_, "tags", _]) => "UntagResource",
        ("GET", [_, "functions", _, "configuration"]) => "GetFunctionConfiguration",
        ("GET", [_, "functions", _, "concurrency"]) => "GetFunctionConcurrency",
        ("PUT", [_, "functions", _, "concurrency"]) => "PutFunctionConcurrency",
        ("DELETE", [_, "functions", _, "concurrency"]) => "DeleteFunctionConcurrency",
        ("GET", [_, "functions", _, "event-invoke-config"]) => "GetFunctionEventInvokeConfig",
        ("PUT", [_, "functions", _, "event-invoke-config"]) => "PutFunctionEventInvokeConfig",
        ("DELETE", [_, "functions", _, "event-invoke-config"]) => "DeleteFunctionEventInvokeConfig",
        ("GET", [_, "functions"]) => "ListFunctions",
        ("GET", [_, "event-source-mappings"]) => "ListEventSourceMappings",
        ("PUT", [_, "event-source-mappings", _]) => "UpdateEventSourceMapping",
        ("GET", [_, "event-source-mappings", _]) => "GetEventSourceMapping",
        ("GET", [_, "account-settings"]) => "GetAccountSettings",
        ("POST", [_, "functions", _, "invocations"]) => "Invoke",
        _ => return format!("{method} {path}"),
    };
    op.to_owned()
}

/// Sends `request` to moto on a fresh connection and returns its response, marked `Connection: close`.
async fn forward(request: &Request, upstream: &str) -> io::Result<Vec<u8>> {
    let mut head = format!("{} {} HTTP/1.1\r\n", request.method, request.path);
    for (name, value) in request.headers.iter().filter(|(k, _)| !hop_by_hop(k)) {
        head += &format!("{name}: {value}\r\n");
    }
    head += "Connection: close\r\n\r\n";
    let mut moto = TcpStream::connect(upstream).await?;
    moto.write_all(head.as_bytes()).await?;
    moto.write_all(&request.body).await?;
    let mut response = Vec::new();
    moto.read_to_end(&mut response).await?;
    let head_end = find(&response, b"\r\n\r\n").ok_or(io::ErrorKind::InvalidData)?;
    let head = String::from_utf8_lossy(&response[..head_end]);
    let mut out: String = head
        .split("\r\n")
        .filter(|line| line.split_once(':').is_none_or(|(k, _)| !hop_by_hop(k.trim())))
        .map(|line| format!("{line}\r\n"))
        .collect();
    out += "Connection: close\r\n\r\n";
    let mut out = out.into_bytes();
    out.extend_from_slice(&response[head_end + 4..]);
    Ok(out)
}

fn hop_by_hop(header: &str) -> bool {
    ["connection", "keep-alive", "proxy-connection"].iter().any(|h| header.eq_ignore_ascii_case(h))
}

/// The error as the service sends it: Lambda (restJson1) names the code in `x-amzn-errortype` with a
/// JSON `message`; the query APIs (SNS, STS, CloudWatch) send an XML `ErrorResponse`.
fn error_response(request: &Request, fault: Fault) -> Vec<u8> {
    let query = request.header("content-type").is_some_and(|t| t.starts_with("application/x-www-form"));
    let sns = request.header("authorization").is_some_and(|a| a.contains("/sns/aws4_request"));
    let (status, reason, code, message) = match (fault, query) {
        (Fault::Throttle, false) => (429, "Too Many Requests", "TooManyRequestsException", "Rate exceeded"),
        (Fault::Throttle, true) => (400, "Bad Request", "Throttling", "Rate exceeded"),
        (Fault::Deny403, false) => (403, "Forbidden", "AccessDeniedException", "not authorized"),
        (Fault::Deny403, true) if sns => (403, "Forbidden", "AuthorizationError", "not authorized"),
        (Fault::Deny403, true) => (403, "Forbidden", "AccessDenied", "not authorized"),
        (Fault::NotFound404, _) => (404, "Not Found", "ResourceNotFoundException", "Function not found"),
        _ => (503, "Service Unavailable", "ServiceUnavailable", "Service is unavailable, try again"),
    };
    let request_id = "00000000-0000-4000-8000-000000000000";
    let (headers, body) = if query {
        let body = format!(
            "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message>\
             </Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        );
        ("Content-Type: text/xml\r\n".to_owned(), body)
    } else {
        let headers = format!("Content-Type: application/json\r\nx-amzn-ErrorType: {code}\r\n");
        (headers, format!(r#"{{"Type":"User","message":"{message}"}}"#))
    };
    format!(
        "HTTP/1.1 {status} {reason}\r\n{headers}x-amzn-RequestId: {request_id}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}
