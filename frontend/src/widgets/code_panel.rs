//! [`CodePanel`]: "the code that ran", one element per line, with the line of the await
//! point the timeline's current event is at and the line that spawned its task lit.
//!
//! The server resolved the snippet's await point names and spawn patterns to lines when
//! it built the descriptor (`pollscope_shared::code_lines`); the timeline says which
//! names its current event is about ([`CodeFocus`]); this widget only looks them up. A
//! name the snippet does not resolve (named outside it, or on two lines) lights nothing,
//! and the note under the code says so rather than guess.
//!
//! DOM contract (for tests): `figure.code-panel` carries `data-lit-await` and
//! `data-lit-spawn` (the 1-based lit line, or empty); inside its `pre > code`, each line
//! is a `span.code-line` with `data-line`, holding the line's text and its newline, so
//! the code's text is the snippet's text unchanged; lit lines also have the class
//! `lit-await` or `lit-spawn`. Inside a line, highlighted pieces are `span.tok-<kind>`
//! (see [`super::highlight`]); the line number is drawn by the stylesheet from
//! `data-line` (a `::before`), so it is not part of the text a reader copies.
//! `.code-focus` is the sentence under the code.

use pollscope_shared::scenario::CodeSnippet;
use yew::prelude::*;

use super::highlight::{LexState, highlight_line};
use crate::timeline::CodeFocus;

/// The lines a focus lights in a snippet (1-based), if the snippet resolves its names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LitLines {
    pub await_line: Option<u32>,
    pub spawn_line: Option<u32>,
}

pub fn lit_lines(code: &CodeSnippet, focus: &CodeFocus) -> LitLines {
    LitLines {
        await_line: focus
            .await_point
            .as_deref()
            .and_then(|name| code.await_line(name)),
        spawn_line: focus.task.as_deref().and_then(|task| code.spawn_line(task)),
    }
}

/// The snippet's lines, numbered from 1, each with its newline (the last may have none):
/// put back together they are the text exactly.
pub fn numbered_lines(text: &str) -> impl Iterator<Item = (u32, &str)> {
    text.split_inclusive('\n')
        .enumerate()
        .map(|(i, line)| (i as u32 + 1, line))
}

/// The sentence under the code: what the current event is about, and where that is.
pub fn focus_note(focus: &CodeFocus, lit: LitLines) -> String {
    let mut parts = Vec::new();
    if let Some(task) = &focus.task {
        parts.push(match lit.spawn_line {
            Some(line) => format!("task {task}, spawned at line {line}"),
            None => format!("task {task} (not spawned on one line of this code)"),
        });
    }
    if let Some(name) = &focus.await_point {
        parts.push(match lit.await_line {
            Some(line) => format!("at the await point `{name}`, line {line}"),
            None => format!("at the await point `{name}` (not on one line of this code)"),
        });
    }
    if parts.is_empty() {
        return "The timeline's current event is about no task or await point.".to_owned();
    }
    format!("The timeline's current event: {}.", parts.join(", "))
}

#[derive(Properties, PartialEq)]
pub struct CodePanelProps {
    pub code: CodeSnippet,
    /// What the page's timeline moved last is about, if a timeline has moved.
    #[prop_or_default]
    pub focus: Option<CodeFocus>,
}

#[component]
pub fn CodePanel(props: &CodePanelProps) -> Html {
    let code = &props.code;
    let lit = props
        .focus
        .as_ref()
        .map_or_else(LitLines::default, |f| lit_lines(code, f));
    let attr = |line: Option<u32>| line.map_or_else(String::new, |l| l.to_string());
    let mut lex = LexState::default();
    let lines: Vec<Html> = numbered_lines(&code.text)
        .map(|(n, text)| {
            let class = classes!(
                "code-line",
                (lit.await_line == Some(n)).then_some("lit-await"),
                (lit.spawn_line == Some(n)).then_some("lit-spawn"),
            );
            let pieces = highlight_line(text, &mut lex)
                .into_iter()
                .map(|(kind, piece)| match kind.class() {
                    Some(class) => html! { <span {class}>{ piece }</span> },
                    None => html! { piece },
                });
            html! { <span {class} data-line={n.to_string()}>{ for pieces }</span> }
        })
        .collect();
    html! {
        <figure class="code-panel" data-lit-await={attr(lit.await_line)}
            data-lit-spawn={attr(lit.spawn_line)}>
            <figcaption>{ "The code that ran — " }<code>{ &code.path }</code></figcaption>
            <pre><code class="language-rust">{ for lines.into_iter() }</code></pre>
            if let Some(focus) = &props.focus {
                <p class="code-focus">{ focus_note(focus, lit) }</p>
            }
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SNIPPET: &str = "async fn accept<P: Probe>(probe: P, listener: TcpListener) {\n    \
        let (socket, peer) = probe.io(\"accept\", listener.accept()).await?;\n    \
        tokio::spawn(probe.task(format!(\"conn {peer}\"), serve(probe, socket)));\n\
        }\n\
        async fn serve<P: Probe>(probe: P, socket: TcpStream) {\n    \
        let n = probe.io(\"read request\", socket.read(&mut buffer)).await?;\n    \
        probe.io(\"read request\", socket.read(&mut more)).await?;\n\
        }";

    fn code() -> CodeSnippet {
        CodeSnippet::with_lines("echo.rs", SNIPPET.to_owned())
    }

    fn focus(await_point: Option<&str>, task: Option<&str>) -> CodeFocus {
        CodeFocus {
            await_point: await_point.map(str::to_owned),
            task: task.map(str::to_owned),
        }
    }

    #[test]
    fn names_light_the_lines_the_snippet_resolves() {
        let lit = lit_lines(&code(), &focus(Some("accept"), Some("conn 127.0.0.1:4000")));
        assert_eq!(
            lit,
            LitLines {
                await_line: Some(2),
                spawn_line: Some(3)
            }
        );
        // `read request` is on two lines: which one ran is unknown, so neither lights.
        // `client 0` is spawned outside the snippet.
        let lit = lit_lines(&code(), &focus(Some("read request"), Some("client 0")));
        assert_eq!(lit, LitLines::default());
        assert_eq!(
            focus_note(&focus(Some("read request"), Some("client 0")), lit),
            "The timeline's current event: task client 0 (not spawned on one line of this \
             code), at the await point `read request` (not on one line of this code)."
        );
    }

    #[test]
    fn the_numbered_lines_are_the_text_and_match_the_line_maps() {
        let code = code();
        let lines: Vec<_> = numbered_lines(&code.text).collect();
        assert_eq!(lines.len(), 8);
        assert_eq!(lines.iter().map(|(_, l)| *l).collect::<String>(), code.text);
        let (n, accept) = lines[1];
        assert_eq!(Some(n), code.await_line("accept"));
        assert!(accept.contains("probe.io(\"accept\""), "{accept}");
        assert!(accept.ends_with('\n'));
        assert!(!lines[7].1.ends_with('\n'));
        assert_eq!(numbered_lines("").count(), 0);
    }

    #[test]
    fn the_note_names_the_lines_it_lit() {
        let f = focus(Some("accept"), Some("conn 1"));
        assert_eq!(
            focus_note(&f, lit_lines(&code(), &f)),
            "The timeline's current event: task conn 1, spawned at line 3, \
             at the await point `accept`, line 2."
        );
        assert_eq!(
            focus_note(&CodeFocus::default(), LitLines::default()),
            "The timeline's current event is about no task or await point."
        );
    }
}
