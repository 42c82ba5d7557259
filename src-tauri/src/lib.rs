//! Roadie's desktop shell. It opens the store and exposes the engine to the UI through the
//! commands in [`commands`]; it holds no logic of its own.

pub mod bindings;
pub mod commands;
mod dialogs;
mod state;

use tauri::Manager;

pub fn run() {
    tauri::Builder::default()
        .setup(|app| {
            let paths = app.path();
            let config_file = paths.app_config_dir().ok().map(|d| d.join("last-store"));
            let data_dir = paths.app_data_dir().ok();
            let path = state::initial_store_path(
                std::env::var_os(roadie::store::STORE_ENV),
                config_file.as_deref(),
                data_dir.as_deref(),
            )?;
            let state = tauri::async_runtime::block_on(state::AppState::open(app.handle().clone(), path, config_file));
            app.manage(state);
            Ok(())
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!())
        .expect("the Roadie window could not start");
}
