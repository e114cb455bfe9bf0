//! `kubetutor doctor [LESSON]`: the core's tool and cluster checks, then the terminal's.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;

use super::terminal;
use crate::cli::DoctorArgs;
use crate::kube::doctor::{self, DEADLINE, Inputs};
use crate::kube::safety::SafetyEnv;

/// `kubetutor doctor [LESSON]`.
pub fn cli_doctor(args: DoctorArgs) -> anyhow::Result<ExitCode> {
    let lesson = match &args.lesson {
        Some(arg) => Some(crate::lesson::load(arg, args.common.lang.as_deref())?),
        None => None,
    };
    let inputs = Inputs {
        target: args.common.target_request(),
        env: SafetyEnv::from_env(),
        lesson_namespace: lesson.as_ref().and_then(|l| l.meta.namespace.clone()),
        requires: lesson
            .as_ref()
            .map(|l| l.meta.requires.clone())
            .unwrap_or_default(),
        deadline: DEADLINE,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let mut checks = runtime.block_on(doctor::run(&inputs));
    checks.extend(terminal::checks());
    // Exec credential plugins or half-open connections must not keep us past the deadline.
    runtime.shutdown_timeout(Duration::from_millis(100));
    if let Some(lesson) = &lesson {
        let title = crate::lesson::escape::controls(&lesson.meta.title);
        println!("kubetutor doctor: {title}");
    }
    for check in &checks {
        println!("{check}");
    }
    let failed = checks
        .iter()
        .filter(|c| c.verdict == doctor::Verdict::Fail)
        .count();
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
