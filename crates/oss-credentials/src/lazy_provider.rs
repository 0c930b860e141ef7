//! A provider built on first use and kept afterwards.

use crate::error::CredentialsError;
use crate::provider::ProvideCredentials;
use std::sync::{Arc, Mutex};

/// Holds the provider a configuration file resolved to, once it has been built.
#[derive(Debug, Default)]
pub(crate) struct LazyProvider {
    slot: Mutex<Option<Arc<dyn ProvideCredentials>>>,
}

impl LazyProvider {
    /// The stored provider, or the one `init` builds (stored only on success).
    pub(crate) fn get_or_try_init(
        &self,
        init: impl FnOnce() -> Result<Arc<dyn ProvideCredentials>, CredentialsError>,
    ) -> Result<Arc<dyn ProvideCredentials>, CredentialsError> {
        let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(provider) = slot.as_ref() {
            return Ok(provider.clone());
        }
        let provider = init()?;
        *slot = Some(provider.clone());
        Ok(provider)
    }

    /// The stored provider, if it has been built.
    pub(crate) fn peek(&self) -> Option<Arc<dyn ProvideCredentials>> {
        self.slot.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Forgets the stored provider, so the configuration is read again next time.
    pub(crate) fn invalidate(&self) {
        let taken = self.slot.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(provider) = taken {
            provider.invalidate();
        }
    }
}
