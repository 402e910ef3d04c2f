//! `spawn_app`, the clients, the request helpers and one helper per
//! endpoint. Every client is a signed-in user (or nobody) of a role in a
//! unit: tests sign in as real users do, through `POST /api/v1/session`.

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sojourn_domain::account::{Role, Username};
use sojourn_domain::text::{PersonName, UnitName};
use sojourn_domain::unit::{Scope, Unit, UnitCode};
use sojourn_store::{Actor, NewAccount, Store};
use sojourn_web::auth::{Clock, ManualClock, SecurityConfig, password, totp};
use sojourn_web::{AppState, app};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use tempfile::TempDir;
use tower::ServiceExt;

/// The deployment every test starts from: one street and two communities.
pub const ROOT: &str = "110101001";
pub const COMMUNITY: &str = "110101001001";
pub const SIBLING: &str = "110101001002";
pub const COMMUNITY_NAME: &str = "多福巷社区居委会";

/// The password of every account the helpers open.
pub const PASSWORD: &str = "Test#Passw0rd-2026";

/// What every client of one deployment shares.
struct Shared {
    router: Router,
    store: Arc<dyn Store>,
    clock: Arc<ManualClock>,
    security: SecurityConfig,
    next: Arc<AtomicU32>,
    dir: Arc<TempDir>,
    /// The server's export jobs, to hold some running in a test.
    exports: Arc<sojourn_web::export::jobs::ExportJobs>,
    /// The server's imports, to hold some running in a test.
    imports: Arc<sojourn_web::api::imports::Imports>,
    /// The bounds of an upload the server was built with.
    limits: sojourn_sheets::Limits,
}

/// How a client signs its requests.
#[derive(Debug, Clone)]
pub enum Credential {
    None,
    Session { cookie: String, csrf: String },
    Bearer(String),
}

/// A client of the application: a signed-in user (or nobody), from an
/// address of its own, over a store shared with the other clients.
#[derive(Clone)]
pub struct TestApp {
    shared: Arc<Shared>,
    pub credential: Credential,
    pub address: IpAddr,
    /// The account signed in, if any.
    pub account_id: Option<i64>,
    pub username: String,
    pub totp_secret: Option<String>,
}

fn unit(code: &str, name: &str) -> Unit {
    Unit {
        code: UnitCode::parse(code).expect("unit code"),
        name: UnitName::parse(name).expect("unit name"),
    }
}

/// The PHC string of [`PASSWORD`], hashed once for every account.
fn password_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| password::hash(PASSWORD).expect("hash"))
        .clone()
}

/// A fresh deployment rooted at 东华门街道, and the office director of
/// `unit` signed in.
pub async fn spawn_app(unit_code: &str) -> TestApp {
    deployment().user(Role::OfficeDirector, unit_code).await
}

/// A fresh deployment and nobody signed in.
pub fn deployment() -> TestApp {
    deployment_with(SecurityConfig::default())
}

/// A fresh deployment with these security settings, and nobody signed in.
pub fn deployment_with(security: SecurityConfig) -> TestApp {
    deployment_of(
        &unit(ROOT, "东华门街道"),
        &[
            unit(COMMUNITY, COMMUNITY_NAME),
            unit(SIBLING, "银闸社区居委会"),
        ],
        security,
    )
}

/// The county at the root of [`county_deployment`].
pub const COUNTY: &str = "110101";
/// A second town of that county, beside [`ROOT`].
pub const OTHER_TOWN: &str = "110101002";
/// A community of [`OTHER_TOWN`].
pub const OTHER_TOWN_COMMUNITY: &str = "110101002001";

/// A fresh deployment rooted at a county (东城区) with two towns, as
/// `sojourn init --unit 110101` makes one, and nobody signed in.
pub fn county_deployment() -> TestApp {
    deployment_of(
        &unit(COUNTY, "东城区"),
        &[
            unit(ROOT, "东华门街道"),
            unit(COMMUNITY, COMMUNITY_NAME),
            unit(SIBLING, "银闸社区居委会"),
            unit(OTHER_TOWN, "景山街道"),
            unit(OTHER_TOWN_COMMUNITY, "隆福寺社区居委会"),
        ],
        SecurityConfig::default(),
    )
}

fn deployment_of(root: &Unit, below: &[Unit], security: SecurityConfig) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("sojourn.db");
    let store = sojourn_store::open(
        path.to_str().expect("UTF-8 path"),
        sojourn_store::crypto::Keyring::generate(),
    )
    .expect("open store");
    store
        .init_deployment_unscoped(root, below)
        .expect("init deployment");
    let clock = Arc::new(ManualClock::starting_now());
    let shared = Shared::serving(
        store,
        clock,
        security,
        Arc::new(AtomicU32::new(1)),
        Arc::new(dir),
    );
    TestApp::nobody(Arc::new(shared))
}

