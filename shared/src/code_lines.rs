//! Which line of a snippet an await point or a task comes from.
//!
//! The recorder names things by the first argument of the call that wraps them: an await
//! point by `probe.io("read request", …)` (also `.timer(` and `.point(`), a task by
//! `probe.task(format!("conn {peer}"), …)` (also `.fallible_task(` and `.blocking(`).
//! When a descriptor is built, the snippet is scanned for those calls whose name is a
//! string literal, so the browser can light the line of the `.await` the playhead's event
//! is at, and the line that spawned its task, without parsing Rust.
//!
//! A name that two lines use is left out (the page cannot tell which one ran), and so is
//! a name that is not a literal (a constant, a variable): the panel then lights nothing
//! rather than the wrong line. Task names are usually built at run time, so a task's key
//! is the format string (`"conn {peer}"`), where each `{…}` stands for any non-empty text.
//! Pure functions, no dependencies.

use std::collections::BTreeMap;

use crate::scenario::CodeSnippet;

/// Calls whose first argument names an await point.
const AWAIT_CALLS: [&str; 3] = [".io(", ".timer(", ".point("];
/// Calls whose first argument names a task.
const TASK_CALLS: [&str; 3] = [".task(", ".fallible_task(", ".blocking("];

/// Await point name → the 1-based line of `text` that names it.
pub fn await_lines(text: &str) -> BTreeMap<String, u32> {
    unique(call_sites(text, &AWAIT_CALLS, false))
}

/// Task name pattern (a format string, or a plain name with its braces doubled) → the
/// 1-based line of `text` that spawns it.
pub fn spawn_lines(text: &str) -> BTreeMap<String, u32> {
    unique(call_sites(text, &TASK_CALLS, true))
}

/// Keep the names that every call site puts on the same line.
fn unique(sites: Vec<(String, u32)>) -> BTreeMap<String, u32> {
    let mut lines: BTreeMap<String, Option<u32>> = BTreeMap::new();
    for (name, line) in sites {
        lines
            .entry(name)
            .and_modify(|seen| {
                if *seen != Some(line) {
                    *seen = None;
                }
            })
            .or_insert(Some(line));
    }
    lines
        .into_iter()
        .filter_map(|(name, line)| Some((name, line?)))
        .collect()
}

/// Every `call` in `text` (outside `//` comments) whose first argument is a string
/// literal, or with `format_ok` also `format!("…")`: the name and its call's line. A
/// plain literal's braces are doubled, so every name reads as a format string.
fn call_sites(text: &str, calls: &[&str], format_ok: bool) -> Vec<(String, u32)> {
    let mut sites = Vec::new();
    let mut line_start = 0;
    for (index, line) in text.split('\n').enumerate() {
        let offset = line_start;
        line_start += line.len() + 1;
        let code = line.split("//").next().unwrap_or("");
        for call in calls {
            for (at, _) in code.match_indices(call) {
                let rest = &text[offset + at + call.len()..];
                if let Some(name) = first_argument(rest, format_ok) {
                    sites.push((name, index as u32 + 1));
                }
            }
        }
    }
    sites
}

/// The name `rest` (what follows a call's `(`) starts with.
fn first_argument(rest: &str, format_ok: bool) -> Option<String> {
    let rest = rest.trim_start();
    if let Some(inner) = rest.strip_prefix("format!(") {
        return format_ok
            .then(|| string_literal(inner.trim_start()))
            .flatten();
    }
    let literal = string_literal(rest)?;
    Some(if format_ok {
        literal.replace('{', "{{").replace('}', "}}")
    } else {
        literal
    })
}

/// The value of the string literal `s` starts with (`\"`, `\\`, `\n` and `\t` unescaped;
/// any other escape gives up).
fn string_literal(s: &str) -> Option<String> {
    let mut chars = s.strip_prefix('"')?.chars();
    let mut value = String::new();
    loop {
        match chars.next()? {
            '"' => return Some(value),
            '\\' => value.push(match chars.next()? {
                '"' => '"',
                '\\' => '\\',
                'n' => '\n',
                't' => '\t',
                _ => return None,
            }),
            c => value.push(c),
        }
    }
}

