//! Replaying parked asynchronous events (`runaway-guard replay FUNCTION`, docs/trip-and-restore.md):
//! the events Lambda turned away while a function was tripped wait in the module's parking queue
//! (on-failure destination records) or in the function's own dead-letter queue or destination;
//! once the function is re-enabled they go back to it, at a bounded rate, oldest first, each message
//! deleted only after Lambda accepted its invoke.
//!
//! Pure parts, one concern each (the SQS and Lambda calls are in `crate::aws`):
//! - [`message`]: a message → the parked event, in either format Lambda writes.
//! - [`filter`]: which events go back (the function's own, through the operator's filters).
//! - [`gate`]: refusing while the function is still tripped or its record is unverified.
//! - [`rate`]: the default rate, pacing and how many messages to hold at once.
//! - [`tally`]: what a run did, as JSON and as text.

pub mod filter;
pub mod gate;
pub mod message;
pub mod rate;
pub mod tally;

pub use filter::{Decision, Filter, SkipReason};
pub use message::{Format, ParkedEvent, Received};
pub use rate::Rate;
pub use tally::Summary;
