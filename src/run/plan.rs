//! Which cells `kubetutor run` executes: `--from`/`--to` step ranges and `--only` ids.

use crate::lesson::{CellIndex, Lesson};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PlanError {
    #[error("no step `{spec}`: give a number from 1 to {count} or the start of a title ({titles})")]
    NoStep {
        spec: String,
        count: usize,
        titles: String,
    },
    #[error("`{spec}` matches several steps ({matches}); give the step number instead")]
    Ambiguous { spec: String, matches: String },
    #[error("--from step {from} comes after --to step {to}")]
    Backwards { from: usize, to: usize },
    #[error("no cell with id `{id}`; ids in this lesson: {ids}")]
    NoCell { id: String, ids: String },
    #[error(
        "{path}: no cell is marked always=true, so --cleanup has nothing to run; mark the cells that release what the lesson creates: ```sh {{always=true}}"
    )]
    NoCleanup { path: String },
}

/// `--cleanup`: the cells marked `always=true`, in lesson order.
pub fn cleanup(lesson: &Lesson) -> Result<Vec<CellIndex>, PlanError> {
    let cells = lesson.cells();
    let plan: Vec<CellIndex> = (0..cells.len())
        .filter(|&i| cells[i].attrs.always)
        .collect();
    if plan.is_empty() {
        return Err(PlanError::NoCleanup {
            path: lesson.path.display().to_string(),
        });
    }
    Ok(plan)
}

/// Resolves a step given as a number from 1 or a case-insensitive title prefix (0-based).
pub fn step(lesson: &Lesson, spec: &str) -> Result<usize, PlanError> {
    let count = lesson.steps.len();
    if let Ok(n) = spec.trim().parse::<usize>() {
        if (1..=count).contains(&n) {
            return Ok(n - 1);
        }
    } else {
        let want = spec.trim().to_lowercase();
        let hits: Vec<usize> = (0..count)
            .filter(|&i| lesson.steps[i].title.to_lowercase().starts_with(&want))
            .collect();
        match hits.as_slice() {
            [one] => return Ok(*one),
            [] => {}
            many => {
                let matches = many
                    .iter()
                    .map(|i| format!("{}: {}", i + 1, lesson.steps[*i].title));
                let matches = matches.collect::<Vec<_>>().join(", ");
                return Err(PlanError::Ambiguous {
                    spec: spec.into(),
                    matches,
                });
            }
        }
    }
    let titles = lesson
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{}: {}", i + 1, s.title));
    let titles = titles.collect::<Vec<_>>().join(", ");
    Err(PlanError::NoStep {
        spec: spec.into(),
        count,
        titles,
    })
}

/// The cells to run, in order. Introduction cells run unless `--from` is given.
pub fn cells(
    lesson: &Lesson,
    from: Option<&str>,
    to: Option<&str>,
    only: &[String],
) -> Result<Vec<CellIndex>, PlanError> {
    let from = from.map(|s| step(lesson, s)).transpose()?;
    let to = to.map(|s| step(lesson, s)).transpose()?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(PlanError::Backwards {
            from: f + 1,
            to: t + 1,
        });
    }
    let cells = lesson.cells();
    for id in only {
        if !cells.iter().any(|c| &c.id == id) {
            let ids = cells
                .iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            return Err(PlanError::NoCell {
                id: id.clone(),
                ids,
            });
        }
    }
    let steps = lesson.cell_steps();
    let in_range = |i: CellIndex| match steps[i] {
        None => from.is_none(),
        Some(s) => from.is_none_or(|f| s >= f) && to.is_none_or(|t| s <= t),
    };
    Ok((0..cells.len())
        .filter(|&i| in_range(i))
        .filter(|&i| only.is_empty() || only.contains(&cells[i].id))
        .collect())
}
