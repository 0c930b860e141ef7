//! `oss-presign`: presign, verify and download OSS objects (work in progress).

fn main() {}
