//! What the fast path builds once per batch and then shares. A batch's records mostly come from one
//! account and region, a few functions and, hop after hop, the same chains: each distinct text is
//! validated and allocated once, and every later signal naming it shares that allocation (and a
//! time repeated from the record before is not parsed again). Without
//! this, four small allocations per record were a fifth of the parse, and freeing them made the
//! allocator's next large request consolidate tens of thousands of chunks.
//!
//! Memory is bounded by the batch (at most 10 000 records, 6 MB): the maps borrow their keys from
//! it and live only while it is parsed.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use crate::chain::ChainRoot;
use crate::name::FunctionName;
use crate::time::Timestamp;

/// The batch's distinct roots, function names and envelope strings (account, region).
#[derive(Default)]
pub(super) struct Reuse<'a> {
    roots: Built<'a, ChainRoot>,
    functions: Built<'a, FunctionName>,
    texts: Built<'a, Arc<str>>,
    /// Each envelope field's last text and value: a batch's events mostly share their account,
    /// region, source and detail-type, so one comparison usually replaces a hash lookup.
    last_texts: [Option<(&'a str, Arc<str>)>; Field::COUNT],
    /// The last envelope time read, and its value: events of a batch are sent in order, many within
    /// the same second.
    last_time: Option<(&'a str, Option<Timestamp>)>,
}

impl<'a> Reuse<'a> {
    /// The root for `text`, validated the first time it is seen.
    pub fn root(&mut self, text: &'a str) -> Option<ChainRoot> {
        self.roots.get_or_build(text, |text| ChainRoot::new(text).ok())
    }

    /// The function name for `text`, validated the first time it is seen.
    pub fn function(&mut self, text: &'a str) -> Option<FunctionName> {
        self.functions.get_or_build(text, |text| FunctionName::new(text).ok())
    }

    /// An envelope string (account, region, source, detail-type), stored as is.
    pub fn text(&mut self, field: Field, text: &'a str) -> Arc<str> {
        let last = &mut self.last_texts[field as usize];
        if let Some((seen, value)) = last
            && *seen == text
        {
            return value.clone();
        }
        let value = self.texts.by_text.entry(text).or_insert_with(|| Arc::from(text)).clone();
        *last = Some((text, value.clone()));
        value
    }

    /// An envelope time (RFC 3339), `None` when it does not parse.
    pub fn time(&mut self, text: &'a str) -> Option<Timestamp> {
        match self.last_time {
            Some((seen, at)) if seen == text => at,
            _ => {
                let at = Timestamp::parse_rfc3339(text);
                self.last_time = Some((text, at));
                at
            }
        }
    }
}

/// The envelope fields kept as shared text.
#[derive(Clone, Copy)]
pub(super) enum Field {
    Account,
    Region,
    Source,
    DetailType,
}

impl Field {
    const COUNT: usize = 4;
}

/// Values built from texts of the batch. Seeded per process (`RandomState`), so a sender cannot
/// choose texts that collide.
struct Built<'a, T> {
    by_text: HashMap<&'a str, T, foldhash::fast::RandomState>,
}

impl<T> Default for Built<'_, T> {
    fn default() -> Self {
        Self { by_text: HashMap::default() }
    }
}

impl<'a, T: Clone> Built<'a, T> {
    /// The value built earlier from `text`, or `build(text)` remembered; an invalid text (`None`) is
    /// not remembered (the record goes to the general parser, which says what is wrong).
    fn get_or_build(&mut self, text: &'a str, build: impl FnOnce(&str) -> Option<T>) -> Option<T> {
        match self.by_text.entry(text) {
            Entry::Occupied(built) => Some(built.get().clone()),
            Entry::Vacant(slot) => build(text).map(|value| slot.insert(value).clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_share_one_value_and_invalid_texts_are_refused() {
        let batch = String::from("orders-worker orders-worker bad/name");
        let mut words = batch.split(' ');
        let (first, second, bad) = (words.next(), words.next(), words.next());
        let mut reuse = Reuse::default();
        let one = reuse.function(first.unwrap_or_default()).expect("valid");
        let two = reuse.function(second.unwrap_or_default()).expect("valid");
        assert_eq!(one, two);
        assert!(std::ptr::eq(one.as_str(), two.as_str()), "the second is the first, shared");
        assert_eq!(reuse.function(bad.unwrap_or_default()), None);
        assert_eq!(reuse.root("bad root"), None);
        assert_eq!(reuse.root("1-abc").map(|root| root.as_str().to_owned()), Some("1-abc".into()));
    }

    #[test]
    fn times_are_read_again_only_when_they_change() {
        let mut reuse = Reuse::default();
        let first = reuse.time("2026-11-20T09:21:07Z");
        assert_eq!(first, Timestamp::parse_rfc3339("2026-11-20T09:21:07Z"));
        assert_eq!(reuse.time("2026-11-20T09:21:07Z"), first);
        assert_eq!(reuse.time("2026-11-20T09:21:08Z"), first.map(|t| t + std::time::Duration::from_secs(1)));
        assert_eq!(reuse.time("yesterday"), None);
        assert_eq!(reuse.time("yesterday"), None);
    }
}