/// One piece of a format string: text, or a `{…}` placeholder.
#[derive(Debug, PartialEq)]
enum Piece {
    Text(String),
    Hole,
}

fn pieces(pattern: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                // A placeholder runs to its closing brace.
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                }
                if !text.is_empty() {
                    out.push(Piece::Text(std::mem::take(&mut text)));
                }
                out.push(Piece::Hole);
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    out
}

fn matches(pieces: &[Piece], name: &str) -> bool {
    match pieces.split_first() {
        None => name.is_empty(),
        Some((Piece::Text(text), rest)) => name
            .strip_prefix(text.as_str())
            .is_some_and(|tail| matches(rest, tail)),
        // A placeholder takes at least one character.
        Some((Piece::Hole, rest)) => name
            .char_indices()
            .skip(1)
            .map(|(i, _)| i)
            .chain(std::iter::once(name.len()))
            .filter(|&i| i > 0)
            .any(|i| matches(rest, &name[i..])),
    }
}

/// Whether the task name `name` is one that the format string `pattern` can produce.
pub fn task_name_matches(pattern: &str, name: &str) -> bool {
    matches(&pieces(pattern), name)
}

/// How much of `pattern` is fixed text: a more specific pattern wins over a looser one.
fn fixed_len(pattern: &str) -> usize {
    pieces(pattern)
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.chars().count(),
            Piece::Hole => 0,
        })
        .sum()
}

impl CodeSnippet {
    /// The cut-out snippet of `path`, with its await points and spawns resolved to lines.
    pub fn with_lines(path: &str, text: String) -> Self {
        Self {
            path: path.to_owned(),
            await_lines: await_lines(&text),
            spawn_lines: spawn_lines(&text),
            text,
        }
    }

    /// The 1-based line of the `.await` named `name`, if the snippet has exactly one.
    pub fn await_line(&self, name: &str) -> Option<u32> {
        self.await_lines.get(name).copied()
    }

