//! `sojourn serve`: the web application for the deployment's root unit.

use crate::db::Deployment;
use crate::error::{CliError, Result};
use sojourn_web::AppState;
use sojourn_web::auth::SecurityConfig;
use std::net::SocketAddr;

/// Where the server listens unless told otherwise: this machine only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Serves `deployment` on `listen` until Ctrl-C, printing the URL first;
/// uploads are bounded by `limits`.
pub fn serve(
    deployment: Deployment,
    listen: &str,
    security: SecurityConfig,
    limits: sojourn_sheets::Limits,
) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CliError::Serve)?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|source| CliError::Listen {
                addr: listen.to_owned(),
                source,
            })?;
        let addr = listener.local_addr().map_err(CliError::Serve)?;
        let root = &deployment.root;
        println!(
            "Sojourn serves {} ({}) at {} — Ctrl-C stops it / 服务地址 {}，按 Ctrl-C 停止",
            root.name,
            root.code,
            url_of(addr),
            url_of(addr)
        );
        let state = AppState::new(deployment.store.clone())
            .with_security(security)
            .with_import_limits(limits);
        sojourn_web::serve(listener, state)
            .await
            .map_err(CliError::Serve)
    })
}

/// A URL a browser on this machine can open, also when listening on all
/// interfaces (0.0.0.0 is not an address to browse to).
fn url_of(addr: SocketAddr) -> String {
    if addr.ip().is_unspecified() {
        format!("http://127.0.0.1:{}/ (all interfaces)", addr.port())
    } else {
        format!("http://{addr}/")
    }
}
