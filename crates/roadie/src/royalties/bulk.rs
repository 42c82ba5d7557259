//! Bulk insertion of statement lines on the import's own transaction, through SQLite's C API:
//! one prepared statement stepped per line, no per-line allocation or round trip to sqlx's
//! worker thread. This is what keeps a million-line import near SQLite's own `.import` speed.

use super::import::Ready;
use super::matching::Matcher;
use crate::error::{Error, Result};
use libsqlite3_sys as ffi;
use sqlx::SqliteConnection;
use std::ffi::{c_int, CStr};
use std::fmt::Write;

const INSERT: &CStr = c"INSERT INTO statement_lines (file_seq, line_no, reporting_period, sale_period, store, territory, \
    usage_type, isrc, upc, title, artist, units, amount, currency, raw, track_id, release_id, matched_by) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";

/// Reusable text buffers for the values that are formatted per line.
#[derive(Default)]
pub(crate) struct Buffers {
    period: String,
    sale: String,
    amount: String,
}

/// Inserts `lines` in the transaction open on `conn`.
pub(crate) async fn insert(conn: &mut SqliteConnection, file_seq: i64, lines: &[Ready], matcher: &Matcher, buf: &mut Buffers) -> Result<()> {
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle().as_ptr();
    // SAFETY: `db` is the live connection this transaction holds, locked for us by
    // `lock_handle` (no other statement runs on it meanwhile); the statement is finalized before
    // the lock is released, and every bound text outlives the `sqlite3_step` that reads it
    // (SQLITE_STATIC: SQLite does not keep the pointers after `sqlite3_reset`).
    unsafe { insert_raw(db, file_seq, lines, matcher, buf) }
}

unsafe fn error(db: *mut ffi::sqlite3, what: &str) -> Error {
    let message = CStr::from_ptr(ffi::sqlite3_errmsg(db)).to_string_lossy().into_owned();
    Error::Database(sqlx::Error::Protocol(format!("{what}: {message}")))
}

unsafe fn bind_text(stmt: *mut ffi::sqlite3_stmt, index: c_int, text: Option<&str>) -> c_int {
    match text {
        Some(t) => ffi::sqlite3_bind_text(stmt, index, t.as_ptr().cast(), t.len() as c_int, ffi::SQLITE_STATIC()),
        None => ffi::sqlite3_bind_null(stmt, index),
    }
}

unsafe fn insert_raw(db: *mut ffi::sqlite3, file_seq: i64, lines: &[Ready], matcher: &Matcher, buf: &mut Buffers) -> Result<()> {
    let mut stmt: *mut ffi::sqlite3_stmt = std::ptr::null_mut();
    if ffi::sqlite3_prepare_v2(db, INSERT.as_ptr(), -1, &mut stmt, std::ptr::null_mut()) != ffi::SQLITE_OK {
        return Err(error(db, "prepare statement line insert"));
    }
    let mut result = Ok(());
    for ready in lines {
        let line = &ready.line;
        buf.period.clear();
        let _ = write!(buf.period, "{}", line.reporting_period);
        buf.sale.clear();
        if let Some(sale) = line.sale_period {
            let _ = write!(buf.sale, "{sale}");
        }
        buf.amount.clear();
        let _ = write!(buf.amount, "{}", line.amount);
        let matched = ready.matched.as_ref();
        let (track, release) = matched.map(|m| matcher.target(m)).unwrap_or((None, None));
        let mut rc = ffi::sqlite3_bind_int64(stmt, 1, file_seq);
        rc |= ffi::sqlite3_bind_int64(stmt, 2, line.line_no as i64);
        rc |= bind_text(stmt, 3, Some(&buf.period));
        rc |= bind_text(stmt, 4, line.sale_period.map(|_| buf.sale.as_str()));
        rc |= bind_text(stmt, 5, Some(&line.store));
        rc |= bind_text(stmt, 6, line.territory.as_deref());
        rc |= bind_text(stmt, 7, Some(line.usage_type.as_str()));
        rc |= bind_text(stmt, 8, line.isrc.as_deref());
        rc |= bind_text(stmt, 9, line.upc.as_deref());
        rc |= bind_text(stmt, 10, line.title.as_deref());
        rc |= bind_text(stmt, 11, line.artist.as_deref());
        rc |= ffi::sqlite3_bind_int64(stmt, 12, line.units);
        rc |= bind_text(stmt, 13, Some(&buf.amount));
        rc |= bind_text(stmt, 14, Some(&line.currency));
        rc |= bind_text(stmt, 15, Some(&line.raw));
        rc |= bind_text(stmt, 16, track);
        // A track's release is found through the track: stored only for release-level matches.
        rc |= bind_text(stmt, 17, if track.is_none() { release } else { None });
        rc |= bind_text(stmt, 18, matched.map(|m| m.by));
        if rc != ffi::SQLITE_OK {
            result = Err(error(db, "bind statement line"));
            break;
        }
        if ffi::sqlite3_step(stmt) != ffi::SQLITE_DONE {
            result = Err(error(db, &format!("insert statement line {}", line.line_no)));
            break;
        }
        ffi::sqlite3_reset(stmt);
    }
    ffi::sqlite3_finalize(stmt);
    result
}
