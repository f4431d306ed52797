//! Wheel filenames (PEP 427) with compressed tag sets.
