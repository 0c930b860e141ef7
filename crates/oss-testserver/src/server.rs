//! The server's lifecycle: the builder ([`builder`]) and the running handle ([`running`]).
//! Requests are routed in [`routing`] and answered in [`handler`]; connections are accepted and
//! held to their limits in `crate::connection`.

mod builder;
mod handler;
mod list;
mod multipart;
mod object_write;
mod post_object;
mod response;
mod routing;
mod running;
mod state;
mod uploads;

pub use builder::ServerBuilder;
pub use running::TestServer;
