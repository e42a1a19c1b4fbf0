//! The HTTP layer between every SDK part (client, worker) and the engine.
//!
//! The engine speaks HTTP/JSON on loopback: client calls on Temporal's HTTP API paths
//! (`/api/v1/namespaces/...`), worker calls as `POST /api/v1/rpc/{Method}`. This module
//! owns the connection pool, the timeouts (reads wait longer than the engine's 60 s long
//! poll), and the error mapping every caller relies on: "nobody is listening"
//! ([`TransportError::Unreachable`], retry with backoff or tell the learner to start a
//! server) is kept apart from "the engine answered with an error"
//! ([`TransportError::Rpc`], carrying the engine's [`RpcError`]).
//!
//! ureq is blocking; each call runs on tokio's blocking pool so the async SDK never stalls
//! a runtime thread (the machine may have two cores).

use std::fmt;
use std::io;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use workshop_protocol::error::{Code, RpcError};

/// The address `workshop server` listens on unless told otherwise.
pub const DEFAULT_ADDRESS: &str = "127.0.0.1:7233";

/// Environment variable that overrides [`DEFAULT_ADDRESS`] (as `TEMPORAL_ADDRESS` does for
/// the `temporal` CLI).
pub const ADDRESS_ENV: &str = "WORKSHOP_ADDRESS";

/// How long a call may wait for the engine's answer. Long polls (task queues, the history
/// close event) answer after at most 60 s, so this must sit above that.
pub const READ_TIMEOUT: Duration = Duration::from_secs(75);

/// Connecting to a loopback port either works at once or is refused; a slow connect means
/// something is badly wrong, and a worker should rather retry.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Largest response body we read. A history page is about 1,000 events; a whole history
/// may reach the engine's 50 MB limit, which `workflow show` still has to read.
const MAX_BODY_BYTES: u64 = 256 * 1024 * 1024;

/// Why a call to the engine did not produce the expected answer.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// Nothing answered at the address (connection refused, reset, or the process died
    /// mid-answer). Workers retry these with backoff; the CLI tells the user to start a
    /// server.
    #[error("no workshop server at {address}: start one with `workshop server`")]
    Unreachable {
        address: String,
        #[source]
        source: io::Error,
    },
    /// The engine did not answer within [`READ_TIMEOUT`].
    #[error("the workshop server at {address} did not answer {what} within {}s", .timeout.as_secs())]
    Timeout {
        address: String,
        what: String,
        timeout: Duration,
    },
    /// The engine answered with an error status; `error` is what it said.
    #[error("{error}")]
    Rpc {
        /// The HTTP status of the answer (404, 409, ...).
        status: u16,
        error: RpcError,
    },
    /// The engine answered 200 but the body is not the message we expected: a version
    /// mismatch between this SDK and the engine, or a bug.
    #[error("unexpected answer from the workshop server to {what}: {message}")]
    Decode { what: String, message: String },
    /// The request could not be built (bad address, unserializable input).
    #[error("{0}")]
    Request(String),
}

impl TransportError {
    /// True when nothing answered at the address: the worker should back off and retry,
    /// the CLI should say "start a server".
    pub fn is_unreachable(&self) -> bool {
        matches!(self, TransportError::Unreachable { .. })
    }

    /// True when nothing listened at the address (as opposed to a connection that broke
    /// mid-call, which means a server was there).
    pub fn is_connection_refused(&self) -> bool {
        matches!(self, TransportError::Unreachable { source, .. } if source.kind() == io::ErrorKind::ConnectionRefused)
    }

