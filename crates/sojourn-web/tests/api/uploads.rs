//! Request bodies and who has them read: the guard knows its caller before
//! it reads a byte of a body (an anonymous upload is refused unread), and
//! a refusal that leaves a body unread still leaves the connection usable
//! (a small body drained) or says it closes (a large one).

use crate::helpers::*;
use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode, header};
use sojourn_domain::account::Role;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

/// A body of `chunks` chunks of 64 KiB that counts the chunks read.
struct Counted {
    left: usize,
    read: Arc<AtomicUsize>,
}

const CHUNK: usize = 64 * 1024;

impl futures_core::Stream for Counted {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Self::Item>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        self.left -= 1;
        self.read.fetch_add(1, Ordering::SeqCst);
        Poll::Ready(Some(Ok(Bytes::from(vec![b'a'; CHUNK]))))
    }
}

/// A 30 MiB multipart upload to `uri`, and the count of its chunks read.
fn big_upload(uri: &str, csrf: Option<&str>) -> (Request<Body>, Arc<AtomicUsize>) {
    let read = Arc::new(AtomicUsize::new(0));
    let body = Body::from_stream(Counted {
        left: 30 * 1024 * 1024 / CHUNK,
        read: Arc::clone(&read),
    });
    let mut request = Request::post(uri).header(
        header::CONTENT_TYPE,
        "multipart/form-data; boundary=sojourn-test-boundary",
    );
    if let Some(csrf) = csrf {
        request = request.header("x-csrf-token", csrf);
    }
    (request.body(body).expect("request"), read)
}

#[tokio::test]
async fn an_anonymous_upload_is_refused_before_any_of_it_is_read() {
    let app = deployment();
    for uri in ["/api/v1/imports/residents", "/import/residents"] {
        let (request, read) = big_upload(uri, None);
        let reply = app.send(request).await;
        assert!(
            matches!(
                reply.status,
                StatusCode::UNAUTHORIZED | StatusCode::SEE_OTHER
            ),
            "{uri}: {}",
            reply.status
        );
        assert_eq!(read.load(Ordering::SeqCst), 0, "{uri}: body read");
        assert_eq!(reply.headers[header::CONNECTION], "close", "{uri}");
    }
}

#[tokio::test]
async fn a_signed_in_caller_without_the_permission_has_none_of_an_upload_read() {
    let app = deployment();
    // An inspector reads; they may not import.
    let reader = app.user(Role::Inspector, COMMUNITY).await;
    assert!(!sojourn_domain::account::allows(
        Role::Inspector,
        sojourn_domain::account::Action::Create,
        sojourn_domain::account::Resource::Resident
    ));
    // A form's upload, its CSRF field (if any) in the body.
    let (request, read) = big_upload("/api/v1/imports/residents", None);
    let reply = reader
        .with_credential(without_csrf(&reader))
        .send(request)
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(read.load(Ordering::SeqCst), 0, "body read");
}

#[tokio::test]
async fn a_page_upload_has_only_its_start_read_for_the_csrf_field() {
    let app = deployment();
    let collector = app.user(Role::OfficeDirector, COMMUNITY).await;
    // Without the page's CSRF field (the body is all 'a'), the session's
    // upload is refused after its first chunk, not after 30 MiB.
    let (request, read) = big_upload("/import/residents", None);
    let reply = collector
        .with_credential(without_csrf(&collector))
        .send(request)
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{:?}", reply.body);
    assert!(
        read.load(Ordering::SeqCst) <= 1,
        "{} chunks read",
        read.load(Ordering::SeqCst)
    );
}

/// The client's session without its CSRF token.
fn without_csrf(client: &TestApp) -> Credential {
    match &client.credential {
        Credential::Session { cookie, .. } => Credential::Session {
            cookie: cookie.clone(),
            csrf: String::new(),
        },
        other => other.clone(),
    }
}

/// Serves the application on a real socket (a connection keeps alive, as
/// browsers and clients reuse it).
async fn serve(app: &TestApp) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("listener");
    let address = listener.local_addr().expect("address");
    let service = app
        .router()
        .into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });
    address
}

/// One response read off the connection: its head, lower-cased, and its
/// body (by Content-Length); `None` when the connection ended instead.
fn read_response(stream: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut head = Vec::new();
    let mut byte = [0_u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
    }
    let head = String::from_utf8_lossy(&head).to_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    stream.read_exact(&mut body).ok()?;
    Some((head, body))
}

/// Posts a JSON body of `size` bytes without credentials on a fresh
/// connection, then asks again on the same connection: the first answer,
/// and whether the second came.
fn refused_then_again(address: SocketAddr, size: usize) -> (String, Option<String>) {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .expect("timeout");
    let head = format!(
        "POST /api/v1/checks/id-number HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n\r\n"
    );
    let mut writer = stream.try_clone().expect("clone");
    let sending = std::thread::spawn(move || {
        // The server may stop reading and close: a failed write is its answer.
        let _ = writer.write_all(head.as_bytes());
        let _ = writer.write_all(&vec![b' '; size]);
    });
    let (first, _) = read_response(&mut stream).expect("the refusal");
    let _ = sending.join();
    let closes = first.contains("connection: close");
    let again = b"GET /api/v1/session HTTP/1.1\r\nHost: localhost\r\n\r\n";
    let second = if stream.write_all(again).is_ok() {
        read_response(&mut stream).map(|(head, _)| head)
    } else {
        None
    };
    (
        if closes {
            first
        } else {
            first.replace("connection: close", "")
        },
        second,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_that_left_a_small_body_unread_keeps_the_connection_usable() {
    let app = deployment();
    let address = serve(&app).await;
    let (first, second) =
        tokio::task::spawn_blocking(move || refused_then_again(address, 48 * 1024))
            .await
            .expect("client");
    assert!(first.starts_with("http/1.1 401"), "{first}");
    assert!(!first.contains("connection: close"), "{first}");
    let second = second.expect("the next request on the connection is answered");
    assert!(second.starts_with("http/1.1 "), "{second}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_that_left_a_large_body_unread_says_the_connection_closes() {
    let app = deployment();
    let address = serve(&app).await;
    for _ in 0..5 {
        let (first, second) =
            tokio::task::spawn_blocking(move || refused_then_again(address, 900 * 1024))
                .await
                .expect("client");
        assert!(first.starts_with("http/1.1 401"), "{first}");
        // Either the client was told not to reuse the connection, or the
        // connection answers the next request.
        assert!(
            first.contains("connection: close") || second.is_some(),
            "the connection broke after a keep-alive answer: {first}"
        );
    }
}
