//! The loop audit's read-only adapters (feature `audit`; the operator's credentials, never the
//! guard's): EventBridge buses, rules and targets; S3 bucket notifications; Lambda functions,
//! mappings, destinations and recursion settings; SNS subscriptions; IAM role policies. Each list is
//! paginated, per-resource reads run at most [`PARALLEL`] at a time, and a read that fails is
//! recorded in [`Wiring::unread`] and the audit goes on without it. Call count: docs/audit.md.

use std::io::IsTerminal as _;

use aws_config::SdkConfig;

use crate::audit::model::{Unread, Wiring};
use crate::deployment::Location;
use crate::ports::PortError;

mod events;
mod iam;
mod lambda;
mod s3;
mod sns;

/// Per-resource reads in flight at once: well inside Lambda's ~15 control-plane requests a second
/// with the SDK's retries absorbing bursts.
pub const PARALLEL: usize = 8;

/// Reads the wiring of the region `location` names.
pub async fn read_wiring(sdk: &SdkConfig, location: &Location) -> Wiring {
    let mut wiring = Wiring {
        account: Some(location.account.clone()),
        region: location.region.clone(),
        ..Wiring::default()
    };
    let progress = Progress::new();
    progress.show("Lambda functions");
    lambda::read(sdk, &mut wiring).await;
    progress.show("event source mappings and destinations");
    lambda::read_triggers(sdk, &mut wiring).await;
    progress.show("EventBridge buses and rules");
    events::read(sdk, &mut wiring).await;
    progress.show("S3 bucket notifications");
    s3::read(sdk, &location.region, &mut wiring).await;
    progress.show("SNS subscriptions");
    sns::read(sdk, &mut wiring).await;
    progress.show("IAM execution roles");
    iam::read(sdk, &mut wiring).await;
    progress.done();
    wiring
}

/// Records a failed read.
fn unread(wiring: &mut Wiring, err: &PortError) {
    wiring
        .unread
        .push(Unread { subject: format!("{} {}", err.operation, err.target), error: err.message.clone() });
}

/// One line on standard error while the account is read, only when it is a terminal.
struct Progress(bool);

impl Progress {
    fn new() -> Self {
        Self(std::io::stderr().is_terminal())
    }

    fn show(&self, what: &str) {
        if self.0 {
            eprint!("\r\x1b[2Kreading {what}…");
        }
    }

    fn done(&self) {
        if self.0 {
            eprint!("\r\x1b[2K");
        }
    }
}
