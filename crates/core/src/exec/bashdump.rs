//! Reads what bash's `export -p` and `declare -p` print, so the session can carry variables
//! from one cell's bash to the next without running anything but builtins at exit.
//!
//! Each entry is `declare -FLAGS NAME` optionally followed by `=VALUE`, where VALUE is a
//! double-quoted string (`\` escapes `"`, `\`, `$` and `` ` ``), an ANSI-C string `$'...'` (used
//! by bash for control characters and invalid UTF-8) or an array literal `(...)`.

use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decl {
    pub flags: String,
    pub name: String,
    /// The value's text as bash printed it (quotes included), if any.
    pub raw_value: Option<Range<usize>>,
    /// The whole entry, for re-sourcing it verbatim.
    pub raw: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unexpected bash declaration output at byte {at}")]
pub struct DumpError {
    pub at: usize,
}

/// Splits a `declare -p`/`export -p` dump into its entries.
pub fn parse(src: &[u8]) -> Result<Vec<Decl>, DumpError> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < src.len() {
        if src[i] == b'\n' {
            i += 1;
            continue;
        }
        let start = i;
        i = expect(src, i, b"declare -")?;
        let flags_end = find(src, i, |b| b == b' ').ok_or(DumpError { at: i })?;
        let flags = String::from_utf8_lossy(&src[i..flags_end]).into_owned();
        i = flags_end + 1;
        let name_end = find(src, i, |b| b == b'=' || b == b'\n').unwrap_or(src.len());
        let name = String::from_utf8_lossy(&src[i..name_end]).into_owned();
        i = name_end;
        let mut raw_value = None;
        if src.get(i) == Some(&b'=') {
            let v = i + 1;
            i = skip_value(src, v)?;
            raw_value = Some(v..i);
        }
        if i < src.len() && src[i] != b'\n' {
            return Err(DumpError { at: i });
        }
        out.push(Decl {
            flags,
            name,
            raw_value,
            raw: start..i,
        });
    }
    Ok(out)
}

/// Decodes a scalar value (`"..."` or `$'...'`); None for arrays and anything unrecognised.
pub fn decode_scalar(raw: &[u8]) -> Option<Vec<u8>> {
    if raw.starts_with(b"\"") {
        let (bytes, end) = double_quoted(raw, 1).ok()?;
        (end == raw.len()).then_some(bytes)
    } else if raw.starts_with(b"$'") {
        let (bytes, end) = ansi_c(raw, 2).ok()?;
        (end == raw.len()).then_some(bytes)
    } else if !raw.starts_with(b"(") {
        Some(raw.to_vec())
    } else {
        None
    }
}

fn expect(src: &[u8], i: usize, lit: &[u8]) -> Result<usize, DumpError> {
    if src[i..].starts_with(lit) {
        Ok(i + lit.len())
    } else {
        Err(DumpError { at: i })
    }
}

fn find(src: &[u8], from: usize, pred: impl Fn(u8) -> bool) -> Option<usize> {
    src[from..].iter().position(|&b| pred(b)).map(|p| from + p)
}

/// Returns the index just past the value starting at `i`.
fn skip_value(src: &[u8], i: usize) -> Result<usize, DumpError> {
    match src.get(i) {
        Some(b'"') => double_quoted(src, i + 1).map(|(_, end)| end),
        Some(b'$') if src.get(i + 1) == Some(&b'\'') => ansi_c(src, i + 2).map(|(_, end)| end),
        Some(b'(') => array(src, i + 1),
        _ => Ok(find(src, i, |b| b == b'\n').unwrap_or(src.len())),
    }
}

