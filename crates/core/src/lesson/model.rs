//! The lesson document model: what the parser produces and every other module consumes.
//! It owns no pulldown-cmark or serde_yaml types, so the TUI and the engine never see them.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// A position in a lesson file. Lines and columns are 1-based; `start..end` are byte offsets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub line: usize,
    pub col: usize,
    pub start: usize,
    pub end: usize,
}

/// A parsed lesson: front matter, the introduction (prose before the first H2) and its steps.
#[derive(Debug, Clone, PartialEq)]
pub struct Lesson {
    /// The Markdown file this lesson was read from.
    pub path: PathBuf,
    pub meta: Meta,
    pub intro: Vec<Block>,
    pub steps: Vec<Step>,
}

/// YAML front matter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub summary: Option<String>,
    /// Relative to the lesson file; cells start here.
    #[serde(default)]
    pub workdir: Option<PathBuf>,
    /// The Kubernetes namespace the lesson's commands run in.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Programs that must be on PATH before the first cell runs.
    #[serde(default)]
    pub requires: Vec<String>,
    #[serde(default)]
    pub panes: Panes,
    /// Extra environment for every cell.
    #[serde(default)]
    pub env: std::collections::BTreeMap<String, String>,
    /// Written for Runme (a `runme:` front matter key): Runme's cell semantics apply, such as
    /// prompting for `export VAR=...` values.
    #[serde(skip)]
    pub runme: bool,
    /// Runme's document-level `skipPrompts: true`: exported values are used as written.
    #[serde(skip)]
    pub skip_prompts: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Panes {
    #[serde(default)]
    pub pods: Option<PodsPaneConfig>,
    #[serde(default)]
    pub sentinel: Option<SentinelPaneConfig>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PodsPaneConfig {
    /// A Kubernetes label selector, e.g. `app in (redis, redis-sentinel)`.
    #[serde(default)]
    pub selector: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SentinelPaneConfig {
    /// A direct `host:port` of one sentinel.
    #[serde(default)]
    pub address: Option<String>,
    /// A Kubernetes service in the lesson namespace, reached through a port-forward.
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default = "default_sentinel_port")]
    pub port: u16,
    /// The monitored master's name (`sentinel monitor <name> ...`).
    #[serde(default = "default_master_name")]
    pub master: String,
    /// Password for sentinels and servers; `REDISCLI_AUTH` is used when absent.
    #[serde(default)]
    pub password: Option<String>,
}

fn default_sentinel_port() -> u16 {
    26379
}

fn default_master_name() -> String {
    "mymaster".to_string()
}

/// A step: an H2 heading and everything up to the next H2.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub title: String,
    pub span: Span,
    pub blocks: Vec<Block>,
}

/// Block-level content, in document order.
// Cells are most of a lesson's blocks; boxing them would cost an allocation each for no gain.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// H1 and H3-H6 (H2 starts a step and is not a block).
    Heading {
        level: u8,
        text: Vec<Inline>,
        span: Span,
    },
    Paragraph {
        text: Vec<Inline>,
        span: Span,
    },
    List {
        start: Option<u64>,
        items: Vec<Vec<Block>>,
        span: Span,
    },
    Quote {
        blocks: Vec<Block>,
        span: Span,
    },
    Table {
        alignments: Vec<Align>,
        header: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
        span: Span,
    },
    Rule {
        span: Span,
    },
    /// A fenced or indented code block that is shown, never run (yaml, console, ...).
    Code {
        lang: String,
        code: String,
        span: Span,
    },
    /// A shell command cell.
    Cell(Cell),
    /// Raw HTML, shown as text.
    Html {
        text: String,
        span: Span,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    None,
    Left,
    Center,
    Right,
}

/// Inline content of paragraphs, headings, list items and table cells.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    Text(String),
    Code(String),
    Emphasis(Vec<Inline>),
    Strong(Vec<Inline>),
    Strikethrough(Vec<Inline>),
    Link { text: Vec<Inline>, url: String },
    Image { alt: String, url: String },
    SoftBreak,
    HardBreak,
}

/// A runnable shell cell (a fenced block in `sh`, `bash` or `shell`).
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Unique in the lesson; generated from the position when the author gave none.
    pub id: String,
    pub lang: String,
    pub code: String,
    pub attrs: CellAttrs,
    /// The opening fence.
    pub span: Span,
    /// `hint=` or a following blockquote starting `Hint:`.
    pub hint: Option<String>,
}

