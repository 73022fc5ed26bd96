//! Events that travel together: a range of chain roots, the same count per root, the same depth.
//!
//! Aggregation is what makes long runs cheap: 24 h of a loop at 1,200 invocations/s is a few
//! thousand cohorts in flight, not 100 M structs. When the guard runs, cohorts keep their root ids
//! (ranges stay exact, so per-root chain counts are faithful); the peers' runs don't need roots and
//! merge cohorts freely.

/// `roots × per_root` events at chain depth `depth` (the depth of the invocation they cause).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cohort {
    /// First root id; the cohort covers `first_root .. first_root + roots`.
    pub first_root: u32,
    /// Number of roots.
    pub roots: u32,
    /// Events per root.
    pub per_root: u64,
    /// Invocation depth these events cause (1 for organic events): the hops the request has really
    /// made, which the application's own retry count and Lambda's loop detection see.
    pub depth: u16,
    /// Invocation depth in the chain header's view: hops since a guarded function started the
    /// header (a function that does not propagate it starts new chains). Equals `depth` when every
    /// function is guarded.
    pub hops: u16,
    /// SQS receive count so far.
    pub receives: u16,
    /// Tick the events entered the account (for the async queue's maximum event age).
    pub born: u32,
    /// The runaway's events (emitted on an incident route, or caused by one), not organic work.
    pub runaway: bool,
    /// The synchronous callers waiting for these events: their `Wait`'s id (`waits`), 0 for none
    /// (asynchronous events, messages, records, calls from outside the account). Cohorts with
    /// different callers never merge: each caller's wait ends when its own calls return.
    pub wait: u32,
}

impl Cohort {
    /// Total events.
    pub(crate) fn total(&self) -> u64 {
        u64::from(self.roots) * self.per_root
    }

    /// Splits off at most `n` events, keeping whole roots where it can. Returns what was taken and
    /// what remains, in order (the remainder of a partly taken root comes first).
    pub(crate) fn split(self, n: u64) -> (Option<Cohort>, [Option<Cohort>; 2]) {
        let total = self.total();
        if n == 0 || total == 0 {
            return (None, [Some(self).filter(|c| c.total() > 0), None]);
        }
        if n >= total {
            return (Some(self), [None, None]);
        }
        let whole = (n / self.per_root) as u32;
        if whole >= 1 {
            let rest = Cohort { first_root: self.first_root + whole, roots: self.roots - whole, ..self };
            return (Some(Cohort { roots: whole, ..self }), [Some(rest), None]);
        }
        // Less than one root's worth: split the first root's events.
        let taken = Cohort { roots: 1, per_root: n, ..self };
        let first_rest = Cohort { roots: 1, per_root: self.per_root - n, ..self };
        let others = (self.roots > 1).then(|| Cohort {
            first_root: self.first_root + 1,
            roots: self.roots - 1,
            ..self
        });
        (Some(taken), [Some(first_rest), others])
    }

    /// Collapses the roots into one anonymous group (merged mode): same events, no identity, and
    /// depths beyond `depth_cap` (the deepest any rule of the run looks at) folded together. No
    /// guard reads headers in merged mode, so `hops` follows `depth` and instrumentation cannot
    /// change how a peer's run merges.
    pub(crate) fn anonymous(self, depth_cap: u16) -> Cohort {
        Cohort {
            first_root: 0,
            roots: 1,
            per_root: self.total(),
            depth: self.depth.min(depth_cap),
            hops: self.depth.min(depth_cap),
            ..self
        }
    }

    /// Whether two merged-mode cohorts can be summed.
    pub(crate) fn merges_with(&self, other: &Cohort) -> bool {
        self.depth == other.depth
            && self.hops == other.hops
            && self.receives == other.receives
            && self.runaway == other.runaway
            && self.wait == other.wait
            && self.born / 600 == other.born / 600
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cohort(roots: u32, per_root: u64) -> Cohort {
        Cohort {
            first_root: 10,
            roots,
            per_root,
            depth: 3,
            hops: 3,
            receives: 0,
            born: 0,
            runaway: false,
            wait: 0,
        }
    }

    fn total(parts: &[Option<Cohort>]) -> u64 {
        parts.iter().flatten().map(Cohort::total).sum()
    }

    #[test]
    fn split_conserves_events_and_keeps_whole_roots() {
        for (roots, per_root, n) in [(5, 1, 3), (5, 4, 9), (5, 4, 2), (1, 8, 3), (3, 2, 100), (3, 2, 0)] {
            let c = cohort(roots, per_root);
            let (taken, rest) = c.split(n);
            let got = taken.map_or(0, |t| t.total());
            assert!(got <= n && (got > 0 || n == 0), "{roots}x{per_root} take {n}: {got}");
            assert_eq!(got + total(&rest), c.total());
        }
        // Whole roots only when at least one fits: 9 of 5x4 takes two roots (8 events).
        let (taken, rest) = cohort(5, 4).split(9);
        assert_eq!(taken.map(|t| (t.first_root, t.roots)), Some((10, 2)));
        assert_eq!(rest[0].map(|r| (r.first_root, r.roots)), Some((12, 3)));
    }

    #[test]
    fn partial_root_split_keeps_root_ids_in_order() {
        let (taken, rest) = cohort(3, 4).split(1);
        assert_eq!(taken.map(|t| (t.first_root, t.per_root)), Some((10, 1)));
        assert_eq!(rest[0].map(|r| (r.first_root, r.roots, r.per_root)), Some((10, 1, 3)));
        assert_eq!(rest[1].map(|r| (r.first_root, r.roots, r.per_root)), Some((11, 2, 4)));
    }

    #[test]
    fn anonymous_cohorts_merge_by_depth_and_receives() {
        let a = cohort(3, 2).anonymous(18);
        assert_eq!((a.roots, a.per_root), (1, 6));
        let deep = Cohort { depth: 500, hops: 400, ..a }.anonymous(18);
        assert_eq!((deep.depth, deep.hops), (18, 18));
        assert_eq!(Cohort { hops: 1, ..a }.anonymous(18).hops, a.depth);
        assert!(a.merges_with(&cohort(1, 1).anonymous(18)));
        assert!(!a.merges_with(&Cohort { receives: 1, ..a }));
        assert!(!a.merges_with(&Cohort { runaway: true, ..a }), "organic and runaway stay apart");
        assert!(!a.merges_with(&Cohort { wait: 1, ..a }), "calls of different callers stay apart");
    }
}
