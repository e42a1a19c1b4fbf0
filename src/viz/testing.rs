//! Test helpers: recorded Temporal histories (`tests/fixtures/temporal/`, shared with the
//! CLI's tests), the visualization's own fixtures (`tests/fixtures/viz/`), and a terminal
//! buffer as text.

use std::path::PathBuf;

use ratatui::buffer::Buffer;
use workshop_protocol::history::History;

fn fixtures_dir(kind: &str) -> PathBuf {
    // `file!()` is this file's path; the repository root is three levels up.
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(file!());
    here.ancestors().nth(3).expect("repository root").join("tests/fixtures").join(kind)
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parse(name: &str, text: &str) -> History {
    History::from_json_str(text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A file of the visualization's own fixtures (`tests/fixtures/viz/`).
pub fn fixture_text(name: &str) -> String {
    read(fixtures_dir("viz").join(name))
}

/// A history of the visualization's own fixtures (`tests/fixtures/viz/`).
pub fn fixture(name: &str) -> History {
    parse(name, &fixture_text(name))
}

/// A history recorded by a real Temporal server (`tests/fixtures/temporal/`).
pub fn reference(name: &str) -> History {
    parse(name, &read(fixtures_dir("temporal").join(name)))
}

/// The buffer's characters, one line per row, trailing spaces removed.
pub fn buffer_text(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        let mut skip = 0;
        for x in area.left()..area.right() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let symbol = buffer[(x, y)].symbol();
            line.push_str(symbol);
            // Wide characters occupy two cells; the second one is blank.
            skip = unicode_width(symbol).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn unicode_width(symbol: &str) -> usize {
    symbol.chars().map(|c| if (c as u32) >= 0x1100 && is_wide(c) { 2 } else { 1 }).sum::<usize>().max(1)
}

fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x1F300..=0x1FAFF)
}
