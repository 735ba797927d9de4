//! Cutting "the code that ran" out of a source file.
//!
//! A scenario marks the part of its source that the learner should read with two comment
//! lines, `// [demo:start]` and `// [demo:end]`. The backend embeds its own file at compile
//! time (`include_str!`) and sends the marked part in the scenario's descriptor
//! ([`CodeSnippet`]), so every client shows exactly the code the server runs; the
//! browser-only demos cut their snippets out of the frontend's files the same way.
//! Pure functions, no dependencies.

use crate::scenario::CodeSnippet;

const START: &str = "// [demo:start]";
const END: &str = "// [demo:end]";

/// The text strictly between the line containing `// [demo:start]` and the line
/// containing `// [demo:end]`, or `None` if either marker is missing or they are out of
/// order.
pub fn extract_snippet(src: &str) -> Option<&str> {
    let start_marker = src.find(START)?;
    // The snippet begins on the line after the start marker.
    let body_start = start_marker + src[start_marker..].find('\n')? + 1;
    let end_marker = body_start + src[body_start..].find(END)?;
    // ...and ends before the line holding the end marker.
    let body_end = src[..end_marker].rfind('\n').map_or(0, |i| i + 1);
    (body_end >= body_start).then(|| &src[body_start..body_end])
}

/// Remove the indentation all non-blank lines share, and any trailing newline.
pub fn dedent(text: &str) -> String {
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    text.lines()
        .map(|l| l.get(indent..).unwrap_or("").trim_end())
        .collect::<Vec<_>>()
        .join("\n")
        .trim_end_matches('\n')
        .to_owned()
}

impl CodeSnippet {
    /// The marked part of `source` (the file at `path` in the repository), dedented, with
    /// its await points and spawns resolved to lines ([`crate::code_lines`]). `None` if
    /// the markers are missing or out of order.
    pub fn from_source(path: &str, source: &str) -> Option<Self> {
        Some(Self::with_lines(path, dedent(extract_snippet(source)?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_between_the_marker_lines() {
        let src =
            "use x;\n// [demo:start]\nfn a() {}\n\nfn b() {}\n// [demo:end]\nfn hidden() {}\n";
        assert_eq!(extract_snippet(src), Some("fn a() {}\n\nfn b() {}\n"));
    }

    #[test]
    fn markers_may_be_indented_or_trailed() {
        let src = "mod m {\n    // [demo:start] below\n    fn a() {}\n    // [demo:end]\n}\n";
        assert_eq!(extract_snippet(src), Some("    fn a() {}\n"));
        assert_eq!(dedent(extract_snippet(src).unwrap()), "fn a() {}");
    }

    #[test]
    fn empty_snippet() {
        assert_eq!(
            extract_snippet("// [demo:start]\n// [demo:end]\n"),
            Some("")
        );
    }

    #[test]
    fn missing_or_misordered_markers() {
        assert_eq!(extract_snippet("fn a() {}"), None);
        assert_eq!(extract_snippet("// [demo:start]\nfn a() {}\n"), None);
        assert_eq!(extract_snippet("fn a() {}\n// [demo:end]\n"), None);
        assert_eq!(
            extract_snippet("// [demo:end]\nfn a() {}\n// [demo:start]\n"),
            None
        );
        // A start marker on the last line, with no newline after it.
        assert_eq!(extract_snippet("x\n// [demo:start]"), None);
    }

    #[test]
    fn dedent_keeps_relative_indentation_and_blank_lines() {
        assert_eq!(
            dedent("    fn a() {\n        b();\n\n    }\n"),
            "fn a() {\n    b();\n\n}"
        );
    }

    #[test]
    fn a_code_snippet_is_the_dedented_marked_part() {
        let src = "mod m {\n    // [demo:start]\n    fn a() {}\n    // [demo:end]\n}\n";
        let code = CodeSnippet::from_source("x.rs", src).unwrap();
        assert_eq!(
            (code.path.as_str(), code.text.as_str()),
            ("x.rs", "fn a() {}")
        );
        assert_eq!(CodeSnippet::from_source("x.rs", "fn a() {}"), None);
    }
}
