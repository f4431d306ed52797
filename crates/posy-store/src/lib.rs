//! The content-addressed on-disk store.
