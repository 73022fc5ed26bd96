//! Deterministic randomness for the simulator: a stateless SplitMix64 hash of (seed, stream, keys).
//!
//! Stateless on purpose: a draw depends only on what it is for (which traffic source, which tick),
//! never on how many draws happened before. So the baseline run and every mechanism's run see the
//! same organic traffic and the same latencies for the same events, and their difference is the runaway.

/// Independent purposes for draws, so two uses of the same keys never correlate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stream {
    /// Jitter of organic arrivals.
    Traffic = 1,
    /// Trigger delivery latency.
    Latency = 2,
    /// Delay of chain events on their way to the guard.
    GuardDelivery = 3,
}

/// A seeded, stateless source of uniform draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rng {
    seed: u64,
}

impl Rng {
    /// A generator for `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self { seed }
    }

    /// A uniform draw in `[0, 1)` for `(stream, a, b)`.
    pub(crate) fn unit(&self, stream: Stream, a: u64, b: u64) -> f64 {
        let h = mix(mix(mix(self.seed ^ (stream as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)) ^ a) ^ b);
        // 53 high bits → an exactly representable fraction.
        (h >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A uniform integer in `[lo, hi]` (inclusive) for `(stream, a, b)`.
    pub(crate) fn between(&self, stream: Stream, a: u64, b: u64, lo: u32, hi: u32) -> u32 {
        if hi <= lo {
            return lo;
        }
        let span = f64::from(hi - lo + 1);
        lo + ((self.unit(stream, a, b) * span) as u32).min(hi - lo)
    }
}

/// SplitMix64's finaliser: a bijective, well-mixing 64-bit hash.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_deterministic_and_depend_on_every_key() {
        let rng = Rng::new(7);
        let a = rng.unit(Stream::Latency, 1, 2);
        assert_eq!(a, Rng::new(7).unit(Stream::Latency, 1, 2));
        assert_ne!(a, Rng::new(8).unit(Stream::Latency, 1, 2));
        assert_ne!(a, rng.unit(Stream::Traffic, 1, 2));
        assert_ne!(a, rng.unit(Stream::Latency, 2, 1));
    }

    #[test]
    fn draws_are_roughly_uniform_and_in_range() {
        let rng = Rng::new(42);
        let n = 10_000;
        let mean: f64 = (0..n).map(|i| rng.unit(Stream::Traffic, i, 0)).sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.02, "mean {mean}");
        for i in 0..1_000 {
            let v = rng.between(Stream::Latency, i, 3, 5, 10);
            assert!((5..=10).contains(&v));
        }
        assert_eq!(rng.between(Stream::Latency, 0, 0, 4, 4), 4);
    }
}
