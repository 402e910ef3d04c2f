use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use sojourn_domain::text::UnitName;
use sojourn_domain::unit::{Unit, UnitCode};
use sojourn_store::Store;
use sojourn_web::{AppState, app};
use std::sync::Arc;
use tempfile::TempDir;
use tower::ServiceExt;

/// The deployment every test starts from: one street and two communities.
pub const ROOT: &str = "110101001";
pub const COMMUNITY: &str = "110101001001";
pub const SIBLING: &str = "110101001002";
pub const COMMUNITY_NAME: &str = "多福巷社区居委会";

/// The application acting for one unit, over a store it may share with
/// apps acting for other units.
pub struct TestApp {
    router: Router,
    pub store: Arc<dyn Store>,
    dir: Arc<TempDir>,
}

fn unit(code: &str, name: &str) -> Unit {
    Unit {
        code: UnitCode::parse(code).expect("unit code"),
        name: UnitName::parse(name).expect("unit name"),
    }
}

/// A fresh deployment rooted at 东华门街道, served as `acting_unit`.
pub async fn spawn_app(acting_unit: &str) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("sojourn.db");
    let store = sojourn_store::open(path.to_str().expect("UTF-8 path")).expect("open store");
    store
        .init_deployment_unscoped(
            &unit(ROOT, "东华门街道"),
            &[
                unit(COMMUNITY, COMMUNITY_NAME),
                unit(SIBLING, "银闸社区居委会"),
            ],
        )
        .expect("init deployment");
    TestApp::over(store, Arc::new(dir), acting_unit)
}

/// A response: status and JSON body (`Null` when empty).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
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
}

impl TestApp {
    fn over(store: Arc<dyn Store>, dir: Arc<TempDir>, acting_unit: &str) -> Self {
        let state = AppState {
            store: Arc::clone(&store),
            acting_unit: UnitCode::parse(acting_unit).expect("acting unit"),
        };
        Self {
            router: app(state),
            store,
            dir,
        }
    }

    /// The same deployment served as another unit.
    pub fn acting_for(&self, unit: &str) -> TestApp {
        TestApp::over(Arc::clone(&self.store), Arc::clone(&self.dir), unit)
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
        };
        Reply { status, body }
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
        self.get(&format!("/api/v1/residents?{query}")).await
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
        self.get(&format!("/api/v1/houses?{query}")).await
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
        self.get(&format!("/api/v1/employers?{query}")).await
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
        self.get(&format!("/api/v1/outflows?{query}")).await
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
        self.get(&format!("/api/v1/checks/id-number?value={value}"))
            .await
    }
}
