//! Entering and leaving full-screen mode, in every way the program can end.
//!
//! `restore` is idempotent and is reached from: the guard's Drop (normal return, `?` errors),
//! the panic hook (installed before raw mode is entered), and the SIGTERM/SIGHUP handlers of
//! the event loop (which return normally so the guard runs).

use std::io::{Write, stdout};
use std::mem::ManuallyDrop;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crossterm::cursor::{Hide, Show};
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use super::recording::{Cast, Screen, SharedCast};
use crate::text::Notice;

pub type Term = Terminal<CrosstermBackend<Screen>>;

/// Whether the terminal is currently in our full-screen mode.
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Owns full-screen mode; dropping it restores the terminal.
pub struct TerminalGuard {
    /// Never dropped while the terminal may be gone: see [`release`].
    pub terminal: ManuallyDrop<Term>,
    /// `--record`: the asciicast the screen writes into.
    cast: Option<SharedCast>,
}

impl TerminalGuard {
    /// Full-screen mode; with `cast`, what is drawn is recorded too (`--record`).
    pub fn enter(cast: Option<Cast>) -> std::io::Result<Self> {
        install_panic_hook();
        enter_mode()?;
        let cast = cast.map(|c| Arc::new(Mutex::new(c)));
        let screen = Screen::new(stdout(), cast.clone());
        let terminal = ManuallyDrop::new(Terminal::new(CrosstermBackend::new(screen))?);
        Ok(Self { terminal, cast })
    }

    /// The terminal was resized (a recording notes it).
    pub fn resized(&mut self, width: u16, height: u16) {
        if let Some(cast) = &self.cast {
            cast.lock()
                .unwrap_or_else(|e| e.into_inner())
                .resized(width, height);
        }
    }

    /// Hand the terminal to a child (the editor) for the duration of `f`.
    pub fn suspended<T>(&mut self, f: impl FnOnce() -> T) -> std::io::Result<T> {
        restore();
        let out = f();
        enter_mode()?;
        // The child drew on the screen: wipe it and start from fresh buffers so the next
        // frame repaints every cell. (`Terminal::clear` would query the cursor position,
        // which races with the input reader.)
        execute!(stdout(), Clear(ClearType::All))?;
        let screen = Screen::new(stdout(), self.cast.clone());
        let fresh = Terminal::new(CrosstermBackend::new(screen))?;
        release(&mut self.terminal);
        self.terminal = ManuallyDrop::new(fresh);
        Ok(out)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
        release(&mut self.terminal);
        if let Some(cast) = &self.cast {
            cast.lock().unwrap_or_else(|e| e.into_inner()).finish();
        }
    }
}

/// Drops a terminal only when that cannot panic. ratatui's `Terminal` shows a hidden cursor
/// in its Drop and `eprintln!`s when that fails; with the terminal gone (a killed tmux pane,
/// a hang-up) stderr fails too and `eprintln!` panics, turning a clean exit into exit 101.
/// When the cursor cannot be shown the terminal is leaked instead: we are exiting anyway.
/// The caller must not use `term` again (it is replaced or the guard is being dropped).
fn release(term: &mut ManuallyDrop<Term>) {
    if term.show_cursor().is_ok() {
        // SAFETY: dropped once, here; every caller overwrites or forgets `term` right after.
        unsafe { ManuallyDrop::drop(term) };
    }
}

fn enter_mode() -> std::io::Result<()> {
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    // Bracketed paste: a paste arrives as one event, for a focused interactive cell.
    execute!(
        stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste,
        Hide
    )
}

/// Leave full-screen mode if we are in it; safe to call any number of times.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = stdout();
    let _ = execute!(
        out,
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}

/// Restore the terminal before the default hook prints the panic, so the message is readable
/// and the shell is usable afterwards.
fn install_panic_hook() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        tracing::error!(%info, "panic");
        previous(info);
    }));
}

/// Whether the terminal can take OSC 52, judged from its environment (no terminal answers a
/// query for it, so this is what can be known without asking).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Osc52 {
    Yes,
    /// Sent, but it may not arrive: inside tmux (true), or from a terminal not known to.
    Maybe {
        tmux: bool,
    },
    /// Not sent: the terminal's name.
    No(&'static str),
}

pub fn osc52_support(env: impl Fn(&str) -> Option<String>) -> Osc52 {
    let term = env("TERM").unwrap_or_default();
    let program = env("TERM_PROGRAM").unwrap_or_default();
    if env("TMUX").is_some() {
        return Osc52::Maybe { tmux: true };
    }
    if term == "linux" {
        return Osc52::No("The Linux console");
    }
    if program == "Apple_Terminal" {
        return Osc52::No("Terminal.app");
    }
    let known = ["iTerm.app", "WezTerm", "vscode", "ghostty"].contains(&program.as_str())
        || ["kitty", "alacritty", "foot", "wezterm", "ghostty"]
            .iter()
            .any(|t| term.contains(t))
        || env("KITTY_WINDOW_ID").is_some()
        || env("WT_SESSION").is_some();
    if known {
        return Osc52::Yes;
    }
    if env("VTE_VERSION").is_some() {
        return Osc52::No("This VTE terminal (GNOME Terminal, Tilix...)");
    }
    Osc52::Maybe { tmux: false }
}

/// What `c` tells the learner, after sending (or not) to the clipboard.
pub fn copy_notice(support: &Osc52) -> Option<Notice> {
    match support {
        Osc52::Yes => None,
        Osc52::Maybe { tmux } => Some(Notice::CopyUnsure { tmux: *tmux }),
        Osc52::No(name) => Some(Notice::CopyUnsupported(name.to_string())),
    }
}

/// Put text on the clipboard with OSC 52 (works over SSH; tmux needs `set-clipboard on`).
pub fn copy_osc52(text: &str) -> std::io::Result<()> {
    crossterm::execute!(
        stdout(),
        crossterm::clipboard::CopyToClipboard::to_clipboard_from(text)
    )
}

#[cfg(test)]
mod osc52_tests {
    use super::*;

    fn with(vars: &[(&str, &str)]) -> Osc52 {
        osc52_support(|k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn terminals_that_cannot_take_osc52_are_named_and_tmux_is_a_maybe() {
        assert_eq!(with(&[("TERM", "xterm-kitty")]), Osc52::Yes);
        assert!(matches!(with(&[("TERM", "linux")]), Osc52::No(_)));
        assert!(matches!(
            with(&[("TERM", "xterm-256color"), ("VTE_VERSION", "7600")]),
            Osc52::No(_)
        ));
        assert!(matches!(
            with(&[("TERM", "tmux-256color"), ("TMUX", "/tmp/x,1,0")]),
            Osc52::Maybe { tmux: true }
        ));
        assert_eq!(with(&[("TERM", "xterm")]), Osc52::Maybe { tmux: false });
        assert_eq!(copy_notice(&Osc52::Yes), None);
        let no = copy_notice(&Osc52::No("Terminal.app")).expect("a notice");
        let no = crate::text::of(crate::text::UiLang::English).notice(&no);
        assert!(no.starts_with("Terminal.app cannot take OSC 52"), "{no}");
    }
}
