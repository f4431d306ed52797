//! Versions (PEP 440): parsing, normalization and total ordering.
