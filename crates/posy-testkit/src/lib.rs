//! Test support: real wheels, sdists and a real local package index.
