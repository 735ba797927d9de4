//! Rust syntax highlighting for the code panels: a small tokenizer of our own that splits
//! a line into classified pieces, so the panel can wrap each in a `span.tok-<kind>`.
//!
//! It needs to be right about what a reader sees, not about what the compiler accepts:
//! keywords, strings (with escapes, and raw strings), chars and lifetimes (`'a'` vs `'a`),
//! comments (line, doc and nested block comments), numbers, macro calls (`name!`),
//! attributes (`#[...]`), type-like names (capitalised), and the rest as plain text.
//! Block comments and strings may run over several lines, so the tokenizer carries a
//! [`LexState`] from one line to the next. The pieces of a line, put back together, are
//! the line exactly: the panel's text is the snippet's text unchanged.
//!
//! Pure: `&str` in, pieces out. Uses nothing else in the crate.

/// What a piece of code is, as the stylesheet colours it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Keyword,
    Str,
    Char,
    Lifetime,
    Comment,
    Number,
    Macro,
    Attribute,
    Type,
    Plain,
}

impl Kind {
    /// The CSS class of a piece of this kind (`None` for plain text).
    pub fn class(self) -> Option<&'static str> {
        Some(match self {
            Self::Keyword => "tok-kw",
            Self::Str => "tok-str",
            Self::Char => "tok-char",
            Self::Lifetime => "tok-life",
            Self::Comment => "tok-com",
            Self::Number => "tok-num",
            Self::Macro => "tok-mac",
            Self::Attribute => "tok-attr",
            Self::Type => "tok-ty",
            Self::Plain => return None,
        })
    }
}

/// What is still open at the end of a line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LexState {
    #[default]
    Code,
    /// Inside a block comment, this many deep (they nest in Rust).
    BlockComment(u32),
    /// Inside a string literal; `hashes` is `Some(n)` for a raw string closed by `"` and n `#`.
    Str { hashes: Option<u32> },
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while",
];

/// The pieces of one line, given what the previous line left open; updates `state` for
/// the next line.
pub fn highlight_line<'a>(line: &'a str, state: &mut LexState) -> Vec<(Kind, &'a str)> {
    // (kind, start, end) of each piece; they follow each other without gaps.
    let mut spans: Vec<(Kind, usize, usize)> = Vec::new();
    let mut push = |kind: Kind, start: usize, end: usize| match spans.last_mut() {
        _ if start == end => {}
        // Neighbouring pieces of one kind become one span.
        Some((last, _, last_end)) if *last == kind => *last_end = end,
        _ => spans.push((kind, start, end)),
    };
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < line.len() {
        match *state {
            LexState::BlockComment(depth) => {
                let end = block_comment_end(line, i, depth, state);
                push(Kind::Comment, i, end);
                i = end;
            }
            LexState::Str { hashes } => {
                let end = string_end(line, i, hashes, state);
                push(Kind::Str, i, end);
                i = end;
            }
            LexState::Code => {
                let rest = &line[i..];
                let c = rest.chars().next().unwrap_or(' ');
                let (kind, len) = if rest.starts_with("//") {
                    (Kind::Comment, rest.len())
                } else if rest.starts_with("/*") {
                    *state = LexState::BlockComment(1);
                    let end = block_comment_end(line, i + 2, 1, state);
                    (Kind::Comment, end - i)
                } else if let Some(open) = raw_string_open(rest) {
                    *state = LexState::Str {
                        hashes: Some(open.hashes),
                    };
                    let end = string_end(line, i + open.len, Some(open.hashes), state);
                    (Kind::Str, end - i)
                } else if c == '"' || rest.starts_with("b\"") {
                    let skip = if c == '"' { 1 } else { 2 };
                    *state = LexState::Str { hashes: None };
                    let end = string_end(line, i + skip, None, state);
                    (Kind::Str, end - i)
                } else if c == '\'' {
                    quote(rest)
                } else if rest.starts_with("#[") || rest.starts_with("#![") {
                    (Kind::Attribute, attribute_len(rest))
                } else if c.is_ascii_digit() {
                    let len = rest
                        .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '.'))
                        .unwrap_or(rest.len());
                    // `1..n`: the range's dots are not the number's.
                    let len = rest[..len].find("..").unwrap_or(len);
                    (Kind::Number, len)
                } else if c == '_' || c.is_alphabetic() {
                    word(rest, bytes.get(i.wrapping_sub(1)).copied())
                } else {
                    (Kind::Plain, c.len_utf8())
                };
                push(kind, i, i + len);
                i += len;
            }
        }
    }
    spans
        .into_iter()
        .map(|(kind, start, end)| (kind, &line[start..end]))
        .collect()
}

