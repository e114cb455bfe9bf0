//! The one reconnect schedule of the core: a delay that starts at `first`, doubles after every
//! failed attempt up to `max`, and starts over after a success. The sentinel links, the service
//! seed, discovered sentinels and the pod watch all retry by it (their panes show the attempt
//! number and the delay, so the schedule is ours rather than a crate's hidden state).

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    first: Duration,
    max: Duration,
    /// The attempt being made (1-based).
    attempt: u32,
}

impl Backoff {
    pub const fn new(first: Duration, max: Duration) -> Self {
        Self {
            first,
            max,
            attempt: 1,
        }
    }

    /// The attempt being made, from 1.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// How long to wait after the current attempt failed.
    pub fn delay(&self) -> Duration {
        delay_after(self.first, self.max, self.attempt)
    }

    /// The current attempt failed (and its delay was waited): on to the next.
    pub fn failed(&mut self) {
        self.attempt = self.attempt.saturating_add(1);
    }

    /// It worked: the next failure starts the schedule over.
    pub fn reset(&mut self) {
        self.attempt = 1;
    }
}

/// The delay after failed attempt `attempt` (1-based): `first * 2^(attempt-1)`, at most `max`.
pub fn delay_after(first: Duration, max: Duration, attempt: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
    first.saturating_mul(factor).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap_and_starts_over_after_a_success() {
        let mut b = Backoff::new(Duration::from_millis(250), Duration::from_secs(2));
        let mut seen = Vec::new();
        for _ in 0..6 {
            seen.push((b.attempt(), b.delay().as_millis()));
            b.failed();
        }
        assert_eq!(
            seen,
            [
                (1, 250),
                (2, 500),
                (3, 1000),
                (4, 2000),
                (5, 2000),
                (6, 2000)
            ]
        );
        b.reset();
        assert_eq!((b.attempt(), b.delay()), (1, Duration::from_millis(250)));
        assert_eq!(
            delay_after(Duration::from_secs(1), Duration::from_secs(9), u32::MAX),
            Duration::from_secs(9)
        );
    }
}
