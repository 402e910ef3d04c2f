//! The client's address, for rate limits and the audit trail. Behind a
//! reverse proxy (which terminates TLS) every connection comes from the
//! proxy; its `X-Forwarded-For` is believed only if the proxy is listed in
//! [`SecurityConfig::trusted_proxies`](super::SecurityConfig), so a client
//! cannot pick its own address.

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use std::net::{IpAddr, SocketAddr};

/// The address the request came from, as far as it can be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

impl ClientAddress {
    pub fn of(parts: &Parts, trusted_proxies: &[IpAddr]) -> Self {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        let Some(peer) = peer else {
            return Self(None);
        };
        if !trusted_proxies.contains(&peer) {
            return Self(Some(peer));
        }
        // The proxy appends the address it saw: the last entry is the one
        // no client could forge.
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .next_back();
        Self(Some(forwarded.unwrap_or(peer)))
    }

    /// The key rate limits count under.
    pub fn key(&self) -> String {
        self.0
            .map_or_else(|| "unknown".to_owned(), |a| a.to_string())
    }
}

impl axum::extract::FromRequestParts<crate::AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    /// What the guard found, or (on a route without one) found afresh.
    async fn from_request_parts(
        parts: &mut Parts,
        state: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(match parts.extensions.get::<ClientAddress>() {
            Some(address) => *address,
            None => Self::of(parts, &state.security.trusted_proxies),
        })
    }
}
