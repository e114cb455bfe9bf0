//! `e`: open a command in `$VISUAL`/`$EDITOR`, read it back.

use std::io::Write;
use std::process::Command;

use crate::text::Notice;

/// Edit `code`; Ok(None) when the learner left it unchanged, Err with the notice for the
/// status bar when no editor is set or it failed.
pub fn edit(code: &str) -> Result<Option<String>, Notice> {
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.trim().is_empty());
    edit_with(editor.as_deref(), code)
}

fn edit_with(editor: Option<&str>, code: &str) -> Result<Option<String>, Notice> {
    let editor = editor.ok_or(Notice::NoEditor)?;
    // Split as a shell would, so `EDITOR="'/opt/My Editor/bin/ed' --wait"` works.
    let words = shell_words::split(editor).map_err(|e| Notice::EditorQuotes {
        editor: editor.to_string(),
        error: e.to_string(),
    })?;
    let (program, args) = words.split_first().ok_or(Notice::NoEditor)?;
    let temp = |e: std::io::Error| Notice::EditorFile(e.to_string());
    let mut file = tempfile::Builder::new()
        .prefix("kubetutor-")
        .suffix(".sh")
        .tempfile()
        .map_err(temp)?;
    file.write_all(code.as_bytes())
        .and_then(|()| file.flush())
        .map_err(temp)?;
    let status = Command::new(program)
        .args(args)
        .arg(file.path())
        .status()
        .map_err(|e| Notice::EditorFailed {
            program: program.clone(),
            why: e.to_string(),
        })?;
    if !status.success() {
        return Err(Notice::EditorFailed {
            program: program.clone(),
            why: status.to_string(),
        });
    }
    let edited = std::fs::read_to_string(file.path()).map_err(temp)?;
    let edited = edited.trim_end().to_string();
    Ok((edited != code.trim_end() && !edited.is_empty()).then_some(edited))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_editor_is_a_clear_message() {
        assert_eq!(edit_with(None, "ls").unwrap_err(), Notice::NoEditor);
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

    #[test]
    fn editor_words_are_split_like_a_shell() {
        // A quoted program path with a space, and a quoted argument holding one.
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join("my editor");
        std::fs::write(&program, "#!/bin/sh\nsed -i \"s/ls/$1/\" \"$2\"\n").unwrap();
        std::fs::set_permissions(
            &program,
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        let editor = format!("'{}' 'pwd -P'", program.display());
        assert_eq!(
            edit_with(Some(&editor), "ls\n"),
            Ok(Some("pwd -P".to_string()))
        );
        let unbalanced = edit_with(Some("'vim"), "ls").unwrap_err();
        assert!(
            matches!(unbalanced, Notice::EditorQuotes { .. }),
            "{unbalanced:?}"
        );
    }
}
