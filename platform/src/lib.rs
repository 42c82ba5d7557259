//! `roadie-platform`: the platform API server. Stateless apart from PostgreSQL (accounts,
//! workspaces, upload bookkeeping) and object storage (upload parts and finished files), so
//! several instances can run behind a load balancer.

pub mod auth;
pub mod authz;
pub mod error;
pub mod routes;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Request, StatusCode};
use axum::Router;
use object_store::ObjectStore;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Limits and tunables. `Default` is what `serve` uses unless told otherwise.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest JSON request body.
    pub json_body_bytes: usize,
    /// Time limit of a non-upload request.
    pub request_timeout: Duration,
    /// An upload PATCH whose body sends nothing for this long is treated as cut.
    pub upload_idle_timeout: Duration,
    /// Largest single upload (advertised as Tus-Max-Size).
    pub max_upload_bytes: i64,
    /// Upload quota of a new workspace (all its uploads together).
    pub default_workspace_quota_bytes: i64,
    /// Failed sign-ins per e-mail address within `signin_window` before sign-in is refused.
    pub signin_max_failures: i64,
    pub signin_window: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            json_body_bytes: 64 * 1024,
            request_timeout: Duration::from_secs(30),
            upload_idle_timeout: Duration::from_secs(60),
            max_upload_bytes: 8 << 30,
            default_workspace_quota_bytes: 50 << 30,
            signin_max_failures: 5,
            signin_window: Duration::from_secs(15 * 60),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub store: Arc<dyn ObjectStore>,
    pub limits: Arc<Limits>,
}

/// Connects to PostgreSQL and applies the migrations.
pub async fn connect(database_url: &str) -> anyhow_like::Result<PgPool> {
    let db = PgPoolOptions::new()
        .max_connections(32)
        .acquire_timeout(Duration::from_secs(10))
        .connect(database_url)
        .await
        .map_err(|e| anyhow_like::Error(format!("cannot connect to PostgreSQL: {e}")))?;
    MIGRATOR.run(&db).await.map_err(|e| anyhow_like::Error(format!("migration failed: {e}")))?;
    Ok(db)
}

/// Object storage in a local directory (created if missing).
pub fn local_store(dir: &std::path::Path) -> anyhow_like::Result<Arc<dyn ObjectStore>> {
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow_like::Error(format!("cannot create storage directory {}: {e}", dir.display())))?;
    let fs = object_store::local::LocalFileSystem::new_with_prefix(dir)
        .map_err(|e| anyhow_like::Error(format!("storage directory {}: {e}", dir.display())))?;
    Ok(Arc::new(fs))
}

/// Object storage from `--storage`: a local directory, or `s3://BUCKET[/PREFIX]` for S3 or an
/// S3-compatible store (MinIO, R2, ...) configured by the usual environment variables
/// (`AWS_ENDPOINT`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`,
/// `AWS_ALLOW_HTTP`).
pub fn open_store(spec: &str) -> anyhow_like::Result<Arc<dyn ObjectStore>> {
    match spec.strip_prefix("s3://") {
        Some(rest) => {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(anyhow_like::Error(format!("storage {spec}: no bucket name")));
            }
            let s3 = object_store::aws::AmazonS3Builder::from_env()
                .with_bucket_name(bucket)
                .build()
                .map_err(|e| anyhow_like::Error(format!("storage {spec}: {e}")))?;
            let prefix = prefix.trim_matches('/');
            Ok(if prefix.is_empty() {
                Arc::new(s3)
            } else {
                Arc::new(object_store::prefix::PrefixStore::new(s3, prefix))
            })
        }
        None => local_store(std::path::Path::new(spec)),
    }
}

/// A tiny error type for start-up failures (the binary prints it and exits 1).
pub mod anyhow_like {
    #[derive(Debug)]
    pub struct Error(pub String);
    impl std::fmt::Display for Error {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }
    impl std::error::Error for Error {}
    pub type Result<T> = std::result::Result<T, Error>;
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Roadie platform API", description = "Accounts, label rosters and roles, and resumable (tus 1.0.0) uploads."),
    components(schemas(roadie_protocol::ErrorBody)),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;
impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Responses every operation can give, added once here instead of on each handler: 400 for a
/// malformed path parameter, header or body.
struct CommonResponses;
impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        for item in openapi.paths.paths.values_mut() {
            let ops = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.options, &mut item.head, &mut item.patch];
            for op in ops.into_iter().flatten() {
                let takes_input = op.parameters.as_ref().is_some_and(|p| !p.is_empty()) || op.request_body.is_some();
                if takes_input && !op.responses.responses.contains_key("400") {
                    let res = ResponseBuilder::new()
                        .description("malformed request: a path parameter, header or body that does not parse")
                        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build())
                        .build();
                    op.responses.responses.insert("400".into(), res.into());
                }
            }
        }
    }
}

