//! `x`: the session as a transcript, the same Markdown `kubetutor run --transcript` writes:
//! the lesson with each command that ran followed by its output, verdict and effects.

use std::collections::BTreeMap;

use super::action::Effect;
use super::state::{App, CellStatus};
use crate::lesson::CellIndex;
use crate::run::transcript::Record;

impl App {
    /// Every cell that ran in this session, with what it printed (as stored: SGR only, the
    /// transcript strips it) and the effects the watchers attributed to it.
    pub fn transcript_records(&self) -> BTreeMap<CellIndex, Record> {
        let mut records = BTreeMap::new();
        for (cell, run) in self.runs.iter().enumerate() {
            let CellStatus::Done { outcome, duration } = &run.status else {
                continue;
            };
            let mut output = Vec::new();
            for line in run.output.lines() {
                output.extend_from_slice(line.as_bytes());
                output.push(b'\n');
            }
            let fx = self.effects.cell(cell).filter(|fx| !fx.is_empty());
            let effects = match fx {
                Some(_) => crate::run::effects::lines(fx, true),
                None => Vec::new(),
            };
            let record = Record {
                outcome: outcome.clone(),
                duration: *duration,
                output,
                effects,
            };
            records.insert(cell, record);
        }
        records
    }

    pub(super) fn export(&mut self) -> Vec<Effect> {
        let records = self.transcript_records();
        if records.is_empty() {
            self.say(crate::text::Notice::NothingToExport);
            return Vec::new();
        }
        self.say(crate::text::Notice::WritingTranscript);
        vec![Effect::ExportTranscript(records)]
    }
}
