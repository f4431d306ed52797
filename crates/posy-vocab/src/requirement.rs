//! Dependency specifiers (PEP 508): `name[extras] specifiers ; markers` and `name @ url`.