    /// The engine's error, when it answered with one.
    pub fn rpc_error(&self) -> Option<&RpcError> {
        match self {
            TransportError::Rpc { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The gRPC code of the engine's answer, when it answered with an error.
    pub fn code(&self) -> Option<Code> {
        self.rpc_error().map(|e| e.code)
    }

    /// True for the engine's NotFound (unknown namespace, workflow, or task token).
    pub fn is_not_found(&self) -> bool {
        self.code() == Some(Code::NotFound)
    }

    /// True when trying the same call again later can succeed: the engine is down,
    /// slow, or says it is temporarily unable. Everything else needs a different request.
    pub fn is_retryable(&self) -> bool {
        match self {
            TransportError::Unreachable { .. } | TransportError::Timeout { .. } => true,
            TransportError::Rpc { error, .. } => matches!(
                error.code,
                Code::Unavailable | Code::ResourceExhausted | Code::DeadlineExceeded
            ),
            TransportError::Decode { .. } | TransportError::Request(_) => false,
        }
    }
}

/// A cheap-to-clone handle on the engine's HTTP API. One per process is plenty: it pools
/// connections.
#[derive(Clone)]
pub struct Transport {
    agent: ureq::Agent,
    /// `http://host:port`, no trailing slash.
    base_url: String,
    /// `host:port`, as people type it; used in messages.
    address: String,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("address", &self.address)
            .finish()
    }
}

impl Transport {
    /// A transport for the engine at `address`: `127.0.0.1:7233`, `localhost:7233`, or a
    /// URL `http://127.0.0.1:7233`. No connection is made until the first call.
    pub fn new(address: &str) -> Result<Transport, TransportError> {
        let (base_url, address) = normalize_address(address)?;
        let config = ureq::Agent::config_builder()
            // Error statuses carry the engine's RpcError in the body; we read it ourselves.
            .http_status_as_error(false)
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_recv_response(Some(READ_TIMEOUT))
            .timeout_recv_body(Some(READ_TIMEOUT))
            .timeout_send_body(Some(READ_TIMEOUT))
            .user_agent(concat!("workshop-sdk/", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(Transport {
            agent: config.new_agent(),
            base_url,
            address,
        })
    }

    /// `host:port` of the engine, as shown in messages.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// `http://host:port` of the engine.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// A worker call: `POST /api/v1/rpc/{method}` with `req` as protobuf-JSON.
    pub async fn post_rpc<Req, Resp>(&self, method: &str, req: &Req) -> Result<Resp, TransportError>
    where
        Req: Serialize + ?Sized,
        Resp: DeserializeOwned + Send + 'static,
    {
        self.post(&format!("/api/v1/rpc/{method}"), req).await
    }

    /// `GET {path}` with query parameters (encoded here); `path` starts with `/` and its
    /// segments are already encoded (see [`path_segment`]).
    pub async fn get<Resp>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Resp, TransportError>
    where
        Resp: DeserializeOwned + Send + 'static,
    {
        let call = Call {
            agent: self.agent.clone(),
            address: self.address.clone(),
            url: format!("{}{path}", self.base_url),
            what: format!("GET {path}"),
            query: query
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            body: None,
        };
        run_blocking(call).await
    }

    /// `POST {path}` with `body` as JSON; `path` starts with `/` and its segments are
    /// already encoded (see [`path_segment`]).
    pub async fn post<Req, Resp>(&self, path: &str, body: &Req) -> Result<Resp, TransportError>
    where
        Req: Serialize + ?Sized,
        Resp: DeserializeOwned + Send + 'static,
    {
        let body = serde_json::to_vec(body).map_err(|e| {
            TransportError::Request(format!("cannot encode the request to {path}: {e}"))
        })?;
        let call = Call {
            agent: self.agent.clone(),
            address: self.address.clone(),
            url: format!("{}{path}", self.base_url),
            what: format!("POST {path}"),
            query: Vec::new(),
            body: Some(body),
        };
        run_blocking(call).await
    }
}

/// Percent-encodes one path segment (a workflow ID may hold `/`, spaces, anything).
pub fn path_segment(segment: &str) -> String {
    percent_encoding::utf8_percent_encode(segment, SEGMENT).to_string()
}

/// Everything but RFC 3986 unreserved characters is encoded.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Splits what a user typed into (`http://host:port`, `host:port`).
fn normalize_address(input: &str) -> Result<(String, String), TransportError> {
    let trimmed = input.trim();
    if let Some(rest) = trimmed.strip_prefix("https://") {
        return Err(TransportError::Request(format!(
            "`{trimmed}`: the workshop server speaks plain HTTP on your machine; use http://{} or just the host:port",
            rest.trim_end_matches('/')
        )));
    }
    let host_port = trimmed
        .strip_prefix("http://")
        .unwrap_or(trimmed)
        .trim_end_matches('/');
    if host_port.is_empty() || host_port.contains('/') || host_port.contains("://") {
        return Err(TransportError::Request(format!(
            "`{input}` is not a server address: expected host:port, e.g. {DEFAULT_ADDRESS}"
        )));
    }
    let host_port = if host_port.starts_with(':') {
        format!("127.0.0.1{host_port}")
    } else if !has_port(host_port) {
        format!("{host_port}:7233")
    } else {
        host_port.to_string()
    };
    Ok((format!("http://{host_port}"), host_port))
}

fn has_port(host_port: &str) -> bool {
    // `[::1]:7233` or `host:7233`; a bare IPv6 literal has several colons and no brackets.
    match host_port.rsplit_once(':') {
        Some((host, port)) => {
            !port.is_empty()
                && port.bytes().all(|b| b.is_ascii_digit())
                && (!host.contains(':') || host.ends_with(']'))
        }
        None => false,
    }
}

/// One HTTP exchange, owned so it can move onto the blocking pool.
struct Call {
    agent: ureq::Agent,
    address: String,
    url: String,
    what: String,
    query: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

async fn run_blocking<Resp>(call: Call) -> Result<Resp, TransportError>
where
    Resp: DeserializeOwned + Send + 'static,
{
    match tokio::task::spawn_blocking(move || call.run()).await {
        Ok(result) => result,
        Err(join_error) if join_error.is_panic() => {
            std::panic::resume_unwind(join_error.into_panic())
        }
        Err(_) => Err(TransportError::Request(
            "the runtime shut down during a call to the workshop server".into(),
        )),
    }
}

impl Call {
    fn run<Resp: DeserializeOwned>(self) -> Result<Resp, TransportError> {
        let result = match &self.body {
            Some(body) => self
                .agent
                .post(&self.url)
                .header("content-type", "application/json")
                .send(&body[..]),
            None => self
                .agent
                .get(&self.url)
                .query_pairs(self.query.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .call(),
        };
        let mut response = result.map_err(|e| self.map_ureq_error(e))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY_BYTES)
            .read_to_vec()
            .map_err(|e| self.map_ureq_error(e))?;
        if (200..300).contains(&status) {
            // Some answers (terminate, signal) have an empty body; read it as `{}`.
            let bytes: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
                b"{}"
            } else {
                &body
            };
            serde_json::from_slice(bytes).map_err(|e| TransportError::Decode {
                what: self.what.clone(),
                message: format!("{e} (body starts with {:?})", excerpt(&body)),
            })
        } else {
            Err(TransportError::Rpc {
                status,
                error: rpc_error_from_body(status, &body),
            })
        }
    }

    fn map_ureq_error(&self, error: ureq::Error) -> TransportError {
        match error {
            ureq::Error::Io(source) if is_unreachable_kind(source.kind()) => {
                TransportError::Unreachable {
                    address: self.address.clone(),
                    source,
                }
            }
            ureq::Error::Io(source) if source.kind() == io::ErrorKind::TimedOut => self.timeout(),
            ureq::Error::ConnectionFailed => TransportError::Unreachable {
                address: self.address.clone(),
                source: io::Error::new(io::ErrorKind::ConnectionRefused, "connection failed"),
            },
            ureq::Error::HostNotFound => TransportError::Unreachable {
                address: self.address.clone(),
                source: io::Error::new(io::ErrorKind::NotFound, "host not found"),
            },
            ureq::Error::Timeout(ureq::Timeout::Connect) => TransportError::Unreachable {
                address: self.address.clone(),
                source: io::Error::new(io::ErrorKind::TimedOut, "connect timed out"),
            },
            ureq::Error::Timeout(_) => self.timeout(),
            ureq::Error::Protocol(e) => TransportError::Unreachable {
                // A half-written answer means the server died mid-call.
                address: self.address.clone(),
                source: io::Error::other(e.to_string()),
            },
            other => TransportError::Request(format!(
                "{} to {} failed: {other}",
                self.what, self.address
            )),
        }
    }

    fn timeout(&self) -> TransportError {
        TransportError::Timeout {
            address: self.address.clone(),
            what: self.what.clone(),
            timeout: READ_TIMEOUT,
        }
    }
}

fn is_unreachable_kind(kind: io::ErrorKind) -> bool {
    use io::ErrorKind::*;
    matches!(
        kind,
        ConnectionRefused
            | ConnectionReset
            | ConnectionAborted
            | NotConnected
            | BrokenPipe
            | UnexpectedEof
            | AddrNotAvailable
    )
}

/// The engine answers errors as `RpcError` JSON; anything else (a proxy, an old engine,
/// the router's own 404) is wrapped with the code that fits its HTTP status.
fn rpc_error_from_body(status: u16, body: &[u8]) -> RpcError {
    if let Ok(error) = serde_json::from_slice::<RpcError>(body) {
        return error;
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    RpcError {
        code: code_for_status(status),
        message: if text.is_empty() {
            format!("HTTP {status}")
        } else {
            format!("HTTP {status}: {text}")
        },
        details: Vec::new(),
    }
}

/// gRPC code for an HTTP status, as grpc-gateway maps them the other way.
fn code_for_status(status: u16) -> Code {
    match status {
        400 => Code::InvalidArgument,
        404 => Code::NotFound,
        409 => Code::AlreadyExists,
        412 => Code::FailedPrecondition,
        429 => Code::ResourceExhausted,
        499 => Code::Canceled,
        503 => Code::Unavailable,
        504 => Code::DeadlineExceeded,
        _ => Code::Internal,
    }
}

fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    text.chars().take(120).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_normalized() {
        let cases = [
            ("127.0.0.1:7233", "http://127.0.0.1:7233", "127.0.0.1:7233"),
            (
                "http://127.0.0.1:8080/",
                "http://127.0.0.1:8080",
                "127.0.0.1:8080",
            ),
            ("localhost", "http://localhost:7233", "localhost:7233"),
            (":9000", "http://127.0.0.1:9000", "127.0.0.1:9000"),
            ("[::1]:7233", "http://[::1]:7233", "[::1]:7233"),
            (" 127.0.0.1:1 ", "http://127.0.0.1:1", "127.0.0.1:1"),
        ];
        for (input, url, address) in cases {
            let (u, a) = normalize_address(input).unwrap();
            assert_eq!((u.as_str(), a.as_str()), (url, address), "input {input:?}");
        }
    }

    #[test]
    fn bad_addresses_are_refused_with_a_hint() {
        for input in ["", "http://", "http://host:1/api", "ftp://x:1"] {
            assert!(
                normalize_address(input).is_err(),
                "{input:?} should be refused"
            );
        }
        let err = normalize_address("https://127.0.0.1:7233")
            .unwrap_err()
            .to_string();
        assert!(err.contains("plain HTTP"), "{err}");
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(path_segment("order-42_a.b~c"), "order-42_a.b~c");
        assert_eq!(path_segment("a/b c?d#e%"), "a%2Fb%20c%3Fd%23e%25");
    }

    #[test]
    fn engine_errors_are_read_from_the_body() {
        let body = br#"{"code":6,"message":"Workflow execution is already running. WorkflowId: w, RunId: r.","details":[]}"#;
        let error = rpc_error_from_body(409, body);
        assert_eq!(error.code, Code::AlreadyExists);
        assert!(error.message.contains("already running"));
    }

    #[test]
    fn foreign_error_bodies_get_a_code_from_the_status() {
        let error = rpc_error_from_body(404, b"Not Found");
        assert_eq!(error.code, Code::NotFound);
        assert_eq!(error.message, "HTTP 404: Not Found");
        let error = rpc_error_from_body(500, b"");
        assert_eq!(error.code, Code::Internal);
        assert_eq!(error.message, "HTTP 500");
    }

    /// A one-shot HTTP server that answers the first request with `response`.
    fn serve_once(response: &'static str) -> Transport {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            // Read the request head and body (small) before answering.
            let mut buf = [0u8; 4096];
            let mut seen = Vec::new();
            while !String::from_utf8_lossy(&seen).contains("\r\n\r\n") {
                let n = stream.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                seen.extend_from_slice(&buf[..n]);
            }
            stream.write_all(response.as_bytes()).unwrap();
        });
        Transport::new(&format!("127.0.0.1:{port}")).unwrap()
    }

    #[tokio::test]
    async fn an_engine_error_carries_status_code_and_message() {
        let body = r#"{"code":5,"message":"workflow execution not found"}"#;
        let response: &'static str = Box::leak(
            format!("HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len())
                .into_boxed_str(),
        );
        let transport = serve_once(response);
        let err = transport
            .get::<serde_json::Value>("/api/v1/namespaces/default/workflows/x", &[])
            .await
            .unwrap_err();
        assert!(!err.is_unreachable());
        assert!(err.is_not_found());
        assert!(!err.is_retryable());
        match &err {
            TransportError::Rpc { status, error } => {
                assert_eq!(*status, 404);
                assert_eq!(error.message, "workflow execution not found");
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn empty_and_unexpected_bodies() {
        let transport =
            serve_once("HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        let empty: serde_json::Value = transport
            .post("/api/v1/x", &serde_json::json!({}))
            .await
            .unwrap();
        assert_eq!(empty, serde_json::json!({}));
        let transport =
            serve_once("HTTP/1.1 200 OK\r\ncontent-length: 5\r\nconnection: close\r\n\r\nhello");
        let err = transport
            .post_rpc::<_, serde_json::Value>("DescribeTaskQueue", &serde_json::json!({}))
            .await
            .unwrap_err();
        assert!(matches!(err, TransportError::Decode { .. }), "{err:?}");
        assert!(
            err.to_string()
                .contains("POST /api/v1/rpc/DescribeTaskQueue"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_closed_port_is_unreachable_not_an_engine_error() {
        // Bind then drop to get a port nobody listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let transport = Transport::new(&format!("127.0.0.1:{port}")).unwrap();
        let err = transport
            .post_rpc::<_, serde_json::Value>("PollWorkflowTaskQueue", &serde_json::json!({}))
            .await
            .unwrap_err();
        assert!(err.is_unreachable(), "{err:?}");
        assert!(err.is_connection_refused(), "{err:?}");
        assert!(err.is_retryable());
        assert_eq!(
            err.to_string(),
            format!("no workshop server at 127.0.0.1:{port}: start one with `workshop server`")
        );
    }
}
