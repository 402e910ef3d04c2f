//! A real `sojourn serve` as an operator runs it (issue 17).
//!
//! Jobs that survive a restart: a server killed (SIGKILL) in the middle
//! of an export serves again with that export failed, saying why in
//! Chinese, while an export finished before the kill still downloads, and
//! so does an import's report; the jobs' files are in the jobs directory,
//! not in memory.
//!
//! Metrics: `/metrics` is served on `--metrics-addr` alone, counts the
//! requests by route template, and shows no personal data.
//!
//! Logs: with `SOJOURN_LOG_FORMAT=json` every line is a JSON object, each
//! request's lines carry the id its `x-request-id` header returned, and
//! the logs of a run at `debug` that reads, writes, refuses, exports and
//! imports personal data hold no ID or phone number.

use serde_json::Value;
use sojourn_domain::codes::id_number::check_character;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TOWN: &str = "110101001";
const COMMUNITY: &str = "110101001001";
const PASSWORD: &str = "Restarted-server-2024!";
/// Residents on file: enough that an export is still running a moment
/// after it started.
const RESIDENTS: usize = 6000;

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

/// One request on its own connection: the status, head and body.
fn request(port: u16, head: &str, body: &[u8]) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("a timeout");
    let request = format!(
        "{head}Host: localhost\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("sent");
    stream.write_all(body).expect("sent");
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).expect("an answer");
    let split = reply
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    let head = String::from_utf8_lossy(&reply[..split]).into_owned();
    let status = head[9..12].parse().expect("a status");
    let mut body = reply[split + 4..].to_vec();
    if head.to_lowercase().contains("transfer-encoding: chunked") {
        body = unchunk(&body);
    }
    (status, head, body)
}

/// The body of a chunked reply.
fn unchunk(mut chunked: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let line_end = chunked
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("a chunk size");
        let size = usize::from_str_radix(String::from_utf8_lossy(&chunked[..line_end]).trim(), 16)
            .expect("a hexadecimal size");
        if size == 0 {
            return body;
        }
        let start = line_end + 2;
        body.extend_from_slice(&chunked[start..start + size]);
        chunked = &chunked[start + size + 2..];
    }
}

