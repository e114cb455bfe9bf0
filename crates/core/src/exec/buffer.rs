//! A bounded per-cell output buffer: the first and the last bytes of a stream, and a count of
//! what fell in between. A cell can print 100 MB; a reader wants the start (the command's
//! banner, the first error) and the end (the summary, the last error), never all of it.

use std::collections::VecDeque;

/// Default caps: 1 MiB of head and 1 MiB of tail.
pub const DEFAULT_HEAD: usize = 1 << 20;
pub const DEFAULT_TAIL: usize = 1 << 20;

#[derive(Debug, Clone)]
pub struct OutputBuffer {
    head: Vec<u8>,
    /// A ring of the last `tail_cap` bytes: oldest at `start` once full (no memmove per push).
    tail: Vec<u8>,
    start: usize,
    /// Big chunks handed over by value, newer than the ring: keeping them costs no copy. Only
    /// the shortest suffix that still covers `tail_cap` bytes is kept.
    recent: VecDeque<Vec<u8>>,
    recent_len: usize,
    head_cap: usize,
    tail_cap: usize,
    total: u64,
}

/// Smaller owned chunks are copied into the ring instead: many tiny allocations would cost
/// more memory than the bytes they hold.
const MIN_OWNED: usize = if cfg!(test) { 4 } else { 16 * 1024 };

impl Default for OutputBuffer {
    fn default() -> Self {
        Self::new(DEFAULT_HEAD, DEFAULT_TAIL)
    }
}

impl OutputBuffer {
    pub fn new(head_cap: usize, tail_cap: usize) -> Self {
        Self {
            head: Vec::new(),
            tail: Vec::new(),
            start: 0,
            recent: VecDeque::new(),
            recent_len: 0,
            head_cap,
            tail_cap,
            total: 0,
        }
    }

    pub fn push(&mut self, mut bytes: &[u8]) {
        self.total += bytes.len() as u64;
        if self.head.len() < self.head_cap {
            let n = bytes.len().min(self.head_cap - self.head.len());
            self.head.extend_from_slice(&bytes[..n]);
            bytes = &bytes[n..];
        }
        self.settle();
        self.push_ring(bytes);
    }

    /// Like [`OutputBuffer::push`], but keeps a big chunk by moving it (a flood is then never
    /// copied into the ring); memory stays within about twice the caps plus one chunk.
    pub fn push_owned(&mut self, bytes: Vec<u8>) {
        let loose = bytes.capacity() > 2 * bytes.len();
        if self.head.len() < self.head_cap || bytes.len() < MIN_OWNED || loose {
            return self.push(&bytes);
        }
        self.total += bytes.len() as u64;
        self.recent_len += bytes.len();
        self.recent.push_back(bytes);
        while let Some(front) = self.recent.front()
            && self.recent_len - front.len() >= self.tail_cap
        {
            self.recent_len -= front.len();
            self.recent.pop_front();
        }
        if self.recent_len >= self.tail_cap {
            self.tail.clear();
            self.start = 0;
        }
    }

    /// Moves the owned chunks into the ring, so that copied bytes land after them.
    fn settle(&mut self) {
        let recent = std::mem::take(&mut self.recent);
        self.recent_len = 0;
        for chunk in recent {
            self.push_ring(&chunk);
        }
    }

    fn push_ring(&mut self, mut bytes: &[u8]) {
        let cap = self.tail_cap;
        if bytes.is_empty() || cap == 0 {
            return;
        }
        if bytes.len() >= cap {
            self.tail.clear();
            self.tail.extend_from_slice(&bytes[bytes.len() - cap..]);
            self.start = 0;
            return;
        }
        if self.tail.len() < cap {
            let n = bytes.len().min(cap - self.tail.len());
            self.tail.extend_from_slice(&bytes[..n]);
            bytes = &bytes[n..];
        }
        if bytes.is_empty() {
            return;
        }
        let first = bytes.len().min(cap - self.start);
        self.tail[self.start..self.start + first].copy_from_slice(&bytes[..first]);
        let rest = &bytes[first..];
        self.tail[..rest.len()].copy_from_slice(rest);
        self.start = (self.start + bytes.len()) % cap;
    }

    /// The kept tail in order: the ring (oldest part first), then the owned chunks, trimmed
    /// to the last `tail_cap` bytes.
    fn tail_parts(&self) -> Vec<&[u8]> {
        let mut parts = vec![&self.tail[self.start..], &self.tail[..self.start]];
        parts.extend(self.recent.iter().map(Vec::as_slice));
        let mut excess = (self.tail.len() + self.recent_len).saturating_sub(self.tail_cap);
        for part in &mut parts {
            let n = excess.min(part.len());
            *part = &part[n..];
            excess -= n;
        }
        parts
    }

