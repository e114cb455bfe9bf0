//! The lesson picker shown when `kubetutor` is started without a lesson.

use crate::lesson::BundledLesson;

#[derive(Debug)]
pub struct Picker {
    pub lessons: Vec<BundledLesson>,
    pub selected: usize,
}

/// What the user asked of the picker (the TUI maps keys to these).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickerInput {
    Next,
    Previous,
    Open,
    Quit,
}

/// What an input did in the picker.
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

    pub fn apply(&mut self, input: PickerInput) -> PickerOutcome {
        match input {
            PickerInput::Quit => return PickerOutcome::Quit,
            PickerInput::Next => self.select(1),
            PickerInput::Previous => self.select(-1),
            PickerInput::Open => {
                if let Some(lesson) = self.lessons.get(self.selected) {
                    return PickerOutcome::Open(lesson.path.to_string_lossy().into_owned());
                }
            }
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