fn sojourn(dir: &Path, args: &[&str]) -> std::process::Output {
    let output = Command::new(env!("CARGO_BIN_EXE_sojourn"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The `i`th ID number.
fn id_number(i: usize) -> String {
    let birth = time::macros::date!(1960 - 01 - 01) + time::Duration::days((i % 8000) as i64);
    let first17 = format!(
        "410102{:04}{:02}{:02}{:03}",
        birth.year(),
        u8::from(birth.month()),
        birth.day(),
        (i / 8000) % 1000
    );
    let check = check_character(&first17).expect("17 digits");
    format!("{first17}{check}")
}

/// A deployment with an office director and [`RESIDENTS`] residents.
fn deployment(dir: &Path) {
    sojourn(dir, &["init", "--unit", TOWN, "--db", "s.db"]);
    let mut csv = String::from(
        "id_number,name,ethnicity,domicile,phone,unit,arrived_on,reason,current_address,\
         house_address,employer_uscc,status,departed_on,destination,departure_reason\n",
    );
    for i in 0..RESIDENTS {
        csv.push_str(&format!(
            "{},张三,01,410102001002,,{COMMUNITY},2024-03-05,01,多福巷12号,,,active,,,\n",
            id_number(i)
        ));
    }
    std::fs::write(dir.join("residents.csv"), csv).expect("written");
    sojourn(
        dir,
        &["import", "residents", "residents.csv", "--db", "s.db"],
    );
    let (keys, _) =
        sojourn_store::crypto::load_or_create_keys(&dir.join("sojourn.key")).expect("key file");
    let store =
        sojourn_store::open(dir.join("s.db").to_str().expect("UTF-8"), keys).expect("store");
    let town = sojourn_domain::unit::UnitCode::parse(TOWN).expect("unit");
    let account = sojourn_store::NewAccount {
        username: sojourn_domain::account::Username::parse("director").expect("user name"),
        display_name: sojourn_domain::text::PersonName::parse("测试主任").expect("name"),
        unit: town.clone(),
        roles: vec![sojourn_domain::account::Role::OfficeDirector],
        password_hash: sojourn_web::auth::password::hash(PASSWORD).expect("hash"),
        password_set_at: time::OffsetDateTime::now_utc(),
        must_change_password: false,
        totp_secret: None,
    };
    store
        .create_account(
            &sojourn_domain::unit::Scope::of(town),
            &account,
            &sojourn_store::Actor::new("test"),
        )
        .expect("account");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn serve(dir: &Path) -> Server {
    serve_with(dir, &[])
}

fn serve_with(dir: &Path, more: &[&str]) -> Server {
    serve_logging(dir, more, Stdio::null(), &[])
}

fn serve_logging(dir: &Path, more: &[&str], stderr: Stdio, env: &[(&str, &str)]) -> Server {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut args = vec![
        "serve",
        "--listen",
        &listen,
        "--db",
        "s.db",
        "--jobs-dir",
        "jobs",
    ];
    args.extend_from_slice(more);
    let child = Command::new(env!("CARGO_BIN_EXE_sojourn"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
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

/// Signs in: the head lines a signed-in request sends.
fn sign_in(port: u16) -> String {
    let body = serde_json::json!({ "username": "director", "password": PASSWORD }).to_string();
    let (status, head, reply) = request(
        port,
        "POST /api/v1/session HTTP/1.1\r\nContent-Type: application/json\r\n",
        body.as_bytes(),
    );
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
    let csrf = reply["csrf_token"].as_str().expect("a CSRF token");
    format!("Cookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\n")
}

fn get(port: u16, session: &str, path: &str) -> (u16, Vec<u8>) {
    let (status, _, body) = request(port, &format!("GET {path} HTTP/1.1\r\n{session}"), b"");
    (status, body)
}

fn json(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|_| panic!("JSON: {}", String::from_utf8_lossy(body)))
}

/// Starts a CSV export of every resident: the job's id.
fn start_export(port: u16, session: &str) -> String {
    let (status, _, reply) = request(
        port,
        &format!(
            "POST /api/v1/exports/residents HTTP/1.1\r\n{session}Content-Type: application/json\r\n"
        ),
        br#"{"format": "csv"}"#,
    );
    assert_eq!(status, 202, "{}", String::from_utf8_lossy(&reply));
    json(&reply)["id"].as_str().expect("a job id").to_owned()
}

/// Polls the export `id` until it is no longer running.
fn finished(port: u16, session: &str, id: &str) -> Value {
    let start = Instant::now();
    loop {
        let (status, body) = get(port, session, &format!("/api/v1/exports/residents/{id}"));
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        let job = json(&body);
        if job["state"] != "running" {
            return job;
        }
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "the export never ended"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Imports a CSV of rental houses (each row refused: no address) as a
/// check: the reply's link to the whole report.
fn import_report(port: u16, session: &str) -> String {
    let mut csv =
        String::from("所属社区代码,房屋地址,出租人类型,出租人姓名或名称,出租间数,房屋用途\n");
    for _ in 0..3 {
        csv.push_str(&format!("{COMMUNITY},,个人,张三,x,居住\n"));
    }
    let boundary = "sojourn-restart-test";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"dry_run\"\r\n\r\ntrue\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"houses.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    let (status, _, reply) = request(
        port,
        &format!(
            "POST /api/v1/imports/houses HTTP/1.1\r\n{session}\
             Content-Type: multipart/form-data; boundary={boundary}\r\n"
        ),
        body.as_bytes(),
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&reply));
    let reply = json(&reply);
    assert_eq!(reply["refused"], 3, "{reply:#}");
    reply["report"]
        .as_str()
        .expect("the report's link")
        .to_owned()
}

#[test]
fn a_restart_fails_the_export_it_cut_short_and_keeps_finished_files() {
    let dir = tempfile::tempdir().expect("a directory");
    deployment(dir.path());
    let server = serve(dir.path());
    let session = sign_in(server.port);

    let done = start_export(server.port, &session);
    let job = finished(server.port, &session, &done);
    assert_eq!(job["state"], "done", "{job:#}");
    let (status, before) = get(
        server.port,
        &session,
        &format!("/api/v1/exports/residents/{done}/file"),
    );
    assert_eq!(status, 200);
    let report = import_report(server.port, &session);

    // Killed the moment the next export has started.
    let cut = start_export(server.port, &session);
    drop(server);

    let server = serve(dir.path());
    let session = sign_in(server.port);
    let (status, body) = get(
        server.port,
        &session,
        &format!("/api/v1/exports/residents/{cut}"),
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let job = json(&body);
    assert_eq!(job["state"], "failed", "{job:#}");
    assert_eq!(job["error"]["code"], "export_interrupted", "{job:#}");
    assert!(
        job["error"]["message"]["zh-CN"]
            .as_str()
            .is_some_and(|m| m.contains("服务器重新启动")),
        "{job:#}"
    );
    let (status, _) = get(
        server.port,
        &session,
        &format!("/api/v1/exports/residents/{cut}/file"),
    );
    assert_eq!(status, 409, "no file of a job cut short");

    let job = finished(server.port, &session, &done);
    assert_eq!(job["state"], "done", "{job:#}");
    assert_eq!(job["rows_written"], RESIDENTS as u64, "{job:#}");
    let (status, after) = get(
        server.port,
        &session,
        &format!("/api/v1/exports/residents/{done}/file"),
    );
    assert_eq!(status, 200);
    assert_eq!(after, before, "the same file, from disk");
    assert!(
        String::from_utf8_lossy(&after).lines().count() > RESIDENTS,
        "a header and every resident"
    );

    let (status, body) = get(server.port, &session, &report);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let whole = json(&body);
    assert_eq!(whole["refused"], 3, "{whole:#}");

    // Only the finished files are left in the jobs directory.
    let mut files: Vec<String> = std::fs::read_dir(dir.path().join("jobs"))
        .expect("the jobs directory")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files.iter().any(|f| f.contains(&done)), "{files:?}");
    assert!(!files.iter().any(|f| f.contains(&cut)), "{files:?}");
}

#[test]
fn metrics_are_served_on_their_own_address_by_route_template_without_personal_data() {
    let dir = tempfile::tempdir().expect("a directory");
    deployment(dir.path());
    let metrics_port = free_port();
    let metrics_addr = format!("127.0.0.1:{metrics_port}");
    let server = serve_with(dir.path(), &["--metrics-addr", &metrics_addr]);
    let session = sign_in(server.port);
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", metrics_port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no metrics listener"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // A search by an ID number, a resident read and a path no route has.
    let number = id_number(7);
    let (status, _, reply) = request(
        server.port,
        &format!(
            "POST /api/v1/residents/search HTTP/1.1\r\n{session}Content-Type: application/json\r\n"
        ),
        serde_json::json!({ "q": number }).to_string().as_bytes(),
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&reply));
    let found = json(&reply);
    let stay = found["items"][0]["residence"]["id"]
        .as_i64()
        .expect("a stay");
    let (status, _) = get(server.port, &session, &format!("/api/v1/residences/{stay}"));
    assert_eq!(status, 200);
    let (status, _) = get(server.port, &session, &format!("/no-such-page/{number}"));
    assert_eq!(status, 404);
    let export = start_export(server.port, &session);
    finished(server.port, &session, &export);

    let (status, _, body) = request(metrics_port, "GET /metrics HTTP/1.1\r\n", b"");
    assert_eq!(status, 200);
    let text = String::from_utf8_lossy(&body).into_owned();
    for line in [
        "sojourn_http_requests_total{route=\"/api/v1/session\",status=\"200\"} 1",
        "sojourn_http_requests_total{route=\"/api/v1/residents/search\",status=\"200\"} 1",
        "sojourn_http_requests_total{route=\"/api/v1/residences/{id}\",status=\"200\"} 1",
        "sojourn_http_requests_total{route=\"unmatched\",status=\"404\"} 1",
        "sojourn_jobs{kind=\"export\",state=\"done\"} 1",
    ] {
        assert!(text.contains(line), "{line} in:\n{text}");
    }
    assert!(text.contains("sojourn_http_request_duration_seconds_bucket{route=\"/api/v1/residences/{id}\",le=\"+Inf\"} 1"), "{text}");
    assert!(
        text.contains("sojourn_store_call_duration_seconds_count "),
        "{text}"
    );
    let audit: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("sojourn_audit_entries_total "))
        .and_then(|n| n.parse().ok())
        .expect("the audit entries");
    assert!(audit >= 3, "the sign-in, the search, the read: {audit}");
    // No number asked for, no path as asked: templates only.
    assert!(!text.contains(&number), "{text}");
    assert!(!text.contains(&format!("/residences/{stay}")), "{text}");
    assert!(!text.contains("/no-such-page"), "{text}");

    // Not on the main listener.
    let (status, _) = get(server.port, &session, "/metrics");
    assert_eq!(status, 404);
}

/// Digit runs shaped like an ID number (17 digits and a digit or X) or a
/// mobile phone number (11 digits, 1 then 3–9) anywhere in `text`.
fn numbers_in(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let run = &text[start..i];
        let id = run.len() == 18 || (run.len() == 17 && matches!(bytes.get(i), Some(b'X' | b'x')));
        let phone = run.len() == 11 && run.starts_with('1') && !run[1..2].contains(['0', '1', '2']);
        if id || phone {
            found.push(run.to_owned());
        }
    }
    found
}

#[test]
fn logs_of_a_full_run_hold_no_id_or_phone_number() {
    // The net catches what it is for.
    let id = id_number(3);
    assert_eq!(
        numbers_in(&format!(
            "{{\"q\":\"{id}\",\"phone\":\"13912345678\",\"n\":20261207}}"
        )),
        [id, "13912345678".to_owned()]
    );
    let dir = tempfile::tempdir().expect("a directory");
    deployment(dir.path());
    let log = std::fs::File::create(dir.path().join("server.log")).expect("a log file");
    let server = serve_logging(
        dir.path(),
        &[],
        Stdio::from(log),
        &[("RUST_LOG", "debug"), ("SOJOURN_LOG_FORMAT", "json")],
    );
    let session = sign_in(server.port);
    let post = |path: &str, body: &Value| {
        request(
            server.port,
            &format!("POST {path} HTTP/1.1\r\n{session}Content-Type: application/json\r\n"),
            body.to_string().as_bytes(),
        )
    };
    // A search by number, an arrival with a phone, one refused, a reveal.
    let number = id_number(11);
    let (status, _, _) = post(
        "/api/v1/residents/search",
        &serde_json::json!({ "q": number }),
    );
    assert_eq!(status, 200);
    let newcomer = id_number(RESIDENTS + 1);
    let arrival = serde_json::json!({
        "id_number": newcomer, "name": "李四", "ethnicity": "01", "phone": "13912345678",
        "domicile": "410102001002", "unit": COMMUNITY, "arrived_on": "2024-03-05",
        "reason": "01", "current_address": "多福巷12号",
    });
    let (status, head, reply) = post("/api/v1/residents", &arrival);
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&reply));
    let request_id = head
        .lines()
        .find_map(|l| {
            l.to_lowercase()
                .strip_prefix("x-request-id: ")
                .map(str::to_owned)
        })
        .expect("the request's id");
    let person = json(&reply)["person"]["id"].as_i64().expect("a person");
    let mut wrong = arrival.clone();
    wrong["id_number"] = Value::from(format!(
        "{}{}",
        &newcomer[..17],
        if newcomer.ends_with('0') { '1' } else { '0' }
    ));
    wrong["phone"] = Value::from("1391234567");
    let (status, _, _) = post("/api/v1/residents", &wrong);
    assert_eq!(status, 422);
    let (status, _, reply) = post(
        &format!("/api/v1/persons/{person}/reveal"),
        &serde_json::json!({ "fields": ["id_number", "phone"], "reason": "核对 13912345678" }),
    );
    assert!(
        status < 500,
        "{status}: {}",
        String::from_utf8_lossy(&reply)
    );
    // An export with full numbers, and an import refusing rows.
    let (status, _, reply) = post(
        "/api/v1/exports/residents",
        &serde_json::json!({ "format": "csv", "numbers": "full", "reason": "年度人口核查工作" }),
    );
    assert_eq!(status, 202, "{}", String::from_utf8_lossy(&reply));
    let export = json(&reply)["id"].as_str().expect("a job").to_owned();
    finished(server.port, &session, &export);
    import_report(server.port, &session);
    drop(server);

    let logs = std::fs::read_to_string(dir.path().join("server.log")).expect("the logs");
    let mut requests = 0;
    for line in logs.lines() {
        let entry: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        if entry["message"] == "request" {
            requests += 1;
            assert!(entry["request_id"].is_string(), "{line}");
        }
    }
    assert!(requests >= 8, "each request logged: {requests}\n{logs}");
    assert!(
        logs.lines()
            .any(|l| l.contains(&request_id) && l.contains("/api/v1/residents")),
        "the header's id finds the request's line"
    );
    assert_eq!(numbers_in(&logs), Vec::<String>::new(), "{logs}");
    assert!(!logs.contains(&number) && !logs.contains(&newcomer) && !logs.contains("13912345678"));
}
