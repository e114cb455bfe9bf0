//! Command-line definitions (clap). Dispatch lives in `main.rs`; behaviour in each module.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Markdown lessons as live, runnable terminal tutorials.
#[derive(Debug, Parser)]
#[command(
    name = "kubetutor",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub open: OpenArgs,

    /// Disable colours (also honoured: the NO_COLOR environment variable).
    #[arg(long, global = true)]
    pub no_color: bool,

    /// Colours for a dark or a light terminal background (a light projector screen). Default:
    /// from COLORFGBG where the terminal sets it, else dark.
    #[arg(long, global = true, value_enum, value_name = "dark|light")]
    pub theme: Option<ThemeArg>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ThemeArg {
    Dark,
    Light,
}

impl From<ThemeArg> for crate::settings::Background {
    fn from(theme: ThemeArg) -> Self {
        match theme {
            ThemeArg::Dark => Self::Dark,
            ThemeArg::Light => Self::Light,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a lesson headless: print each cell and its output, end with "N passed, N failed".
    Run(RunArgs),
    /// Validate lessons without running them; errors as file:line:col.
    Check(CheckArgs),
    /// Convert a Jupyter notebook (.ipynb, or its plain-text export) or a Killercoda scenario
    /// folder into a lesson.
    Import(ImportArgs),
    /// Check kubectl, kubeconfig, cluster access, RBAC, redis tools and the terminal.
    Doctor(DoctorArgs),
    /// Show the speaker notes of the `--present` lesson on this machine, following its step.
    Notes,
    /// Workshops: per-learner namespaces, RBAC and kubeconfigs on the current cluster.
    #[command(subcommand)]
    Workshop(WorkshopCommand),
    /// Print shell completions.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

/// Options shared by everything that loads a lesson and talks to a cluster.
#[derive(Debug, Clone, Args, Default)]
pub struct LessonArgs {
    /// Translation to use, e.g. zh-CN (default: from LANG when a translation exists).
    #[arg(long)]
    pub lang: Option<String>,
    /// Kubernetes context to use (default: the kubeconfig's current context).
    #[arg(long)]
    pub context: Option<String>,
    /// Namespace override (default: the lesson's front matter).
    #[arg(long)]
    pub namespace: Option<String>,
    /// Workshop mode: append -NAME to the lesson namespace so every learner has their own.
    #[arg(long)]
    pub namespace_suffix: Option<String>,
    /// Publish progress for `kubetutor workshop status NAME` (default: when the namespace
    /// carries a workshop label, as `workshop create` makes them).
    #[arg(long)]
    pub workshop: Option<String>,
}

impl LessonArgs {
    /// The cluster part, for the cluster session.
    pub fn target_request(&self) -> crate::kube::safety::TargetRequest {
        crate::kube::safety::TargetRequest {
            context: self.context.clone(),
            namespace: self.namespace.clone(),
            namespace_suffix: self.namespace_suffix.clone(),
        }
    }
}

/// `--typing-speed`: characters per second, None for `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypingSpeed(pub Option<u32>);

impl Default for TypingSpeed {
    fn default() -> Self {
        Self(Some(crate::app::DEFAULT_TYPING_SPEED))
    }
}

fn typing_speed(text: &str) -> Result<TypingSpeed, String> {
    if text.eq_ignore_ascii_case("off") {
        return Ok(TypingSpeed(None));
    }
    match text.parse::<u32>() {
        Ok(0) => Ok(TypingSpeed(None)),
        Ok(n) => Ok(TypingSpeed(Some(n))),
        Err(_) => Err(format!(
            "`{text}` is not a speed: give characters per second (e.g. 30) or `off`"
        )),
    }
}

/// `kubetutor [LESSON]`: open the TUI.
#[derive(Debug, Clone, Args, Default)]
pub struct OpenArgs {
    /// A lesson folder, a .md file, or the slug of a bundled lesson. No argument: a picker.
    pub lesson: Option<String>,
    #[command(flatten)]
    pub common: LessonArgs,
    /// Instructor mode: larger focus on the current step, commands typed out before running.
    #[arg(long)]
    pub present: bool,
    /// Present mode: characters per second a command is typed out at, or `off`.
    #[arg(long, value_name = "CHARS_PER_S|off", default_value = "30", value_parser = typing_speed)]
    pub typing_speed: TypingSpeed,
    /// Forget saved progress for this lesson and start over.
    #[arg(long)]
    pub reset: bool,
    /// Record the session as an asciicast v2 file (play it with `asciinema play FILE`);
    /// never written over an existing file.
    #[arg(long, value_name = "FILE.cast")]
    pub record: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// A lesson folder, a .md file, or the slug of a bundled lesson.
    pub lesson: String,
    #[command(flatten)]
    pub common: LessonArgs,
    /// Do not ask before running commands against the cluster.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Start at this step (number from 1, or a title prefix).
    #[arg(long)]
    pub from: Option<String>,
    /// Stop after this step (number from 1, or a title prefix).
    #[arg(long)]
    pub to: Option<String>,
    /// Run only the cells with these ids (repeat it, or separate ids with commas).
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Keep going after a failed cell.
    #[arg(long)]
    pub keep_going: bool,
    /// Run only the lesson's cleanup cells (`always=true`), e.g. after an interrupted run.
    #[arg(long, conflicts_with_all = ["from", "to", "only"])]
    pub cleanup: bool,
    /// Write the executed lesson, with outputs, as Markdown.
    #[arg(long)]
    pub transcript: Option<PathBuf>,
    /// List every effect (pods, Kubernetes Events, sentinel events) under each cell, not only
    /// the one-line summary.
    #[arg(long)]
    pub effects: bool,
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Lesson folders or .md files (a folder checks lesson.md and every translation).
    #[arg(required = true)]
    pub lessons: Vec<String>,
    /// Report only the findings in the cells with these ids (and those about whole files).
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// A .ipynb file, its plain-text export, or a Killercoda scenario folder (with index.json).
    pub notebook: PathBuf,
    /// Output folder (default: lessons/<slug of the notebook's title>).
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Replace an existing lesson.md in the output folder.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DoctorArgs {
    /// Check what this lesson needs (namespace, RBAC, tools).
    pub lesson: Option<String>,
    #[command(flatten)]
    pub common: LessonArgs,
}

#[derive(Debug, Subcommand)]
pub enum WorkshopCommand {
    /// For each learner: a namespace, ServiceAccount, Role/RoleBinding, quota and a kubeconfig
    /// with a bound token. Run it again to resume or to refresh the tokens.
    Create(WorkshopCreateArgs),
    /// Delete everything labelled with the workshop (namespaces, RBAC); the tokens stop working.
    Delete(WorkshopNameArgs),
    /// The workshops on the cluster.
    List(WorkshopClusterArgs),
    /// The room: one row per learner (step, verdicts, running cell, stuck and idle marks),
    /// refreshed live from the learners' progress ConfigMaps.
    Status(WorkshopStatusArgs),
}

#[derive(Debug, Clone, Args)]
pub struct WorkshopStatusArgs {
    #[command(flatten)]
    pub target: WorkshopNameArgs,
    /// Print the table once and exit.
    #[arg(long)]
    pub once: bool,
    /// Print the room as JSON (once).
    #[arg(long)]
    pub json: bool,
    /// The learner whose step is the room's pace: others behind it are marked.
    #[arg(long)]
    pub instructor: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct WorkshopClusterArgs {
    /// Kubernetes context to use (default: the kubeconfig's current context).
    #[arg(long)]
    pub context: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct WorkshopNameArgs {
    /// The workshop's name (a DNS label, e.g. kcd-2026).
    pub name: String,
    #[command(flatten)]
    pub cluster: WorkshopClusterArgs,
}

#[derive(Debug, Clone, Args)]
pub struct WorkshopCreateArgs {
    #[command(flatten)]
    pub target: WorkshopNameArgs,
    /// The lesson the room runs (a folder, a .md file or a bundled slug).
    #[arg(long)]
    pub lesson: String,
    /// Number of learners, named learner-1..N.
    #[arg(long, required_unless_present = "names", conflicts_with = "names")]
    pub learners: Option<usize>,
    /// A file of learner names, one a line.
    #[arg(long)]
    pub names: Option<PathBuf>,
    /// Folder for the kubeconfigs (default: ./NAME-kubeconfigs).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// How long the learners' tokens last (e.g. 8h, 90m; at least 10m).
    #[arg(long, default_value = "8h", value_parser = humantime::parse_duration)]
    pub duration: std::time::Duration,
}
