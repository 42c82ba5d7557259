//! Excel statements (.xlsx, also .xls/.ods through calamine): the first worksheet's rows as text
//! cells, read by the same column layouts and mappings as CSV. Numbers Excel stored as floats are
//! written back in their shortest exact form (0.1 stays "0.1"); dates become `YYYY-MM-DD`.
//! Not streamed: calamine loads a sheet whole (xlsx statements are at most Excel's 1,048,576
//! rows).

use calamine::{open_workbook_auto, Data, Reader};
use std::path::Path;

/// The first sheet's non-empty rows, with their 1-based row numbers.
pub fn read_rows(path: &Path) -> Result<Vec<(u64, csv::StringRecord)>, String> {
    let mut book = open_workbook_auto(path).map_err(|e| format!("not a readable spreadsheet: {e}"))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| "the workbook has no worksheet".to_string())?
        .map_err(|e| format!("the first worksheet cannot be read: {e}"))?;
    let first_row = range.start().map(|(r, _)| r as u64).unwrap_or(0);
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let cells: Vec<String> = row.iter().map(cell_text).collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows.push((first_row + i as u64 + 1, csv::StringRecord::from(cells)));
    }
    Ok(rows)
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                format!("{f}")
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => match d.as_datetime() {
            Some(dt) => dt.date().format("%Y-%m-%d").to_string(),
            None => d.to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}
