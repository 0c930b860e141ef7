//! The one way this crate's builders write a setter that only stores its arguments or adds
//! one to a list ([`ServerBuilder`](crate::ServerBuilder), [`FaultRule`](crate::FaultRule),
//! [`CorsRule`](crate::CorsRule)). It depends on nothing, so any module may use it.

/// Builder setters that store their arguments in fields of `self`, or push a value onto a
/// list field, so that each builder states only what its setters mean. Each entry is the
/// setter's docs (with its example), then either `name(arg: Type, ..) => field.path = value,
/// ..;` (one or more fields set, in that order) or `name(arg: Type, ..) => list.push(value);`.
macro_rules! setters {
    () => {};
    (
        $(#[$doc:meta])*
        $name:ident($($arg:ident: $ty:ty),+) => $($($field:ident).+ = $value:expr),+;
        $($rest:tt)*
    ) => {
        $(#[$doc])*
        pub fn $name(mut self, $($arg: $ty),+) -> Self {
            $(self.$($field).+ = $value;)+
            self
        }
        crate::setters::setters! { $($rest)* }
    };
    (
        $(#[$doc:meta])*
        $name:ident($($arg:ident: $ty:ty),+) => $list:ident.push($value:expr);
        $($rest:tt)*
    ) => {
        $(#[$doc])*
        pub fn $name(mut self, $($arg: $ty),+) -> Self {
            self.$list.push($value);
            self
        }
        crate::setters::setters! { $($rest)* }
    };
}
pub(crate) use setters;
