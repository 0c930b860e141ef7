//! STS providers: [`AssumeRoleProvider`] (signed with RPC signature V1.0) and
//! [`OidcRoleProvider`] (`AssumeRoleWithOIDC`, anonymous).
//!
//! Endpoint resolution, in order: an explicit endpoint (with or without a scheme; `https://`
//! by default, so `http://127.0.0.1:PORT` works for tests); `ALIBABA_CLOUD_STS_ENDPOINT`; a
//! region (explicit, else `ALIBABA_CLOUD_STS_REGION`) giving `sts.<region>.aliyuncs.com`, or
//! `sts-vpc.<region>.aliyuncs.com` when VPC is enabled (explicitly or by
//! `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true`); else the global `sts.aliyuncs.com`.
//!
//! `request.rs` holds what both providers share (endpoint resolution, the checks of session
//! name, external id and policy, the validated request and the exchange with STS); this file
//! the builders' common setters; `assume_role.rs` and `oidc.rs` one provider and its builder
//! each.

/// The setters [`AssumeRoleBuilder`] and [`OidcRoleBuilder`] share: the [`RoleConfig`] fields
/// both send to STS, the environment, the clock and the timeout. Written once here so the two
/// builders cannot drift apart; each expands it inside its `impl` (both have the fields
/// `role`, `env`, `clock` and `timeout`).
macro_rules! role_builder_setters {
    () => {
        setters! {
            /// `RoleSessionName` (2–64 characters of `A-Z a-z 0-9 . @ - _`; default
            /// `ALIBABA_CLOUD_ROLE_SESSION_NAME` or `oss-credentials-<unix ms>`).
            fn role_session_name(name: impl Into<String>) { role.role_session_name = Some(name.into()) }

            /// `DurationSeconds` (at least 900, default 3 600; the role's maximum session
            /// duration is checked by STS).
            fn duration_seconds(seconds: u64) { role.duration_seconds = Some(seconds) }

            /// A session policy (JSON, 1–2 048 characters) narrowing the role's permissions.
            fn policy(policy: impl Into<String>) { role.policy = Some(policy.into()) }

            /// The STS region (`sts.<region>.aliyuncs.com`).
            fn region(region: impl Into<String>) { role.sts_region = Some(region.into()) }

            /// Uses the VPC endpoint `sts-vpc.<region>.aliyuncs.com` (needs a region).
            fn enable_vpc(vpc: bool) { role.enable_vpc = vpc }

            /// A full endpoint (`sts.example.com`, `https://...`, or `http://127.0.0.1:PORT` in
            /// tests).
            fn endpoint(endpoint: impl Into<String>) { role.sts_endpoint = Some(endpoint.into()) }

            /// Reads `ALIBABA_CLOUD_*` defaults from `env` (default: the process environment).
            fn environment(env: Environment) { env = env }

            /// The clock used for the request `Timestamp` and default session names.
            fn clock(clock: impl Clock + 'static) { clock = Arc::new(clock) }

            /// Total time allowed for one STS exchange (default 10 s; connecting gets at most
            /// 5 s).
            fn timeout(timeout: Duration) { timeout = timeout }
        }
    };
}

mod assume_role;
mod oidc;
mod request;

pub use assume_role::{AssumeRoleBuilder, AssumeRoleProvider};
pub use oidc::{OidcRoleBuilder, OidcRoleProvider};