fn array(src: &[u8], mut i: usize) -> Result<usize, DumpError> {
    while i < src.len() {
        match src[i] {
            b')' => return Ok(i + 1),
            b'"' => i = double_quoted(src, i + 1)?.1,
            b'$' if src.get(i + 1) == Some(&b'\'') => i = ansi_c(src, i + 2)?.1,
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    Err(DumpError { at: i })
}

/// Decodes from just after the opening `"`; returns the bytes and the index past the closing `"`.
fn double_quoted(src: &[u8], mut i: usize) -> Result<(Vec<u8>, usize), DumpError> {
    let mut out = Vec::new();
    while i < src.len() {
        match src[i] {
            b'"' => return Ok((out, i + 1)),
            b'\\' if i + 1 < src.len() => {
                let next = src[i + 1];
                if !matches!(next, b'"' | b'\\' | b'$' | b'`') {
                    out.push(b'\\');
                }
                out.push(next);
                i += 2;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Err(DumpError { at: i })
}

/// Decodes from just after `$'`; returns the bytes and the index past the closing `'`.
fn ansi_c(src: &[u8], mut i: usize) -> Result<(Vec<u8>, usize), DumpError> {
    let mut out = Vec::new();
    while i < src.len() {
        match src[i] {
            b'\'' => return Ok((out, i + 1)),
            b'\\' if i + 1 < src.len() => i = ansi_escape(src, i + 1, &mut out),
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Err(DumpError { at: i })
}

/// Decodes one escape whose letter is at `i`; returns the index after it.
fn ansi_escape(src: &[u8], i: usize, out: &mut Vec<u8>) -> usize {
    let simple = match src[i] {
        b'a' => Some(7),
        b'b' => Some(8),
        b'e' | b'E' => Some(0x1b),
        b'f' => Some(0x0c),
        b'n' => Some(b'\n'),
        b'r' => Some(b'\r'),
        b't' => Some(b'\t'),
        b'v' => Some(0x0b),
        b'\\' | b'\'' | b'"' | b'?' => Some(src[i]),
        _ => None,
    };
    if let Some(b) = simple {
        out.push(b);
        return i + 1;
    }
    match src[i] {
        b'0'..=b'7' => {
            let (v, end) = digits(src, i, 3, 8);
            out.push(v as u8);
            end
        }
        b'x' => {
            let (v, end) = digits(src, i + 1, 2, 16);
            out.push(v as u8);
            end
        }
        b'u' | b'U' => {
            let (v, end) = digits(src, i + 1, if src[i] == b'u' { 4 } else { 8 }, 16);
            let c = char::from_u32(v).unwrap_or(char::REPLACEMENT_CHARACTER);
            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
            end
        }
        b'c' if i + 1 < src.len() => {
            out.push(src[i + 1] & 0x1f);
            i + 2
        }
        other => {
            out.extend_from_slice(&[b'\\', other]);
            i + 1
        }
    }
}

fn digits(src: &[u8], from: usize, max: usize, radix: u32) -> (u32, usize) {
    let mut v = 0u32;
    let mut i = from;
    while i < src.len() && i - from < max {
        match (src[i] as char).to_digit(radix) {
            Some(d) => v = v * radix + d,
            None => break,
        }
        i += 1;
    }
    (v, i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(src: &[u8], d: &Decl) -> Option<Vec<u8>> {
        d.raw_value.clone().and_then(|r| decode_scalar(&src[r]))
    }

    #[test]
    fn parses_bash_5_output_forms() {
        let src = b"declare -x A=\"x\\\"y\\\\z\\$\\`q\"\n\
declare -x B=$'\\001\\377\xc3\xa9\\n\\t \\''\n\
declare -x C\n\
declare -a arr=([0]=\"x\" [1]=$'y\\nz' [2]=\"q)\\\"\")\n\
declare -- E=$'a\\nb'\n\
declare -x M=\"line1\nline2\"\n";
        let decls = parse(src).unwrap();
        let names: Vec<_> = decls.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["A", "B", "C", "arr", "E", "M"]);
        assert_eq!(value(src, &decls[0]).unwrap(), b"x\"y\\z$`q");
        assert_eq!(value(src, &decls[1]).unwrap(), b"\x01\xff\xc3\xa9\n\t '");
        assert_eq!(decls[2].raw_value, None);
        assert_eq!(value(src, &decls[3]), None);
        assert_eq!(decls[3].flags, "a");
        assert_eq!(value(src, &decls[4]).unwrap(), b"a\nb");
        assert_eq!(value(src, &decls[5]).unwrap(), b"line1\nline2");
        assert_eq!(&src[decls[4].raw.clone()], b"declare -- E=$'a\\nb'");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(parse(b"nonsense\n").is_err());
        assert!(parse(b"declare -x A=\"unterminated").is_err());
        assert!(parse(b"declare -a x=([0]=\"a\"").is_err());
        assert!(parse(b"declare -x").is_err());
        assert_eq!(parse(b"").unwrap(), vec![]);
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(src in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let mut with_prefix = b"declare -x A=".to_vec();
            with_prefix.extend_from_slice(&src);
            for input in [&src[..], &with_prefix[..]] {
                if let Ok(decls) = parse(input) {
                    for d in decls {
                        if let Some(r) = d.raw_value {
                            let _ = decode_scalar(&input[r]);
                        }
                    }
                }
            }
        }
    }
}
