//! Numbers as a report prints them: durations in human units, dollars, thousands separators and
//! rates that never round a drawn bar down to "0/s".

pub use crate::time::spoken as duration;

/// `3,881.94`.
pub fn money(usd: f64) -> String {
    let cents = (usd.max(0.0) * 100.0).round() as u64;
    format!("{}.{:02}", thousands(cents / 100), cents % 100)
}

/// Dollars to the precision that matters, as README's table prints them: `$3,882`, `$7.46`, `$0.025`.
pub fn usd(amount: f64) -> String {
    let amount = amount.max(0.0);
    if amount >= 100.0 {
        format!("${}", thousands(amount.round() as u64))
    } else if amount >= 1.0 || amount == 0.0 {
        format!("${}", money(amount))
    } else {
        // Two significant digits, so a small leak never prints as $0.00.
        let digits = (-amount.log10().floor()) as usize + 1;
        format!("${amount:.digits$}")
    }
}

/// A signed difference in dollars: `+$1.20`, `-$0.40`, `$0.00`.
pub fn usd_delta(amount: f64) -> String {
    if amount.abs() < 0.005 {
        return "$0.00".to_owned();
    }
    let sign = if amount < 0.0 { "-" } else { "+" };
    format!("{sign}{}", usd(amount.abs()))
}

/// Invocations per second: whole numbers from 10 up, one decimal from 1, two significant digits
/// below, so any rate above zero prints above zero.
pub fn rate(per_sec: f64) -> String {
    if per_sec <= 0.0 {
        "0".to_owned()
    } else if per_sec >= 10.0 {
        thousands(per_sec.round() as u64)
    } else if per_sec >= 1.0 {
        format!("{per_sec:.1}")
    } else if per_sec >= 0.001 {
        let digits = (-per_sec.log10().floor()) as usize + 1;
        let text = format!("{per_sec:.digits$}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        "<0.001".to_owned()
    }
}

/// `86,317,006`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1 trip`, `3 trips`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
