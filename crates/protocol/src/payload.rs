//! Payloads: the opaque values (inputs, results, details) carried by events and commands,
//! in Temporal's two JSON forms: CLI form (base64 metadata and data) and the HTTP API's
//! shorthand (decoded JSON values).

use std::collections::BTreeMap;

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::json::base64_bytes;

pub const ENCODING_JSON: &[u8] = b"json/plain";

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Payload {
    pub metadata: BTreeMap<String, Vec<u8>>,
    pub data: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum PayloadError {
    #[error("payload encoding is {0:?}, not json/plain")]
    NotJson(String),
    #[error("payload does not decode: {0}")]
    Decode(#[from] serde_json::Error),
}

impl Payload {
    /// A json/plain payload of `value` (compact serde_json bytes, keys in struct order).
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Payload, serde_json::Error> {
        Ok(Payload::from_json_bytes(serde_json::to_vec(value)?))
    }

    pub fn from_json_bytes(data: Vec<u8>) -> Payload {
        let mut metadata = BTreeMap::new();
        metadata.insert("encoding".to_string(), ENCODING_JSON.to_vec());
        Payload { metadata, data }
    }

    pub fn encoding(&self) -> Option<String> {
        self.metadata.get("encoding").map(|e| String::from_utf8_lossy(e).into_owned())
    }

    pub fn is_json(&self) -> bool {
        self.metadata.get("encoding").map(|e| e.as_slice()) == Some(ENCODING_JSON)
    }

    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, PayloadError> {
        if !self.is_json() {
            return Err(PayloadError::NotJson(self.encoding().unwrap_or_default()));
        }
        Ok(serde_json::from_slice(&self.data)?)
    }

    /// The decoded value, or a description for payloads that are not JSON.
    pub fn to_json_value(&self) -> Value {
        if self.is_json()
            && let Ok(v) = serde_json::from_slice::<Value>(&self.data) {
                return v;
            }
        Value::String(format!(
            "<{} bytes, encoding {}>",
            self.data.len(),
            self.encoding().unwrap_or_else(|| "unknown".into())
        ))
    }

    /// Size as the 2 MB limit counts it.
    pub fn size(&self) -> usize {
        self.data.len() + self.metadata.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>()
    }
}

#[derive(Serialize, Deserialize)]
struct CliPayload {
    #[serde(default)]
    metadata: BTreeMap<String, Base64>,
    #[serde(default, with = "base64_bytes", skip_serializing_if = "Vec::is_empty")]
    data: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct Base64(#[serde(with = "base64_bytes")] Vec<u8>);

impl Serialize for Payload {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        CliPayload {
            metadata: self.metadata.iter().map(|(k, v)| (k.clone(), Base64(v.clone()))).collect(),
            data: self.data.clone(),
        }
        .serialize(s)
    }
}

/// True when `v` has the CLI payload shape (`metadata` object, optional base64 `data`).
fn looks_like_cli_payload(v: &Value) -> bool {
    let Some(obj) = v.as_object() else { return false };
    let Some(Value::Object(meta)) = obj.get("metadata") else { return false };
    obj.keys().all(|k| k == "metadata" || k == "data")
        && meta.values().all(|m| m.is_string())
        && obj.get("data").is_none_or(|d| d.is_string())
}

impl Payload {
    /// Reads either form: CLI (`{"metadata":..,"data":..}`) or shorthand (any other value).
    pub fn from_value(v: Value) -> Result<Payload, String> {
        if looks_like_cli_payload(&v) {
            let cli: CliPayload = serde_json::from_value(v).map_err(|e| e.to_string())?;
            Ok(Payload {
                metadata: cli.metadata.into_iter().map(|(k, v)| (k, v.0)).collect(),
                data: cli.data,
            })
        } else {
            Ok(Payload::from_json_bytes(serde_json::to_vec(&v).map_err(|e| e.to_string())?))
        }
    }
}

impl<'de> Deserialize<'de> for Payload {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Payload::from_value(Value::deserialize(d)?).map_err(D::Error::custom)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Payloads {
    pub payloads: Vec<Payload>,
}

impl Payloads {
    pub fn single(p: Payload) -> Payloads {
        Payloads { payloads: vec![p] }
    }
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Payloads, serde_json::Error> {
        Ok(Payloads::single(Payload::json(value)?))
    }
    pub fn first(&self) -> Option<&Payload> {
        self.payloads.first()
    }
    /// Decodes the first payload.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, PayloadError> {
        match self.payloads.first() {
            Some(p) => p.decode(),
            None => Ok(serde_json::from_value(Value::Null)?),
        }
    }
    pub fn size(&self) -> usize {
        self.payloads.iter().map(Payload::size).sum()
    }
}

impl Serialize for Payloads {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry("payloads", &self.payloads)?;
        m.end()
    }
}

impl<'de> Deserialize<'de> for Payloads {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        let items = match v {
            Value::Array(items) => items,
            Value::Object(mut obj) if obj.len() <= 1 && obj.get("payloads").is_some_and(Value::is_array) => {
                match obj.remove("payloads") {
                    Some(Value::Array(items)) => items,
                    _ => unreachable!(),
                }
            }
            Value::Object(obj) if obj.is_empty() => Vec::new(),
            other => {
                return Err(D::Error::custom(format!(
                    "expected payloads ({{\"payloads\":[...]}} or a JSON array of values), got {}",
                    crate::history::describe_value(&other)
                )));
            }
        };
        let payloads = items
            .into_iter()
            .map(Payload::from_value)
            .collect::<Result<Vec<_>, _>>()
            .map_err(D::Error::custom)?;
        Ok(Payloads { payloads })
    }
}

/// Re-sorts object keys alphabetically, recursively (Temporal's HTTP API does this when it
/// turns payloads into shorthand).
fn sort_keys(v: Value) -> Value {
    match v {
        Value::Object(obj) => {
            let mut entries: Vec<(String, Value)> = obj.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sort_keys(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sort_keys).collect()),
        other => other,
    }
}

fn shorthand_of_payload(v: &Value) -> Option<Value> {
    if !looks_like_cli_payload(v) {
        return None;
    }
    let p = Payload::from_value(v.clone()).ok()?;
    if !p.is_json() {
        return None;
    }
    let decoded: Value = serde_json::from_slice(&p.data).ok()?;
    Some(sort_keys(decoded))
}

/// Walks a serialized JSON tree and replaces every `{"payloads":[...]}` and every lone
/// payload object with decoded values (keys sorted), as Temporal's HTTP API answers.
pub fn to_http_shorthand(value: &mut Value) {
    if let Some(decoded) = shorthand_of_payload(value) {
        *value = decoded;
        return;
    }
    match value {
        Value::Object(obj) => {
            if obj.len() == 1
                && let Some(Value::Array(items)) = obj.get("payloads")
                    && items.iter().all(looks_like_cli_payload) {
                        let new: Vec<Value> = items
                            .iter()
                            .map(|i| shorthand_of_payload(i).unwrap_or_else(|| i.clone()))
                            .collect();
                        *value = Value::Array(new);
                        return;
                    }
            for (_, v) in obj.iter_mut() {
                to_http_shorthand(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(to_http_shorthand),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_form() {
        let p = Payload::json(&serde_json::json!({"Kilometers": 15})).unwrap();
        let s = serde_json::to_string(&p).unwrap();
        assert_eq!(s, r#"{"metadata":{"encoding":"anNvbi9wbGFpbg=="},"data":"eyJLaWxvbWV0ZXJzIjoxNX0="}"#);
        let back: Payload = serde_json::from_str(&s).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn shorthand_both_ways() {
        let ps: Payloads = serde_json::from_str(r#"[{"Kilometers":15}]"#).unwrap();
        assert_eq!(ps.payloads[0].data, br#"{"Kilometers":15}"#);
        let mut v = serde_json::to_value(&ps).unwrap();
        to_http_shorthand(&mut v);
        assert_eq!(v, serde_json::json!([{"Kilometers":15}]));
        let mut v = serde_json::json!({"result": {"payloads":[{"metadata":{"encoding":"anNvbi9wbGFpbg=="},"data":"eyJiIjoxLCJhIjoyfQ=="}]}});
        to_http_shorthand(&mut v);
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"{"result":[{"a":2,"b":1}]}"#);
    }

    #[test]
    fn decode_typed() {
        let ps = Payloads::json("flaky").unwrap();
        assert_eq!(ps.decode::<String>().unwrap(), "flaky");
        let bin = Payload { metadata: [("encoding".into(), b"binary/plain".to_vec())].into(), data: vec![1, 2] };
        assert!(bin.decode::<String>().is_err());
        assert!(bin.to_json_value().as_str().unwrap().contains("binary/plain"));
    }
}
