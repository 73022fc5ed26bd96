//! Every relative link in `README.md`, `infra/README.md` and `docs/*.md` names a file of the repository,
//! and every `#anchor` names a heading of its target page (GitHub's heading slugs). Links inside code
//! blocks and inline code are not links; `http(s):` and `mailto:` links are not checked (no network).
//! Also holds the README to its 200-line budget.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

const README_MAX_LINES: usize = 200;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Markdown pages whose links are checked, relative to the repository root.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![PathBuf::from("README.md"), PathBuf::from("infra/README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/ exists")
        .map(|entry| entry.expect("readable docs/ entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .map(|path| path.strip_prefix(root()).expect("under the root").to_path_buf())
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// The lines outside fenced code blocks (a fence line itself counts as inside).
fn outside_fences(markdown: &str) -> Vec<&str> {
    let mut fenced = false;
    let mut lines = Vec::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            lines.push(line);
        }
    }
    lines
}

/// The text outside code blocks, with inline code spans blanked out.
fn prose(markdown: &str) -> String {
    let mut out = String::new();
    for line in outside_fences(markdown) {
        let mut in_code = false;
        for c in line.chars() {
            if c == '`' {
                in_code = !in_code;
            }
            out.push(if in_code || c == '`' { ' ' } else { c });
        }
        out.push('\n');
    }
    out
}

/// Targets of inline links and images: the text between `](` and the matching `)`.
fn link_targets(markdown: &str) -> Vec<String> {
    let text = prose(markdown);
    let mut targets = Vec::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("](") {
        rest = &rest[start + 2..];
        let end = rest.find([')', '\n']).unwrap_or(rest.len());
        // A title (`[x](path "title")`) follows the target after a space.
        let target = rest[..end].split_whitespace().next().unwrap_or("");
        targets.push(target.trim_matches(['<', '>']).to_string());
        rest = &rest[end..];
    }
    targets
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces turned into hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors a page's headings define (repeats get GitHub's `-1`, `-2` suffixes).
fn anchors(markdown: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    for line in outside_fences(markdown) {
        let Some(heading) = line.strip_prefix('#') else { continue };
        let heading = heading.trim_start_matches('#');
        if !heading.starts_with(' ') {
            continue;
        }
        let base = slug(heading);
        let mut anchor = base.clone();
        let mut n = 0;
        while seen.contains(&anchor) {
            n += 1;
            anchor = format!("{base}-{n}");
        }
        seen.insert(anchor);
    }
    seen
}

/// `base/../x` → `x`, without touching the file system (so a missing file is reported, not an error).
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Problems with one link of `page`, or none.
fn check(page: &Path, target: &str) -> Option<String> {
    if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
        return None;
    }
    let (file, anchor) = match target.split_once('#') {
        Some((file, anchor)) => (file, Some(anchor)),
        None => (target, None),
    };
    let linked = if file.is_empty() {
        page.to_path_buf()
    } else {
        normalise(&page.parent().unwrap_or(Path::new("")).join(file))
    };
    let full = root().join(&linked);
    if !full.exists() {
        return Some(format!("{}: `{target}`: {} does not exist", page.display(), linked.display()));
    }
    let anchor = anchor?;
    if full.is_dir() || full.extension().is_none_or(|ext| ext != "md") {
        return Some(format!("{}: `{target}`: an anchor into a file that is not Markdown", page.display()));
    }
    let text = std::fs::read_to_string(&full).expect("readable page");
    (!anchors(&text).contains(anchor)).then(|| {
        format!("{}: `{target}`: {} has no heading with anchor #{anchor}", page.display(), linked.display())
    })
}

#[test]
fn every_relative_link_resolves() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for page in pages() {
        let text = std::fs::read_to_string(root().join(&page)).expect("readable page");
        for target in link_targets(&text) {
            checked += 1;
            problems.extend(check(&page, &target));
        }
    }
    assert!(checked > 20, "found only {checked} links: the link parser is broken");
    assert!(problems.is_empty(), "broken links:\n{}", problems.join("\n"));
}

#[test]
fn the_readme_stays_short() {
    let text = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let lines = text.lines().count();
    assert!(lines <= README_MAX_LINES, "README.md has {lines} lines; keep it under {README_MAX_LINES}");
}

#[test]
fn the_checker_sees_broken_links_and_ignores_code() {
    let page = Path::new("docs/example.md");
    assert!(check(page, "../README.md").is_none());
    assert!(check(page, "../README.md#runaway-guard").is_none());
    assert!(check(page, "no-such-page.md").is_some());
    assert!(check(page, "../README.md#no-such-heading").is_some());
    assert!(check(page, "https://example.com/x").is_none());
    let text = "see [a](a.md), ![b](b.svg \"t\") `[c](c.md)`\n```\n[d](d.md)\n```\n";
    assert_eq!(link_targets(text), ["a.md", "b.svg"]);
    assert_eq!(slug("Why not use it?"), "why-not-use-it");
    assert_eq!(slug("`status`, `reenable`, `trip`"), "status-reenable-trip");
    let headings = anchors("# A\n## A\n```\n# not a heading\n```\n#hashtag\n");
    assert_eq!(headings, BTreeSet::from(["a".to_string(), "a-1".to_string()]));
}
