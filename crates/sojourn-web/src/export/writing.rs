//! Writing an export: its rows read from the store page by page on one
//! thread while this one writes the file, and counted for the progress
//! page.

use super::columns::{self, Names};
use super::filters::Filters;
use super::spec::{ExportSpec, LayoutKind};
use super::workflow;
use crate::i18n::{Lang, Tr};
use sojourn_domain::unit::Scope;
use sojourn_sheets::{ExportWriter, SheetError};
use sojourn_store::{
    EmployerQuery, HouseQuery, OutflowQuery, Page, PageRequest, ResidentQuery, Store, StoreError,
};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Sheet(#[from] SheetError),
}

/// Counts rows as they are written, for the progress page.
#[derive(Debug, Default)]
pub struct Progress {
    pub written: AtomicU64,
    /// The rows the filters match (0 until counted).
    pub total: AtomicU64,
}

/// How many rows the store reads at once.
pub(super) const PAGE: u32 = PageRequest::MAX_LIMIT;

/// Pages read ahead of the writer.
const READ_AHEAD: usize = 8;

/// Writes `spec`'s rows in `scope` to `path` and returns their number.
/// The store is read on one thread, page by page (by key for residents,
/// the register of millions), while this thread writes the file.
pub fn write_export(
    store: &dyn Store,
    scope: &Scope,
    spec: &ExportSpec,
    path: &Path,
    progress: &Progress,
) -> Result<u64, ExportError> {
    let mut names = Names::new(spec.numbers());
    names.units = store
        .list_units(scope, None)?
        .into_iter()
        .map(|u| (u.code.to_string(), u.name.to_string()))
        .collect();
    let layout = match spec.layout {
        LayoutKind::Ledger => columns::ledger(spec.list),
        LayoutKind::List => columns::list(spec.list, spec.lang),
    };
    let tr = Tr::new(match spec.layout {
        LayoutKind::Ledger => Lang::ZhCn,
        LayoutKind::List => spec.lang,
    });
    let headers: Vec<&str> = layout.headers.iter().map(String::as_str).collect();
    let mut out = ExportWriter::create(spec.format, path, &layout.title, &layout.title, &headers)?;
    let count = match &spec.filters {
        Filters::Residents(query) => {
            if spec.layout == LayoutKind::Ledger {
                load_links(store, scope, &mut names)?;
            }
            if query.term.is_some() {
                // A search selects few rows: read them as the list pages
                // them, by the same query.
                pipe(
                    &mut out,
                    progress,
                    |n, r| columns::cells(columns::RESIDENTS, &layout.columns, n, r, &names),
                    offset_pages(|page| {
                        store.search_residents(
                            scope,
                            &ResidentQuery {
                                page,
                                ..query.clone()
                            },
                        )
                    }),
                )?
            } else {
                pipe(
                    &mut out,
                    progress,
                    |n, r| columns::cells(columns::RESIDENTS, &layout.columns, n, r, &names),
                    |after| {
                        let rows = store.export_residents_matching(scope, query, after, PAGE)?;
                        let next = rows.last().map(|r| r.residence.id);
                        Ok((rows, next))
                    },
                )?
            }
        }
        Filters::Houses(query) => pipe(
            &mut out,
            progress,
            |n, r| columns::cells(columns::HOUSES, &layout.columns, n, r, &names),
            offset_pages(|page| {
                store.search_houses(
                    scope,
                    &HouseQuery {
                        page,
                        ..query.clone()
                    },
                )
            }),
        )?,
        Filters::Employers(query) => pipe(
            &mut out,
            progress,
            |n, r| columns::cells(columns::EMPLOYERS, &layout.columns, n, r, &names),
            offset_pages(|page| {
                store.search_employers(
                    scope,
                    &EmployerQuery {
                        page,
                        ..query.clone()
                    },
                )
            }),
        )?,
        Filters::Outflows(query) => pipe(
            &mut out,
            progress,
            |n, r| columns::cells(columns::OUTFLOWS, &layout.columns, n, r, &names),
            offset_pages(|page| {
                store.search_outflows(
                    scope,
                    &OutflowQuery {
                        page,
                        ..query.clone()
                    },
                )
            }),
        )?,
        workflow => workflow::write(store, scope, workflow, tr, &names, &mut out, progress)?,
    };
    out.finish()?;
    Ok(count)
}

