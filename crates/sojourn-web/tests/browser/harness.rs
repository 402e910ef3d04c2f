//! The real application on a free port over a fresh SQLite file, and
//! Debian's headless Chromium driven through chromedriver (WebDriver).
//! Nothing is downloaded: both come from `apt-get install chromium
//! chromium-driver`. Missing, they fail the test with that instruction,
//! unless `SOJOURN_SKIP_BROWSER=1` says to skip.

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use sojourn_domain::account::{Role, Username};
use sojourn_domain::codes::DivisionCode;
use sojourn_domain::codes::division;
use sojourn_domain::text::{PersonName, UnitName};
use sojourn_domain::unit::{Scope, Unit, UnitCode};
use sojourn_store::{Actor, NewAccount, Store};
use sojourn_web::auth::password;
use sojourn_web::{AppState, app};
use std::net::{SocketAddr, TcpListener as StdListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// The deployment every test starts from: 东华门街道 and four of its
/// communities, named from the embedded division data.
pub const ROOT: &str = "110101001";

/// The password of every account the tests open.
pub const PASSWORD: &str = "Dongcheng-2024!";

/// The street office's clerk, whom every test is signed in as first.
pub const CLERK: &str = "clerk";

/// How long a page or a swap may take before a test gives up.
const PATIENCE: Duration = Duration::from_secs(15);

fn binary(env: &str, default: &str) -> PathBuf {
    std::env::var_os(env).map_or_else(|| PathBuf::from(default), PathBuf::from)
}

/// Whether the suite should run: `false` only with `SOJOURN_SKIP_BROWSER=1`.
/// Missing browser binaries fail loudly instead of skipping quietly.
fn browser_wanted() -> Option<(PathBuf, PathBuf)> {
    if std::env::var("SOJOURN_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("browser tests skipped: SOJOURN_SKIP_BROWSER=1");
        return None;
    }
    let chromium = binary("CHROMIUM", "/usr/bin/chromium");
    let driver = binary("CHROMEDRIVER", "/usr/bin/chromedriver");
    for path in [&chromium, &driver] {
        assert!(
            path.exists(),
            "{} is missing: the browser tests need Debian's headless Chromium \
             (apt-get install chromium chromium-driver; .ci/run does it), \
             or SOJOURN_SKIP_BROWSER=1 to skip them",
            path.display()
        );
    }
    Some((chromium, driver))
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

/// A chromedriver process, ended when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start(path: &Path) -> Self {
        let port = free_port();
        let child = Command::new(path)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let driver = Self { child, port };
        let deadline = Instant::now() + PATIENCE;
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn unit(code: &str) -> Unit {
    let code = UnitCode::parse(code).expect("unit code");
    let division = DivisionCode::parse_known(code.as_str()).expect("a known division");
    let name = division::lookup(&division).expect("named").name;
    Unit {
        code,
        name: UnitName::parse(&name).expect("unit name"),
    }
}

/// The communities of the test deployment.
pub fn communities() -> Vec<String> {
    let town = DivisionCode::parse_known(ROOT).expect("town");
    division::children(Some(&town))
        .into_iter()
        .take(4)
        .map(|d| d.code.to_string())
        .collect()
}

/// The application under test, served on a free port.
pub struct App {
    pub base: String,
    pub store: Arc<dyn Store>,
    _dir: TempDir,
}

impl App {
    async fn spawn() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("sojourn.db");
        let store = sojourn_store::open(
            path.to_str().expect("UTF-8 path"),
            sojourn_store::crypto::Keyring::generate(),
        )
        .expect("open store");
        let below: Vec<Unit> = communities().iter().map(|c| unit(c)).collect();
        store
            .init_deployment_unscoped(&unit(ROOT), &below)
            .expect("init deployment");
        let state = AppState::new(Arc::clone(&store));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app(state)).await;
        });
        Self {
            base,
            store,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Opens an account holding `role` in `unit`, with [`PASSWORD`], as the
    /// API tests do (straight into the store). Not for administrators,
    /// who would need a second factor.
    pub fn open_account(&self, username: &str, role: Role, unit: &str, must_change: bool) {
        static HASH: OnceLock<String> = OnceLock::new();
        let hash = HASH.get_or_init(|| password::hash(PASSWORD).expect("hash"));
        let new = NewAccount {
            username: Username::parse(username).expect("user name"),
            display_name: PersonName::parse("王小红").expect("name"),
            unit: UnitCode::parse(unit).expect("unit code"),
            roles: vec![role],
            password_hash: hash.clone(),
            password_set_at: time::OffsetDateTime::now_utc(),
            must_change_password: must_change,
            totp_secret: None,
        };
        let root = Scope::of(UnitCode::parse(ROOT).expect("root"));
        self.store
            .create_account(&root, &new, &Actor::new("test"))
            .expect("account opened");
    }
}

