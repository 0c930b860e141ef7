//! OSS client configuration, endpoint resolution, validation and the presign API.
//!
//! (Work in progress: see the project issues.)