impl Shared {
    fn serving(
        store: Arc<dyn Store>,
        clock: Arc<ManualClock>,
        security: SecurityConfig,
        next: Arc<AtomicU32>,
        dir: Arc<TempDir>,
    ) -> Self {
        Self::serving_with(store, clock, security, next, dir, Default::default())
    }

    fn serving_with(
        store: Arc<dyn Store>,
        clock: Arc<ManualClock>,
        security: SecurityConfig,
        next: Arc<AtomicU32>,
        dir: Arc<TempDir>,
        limits: sojourn_sheets::Limits,
    ) -> Self {
        let state = AppState::new(Arc::clone(&store))
            .with_clock(clock.clone())
            .with_security(security.clone())
            .with_import_limits(limits);
        let exports = Arc::clone(&state.exports);
        let imports = Arc::clone(&state.imports);
        Self {
            exports,
            imports,
            limits,
            router: app(state),
            store,
            clock,
            security,
            next,
            dir,
        }
    }
}

/// A response: status, headers and JSON body (`Null` when empty).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    #[track_caller]
    pub fn expect(self, status: StatusCode) -> Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {:#}",
            self.body
        );
        self
    }

    /// `error.code` of an error body.
    pub fn code(&self) -> &str {
        self.body["error"]["code"]
            .as_str()
            .unwrap_or("<no error code>")
    }

    /// `(field, code)` of every field problem.
    pub fn fields(&self) -> Vec<(String, String)> {
        let fields = self.body["error"]["fields"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        fields
            .iter()
            .map(|f| {
                let text = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
                (text("field"), text("code"))
            })
            .collect()
    }

    /// Asserts a 422 `validation_failed` naming `field` with `code`.
    #[track_caller]
    pub fn expect_field(self, field: &str, code: &str) -> Self {
        let reply = self.expect(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.code(), "validation_failed");
        assert!(
            reply
                .fields()
                .contains(&(field.to_owned(), code.to_owned())),
            "expected {field}: {code} in {:#}",
            reply.body
        );
        reply
    }

    /// Asserts an error status and code, and that both messages are there.
    #[track_caller]
    pub fn expect_error(self, status: StatusCode, code: &str) -> Self {
        let reply = self.expect(status);
        assert_eq!(reply.code(), code, "body: {:#}", reply.body);
        for language in ["zh-CN", "en"] {
            let message = reply.body["error"]["message"][language]
                .as_str()
                .unwrap_or_default();
            assert!(
                !message.is_empty(),
                "no {language} message: {:#}",
                reply.body
            );
        }
        reply
    }

    pub fn message_en(&self) -> &str {
        self.body["error"]["message"]["en"]
            .as_str()
            .unwrap_or_default()
    }

    pub fn message_zh(&self) -> &str {
        self.body["error"]["message"]["zh-CN"]
            .as_str()
            .unwrap_or_default()
    }

    pub fn id(&self) -> i64 {
        self.body["id"].as_i64().expect("an id")
    }

    pub fn version(&self) -> i64 {
        self.body["version"].as_i64().expect("a version")
    }

    /// The `Set-Cookie` header values.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }

    /// The session id a sign-in set, if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.set_cookies().iter().find_map(|c| {
            c.strip_prefix("sojourn_session=")
                .and_then(|rest| rest.split(';').next())
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        })
    }
}

impl TestApp {
    fn nobody(shared: Arc<Shared>) -> Self {
        let n = shared.next.fetch_add(1, Ordering::Relaxed);
        Self {
            shared,
            credential: Credential::None,
            address: IpAddr::V4(Ipv4Addr::new(10, 0, (n / 250) as u8, (n % 250) as u8 + 1)),
            account_id: None,
            username: String::new(),
            totp_secret: None,
        }
    }

    /// Nobody signed in, from an address of its own.
    pub fn anonymous(&self) -> TestApp {
        Self::nobody(Arc::clone(&self.shared))
    }

    /// The same client of a new server over the same database (a restart:
    /// nothing kept in memory survives).
    pub fn restarted(&self) -> TestApp {
        let shared = &self.shared;
        let restarted = Shared::serving_with(
            Arc::clone(&shared.store),
            Arc::clone(&shared.clock),
            shared.security.clone(),
            Arc::clone(&shared.next),
            Arc::clone(&shared.dir),
            shared.limits,
        );
        TestApp {
            shared: Arc::new(restarted),
            ..self.clone()
        }
    }