/// One browser session on the application.
pub struct Ctx {
    pub app: App,
    pub client: Client,
}

fn capabilities(chromium: &Path, profile: &Path) -> serde_json::Map<String, Value> {
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--lang=zh-CN",
        "--window-size=1366,768",
    ]
    .into_iter()
    .map(str::to_owned)
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect::<Vec<_>>();
    let options = json!({
        "binary": chromium.to_string_lossy(),
        "args": args,
        "prefs": { "intl.accept_languages": "zh-CN,zh" },
    });
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
    caps.insert("goog:chromeOptions".into(), options);
    caps
}

/// Browser tests run one at a time: each has its own Chromium, and two at
/// once on a small machine only make both slow.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Runs `body` against a fresh application in a fresh browser, and closes
/// the browser whatever happens.
pub fn run<F, Fut>(body: F)
where
    F: FnOnce(Arc<Ctx>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let Some((chromium, driver_path)) = browser_wanted() else {
        return;
    };
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let driver = Driver::start(&driver_path);
    let profile = tempfile::tempdir().expect("profile dir");
    let outcome = runtime.block_on(async move {
        let app = App::spawn().await;
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities(&chromium, profile.path()))
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .expect("a WebDriver session");
        app.open_account(CLERK, Role::Clerk, ROOT, false);
        let ctx = Arc::new(Ctx { app, client });
        let signed_in = Arc::clone(&ctx);
        let result = tokio::spawn(async move {
            signed_in.sign_in(CLERK).await;
            body(signed_in).await;
        })
        .await;
        if let Ok(ctx) = Arc::try_unwrap(ctx) {
            let _ = ctx.client.close().await;
        }
        drop(driver);
        result
    });
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}

impl Ctx {
    /// Signs in as `username` (with [`PASSWORD`]) through the sign-in page.
    pub async fn sign_in(&self, username: &str) {
        self.goto("/sign-in").await;
        self.type_into("#username", username).await;
        self.type_into("#password", PASSWORD).await;
        self.click("form.form button.primary").await;
        let deadline = Instant::now() + PATIENCE;
        loop {
            let url = self.client.current_url().await.expect("current URL");
            if url.path() != "/sign-in" {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "sign-in as {username} did not leave the sign-in page: {}",
                self.text("main").await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Signs out with the header's button.
    pub async fn sign_out(&self) {
        self.click("form.sign-out button").await;
        self.wait_path("/sign-in").await;
    }

    /// Ends the browser's session on the server, as expiry would: the
    /// browser keeps its cookie, the server no longer knows it.
    pub async fn end_session_on_server(&self) {
        let cookie = self
            .client
            .get_named_cookie("sojourn_session")
            .await
            .expect("a session cookie");
        let hash = sojourn_web::auth::secret::digest(cookie.value());
        self.app
            .store
            .end_session_unscoped(&hash)
            .expect("session ended");
    }

    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&self.app.url(path))
            .await
            .unwrap_or_else(|e| panic!("cannot open {path}: {e}"));
    }

    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap_or_default()
    }

