//! One client per configuration, reused while the options name the same one: building a
//! [`Client`] resolves the endpoint, and a client caches its V4 signing key (four chained
//! HMACs) per secret, day and region, so a page presigning many URLs pays for both once.
//!
//! The one-shot `presign()` and `presignPost()` share one slot (the last configuration); each
//! prepared presigner (`src/prepared.rs`) has a slot of its own. A cached client's clock is a
//! [`ManualClock`] set to each call's signing instant; the slot is borrowed (its lock held) for
//! the whole call, so two native threads never see each other's instant (the WebAssembly
//! module has one thread).

use std::sync::Mutex;

use oss_client::credentials::ManualClock;
use oss_client::{Client, SigningTime};

use crate::input::{ClientSettings, Refusal};

/// A client built for some settings, with the clock it reads.
pub(crate) struct Cached {
    settings: ClientSettings,
    client: Client,
    clock: ManualClock,
}

static LAST: Mutex<Option<Cached>> = Mutex::new(None);

/// Runs `sign` with the shared slot's client for `settings`, its clock reading `at`.
pub(crate) fn with_client<T>(
    settings: &ClientSettings,
    at: SigningTime,
    sign: impl FnOnce(&Client) -> Result<T, Refusal>,
) -> Result<T, Refusal> {
    let mut slot = LAST.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    with_client_in(&mut slot, settings, at, sign)
}

/// Runs `sign` with the client in `slot` for `settings` (built into the slot when it holds
/// none or one for other settings), its clock reading `at`.
pub(crate) fn with_client_in<T>(
    slot: &mut Option<Cached>,
    settings: &ClientSettings,
    at: SigningTime,
    sign: impl FnOnce(&Client) -> Result<T, Refusal>,
) -> Result<T, Refusal> {
    let cached = match slot.take() {
        Some(cached) if cached.settings == *settings => slot.insert(cached),
        _ => {
            let clock = ManualClock::new(at);
            let config = settings.builder()?.clock(clock.clone()).build()?;
            slot.insert(Cached {
                settings: settings.clone(),
                client: Client::new(config),
                clock,
            })
        }
    };
    cached.clock.set(at);
    sign(&cached.client)
}
