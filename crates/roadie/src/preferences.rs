//! The user's interface preferences, kept in the store so they follow it (and tests can read them).

use crate::error::{FieldIssue, Result};
use crate::Store;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum Language {
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-CN")]
    ZhCn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Follow the operating system.
    System,
    Light,
    Dark,
}

/// `None` means "not chosen yet": the UI then follows the system.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Preferences {
    pub language: Option<Language>,
    pub theme: Option<Theme>,
}

const KEY: &str = "preferences";

impl Store {
    pub async fn preferences(&self) -> Result<Preferences> {
        Ok(match self.setting(KEY).await? {
            // A value this version cannot read (written by a newer one) falls back to defaults.
            Some(json) => serde_json::from_str(&json).unwrap_or_default(),
            None => Preferences::default(),
        })
    }

    pub async fn set_preferences(&self, prefs: &Preferences) -> Result<Preferences> {
        let json = serde_json::to_string(prefs).map_err(|e| {
            crate::Error::invalid("preferences", vec![FieldIssue::new("preferences", "invalid", e.to_string())])
        })?;
        self.set_setting(KEY, &json).await?;
        Ok(prefs.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::testing::store;

    #[tokio::test]
    async fn preferences_round_trip() {
        let (store, _dir) = store().await;
        assert_eq!(store.preferences().await.unwrap(), Preferences::default());
        let prefs = Preferences { language: Some(Language::ZhCn), theme: Some(Theme::Dark) };
        store.set_preferences(&prefs).await.unwrap();
        assert_eq!(store.preferences().await.unwrap(), prefs);
        assert_eq!(store.setting("preferences").await.unwrap().unwrap(), r#"{"language":"zh-CN","theme":"dark"}"#);
    }
}
