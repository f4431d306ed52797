//! Version specifiers and specifier sets (PEP 440).