impl Cell {
    /// Whether the engine executes this cell (`run=false` cells are only shown).
    pub fn is_runnable(&self) -> bool {
        self.attrs.run
    }

    /// The cell's first line, for one-line listings.
    pub fn first_line(&self) -> &str {
        self.code.lines().next().unwrap_or("")
    }
}

/// Commands that reach Kubernetes through the kubeconfig.
const CLUSTER_COMMANDS: [&str; 4] = ["kubectl", "helm", "kustomize", "k9s"];

/// The customary short name of kubectl (Killercoda's environments and most courses alias it):
/// as a command name it counts as kubectl everywhere a lesson is read.
pub const KUBECTL_ALIAS: &str = "k";

/// The cell an import puts first when the scenario calls `k` (its environments define it).
pub const KUBECTL_ALIAS_CELL: &str = "k() { kubectl \"$@\"; }";

/// The command's name word when it is `k` (after any `NAME=value` assignments).
pub fn alias_call(cmd: &[super::shell::Word]) -> Option<&super::shell::Word> {
    let (_, start) = super::vars::split_assignments(cmd);
    cmd.get(start).filter(|w| w.text == KUBECTL_ALIAS)
}

/// The program a command name stands for: its last path component, `k` read as kubectl.
pub fn program_of(name: &str) -> &str {
    match name.rsplit('/').next().unwrap_or(name) {
        KUBECTL_ALIAS => "kubectl",
        p => p,
    }
}

/// Whether code runs a command that talks to Kubernetes (as a command word, also by path, not
/// inside a file name), so the cluster target must be confirmed before it runs.
/// Any word of any command counts (`watch kubectl ...`, `xargs helm ...`, `P=$(kubectl ...)`:
/// the scanner lexes a substitution's inside as commands), read by the one shell scanner
/// ([`super::shell::scan`]), so quoted text, comments and here-documents are understood.
/// `k` counts as a command name only (`for k in ...` is no cluster command).
pub fn mentions_cluster(code: &str) -> bool {
    super::shell::scan(code).commands.iter().any(|cmd| {
        alias_call(cmd).is_some()
            || cmd
                .iter()
                .any(|w| CLUSTER_COMMANDS.contains(&w.text.rsplit('/').next().unwrap_or(&w.text)))
    })
}

/// Attributes from the fence's info string, e.g. ```` ```sh {id=x capture=VAR} ````.
#[derive(Debug, Clone, PartialEq)]
pub struct CellAttrs {
    /// Whether `id` (or `name`) was written by the author.
    pub explicit_id: bool,
    pub run: bool,
    pub capture: Option<String>,
    pub verify: bool,
    pub retry: Duration,
    pub interval: Duration,
    pub timeout: Option<Duration>,
    pub background: bool,
    pub interactive: bool,
    pub cwd: Option<PathBuf>,
    pub env: Vec<(String, String)>,
    /// Capabilities the cell needs, e.g. `needs=containers`; a runner told that the
    /// environment lacks one (`KUBETUTOR_SKIP_NEEDS=containers`) skips the cell and says why.
    pub needs: Vec<String>,
    /// What `kubetutor run` types into an `interactive` cell (it has no keyboard to lend),
    /// line by line as the program asks, then end of input. None: run skips the cell.
    pub stdin: Option<String>,
    /// `always=true`: a cleanup cell, run even after an earlier cell failed (CI's
    /// `if: always()`), and the cells `kubetutor run --cleanup` runs.
    pub always: bool,
    /// Killercoda's `{{exec interrupt}}`: the command before this one is meant to be stopped.
    pub interrupts: bool,
    /// Runme's `promptEnv`: Some(true) asks for exported values, Some(false) never does, None
    /// follows the document (Runme documents ask when a value is missing).
    pub prompt_env: Option<bool>,
    /// Runme's prompts for `export VAR=...` lines, filled in by the parser when they apply.
    pub prompts: Vec<EnvPrompt>,
    /// Lines of a `$ `-prompted cell that have no prompt: the output the author expects,
    /// shown, never run.
    pub expected_output: Option<String>,
    /// Written with Runme attributes (a ULID `id`, `promptEnv`, ...).
    pub runme: bool,
    /// `until=`: the cell first waits (up to `retry`) for this effect to be observed, since the
    /// cell before it started; then its code, if any, runs.
    pub until: Option<Until>,
}

