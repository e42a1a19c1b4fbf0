//! `RpcError`: errors as Temporal's HTTP API answers them (google.rpc.Status JSON) with
//! gRPC codes mapped to HTTP statuses.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    Ok = 0,
    Canceled = 1,
    Unknown = 2,
    InvalidArgument = 3,
    DeadlineExceeded = 4,
    NotFound = 5,
    AlreadyExists = 6,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    FailedPrecondition = 9,
    Aborted = 10,
    OutOfRange = 11,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
    DataLoss = 15,
    Unauthenticated = 16,
}

impl Code {
    pub fn from_i32(n: i32) -> Code {
        use Code::*;
        match n {
            0 => Ok,
            1 => Canceled,
            3 => InvalidArgument,
            4 => DeadlineExceeded,
            5 => NotFound,
            6 => AlreadyExists,
            7 => PermissionDenied,
            8 => ResourceExhausted,
            9 => FailedPrecondition,
            10 => Aborted,
            11 => OutOfRange,
            12 => Unimplemented,
            13 => Internal,
            14 => Unavailable,
            15 => DataLoss,
            16 => Unauthenticated,
            _ => Unknown,
        }
    }

    /// The HTTP status grpc-gateway uses for this code.
    pub fn http_status(&self) -> u16 {
        use Code::*;
        match self {
            Ok => 200,
            Canceled => 499,
            Unknown => 500,
            InvalidArgument => 400,
            DeadlineExceeded => 504,
            NotFound => 404,
            AlreadyExists => 409,
            PermissionDenied => 403,
            ResourceExhausted => 429,
            FailedPrecondition => 400,
            Aborted => 409,
            OutOfRange => 400,
            Unimplemented => 501,
            Internal => 500,
            Unavailable => 503,
            DataLoss => 500,
            Unauthenticated => 401,
        }
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i32(*self as i32)
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Code::from_i32(i32::deserialize(d)?))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RpcError {
    pub code: Code,
    #[serde(default)]
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<serde_json::Value>,
}

pub const ALREADY_STARTED_TYPE: &str =
    "type.googleapis.com/temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure";

impl RpcError {
    pub fn new(code: Code, message: impl Into<String>) -> RpcError {
        RpcError { code, message: message.into(), details: Vec::new() }
    }
    pub fn invalid_argument(m: impl Into<String>) -> RpcError {
        RpcError::new(Code::InvalidArgument, m)
    }
    pub fn not_found(m: impl Into<String>) -> RpcError {
        RpcError::new(Code::NotFound, m)
    }
    pub fn failed_precondition(m: impl Into<String>) -> RpcError {
        RpcError::new(Code::FailedPrecondition, m)
    }
    pub fn internal(m: impl Into<String>) -> RpcError {
        RpcError::new(Code::Internal, m)
    }
    pub fn already_started(workflow_id: &str, run_id: &str, start_request_id: &str) -> RpcError {
        RpcError {
            code: Code::AlreadyExists,
            message: format!("Workflow execution is already running. WorkflowId: {workflow_id}, RunId: {run_id}."),
            details: vec![serde_json::json!({
                "@type": ALREADY_STARTED_TYPE,
                "startRequestId": start_request_id,
                "runId": run_id,
            })],
        }
    }
    pub fn http_status(&self) -> u16 {
        self.code.http_status()
    }
    /// The running run ID of a WorkflowExecutionAlreadyStarted error.
    pub fn already_started_run_id(&self) -> Option<&str> {
        self.details
            .iter()
            .find(|d| d.get("@type").and_then(|t| t.as_str()) == Some(ALREADY_STARTED_TYPE))
            .and_then(|d| d.get("runId"))
            .and_then(|r| r.as_str())
    }
}

impl fmt::Display for RpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)
    }
}

impl std::error::Error for RpcError {}
