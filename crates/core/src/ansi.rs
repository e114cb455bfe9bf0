//! SGR (colour) escapes: what `check` adds to its report and cell output keeps of a program's.

/// Text without SGR sequences (the only escapes a stored output line or a coloured report
/// contains).
pub fn strip_sgr(line: &str) -> String {
    if !line.contains('\x1b') {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