/// Where a block comment `depth` deep, resumed at `from`, ends on this line (just past
/// its last `*/`), or the line's end; sets `state` to what is open after it.
fn block_comment_end(line: &str, from: usize, mut depth: u32, state: &mut LexState) -> usize {
    let mut i = from;
    while i < line.len() {
        let rest = &line[i..];
        if rest.starts_with("*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                *state = LexState::Code;
                return i;
            }
        } else if rest.starts_with("/*") {
            depth += 1;
            i += 2;
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    *state = LexState::BlockComment(depth);
    line.len()
}

/// Where a string resumed at `from` ends on this line (just past its closing quote and
/// hashes), or the line's end; sets `state` to what is open after it.
fn string_end(line: &str, from: usize, hashes: Option<u32>, state: &mut LexState) -> usize {
    let mut i = from;
    while i < line.len() {
        let rest = &line[i..];
        match hashes {
            None if rest.starts_with('\\') => {
                i += 1 + rest[1..].chars().next().map_or(0, char::len_utf8);
                continue;
            }
            None if rest.starts_with('"') => {
                *state = LexState::Code;
                return i + 1;
            }
            Some(n) if rest.starts_with('"') => {
                let close = 1 + n as usize;
                if rest.len() >= close && rest[1..close].bytes().all(|b| b == b'#') {
                    *state = LexState::Code;
                    return i + close;
                }
            }
            _ => {}
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    *state = LexState::Str { hashes };
    line.len()
}

struct RawOpen {
    hashes: u32,
    len: usize,
}

/// `r"`, `r#"`, `br##"` …: the opening of a raw string.
fn raw_string_open(rest: &str) -> Option<RawOpen> {
    let after_b = rest.strip_prefix('b').unwrap_or(rest);
    let after_r = after_b.strip_prefix('r')?;
    let hashes = after_r.bytes().take_while(|&b| b == b'#').count();
    after_r[hashes..].starts_with('"').then(|| RawOpen {
        hashes: hashes as u32,
        len: rest.len() - after_r.len() + hashes + 1,
    })
}

/// A `'`: a char literal (`'a'`, `'\n'`, `'\u{1F600}'`) or a lifetime / label (`'a`).
fn quote(rest: &str) -> (Kind, usize) {
    let body = &rest[1..];
    if let Some(escaped) = body.strip_prefix('\\') {
        if let Some(close) = escaped.find('\'') {
            return (Kind::Char, 2 + close + 1);
        }
    } else if let Some(c) = body.chars().next()
        && body[c.len_utf8()..].starts_with('\'')
    {
        return (Kind::Char, 1 + c.len_utf8() + 1);
    }
    let name = body
        .find(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
        .unwrap_or(body.len());
    if name == 0 {
        (Kind::Plain, 1)
    } else {
        (Kind::Lifetime, 1 + name)
    }
}

/// `#[...]` up to its matching `]` (or the line's end).
fn attribute_len(rest: &str) -> usize {
    let mut depth = 0;
    for (i, c) in rest.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    rest.len()
}

/// An identifier: a keyword, a macro call, a type-like name, or plain. `before` is the
/// byte before it, so a field or method named like a keyword (`x.type`) is not one.
fn word(rest: &str, before: Option<u8>) -> (Kind, usize) {
    let len = rest
        .find(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
        .unwrap_or(rest.len());
    let name = &rest[..len];
    let after = &rest[len..];
    let kind = if after.starts_with('!') && !after.starts_with("!=") {
        return (Kind::Macro, len + 1);
    } else if KEYWORDS.contains(&name) && !(before == Some(b'.') && name != "await") {
        Kind::Keyword
    } else if name.starts_with(|c: char| c.is_uppercase()) {
        Kind::Type
    } else {
        Kind::Plain
    };
    (kind, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(lines: &str) -> Vec<Vec<(Kind, String)>> {
        let mut state = LexState::default();
        lines
            .split_inclusive('\n')
            .map(|line| {
                let out = highlight_line(line, &mut state);
                assert_eq!(out.iter().map(|(_, t)| *t).collect::<String>(), line);
                out.into_iter().map(|(k, t)| (k, t.to_owned())).collect()
            })
            .collect()
    }

    fn of(kind: Kind, lines: &str) -> Vec<String> {
        pieces(lines)
            .into_iter()
            .flatten()
            .filter(|(k, _)| *k == kind)
            .map(|(_, t)| t)
            .collect()
    }

    #[test]
    fn an_async_function_reads_as_rust() {
        let code = "async fn fetch(addr: SocketAddr) -> io::Result<Vec<u8>> {\n    \
            let mut stream = TcpStream::connect(addr).await?; // connect\n    \
            println!(\"got {} bytes\", n + 1);\n}\n";
        assert_eq!(
            of(Kind::Keyword, code),
            ["async", "fn", "let", "mut", "await"]
        );
        assert_eq!(
            of(Kind::Type, code),
            ["SocketAddr", "Result", "Vec", "TcpStream"]
        );
        assert_eq!(of(Kind::Macro, code), ["println!"]);
        assert_eq!(of(Kind::Str, code), ["\"got {} bytes\""]);
        assert_eq!(of(Kind::Comment, code), ["// connect\n"]);
        // `u8` is a name, not a number.
        assert_eq!(of(Kind::Number, code), ["1"]);
    }

    #[test]
    fn chars_lifetimes_escapes_and_numbers() {
        let code = "fn f<'a>(s: &'a str) -> char { let q = \"a \\\"b\\\" c\"; \
            if s.is_empty() { '\\n' } else { 'x' }; for i in 0..10 { 1_000u64; 2.5; } 'y' }";
        assert_eq!(of(Kind::Lifetime, code), ["'a", "'a"]);
        assert_eq!(of(Kind::Char, code), ["'\\n'", "'x'", "'y'"]);
        assert_eq!(of(Kind::Str, code), ["\"a \\\"b\\\" c\""]);
        assert_eq!(of(Kind::Number, code), ["0", "10", "1_000u64", "2.5"]);
    }

    #[test]
    fn comments_and_strings_carry_over_lines() {
        let code = "/* one /* nested */\nstill */ let x = r#\"raw \"quoted\"\nend\"# ; y\n";
        let lines = pieces(code);
        assert_eq!(
            lines[0],
            [(Kind::Comment, "/* one /* nested */\n".to_owned())]
        );
        assert_eq!(lines[1][0], (Kind::Comment, "still */".to_owned()));
        assert!(lines[1].contains(&(Kind::Keyword, "let".to_owned())));
        assert_eq!(
            lines[1].last().unwrap(),
            &(Kind::Str, "r#\"raw \"quoted\"\n".to_owned())
        );
        assert_eq!(lines[2][0], (Kind::Str, "end\"#".to_owned()));
        assert!(
            !lines[2]
                .iter()
                .any(|(k, t)| *k == Kind::Str && t.contains('y'))
        );
    }

    #[test]
    fn attributes_fields_and_odd_input() {
        let code =
            "#[tokio::main(flavor = \"current_thread\")]\nx.type_; a != b; v.await; ' ; é'\n";
        assert_eq!(
            of(Kind::Attribute, code),
            ["#[tokio::main(flavor = \"current_thread\")]"]
        );
        assert!(of(Kind::Macro, code).is_empty(), "`a != b` is no macro");
        assert_eq!(of(Kind::Keyword, code), ["await"]);
        // A lone quote, non-ASCII text, an unterminated string: nothing lost, no panic.
        let mut state = LexState::default();
        for line in [
            "'", "\"open", "'\\", "é\"\\", "/*", "r#\"", "#[", "1..", "b'",
        ] {
            let out = highlight_line(line, &mut state);
            assert_eq!(out.iter().map(|(_, t)| *t).collect::<String>(), line);
            state = LexState::default();
        }
    }
}
