//! `kubetutor workshop create|delete|list`: the instructor's side of a workshop. The objects
//! and the API calls are the core's (`workshop`); this prints and picks the cluster.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;

use crate::cli::{WorkshopClusterArgs, WorkshopCommand, WorkshopCreateArgs, WorkshopNameArgs};
use crate::lesson::escape::controls;
use crate::workshop::{Instructor, Plan, WorkshopSpec, apply, plan};

/// How long `delete` waits for the namespaces to be gone before it reports them as terminating.
const DELETE_WAIT: Duration = Duration::from_secs(120);

pub fn cli_workshop(cmd: WorkshopCommand) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async {
        match cmd {
            WorkshopCommand::Create(args) => create(args).await,
            WorkshopCommand::Delete(args) => delete(args).await,
            WorkshopCommand::List(args) => list(args).await,
            WorkshopCommand::Status(args) => super::workshop_status::status(args).await,
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

fn learners(args: &WorkshopCreateArgs) -> anyhow::Result<Vec<String>> {
    match (&args.names, args.learners) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let names = plan::names_from_text(&text);
            if names.is_empty() {
                return Err(crate::workshop::WorkshopError::NoNames { path: path.clone() }.into());
            }
            Ok(names)
        }
        (None, Some(0)) => anyhow::bail!("--learners 0: a workshop needs at least one learner"),
        (None, Some(n)) => Ok(plan::numbered(n)),
        (None, None) => anyhow::bail!("pass --learners N or --names FILE"),
    }
}

/// The slug learners type: the lesson's folder (or the file's stem for a lone .md).
fn lesson_slug(path: &Path) -> String {
    let dir_name = path.parent().and_then(|p| p.file_name());
    let name = match path.file_name().and_then(|f| f.to_str()) {
        Some(f) if f.starts_with("lesson.") => dir_name,
        _ => path.file_stem(),
    };
    name.map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_else(|| "lesson".into())
}

async fn create(args: WorkshopCreateArgs) -> anyhow::Result<()> {
    let lesson = crate::lesson::load(&args.lesson, None)?;
    let derived = crate::workshop::rules::for_lesson(&lesson);
    for what in &derived.unknown {
        eprintln!(
            "{}",
            controls(&format!(
                "kubetutor: warning: {what}; the learners' Role does not cover it"
            ))
        );
    }
    let spec = WorkshopSpec {
        name: args.target.name.clone(),
        lesson: lesson_slug(&lesson.path),
        learners: learners(&args)?,
        duration: args.duration,
        rules: derived.rules,
    };
    let plan = Plan::new(spec)?;
    let who = Instructor::connect(args.target.cluster.context.as_deref()).await?;
    let cluster = who.learner_cluster()?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}-kubeconfigs", plan.spec.name)));
    let created = apply::create(&who.client, &plan, &cluster, &out).await?;
    println!(
        "workshop {} on context {}: {} learners, lesson {}, tokens until {}",
        plan.spec.name,
        who.context,
        created.len(),
        plan.spec.lesson,
        created.first().map(|c| c.expires.as_str()).unwrap_or("-")
    );
    for c in &created {
        println!(
            "  {:<20} {:<30} {}",
            c.learner,
            c.namespace,
            c.kubeconfig.display()
        );
    }
    let dir = std::path::absolute(&out).unwrap_or(out);
    println!(
        "join: KUBECONFIG={}/<learner>.kubeconfig kubetutor {} --namespace {}-<learner>",
        dir.display(),
        args.lesson,
        plan.spec.name
    );
    Ok(())
}

async fn delete(args: WorkshopNameArgs) -> anyhow::Result<()> {
    let who = Instructor::connect(args.cluster.context.as_deref()).await?;
    let gone = apply::delete(&who.client, &args.name, DELETE_WAIT).await?;
    let count = gone.namespaces.len() + gone.cluster_roles.len() + gone.cluster_role_bindings.len();
    if count == 0 {
        println!(
            "workshop {}: nothing labelled {} on context {}",
            args.name,
            Plan::selector(&args.name),
            who.context
        );
        return Ok(());
    }
    println!(
        "workshop {} deleted: {} namespaces (with their ServiceAccounts, tokens, Roles, quotas and the lesson's objects), {} ClusterRoles, {} ClusterRoleBindings",
        args.name,
        gone.namespaces.len(),
        gone.cluster_roles.len(),
        gone.cluster_role_bindings.len()
    );
    for ns in &gone.namespaces {
        println!("  namespace {ns}");
    }
    Ok(())
}

async fn list(args: WorkshopClusterArgs) -> anyhow::Result<()> {
    let who = Instructor::connect(args.context.as_deref()).await?;
    let found = apply::list(&who.client).await?;
    if found.is_empty() {
        println!("no workshops on context {}", who.context);
    }
    for w in found {
        let terminating = match w.terminating {
            0 => String::new(),
            n => format!(" ({n} terminating)"),
        };
        println!(
            "{:<24} lesson {:<24} {} learners{}: {}",
            w.name,
            w.lesson,
            w.learners.len(),
            terminating,
            w.learners.join(", ")
        );
    }
    Ok(())
}
