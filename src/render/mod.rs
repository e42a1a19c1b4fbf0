//! Text renderings of engine data shared by several commands (history tables, ...).

pub mod describe;
pub mod history_table;
