//! End-to-end tests across the Aegis crates live in `tests/`; this library is empty.
