//! `e`: open a command in `$VISUAL`/`$EDITOR`, read it back.

use std::io::Write;
use std::process::Command;

/// Edit `code`; Ok(None) when the learner left it unchanged, Err with a message for the
/// status bar when no editor is set or it failed.
pub fn edit(code: &str) -> Result<Option<String>, String> {
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.trim().is_empty());
    edit_with(editor.as_deref(), code)
}

fn edit_with(editor: Option<&str>, code: &str) -> Result<Option<String>, String> {
    let editor =
        editor.ok_or("No editor: set $EDITOR (e.g. export EDITOR=nano) to edit commands.")?;
    let mut words = editor.split_whitespace();
    let program = words.next().ok_or("$EDITOR is empty")?;
    let mut file = tempfile::Builder::new()
        .prefix("kubetutor-")
        .suffix(".sh")
        .tempfile()
        .map_err(|e| format!("Cannot create a temporary file: {e}"))?;
    file.write_all(code.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|e| format!("Cannot write the temporary file: {e}"))?;
    let status = Command::new(program)
        .args(words)
        .arg(file.path())
        .status()
        .map_err(|e| format!("Cannot start {program}: {e}"))?;
    if !status.success() {
        return Err(format!("{program} exited with {status}; command not run."));
    }
    let edited = std::fs::read_to_string(file.path())
        .map_err(|e| format!("Cannot read the edit back: {e}"))?;
    let edited = edited.trim_end().to_string();
    Ok((edited != code.trim_end() && !edited.is_empty()).then_some(edited))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_editor_is_a_clear_message() {
        assert!(edit_with(None, "ls").unwrap_err().contains("$EDITOR"));
    }

    #[test]
    fn edited_code_is_read_back() {
        // `sed -i` plays a non-interactive editor rewriting the file in place.
        assert_eq!(
            edit_with(Some("sed -i s/ls/pwd/"), "ls\n"),
            Ok(Some("pwd".to_string()))
        );
        assert_eq!(edit_with(Some("true"), "ls\n"), Ok(None));
        assert!(edit_with(Some("false"), "ls").is_err());
    }
}