/// An effect a cell waits for (`until=`), instead of polling kubectl in a loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Until {
    /// A Sentinel Pub/Sub event by name (`+switch-master`), whose payload holds every word.
    Sentinel { name: String, words: Vec<String> },
    /// A Kubernetes Event by reason (`Started`), about an object starting with `object`
    /// (`pod/redis-`).
    KubeEvent {
        reason: String,
        object: Option<String>,
    },
}

impl std::fmt::Display for Until {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Until::Sentinel { name, words } if words.is_empty() => write!(f, "sentinel {name}"),
            Until::Sentinel { name, words } => write!(f, "sentinel {name} {}", words.join(" ")),
            Until::KubeEvent {
                reason,
                object: Some(o),
            } => write!(f, "event {reason} {o}*"),
            Until::KubeEvent { reason, .. } => write!(f, "event {reason}"),
        }
    }
}

/// An `export NAME=VALUE` that Runme turns into a question for the learner (its promptEnv).
/// A quoted value is a default the learner confirms; an unquoted one is the question itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvPrompt {
    pub name: String,
    /// The quoted placeholder, offered as the answer.
    pub default: Option<String>,
    /// The unquoted text, shown as the question (it is not a value).
    pub message: Option<String>,
}

impl Default for CellAttrs {
    fn default() -> Self {
        Self {
            explicit_id: false,
            run: true,
            capture: None,
            verify: false,
            retry: Duration::from_secs(30),
            interval: Duration::from_secs(1),
            timeout: None,
            background: false,
            interactive: false,
            cwd: None,
            env: Vec::new(),
            needs: Vec::new(),
            stdin: None,
            always: false,
            interrupts: false,
            prompt_env: None,
            prompts: Vec::new(),
            expected_output: None,
            runme: false,
            until: None,
        }
    }
}

/// Why nothing of a lesson would run: `run` refuses such a lesson instead of passing it.
pub fn nothing_to_run(lesson: &Lesson, selected: bool) -> String {
    let cells = lesson.cells();
    let shown = count_code(&lesson.intro)
        + lesson
            .steps
            .iter()
            .map(|s| count_code(&s.blocks))
            .sum::<usize>();
    let path = lesson.path.display();
    if selected && cells.iter().any(|c| c.is_runnable()) {
        return format!(
            "{path}: the selected steps or cells have no runnable cell; nothing was run"
        );
    }
    let kind = if path.to_string().ends_with(".ipynb") {
        "this notebook has no shell cells (Python and other code is kept as blocks that never run)"
    } else {
        "this lesson has no runnable cells (only ```sh, ```bash and ```shell fences run)"
    };
    format!(
        "{path}: {kind}; {} blocks are shown only and {} cells have run=false, so nothing would be checked",
        shown,
        cells.iter().filter(|c| !c.is_runnable()).count()
    )
}

/// How to make a lesson that [`nothing_to_run`] refuses run, in the terms of its format.
pub fn nothing_to_run_help(lesson: &Lesson) -> String {
    let path = lesson.path.to_string_lossy();
    if path.ends_with(".ipynb") {
        return "write the commands as `!cmd` lines or `%%bash` cells".into();
    }
    if path.ends_with("index.json") || lesson.path.is_dir() {
        return "mark the commands as Killercoda does: `cmd`{{exec}}, or a fence closed with ```{{exec}}".into();
    }
    let mut console = 0;
    count_langs(&lesson.intro, "console", &mut console);
    for step in &lesson.steps {
        count_langs(&step.blocks, "console", &mut console);
    }
    match console {
        0 => "put the commands in ```sh fences".into(),
        n => format!(
            "{n} of the blocks are ```console: put their commands in ```sh fences (a `$ ` prompt is dropped; output lines would run as commands, so leave them out)"
        ),
    }
}

fn count_langs(blocks: &[Block], lang: &str, n: &mut usize) {
    for b in blocks {
        match b {
            Block::Code { lang: l, .. } if l == lang => *n += 1,
            Block::List { items, .. } => items.iter().for_each(|i| count_langs(i, lang, n)),
            Block::Quote { blocks, .. } => count_langs(blocks, lang, n),
            _ => {}
        }
    }
}

