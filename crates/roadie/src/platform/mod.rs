//! The platform client: signing in and out (the account in the store's settings, the token in a
//! `SecretStore`), and resumable uploads (`upload`). HTTP goes through reqwest; the wire types
//! are `roadie_protocol`'s, shared with the server.

pub mod queue;
pub mod secrets;
pub mod team;
pub mod upload;

use crate::error::{Error, Result};
use crate::Store;
use roadie_protocol::{ErrorBody, LoginRequest, Me, SignupRequest, TokenResponse};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use ts_rs::TS;
use uuid::Uuid;

pub use queue::{QueueControl, QueueOptions, UploadQueueItem, UploadQueueStatus};
pub use secrets::{detect_secret_store, FileSecrets, SecretStore, SecretStoreInfo, SecretStoreKind};
pub use upload::{CancelFlag, UploadProgress, UploadResult, UploadStatus};
pub use team::{CreatedInvitation, JoinedWorkspace, Team, TeamInvitation, TeamMember, TeamRole, TeamRosterArtist, TeamWorkspace};

const ACCOUNT_KEY: &str = "platform.account";

/// The signed-in account, as kept in the store (the token is not here: it is in the secret
/// store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Account {
    pub server: String,
    pub email: String,
    pub name: String,
    pub user_id: Uuid,
    /// The user's own workspace on the platform.
    pub workspace_id: Uuid,
    /// That workspace's name (empty when the server did not say).
    #[serde(default)]
    pub workspace_name: String,
    /// Where the token is kept, in words for the user.
    pub token_location: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SignedOut {
    /// False when the server could not be reached (the token was forgotten locally anyway).
    pub revoked_on_server: bool,
    pub server: Option<String>,
}

/// `https://host/` → `https://host`; checks the scheme.
pub fn normalise_server(server: &str) -> Result<String> {
    let s = server.trim().trim_end_matches('/').to_string();
    if !(s.starts_with("http://") || s.starts_with("https://")) || s.len() < 10 {
        return Err(Error::invalid(
            "account",
            vec![crate::FieldIssue::new("server", "invalid_url", "the server URL must start with http:// or https://")],
        ));
    }
    Ok(s)
}

fn secret_key(server: &str, email: &str) -> String {
    format!("roadie-platform:{server}:{}", email.to_lowercase())
}

/// A thin HTTP client for the platform's JSON API.
#[derive(Clone)]
pub struct PlatformClient {
    pub(crate) http: reqwest::Client,
    pub(crate) server: String,
    pub(crate) token: Option<String>,
}

impl PlatformClient {
    pub fn new(server: &str, token: Option<String>) -> Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(15))
            .read_timeout(Duration::from_secs(120))
            .user_agent(concat!("roadie/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Network { server: server.into(), reason: e.to_string() })?;
        Ok(Self { http, server: normalise_server(server)?, token })
    }

    pub(crate) fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else {
            format!("{}{}", self.server, path)
        }
    }

    pub(crate) fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let req = self.http.request(method, self.url(path));
        match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    pub(crate) fn network(&self, e: reqwest::Error) -> Error {
        Error::Network { server: self.server.clone(), reason: e.to_string() }
    }

    /// The server's `{code, message}` for a failed response.
    pub(crate) async fn refused(&self, res: reqwest::Response) -> Error {
        let status = res.status().as_u16();
        let retry_after = res.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
        let body: Option<ErrorBody> = res.json().await.ok();
        let (platform_code, message) = match body {
            Some(b) => (b.code, b.message),
            None => ("http_error".to_string(), format!("HTTP {status}")),
        };
        match (status, platform_code.as_str()) {
            (429, "rate_limited") => Error::SignInRateLimited { retry_after_secs: retry_after.unwrap_or(60) },
            _ => Error::Platform { status, platform_code, message },
        }
    }

    pub async fn login(&self, email: &str, password: &str, device: Option<String>) -> Result<String> {
        let body = LoginRequest { email: email.into(), password: password.into(), device };
        let res = self.request(reqwest::Method::POST, "/v1/auth/login").json(&body).send().await.map_err(|e| self.network(e))?;
        if res.status() == reqwest::StatusCode::UNAUTHORIZED {
            return Err(Error::WrongCredentials);
        }
        if !res.status().is_success() {
            return Err(self.refused(res).await);
        }
        Ok(res.json::<TokenResponse>().await.map_err(|e| self.network(e))?.token)
    }

    /// Creates an account (and its own workspace) and returns its first token.
    pub async fn signup(&self, email: &str, password: &str, name: &str) -> Result<String> {
        let body = SignupRequest { email: email.into(), password: password.into(), name: name.into() };
        let res = self.request(reqwest::Method::POST, "/v1/auth/signup").json(&body).send().await.map_err(|e| self.network(e))?;
        if !res.status().is_success() {
            return Err(self.refused(res).await);
        }
        Ok(res.json::<TokenResponse>().await.map_err(|e| self.network(e))?.token)
    }

    /// The workspaces the user belongs to.
    pub async fn workspaces(&self) -> Result<Vec<roadie_protocol::Workspace>> {
        let res = self.request(reqwest::Method::GET, "/v1/workspaces").send().await.map_err(|e| self.network(e))?;
        if !res.status().is_success() {
            return Err(self.refused(res).await);
        }
        res.json().await.map_err(|e| self.network(e))
    }

    pub async fn me(&self) -> Result<Me> {
        let res = self.request(reqwest::Method::GET, "/v1/me").send().await.map_err(|e| self.network(e))?;
        if !res.status().is_success() {
            return Err(self.refused(res).await);
        }
        res.json().await.map_err(|e| self.network(e))
    }

    pub async fn logout(&self) -> Result<()> {
        let res = self.request(reqwest::Method::POST, "/v1/auth/logout").send().await.map_err(|e| self.network(e))?;
        if !res.status().is_success() && res.status() != reqwest::StatusCode::UNAUTHORIZED {
            return Err(self.refused(res).await);
        }
        Ok(())
    }
}

