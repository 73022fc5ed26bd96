//! What the detector concludes: which function should be throttled and why.

use std::fmt;

use serde::Serialize;

use crate::chain::ChainRoot;
use crate::name::FunctionName;

/// Why a function should be throttled. `Display` gives the one-line human reason used in
/// alerts, the report and the `runaway-guard:reason` tag (kept ≤256 characters, tag-safe).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Reason {
    /// An event's chain depth exceeded the limit.
    Depth {
        /// The chain.
        root: ChainRoot,
        /// Depth observed.
        depth: u32,
        /// Limit in force for this function.
        limit: u32,
        /// The event that reported the hop, when the verdict came from one (`None` in a re-built reason).
        #[serde(skip_serializing_if = "Option::is_none")]
        event: Option<Box<ChainEvent>>,
    },
    /// Too many invocations seen for one chain root within the TTL (fan-out bomb).
    ChainSize {
        /// The chain.
        root: ChainRoot,
        /// Invocations seen for that root.
        invocations: u64,
        /// Budget per root.
        budget: u64,
    },
    /// The function's event rate exceeded the absolute limit.
    RateAbsolute {
        /// Events per second over the window.
        per_second: f64,
        /// The limit.
        limit: f64,
    },
    /// The function's rate doubled bucket over bucket, several times, above a floor.
    RateGrowth {
        /// The bucket counts that showed the growth, oldest first.
        buckets: Vec<u64>,
    },
    /// A CloudWatch alarm naming this function went to ALARM.
    Alarm {
        /// Alarm name.
        alarm: String,
        /// `namespace/metric` it watches.
        metric: String,
        /// CloudWatch's state reason for the ALARM: the datapoints it evaluated and the threshold.
        #[serde(skip_serializing_if = "Option::is_none")]
        state_reason: Option<String>,
    },
    /// The offender search found the function costing more than the limit.
    Cost {
        /// Alarm that triggered the search.
        alarm: String,
        /// Estimated spend rate.
        usd_per_hour: f64,
        /// The configured limit.
        limit_usd_per_hour: f64,
    },
    /// The function's own CloudWatch metrics show it left its normal the way runaways do
    /// (`detect::baseline`).
    Runaway {
        /// What started the judgement (an alarm's contributor, an offender search, the sweep).
        trigger: String,
        /// How it left its normal.
        shape: RunawayShape,
        /// Estimated spend rate over the published minutes.
        usd_per_hour: f64,
        /// Its rate now over its usual rate at this time of day (`None`: no history).
        times_normal: Option<f64>,
    },
    /// An operator ran `runaway-guard trip`.
    Manual {
        /// Operator's text.
        text: String,
    },
}

impl Reason {
    /// The rule's short name, as in the alert's message attributes.
    pub fn rule(&self) -> &'static str {
        match self {
            Reason::Depth { .. } => "depth",
            Reason::ChainSize { .. } => "chain_size",
            Reason::RateAbsolute { .. } => "rate_absolute",
            Reason::RateGrowth { .. } => "rate_growth",
            Reason::Alarm { .. } => "alarm",
            Reason::Cost { .. } => "cost",
            Reason::Runaway { .. } => "runaway",
            Reason::Manual { .. } => "manual",
        }
    }

    /// Reasons held back (and alerted) during the grace period after a re-enable: everything judged,
    /// among them unauthenticated chain claims (they reach the policy as [`Reason::Runaway`]). Depth
    /// reaches the policy only from the function's own authenticated report, which is not held back.
    pub fn respects_grace(&self) -> bool {
        matches!(
            self,
            Reason::RateAbsolute { .. }
                | Reason::RateGrowth { .. }
                | Reason::Cost { .. }
                | Reason::Alarm { .. }
                | Reason::Runaway { .. }
        )
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Depth { root, depth, limit, .. } => {
                write!(f, "chain depth {depth} > limit {limit} (root {})", root.as_str())
            }
            Reason::ChainSize { root, invocations, budget } => {
                write!(f, "chain size {invocations} invocations > budget {budget} (root {})", root.as_str())
            }
            Reason::RateAbsolute { per_second, limit } => {
                write!(f, "rate {per_second:.1}/s > limit {limit:.1}/s")
            }
            Reason::RateGrowth { buckets } => write!(f, "rate doubling bucket over bucket: {buckets:?}"),
            Reason::Alarm { alarm, metric, .. } => write!(f, "alarm {alarm} on {metric}"),
            Reason::Cost { alarm, usd_per_hour, limit_usd_per_hour } => {
                write!(f, "cost ${usd_per_hour:.2}/h > limit ${limit_usd_per_hour:.2}/h (alarm {alarm})")
            }
            Reason::Runaway { trigger, shape, usd_per_hour, times_normal } => {
                write!(f, "runaway: {shape}; ${usd_per_hour:.2}/h")?;
                match times_normal {
                    Some(times) => write!(f, ", {times:.0}x its usual rate")?,
                    None => write!(f, ", no history")?,
                }
                write!(f, " ({trigger})")
            }
            Reason::Manual { text } => write!(f, "manual: {text}"),
        }
    }
}

/// The event a chain verdict rests on, as the envelope described it: what on-call needs to find the
/// loop (which rule or producer sent it, and when).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainEvent {
    /// When it was emitted (RFC 3339), if the envelope said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<String>,
    /// The EventBridge `source`, for an event that came over a bus.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The EventBridge `detail-type`, for an event that came over a bus.
    #[serde(rename = "detail-type", skip_serializing_if = "Option::is_none")]
    pub detail_type: Option<String>,
    /// The SQS `SenderId` of a report sent straight to the chain queue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender: Option<String>,
}

