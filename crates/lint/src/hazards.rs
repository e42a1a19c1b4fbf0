//! The table of non-deterministic paths: which fully qualified functions, types and
//! modules are hazards in workflow code, and under which rule.

use crate::finding::Rule;

/// `(path, rule)`: a path matches when it starts with `path`; the first match wins, and
/// `None` marks deterministic items inside hazardous modules (`tokio::time::Duration`
/// is `std::time::Duration`).
const TABLE: &[(&[&str], Option<Rule>)] = &[
    (&["tokio", "time", "Duration"], None),
    (&["std", "env", "consts"], None),
    (&["std", "time", "SystemTime", "now"], Some(Rule::WallClock)),
    (&["std", "time", "Instant", "now"], Some(Rule::WallClock)),
    (&["tokio", "time", "Instant", "now"], Some(Rule::WallClock)),
    (&["chrono", "Utc", "now"], Some(Rule::WallClock)),
    (&["chrono", "Local", "now"], Some(Rule::WallClock)),
    (&["chrono", "Utc", "today"], Some(Rule::WallClock)),
    (&["chrono", "Local", "today"], Some(Rule::WallClock)),
    (&["chrono", "offset", "Utc", "now"], Some(Rule::WallClock)),
    (&["chrono", "offset", "Local", "now"], Some(Rule::WallClock)),
    (&["chrono", "prelude", "Utc", "now"], Some(Rule::WallClock)),
    (
        &["chrono", "prelude", "Local", "now"],
        Some(Rule::WallClock),
    ),
    (
        &["time", "OffsetDateTime", "now_utc"],
        Some(Rule::WallClock),
    ),
    (
        &["time", "OffsetDateTime", "now_local"],
        Some(Rule::WallClock),
    ),
    (&["time", "Instant", "now"], Some(Rule::WallClock)),
    (&["std", "thread", "sleep"], Some(Rule::Sleep)),
    (&["std", "thread", "sleep_ms"], Some(Rule::Sleep)),
    (&["tokio", "time"], Some(Rule::Sleep)),
    (&["async_std", "task", "sleep"], Some(Rule::Sleep)),
    (&["futures_timer"], Some(Rule::Sleep)),
    (&["tokio", "spawn"], Some(Rule::Thread)),
    (&["tokio", "task"], Some(Rule::Thread)),
    (&["tokio", "runtime"], Some(Rule::Thread)),
    (&["std", "thread"], Some(Rule::Thread)),
    (&["async_std", "task", "spawn"], Some(Rule::Thread)),
    (&["rayon"], Some(Rule::Thread)),
    (&["rand"], Some(Rule::Random)),
    (&["fastrand"], Some(Rule::Random)),
    (&["getrandom"], Some(Rule::Random)),
    (&["uuid", "Uuid", "new_v4"], Some(Rule::Random)),
    (&["uuid", "Uuid", "now_v1"], Some(Rule::Random)),
    (&["uuid", "Uuid", "now_v6"], Some(Rule::Random)),
    (&["uuid", "Uuid", "now_v7"], Some(Rule::Random)),
    (
        &["std", "collections", "hash_map", "RandomState", "new"],
        Some(Rule::Random),
    ),
    (&["std", "fs"], Some(Rule::Io)),
    (&["std", "net"], Some(Rule::Io)),
    (&["std", "env"], Some(Rule::Io)),
    (&["std", "process"], Some(Rule::Io)),
    (&["std", "io", "stdin"], Some(Rule::Io)),
    (&["tokio", "fs"], Some(Rule::Io)),
    (&["tokio", "net"], Some(Rule::Io)),
    (&["tokio", "process"], Some(Rule::Io)),
    (&["tokio", "io", "stdin"], Some(Rule::Io)),
    (&["reqwest"], Some(Rule::Io)),
    (&["ureq"], Some(Rule::Io)),
    (&["hyper"], Some(Rule::Io)),
    (&["surf"], Some(Rule::Io)),
    (&["isahc"], Some(Rule::Io)),
    (&["attohttpc"], Some(Rule::Io)),
];

/// The rule a fully qualified path falls under, if any. `Some(None)` means the path is
/// known to be deterministic; `None` means the table says nothing about it.
fn lookup(path: &[String]) -> Option<Option<Rule>> {
    let normalized: Vec<&str> = path
        .iter()
        .enumerate()
        .map(|(i, segment)| match (i, segment.as_str()) {
            (0, "core" | "alloc") => "std",
            (_, s) => s,
        })
        .collect();
    TABLE
        .iter()
        .find(|(pattern, _)| normalized.starts_with(pattern))
        .map(|(_, rule)| *rule)
}

/// The rule of the first candidate the table knows about, and that candidate.
pub fn classify(candidates: &[Vec<String>]) -> Option<(Rule, &Vec<String>)> {
    for candidate in candidates {
        match lookup(candidate) {
            Some(Some(rule)) => return Some((rule, candidate)),
            Some(None) => return None,
            None => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(path: &str) -> Option<Rule> {
        let candidate: Vec<String> = path.split("::").map(str::to_string).collect();
        classify(&[candidate]).map(|(rule, _)| rule)
    }

    #[test]
    fn hazards_and_their_deterministic_neighbours() {
        assert_eq!(rule("std::time::SystemTime::now"), Some(Rule::WallClock));
        assert_eq!(rule("core::time::Duration::from_secs"), None);
        assert_eq!(rule("std::time::SystemTime::UNIX_EPOCH"), None);
        assert_eq!(rule("tokio::time::Instant::now"), Some(Rule::WallClock));
        assert_eq!(rule("tokio::time::interval"), Some(Rule::Sleep));
        assert_eq!(rule("tokio::time::Duration::from_millis"), None);
        assert_eq!(rule("std::thread::sleep"), Some(Rule::Sleep));
        assert_eq!(rule("std::thread::Builder::new"), Some(Rule::Thread));
        assert_eq!(rule("rand::random"), Some(Rule::Random));
        assert_eq!(rule("std::env::var"), Some(Rule::Io));
        assert_eq!(rule("std::env::consts::OS"), None);
        assert_eq!(rule("std::collections::HashMap::new"), None);
    }
}
