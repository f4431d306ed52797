//! Core metadata 1.0–2.4 (`METADATA` / `PKG-INFO`): RFC 822 style headers.
