//! `kubetutor check` on every bundled lesson, and translations that match their original.

use kubetutor::lesson::{Cell, Lesson};

use crate::common::{kubetutor, lesson_dirs, translations};

#[test]
fn the_bundled_lessons_are_there() {
    let names: Vec<String> = lesson_dirs()
        .iter()
        .filter_map(|d| d.file_name()?.to_str().map(String::from))
        .collect();
    for expected in ["redis-sentinel-k8s", "redis-sentinel-local"] {
        assert!(
            names.iter().any(|n| n == expected),
            "lessons/{expected} is missing; found {names:?}"
        );
        let dir = crate::common::root().join("lessons").join(expected);
        assert_eq!(
            translations(&dir),
            ["zh-CN"],
            "lessons/{expected} needs its Chinese translation"
        );
    }
}

/// A folder argument checks lesson.md and every translation; this fails (never skips) while
/// `check` is not available.
#[test]
fn check_accepts_every_bundled_lesson_and_translation() {
    for dir in lesson_dirs() {
        let out = kubetutor()
            .arg("check")
            .arg(&dir)
            .output()
            .expect("kubetutor runs");
        assert!(
            out.status.success(),
            "kubetutor check {} failed:\n{}{}",
            dir.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn translations_have_the_same_cells_in_the_same_order() {
    for dir in lesson_dirs() {
        // File paths, not the folder: the folder form picks a translation from the locale.
        let load = |file: &str| {
            let path = dir.join(file);
            kubetutor::lesson::load(path.to_str().expect("UTF-8 path"), None)
                .unwrap_or_else(|e| panic!("{e}"))
        };
        let original = load("lesson.md");
        let want = cells(&original);
        assert!(!want.is_empty(), "{}: no cells", original.path.display());
        for lang in translations(&dir) {
            let translated = load(&format!("lesson.{lang}.md"));
            let got = cells(&translated);
            let ids = |v: &[Cell]| v.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
            let file = translated.path.display();
            assert_eq!(
                ids(&got),
                ids(&want),
                "{file}: cell ids differ from lesson.md"
            );
            // Commands and their attributes are the lesson; only prose and hints are translated.
            for (cell, want_cell) in got.iter().zip(&want) {
                assert_eq!(
                    cell.code, want_cell.code,
                    "{file}: cell {} runs different code",
                    cell.id
                );
                assert_eq!(
                    cell.attrs, want_cell.attrs,
                    "{file}: cell {} has other attributes",
                    cell.id
                );
                assert_eq!(
                    cell.hint.is_some(),
                    want_cell.hint.is_some(),
                    "{file}: cell {} hint",
                    cell.id
                );
            }
            assert_eq!(
                translated.steps.len(),
                original.steps.len(),
                "{file}: number of steps"
            );
            let (m, o) = (&translated.meta, &original.meta);
            assert_eq!(m.panes, o.panes, "{file}: panes differ");
            assert_eq!(m.requires, o.requires, "{file}: requires differ");
            assert_eq!(m.namespace, o.namespace, "{file}: namespace differs");
            assert_eq!(m.workdir, o.workdir, "{file}: workdir differs");
        }
    }
}

fn cells(lesson: &Lesson) -> Vec<Cell> {
    lesson.cells().into_iter().cloned().collect()
}

/// Warnings too: a bundled lesson is the example authors copy.
#[test]
fn the_parser_finds_nothing_to_warn_about() {
    for dir in lesson_dirs() {
        let mut files = vec!["lesson.md".to_string()];
        files.extend(
            translations(&dir)
                .iter()
                .map(|lang| format!("lesson.{lang}.md")),
        );
        for file in files {
            let path = dir.join(file);
            let source = std::fs::read_to_string(&path).expect("lesson is readable");
            let parsed = kubetutor::lesson::parse_full(&path, &source);
            let shown: String = parsed.diagnostics.iter().map(|d| d.to_string()).collect();
            assert!(
                parsed.diagnostics.is_empty(),
                "{}:\n{shown}",
                path.display()
            );
        }
    }
}

/// The seed notebook's 15 commands, in order, as the Kubernetes lesson runs them today: the
/// logs command names its container with `-c` and quotes the variable the lesson now captures.
const SEED_COMMANDS: [&str; 15] = [
    "cat redis-master.yaml",
    "kubectl create -f redis-master.yaml",
    "kubectl create -f redis-sentinel-service.yaml",
    "kubectl create -f redis-controller.yaml",
    "kubectl create -f redis-sentinel-controller.yaml",
    "kubectl get pods",
    "kubectl scale rc redis --replicas=3",
    "kubectl scale rc redis-sentinel --replicas=3",
    "kubectl delete pods redis-master",
    "kubectl get pods",
    "kubectl logs \"$SENTINEL_POD\" -c sentinel",
    "cat image/run.sh",
    "kubectl delete rc redis",
    "kubectl delete rc redis-sentinel",
    "kubectl delete svc redis-sentinel",
];

#[test]
fn the_k8s_lesson_keeps_every_seed_command_in_order() {
    let path = crate::common::root().join("lessons/redis-sentinel-k8s/lesson.md");
    let lesson = kubetutor::lesson::load(path.to_str().expect("UTF-8"), None)
        .unwrap_or_else(|e| panic!("{e}"));
    let cells = lesson.cells();
    let mut next = 0;
    for command in SEED_COMMANDS {
        let found = cells[next..]
            .iter()
            .position(|c| c.first_line().starts_with(command));
        let at = found.unwrap_or_else(|| panic!("`{command}` is missing or out of order"));
        next += at + 1;
    }
    let capture = cells
        .iter()
        .position(|c| c.attrs.capture.as_deref() == Some("SENTINEL_POD"));
    let logs = cells
        .iter()
        .position(|c| c.first_line().starts_with("kubectl logs"));
    assert!(
        capture < logs && capture.is_some(),
        "SENTINEL_POD must be captured before the logs"
    );
}

/// A failing check shows its hint; a learner stuck at a check without one has nothing to go on.
#[test]
fn every_check_has_a_hint() {
    for dir in lesson_dirs() {
        let mut files = vec!["lesson.md".to_string()];
        files.extend(
            translations(&dir)
                .iter()
                .map(|lang| format!("lesson.{lang}.md")),
        );
        for file in files {
            let path = dir.join(file);
            let lesson = kubetutor::lesson::load(path.to_str().expect("UTF-8"), None)
                .unwrap_or_else(|e| panic!("{e}"));
            for cell in lesson.cells().iter().filter(|c| c.attrs.verify) {
                assert!(
                    cell.hint.is_some(),
                    "{}: check {} has no hint",
                    path.display(),
                    cell.id
                );
            }
        }
    }
}
