//! The one trait every error and finding of the domain implements, so that
//! the layers above can answer in the reader's language. It names nothing
//! else in the crate: the parsers at the bottom (codes, text, unit) take it
//! from here, and `error.rs`, which names the unit tree, only re-exports it,
//! so no module below the register rules has to name `error`.

/// An error that can explain itself to a clerk: a stable machine code plus a
/// message in zh-CN and in English. Every parser and rule error implements it
/// so the web layer can answer in the user's language without a lookup table.
pub trait Localized {
    /// Stable, snake_case code that API clients may match on.
    fn code(&self) -> &'static str;
    /// Message in simplified Chinese, for the UI and API.
    fn message_zh(&self) -> String;
    /// Message in English.
    fn message_en(&self) -> String;
}
