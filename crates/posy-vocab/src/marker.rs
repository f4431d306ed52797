//! Environment markers (PEP 508): parsing, evaluation and simplification.