/// The rows the filters of `spec` match (a list's total, as its page
/// counts it).
pub fn count(store: &dyn Store, scope: &Scope, spec: &ExportSpec) -> Result<u64, StoreError> {
    let one = PageRequest::new(0, 1).unwrap_or_default();
    Ok(match &spec.filters {
        Filters::Residents(q) => {
            let q = ResidentQuery {
                page: one,
                ..q.clone()
            };
            store.search_residents(scope, &q)?.total
        }
        Filters::Houses(q) => {
            let q = HouseQuery {
                page: one,
                ..q.clone()
            };
            store.search_houses(scope, &q)?.total
        }
        Filters::Employers(q) => {
            let q = EmployerQuery {
                page: one,
                ..q.clone()
            };
            store.search_employers(scope, &q)?.total
        }
        Filters::Outflows(q) => {
            let q = OutflowQuery {
                page: one,
                ..q.clone()
            };
            store.search_outflows(scope, &q)?.total
        }
        // The workflow's lists are short, and their store calls count
        // nothing: the page shows the rows written.
        _ => 0,
    })
}

/// The addresses of the houses and names of the employers in scope, which
/// the resident ledger prints for each stay (hundreds to thousands).
fn load_links(store: &dyn Store, scope: &Scope, names: &mut Names) -> Result<(), StoreError> {
    let mut houses = offset_pages(|page| {
        store.search_houses(
            scope,
            &HouseQuery {
                page,
                ..HouseQuery::default()
            },
        )
    });
    let mut at = None;
    loop {
        let (page, next) = houses(at)?;
        names.houses.extend(
            page.into_iter()
                .map(|h| (h.id.0, h.details.address.to_string())),
        );
        match next {
            Some(n) => at = Some(n),
            None => break,
        }
    }
    let mut employers = offset_pages(|page| {
        store.search_employers(
            scope,
            &EmployerQuery {
                page,
                ..EmployerQuery::default()
            },
        )
    });
    let mut at = None;
    loop {
        let (page, next) = employers(at)?;
        names.employers.extend(
            page.into_iter()
                .map(|e| (e.id.0, e.details.name.to_string())),
        );
        match next {
            Some(n) => at = Some(n),
            None => break,
        }
    }
    Ok(())
}

/// A pager by offset, for the short registers (houses, employers,
/// outflows) and searches, that the lists page the same way: `next` is the
/// offset of the following page, `None` after the last. A full page is
/// followed by another even past `total`, which a search caps.
fn offset_pages<T>(
    mut fetch: impl FnMut(PageRequest) -> sojourn_store::Result<Page<T>>,
) -> impl FnMut(Option<u64>) -> Result<(Vec<T>, Option<u64>), StoreError> {
    move |at: Option<u64>| {
        let offset = at.unwrap_or(0);
        let page = PageRequest::new(offset, PAGE).unwrap_or_default();
        let Page { items, total } = fetch(page)?;
        let end = offset + items.len() as u64;
        let full = items.len() == PAGE as usize;
        let next = (!items.is_empty() && (end < total || full)).then_some(end);
        Ok((items, next))
    }
}

/// Reads pages with `fetch` on a second thread while this one writes
/// them: reading (SQL, decryption) and writing (XML, deflate) then overlap
/// on two cores. `fetch(after)` gives a page and the key of the next
/// (`None`: the last page, or an empty one).
pub(super) fn pipe<R: Send, K: Send>(
    out: &mut ExportWriter,
    progress: &Progress,
    cells: impl Fn(u64, &R) -> Vec<String>,
    mut fetch: impl FnMut(Option<K>) -> Result<(Vec<R>, Option<K>), StoreError> + Send,
) -> Result<u64, ExportError> {
    std::thread::scope(|threads| {
        let (send, receive) = mpsc::sync_channel::<Result<Vec<R>, StoreError>>(READ_AHEAD);
        threads.spawn(move || {
            let mut after = None;
            loop {
                let (page, next) = match fetch(after.take()) {
                    Ok(found) => found,
                    Err(error) => {
                        let _ = send.send(Err(error));
                        return;
                    }
                };
                let last = page.is_empty() || next.is_none();
                // The writer hung up (it failed): stop reading.
                if send.send(Ok(page)).is_err() || last {
                    return;
                }
                after = next;
            }
        });
        let mut number = 0_u64;
        for page in receive {
            for record in page? {
                number += 1;
                out.row(&cells(number, &record))?;
            }
            progress.written.store(number, Ordering::Relaxed);
        }
        Ok(number)
    })
}