    pub async fn value(&self, css: &str) -> String {
        self.find(css)
            .await
            .prop("value")
            .await
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    /// Waits until htmx has no request in flight and has settled its last
    /// swap: until then a swapped-in element may not listen to its
    /// triggers yet, and a robot (unlike a clerk) is fast enough to notice.
    pub async fn htmx_idle(&self) {
        let busy = "return document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added') !== null;";
        let deadline = Instant::now() + PATIENCE;
        while self.eval(busy).await == Value::Bool(true) {
            assert!(Instant::now() < deadline, "htmx did not settle");
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        self.on_fresh(css, "type into", |field| async move {
            field.clear().await?;
            field.send_keys(text).await
        })
        .await;
    }

    pub async fn click(&self, css: &str) {
        self.on_fresh(css, "click", |element| async move { element.click().await })
            .await;
    }

    /// Chooses an option of a `<select>`; a real click, so htmx sees the
    /// change event.
    pub async fn choose(&self, css: &str, value: &str) {
        self.on_fresh(css, "choose", |select| async move {
            select.select_by_value(value).await
        })
        .await;
    }

    /// Finds `css` once htmx is idle and acts on it, finding it again when
    /// a swap replaced it in between: a search field's delayed trigger
    /// (`delay:300ms`) fires after `htmx_idle` looked, and a slow CI
    /// machine types slowly enough for one to land mid-step.
    async fn on_fresh<F, Fut>(&self, css: &str, what: &str, act: F)
    where
        F: Fn(fantoccini::elements::Element) -> Fut,
        Fut: std::future::Future<Output = Result<(), fantoccini::error::CmdError>>,
    {
        let deadline = Instant::now() + PATIENCE;
        loop {
            self.htmx_idle().await;
            match act(self.find(css).await).await {
                Ok(()) => return,
                Err(e) if e.is_stale_element_reference() && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("{what} {css}: {e}"),
            }
        }
    }

    /// Waits until `check` holds for the text of `css`.
    pub async fn wait_text(&self, css: &str, what: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let text = match self.client.find(Locator::Css(css)).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if check(&text) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "{css}: waited for {what}, last saw {text:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the value of the input `css` is `expected`.
    pub async fn wait_value(&self, css: &str, expected: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let value = self.value(css).await;
            if value == expected {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{css}: waited for value {expected:?}, last saw {value:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the page's path (and query) starts with `prefix`.
    pub async fn wait_path(&self, prefix: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let url = self.client.current_url().await.expect("current URL");
            let path = match url.query() {
                Some(q) => format!("{}?{q}", url.path()),
                None => url.path().to_owned(),
            };
            if path.starts_with(prefix) {
                return path;
            }
            assert!(
                Instant::now() < deadline,
                "waited for {prefix}, still at {path}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the page's path (and query) passes `check`: for a
    /// submit whose answer keeps the path's beginning (`/houses/new` to
    /// `/houses/12?saved=1`).
    pub async fn wait_path_where(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let url = self.client.current_url().await.expect("current URL");
            let path = match url.query() {
                Some(q) => format!("{}?{q}", url.path()),
                None => url.path().to_owned(),
            };
            if check(&path) {
                return path;
            }
            assert!(
                Instant::now() < deadline,
                "waited for {what}, still at {path}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The page's whole HTML.
    pub async fn source(&self) -> String {
        self.client.source().await.expect("page source")
    }

    /// Sets the media type CSS sees (`print` or `screen`) through the
    /// DevTools protocol, which chromedriver passes on.
    pub async fn emulate_media(&self, media: &str) {
        let command = Cdp {
            method: "Emulation.setEmulatedMedia",
            params: json!({ "media": media }),
        };
        self.client
            .issue_cmd(command)
            .await
            .unwrap_or_else(|e| panic!("emulate {media} media: {e}"));
    }

    /// Errors the page wrote to the console (a script that failed, a
    /// content-security-policy violation), other than failed loads, which
    /// an error page causes on purpose.
    pub async fn console_errors(&self) -> Vec<String> {
        let entries = self
            .client
            .issue_cmd(BrowserLog)
            .await
            .unwrap_or_else(|e| panic!("browser log: {e}"));
        entries
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["level"] == "SEVERE")
            .filter_map(|e| e["message"].as_str())
            .filter(|m| !m.contains("Failed to load resource"))
            .map(str::to_owned)
            .collect()
    }

    /// A script's result as JSON.
    pub async fn eval(&self, script: &str) -> Value {
        self.client
            .execute(script, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}"))
    }
}

/// The browser console since the last call, through chromedriver's log
/// endpoint.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _url: &url::Url) -> (axum::http::Method, Option<String>) {
        let body = json!({ "type": "browser" });
        (axum::http::Method::POST, Some(body.to_string()))
    }
}

/// A DevTools command sent through chromedriver's `goog/cdp/execute`.
#[derive(Debug)]
struct Cdp {
    method: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _url: &url::Url) -> (axum::http::Method, Option<String>) {
        let body = json!({ "cmd": self.method, "params": self.params });
        (axum::http::Method::POST, Some(body.to_string()))
    }
}
