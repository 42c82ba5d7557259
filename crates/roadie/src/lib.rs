//! Roadie's engine. Everything the desktop app and the CLI do goes through here; it knows
//! nothing of Tauri or terminals.

pub mod catalog;
pub mod clock;
pub mod ern;
pub mod error;
pub mod fans;
mod hlc;
pub mod identifiers;
pub mod jobs;
pub mod media;
pub mod platform;
pub mod preferences;
pub mod readiness;
pub mod royalties;
pub mod store;
pub mod sync;
pub mod textfile;
mod validate;

pub use error::{Error, ErrorPayload, FieldIssue, Result};
pub use store::{default_store_path, Store};

