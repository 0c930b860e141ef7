//! What the three file providers ([`CliConfigProvider`](crate::CliConfigProvider),
//! [`ProfileFileProvider`](crate::ProfileFileProvider),
//! [`OssutilConfigProvider`](crate::OssutilConfigProvider)) share: the fields `env`, `path`,
//! `profile` and `resolved` (the provider the file names, built on first use), and the
//! constructors written once here.

/// `Default`, `new` and `with_environment` for a file provider with the fields `env`, `path`,
/// `profile` and `resolved`; each with a doctest that names the provider.
macro_rules! file_provider_constructors {
    ($ty:ident, $name:literal) => {
        impl Default for $ty {
            fn default() -> Self {
                Self::new()
            }
        }

        impl $ty {
            /// Uses the process environment to find the file and profile.
            ///
            #[doc = concat!(
                "```\nuse oss_credentials::{", stringify!($ty), ", ProvideCredentials};\n",
                "assert_eq!(", stringify!($ty), "::new().name(), \"", $name, "\");\n```"
            )]
            pub fn new() -> Self {
                Self::with_environment(Environment::process())
            }

            /// Uses `env` to find the file and profile.
            ///
            #[doc = concat!(
                "```\nuse oss_credentials::{Environment, ErrorKind, ", stringify!($ty), "};\n",
                "let env = Environment::from_map::<&str, &str>([]); // no HOME: no default file\n",
                "let err = ", stringify!($ty), "::with_environment(env).resolve().unwrap_err();\n",
                "assert_eq!(err.kind(), ErrorKind::NotLoaded);\n```"
            )]
            pub fn with_environment(env: Environment) -> Self {
                Self {
                    env,
                    path: None,
                    profile: None,
                    resolved: LazyProvider::default(),
                }
            }
        }
    };
}