impl Store {
    /// The signed-in account, if any.
    pub async fn account(&self) -> Result<Option<Account>> {
        Ok(match self.setting(ACCOUNT_KEY).await? {
            Some(json) => serde_json::from_str(&json).ok(),
            None => None,
        })
    }

    /// Signs in to a platform server: the token goes to `secrets`, the account to the store.
    pub async fn login(&self, server: &str, email: &str, password: &str, secrets: &dyn SecretStore) -> Result<Account> {
        let server = normalise_server(server)?;
        let email = email.trim().to_lowercase();
        let device = Some(format!("roadie {} ({})", env!("CARGO_PKG_VERSION"), std::env::consts::OS));
        let token = PlatformClient::new(&server, None)?.login(&email, password, device).await?;
        self.keep_sign_in(server, email, token, secrets).await
    }

    /// Creates an account on a platform server (its own workspace comes with it) and signs in.
    pub async fn signup(&self, server: &str, email: &str, password: &str, name: &str, secrets: &dyn SecretStore) -> Result<Account> {
        let server = normalise_server(server)?;
        let email = email.trim().to_lowercase();
        let name = name.trim();
        let mut issues = Vec::new();
        if !email.contains('@') {
            issues.push(crate::FieldIssue::new("email", "invalid_email", "an e-mail address has an @"));
        }
        if name.is_empty() {
            issues.push(crate::FieldIssue::new("name", "required", "a name is required"));
        }
        if password.chars().count() < 8 {
            issues.push(crate::FieldIssue::new("password", "too_short", "at least 8 characters"));
        }
        if !issues.is_empty() {
            return Err(Error::invalid("account", issues));
        }
        let token = PlatformClient::new(&server, None)?.signup(&email, password, name).await?;
        self.keep_sign_in(server, email, token, secrets).await
    }

    /// Keeps a fresh token in `secrets` and the account (who, which workspace) in the store.
    async fn keep_sign_in(&self, server: String, email: String, token: String, secrets: &dyn SecretStore) -> Result<Account> {
        let client = PlatformClient::new(&server, Some(token.clone()))?;
        let me = client.me().await?;
        let workspace_name = client
            .workspaces()
            .await
            .ok()
            .and_then(|list| list.into_iter().find(|w| w.id == me.workspace_id).map(|w| w.name))
            .unwrap_or_default();
        // Replacing an earlier account: forget its token first.
        if let Some(old) = self.account().await? {
            secrets.delete(&secret_key(&old.server, &old.email))?;
        }
        secrets.set(&secret_key(&server, &email), &token)?;
        let account = Account {
            server,
            email,
            name: me.name,
            user_id: me.id,
            workspace_id: me.workspace_id,
            workspace_name,
            token_location: secrets.location(),
        };
        let json = serde_json::to_string(&account).expect("an account serialises");
        // With the account, in one transaction: what this store made before it ever signed in
        // takes the ids the account's devices derive (royalties/rekey.rs).
        let mut tx = self.write().await?;
        crate::royalties::adopt_account_scope(&mut tx, &account.workspace_id.to_string()).await?;
        crate::store::put_setting(&mut tx, ACCOUNT_KEY, &json).await?;
        tx.commit().await?;
        Ok(account)
    }

    /// Signs out: revokes the token on the server (when reachable) and forgets it here.
    pub async fn logout(&self, secrets: &dyn SecretStore) -> Result<SignedOut> {
        let Some(account) = self.account().await? else {
            return Ok(SignedOut { revoked_on_server: false, server: None });
        };
        let key = secret_key(&account.server, &account.email);
        let mut revoked = false;
        if let Some(token) = secrets.get(&key)? {
            revoked = match PlatformClient::new(&account.server, Some(token))?.logout().await {
                Ok(()) => true,
                Err(Error::Network { .. }) => false,
                Err(e) => return Err(e),
            };
        }
        secrets.delete(&key)?;
        let mut tx = self.write().await?;
        // (Signed out, ids still derive in this account's scope: royalties/ledger.rs.)
        crate::royalties::keep_account_scope(&mut tx, &account.workspace_id.to_string()).await?;
        sqlx::query("DELETE FROM settings WHERE key = ?").bind(ACCOUNT_KEY).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(SignedOut { revoked_on_server: revoked, server: Some(account.server) })
    }

    /// A client for the signed-in account.
    pub async fn platform_client(&self, secrets: &dyn SecretStore) -> Result<(Account, PlatformClient)> {
        let account = self.account().await?.ok_or(Error::NotSignedIn)?;
        let token = secrets.get(&secret_key(&account.server, &account.email))?.ok_or(Error::NotSignedIn)?;
        let client = PlatformClient::new(&account.server, Some(token))?;
        Ok((account, client))
    }
}
