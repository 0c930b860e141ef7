//! A local OSS-compatible HTTP(S) server for tests: verifies presigned URLs, serves objects, injects faults.
//!
//! (Work in progress: see the project issues.)