    /// The same client of a server over the same database whose uploads
    /// are bounded by `limits`.
    pub fn with_import_limits(&self, limits: sojourn_sheets::Limits) -> TestApp {
        let shared = &self.shared;
        let bounded = Shared::serving_with(
            Arc::clone(&shared.store),
            Arc::clone(&shared.clock),
            shared.security.clone(),
            Arc::clone(&shared.next),
            Arc::clone(&shared.dir),
            limits,
        );
        TestApp {
            shared: Arc::new(bounded),
            ..self.clone()
        }
    }

    /// The application itself, to serve it on a real socket.
    pub fn router(&self) -> Router {
        self.shared.router.clone()
    }

    /// The server's imports (running, and their reports).
    pub fn imports(&self) -> Arc<sojourn_web::api::imports::Imports> {
        Arc::clone(&self.shared.imports)
    }

    /// Whom the server records this client's requests as.
    pub fn actor(&self) -> sojourn_store::Actor {
        let mut actor = sojourn_store::Actor::new(self.username.as_str());
        actor.account = self.account_id.map(sojourn_domain::account::AccountId);
        actor
    }

    /// The same client with another credential.
    pub fn with_credential(&self, credential: Credential) -> TestApp {
        TestApp {
            credential,
            ..self.clone()
        }
    }

    pub fn store(&self) -> &dyn Store {
        self.shared.store.as_ref()
    }

    pub fn clock(&self) -> &ManualClock {
        &self.shared.clock
    }

    /// The deployment's office director of `unit`, signed in.
    pub async fn acting_for(&self, unit_code: &str) -> TestApp {
        self.user(Role::OfficeDirector, unit_code).await
    }

    /// A new account holding `role` in `unit`, signed in.
    pub async fn user(&self, role: Role, unit_code: &str) -> TestApp {
        self.user_with_roles(&[role], unit_code).await
    }

    /// A new account holding `roles` in `unit` (with a second factor if
    /// any is an administrator's), signed in.
    pub async fn user_with_roles(&self, roles: &[Role], unit_code: &str) -> TestApp {
        let (username, secret) = self.open_account(roles, unit_code, false);
        let mut client = self.anonymous();
        client.totp_secret = secret;
        client.sign_in_as(&username).await;
        client
    }

    /// Opens an account directly in the store; returns its user name and
    /// TOTP secret (administrators always have one).
    pub fn open_account(
        &self,
        roles: &[Role],
        unit_code: &str,
        must_change_password: bool,
    ) -> (String, Option<String>) {
        let n = self.shared.next.fetch_add(1, Ordering::Relaxed);
        let username = format!("user{n}");
        let secret = roles
            .iter()
            .any(|r| r.is_administrator())
            .then(|| totp::new_secret().expect("random"));
        let new = NewAccount {
            username: Username::parse(&username).expect("user name"),
            display_name: PersonName::parse("测试用户").expect("name"),
            unit: UnitCode::parse(unit_code).expect("unit code"),
            roles: roles.to_vec(),
            password_hash: password_hash(),
            password_set_at: self.clock().now(),
            must_change_password,
            totp_secret: secret.clone(),
        };
        let root = self
            .store()
            .deployment_root_unscoped()
            .expect("read the root")
            .expect("a rooted deployment");
        self.store()
            .create_account(&Scope::of(root.code), &new, &Actor::new("test"))
            .expect("account opened");
        (username, secret)
    }

    /// Signs this client in as `username` (with [`PASSWORD`] and, if this
    /// client holds a TOTP secret, the current code), keeping the session.
    pub async fn sign_in_as(&mut self, username: &str) {
        let code = self.totp_code();
        let reply = self
            .sign_in(username, PASSWORD, code.as_deref())
            .await
            .expect(StatusCode::OK);
        self.credential = Credential::Session {
            cookie: reply.session_cookie().expect("a session cookie"),
            csrf: reply.body["csrf_token"]
                .as_str()
                .expect("a CSRF token")
                .to_owned(),
        };
        self.account_id = reply.body["principal"]["account_id"].as_i64();
        self.username = username.to_owned();
    }

    /// The TOTP code of this client's secret now.
    pub fn totp_code(&self) -> Option<String> {
        let secret = self.totp_secret.as_deref()?;
        totp::code_at(secret, self.clock().now())
    }

    /// `POST /api/v1/session` from this client, as it is.
    pub async fn sign_in(&self, username: &str, password: &str, totp: Option<&str>) -> Reply {
        let body = json!({ "username": username, "password": password, "totp": totp });
        self.post("/api/v1/session", &body).await
    }

