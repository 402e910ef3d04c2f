//! Links that keep a list's filters: a list's whole state lives in its URL,
//! so it can be bookmarked, shared and paged without losing anything.

/// Percent-encodes a query value (application/x-www-form-urlencoded).
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The non-empty parameters of a list, in a fixed order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params {
    pairs: Vec<(&'static str, String)>,
}

impl Params {
    /// Adds `key=value` unless the value is blank.
    pub(crate) fn add(mut self, key: &'static str, value: Option<&str>) -> Self {
        if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
            self.pairs.push((key, v.to_owned()));
        }
        self
    }

    /// The value of `key`, if set.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The same parameters with `key` set to `value` (or removed when
    /// `None`), and the page reset unless it is what changes.
    pub(crate) fn with(&self, key: &'static str, value: Option<&str>) -> Self {
        let mut next = self.clone();
        next.pairs
            .retain(|(k, _)| *k != key && (key == "page" || *k != "page"));
        next.add(key, value)
    }

    /// `path?query`, or `path` alone without parameters.
    pub(crate) fn href(&self, path: &str) -> String {
        if self.pairs.is_empty() {
            return path.to_owned();
        }
        let query: Vec<String> = self
            .pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        format!("{path}?{}", query.join("&"))
    }
}

/// One link of the pager.
#[derive(Debug, Clone)]
pub(crate) struct PageLink {
    pub label: String,
    pub href: String,
    /// The page it goes to, for a pager of buttons (see [`Pager::posted`]).
    pub page: u32,
    pub current: bool,
}

/// Links to the pages of a list around the current one.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pager {
    pub links: Vec<PageLink>,
    pub prev: Option<PageLink>,
    pub next: Option<PageLink>,
    pub pages: u32,
    /// Whether the pages are reached by posting the list's state again
    /// (a search term is never put in a URL) rather than by links.
    pub posted: bool,
}

/// Pages shown either side of the current one.
const PAGER_SPAN: u32 = 3;

impl Pager {
    pub(crate) fn new(params: &Params, path: &str, page: u32, per_page: u32, total: u64) -> Self {
        let pages = u32::try_from(total.div_ceil(u64::from(per_page.max(1))))
            .unwrap_or(u32::MAX)
            .max(1);
        let link = |n: u32, label: String| {
            let value = (n > 1).then(|| n.to_string());
            PageLink {
                label,
                href: params.with("page", value.as_deref()).href(path),
                page: n,
                current: n == page,
            }
        };
        let first = page.saturating_sub(PAGER_SPAN).max(1);
        let last = page.saturating_add(PAGER_SPAN).min(pages);
        let mut links: Vec<PageLink> = (first..=last).map(|n| link(n, n.to_string())).collect();
        if first > 1 {
            links.insert(0, link(1, "1 …".to_owned()));
        }
        if last < pages {
            links.push(link(pages, format!("… {pages}")));
        }
        Self {
            links,
            prev: (page > 1).then(|| link(page - 1, String::new())),
            next: (page < pages).then(|| link(page + 1, String::new())),
            pages,
            posted: false,
        }
    }

    pub(crate) fn posted(mut self, posted: bool) -> Self {
        self.posted = posted;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_encoded_and_blank_ones_dropped() {
        let params = Params::default()
            .add("q", Some("张 三"))
            .add("unit", Some(" "))
            .add("page", Some("3"));
        assert_eq!(
            params.href("/residents"),
            "/residents?q=%E5%BC%A0+%E4%B8%89&page=3"
        );
    }

    #[test]
    fn changing_a_filter_returns_to_the_first_page() {
        let params = Params::default()
            .add("sex", Some("1"))
            .add("page", Some("3"));
        assert_eq!(params.with("sex", Some("2")).href("/r"), "/r?sex=2");
        assert_eq!(params.with("page", Some("4")).href("/r"), "/r?sex=1&page=4");
        assert_eq!(params.with("sex", None).href("/r"), "/r");
    }

    #[test]
    fn the_pager_links_around_the_current_page_and_to_both_ends() {
        let params = Params::default().add("q", Some("zs"));
        let pager = Pager::new(&params, "/r", 10, 20, 1000);
        assert_eq!(pager.pages, 50);
        assert_eq!(
            pager.prev.map(|l| l.href).as_deref(),
            Some("/r?q=zs&page=9")
        );
        let labels: Vec<&str> = pager.links.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(
            labels,
            ["1 …", "7", "8", "9", "10", "11", "12", "13", "… 50"]
        );
        assert_eq!(pager.links[0].href, "/r?q=zs");
        assert!(Pager::new(&params, "/r", 1, 20, 0).next.is_none());
    }
}
