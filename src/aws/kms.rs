//! [`KmsRecordSigner`]: the trip record's MAC behind [`RecordSigner`], made and checked by a KMS
//! HMAC key (`KeySpec` HMAC_256, `KeyUsage` GENERATE_VERIFY_MAC) with `GenerateMac` / `VerifyMac`.
//! The key never leaves KMS; who may sign is the key policy's and IAM's business.

use aws_config::SdkConfig;
use aws_sdk_kms::Client;
use aws_sdk_kms::types::MacAlgorithmSpec;
use aws_smithy_types::Blob;

use super::error::{invalid_response, port_error};
use crate::ports::{PortError, RecordSigner};

/// The KMS adapter, bound to one key.
#[derive(Debug, Clone)]
pub struct KmsRecordSigner {
    client: Client,
    key: String,
}

impl KmsRecordSigner {
    /// Builds the adapter for `key` (`RUNAWAY_GUARD_RECORD_KEY_ARN`: a key or alias ARN).
    pub fn new(config: &SdkConfig, key: impl Into<String>) -> Self {
        Self { client: Client::new(config), key: key.into() }
    }

    /// Wraps an existing client (tests inject mocked clients here).
    pub fn from_client(client: Client, key: impl Into<String>) -> Self {
        Self { client, key: key.into() }
    }
}

impl RecordSigner for KmsRecordSigner {
    async fn sign(&self, message: &[u8]) -> Result<Vec<u8>, PortError> {
        const OP: &str = "GenerateMac";
        let out = self
            .client
            .generate_mac()
            .key_id(&self.key)
            .mac_algorithm(MacAlgorithmSpec::HmacSha256)
            .message(Blob::new(message))
            .send()
            .await
            .map_err(|e| port_error(OP, &self.key, e))?;
        let mac = out.mac().map(|m| m.as_ref().to_vec()).filter(|m| !m.is_empty());
        mac.ok_or_else(|| invalid_response(OP, &self.key, "response lacks the MAC"))
    }

    async fn verify(&self, message: &[u8], mac: &[u8]) -> Result<bool, PortError> {
        let result = self
            .client
            .verify_mac()
            .key_id(&self.key)
            .mac_algorithm(MacAlgorithmSpec::HmacSha256)
            .message(Blob::new(message))
            .mac(Blob::new(mac))
            .send()
            .await;
        match result {
            Ok(out) => Ok(out.mac_valid()),
            // KMS answers a MAC that does not match with this error, not with MacValid = false.
            Err(e) if e.as_service_error().is_some_and(|s| s.is_kms_invalid_mac_exception()) => Ok(false),
            Err(e) => Err(port_error("VerifyMac", &self.key, e)),
        }
    }
}