/// The way a function's metrics left its normal.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "shape", rename_all = "snake_case")]
pub enum RunawayShape {
    /// Lambda's own loop detection dropped events (`RecursiveInvocationsDropped`).
    Recursion {
        /// Events dropped over the recent minutes.
        dropped: f64,
    },
    /// Invocations (or concurrency) rose minute over minute without a plateau.
    Growth {
        /// The rising per-minute figures, oldest first.
        minutes: Vec<f64>,
        /// `invocations` or `concurrency`.
        series: &'static str,
    },
    /// Far beyond its usual rate and cost (the extreme surge factor) *and* spending more than an
    /// unannounced launch would (the extreme factor times the cost floor), held or not.
    Surge {
        /// Its rate over its usual busiest minute at a moment like now.
        times_normal: f64,
        /// The spend a surge must pass to trip without a shape, USD per hour.
        over_usd_per_hour: f64,
    },
    /// Held at a concurrency ceiling it is not usually at, minute after minute.
    Saturation {
        /// Highest concurrency over those minutes.
        concurrency: f64,
        /// Throttles over those minutes.
        throttles: f64,
        /// Consecutive saturated minutes.
        minutes: u32,
        /// The ceiling, e.g. "its reserved concurrency 25" or "stream mapping ceiling 40 (...)".
        against: String,
        /// For a function all of whose calls are synchronous: how it served them (what separates a
        /// synchronous recursion from a launch past its ceiling).
        #[serde(skip_serializing_if = "Option::is_none")]
        synchronous: Option<SyncCalls>,
    },
}

/// How a function whose every call is synchronous served the calls it ran while pinned. A
/// synchronous recursion held at its ceiling fails its chains (the innermost call is refused and
/// each caller fails in turn) or waits on itself (each call lasts as long as the calls it made); a
/// launch past its ceiling serves the calls it runs as it usually does.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SyncCalls {
    /// `Errors` over `Invocations` in the pinned minutes.
    pub failing_share: f64,
    /// Mean time per call over its usual (`None`: no usual time known).
    pub slower: Option<f64>,
}

impl fmt::Display for SyncCalls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.0}% of its calls failed", self.failing_share * 100.0)?;
        match self.slower {
            Some(x) => write!(f, " and they took {x:.1}x their usual time"),
            None => Ok(()),
        }
    }
}

impl fmt::Display for RunawayShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunawayShape::Recursion { dropped } => {
                write!(f, "Lambda dropped {dropped:.0} recursive invocations")
            }
            RunawayShape::Growth { minutes, series } => {
                let shown: Vec<String> = minutes.iter().map(|m| format!("{m:.0}")).collect();
                write!(f, "{series} per minute rising {} (a launch steps up and holds)", shown.join(" > "))
            }
            RunawayShape::Surge { times_normal, over_usd_per_hour } => write!(
                f,
                "{times_normal:.0}x its usual busiest minute and cost, over ${over_usd_per_hour:.0}/h (a launch that \
                 costly is announced: tag it runaway-guard:exempt)"
            ),
            RunawayShape::Saturation { concurrency, throttles, minutes, against, synchronous } => {
                write!(
                    f,
                    "pinned at {against}: concurrency {concurrency:.0} with {throttles:.0} throttles over {minutes} min, \
                     a ceiling it is not usually at"
                )?;
                match synchronous {
                    Some(calls) => write!(
                        f,
                        "; every call synchronous and {calls} (a synchronous launch past its ceiling serves its calls)"
                    ),
                    None => write!(f, " (a launch holds below its ceilings)"),
                }
            }
        }
    }
}

/// A function named by a metric-driven trigger, to be judged against its own normal before any
/// throttle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// The function.
    pub function: FunctionName,
    /// What named it (e.g. `contributor of alarm NAME`), for the reason and the report.
    pub trigger: String,
    /// The trigger itself says Lambda dropped recursive invocations (a strong signal).
    pub recursion: bool,
    /// A mute rule in force on the triggering alarm, reported with the decision.
    pub muted: Option<String>,
}

impl Candidate {
    /// What named it, and the mute rule in force on that alarm when there was one: what the trip's
    /// reason (and so its page) says started the judgement.
    pub fn described(&self) -> String {
        match &self.muted {
            Some(mute) => format!("{} (its alarm actions {mute}; judged anyway)", self.trigger),
            None => self.trigger.clone(),
        }
    }

    /// Folds in a second trigger for the same function: the recursion flag and a mute rule are
    /// kept from whichever trigger carried them, and the triggers are both named.
    pub fn absorb(&mut self, other: Candidate) {
        debug_assert_eq!(self.function, other.function);
        if other.recursion && !self.recursion {
            self.recursion = true;
            self.trigger = format!("{} and {}", other.trigger, self.trigger);
        } else if other.trigger != self.trigger && !self.trigger.contains(&other.trigger) {
            self.trigger = format!("{} and {}", self.trigger, other.trigger);
        }
        if self.muted.is_none() {
            self.muted = other.muted;
        }
    }
}

/// The detector's output for one signal.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Throttle this function for this reason.
    Throttle {
        /// The offender.
        function: FunctionName,
        /// Why.
        reason: Reason,
    },
    /// An account-level or billing alarm fired: find offenders from CloudWatch metrics.
    SearchOffenders {
        /// The alarm's name.
        alarm: String,
        /// `namespace/metric` it watches.
        metric: String,
    },
    /// Judge this function against its own normal (`detect::baseline`), then throttle only a runaway.
    Judge(Candidate),
    /// The sweep: re-judge every contributor now in ALARM of the configured multi-time-series
    /// alarms (a contributor already in ALARM sends no new event when it later runs away).
    RejudgeContributors,
}
