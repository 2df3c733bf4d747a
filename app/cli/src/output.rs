//! Results as a readable table or, with `--json`, as one JSON document.
use serde_json::Value;

/// A command's result: JSON for scripts, rows for people.
pub struct Output {
    /// The machine-readable result.
    pub json: Value,
    /// The human-readable result, one line each.
    pub lines: Vec<String>,
}

impl Output {
    /// Render for the terminal.
    pub fn render(&self, json: bool) -> String {
        if json {
            self.json.to_string()
        } else {
            self.lines.join("\n")
        }
    }
}

/// Lay out `rows` in columns (the first row is the header).
pub fn table(rows: &[Vec<String>]) -> Vec<String> {
    let cols = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |s| s.len()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    rows.iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .map(|(c, s)| format!("{s:<w$}", w = widths[c]))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
        })
        .collect()
}
