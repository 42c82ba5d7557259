use axum::Json;
use roadie_protocol::Health;

/// Liveness: the process answers. (Readiness of PostgreSQL is seen on the first real request.)
#[utoipa::path(get, path = "/health", tag = "misc", responses((status = 200, body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok".into(), version: env!("CARGO_PKG_VERSION").into() })
}
