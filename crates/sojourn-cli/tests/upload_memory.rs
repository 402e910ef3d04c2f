//! What an upload can make the server hold, measured on the real server:
//! `sojourn serve` runs as a child process, a signed-in office director
//! uploads files crafted to make it allocate (a cell of 300 MB, a part that
//! unpacks to a gigabyte, a million rows, a sheet of as many rows as the
//! bound each refused with a long report), and the server's peak resident
//! memory (`VmHWM` in /proc/<pid>/status) stays under 512 MiB while it
//! refuses each with the bound it hit and keeps serving.

use serde_json::Value;
use sojourn_domain::account::{Role, Username};
use sojourn_domain::text::PersonName;
use sojourn_domain::unit::{Scope, UnitCode};
use sojourn_store::{Actor, NewAccount};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use zip::write::SimpleFileOptions;

const TOWN: &str = "110101001";
const PASSWORD: &str = "Upload-bounds-2024!";
/// The bound the server's peak memory must stay under.
const PEAK_BOUND_KIB: u64 = 512 * 1024;

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

impl Server {
    /// Peak resident memory of the server so far, in KiB.
    fn peak_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server's status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM")
    }

    /// One request on its own connection: status, headers and body.
    fn request(&self, head: &str, body: &[u8]) -> (u16, String, Vec<u8>) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(600)))
            .expect("timeout");
        let request = format!(
            "{head}Host: localhost\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        stream.write_all(request.as_bytes()).expect("request");
        stream.write_all(body).expect("body");
        let mut reply = Vec::new();
        stream.read_to_end(&mut reply).expect("reply");
        let split = reply
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a head");
        let head = String::from_utf8_lossy(&reply[..split]).into_owned();
        let status = head[9..12].parse().expect("status");
        let mut body = reply[split + 4..].to_vec();
        if head.to_lowercase().contains("transfer-encoding: chunked") {
            body = unchunk(&body);
        }
        (status, head, body)
    }
}

fn unchunk(mut bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line = bytes.windows(2).position(|w| w == b"\r\n").expect("size");
        let size =
            usize::from_str_radix(std::str::from_utf8(&bytes[..line]).expect("hex").trim(), 16)
                .expect("size");
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&bytes[line + 2..line + 2 + size]);
        bytes = &bytes[line + 2 + size + 2..];
    }
}

/// A deployment with an office director, served by the binary.
fn serve(dir: &Path) -> Server {
    let db = dir.join("s.db");
    let db = db.to_str().expect("UTF-8 path");
    let init = Command::new(env!("CARGO_BIN_EXE_sojourn"))
        .args(["init", "--unit", TOWN, "--db", db])
        .current_dir(dir)
        .output()
        .expect("init runs");
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let (keys, _) =
        sojourn_store::crypto::load_or_create_keys(&dir.join("sojourn.key")).expect("key file");
    let store = sojourn_store::open(db, keys).expect("store");
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
    let root = Scope::of(UnitCode::parse(TOWN).expect("unit"));
    store
        .create_account(&root, &account, &Actor::new("test"))
        .expect("account");
    drop(store);
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
            db,
        ])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("serve runs");
    let server = Server { child, port };
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}

/// Signs in: the session cookie and its CSRF token.
fn sign_in(server: &Server) -> (String, String) {
    let body = serde_json::json!({ "username": "director", "password": PASSWORD }).to_string();
    let (status, head, reply) = server.request(
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
    let csrf = find(&reply, "csrf_token").expect("a CSRF token");
    (cookie, csrf)
}

fn find(value: &Value, key: &str) -> Option<String> {
    match value {
        Value::Object(map) => map
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| map.values().find_map(|v| find(v, key))),
        _ => None,
    }
}

/// Uploads `file` as a dry run of the residents' import: status and reply.
fn upload(
    server: &Server,
    session: &(String, String),
    name: &str,
    file: &[u8],
) -> (u16, Value, usize) {
    const BOUNDARY: &str = "sojourn-memory-boundary";
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"dry_run\"\r\n\r\ntrue\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend(format!("\r\n--{BOUNDARY}--\r\n").bytes());
    let head = format!(
        "POST /api/v1/imports/residents HTTP/1.1\r\nCookie: {}\r\nX-CSRF-Token: {}\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n",
        session.0, session.1
    );
    let (status, _, reply) = server.request(&head, &body);
    let size = reply.len();
    let value = serde_json::from_slice(&reply).unwrap_or(Value::Null);
    (status, value, size)
}

/// The zip of an .xlsx file being written in memory.
type Zip = zip::ZipWriter<std::io::Cursor<Vec<u8>>>;

