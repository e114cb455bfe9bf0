//! A small, forgiving bash lexer for `check`: which variables a cell expands, which commands it
//! runs with which words, and which files it redirects into. It is a lint, not a shell: it
//! understands quotes, comments, escapes, `${...}` and here-documents, and nothing deeper.

/// A `$NAME` or `${NAME...}` expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    pub name: String,
    /// Byte offset of the `$` in the cell's code.
    pub at: usize,
    pub len: usize,
    /// `${X:-d}`, `${X-d}`, `${X:=d}`, `${X:+y}`, `${#X}`...: fine when X is unset.
    pub guarded: bool,
}

/// A word after quote removal; `dynamic` if it contains an expansion or a glob, so its value
/// is unknown to us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub at: usize,
    pub end: usize,
    pub dynamic: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    pub uses: Vec<Use>,
    /// Simple commands, in order, each as its words (assignments and keywords included).
    pub commands: Vec<Vec<Word>>,
    /// Targets of `>` and `>>`.
    pub writes: Vec<Word>,
    /// Sources of `<`.
    pub reads: Vec<Word>,
}

pub fn scan(code: &str) -> Scan {
    let mut lx = Lexer {
        s: code,
        b: code.as_bytes(),
        i: 0,
        out: Scan::default(),
        cmd: Vec::new(),
        word: None,
        redirect: None,
        heredocs: Vec::new(),
    };
    lx.run();
    lx.out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Redirect {
    Write,
    Read,
}

struct Lexer<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    out: Scan,
    cmd: Vec<Word>,
    word: Option<Word>,
    redirect: Option<Redirect>,
    /// Pending here-documents: (delimiter, quoted, strip tabs).
    heredocs: Vec<(String, bool, bool)>,
}

