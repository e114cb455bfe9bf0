//! Entering and leaving full-screen mode, in every way the program can end.
//!
//! `restore` is idempotent and is reached from: the guard's Drop (normal return, `?` errors),
//! the panic hook (installed before raw mode is entered), and the SIGTERM/SIGHUP handlers of
//! the event loop (which return normally so the guard runs).

use std::io::{Stdout, Write, stdout};
use std::mem::ManuallyDrop;
use std::sync::atomic::{AtomicBool, Ordering};

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

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Whether the terminal is currently in our full-screen mode.
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Owns full-screen mode; dropping it restores the terminal.
pub struct TerminalGuard {
    /// Never dropped while the terminal may be gone: see [`release`].
    pub terminal: ManuallyDrop<Term>,
}

impl TerminalGuard {
    pub fn enter() -> std::io::Result<Self> {
        install_panic_hook();
        enter_mode()?;
        let terminal = ManuallyDrop::new(Terminal::new(CrosstermBackend::new(stdout()))?);
        Ok(Self { terminal })
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
        let fresh = Terminal::new(CrosstermBackend::new(stdout()))?;
        release(&mut self.terminal);
        self.terminal = ManuallyDrop::new(fresh);
        Ok(out)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
        release(&mut self.terminal);
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

/// Put text on the clipboard with OSC 52 (works over SSH; tmux needs `set-clipboard on`).
pub fn copy_osc52(text: &str) -> std::io::Result<()> {
    crossterm::execute!(
        stdout(),
        crossterm::clipboard::CopyToClipboard::to_clipboard_from(text)
    )
}
