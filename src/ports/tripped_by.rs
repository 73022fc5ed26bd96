//! Who tripped a function: the guard (by one of its rules) or an operator (by the caller ARN of
//! `runaway-guard trip`). Part of the signed trip record from format v2 on.

use std::fmt;

use serde::Serialize;

/// Who tripped a function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TrippedBy {
    /// The guard's own detection.
    Guard {
        /// The rule that fired (`depth`, `chain_size`, `rate_growth`, `alarm`, `cost`, ...).
        rule: String,
    },
    /// A person (or a pipeline) running `runaway-guard trip`.
    Operator {
        /// The caller's ARN, as STS named it.
        arn: String,
    },
}

impl TrippedBy {
    /// The record's text form: `guard:<rule>` or `operator:<ARN>`.
    pub fn to_record_text(&self) -> String {
        match self {
            Self::Guard { rule } => format!("guard:{rule}"),
            Self::Operator { arn } => format!("operator:{arn}"),
        }
    }

    /// Reads [`TrippedBy::to_record_text`]'s form; `None` for anything else.
    pub fn from_record_text(text: &str) -> Option<Self> {
        match text.split_once(':')? {
            ("guard", rule) if !rule.is_empty() => Some(Self::Guard { rule: rule.to_owned() }),
            ("operator", arn) if !arn.is_empty() => Some(Self::Operator { arn: arn.to_owned() }),
            _ => None,
        }
    }
}

impl fmt::Display for TrippedBy {
    /// `runaway-guard (rule depth)` or the operator's ARN.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Guard { rule } => write!(f, "runaway-guard (rule {rule})"),
            Self::Operator { arn } => f.write_str(arn),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_text_reads_back() {
        for by in [
            TrippedBy::Guard { rule: "rate_growth".into() },
            TrippedBy::Operator { arn: "arn:aws:sts::123456789012:assumed-role/oncall/alice".into() },
        ] {
            assert_eq!(TrippedBy::from_record_text(&by.to_record_text()), Some(by));
        }
        for bad in ["", "guard:", "operator", "someone:else"] {
            assert_eq!(TrippedBy::from_record_text(bad), None, "{bad}");
        }
    }
}
