//! Source distribution filenames (PEP 625 and legacy `.tar.gz` / `.zip` names).
