//! Paths to the bundled content.

use std::path::{Path, PathBuf};

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every folder under `lessons/` that holds a `lesson.md`, sorted.
pub fn lesson_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("lessons"))
        .expect("lessons/ exists")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|dir| dir.join("lesson.md").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// The translations next to `lesson.md`: the `xx` of every `lesson.xx.md`.
pub fn translations(dir: &Path) -> Vec<String> {
    let mut langs: Vec<String> = std::fs::read_dir(dir)
        .expect("lesson folder is readable")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter_map(|name| {
            Some(
                name.strip_prefix("lesson.")?
                    .strip_suffix(".md")?
                    .to_string(),
            )
        })
        .filter(|lang| !lang.is_empty())
        .collect();
    langs.sort();
    langs
}

pub fn kubetutor() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_kubetutor"));
    cmd.current_dir(root()).env("NO_COLOR", "1");
    cmd
}
