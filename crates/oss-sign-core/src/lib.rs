//! Pure OSS V4 (OSS4-HMAC-SHA256) and V1 signing math: no_std, no I/O, no clock.
//!
//! (Work in progress: see the project issues.)
