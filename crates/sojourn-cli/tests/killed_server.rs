//! A server killed (SIGKILL, no chance to clean up) while clients read
//! and write loses nothing it answered for: every audited read answered
//! 200 has its entry in the trail, every arrival answered 201 is on file
//! with its own entry, and the chain still verifies (`sojourn audit
//! verify`) — after the kill and after the server has served again on top.
//!
//! The store checkpoints its log on a thread of its own (issue 18), so the
//! kill may land in a checkpoint as well as in a commit; the run repeats
//! the kill to give it the chance.

use serde_json::Value;
use sojourn_domain::account::{Role, Username};
use sojourn_domain::codes::id_number::check_character;
use sojourn_domain::text::PersonName;
use sojourn_domain::unit::{Scope, UnitCode};
use sojourn_store::{Actor, NewAccount};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const TOWN: &str = "110101001";
const COMMUNITY: &str = "110101001001";
const PASSWORD: &str = "Killed-server-2024!";
/// Answers each round waits for before the kill.
const ANSWERS_BEFORE_KILL: usize = 300;
const ROUNDS: usize = 3;

/// The server, killed when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request on its own connection: the status and body, or `None` when
/// the server did not answer (it was killed).
fn request(port: u16, head: &str, body: &[u8]) -> Option<(u16, String, Vec<u8>)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .ok()?;
    let request = format!(
        "{head}Host: localhost\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    stream.write_all(body).ok()?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).ok()?;
    let split = reply.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&reply[..split]).into_owned();
    let status = head.get(9..12)?.parse().ok()?;
    let body = reply[split + 4..].to_vec();
    // A chunked body is not expected from the JSON API; refuse to guess.
    if head.to_lowercase().contains("transfer-encoding: chunked") {
        return None;
    }
    Some((status, head, body))
}

fn sojourn(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sojourn"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

/// A deployment with an office director.
fn deployment(dir: &Path) {
    let init = sojourn(dir, &["init", "--unit", TOWN, "--db", "s.db"]);
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let (keys, _) =
        sojourn_store::crypto::load_or_create_keys(&dir.join("sojourn.key")).expect("key file");
    let store =
        sojourn_store::open(dir.join("s.db").to_str().expect("UTF-8"), keys).expect("store");
    let account = NewAccount {
        username: Username::parse("director").expect("user name"),
        display_name: PersonName::parse("测试主任").expect("name"),
        unit: UnitCode::parse(TOWN).expect("unit"),
        roles: vec![Role::OfficeDirector],
        password_hash: sojourn_web::auth::password::hash(PASSWORD).expect("hash"),
        password_set_at: time::OffsetDateTime::now_utc(),
        must_change_password: false,
        totp_secret: None,
    };
    store
        .create_account(
            &Scope::of(UnitCode::parse(TOWN).expect("unit")),
            &account,
            &Actor::new("test"),
        )
        .expect("account");
}

fn serve(dir: &Path) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_sojourn"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--db",
            "s.db",
            "--audited-reads-per-minute",
            "1000000",
        ])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("serve runs");
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Server { child, port }
}

/// Signs in: the session cookie and its CSRF token.
fn sign_in(port: u16) -> (String, String) {
    let body = serde_json::json!({ "username": "director", "password": PASSWORD }).to_string();
    let (status, head, reply) = request(
        port,
        "POST /api/v1/session HTTP/1.1\r\nContent-Type: application/json\r\n",
        body.as_bytes(),
    )
    .expect("an answer");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&reply));
    let cookie = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or(l.strip_prefix("Set-Cookie: "))
        })
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned();
    let reply: Value = serde_json::from_slice(&reply).expect("JSON");
    let csrf = reply["csrf_token"]
        .as_str()
        .expect("a CSRF token")
        .to_owned();
    (cookie, csrf)
}

/// The `i`th ID number: distinct for every `i` below 8,000,000.
fn id_number(i: usize) -> String {
    let day = i % 8000;
    let sequence = i / 8000;
    let birth = time::macros::date!(1960 - 01 - 01) + time::Duration::days(day as i64);
    let first17 = format!(
        "410102{:04}{:02}{:02}{:03}",
        birth.year(),
        u8::from(birth.month()),
        birth.day(),
        sequence % 1000
    );
    let check = check_character(&first17).expect("17 digits");
    format!("{first17}{check}")
}

/// What the clients were answered.
#[derive(Default)]
struct Answered {
    /// Searches answered 200.
    searches: AtomicUsize,
    /// (person, residence) ids of arrivals answered 201.
    arrivals: Mutex<Vec<(i64, i64)>>,
}

impl Answered {
    fn total(&self) -> usize {
        self.searches.load(Ordering::SeqCst) + self.arrivals.lock().map_or(0, |a| a.len())
    }
}

