//! Task tokens: where a task lives (namespace, workflow ID, run ID, scheduled event ID,
//! attempt), never an in-memory handle, so answers survive a restart and stale attempts
//! are refused.

use serde::{Deserialize, Serialize};
use workshop_protocol::RpcError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskToken {
    /// "wt" (workflow task) or "act" (activity task).
    pub kind: String,
    pub ns: String,
    pub wid: String,
    pub rid: String,
    /// Scheduled event ID of the task.
    pub sid: i64,
    pub attempt: i32,
}

impl TaskToken {
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("token serializes")
    }
    pub fn decode(bytes: &[u8], kind: &str) -> Result<TaskToken, RpcError> {
        if bytes.is_empty() {
            return Err(RpcError::invalid_argument("taskToken is missing"));
        }
        let t: TaskToken = serde_json::from_slice(bytes)
            .map_err(|_| RpcError::invalid_argument("taskToken is not a task token issued by this engine"))?;
        if t.kind != kind {
            let what = if kind == "wt" { "workflow task" } else { "activity task" };
            return Err(RpcError::invalid_argument(format!("taskToken is not a {what} token")));
        }
        Ok(t)
    }
}