/// All routes with their OpenAPI description. The authorisation-matrix test walks this list.
pub fn api_router() -> OpenApiRouter<AppState> {
    use routes::*;
    let api = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(misc::health))
        .routes(routes!(accounts::signup))
        .routes(routes!(accounts::login))
        .routes(routes!(accounts::logout))
        .routes(routes!(accounts::me))
        .routes(routes!(accounts::list_tokens))
        .routes(routes!(accounts::revoke_token))
        .routes(routes!(workspaces::list_workspaces, workspaces::create_workspace))
        .routes(routes!(workspaces::get_workspace))
        .routes(routes!(workspaces::list_members))
        .routes(routes!(workspaces::update_member, workspaces::remove_member))
        .routes(routes!(workspaces::list_roster, workspaces::create_roster_artist))
        .routes(routes!(workspaces::get_roster_artist, workspaces::update_roster_artist, workspaces::delete_roster_artist))
        .routes(routes!(workspaces::assign_staff, workspaces::unassign_staff))
        .routes(routes!(workspaces::list_invitations, workspaces::create_invitation))
        .routes(routes!(workspaces::revoke_invitation))
        .routes(routes!(workspaces::accept_invitation))
        .routes(routes!(workspaces::list_statements, workspaces::create_statement))
        .routes(routes!(workspaces::get_statement))
        .routes(routes!(workspaces::list_assets))
        .layer(DefaultBodyLimit::max(Limits::default().json_body_bytes));
    let uploads = OpenApiRouter::new()
        .routes(routes!(uploads::options, uploads::create))
        .routes(routes!(uploads::head, uploads::patch, uploads::terminate))
        .layer(DefaultBodyLimit::disable())
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("tus-resumable"),
            HeaderValue::from_static(roadie_protocol::TUS_VERSION),
        ));
    let sync = OpenApiRouter::new()
        .routes(routes!(sync::info))
        .routes(routes!(sync::push))
        .routes(routes!(sync::pull))
        .layer(DefaultBodyLimit::max(sync::MAX_WIRE_BODY));
    // Statement files stream whole files: no JSON body limit (the handler caps them at
    // `Limits::max_upload_bytes`).
    let statement_files = OpenApiRouter::new()
        .routes(routes!(statement_files::put_statement_file, statement_files::get_statement_file))
        .layer(DefaultBodyLimit::disable());
    api.merge(uploads).merge(sync).merge(statement_files)
}

/// The whole application: routes, `/openapi.json`, and the middleware (request ids, tracing,
/// timeouts, body limits).
pub fn app(state: AppState) -> Router {
    let timeout = state.limits.request_timeout;
    let (router, mut openapi) = api_router().split_for_parts();
    CommonResponses.modify(&mut openapi);
    let openapi = Arc::new(openapi);
    let router = router
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let doc = openapi.clone();
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .with_state(state);
    let x_request_id = HeaderName::from_static("x-request-id");
    router
        .layer(axum::middleware::from_fn(move |req: Request<axum::body::Body>, next: axum::middleware::Next| {
            // Uploads stream for as long as the file takes; everything else has a time limit.
            let is_upload = req.uri().path().starts_with("/v1/uploads") || req.uri().path().contains("/statement-files/");
            async move {
                if is_upload {
                    next.run(req).await
                } else {
                    match tokio::time::timeout(timeout, next.run(req)).await {
                        Ok(res) => res,
                        Err(_) => axum::response::IntoResponse::into_response(error::ApiError::new(
                            StatusCode::REQUEST_TIMEOUT,
                            "timeout",
                            "the request took too long",
                        )),
                    }
                }
            }
        }))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<axum::body::Body>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
        }))
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
}

/// Runs the server on `listener` until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

/// Server configuration from the command line / environment.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub database_url: String,
    /// A directory, or `s3://BUCKET[/PREFIX]` (see `open_store`).
    pub storage: String,
}

/// Connects, migrates, and serves until SIGINT/SIGTERM.
pub async fn serve(config: Config) -> anyhow_like::Result<()> {
    let db = connect(&config.database_url).await?;
    let store = open_store(&config.storage)?;
    let state = AppState { db, store, limits: Arc::new(Limits::default()) };
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| anyhow_like::Error(format!("cannot listen on {}: {e}", config.listen)))?;
    tracing::info!(addr = %config.listen, "roadie-platform listening");
    serve_with(listener, state, shutdown_signal())
        .await
        .map_err(|e| anyhow_like::Error(format!("server error: {e}")))?;
    tracing::info!("roadie-platform stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing in-flight requests");
}

#[cfg(test)]
mod tests {
    use super::open_store;

    #[test]
    fn storage_is_a_directory_or_an_s3_bucket() {
        let dir = tempfile::tempdir().unwrap();
        let local = open_store(dir.path().join("objects").to_str().unwrap()).unwrap();
        assert!(local.to_string().contains("LocalFileSystem"), "{local}");
        let s3 = open_store("s3://masters").unwrap();
        assert!(s3.to_string().contains("masters"), "{s3}");
        let prefixed = open_store("s3://masters/roadie/").unwrap();
        assert!(prefixed.to_string().contains("roadie"), "{prefixed}");
        assert!(open_store("s3://").is_err());
    }
}
