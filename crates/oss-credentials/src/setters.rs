//! The one way builders here write a setter: `setters!` turns
//! `fn name(arg: Type) { field = value }` into a `#[must_use]` method that stores `value`
//! in `self.field` and returns `self`, keeping the docs written above it.

/// Builder setters, one per `fn name(arg: Type) { field = value }` entry (the field may be a
/// path such as `role.policy`); each becomes
/// `#[must_use] pub fn name(mut self, arg: Type) -> Self { self.field = value; self }` with
/// the entry's attributes and docs.
macro_rules! setters {
    ($(
        $(#[$attr:meta])*
        fn $name:ident($arg:ident: $ty:ty) { $($field:ident).+ = $value:expr }
    )*) => {
        $(
            $(#[$attr])*
            #[must_use]
            pub fn $name(mut self, $arg: $ty) -> Self {
                self.$($field).+ = $value;
                self
            }
        )*
    };
}