    pub async fn send(&self, mut request: Request<Body>) -> Reply {
        let unsafe_method = !request.method().is_safe();
        let headers = request.headers_mut();
        match &self.credential {
            Credential::None => {}
            Credential::Session { cookie, csrf } => {
                let value = format!("sojourn_session={cookie}");
                headers.insert(header::COOKIE, value.parse().expect("cookie"));
                if unsafe_method && !csrf.is_empty() && !headers.contains_key("x-csrf-token") {
                    headers.insert("x-csrf-token", csrf.parse().expect("token"));
                }
            }
            Credential::Bearer(token) => {
                let value = format!("Bearer {token}");
                headers.insert(header::AUTHORIZATION, value.parse().expect("token"));
            }
        }
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(self.address, 40000)));
        let response = self
            .shared
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let is_json = headers
            .get(header::CONTENT_TYPE)
            .is_none_or(|v| v.as_bytes().starts_with(b"application/json"));
        let body = if bytes.is_empty() {
            Value::Null
        } else if !is_json {
            // A download (an export): its text.
            Value::String(String::from_utf8_lossy(&bytes).into_owned())
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    /// `GET uri` as a download: status, headers and the body's bytes.
    pub async fn download(&self, uri: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
        let mut request = Request::get(uri).body(Body::empty()).expect("request");
        let headers = request.headers_mut();
        match &self.credential {
            Credential::None => {}
            Credential::Session { cookie, .. } => {
                let value = format!("sojourn_session={cookie}");
                headers.insert(header::COOKIE, value.parse().expect("cookie"));
            }
            Credential::Bearer(token) => {
                let value = format!("Bearer {token}");
                headers.insert(header::AUTHORIZATION, value.parse().expect("token"));
            }
        }
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(self.address, 40000)));
        let response = self
            .shared
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let (status, headers) = (response.status(), response.headers().clone());
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (status, headers, bytes.to_vec())
    }

    pub async fn raw(
        &self,
        method: Method,
        uri: &str,
        content_type: &str,
        body: impl Into<Body>,
    ) -> Reply {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::CONTENT_TYPE, content_type)
            .body(body.into())
            .expect("request");
        self.send(request).await
    }

    pub async fn get(&self, uri: &str) -> Reply {
        let request = Request::get(uri).body(Body::empty()).expect("request");
        self.send(request).await
    }

    pub async fn post(&self, uri: &str, body: &Value) -> Reply {
        self.raw(Method::POST, uri, "application/json", body.to_string())
            .await
    }

    pub async fn put(&self, uri: &str, body: &Value) -> Reply {
        self.raw(Method::PUT, uri, "application/json", body.to_string())
            .await
    }

    pub async fn delete(&self, uri: &str) -> Reply {
        let request = Request::delete(uri).body(Body::empty()).expect("request");
        self.send(request).await
    }

    /// A list: `GET` with the filters, or — when the query has a search
    /// term `q` — `POST …/search` with the same parameters as JSON.
    async fn list(&self, path: &str, query: &str) -> Reply {
        if !query.split('&').any(|pair| pair.starts_with("q=")) {
            return self.get(&format!("{path}?{query}")).await;
        }
        let mut body = serde_json::Map::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = match (key, value.parse::<i64>(), value.parse::<bool>()) {
                ("q", _, _) => Value::from(value),
                (_, Ok(n), _) => Value::from(n),
                (_, _, Ok(b)) => Value::from(b),
                _ => Value::from(value),
            };
            body.insert(key.to_owned(), value);
        }
        self.post(&format!("{path}/search"), &Value::Object(body))
            .await
    }

    // ---- one helper per endpoint ----

    pub async fn list_units(&self) -> Reply {
        self.get("/api/v1/units").await
    }
    pub async fn get_unit(&self, code: &str) -> Reply {
        self.get(&format!("/api/v1/units/{code}")).await
    }
    pub async fn unit_children(&self, code: &str) -> Reply {
        self.get(&format!("/api/v1/units/{code}/children")).await
    }
    pub async fn create_unit(&self, body: &Value) -> Reply {
        self.post("/api/v1/units", body).await
    }

    pub async fn register_arrival(&self, body: &Value) -> Reply {
        self.post("/api/v1/residents", body).await
    }
    pub async fn search_residents(&self, query: &str) -> Reply {
        self.list("/api/v1/residents", query).await
    }
    pub async fn get_residence(&self, id: i64) -> Reply {
        self.get(&format!("/api/v1/residences/{id}")).await
    }
    pub async fn update_stay(&self, id: i64, body: &Value) -> Reply {
        self.put(&format!("/api/v1/residences/{id}"), body).await
    }
    pub async fn activate(&self, id: i64, version: i64) -> Reply {
        let body = serde_json::json!({ "version": version });
        self.post(&format!("/api/v1/residences/{id}/activate"), &body)
            .await
    }
    pub async fn register_departure(&self, id: i64, body: &Value) -> Reply {
        self.post(&format!("/api/v1/residences/{id}/departure"), body)
            .await
    }
    pub async fn residence_history(&self, id: i64) -> Reply {
        self.get(&format!("/api/v1/residences/{id}/history")).await
    }

    pub async fn get_person(&self, id: i64) -> Reply {
        self.get(&format!("/api/v1/persons/{id}")).await
    }
    pub async fn update_person(&self, id: i64, body: &Value) -> Reply {
        self.put(&format!("/api/v1/persons/{id}"), body).await
    }
    pub async fn person_history(&self, id: i64) -> Reply {
        self.get(&format!("/api/v1/persons/{id}/history")).await
    }

    pub async fn create_house(&self, body: &Value) -> Reply {
        self.post("/api/v1/houses", body).await
    }
    pub async fn search_houses(&self, query: &str) -> Reply {
        self.list("/api/v1/houses", query).await
    }
    pub async fn get_house(&self, id: i64) -> Reply {
        self.get(&format!("/api/v1/houses/{id}")).await
    }
    pub async fn update_house(&self, id: i64, body: &Value) -> Reply {
        self.put(&format!("/api/v1/houses/{id}"), body).await
    }
    pub async fn tenants(&self, id: i64) -> Reply {
        self.get(&format!("/api/v1/houses/{id}/tenants")).await
    }
    pub async fn house_history(&self, id: i64) -> Reply {
        self.get(&format!("/api/v1/houses/{id}/history")).await
    }

    pub async fn create_employer(&self, body: &Value) -> Reply {
        self.post("/api/v1/employers", body).await
    }
    pub async fn search_employers(&self, query: &str) -> Reply {
        self.list("/api/v1/employers", query).await
    }
    pub async fn get_employer(&self, id: i64) -> Reply {
        self.get(&format!("/api/v1/employers/{id}")).await
    }
    pub async fn update_employer(&self, id: i64, body: &Value) -> Reply {
        self.put(&format!("/api/v1/employers/{id}"), body).await
    }
    pub async fn workers(&self, id: i64) -> Reply {
        self.get(&format!("/api/v1/employers/{id}/workers")).await
    }
    pub async fn employer_history(&self, id: i64) -> Reply {
        self.get(&format!("/api/v1/employers/{id}/history")).await
    }

    pub async fn create_outflow(&self, body: &Value) -> Reply {
        self.post("/api/v1/outflows", body).await
    }
    pub async fn search_outflows(&self, query: &str) -> Reply {
        self.list("/api/v1/outflows", query).await
    }
    pub async fn get_outflow(&self, id: i64) -> Reply {
        self.get(&format!("/api/v1/outflows/{id}")).await
    }
    pub async fn update_outflow(&self, id: i64, body: &Value) -> Reply {
        self.put(&format!("/api/v1/outflows/{id}"), body).await
    }
    pub async fn outflow_history(&self, id: i64) -> Reply {
        self.get(&format!("/api/v1/outflows/{id}/history")).await
    }

    pub async fn divisions(&self, query: &str) -> Reply {
        self.get(&format!("/api/v1/divisions{query}")).await
    }
    pub async fn division(&self, code: &str) -> Reply {
        self.get(&format!("/api/v1/divisions/{code}")).await
    }
    pub async fn check_id(&self, value: &str) -> Reply {
        self.post("/api/v1/checks/id-number", &json!({ "value": value }))
            .await
    }
}

impl TestApp {
    /// Registers `count` export jobs of the signed-in account that never
    /// finish (nothing runs them), as exports still running would be.
    pub fn hold_running_exports(&self, count: usize) {
        let account = sojourn_domain::account::AccountId(self.account_id.expect("signed in"));
        let params = std::collections::HashMap::from([("format".to_owned(), "csv".to_owned())]);
        let spec = sojourn_web::export::ExportSpec::parse(
            sojourn_web::export::ExportList::Residents,
            &params,
        )
        .expect("a CSV of every resident");
        for _ in 0..count {
            let names = spec.file_names("测试", time::macros::date!(2026 - 12 - 07));
            self.shared
                .exports
                .create(self.shared.store.as_ref(), account, &spec, names)
                .expect("a job");
        }
    }
}
