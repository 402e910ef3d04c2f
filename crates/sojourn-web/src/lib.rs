//! Sojourn's HTTP layer: turns requests into domain values and store calls,
//! and store results into responses. The JSON API lives under `/api/v1`.

use sojourn_domain::unit::UnitCode;
use sojourn_store::Store;
use std::sync::Arc;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// The unit the API acts for until sign-in exists: the deployment's
    /// root for the server, a narrower unit in scope tests. The caller's
    /// scope is drawn from it by one extractor, never from the request.
    pub acting_unit: UnitCode,
}

/// The whole application router.
pub fn app(state: AppState) -> axum::Router {
    let _ = state;
    axum::Router::new()
}

/// Serves the application on `listener` until Ctrl-C.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
