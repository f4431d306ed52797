//! Platform compatibility tags (PEP 425, PEP 600 manylinux, PEP 656 musllinux, macOS, Windows).
