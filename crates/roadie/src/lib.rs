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

/// Every process that runs the engine (the desktop app, the CLI, the tests and benchmarks)
/// allocates through mimalloc: glibc's malloc spent about a fifth of a large sync's CPU in
/// malloc/free across the runtime's threads (bench/sync.sh: 10.3–11.0 s → 7.4 s for 100k changes).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

