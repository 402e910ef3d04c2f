//! Files sent as the body of a response — an export, an import's report,
//! a blank form — read from disk in chunks, never whole in memory.

use crate::error::ApiError;
use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// A file sent in chunks, each read on the blocking pool: a million-row
/// export (some 180 MB) never sits in memory whole. What the file belongs
/// to (its job, its temporary file) is kept alive until the body is sent.
pub(crate) struct FileChunks {
    file: Option<std::fs::File>,
    reading: Option<tokio::task::JoinHandle<(std::fs::File, std::io::Result<Vec<u8>>)>>,
    _owner: Arc<dyn std::any::Any + Send + Sync>,
}

/// Bytes read at once.
const CHUNK: usize = 256 * 1024;

impl FileChunks {
    pub(crate) fn new(file: std::fs::File, owner: Arc<dyn std::any::Any + Send + Sync>) -> Self {
        Self {
            file: Some(file),
            reading: None,
            _owner: owner,
        }
    }
}

impl futures_core::Stream for FileChunks {
    type Item = std::io::Result<axum::body::Bytes>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::future::Future;
        use std::io::Read;
        use std::task::Poll;
        if self.reading.is_none() {
            let Some(mut file) = self.file.take() else {
                return Poll::Ready(None);
            };
            self.reading = Some(tokio::task::spawn_blocking(move || {
                let mut chunk = vec![0; CHUNK];
                let read = file.read(&mut chunk).map(|n| {
                    chunk.truncate(n);
                    chunk
                });
                (file, read)
            }));
        }
        let Some(reading) = self.reading.as_mut() else {
            return Poll::Ready(None);
        };
        match std::pin::Pin::new(reading).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(joined) => {
                self.reading = None;
                match joined {
                    Err(e) => Poll::Ready(Some(Err(std::io::Error::other(e)))),
                    Ok((_, Err(e))) => Poll::Ready(Some(Err(e))),
                    Ok((_, Ok(chunk))) if chunk.is_empty() => Poll::Ready(None),
                    Ok((file, Ok(chunk))) => {
                        self.file = Some(file);
                        Poll::Ready(Some(Ok(chunk.into())))
                    }
                }
            }
        }
    }
}

/// A temporary file as the body of a response, sent in chunks.
pub(crate) fn file_download(
    file: tempfile::NamedTempFile,
    content_type: &'static str,
) -> Result<Response, ApiError> {
    let reader = file
        .reopen()
        .map_err(|e| ApiError::Internal(format!("temporary file: {e}")))?;
    let body = Body::from_stream(FileChunks::new(reader, Arc::new(file)));
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    Ok(response)
}
