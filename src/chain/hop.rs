//! Computing the header a guarded function attaches to what it emits, and the local stop check.

use super::{ChainError, ChainHeader, ChainRoot, MAX_DEPTH};
use crate::name::FunctionName;

/// Extracts the `Root=` id from an X-Ray trace header (`_X_AMZN_TRACE_ID` or the Lambda context's
/// `xray_trace_id`), e.g. `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`.
/// `None` when there is no usable root.
pub fn xray_root(trace_id: &str) -> Option<ChainRoot> {
    trace_id
        .split(';')
        .find_map(|part| part.trim().strip_prefix("Root="))
        .and_then(|root| ChainRoot::new(root).ok())
}

impl ChainHeader {
    /// The header for the next hop, emitted by `me`.
    ///
    /// - depth: the incoming depth + 1, or 1 when this invocation starts the chain; past
    ///   [`MAX_DEPTH`] it is [`ChainError::LimitReached`].
    /// - root: the incoming root; else the X-Ray `Root` of `xray_trace_id`, so the chain lines up
    ///   with traces; else `fallback_root()` (e.g. the Lambda request id), which must be a valid root.
    pub fn next_hop(
        incoming: Option<&ChainHeader>,
        me: &FunctionName,
        xray_trace_id: Option<&str>,
        fallback_root: impl FnOnce() -> String,
    ) -> Result<ChainHeader, ChainError> {
        let Some(incoming) = incoming else {
            let root = match xray_trace_id.and_then(xray_root) {
                Some(root) => root,
                None => ChainRoot::new(&fallback_root())?,
            };
            return Ok(ChainHeader { root, depth: 1, function: me.clone() });
        };
        let depth = incoming.depth.saturating_add(1);
        if depth > MAX_DEPTH {
            return Err(ChainError::LimitReached { depth, limit: MAX_DEPTH });
        }
        Ok(ChainHeader { root: incoming.root.clone(), depth, function: me.clone() })
    }

    /// [`next_hop`](Self::next_hop) followed by [`check`](Self::check): the header to emit, or
    /// [`ChainError::LimitReached`] when emitting would take the chain above `limit`.
    pub fn next_hop_checked(
        incoming: Option<&ChainHeader>,
        me: &FunctionName,
        xray_trace_id: Option<&str>,
        fallback_root: impl FnOnce() -> String,
        limit: u32,
    ) -> Result<ChainHeader, ChainError> {
        let next = Self::next_hop(incoming, me, xray_trace_id, fallback_root)?;
        next.check(limit)?;
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRACE: &str = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

    fn me() -> FunctionName {
        FunctionName::new("thumbnailer").unwrap()
    }

    #[test]
    fn extracts_the_xray_root() {
        assert_eq!(xray_root(TRACE).unwrap().as_str(), "1-5759e988-bd862e3fe1be46a994272793");
        assert_eq!(xray_root("Parent=1;Root=1-a-b").unwrap().as_str(), "1-a-b");
        assert_eq!(xray_root("Parent=53995c3f42cd8ad8;Sampled=1"), None);
        assert_eq!(xray_root("Root=;Sampled=1"), None);
        assert_eq!(xray_root("Root=a b"), None);
    }

    #[test]
    fn first_hop_prefers_xray_root_then_fallback() {
        let first = ChainHeader::next_hop(None, &me(), Some(TRACE), || "unused".into()).unwrap();
        assert_eq!((first.root.as_str(), first.depth), ("1-5759e988-bd862e3fe1be46a994272793", 1));
        let fallback = ChainHeader::next_hop(None, &me(), None, || "req-1".into()).unwrap();
        assert_eq!((fallback.root.as_str(), fallback.function.as_str()), ("req-1", "thumbnailer"));
        assert!(matches!(
            ChainHeader::next_hop(None, &me(), Some("junk"), || "bad root!".into()),
            Err(ChainError::BadRoot { .. })
        ));
    }

    #[test]
    fn later_hops_keep_the_root_and_count_up() {
        let incoming = ChainHeader::parse("root=r-1;depth=15;function=upstream").unwrap();
        let next = ChainHeader::next_hop(Some(&incoming), &me(), Some(TRACE), String::new).unwrap();
        assert_eq!(next.to_string(), "root=r-1;depth=16;function=thumbnailer");
        assert_eq!(
            ChainHeader::next_hop_checked(Some(&incoming), &me(), None, String::new, 16),
            Ok(next.clone())
        );
        assert_eq!(
            ChainHeader::next_hop_checked(Some(&next), &me(), None, String::new, 16),
            Err(ChainError::LimitReached { depth: 17, limit: 16 })
        );
    }

    #[test]
    fn depth_saturates_at_the_maximum() {
        let mut top = ChainHeader::parse("root=r;depth=1000000;function=f").unwrap();
        let err = Err(ChainError::LimitReached { depth: MAX_DEPTH + 1, limit: MAX_DEPTH });
        assert_eq!(ChainHeader::next_hop(Some(&top), &me(), None, String::new), err);
        top.depth = u32::MAX; // public fields: an unchecked header must not overflow either
        let err = Err(ChainError::LimitReached { depth: u32::MAX, limit: MAX_DEPTH });
        assert_eq!(ChainHeader::next_hop(Some(&top), &me(), None, String::new), err);
    }
}
