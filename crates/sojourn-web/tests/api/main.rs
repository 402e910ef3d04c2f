//! Black-box tests of the JSON API: each test builds the real application
//! over a fresh SQLite file and drives it with requests, as a client would,
//! signed in as a user of some role in some unit.

/// Valid and invalid request bodies and national codes.
mod fixtures;
/// `spawn_app`, the request helpers and one helper per endpoint.
mod helpers;

/// Staff accounts and the separation of the three administrators.
mod accounts;
/// The administration pages: accounts, units, tokens, audit; landing;
/// the language kept per account.
mod admin_pages;
/// The audit trail: what is recorded, who reads and exports it.
mod audit;
/// Documents checked or chased on a person's file.
mod documents;
/// Exports of the lists and ledgers: rows, masking, reveal, jobs.
mod exports;
/// The family-planning follow-up: visibility of contents, 三查, worklists.
mod family_planning;
/// The person file's edit and reveal pages, tenant moves, age bands.
mod file_pages;
/// Security headers, no personal data in URLs, client addresses.
mod hardening;
/// `/healthz` and `/readyz`.
mod health;
/// Input made to break the server or mislead a reader: return addresses
/// off the site, numbers beyond range.
mod hostile_input;
/// Imports from uploaded sheets, on the API and the pages.
mod imports;
/// The access matrix: every role of sibling units against every route.
mod matrix;
/// The OpenAPI document.
mod openapi;
/// The access matrix of the pages: every role of sibling units against
/// every page route.
mod page_matrix;
/// The pages behind the same guard: sign-in redirects, HTML refusals.
mod pages;
/// Patrols: the form, the worklists, tasks and cycles.
mod patrols;
/// The permit counter, print views and worklists on the pages.
mod permit_pages;
/// Residence permits 居住证: steps, refusals, worklists, rate.
mod permits;
/// Refusals common to every route: bad JSON, sizes, routes, methods.
mod protocol;
/// The data-quality monitor.
mod quality;
/// The forms of the house, employer and outflow registers.
mod record_forms;
/// The service-request pages and their to-do items.
mod request_pages;
/// Masking by default; reveal with a reason.
mod reveal;
/// The review workflow: steps, queues, counts, wrong input.
mod review;
/// The review on the record pages; the form's collection time and place.
mod review_pages;
/// Scope: a narrower caller neither sees nor changes records outside it.
mod scope;
/// Service requests at the one-stop window.
mod service_requests;
/// Signing in and out, sessions, CSRF, lockout, second factor, passwords.
mod session;
/// The staffing ratios page.
mod staffing;
/// API tokens for programs.
mod tokens;
/// Uploads and other bodies: who has them read, and the connection after
/// a refusal.
mod uploads;
/// Exports of the review workflow's and the data-quality monitor's lists.
mod workflow_exports;

/// Live ID-number checks.
mod checks;
/// A collector's collection time and place, typed in with the record.
mod collection;
/// A deployment rooted at a county.
mod county;
/// Division pickers and names.
mod divisions;
/// The employer register and its workers.
mod employers;
/// Minors registered with an adult guardian.
mod guardians;
/// The rental-house register and its tenants.
mod houses;
/// The outflow register and left-behind family.
mod outflows;
/// Person files.
mod persons;
/// Stays: correct, activate, deregister.
mod residences;
/// Registering arrivals and the resident list.
mod residents;
/// 重卡 while typing, and transfer requests between communities.
mod transfers;
/// The jurisdiction tree.
mod units;
