//! Commands: what a workflow task's completion asks the engine to do. JSON form
//! `{"commandType":"COMMAND_TYPE_X","xCommandAttributes":{...},"userMetadata":{...}}`.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::common::{ActivityType, RetryPolicy, TaskQueue, UserMetadata, WorkflowType};
use crate::failure::Failure;
use crate::json::{int64, is_zero_i64, opt_duration};
use crate::payload::Payloads;

type Extra = Map<String, Value>;

#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub attributes: CommandAttributes,
    pub user_metadata: Option<UserMetadata>,
}

macro_rules! commands {
    ($($variant:ident($attrs:ident) = $name:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum CommandType { $($variant,)* }

        impl CommandType {
            pub const ALL: &'static [CommandType] = &[$(CommandType::$variant,)*];
            pub fn as_str(&self) -> &'static str {
                match self { $(CommandType::$variant => $name,)* }
            }
            pub fn short_name(&self) -> &'static str {
                match self { $(CommandType::$variant => stringify!($variant),)* }
            }
            /// lowerCamel(type) + "CommandAttributes".
            pub fn attributes_key(&self) -> String {
                let short = self.short_name();
                let mut k = String::new();
                let mut cs = short.chars();
                if let Some(c) = cs.next() { k.push(c.to_ascii_lowercase()); }
                k.extend(cs);
                k.push_str("CommandAttributes");
                k
            }
        }

        impl std::str::FromStr for CommandType {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                CommandType::ALL
                    .iter()
                    .find(|t| t.as_str() == s || t.short_name() == s || t.as_str().strip_prefix("COMMAND_TYPE_") == Some(s))
                    .copied()
                    .ok_or_else(|| format!("unknown command type {s:?}"))
            }
        }

        #[derive(Debug, Clone, PartialEq)]
        pub enum CommandAttributes { $($variant($attrs),)* }

        impl CommandAttributes {
            pub fn command_type(&self) -> CommandType {
                match self { $(CommandAttributes::$variant(_) => CommandType::$variant,)* }
            }
            pub fn to_value(&self) -> Result<Value, serde_json::Error> {
                match self { $(CommandAttributes::$variant(a) => serde_json::to_value(a),)* }
            }
            pub fn from_value(t: CommandType, v: Value) -> Result<Self, serde_json::Error> {
                match t { $(CommandType::$variant => Ok(CommandAttributes::$variant(serde_json::from_value(v)?)),)* }
            }
        }

        $(impl From<$attrs> for CommandAttributes {
            fn from(a: $attrs) -> Self { CommandAttributes::$variant(a) }
        })*
    };
}

commands! {
    ScheduleActivityTask(ScheduleActivityTaskCommandAttributes) = "COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK",
    RequestCancelActivityTask(RequestCancelActivityTaskCommandAttributes) = "COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK",
    StartTimer(StartTimerCommandAttributes) = "COMMAND_TYPE_START_TIMER",
    CompleteWorkflowExecution(CompleteWorkflowExecutionCommandAttributes) = "COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION",
    FailWorkflowExecution(FailWorkflowExecutionCommandAttributes) = "COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION",
    CancelTimer(CancelTimerCommandAttributes) = "COMMAND_TYPE_CANCEL_TIMER",
    CancelWorkflowExecution(CancelWorkflowExecutionCommandAttributes) = "COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION",
    RecordMarker(RecordMarkerCommandAttributes) = "COMMAND_TYPE_RECORD_MARKER",
    ContinueAsNewWorkflowExecution(ContinueAsNewWorkflowExecutionCommandAttributes) = "COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION",
}

impl fmt::Display for CommandType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CommandType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CommandType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(D::Error::custom)
    }
}

impl Command {
    pub fn new(attributes: impl Into<CommandAttributes>) -> Command {
        Command { attributes: attributes.into(), user_metadata: None }
    }
    pub fn with_user_metadata(mut self, m: UserMetadata) -> Command {
        self.user_metadata = Some(m);
        self
    }
    pub fn command_type(&self) -> CommandType {
        self.attributes.command_type()
    }
}

impl Serialize for Command {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let t = self.command_type();
        let mut m = Map::new();
        m.insert("commandType".into(), Value::String(t.as_str().into()));
        m.insert(t.attributes_key(), self.attributes.to_value().map_err(serde::ser::Error::custom)?);
        if let Some(um) = &self.user_metadata {
            m.insert("userMetadata".into(), serde_json::to_value(um).map_err(serde::ser::Error::custom)?);
        }
        Value::Object(m).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Command {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Value::Object(mut m) = Value::deserialize(d)? else {
            return Err(D::Error::custom("a command must be a JSON object"));
        };
        let t: CommandType = match m.get("commandType") {
            Some(Value::String(s)) => s.parse().map_err(D::Error::custom)?,
            _ => return Err(D::Error::custom("a command needs a commandType string")),
        };
        let key = t.attributes_key();
        let attrs = m.remove(&key).unwrap_or(Value::Object(Map::new()));
        let attributes =
            CommandAttributes::from_value(t, attrs).map_err(|e| D::Error::custom(format!("{key}: {e}")))?;
        let user_metadata = match m.remove("userMetadata") {
            Some(v) => Some(serde_json::from_value(v).map_err(|e| D::Error::custom(format!("userMetadata: {e}")))?),
            None => None,
        };
        Ok(Command { attributes, user_metadata })
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleActivityTaskCommandAttributes {
    #[serde(default)]
    pub activity_id: String,
    #[serde(default)]
    pub activity_type: ActivityType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_queue: Option<TaskQueue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Payloads>,
    #[serde(default, with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub schedule_to_close_timeout: Option<Duration>,
    #[serde(default, with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub schedule_to_start_timeout: Option<Duration>,
    #[serde(default, with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub start_to_close_timeout: Option<Duration>,
    #[serde(default, with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub heartbeat_timeout: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_policy: Option<RetryPolicy>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestCancelActivityTaskCommandAttributes {
    #[serde(default, with = "int64", skip_serializing_if = "is_zero_i64")]
    pub scheduled_event_id: i64,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartTimerCommandAttributes {
    #[serde(default)]
    pub timer_id: String,
    #[serde(default, with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub start_to_fire_timeout: Option<Duration>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelTimerCommandAttributes {
    #[serde(default)]
    pub timer_id: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompleteWorkflowExecutionCommandAttributes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Payloads>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailWorkflowExecutionCommandAttributes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelWorkflowExecutionCommandAttributes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Payloads>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordMarkerCommandAttributes {
    #[serde(default)]
    pub marker_name: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<String, Payloads>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContinueAsNewWorkflowExecutionCommandAttributes {
    #[serde(default)]
    pub workflow_type: WorkflowType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_queue: Option<TaskQueue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Payloads>,
    #[serde(default, with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub workflow_run_timeout: Option<Duration>,
    #[serde(default, with = "opt_duration", skip_serializing_if = "Option::is_none")]
    pub workflow_task_timeout: Option<Duration>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_json() {
        let c = Command::new(StartTimerCommandAttributes {
            timer_id: "1".into(),
            start_to_fire_timeout: Some(Duration::from_secs(10)),
        });
        let s = serde_json::to_string(&c).unwrap();
        assert_eq!(
            s,
            r#"{"commandType":"COMMAND_TYPE_START_TIMER","startTimerCommandAttributes":{"timerId":"1","startToFireTimeout":"10s"}}"#
        );
        let back: Command = serde_json::from_str(&s).unwrap();
        assert_eq!(back, c);
        assert!(serde_json::from_str::<Command>(r#"{"commandType":"COMMAND_TYPE_NOPE"}"#).is_err());
    }
}
