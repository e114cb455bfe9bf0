//! The lesson picker shown when `kubetutor` is started without a lesson.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::lesson::BundledLesson;

#[derive(Debug)]
pub struct Picker {
    pub lessons: Vec<BundledLesson>,
    pub selected: usize,
}

/// What a key did in the picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickerOutcome {
    Stay,
    /// Open this lesson (its path, so a slug clash can never open the wrong one).
    Open(String),
    Quit,
}

impl Picker {
    pub fn new(lessons: Vec<BundledLesson>) -> Self {
        Self {
            lessons,
            selected: 0,
        }
    }

    pub fn key(&mut self, key: KeyEvent) -> PickerOutcome {
        if key.kind == KeyEventKind::Release {
            return PickerOutcome::Stay;
        }
        let ctrl_c =
            key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c');
        match key.code {
            _ if ctrl_c => return PickerOutcome::Quit,
            KeyCode::Char('q') | KeyCode::Esc => return PickerOutcome::Quit,
            KeyCode::Char('j') | KeyCode::Down | KeyCode::Tab => self.select(1),
            KeyCode::Char('k') | KeyCode::Up | KeyCode::BackTab => self.select(-1),
            KeyCode::Enter => {
                if let Some(lesson) = self.lessons.get(self.selected) {
                    return PickerOutcome::Open(lesson.path.to_string_lossy().into_owned());
                }
            }
            _ => {}
        }
        PickerOutcome::Stay
    }

    fn select(&mut self, delta: isize) {
        if self.lessons.is_empty() {
            return;
        }
        let last = self.lessons.len() - 1;
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }
}
