//! The trait impls every opaque error struct of the crate has alike, written once: `Display`
//! is its message, `std::error::Error` (with `std`) has no source, and `Debug` shows the named
//! fields (never a secret: the messages are written to hold none).

/// `Display` and `std::error::Error` for `$ty` (which has `message: String`), and with
/// `debug: field, ...` a `Debug` showing those fields.
macro_rules! message_error {
    ($ty:ident) => {
        impl core::fmt::Display for $ty {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(&self.message)
            }
        }

        #[cfg(feature = "std")]
        impl std::error::Error for $ty {}
    };
    ($ty:ident, debug: $($field:ident),+) => {
        message_error!($ty);

        impl core::fmt::Debug for $ty {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct(stringify!($ty))
                    $(.field(stringify!($field), &self.$field))+
                    .finish()
            }
        }
    };
}
