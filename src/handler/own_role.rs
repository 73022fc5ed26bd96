//! Who the guard is, for the drift watch: its execution role. The CLI knows it from the deployed
//! guard's configuration (`Config::self_role`); Lambda mode asks STS (GetCallerIdentity, which
//! needs no permission) the first time a CloudTrail call needs the answer, so no event pays for it
//! at start-up. The answer is kept for the life of the environment; a failed lookup is retried by
//! the next call that needs it, and meanwhile no call counts as the guard's own (a false drift
//! report is only a page; a hidden one is a runaway let loose).

use std::sync::{Arc, OnceLock};

use futures::future::BoxFuture;
use tracing::warn;

use crate::ports::PortError;
use crate::role::RoleRef;

/// Asks who the guard runs as: returns its caller ARN (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/…`).
pub type CallerLookup = Arc<dyn Fn() -> BoxFuture<'static, Result<String, PortError>> + Send + Sync>;

/// The guard's own role: known, or looked up once when first needed.
#[derive(Default)]
pub struct OwnRole {
    known: OnceLock<RoleRef>,
    lookup: Option<CallerLookup>,
}

impl std::fmt::Debug for OwnRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OwnRole").field("known", &self.known.get()).finish_non_exhaustive()
    }
}

impl OwnRole {
    /// A role known from the start (`None`: the guard's role is unknown and no call is its own).
    pub fn known(role: Option<RoleRef>) -> Self {
        let known = OnceLock::new();
        if let Some(role) = role {
            let _ = known.set(role);
        }
        Self { known, lookup: None }
    }

    /// Looks the role up with `lookup` when it is first needed (unless already known).
    pub fn with_lookup(mut self, lookup: CallerLookup) -> Self {
        self.lookup = Some(lookup);
        self
    }

    /// The guard's role, looking it up if it is not known yet.
    pub async fn get(&self) -> Option<&RoleRef> {
        if let Some(role) = self.known.get() {
            return Some(role);
        }
        let lookup = self.lookup.as_ref()?;
        match lookup().await {
            Ok(arn) => match RoleRef::from_arn(&arn) {
                Some(role) => Some(self.known.get_or_init(|| role)),
                None => {
                    warn!(caller = %arn, "the guard's own identity is not a role session; no call counts as its own");
                    None
                }
            },
            Err(err) => {
                warn!(error = %err, "the guard's own role could not be looked up; no call counts as its own");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn counting(answer: Result<&'static str, ()>, calls: Arc<AtomicUsize>) -> CallerLookup {
        Arc::new(move || {
            calls.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                answer.map(str::to_owned).map_err(|()| PortError {
                    operation: "GetCallerIdentity",
                    target: "caller".to_owned(),
                    message: "unreachable".to_owned(),
                    retryable: true,
                    not_found: false,
                    source: None,
                })
            })
        })
    }

    #[test]
    fn a_looked_up_role_is_asked_once_and_a_failure_is_asked_again() {
        let calls = Arc::new(AtomicUsize::new(0));
        let arn = "arn:aws:sts::111122223333:assumed-role/guard-role/runaway-guard";
        let own = OwnRole::known(None).with_lookup(counting(Ok(arn), calls.clone()));
        let expected = RoleRef::from_arn(arn);
        assert_eq!(futures::executor::block_on(own.get()), expected.as_ref());
        assert_eq!(futures::executor::block_on(own.get()), expected.as_ref());
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        let failing = OwnRole::known(None).with_lookup(counting(Err(()), calls.clone()));
        assert_eq!(futures::executor::block_on(failing.get()), None);
        assert_eq!(futures::executor::block_on(failing.get()), None);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn a_user_identity_is_no_role_and_a_known_role_needs_no_lookup() {
        let calls = Arc::new(AtomicUsize::new(0));
        let user = OwnRole::known(None).with_lookup(counting(Ok("arn:aws:iam::1:user/moto"), calls.clone()));
        assert_eq!(futures::executor::block_on(user.get()), None);
        let role = RoleRef::from_arn("arn:aws:iam::111122223333:role/guard-role");
        let known = OwnRole::known(role.clone()).with_lookup(counting(Err(()), calls.clone()));
        assert_eq!(futures::executor::block_on(known.get()), role.as_ref());
        assert_eq!(calls.load(Ordering::SeqCst), 1, "only the user lookup ran");
    }
}