    /// The 1-based line that spawned the task named `task`: the most specific pattern
    /// that produces the name, unless two equally specific ones do.
    pub fn spawn_line(&self, task: &str) -> Option<u32> {
        let mut best: Option<(usize, Option<u32>)> = None;
        for (pattern, &line) in &self.spawn_lines {
            if !task_name_matches(pattern, task) {
                continue;
            }
            let fixed = fixed_len(pattern);
            best = match best {
                Some((b, _)) if b > fixed => best,
                Some((b, _)) if b == fixed => Some((b, None)),
                _ => Some((fixed, Some(line))),
            };
        }
        best.and_then(|(_, line)| line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ECHO: &str = r#"async fn accept_loop<P: Probe>(probe: P, listener: TcpListener) {
    loop {
        let Ok((socket, peer)) = probe.io("accept", listener.accept()).await else {
            continue;
        };
        tokio::spawn(probe.task(format!("conn {peer}"), serve(probe.clone(), socket)));
    }
}

async fn serve<P: Probe>(probe: P, mut socket: TcpStream) -> io::Result<()> {
    loop {
        let n = probe.io("read request", socket.read(&mut buffer)).await?;
        probe
            .io("write reply", socket.write_all(&buffer[..n]))
            .await?;
    }
}"#;

    #[test]
    fn await_names_resolve_to_the_line_of_their_call() {
        let lines = await_lines(ECHO);
        assert_eq!(
            lines.into_iter().collect::<Vec<_>>(),
            [
                ("accept".to_owned(), 3),
                ("read request".to_owned(), 12),
                ("write reply".to_owned(), 14),
            ]
        );
    }

    #[test]
    fn spawns_resolve_to_their_format_string() {
        let code = CodeSnippet::with_lines("echo.rs", ECHO.to_owned());
        assert_eq!(
            code.spawn_lines.iter().collect::<Vec<_>>(),
            [(&"conn {peer}".to_owned(), &6)]
        );
        assert_eq!(code.spawn_line("conn 127.0.0.1:41234"), Some(6));
        assert_eq!(code.spawn_line("client 3"), None);
        assert_eq!(code.await_line("read request"), Some(12));
        assert_eq!(code.await_line("read echo"), None);
    }

    #[test]
    fn a_name_on_two_lines_or_not_a_literal_is_left_out() {
        let text = "probe.io(\"read\", a).await;\n\
                    probe.io(\"read\", b).await;\n\
                    probe.io(\"write\", c).await; probe.io(\"write\", d).await;\n\
                    probe.timer(WORK, sleep(t)).await;\n\
                    // probe.point(\"commented\", x).await;\n\
                    probe.task(format!(\"job {i}\"), a);\n\
                    probe.blocking(format!(\"job {i}\"), b);\n\
                    probe.task(name.clone(), c);";
        let awaits = await_lines(text);
        assert_eq!(awaits.get("read"), None, "two lines");
        assert_eq!(awaits.get("write"), Some(&3), "twice on one line");
        assert_eq!(awaits.len(), 1, "{awaits:?}");
        assert!(spawn_lines(text).is_empty(), "{:?}", spawn_lines(text));
    }

    #[test]
    fn multi_line_calls_and_escapes() {
        let text = "let accepting = tokio::spawn(probe.task(\n    \"accept {loop}\",\n    run(),\n));\nprobe\n    .point(\n        \"say \\\"hi\\\"\",\n        x,\n    )\n    .await;";
        let spawns = spawn_lines(text);
        assert_eq!(spawns.get("accept {{loop}}"), Some(&1));
        let code = CodeSnippet::with_lines("x.rs", text.to_owned());
        // A plain name's braces are text, not a placeholder.
        assert_eq!(code.spawn_line("accept {loop}"), Some(1));
        assert_eq!(code.spawn_line("accept x"), None);
        assert_eq!(await_lines(text).get("say \"hi\""), Some(&6));
    }

    #[test]
    fn task_name_patterns() {
        assert!(task_name_matches("task {i}", "task 12"));
        assert!(!task_name_matches("task {i}", "task "));
        assert!(!task_name_matches("task {i}", "tasks 1"));
        assert!(task_name_matches("{name} {i}", "held 3"));
        assert!(!task_name_matches("{name} {i}", "held"));
        assert!(task_name_matches("batch", "batch"));
        assert!(!task_name_matches("batch", "batch 2"));
        assert!(task_name_matches("a {x}-{y} b", "a 1-2-3 b"));
        assert!(task_name_matches("{{raw}} {i}", "{raw} 1"));
    }

    #[test]
    fn the_most_specific_pattern_wins_and_ties_light_nothing() {
        let text = "s.spawn(p.task(format!(\"{kind} {i}\"), a));\n\
                    s.spawn(p.task(format!(\"client {i}\"), b));\n\
                    s.spawn(p.task(format!(\"{a}x\"), c));\n\
                    s.spawn(p.task(format!(\"x{b}\"), d));";
        let code = CodeSnippet::with_lines("x.rs", text.to_owned());
        assert_eq!(code.spawn_line("client 1"), Some(2));
        assert_eq!(code.spawn_line("held 1"), Some(1));
        // `xx` fits both one-letter patterns equally well.
        assert_eq!(code.spawn_line("xx"), None);
        assert_eq!(code.spawn_line("ax"), Some(3));
    }

    #[test]
    fn the_maps_are_omitted_when_empty_and_default_when_absent() {
        let old = r#"{"path":"x.rs","text":"fn a() {}"}"#;
        let parsed: CodeSnippet = serde_json::from_str(old).unwrap();
        assert_eq!(
            parsed,
            CodeSnippet::with_lines("x.rs", "fn a() {}".to_owned())
        );
        assert_eq!(serde_json::to_string(&parsed).unwrap(), old);
        let code = CodeSnippet::with_lines("echo.rs", ECHO.to_owned());
        let json = serde_json::to_value(&code).unwrap();
        assert_eq!(json["await_lines"]["read request"], 12);
        assert_eq!(json["spawn_lines"]["conn {peer}"], 6);
        assert_eq!(serde_json::from_value::<CodeSnippet>(json).unwrap(), code);
    }
}