    fn tail_len(&self) -> usize {
        (self.tail.len() + self.recent_len).min(self.tail_cap)
    }

    /// Bytes received in total.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Bytes received but not kept.
    pub fn dropped(&self) -> u64 {
        self.total - (self.head.len() + self.tail_len()) as u64
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The kept bytes: head, then tail, with no marker (see [`OutputBuffer::render`]).
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    pub fn tail(&self) -> Vec<u8> {
        self.tail_parts().concat()
    }

    /// The last `n` kept bytes (from the tail, or the head when nothing was dropped after it).
    pub fn last(&self, n: usize) -> Vec<u8> {
        let mut kept = self.tail();
        if kept.len() < n && self.dropped() == 0 {
            let from_head = n - kept.len();
            let mut out = self.head[self.head.len().saturating_sub(from_head)..].to_vec();
            out.append(&mut kept);
            return out;
        }
        kept.split_off(kept.len().saturating_sub(n))
    }

    /// Head and tail joined by a line saying how much was dropped (when anything was).
    pub fn render(&self) -> Vec<u8> {
        let mut out = self.head.clone();
        let dropped = self.dropped();
        if dropped > 0 {
            if !out.ends_with(b"\n") {
                out.push(b'\n');
            }
            out.extend_from_slice(format!("[... {dropped} bytes dropped ...]\n").as_bytes());
        }
        for part in self.tail_parts() {
            out.extend_from_slice(part);
        }
        out
    }

    /// Everything, when nothing was dropped.
    pub fn complete(&self) -> Option<Vec<u8>> {
        (self.dropped() == 0).then(|| self.render())
    }

    pub fn clear(&mut self) {
        self.head.clear();
        self.tail.clear();
        self.start = 0;
        self.recent.clear();
        self.recent_len = 0;
        self.total = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_output_is_kept_whole() {
        let mut b = OutputBuffer::new(4, 4);
        b.push(b"abc");
        b.push(b"def");
        assert_eq!(b.render(), b"abcdef");
        assert_eq!(b.dropped(), 0);
        assert_eq!(b.complete().as_deref(), Some(&b"abcdef"[..]));
        assert_eq!(b.last(4), b"cdef");
        assert_eq!(b.last(100), b"abcdef");
    }

    #[test]
    fn keeps_head_and_tail_and_counts_the_rest() {
        let mut b = OutputBuffer::new(3, 3);
        for chunk in [&b"012"[..], b"34", b"5678", b"9"] {
            b.push(chunk);
        }
        assert_eq!(b.head(), b"012");
        assert_eq!(b.tail(), b"789");
        assert_eq!(b.dropped(), 4);
        assert_eq!(b.total(), 10);
        assert_eq!(b.render(), b"012\n[... 4 bytes dropped ...]\n789");
        assert!(b.complete().is_none());
        assert_eq!(b.last(2), b"89");
    }

    #[test]
    fn memory_stays_bounded_under_many_pushes() {
        let mut b = OutputBuffer::new(16, 16);
        for i in 0..100_000u32 {
            b.push(&i.to_le_bytes());
        }
        assert!(b.tail.len() <= 16);
        let want: Vec<u8> = (99_996..100_000u32).flat_map(|i| i.to_le_bytes()).collect();
        assert_eq!(b.tail(), &want[..]);
        assert_eq!(b.dropped(), 400_000 - 32);
    }

    proptest::proptest! {
        #[test]
        fn matches_a_naive_head_and_tail(
            chunks in proptest::collection::vec(proptest::collection::vec(0u8..=255, 0..40), 0..40),
            head in 0usize..20,
            tail in 0usize..20,
            owned in proptest::collection::vec(proptest::bool::ANY, 40),
        ) {
            let mut b = OutputBuffer::new(head, tail);
            let mut all = Vec::new();
            for (c, owned) in chunks.iter().zip(&owned) {
                if *owned {
                    b.push_owned(c.clone());
                } else {
                    b.push(c);
                }
                all.extend_from_slice(c);
            }
            proptest::prop_assert!(b.tail.len() <= tail);
            proptest::prop_assert!(b.recent_len <= tail + 40);
            let h = all.len().min(head);
            let t = (all.len() - h).min(tail);
            proptest::prop_assert_eq!(b.head(), &all[..h]);
            proptest::prop_assert_eq!(b.tail(), &all[all.len() - t..]);
            proptest::prop_assert_eq!(b.dropped(), (all.len() - h - t) as u64);
            let n = 7.min(h + t);
            if b.dropped() == 0 {
                proptest::prop_assert_eq!(b.last(7), &all[all.len() - n..]);
            }
        }
    }
}
