//! In-memory fakes for the trip record's seal: a [`FakeSigner`] (a keyed hash standing in for a KMS
//! HMAC key) and, on [`FakeAccount`], records whose MAC does not verify and the account's unreserved
//! concurrency.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::{AtomicU32, Ordering};

use super::FakeAccount;
use crate::name::FunctionName;
use crate::ports::{CheckedRecord, PortError, RecordCheck, RecordSigner, TripRecord};

/// A signer whose MAC is a keyed 64-bit hash: as good as an HMAC for telling, in a test, whether a
/// byte changed or another key signed. Counts its calls; `fail` makes every call fail.
#[derive(Debug, Default)]
pub struct FakeSigner {
    /// The key.
    pub key: u64,
    /// Every call fails (KMS unreachable, access denied).
    pub fail: bool,
    calls: AtomicU32,
}

impl FakeSigner {
    /// A signer with `key`.
    pub fn new(key: u64) -> Self {
        Self { key, ..Self::default() }
    }

    /// A signer with `key` whose every call fails.
    pub fn failing(key: u64) -> Self {
        Self { key, fail: true, ..Self::default() }
    }

    /// Calls made so far.
    pub fn calls(&self) -> u32 {
        self.calls.load(Ordering::Relaxed)
    }

    fn mac(&self, message: &[u8]) -> Result<Vec<u8>, PortError> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        if self.fail {
            return Err(PortError {
                operation: "GenerateMac",
                target: "fake key".to_owned(),
                message: "AccessDeniedException".to_owned(),
                retryable: false,
                not_found: false,
                source: None,
            });
        }
        let mut hasher = DefaultHasher::new();
        (self.key, message).hash(&mut hasher);
        Ok(hasher.finish().to_be_bytes().to_vec())
    }
}

impl RecordSigner for FakeSigner {
    async fn sign(&self, message: &[u8]) -> Result<Vec<u8>, PortError> {
        self.mac(message)
    }

    async fn verify(&self, message: &[u8], mac: &[u8]) -> Result<bool, PortError> {
        Ok(self.mac(message)? == mac)
    }
}

impl FakeAccount {
    /// Gives function `name` a trip record that `check` says does not verify (it must not be
    /// `Verified`): the guard's reads leave it out, `status` and `reenable` see it.
    pub fn with_unverified_record(self, name: &str, record: TripRecord, check: RecordCheck) -> Self {
        assert!(!check.is_verified(), "an unverified record cannot be verified");
        let function = FunctionName::new(name).unwrap_or_else(|e| panic!("test function name {name}: {e}"));
        self.lock().unverified.insert(function, CheckedRecord { record, check });
        self
    }

    /// Sets what `unreserved_concurrency` answers (`None`: the endpoint does not answer it).
    pub fn with_unreserved(self, unreserved: Option<u32>) -> Self {
        self.lock().unreserved = Some(unreserved);
        self
    }
}
