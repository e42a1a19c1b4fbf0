//! Serde helpers for protobuf-JSON scalars: int64 as strings, durations as `"1.500s"`,
//! timestamps as RFC 3339 with nanoseconds. Used with `#[serde(with = "...")]`.

use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

/// Formats a duration as protojson does: whole seconds, or 3/6/9 fractional digits.
pub fn format_duration(d: Duration) -> String {
    let secs = d.as_secs();
    let nanos = d.subsec_nanos();
    if nanos == 0 {
        format!("{secs}s")
    } else if nanos.is_multiple_of(1_000_000) {
        format!("{secs}.{:03}s", nanos / 1_000_000)
    } else if nanos.is_multiple_of(1_000) {
        format!("{secs}.{:06}s", nanos / 1_000)
    } else {
        format!("{secs}.{nanos:09}s")
    }
}

/// Parses `"10s"`, `"1.5s"`, `"0.000000001s"` (0-9 fractional digits).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let body = s
        .strip_suffix('s')
        .ok_or_else(|| format!("duration {s:?} must end with 's' (e.g. \"10s\" or \"1.500s\")"))?;
    let (whole, frac) = match body.split_once('.') {
        Some((w, f)) => (w, f),
        None => (body, ""),
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("duration {s:?} is not a number of seconds"));
    }
    if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("duration {s:?} has a bad fraction (0-9 digits)"));
    }
    let secs: u64 = whole.parse().map_err(|_| format!("duration {s:?} is too large"))?;
    let nanos: u32 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<9}").parse().map_err(|_| format!("duration {s:?} has a bad fraction"))?
    };
    Ok(Duration::new(secs, nanos))
}

pub fn format_timestamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

pub fn parse_timestamp(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("timestamp {s:?} is not RFC 3339: {e}"))
}

#[derive(Deserialize)]
#[serde(untagged)]
enum StrOrNum {
    Str(String),
    Num(i64),
}

/// `i64` written as a JSON string, read from a string or a number.
pub mod int64 {
    use super::*;
    pub fn serialize<S: Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        match StrOrNum::deserialize(d)? {
            StrOrNum::Num(n) => Ok(n),
            StrOrNum::Str(s) => s
                .parse()
                .map_err(|_| D::Error::custom(format!("expected a 64-bit integer, got {s:?}"))),
        }
    }
}

/// `Option<i64>` written as a JSON string when present.
pub mod opt_int64 {
    use super::*;
    pub fn serialize<S: Serializer>(v: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_str(&v.to_string()),
            None => s.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        match Option::<StrOrNum>::deserialize(d)? {
            None => Ok(None),
            Some(StrOrNum::Num(n)) => Ok(Some(n)),
            Some(StrOrNum::Str(s)) => s
                .parse()
                .map(Some)
                .map_err(|_| D::Error::custom(format!("expected a 64-bit integer, got {s:?}"))),
        }
    }
}

/// `Duration` as a protojson duration string.
pub mod duration {
    use super::*;
    pub fn serialize<S: Serializer>(v: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_duration(*v))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let s = String::deserialize(d)?;
        parse_duration(&s).map_err(D::Error::custom)
    }
}

/// `Option<Duration>`; `None` is omitted (use with `skip_serializing_if = "Option::is_none"`).
pub mod opt_duration {
    use super::*;
    pub fn serialize<S: Serializer>(v: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_str(&format_duration(*v)),
            None => s.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) => parse_duration(&s).map(Some).map_err(D::Error::custom),
        }
    }
}

/// `DateTime<Utc>` as RFC 3339 with exactly 9 fractional digits and `Z`.
pub mod timestamp {
    use super::*;
    pub fn serialize<S: Serializer>(v: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_timestamp(v))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        parse_timestamp(&s).map_err(D::Error::custom)
    }
}

/// `Option<DateTime<Utc>>`.
pub mod opt_timestamp {
    use super::*;
    pub fn serialize<S: Serializer>(v: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_str(&format_timestamp(v)),
            None => s.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) => parse_timestamp(&s).map(Some).map_err(D::Error::custom),
        }
    }
}

/// `Vec<u8>` as standard base64 with padding (protobuf `bytes`).
pub mod base64_bytes {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    use super::*;
    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(v))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        decode(&s).map_err(D::Error::custom)
    }
    pub fn decode(s: &str) -> Result<Vec<u8>, String> {
        use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
        STANDARD
            .decode(s)
            .or_else(|_| STANDARD_NO_PAD.decode(s))
            .or_else(|_| URL_SAFE.decode(s))
            .or_else(|_| URL_SAFE_NO_PAD.decode(s))
            .map_err(|e| format!("not base64: {e}"))
    }
}

pub fn is_zero_i64(v: &i64) -> bool {
    *v == 0
}
pub fn is_zero_i32(v: &i32) -> bool {
    *v == 0
}
pub fn is_false(v: &bool) -> bool {
    !*v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_round_trip() {
        assert_eq!(format_duration(Duration::from_secs(10)), "10s");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1.500s");
        assert_eq!(format_duration(Duration::ZERO), "0s");
        assert_eq!(format_duration(Duration::from_micros(1)), "0.000001s");
        assert_eq!(format_duration(Duration::from_nanos(5)), "0.000000005s");
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1500));
        assert_eq!(parse_duration("3600s").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse_duration("0.000000001s").unwrap(), Duration::from_nanos(1));
        assert!(parse_duration("10").is_err());
        assert!(parse_duration("1.0000000001s").is_err());
        assert!(parse_duration("-1s").is_err());
    }

    #[test]
    fn timestamps_have_nine_digits() {
        let t = parse_timestamp("2026-11-25T22:27:12.2Z").unwrap();
        assert_eq!(format_timestamp(&t), "2026-11-25T22:27:12.200000000Z");
        let t = parse_timestamp("2026-11-25T22:27:12Z").unwrap();
        assert_eq!(format_timestamp(&t), "2026-11-25T22:27:12.000000000Z");
    }
}
