//! How pages reach the store: off the async workers (both backends block),
//! always with the caller's scope, and with the names of the units in it,
//! which nearly every page shows.

use super::error::PageError;
use crate::AppState;
use crate::format::Choice;
use crate::i18n::Tr;
use sojourn_domain::unit::{Scope, Unit, UnitCode, UnitLevel};
use sojourn_store::Store;

/// Runs `call` on the blocking pool and returns its outcome as the store
/// gave it, for handlers that treat some store errors as form errors.
pub(crate) async fn blocking_raw<T, F>(
    state: &AppState,
    tr: Tr,
    call: F,
) -> Result<sojourn_store::Result<T>, PageError>
where
    T: Send + 'static,
    F: FnOnce(&dyn Store) -> sojourn_store::Result<T> + Send + 'static,
{
    crate::blocking::raw(state, call)
        .await
        .map_err(|why| PageError::internal(tr, why))
}

/// Runs `call` on the blocking pool; a store error becomes the error page.
pub(crate) async fn blocking<T, F>(state: &AppState, tr: Tr, call: F) -> Result<T, PageError>
where
    T: Send + 'static,
    F: FnOnce(&dyn Store) -> sojourn_store::Result<T> + Send + 'static,
{
    blocking_raw(state, tr, call)
        .await?
        .map_err(|e| PageError::store(tr, e))
}

/// The units of the caller's jurisdiction, for names and pickers.
#[derive(Debug, Clone, Default)]
pub(crate) struct Units {
    /// The scope's root first, then the subtree in code order.
    pub all: Vec<Unit>,
}

impl Units {
    pub(crate) fn load(store: &dyn Store, scope: &Scope) -> sojourn_store::Result<Self> {
        let mut all = store.list_units(scope, None)?;
        all.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(Self { all })
    }

    /// Name of the root unit (the header shows it).
    pub(crate) fn root_name(&self) -> String {
        self.all
            .first()
            .map(|u| u.name.to_string())
            .unwrap_or_default()
    }

    pub(crate) fn name_of(&self, code: &UnitCode) -> String {
        self.all
            .iter()
            .find(|u| &u.code == code)
            .map_or_else(|| code.to_string(), |u| u.name.to_string())
    }

    /// The units a resident can live in: communities and below.
    pub(crate) fn residence_units(&self) -> Vec<&Unit> {
        self.all
            .iter()
            .filter(|u| u.level() >= UnitLevel::Community)
            .collect()
    }
}

/// Options of a unit `<select>`: code, indented label, selected.
pub(crate) fn unit_options(units: &[&Unit], selected: &str) -> Vec<Choice> {
    units
        .iter()
        .map(|u| {
            let depth = u.code.as_str().len().saturating_sub(9) / 3;
            Choice {
                value: u.code.to_string(),
                label: format!("{}{}", "　".repeat(depth), u.name),
                selected: u.code.as_str() == selected,
            }
        })
        .collect()
}
