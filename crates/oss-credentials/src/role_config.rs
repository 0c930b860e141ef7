//! [`RoleConfig`]: the options of an STS role assumption as profiles write them, and the
//! `DurationSeconds` rule they share with the STS providers (at least 900 seconds).

use crate::error::{CredentialsError, ErrorKind};

/// Options of an STS role assumption read from a profile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RoleConfig {
    /// `RoleArn`, e.g. `acs:ram::1234567890123456:role/oss-writer`.
    pub role_arn: String,
    /// `RoleSessionName`; a default is generated when absent.
    pub role_session_name: Option<String>,
    /// `DurationSeconds` (900 or more); 3 600 when absent.
    pub duration_seconds: Option<u64>,
    /// An optional session policy (JSON text).
    pub policy: Option<String>,
    /// `ExternalId`, for roles that require one.
    pub external_id: Option<String>,
    /// STS region (`sts.<region>.aliyuncs.com`).
    pub sts_region: Option<String>,
    /// Use the VPC endpoint `sts-vpc.<region>.aliyuncs.com` (needs a region).
    pub enable_vpc: bool,
    /// A full STS endpoint, overriding region and VPC.
    pub sts_endpoint: Option<String>,
}

impl RoleConfig {
    /// A role configuration with only the role ARN set.
    pub fn new(role_arn: impl Into<String>) -> Self {
        Self {
            role_arn: role_arn.into(),
            ..Self::default()
        }
    }
}

/// Checks a `DurationSeconds` value (900 or more).
pub(crate) fn check_duration(seconds: u64, what: &str) -> Result<(), CredentialsError> {
    if seconds < 900 {
        return Err(CredentialsError::new(
            ErrorKind::InvalidConfig,
            format!(
                "{what}: DurationSeconds must be at least 900 (15 minutes), up to the role's maximum session duration; got {seconds}"
            ),
        ));
    }
    Ok(())
}
