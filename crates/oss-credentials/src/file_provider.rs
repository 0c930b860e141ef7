//! What the three file providers ([`CliConfigProvider`](crate::CliConfigProvider),
//! [`ProfileFileProvider`](crate::ProfileFileProvider),
//! [`OssutilConfigProvider`](crate::OssutilConfigProvider)) share: the fields `env`, `path`,
//! `profile` and `resolved` (the provider the file names, built on first use), and the
//! struct, its constructors, its `path`/`profile` setters and the `ProvideCredentials` impl
//! written once here.

/// Declares a file provider: the struct (with the attributes and docs given) holding `env`,
/// `path`, `profile` and `resolved`, its constructors ([`file_provider_constructors`]) and its
/// two setters, the path one named as the caller says, each with the docs given.
macro_rules! file_provider {
    (
        $(#[$meta:meta])*
        pub struct $ty:ident($name:literal);
        $(#[$path_doc:meta])*
        pub fn $path_setter:ident(path);
        $(#[$profile_doc:meta])*
        pub fn profile(profile);
    ) => {
        $(#[$meta])*
        #[derive(Debug)]
        pub struct $ty {
            env: Environment,
            path: Option<PathBuf>,
            profile: Option<String>,
            resolved: LazyProvider,
        }

        file_provider_constructors!($ty, $name);

        impl $ty {
            setters! {
                $(#[$path_doc])*
                fn $path_setter(path: impl Into<PathBuf>) { path = Some(path.into()) }

                $(#[$profile_doc])*
                fn profile(profile: impl Into<String>) { profile = Some(profile.into()) }
            }
        }
    };
}

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

/// `ProvideCredentials` for a file provider: resolve the file once (`resolved`), then forward
/// to the provider it names; errors carry `$name`. With `cached`, `credentials_if_cached`
/// resolves the file too (never the network) and forwards.
macro_rules! file_provider_credentials {
    ($ty:ident, $name:literal $(, $cached:ident)?) => {
        impl ProvideCredentials for $ty {
            fn provide_credentials(&self) -> CredentialsFuture<'_> {
                Box::pin(async move {
                    let provider = self
                        .resolved
                        .get_or_try_init(|| self.resolve()?.into_provider(&self.env))
                        .map_err(|e| e.with_provider($name))?;
                    provider
                        .provide_credentials()
                        .await
                        .map_err(|e| e.within($name))
                })
            }

            fn name(&self) -> &str {
                $name
            }

            fn invalidate(&self) {
                self.resolved.invalidate();
            }

            $(file_provider_credentials!(@$cached);)?
        }
    };
    (@cached) => {
        /// Resolves the profile (reading the file, never the network) and forwards to the
        /// provider it describes: fixed keys answer at once, role providers once their cache
        /// is warm.
        fn credentials_if_cached(&self) -> Option<Credentials> {
            let provider = match self.resolved.peek() {
                Some(provider) => provider,
                None => self
                    .resolved
                    .get_or_try_init(|| self.resolve()?.into_provider(&self.env))
                    .ok()?,
            };
            provider.credentials_if_cached()
        }
    };
}
