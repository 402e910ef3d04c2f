//! The one way the HTTP layer calls the store: on tokio's blocking pool.
//! Both engines block, and a request must not hold up the async workers
//! while the disk is busy. The API answers a failure with its JSON error
//! ([`run`]); the pages with their error page, from [`raw`].

use crate::AppState;
use crate::error::ApiError;
use sojourn_store::Store;
use std::sync::Arc;

/// Runs `call` on the blocking pool; `Err` only when the task itself
/// failed (it panicked), with what tokio says of it.
pub(crate) async fn raw<T, F>(state: &AppState, call: F) -> Result<sojourn_store::Result<T>, String>
where
    T: Send + 'static,
    F: FnOnce(&dyn Store) -> sojourn_store::Result<T> + Send + 'static,
{
    let store = Arc::clone(&state.store);
    let started = std::time::Instant::now();
    let done = tokio::task::spawn_blocking(move || call(store.as_ref()))
        .await
        .map_err(|e| format!("store task failed: {e}"));
    state.metrics.store_call(started.elapsed());
    done
}

/// Runs `call` on the blocking pool; any failure becomes the API's error.
pub(crate) async fn run<T, F>(state: &AppState, call: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&dyn Store) -> sojourn_store::Result<T> + Send + 'static,
{
    raw(state, call)
        .await
        .map_err(ApiError::Internal)?
        .map_err(ApiError::from)
}
