//! Fast, resumable, verified downloads through OSS presigned URLs.
//!
//! (Work in progress: see the project issues.)