/// Registers arrivals until the server stops answering.
fn write_until_killed(
    port: u16,
    session: &(String, String),
    next: &AtomicUsize,
    answered: &Answered,
) {
    loop {
        let i = next.fetch_add(1, Ordering::SeqCst);
        let body = serde_json::json!({
            "id_number": id_number(i), "name": "张三", "ethnicity": "01",
            "domicile": "410102001002", "unit": COMMUNITY, "arrived_on": "2024-03-05",
            "reason": "01", "current_address": "多福巷12号",
        })
        .to_string();
        let head = format!(
            "POST /api/v1/residents HTTP/1.1\r\nCookie: {}\r\nX-CSRF-Token: {}\r\n\
             Content-Type: application/json\r\n",
            session.0, session.1
        );
        let Some((status, _, reply)) = request(port, &head, body.as_bytes()) else {
            return;
        };
        assert_eq!(status, 201, "{}", String::from_utf8_lossy(&reply));
        let reply: Value = serde_json::from_slice(&reply).expect("JSON");
        let person = reply["person"]["id"].as_i64().expect("the person's id");
        let stay = reply["residence"]["id"].as_i64().expect("the stay's id");
        answered.arrivals.lock().expect("lock").push((person, stay));
    }
}

/// Searches by name until the server stops answering.
fn read_until_killed(port: u16, session: &(String, String), answered: &Answered) {
    loop {
        let head = format!(
            "POST /api/v1/residents/search HTTP/1.1\r\nCookie: {}\r\nX-CSRF-Token: {}\r\n\
             Content-Type: application/json\r\n",
            session.0, session.1
        );
        let Some((status, _, reply)) = request(port, &head, br#"{"q": "zs"}"#) else {
            return;
        };
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&reply));
        answered.searches.fetch_add(1, Ordering::SeqCst);
    }
}

/// One round: two writers and two readers until `ANSWERS_BEFORE_KILL`
/// answers, then SIGKILL; what was answered.
fn round(dir: &Path, next: &AtomicUsize) -> Answered {
    let mut server = serve(dir);
    let port = server.port;
    let session = sign_in(port);
    let answered = Answered::default();
    let killed = AtomicBool::new(false);
    std::thread::scope(|threads| {
        for _ in 0..2 {
            threads.spawn(|| write_until_killed(port, &session, next, &answered));
            threads.spawn(|| read_until_killed(port, &session, &answered));
        }
        let start = Instant::now();
        while answered.total() < ANSWERS_BEFORE_KILL {
            assert!(start.elapsed() < Duration::from_secs(300), "too slow");
            std::thread::sleep(Duration::from_millis(5));
        }
        server.child.kill().expect("SIGKILL");
        server.child.wait().expect("reaped");
        killed.store(true, Ordering::SeqCst);
    });
    assert!(killed.load(Ordering::SeqCst));
    answered
}

fn count(db: &rusqlite::Connection, sql: &str, param: &str) -> i64 {
    db.query_row(sql, [param], |row| row.get(0)).expect("count")
}

#[test]
fn a_server_killed_during_audited_reads_and_writes_loses_nothing_it_answered() {
    let dir = tempfile::tempdir().expect("temp dir");
    deployment(dir.path());
    let next = AtomicUsize::new(0);
    let mut searches = 0;
    let mut arrivals = Vec::new();
    for _ in 0..ROUNDS {
        let answered = round(dir.path(), &next);
        searches += answered.searches.load(Ordering::SeqCst);
        arrivals.extend(answered.arrivals.into_inner().expect("lock"));
    }
    assert!(searches > 0 && !arrivals.is_empty(), "both kinds answered");

    let verify = sojourn(dir.path(), &["audit", "verify", "--db", "s.db"]);
    let said = String::from_utf8_lossy(&verify.stdout);
    assert!(
        verify.status.success() && said.contains("audit trail intact"),
        "{said}{}",
        String::from_utf8_lossy(&verify.stderr)
    );

    let db = rusqlite::Connection::open_with_flags(
        dir.path().join("s.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("read-only");
    let logged_searches = count(
        &db,
        "SELECT COUNT(*) FROM audit_log WHERE actor_name = ?1 AND action = 'search'",
        "director",
    );
    // A search audited but killed before its answer left is in the trail
    // too: at least as many entries as answers, never fewer.
    assert!(
        logged_searches >= i64::try_from(searches).expect("count"),
        "{logged_searches} search entries for {searches} answers"
    );
    for (person, stay) in &arrivals {
        let on_file = count(
            &db,
            "SELECT COUNT(*) FROM persons WHERE id = ?1",
            &person.to_string(),
        );
        assert_eq!(on_file, 1, "person {person} answered 201 is on file");
        let stay = stay.to_string();
        let entries = count(
            &db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'create' \
             AND object_kind = 'residence' AND object_id = ?1",
            &stay,
        );
        assert_eq!(entries, 1, "stay {stay} has its arrival in the trail");
    }
}
