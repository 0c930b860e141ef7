//! The one way this crate's builders write a setter that only stores its arguments
//! ([`ServerBuilder`](crate::ServerBuilder), [`FaultRule`](crate::FaultRule)). It depends on
//! nothing, so any module may use it.

/// Builder setters that store their arguments in fields of `self`, so that each builder states
/// only what its setters mean. Each entry is the setter's docs (with its example), then
/// `name(arg: Type, ..) => field.path = value, ..;` (one or more fields set, in that order).
macro_rules! setters {
    ($(
        $(#[$doc:meta])*
        $name:ident($($arg:ident: $ty:ty),+) => $($($field:ident).+ = $value:expr),+;
    )*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, $($arg: $ty),+) -> Self {
                $(self.$($field).+ = $value;)+
                self
            }
        )*
    };
}
pub(crate) use setters;
