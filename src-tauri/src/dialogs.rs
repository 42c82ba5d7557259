//! Native file dialogs (rfd). GTK dialogs must be created on the main thread; the answer is
//! awaited off it, the way tauri-plugin-dialog does it.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use tauri::AppHandle;

type Pending = Pin<Box<dyn Future<Output = Option<rfd::FileHandle>> + Send>>;

/// Builds the dialog on the main thread, awaits the user's answer off it.
async fn ask(app: &AppHandle, build: impl FnOnce() -> Pending + Send + 'static) -> Option<PathBuf> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let scheduled = app.run_on_main_thread(move || {
        let pending = build();
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

/// Asks for a store file to open (`create == false`) or to create. `None` when cancelled.
pub async fn pick_store(app: &AppHandle, create: bool) -> Option<PathBuf> {
    ask(app, move || {
        let dialog = rfd::AsyncFileDialog::new().add_filter("Roadie store", &["sqlite", "db"]);
        if create {
            Box::pin(dialog.set_title("New Roadie store").set_file_name("roadie.sqlite").save_file())
        } else {
            Box::pin(dialog.set_title("Open a Roadie store").pick_file())
        }
    })
    .await
}

/// Asks for a fan list to import (CSV, TSV, XLSX-exported text, vCard).
pub async fn pick_fan_list(app: &AppHandle) -> Option<PathBuf> {
    ask(app, || {
        Box::pin(
            rfd::AsyncFileDialog::new()
                .set_title("Import fans")
                .add_filter("Fan lists", &["csv", "tsv", "txt", "vcf"])
                .pick_file(),
        )
    })
    .await
}

/// Asks where to save an export (`extension` without the dot).
pub async fn save_as(app: &AppHandle, title: &str, file_name: &str, kind: &str, extension: &str) -> Option<PathBuf> {
    let (title, file_name, kind, extension) = (title.to_string(), file_name.to_string(), kind.to_string(), extension.to_string());
    ask(app, move || {
        Box::pin(rfd::AsyncFileDialog::new().set_title(&title).set_file_name(&file_name).add_filter(&kind, &[extension.as_str()]).save_file())
    })
    .await
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

/// Asks for files to open with one filter (`extensions` without the dot), several when
/// `multiple`. Empty when cancelled.
pub async fn pick_files(app: &AppHandle, title: &str, kind: &str, extensions: &[&str], multiple: bool) -> Vec<PathBuf> {
    let (title, kind) = (title.to_string(), kind.to_string());
    let extensions: Vec<String> = extensions.iter().map(|e| e.to_string()).collect();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let scheduled = app.run_on_main_thread(move || {
        let dialog = rfd::AsyncFileDialog::new().set_title(&title).add_filter(&kind, &extensions).add_filter("All files", &["*"]);
        // The dialog is built here, on the main thread; only the answer is awaited off it.
        let pending: Pin<Box<dyn Future<Output = Vec<PathBuf>> + Send>> = if multiple {
            let fut = dialog.pick_files();
            Box::pin(async move { fut.await.unwrap_or_default().into_iter().map(|f| f.path().to_path_buf()).collect() })
        } else {
            let fut = dialog.pick_file();
            Box::pin(async move { fut.await.into_iter().map(|f| f.path().to_path_buf()).collect() })
        };
        std::thread::spawn(move || {
            let _ = tx.send(tauri::async_runtime::block_on(pending));
        });
    });
    if scheduled.is_err() {
        return Vec::new();
    }
    rx.await.unwrap_or_default()
}

/// Asks for masters and artwork to upload to the platform. Empty when cancelled.
pub async fn pick_assets(app: &AppHandle) -> Vec<PathBuf> {
    let kinds = ["wav", "flac", "aif", "aiff", "mp3", "m4a", "jpg", "jpeg", "png", "tif", "tiff"];
    pick_files(app, "Upload to the platform", "Masters and artwork", &kinds, true).await
}
