//! PostgreSQL backend (the production store).

use crate::{Result, StoreError};

/// Connects to the PostgreSQL database at `url`.
pub fn open(url: &str) -> Result<Box<dyn crate::Store>> {
    let _ = url;
    Err(StoreError::Backend(
        "the PostgreSQL backend is not built yet".into(),
    ))
}