/// An .xlsx file of one worksheet whose rows `rows` writes, with `parts`
/// after it.
fn xlsx(
    rows: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
    parts: &mut dyn FnMut(&mut Zip) -> std::io::Result<()>,
) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9))
        .large_file(true);
    for (name, text) in [
        (
            "xl/workbook.xml",
            r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ] {
        zip.start_file(name, options).expect("part");
        zip.write_all(text.as_bytes()).expect("part");
    }
    zip.start_file("xl/worksheets/sheet1.xml", options)
        .expect("sheet");
    zip.write_all(br#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#)
        .expect("sheet");
    rows(&mut zip).expect("rows");
    zip.write_all(b"</sheetData></worksheet>").expect("sheet");
    parts(&mut zip).expect("parts");
    zip.finish().expect("zip").into_inner()
}

/// The residents' form's header as row 1.
fn header(out: &mut dyn Write) -> std::io::Result<()> {
    write!(out, r#"<row r="1">"#)?;
    for (column, text) in [
        "姓名",
        "身份证号",
        "民族",
        "户籍地",
        "所属社区",
        "来本地日期",
        "居住事由",
        "现住址",
    ]
    .iter()
    .enumerate()
    {
        let letter = char::from(b'A' + column as u8);
        write!(
            out,
            r#"<c r="{letter}1" t="inlineStr"><is><t>{text}</t></is></c>"#
        )?;
    }
    write!(out, "</row>")
}

/// The header, then `rows` rows of one cell (a name): every row refused.
fn one_cell_rows(rows: u64) -> Vec<u8> {
    xlsx(
        &mut |out| {
            header(out)?;
            for n in 2..rows + 2 {
                write!(
                    out,
                    r#"<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>张三</t></is></c></row>"#
                )?;
            }
            Ok(())
        },
        &mut |_| Ok(()),
    )
}

fn no_parts(_: &mut Zip) -> std::io::Result<()> {
    Ok(())
}

#[test]
fn crafted_uploads_are_refused_by_their_bound_and_the_server_stays_under_512_mib() {
    let dir = tempfile::tempdir().expect("dir");
    let server = serve(dir.path());
    let session = sign_in(&server);
    let before = server.peak_kib();

    // One cell of 300 MB (the 312 KB sheet of the probe).
    let cell = xlsx(
        &mut |out| {
            header(out)?;
            write!(out, r#"<row r="2"><c r="A2" t="inlineStr"><is><t>"#)?;
            let block = "a".repeat(1024 * 1024);
            for _ in 0..300 {
                out.write_all(block.as_bytes())?;
            }
            write!(out, "</t></is></c></row>")
        },
        &mut no_parts,
    );
    let (status, reply, _) = upload(&server, &session, "cell.xlsx", &cell);
    assert_eq!(
        (status, reply["error"]["code"].as_str()),
        (422, Some("sheet_cell_too_long")),
        "{reply}"
    );
    assert!(
        !reply["error"]["message"]["zh-CN"]
            .as_str()
            .unwrap_or("")
            .is_empty()
    );

    // A part that unpacks to a gigabyte: a zip bomb.
    let bomb = xlsx(&mut header, &mut |zip| {
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(9))
            .large_file(true);
        zip.start_file("xl/media/image1.png", options)?;
        let block = vec![0_u8; 1024 * 1024];
        for _ in 0..1024 {
            zip.write_all(&block)?;
        }
        Ok(())
    });
    assert!(bomb.len() < 4 * 1024 * 1024, "{} bytes packed", bomb.len());
    let (status, reply, _) = upload(&server, &session, "bomb.xlsx", &bomb);
    assert_eq!(
        (status, reply["error"]["code"].as_str()),
        (422, Some("xlsx_part_too_large")),
        "{reply}"
    );

    // Shared strings of a million one-letter strings and more.
    let shared = xlsx(&mut header, &mut |zip| {
        zip.start_file(
            "xl/sharedStrings.xml",
            SimpleFileOptions::default().large_file(true),
        )?;
        zip.write_all(b"<sst>")?;
        let strings = "<si><t>a</t></si>".repeat(64 * 1024);
        for _ in 0..100 {
            zip.write_all(strings.as_bytes())?;
        }
        zip.write_all(b"</sst>")
    });
    let (status, reply, _) = upload(&server, &session, "shared.xlsx", &shared);
    assert_eq!(
        (status, reply["error"]["code"].as_str()),
        (422, Some("xlsx_shared_strings_too_large")),
        "{reply}"
    );

    // A million rows (the probe's 5 MB sheet).
    let million = one_cell_rows(1_000_000);
    let (status, reply, _) = upload(&server, &session, "million.xlsx", &million);
    assert_eq!(
        (status, reply["error"]["code"].as_str()),
        (422, Some("sheet_too_many_rows")),
        "{reply}"
    );
    assert!(
        reply["error"]["message"]["en"]
            .as_str()
            .unwrap_or("")
            .contains("200000"),
        "{reply}"
    );

    // As many rows as the bound, every one refused (the probe's 200,000
    // one-cell rows, whose reply was 178 MB): the reply holds the first
    // rows, the report is on disk.
    let most = one_cell_rows(199_990);
    let (status, reply, size) = upload(&server, &session, "most.xlsx", &most);
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["refused"], 199_990, "{reply}");
    assert!(size < 1024 * 1024, "a reply of {size} bytes");
    let link = reply["report"]
        .as_str()
        .expect("the report's link")
        .to_owned();
    let (status, _, whole) = server.request(
        &format!("GET {link} HTTP/1.1\r\nCookie: {}\r\n", session.0),
        b"",
    );
    assert_eq!(status, 200);
    let whole: Value = serde_json::from_slice(&whole).expect("the whole report");
    assert_eq!(whole["rows"].as_array().map(Vec::len), Some(199_990));

    // Still serving: a sheet of three rows is checked.
    let small = one_cell_rows(3);
    let (status, reply, _) = upload(&server, &session, "small.xlsx", &small);
    assert_eq!(
        (status, &reply["refused"]),
        (200, &Value::from(3)),
        "{reply}"
    );

    let peak = server.peak_kib();
    assert!(
        peak < PEAK_BOUND_KIB,
        "the server's peak resident memory was {} MiB (from {} MiB before the uploads)",
        peak / 1024,
        before / 1024
    );
    eprintln!(
        "peak resident memory: {} MiB (before the uploads: {} MiB)",
        peak / 1024,
        before / 1024
    );
}
