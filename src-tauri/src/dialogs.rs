//! Native file dialogs (rfd). GTK dialogs must be created on the main thread; the answer is
//! awaited off it, the way tauri-plugin-dialog does it.

use std::path::PathBuf;
use tauri::AppHandle;

/// Asks for a store file to open (`create == false`) or to create. `None` when cancelled.
pub async fn pick_store(app: &AppHandle, create: bool) -> Option<PathBuf> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let scheduled = app.run_on_main_thread(move || {
        let dialog = rfd::AsyncFileDialog::new().add_filter("Roadie store", &["sqlite", "db"]);
        let pending: std::pin::Pin<Box<dyn std::future::Future<Output = Option<rfd::FileHandle>> + Send>> = if create {
            Box::pin(dialog.set_title("New Roadie store").set_file_name("roadie.sqlite").save_file())
        } else {
            Box::pin(dialog.set_title("Open a Roadie store").pick_file())
        };
        std::thread::spawn(move || {
            let picked = tauri::async_runtime::block_on(pending);
            let _ = tx.send(picked.map(|f| f.path().to_path_buf()));
        });
    });
    if scheduled.is_err() {
        return None;
    }
    rx.await.ok().flatten()
}

/// Asks for statement files to import. Empty when cancelled.
pub async fn pick_statements(app: &AppHandle) -> Vec<PathBuf> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let scheduled = app.run_on_main_thread(move || {
        let pending = rfd::AsyncFileDialog::new()
            .set_title("Import statements")
            .add_filter("Statements", &["csv", "tsv", "txt", "xlsx", "dsr"])
            .add_filter("All files", &["*"])
            .pick_files();
        std::thread::spawn(move || {
            let picked = tauri::async_runtime::block_on(pending);
            let _ = tx.send(picked.unwrap_or_default().into_iter().map(|f| f.path().to_path_buf()).collect());
        });
    });
    if scheduled.is_err() {
        return Vec::new();
    }
    rx.await.unwrap_or_default()
}