fn count_code(blocks: &[Block]) -> usize {
    blocks
        .iter()
        .map(|b| match b {
            Block::Code { .. } => 1,
            Block::List { items, .. } => items.iter().map(|i| count_code(i)).sum(),
            Block::Quote { blocks, .. } => count_code(blocks),
            _ => 0,
        })
        .sum()
}

/// Languages whose fenced blocks become runnable cells.
pub const SHELL_LANGS: [&str; 3] = ["sh", "bash", "shell"];

/// The index of a cell in [`Lesson::cells`] order: how the engine and the UI address cells.
pub type CellIndex = usize;

impl Lesson {
    /// Every cell in document order (introduction first, then each step).
    pub fn cells(&self) -> Vec<&Cell> {
        let mut out = Vec::new();
        collect_cells(&self.intro, &mut out);
        for step in &self.steps {
            collect_cells(&step.blocks, &mut out);
        }
        out
    }

    /// Every cell in document order, for the parser's passes that adjust cells.
    pub(crate) fn cells_mut(&mut self) -> Vec<&mut Cell> {
        let mut out = Vec::new();
        collect_cells_mut(&mut self.intro, &mut out);
        for step in &mut self.steps {
            collect_cells_mut(&mut step.blocks, &mut out);
        }
        out
    }

    /// Whether the lesson talks to Kubernetes: a cell runs kubectl/helm (by
    /// [`mentions_cluster`]) or a pane watches pods or reaches a sentinel service through a
    /// port-forward. A lesson that does not needs no kubeconfig.
    pub fn needs_cluster(&self) -> bool {
        let panes = &self.meta.panes;
        panes.pods.is_some()
            || panes.sentinel.as_ref().is_some_and(|s| s.service.is_some())
            || self.cells().iter().any(|c| mentions_cluster(&c.code))
    }

    /// The step (0-based) of every cell in [`Lesson::cells`] order, None for the
    /// introduction: one pass, for callers that need it for many cells ([`Lesson::step_of`]
    /// per cell made opening a 100k-cell lesson quadratic).
    pub fn cell_steps(&self) -> Vec<Option<usize>> {
        let mut buf = Vec::new();
        collect_cells(&self.intro, &mut buf);
        let mut steps = vec![None; buf.len()];
        for (i, step) in self.steps.iter().enumerate() {
            buf.clear();
            collect_cells(&step.blocks, &mut buf);
            steps.extend(std::iter::repeat_n(Some(i), buf.len()));
        }
        steps
    }

    /// The step (0-based) that holds a cell, or None for the introduction.
    pub fn step_of(&self, cell: CellIndex) -> Option<usize> {
        let mut seen = 0;
        let mut buf = Vec::new();
        collect_cells(&self.intro, &mut buf);
        seen += buf.len();
        if cell < seen {
            return None;
        }
        for (i, step) in self.steps.iter().enumerate() {
            buf.clear();
            collect_cells(&step.blocks, &mut buf);
            seen += buf.len();
            if cell < seen {
                return Some(i);
            }
        }
        None
    }

    /// The directory cells start in: the lesson's folder joined with `workdir`.
    pub fn workdir(&self) -> PathBuf {
        let base = self.path.parent().map(PathBuf::from).unwrap_or_default();
        match &self.meta.workdir {
            Some(w) => base.join(w),
            None => base,
        }
    }
}

fn collect_cells_mut<'a>(blocks: &'a mut [Block], out: &mut Vec<&'a mut Cell>) {
    for block in blocks {
        match block {
            Block::Cell(cell) => out.push(cell),
            Block::List { items, .. } => items.iter_mut().for_each(|i| collect_cells_mut(i, out)),
            Block::Quote { blocks, .. } => collect_cells_mut(blocks, out),
            _ => {}
        }
    }
}

fn collect_cells<'a>(blocks: &'a [Block], out: &mut Vec<&'a Cell>) {
    for block in blocks {
        match block {
            Block::Cell(cell) => out.push(cell),
            Block::List { items, .. } => items.iter().for_each(|item| collect_cells(item, out)),
            Block::Quote { blocks, .. } => collect_cells(blocks, out),
            _ => {}
        }
    }
}