impl Lexer<'_> {
    fn run(&mut self) {
        while self.i < self.b.len() {
            let c = self.b[self.i];
            match c {
                b' ' | b'\t' | b'\r' => self.end_word(),
                b'\n' => {
                    self.end_command();
                    self.i += 1;
                    self.heredoc_bodies();
                    continue;
                }
                b';' | b'&' | b'|' | b'(' | b')' | b'`' => self.end_command(),
                b'#' if self.word.is_none() => {
                    self.i = self.s[self.i..]
                        .find('\n')
                        .map_or(self.b.len(), |e| self.i + e);
                    continue;
                }
                b'<' | b'>' => {
                    self.redirection();
                    continue;
                }
                b'\'' => {
                    self.single_quoted();
                    continue;
                }
                b'"' => {
                    self.double_quoted();
                    continue;
                }
                b'\\' => {
                    let next = self.s[self.i + 1..].chars().next();
                    if let Some(n) = next.filter(|&n| n != '\n') {
                        self.push_str(&n.to_string(), false);
                    }
                    self.i += 1 + next.map_or(0, char::len_utf8);
                    continue;
                }
                b'$' => {
                    self.dollar();
                    continue;
                }
                _ => {
                    let ch = self.s[self.i..].chars().next().unwrap_or(' ');
                    self.push_str(&ch.to_string(), matches!(ch, '*' | '?' | '[' | '~'));
                    self.i += ch.len_utf8();
                    continue;
                }
            }
            self.i += 1;
        }
        self.end_command();
    }

    fn push_str(&mut self, t: &str, dynamic: bool) {
        let at = self.i;
        let w = self.word.get_or_insert_with(|| Word {
            text: String::new(),
            at,
            end: at,
            dynamic: false,
        });
        w.text.push_str(t);
        w.dynamic |= dynamic;
        w.end = at + t.len().max(1);
    }

    fn end_word(&mut self) {
        let Some(mut w) = self.word.take() else {
            return;
        };
        w.end = w.end.max(self.i);
        match self.redirect.take() {
            Some(Redirect::Write) => self.out.writes.push(w),
            Some(Redirect::Read) => self.out.reads.push(w),
            None => self.cmd.push(w),
        }
    }

    fn end_command(&mut self) {
        self.end_word();
        if !self.cmd.is_empty() {
            self.out.commands.push(std::mem::take(&mut self.cmd));
        }
    }

    fn redirection(&mut self) {
        // `2>` and `&>`: the fd number is part of the operator, not a word.
        if self
            .word
            .as_ref()
            .is_some_and(|w| !w.text.is_empty() && w.text.bytes().all(|b| b.is_ascii_digit()))
        {
            self.word = None;
        }
        self.end_word();
        let rest = &self.s[self.i..];
        if rest.starts_with("<<<") {
            self.i += 3;
            return;
        }
        if rest.starts_with("<<") {
            self.i += 2;
            self.heredoc_start();
            return;
        }
        let write = rest.starts_with('>');
        self.i += 1;
        while self.i < self.b.len() && matches!(self.b[self.i], b'>' | b'|') {
            self.i += 1;
        }
        if self.i < self.b.len() && self.b[self.i] == b'&' {
            // `>&2`: duplicating a descriptor, no file.
            self.i += 1;
            return;
        }
        self.redirect = Some(if write {
            Redirect::Write
        } else {
            Redirect::Read
        });
    }

    fn heredoc_start(&mut self) {
        let strip = self.b.get(self.i) == Some(&b'-');
        if strip {
            self.i += 1;
        }
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t') {
            self.i += 1;
        }
        let start = self.i;
        while self.i < self.b.len()
            && !matches!(
                self.b[self.i],
                b' ' | b'\t' | b'\n' | b';' | b'|' | b'&' | b'<' | b'>' | b')'
            )
        {
            self.i += 1;
        }
        let raw = &self.s[start..self.i];
        let quoted = raw.contains(['\'', '"', '\\']);
        let delim: String = raw
            .chars()
            .filter(|c| !matches!(c, '\'' | '"' | '\\'))
            .collect();
        if !delim.is_empty() {
            self.heredocs.push((delim, quoted, strip));
        }
    }

    /// After a newline: the bodies of pending here-documents. Unquoted ones expand variables.
    fn heredoc_bodies(&mut self) {
        for (delim, quoted, strip) in std::mem::take(&mut self.heredocs) {
            while self.i < self.b.len() {
                let end = self.s[self.i..]
                    .find('\n')
                    .map_or(self.b.len(), |e| self.i + e);
                let line = &self.s[self.i..end];
                let probe = if strip {
                    line.trim_start_matches('\t')
                } else {
                    line
                };
                if probe.trim_end_matches('\r') == delim {
                    self.i = (end + 1).min(self.b.len());
                    break;
                }
                if !quoted {
                    self.expansions_in(self.i, end);
                }
                self.i = (end + 1).min(self.b.len());
            }
        }
    }

    /// Records expansions between two offsets without treating anything as syntax.
    fn expansions_in(&mut self, from: usize, to: usize) {
        let (saved_i, saved_word) = (self.i, self.word.take());
        self.i = from;
        while self.i < to {
            match self.b[self.i] {
                b'\\' => self.i += 2,
                b'$' => self.dollar(),
                _ => self.i += 1,
            }
        }
        self.i = saved_i;
        self.word = saved_word;
    }

    fn single_quoted(&mut self) {
        let start = self.i + 1;
        let end = self.s[start..]
            .find('\'')
            .map_or(self.b.len(), |e| start + e);
        let text = self.s[start..end].to_string();
        self.push_str(&text, false);
        self.i = (end + 1).min(self.b.len());
    }

    fn double_quoted(&mut self) {
        self.push_str("", false);
        self.i += 1;
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'"' => {
                    self.i += 1;
                    return;
                }
                b'\\' => {
                    let next = self.s[self.i + 1..].chars().next();
                    if let Some(n) = next {
                        self.push_str(&n.to_string(), false);
                    }
                    self.i += 1 + next.map_or(0, char::len_utf8);
                }
                b'$' if self.b.get(self.i + 1) == Some(&b'(')
                    && self.b.get(self.i + 2) != Some(&b'(') =>
                {
                    self.quoted_substitution(2, b')');
                }
                b'`' => self.quoted_substitution(1, b'`'),
                b'$' => self.dollar(),
                _ => {
                    let ch = self.s[self.i..].chars().next().unwrap_or(' ');
                    self.push_str(&ch.to_string(), false);
                    self.i += ch.len_utf8();
                }
            }
        }
    }

    /// `"...$(cmd)..."` or `"...`cmd`..."`: the substitution's inside is commands of its own
    /// (outside quotes the main loop lexes it in place), scanned and merged with our offsets.
    fn quoted_substitution(&mut self, open_len: usize, close: u8) {
        let start = self.i + open_len;
        let end = matching_close(self.b, start, close);
        let inner = scan(&self.s[start..end]);
        let shift = |w: Word| Word {
            at: w.at + start,
            end: w.end + start,
            ..w
        };
        self.out.uses.extend(inner.uses.into_iter().map(|u| Use {
            at: u.at + start,
            ..u
        }));
        self.out
            .commands
            .extend((inner.commands.into_iter()).map(|c| c.into_iter().map(shift).collect()));
        self.out.writes.extend(inner.writes.into_iter().map(shift));
        self.out.reads.extend(inner.reads.into_iter().map(shift));
        self.push_str("$", true);
        self.i = (end + 1).min(self.b.len());
    }

    /// `$NAME`, `${...}`, `$(`, `$((`, specials. Leaves `i` after what it consumed.
    fn dollar(&mut self) {
        let at = self.i;
        let next = self.b.get(at + 1).copied();
        match next {
            Some(b'{') => {
                let close = self.s[at..].find('}').map_or(self.b.len(), |e| at + e);
                let inner = &self.s[at + 2..close.max(at + 2)];
                let (prefix, body) = match inner.strip_prefix(['#', '!']) {
                    Some(b) => (true, b),
                    None => (false, inner),
                };
                let name_len = body
                    .find(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
                    .unwrap_or(body.len());
                let name = &body[..name_len];
                let op = &body[name_len..];
                let guarded = prefix
                    || ["-", ":-", "=", ":=", "+", ":+"]
                        .iter()
                        .any(|o| op.starts_with(o));
                if super::attrs::is_var_name(name) {
                    let len = close + 1 - at;
                    self.out.uses.push(Use {
                        name: name.to_string(),
                        at,
                        len,
                        guarded,
                    });
                }
                self.push_str("$", true);
                self.i = (close + 1).min(self.b.len());
            }
            Some(c) if c == b'_' || c.is_ascii_alphabetic() => {
                let rest = &self.s[at + 1..];
                let len = rest
                    .find(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
                    .unwrap_or(rest.len());
                self.out.uses.push(Use {
                    name: rest[..len].to_string(),
                    at,
                    len: len + 1,
                    guarded: false,
                });
                self.push_str("$", true);
                self.i = at + 1 + len;
            }
            _ => {
                // `$(`, `$((`, `$?`, `$1`...: the `$` itself; what follows is lexed normally.
                self.push_str("$", true);
                self.i = at + 1;
                if matches!(next, Some(b'?' | b'$' | b'!' | b'#' | b'@' | b'*' | b'-'))
                    || next.is_some_and(|c| c.is_ascii_digit())
                {
                    self.i += 1;
                }
            }
        }
    }
}

/// Where the substitution opened before `start` closes: `close` at nesting depth 0, skipping
/// escapes and quoted text (the end of the code if it never closes).
fn matching_close(b: &[u8], start: usize, close: u8) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'\'' if close == b')' => {
                i += b[i + 1..]
                    .iter()
                    .position(|&c| c == b'\'')
                    .map_or(b.len(), |p| p + 1);
            }
            b'(' if close == b')' => depth += 1,
            c if c == close && depth == 0 => return i,
            b')' if close == b')' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    b.len()
}

#[cfg(test)]
#[path = "shell_tests.rs"]
mod tests;
