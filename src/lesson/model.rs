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

/// Whether code runs a command that talks to Kubernetes (as a command word, also by path, not
/// inside a file name), so the cluster target must be confirmed before it runs.
pub fn mentions_cluster(code: &str) -> bool {
    code.split(|c: char| c.is_whitespace() || ";|&()`$\"'".contains(c))
        .any(|w| CLUSTER_COMMANDS.contains(&w.rsplit('/').next().unwrap_or(w)))
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
        }
    }
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
