//! Alibaba Cloud credentials and their providers, as the official SDKs resolve them.
//!
//! (Work in progress: see the project issues.)
